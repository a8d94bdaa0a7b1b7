"""Issue 17 §2 and §10: the ID search oracle and ID numbers in addresses and logs.

`guangzhou.police` saw a party as 440***********4567, tried the candidates that fit with
`GET /api/v1/cases/?q=…` and learnt the full number, with nothing recorded. Now a search by ID
number finds a case only where the searcher sees that number in full (the rule of
cases.access.identities_shown: the handlers; the police and procuratorates for the persons — and
the party, if sent — of the referrals transmitted to them), is recorded, is limited per user and
hour, and goes by POST: GET ?q= refuses an ID number and the served process logs no query strings.
"""

import datetime
import logging

import pytest
from django.core.cache import cache
from django.test import Client

from cases.models import IdNumberView
from demo.sample_cases import make_id_number
from oversight.models import AuditView
from tests.factories import CaseFactory, add_person, demo_user
from tests.workflows.helpers import DOCS
from workflows import actions as referrals

pytestmark = pytest.mark.django_db

SEARCH = "/api/v1/cases/search/"
PARTY_ID = make_id_number("440106", datetime.date(1985, 12, 31), 456)


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()  # the hourly counts live in the cache
    yield
    cache.clear()


def a_referred_case():
    """An open Guangzhou case whose party is an individual (masked to the police: not sent), with
    one person referred and transmitted to the Guangzhou police and one person not referred."""
    case = CaseFactory(status="open", party={"kind": "individual", "name": "王某某", "id_number": PARTY_ID})
    case, referred = referable_case_on(case)
    hidden = add_person(case, name="未移送者")
    officer = demo_user("guangzhou.officer1")
    r = referrals.propose_referral(case, actor=officer, persons=[referred.pk], report="伪造证件出售")
    r = referrals.approve(r, actor=demo_user("guangzhou.head"))
    referrals.transmit(r, actor=officer, documents=DOCS)
    return case, referred, hidden


def referable_case_on(case):
    from cases import actions

    person = add_person(case, name="张伟")
    actions.record_finding(case, actor=demo_user("guangzhou.officer1"), kind="certificate_trading", person=person.pk)
    return case, person


def search(client, q, **filters):
    return client.post(SEARCH, {"q": q, **filters}, format="json")


def found(response):
    assert response.status_code == 200, response.content
    return [c["id"] for c in response.json()["results"]]


def test_the_police_cannot_learn_a_masked_id_number_by_trying_candidates(api):
    case, referred, hidden = a_referred_case()
    police = api("guangzhou.police")
    # What the attacker sees: the party masked.
    shown = police.get(f"/api/v1/cases/{case.pk}/").json()["party"]["id_number"]
    assert shown == PARTY_ID[:3] + "*" * 11 + PARTY_ID[-4:]
    # Every candidate that fits the mask, the right one included, finds nothing.
    candidates = [make_id_number("440106", datetime.date(1985, 12, 31), n) for n in (455, 456, 457)]
    assert PARTY_ID in candidates
    for q in candidates:
        assert found(search(police, q)) == [], q
    # Nor a person not sent to the police.
    assert found(search(police, hidden.id_number)) == []


def test_the_full_id_search_follows_the_rule_of_who_sees_full_numbers(api):
    """The police see in full the ID numbers of the persons of the referrals transmitted to them
    (cases.access.identities_shown), so they find the case by that person's number — and by no
    other; a supervisor, who sees every number masked, finds nothing; the handler finds all."""
    case, referred, hidden = a_referred_case()
    for username in ("guangzhou.police", "guangzhou.procurator"):
        client = api(username)
        assert client.get(f"/api/v1/cases/{case.pk}/").json()["persons"][0]["id_number"] == referred.id_number
        assert found(search(client, referred.id_number)) == [case.pk], username
        assert found(search(client, PARTY_ID)) == [], username
    for username in ("guangzhou.supervisor", "gd.supervisor", "guangzhou.head"):
        client = api(username)
        for q in (referred.id_number, hidden.id_number, PARTY_ID):
            assert found(search(client, q)) == [], (username, q)
        assert found(search(client, "张伟")) == [case.pk], username  # by name as before
    handler = api("guangzhou.officer1")
    for q in (referred.id_number, hidden.id_number, PARTY_ID):
        assert found(search(handler, q)) == [case.pk], q


def test_every_search_by_id_number_is_recorded_without_the_number(api):
    case, referred, hidden = a_referred_case()
    police = demo_user("guangzhou.police")
    views = AuditView.objects.filter(user=police, path__startswith=f"{SEARCH}#id-search:")
    assert found(search(api("guangzhou.police"), PARTY_ID)) == []  # a miss is recorded too
    assert found(search(api("guangzhou.police"), referred.id_number)) == [case.pk]
    assert views.count() == 2
    assert not any(PARTY_ID in p or referred.id_number in p for p in views.values_list("path", flat=True))
    # The row of a search that found a case names the case; a miss names none.
    assert list(views.order_by("at", "id").values_list("case", flat=True)) == [None, case.pk]
    assert IdNumberView.objects.filter(user=police).count() == 0  # no number was shown
    # A search by name is no search by ID number.
    assert found(search(api("guangzhou.police"), "张伟")) == [case.pk]
    assert views.count() == 2


def test_searches_by_id_number_are_limited_per_user_and_hour(api, settings):
    settings.ID_SEARCHES_PER_USER_HOUR = 3
    case, referred, _hidden = a_referred_case()
    police = api("guangzhou.police")
    for n in range(3):
        assert search(police, make_id_number("440106", datetime.date(1985, 12, 31), n)).status_code == 200
    refused = search(police, referred.id_number)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0 and "3" in refused.json()["detail"]
    assert search(police, "张伟").status_code == 200  # other searches go on
    assert found(search(api("guangzhou.procurator"), referred.id_number)) == [case.pk]  # per user
    web = Client()
    web.force_login(demo_user("guangzhou.police"))
    page = web.post("/cases/case/", {"q": referred.id_number})
    assert page.status_code == 429 and int(page["Retry-After"]) > 0


def test_get_refuses_an_id_number_in_the_address_and_keeps_other_searches(api):
    case, referred, _hidden = a_referred_case()
    officer = api("guangzhou.officer1")
    for q in (referred.id_number, "４４０" + referred.id_number[3:], "E12345678"):
        r = officer.get("/api/v1/cases/", {"q": q})
        assert r.status_code == 400 and list(r.json()) == ["q"], q
        assert "POST /api/v1/cases/search/" in r.json()["q"][0]
    for q in (case.number, case.number[7:], "张伟", case.party_name[:2]):
        r = officer.get("/api/v1/cases/", {"q": q})
        assert r.status_code == 200 and case.pk in [c["id"] for c in r.json()["results"]], q


def test_the_web_search_keeps_the_id_number_out_of_the_address(api):
    case, referred, _hidden = a_referred_case()
    web = Client()
    web.force_login(demo_user("guangzhou.officer1"))
    r = web.post("/cases/case/", {"q": referred.id_number, "status": "open"})
    assert r.status_code == 302
    assert referred.id_number not in r["Location"] and "search=" in r["Location"] and "status=open" in r["Location"]
    page = web.get(r["Location"])
    assert page.status_code == 200 and case.number in page.content.decode()
    assert AuditView.objects.filter(user__username="guangzhou.officer1", path__contains="#id-search:").count() == 1
    # The token is this session's: another session learns nothing from the address.
    other = Client()
    other.force_login(demo_user("guangzhou.officer1"))
    assert case.number not in other.get(r["Location"]).content.decode()
    # Typed into the address, an ID number is refused with a message, not searched.
    typed = web.get("/cases/case/", {"q": referred.id_number})
    assert typed.status_code == 400 and case.number not in typed.content.decode()
    # A name posted goes the same way; a case number by GET still works.
    by_name = web.post("/cases/case/", {"q": "张伟"})
    assert "张伟" not in by_name["Location"] and case.number in web.get(by_name["Location"]).content.decode()
    assert case.number in web.get("/cases/case/", {"q": case.number}).content.decode()


def test_the_served_process_logs_paths_without_query_strings(caplog):
    """`make run` serves with daphne's runserver, which logs every request to django.channels.server
    (the URI with its query); the settings filter the query out."""
    from daphne.management.commands.runserver import Command

    details = {
        "path": f"/api/v1/cases/?q={PARTY_ID}",
        "status": 200,
        "method": "GET",
        "client": "127.0.0.1:5000",
        "time_taken": 0.01,
        "size": 10,
    }
    with caplog.at_level(logging.INFO, logger="django.channels.server"):
        Command().log_action("http", "complete", details)
        logging.getLogger("django.server").info('"%s" %s %s', f"GET /cases/case/?q={PARTY_ID} HTTP/1.1", 200, 10)
    lines = [r.getMessage() for r in caplog.records]
    assert any("/api/v1/cases/" in line for line in lines) and any("/cases/case/" in line for line in lines)
    assert not any(PARTY_ID in line or "?q=" in line for line in lines), lines
