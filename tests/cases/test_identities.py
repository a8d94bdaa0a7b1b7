"""Identities that hold (LEGAL.md §5): one spelling of one person, the same rule on every path
that takes an ID number or a credit code, and a document for a person without a PRC ID."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases.models import Case, Person
from core.identity import document_hash, id_check_digit, normalize_credit_code, normalize_id_number
from demo.sample_cases import make_credit_code, make_id_number
from tests.factories import CaseFactory, demo_user

pytestmark = pytest.mark.django_db

ID = make_id_number("440106", datetime.date(1986, 4, 12), 31)  # 440106198604120317-like, valid
FULL_WIDTH = ID.translate({c: c + 0xFEE0 for c in range(0x30, 0x3A)} | {ord("X"): "Ｘ"})
ARABIC_INDIC = ID.translate({c: 0x0660 + c - 0x30 for c in range(0x30, 0x3A)})
SUPERSCRIPTS = dict(zip(map(ord, "0123456789"), "⁰¹²³⁴⁵⁶⁷⁸⁹", strict=True))


def _id(prefix: str, birth: datetime.date, seq: int = 11) -> str:
    first17 = f"{prefix}{birth:%Y%m%d}{seq:03d}"
    return first17 + id_check_digit(first17)


def add(api, case, **body):
    return api("guangzhou.officer1").post(
        f"/api/v1/cases/{case.pk}/actions/add_person/", {"name": "王建军", "role": "holder", **body}, format="json"
    )


@pytest.fixture
def case():
    return CaseFactory(status="open")


def test_full_width_digits_are_one_person_with_the_ascii_number(api, case):
    r = add(api, case, id_number=FULL_WIDTH)
    assert r.status_code == 200, r.content
    assert Person.objects.get(case=case).id_number == ID
    again = add(api, case, id_number=f"  {ID.lower()} ")
    assert again.status_code == 400 and again.json()["id_number"], again.content
    assert case.persons.count() == 1


@pytest.mark.parametrize(
    "number, words",
    [
        (ARABIC_INDIC, "18位"),
        ("٤" + ID[1:], "18位"),
        (ID[:-1] + "\u00b2", None),  # a superscript two is NFKC 2: a real number or a wrong check digit
        (_id("440106", timezone.localdate() + datetime.timedelta(days=1)), "出生日期"),
        (_id("440106", datetime.date(1899, 12, 31)), "出生日期"),
        (_id("000000", datetime.date(1986, 4, 12)), "省级"),
        (_id("990101", datetime.date(1986, 4, 12)), "省级"),
        (_id("160101", datetime.date(1986, 4, 12)), "省级"),
    ],
    ids=[
        "arabic-indic",
        "one-arabic-digit",
        "superscript",
        "born-tomorrow",
        "born-1899",
        "prefix-00",
        "prefix-99",
        "prefix-16",
    ],
)
def test_impossible_numbers_are_refused_with_a_message_never_a_500(api, case, number, words):
    r = add(api, case, id_number=number)
    if words is None:  # the superscript: stored as one ASCII spelling, or refused as a wrong check digit
        assert r.status_code in (200, 400), r.content
        assert all(p.id_number.isascii() for p in case.persons.all())
        return
    assert r.status_code == 400, r.content
    assert words in r.json()["id_number"][0], r.json()
    assert case.persons.count() == 0


def test_the_boundaries_of_a_birth_date():
    today = datetime.date(2026, 12, 3)
    assert normalize_id_number(_id("110105", today), today=today)
    assert normalize_id_number(_id("110105", datetime.date(1900, 1, 1)), today=today)
    with pytest.raises(ValidationError):
        normalize_id_number(_id("110105", today + datetime.timedelta(days=1)), today=today)
    for prefix in ("710101", "810000", "820000", "830000", "650101", "110101"):
        assert normalize_id_number(_id(prefix, datetime.date(1990, 1, 1)))


def test_a_person_without_a_prc_id_is_recorded_by_passport_masked_to_others(api, client, case):
    r = add(api, case, id_kind="passport", id_number=" e1234 5678 ")
    assert r.status_code == 200, r.content
    person = case.persons.get()
    assert (person.id_kind, person.id_number) == ("passport", "E12345678")
    assert person.id_hash == document_hash("passport", "E12345678") != document_hash("resident_id", "E12345678")
    # The same passport again is the same person; a resident ID with these characters is refused.
    assert add(api, case, id_kind="passport", id_number="E12345678").status_code == 400
    assert add(api, case, id_number="E12345678").status_code == 400
    bad = add(api, case, id_kind="passport", id_number="护照123")
    assert bad.status_code == 400 and bad.json()["id_number"]
    # A handler sees it; a supervisor sees the last three.
    mine = api("guangzhou.officer1").get(f"/api/v1/cases/{case.pk}/").json()["persons"][0]
    assert mine["id_number"] == "E12345678" and mine["id_kind"] == "passport"
    other = api("guangzhou.supervisor").get(f"/api/v1/cases/{case.pk}/").json()["persons"][0]
    assert other["id_number"] == "******678"
    client.force_login(demo_user("guangzhou.officer1"))
    page = client.get(f"/cases/case/{case.pk}/").content.decode()
    assert "护照 E12345678" in page


def test_search_finds_a_person_however_the_number_is_typed(api, case):
    assert add(api, case, id_number=ID).status_code == 200
    for q in (ID, FULL_WIDTH, f" {ID.lower()} "):
        # By POST (issue 17 §10); GET ?q= refuses an ID number however it is typed.
        found = api("guangzhou.officer1").post("/api/v1/cases/search/", {"q": q}, format="json").json()["results"]
        assert [c["id"] for c in found] == [case.pk], q
        refused = api("guangzhou.officer1").get("/api/v1/cases/", {"q": q})
        assert refused.status_code == 400 and list(refused.json()) == ["q"], q


@pytest.mark.parametrize(
    "code, words",
    [
        ("NOT-A-CREDIT-CODE", "18位"),
        ("91000000" + make_credit_code("440100", 1)[8:], "行政区划"),
        ("91ABCDEF" + make_credit_code("440100", 1)[8:], "行政区划"),
        (make_credit_code("440100", 1)[:-1] + ("0" if make_credit_code("440100", 1)[-1] != "0" else "1"), "校验"),
    ],
    ids=["words", "division-000000", "division-letters", "check"],
)
def test_every_path_that_takes_a_credit_code_checks_it(api, code, words):
    r = api("guangzhou.officer1").post(
        "/api/v1/certificates/leads/",
        {"number": "T440100198503120172", "name": "张伟", "status": "not_found", "credit_code": code},
        format="json",
    )
    assert r.status_code == 400 and words in r.json()["credit_code"][0], r.content
    r = api("guangzhou.officer1").post(
        "/api/v1/cases/",
        {
            "source": "inspection",
            "region": "440100",
            "party": {"kind": "employer", "name": "广州市某公司", "credit_code": code},
            "summary": "检查",
        },
        format="json",
    )
    assert r.status_code == 400 and words in str(r.json()["party"]), r.content
    assert not Case.objects.filter(party_name="广州市某公司").exists()


def test_a_full_width_credit_code_is_stored_as_one_spelling(api):
    code = make_credit_code("440100", 7)
    wide = code.translate({c: c + 0xFEE0 for c in [*range(0x30, 0x3A), *range(0x41, 0x5B)]})
    assert normalize_credit_code(wide) == code
    r = api("guangzhou.officer1").post(
        "/api/v1/cases/",
        {
            "source": "inspection",
            "region": "440100",
            "party": {"kind": "employer", "name": "全角公司", "credit_code": wide},
            "summary": "检查",
        },
        format="json",
    )
    assert r.status_code == 201, r.content
    assert Case.objects.get(party_name="全角公司").party_credit_code == code


# Every character Unicode calls a digit, and the spaces people paste around a number.
_UNICODE_DIGITS = [chr(c) for c in range(0x20, 0x30000) if chr(c).isdigit() or chr(c).isnumeric()]


def _variants(number: str) -> st.SearchStrategy[str]:
    def one(ch: str) -> st.SearchStrategy[str]:
        same = [ch, chr(ord(ch) + 0xFEE0)] if ch.isdigit() else [ch, ch.lower(), "Ｘ"]
        if ch.isdigit():
            same += [u for u in _UNICODE_DIGITS if u.isdecimal() and int(u) == int(ch)][:60]
            same.append(SUPERSCRIPTS[ord(ch)])
        return st.sampled_from(same)

    space = st.sampled_from(["", " ", "\u3000", "\t", "\u00a0", "\u2003"])
    return st.tuples(space, *[one(c) for c in number], space).map("".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_fuzz_unicode_digits_never_500_never_two_spellings(api, data):
    case = CaseFactory(status="open")
    for _ in range(3):
        typed = data.draw(_variants(ID + ""), label="typed")
        r = add(api, case, id_number=typed)
        assert r.status_code in (200, 400), (typed, r.content)
        if r.status_code == 400:
            assert r.json()["id_number"] and all(isinstance(m, str) for m in r.json()["id_number"])
    stored = set(case.persons.values_list("id_number", flat=True))
    assert stored <= {ID}, stored  # never another spelling of the one person
    assert case.persons.count() == len(stored)


def test_a_resident_id_is_never_recorded_as_another_document(api, case):
    r = add(api, case, id_kind="passport", id_number=ID)
    assert r.status_code == 400 and "居民身份证" in r.json()["id_number"][0], r.content
    assert case.persons.count() == 0


def test_a_lead_reads_the_certificate_number_in_one_spelling_and_masks_the_id_in_it(api):
    wide = ("T" + ID).translate({c: c + 0xFEE0 for c in range(0x30, 0x3A)} | {ord("T"): "Ｔ", ord("X"): "Ｘ"})
    r = api("guangzhou.officer1").post(
        "/api/v1/certificates/leads/", {"number": wide, "name": "张伟", "status": "revoked"}, format="json"
    )
    assert r.status_code == 201, r.content
    lead = Case.objects.get(pk=r.json()["case"])
    assert ID not in lead.summary and wide not in lead.summary
    assert ID[:3] + "*" * 11 + ID[-4:] in lead.summary and "已撤销" in lead.summary
    assert lead.lead_proposal.certificate_number == "T" + ID
