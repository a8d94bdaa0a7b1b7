"""Issue 17, §1: the certificate registry cannot be harvested.

The attack: a cyberspace-office account posted 10,000 numbers a request to the verify API and
told the numbers that exist (name_mismatch) from those that do not (not_found). Now: bulk is for
the officers and heads of a work-safety regulator, quotas in items per user and agency, every
verification is recorded for the supervisors, and without a case both answers are `no_match`."""

import datetime

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from certificates.models import Certificate, RosterCheck, VerificationBatch
from core.identity import id_hash, mask_id_number
from demo.sample_cases import make_id_number
from tests.factories import CaseFactory, demo_user

pytestmark = pytest.mark.django_db
URL = "/api/v1/certificates/verify/"
ID = make_id_number("440106", datetime.date(1980, 1, 2), 11)
NUMBER = "T440106198001020011"


@pytest.fixture
def api(api):
    """The API clients of conftest, asking for English answers."""

    def english(username=None):
        c = api(username)
        c.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return c

    return english


@pytest.fixture
def client(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture(autouse=True)
def _fresh_quotas():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def registered():
    return Certificate.objects.create(
        number=NUMBER,
        holder_name="张伟",
        id_hash=id_hash(ID),
        id_masked=mask_id_number(ID),
        category="welding",
        item="焊接",
        issued_on=datetime.date(2025, 1, 1),
        expires_on=datetime.date(2031, 1, 1),
        authority="广东省应急管理厅",
    )


def items(n):
    return [{"number": f"T{i:06d}", "name": "某人"} for i in range(n)]


@pytest.mark.parametrize("who", ["guangzhou.cyber", "guangzhou.police", "guangzhou.market", "guangzhou.supervisor"])
def test_only_a_regulators_staff_verify_in_bulk(api, who):
    r = api(who).post(URL, {"items": items(2)}, format="json")
    assert r.status_code == 403
    assert "work-safety regulator" in r.json()["detail"]
    assert not VerificationBatch.objects.exists()
    # One at a time stays open to every official, and is recorded.
    r = api(who).post(URL, {"items": items(1)}, format="json")
    assert r.status_code == 200 and r.json()["results"][0]["status"] == "no_match"
    batch = VerificationBatch.objects.get()
    assert (batch.username, batch.items, batch.purpose, batch.via_api) == (who, 1, "check", True)


@pytest.mark.parametrize("who", ["guangzhou.officer1", "guangzhou.head"])
def test_a_regulators_officer_and_head_verify_in_bulk(api, who):
    assert api(who).post(URL, {"items": items(3)}, format="json").status_code == 200
    batch = VerificationBatch.objects.get()
    assert (batch.items, batch.purpose, batch.agency.slug) == (3, "roster", "guangzhou-safety")


def test_the_web_roster_is_for_a_regulators_staff_only(client):
    roster = SimpleUploadedFile("r.csv", b"number,name\nT1,A\nT2,B\n")
    client.force_login(demo_user("guangzhou.cyber"))
    assert client.get("/certificates/roster/").status_code == 403
    assert client.post("/certificates/roster/", {"roster": roster}).status_code == 403
    assert not RosterCheck.objects.exists() and not VerificationBatch.objects.exists()


def test_over_the_hourly_quota_is_429_with_retry_after_and_nothing_is_verified(api, settings):
    settings.VERIFY_ITEMS_PER_USER_HOUR = 5
    officer = api("guangzhou.officer1")
    assert officer.post(URL, {"items": items(3)}, format="json").status_code == 200
    r = officer.post(URL, {"items": items(3)}, format="json")
    assert r.status_code == 429
    assert 0 < int(r["Retry-After"]) <= 3600
    detail = r.json()["detail"]
    assert "at most 5 certificates an hour" in detail and "resets at" in detail and "results" not in r.json()
    assert VerificationBatch.objects.count() == 1  # only the first request was verified
    # A refused request used nothing: the remaining two still fit.
    assert officer.post(URL, {"items": items(2)}, format="json").status_code == 200
    assert officer.post(URL, {"items": items(1)}, format="json").status_code == 429
    assert list(VerificationBatch.objects.values_list("items", flat=True).order_by("id")) == [3, 2]


def test_the_daily_and_the_agency_quota(api, settings):
    settings.VERIFY_ITEMS_PER_USER_DAY = 4
    assert api("guangzhou.officer1").post(URL, {"items": items(4)}, format="json").status_code == 200
    r = api("guangzhou.officer1").post(URL, {"items": items(1)}, format="json")
    assert r.status_code == 429 and "a day" in r.json()["detail"] and int(r["Retry-After"]) <= 86_400
    settings.VERIFY_ITEMS_PER_USER_DAY = 30_000
    settings.VERIFY_ITEMS_PER_AGENCY_DAY = 6  # shared by the agency's staff: 4 used by officer1
    r = api("guangzhou.officer2").post(URL, {"items": items(3)}, format="json")
    assert r.status_code == 429 and "Your agency may verify at most 6" in r.json()["detail"]
    assert api("guangzhou.officer2").post(URL, {"items": items(2)}, format="json").status_code == 200
    assert api("shenzhen.officer1").post(URL, {"items": items(3)}, format="json").status_code == 200  # its own


def test_the_web_pages_refuse_over_quota_with_the_message_and_verify_nothing(client, settings, registered):
    settings.VERIFY_ITEMS_PER_USER_HOUR = 2
    client.force_login(demo_user("guangzhou.officer1"))
    roster = SimpleUploadedFile("r.csv", f"number,name\n{NUMBER},张伟\nX1,李四\nX2,王五\n".encode())
    r = client.post("/certificates/roster/", {"roster": roster, "employer": "某公司"})
    assert r.status_code == 429 and r["Retry-After"]
    assert "at most 2 certificates an hour" in r.content.decode()
    assert not RosterCheck.objects.exists() and not VerificationBatch.objects.exists()
    assert client.post("/certificates/check/", {"number": NUMBER, "name": "张伟"}).status_code == 200
    assert client.post("/certificates/check/", {"number": NUMBER, "name": "张伟"}).status_code == 200
    r = client.post("/certificates/check/", {"number": NUMBER, "name": "张伟"})
    assert r.status_code == 429 and "resets at" in r.content.decode() and 'data-status="' not in r.content.decode()
    assert VerificationBatch.objects.filter(purpose="check", via_api=False).count() == 2


def test_every_call_leaves_a_batch_with_its_counts(api, client, registered):
    officer = api("guangzhou.officer1")
    sent = [
        {"number": NUMBER, "name": "张伟"},
        {"number": NUMBER, "name": "李四"},
        {"number": "NOPE", "name": "王五"},
        {"number": NUMBER, "name": " 张 伟 "},
    ]
    assert officer.post(URL, {"items": sent}, format="json").status_code == 200
    batch = VerificationBatch.objects.get()
    assert batch.items == 4 and batch.counts == {"valid": 2, "no_match": 2}
    assert (batch.user.username, batch.agency.slug, batch.case) == ("guangzhou.officer1", "guangzhou-safety", None)
    client.force_login(demo_user("guangzhou.officer1"))
    client.post("/certificates/check/", {"number": NUMBER, "name": "张伟"})
    roster = SimpleUploadedFile("名册.csv", f"number,name\n{NUMBER},张伟\nX1,李四\n".encode())
    assert client.post("/certificates/roster/", {"roster": roster, "employer": "某建筑公司"}).status_code == 302
    check, roster_batch = VerificationBatch.objects.order_by("-id")[1], VerificationBatch.objects.order_by("-id")[0]
    assert (check.purpose, check.items, check.counts, check.via_api) == ("check", 1, {"valid": 1}, False)
    assert (roster_batch.purpose, roster_batch.items, roster_batch.filename, roster_batch.employer) == (
        "roster",
        2,
        "名册.csv",
        "某建筑公司",
    )
    assert roster_batch.counts == {"valid": 1, "no_match": 1}


def test_without_a_case_an_unknown_number_and_a_wrong_name_answer_the_same(api, client, registered):
    r = api("guangzhou.officer1").post(
        URL,
        {"items": [{"number": NUMBER, "name": "李四"}, {"number": "T440106198001029999", "name": "李四"}]},
        format="json",
    )
    assert [x["status"] for x in r.json()["results"]] == ["no_match", "no_match"]
    pages = [client.post("/public/check/", {"number": n, "name": "李四"}).content.decode() for n in (NUMBER, "NOPE")]
    assert all('data-status="no_match"' in page for page in pages)
    client.force_login(demo_user("guangzhou.cyber"))
    pages = [client.post("/certificates/check/", {"number": n, "name": "李四"}).content.decode() for n in (NUMBER, "X")]
    assert all('data-status="no_match"' in page for page in pages)


def test_with_a_case_its_staff_get_the_full_statuses(api, registered, settings):
    case = CaseFactory(status="open")
    sent = [{"number": NUMBER, "name": "李四"}, {"number": "NOPE", "name": "李四"}, {"number": NUMBER, "name": "张伟"}]
    for who in ("guangzhou.officer1", "guangzhou.officer2", "guangzhou.head"):
        r = api(who).post(URL, {"items": sent, "case": case.pk}, format="json")
        assert r.status_code == 200
        assert [x["status"] for x in r.json()["results"]] == ["name_mismatch", "not_found", "valid"]
    batch = VerificationBatch.objects.order_by("-id").first()
    assert (batch.purpose, batch.case, batch.counts) == ("case", case, {"name_mismatch": 1, "not_found": 1, "valid": 1})
    # Who cannot act on the case gets no full answer: a supervisor sees it but does not own it;
    # another city's officer and the police do not see it.
    assert api("guangzhou.supervisor").post(URL, {"items": sent[:1], "case": case.pk}, format="json").status_code == 403
    for who in ("shenzhen.officer1", "guangzhou.police", "guangzhou.cyber"):
        assert api(who).post(URL, {"items": sent[:1], "case": case.pk}, format="json").status_code == 404
    # A few items per request for a case, not a roster.
    settings.VERIFY_CASE_MAX_ITEMS = 2
    r = api("guangzhou.officer1").post(URL, {"items": sent, "case": case.pk}, format="json")
    assert r.status_code == 400 and "items" in r.json()
    r = api("guangzhou.officer1").post(URL, {"items": sent, "case": "x"}, format="json")
    assert r.status_code == 400 and "case" in r.json()


def test_a_no_match_row_opens_a_lead_that_proposes_the_right_finding(client, registered):
    from cases.models import Case

    client.force_login(demo_user("guangzhou.officer1"))
    roster = SimpleUploadedFile("r.csv", f"number,name\n{NUMBER},王五\nFAKE-1,赵六\n".encode())
    r = client.post("/certificates/roster/", {"employer": "某建筑公司", "roster": roster})
    saved = RosterCheck.objects.get()
    assert [row["status"] for row in saved.results] == ["no_match", "no_match"]
    for row, verification, finding in (
        (0, "name_mismatch", "lent_certificate"),
        (1, "not_found", "forged_certificate"),
    ):
        assert client.post(f"{r['Location']}lead/{row}/").status_code == 302
        case = Case.objects.filter(source="verification").latest("id")
        assert (case.lead_proposal.verification, case.lead_proposal.finding_kind) == (verification, finding)
        assert VerificationBatch.objects.filter(case=case, purpose="case", items=1).exists()


def test_supervisors_see_the_batches_of_their_region_only(api, client):
    api("guangzhou.officer1").post(URL, {"items": items(3)}, format="json")
    api("shenzhen.officer1").post(URL, {"items": items(2)}, format="json")
    gz, sz = (
        VerificationBatch.objects.get(username="guangzhou.officer1"),
        VerificationBatch.objects.get(username="shenzhen.officer1"),
    )
    client.force_login(demo_user("guangzhou.supervisor"))
    page = client.get("/oversight/verifications/").content.decode()
    assert f'data-batch="{gz.pk}"' in page and f'data-batch="{sz.pk}"' not in page
    assert "guangzhou.officer1" in page and "shenzhen.officer1" not in page
    client.force_login(demo_user("gd.supervisor"))
    page = client.get("/oversight/verifications/").content.decode()
    assert f'data-batch="{gz.pk}"' in page and f'data-batch="{sz.pk}"' in page
    for who in ("guangzhou.officer1", "guangzhou.head", "guangzhou.cyber"):
        client.force_login(demo_user(who))
        assert client.get("/oversight/verifications/").status_code == 403


def test_full_answers_in_cases_have_their_own_small_quota(api, registered, settings):
    """A lead is a case anyone with a case-owning agency can open: the full answers it unlocks are
    few per user an hour and a day, whatever the agency's quotas."""
    settings.VERIFY_CASE_ITEMS_PER_USER_HOUR = 4
    case = CaseFactory(status="open")
    officer = api("guangzhou.officer1")
    assert officer.post(URL, {"items": items(3), "case": case.pk}, format="json").status_code == 200
    r = officer.post(URL, {"items": items(2), "case": case.pk}, format="json")
    assert r.status_code == 429 and int(r["Retry-After"]) > 0
    assert "In cases you may verify at most 4 certificates an hour" in r.json()["detail"]
    assert VerificationBatch.objects.filter(case=case).count() == 1
    # Checks without a case answer no_match and count against the other quotas only.
    assert officer.post(URL, {"items": items(2)}, format="json").status_code == 200


def test_a_lead_records_the_registrys_answer_never_the_callers(api, registered):
    """The market regulator opened a lead saying `revoked` for a valid certificate: the lead now
    asks the registry in its case, and a valid one opens nothing."""
    from cases.models import Case

    market = api("guangzhou.market")
    leads = Case.objects.filter(source="verification").count()
    r = market.post(
        "/api/v1/certificates/leads/", {"number": NUMBER, "name": "张伟", "status": "revoked"}, format="json"
    )
    assert r.status_code == 400 and "valid" in r.json()["status"][0]
    assert Case.objects.filter(source="verification").count() == leads
    r = market.post(
        "/api/v1/certificates/leads/", {"number": NUMBER, "name": "李四", "status": "revoked"}, format="json"
    )
    assert r.status_code == 201, r.content
    proposal = Case.objects.get(pk=r.json()["case"]).lead_proposal
    assert (proposal.verification, proposal.finding_kind) == ("name_mismatch", "lent_certificate")
