"""Who is told of what, the REST endpoints, and e-mail per kind with opt-out."""

import dataclasses

import pytest
from django.core import mail

from cases import actions
from notifications.announce import RULES, announce
from notifications.models import Notification
from tests.factories import CaseFactory, demo_user
from tests.workflows.helpers import DOCS, referable_case
from workflows import actions as referrals

pytestmark = pytest.mark.django_db
U = demo_user


def told(kind):
    return sorted(Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True))


def test_each_event_tells_exactly_its_people(django_capture_on_commit_callbacks):
    case = CaseFactory(status="open")
    assert told("case_assigned") == ["guangzhou.officer1", "guangzhou.officer2"]
    actions.request_takedown(case, actor=U("guangzhou.officer1"), url="http://fake.example/", agency="guangzhou-cyber")
    assert told("takedown_requested") == ["guangzhou.cyber"]
    assert Notification.objects.get(kind="takedown_requested").case is None  # the cyber office does not see the case

    case, person = referable_case()
    referral = referrals.propose_referral(case, actor=U("guangzhou.officer1"), persons=[person.pk], report="移送")
    assert told("referral_propose") == ["guangzhou.head"]
    referral = referrals.approve(referral, actor=U("guangzhou.head"))
    referral = referrals.transmit(referral, actor=U("guangzhou.officer1"), documents=DOCS)
    assert told("referral_transmit") == ["guangzhou.police", "guangzhou.police_head"]
    referral = referrals.acknowledge(referral, actor=U("guangzhou.police"))
    referrals.reject(referral, actor=U("guangzhou.police_head"), reason="不构成犯罪")
    assert told("referral_reject") == ["guangzhou.head", "guangzhou.officer1", "guangzhou.officer2"]
    # Supervisors hear of escalations and refusals, not of routine steps.
    assert not Notification.objects.filter(recipient__username__endswith="supervisor").exists()


def test_a_refusal_goes_to_the_supervisors_of_the_region():
    case, person = referable_case()
    referral = referrals.propose_referral(case, actor=U("guangzhou.officer1"), persons=[person.pk], report="移送")
    referrals.refuse(referral, actor=U("guangzhou.head"), reason="情节轻微")
    assert told("referral_refuse") == ["gd.supervisor", "guangzhou.supervisor"]


def test_nobody_is_told_about_a_case_they_cannot_see(monkeypatch):
    # Whoever a rule names: here the escalation names a supervisor of another city too.
    named = [U("shenzhen.supervisor"), U("guangzhou.supervisor")]
    monkeypatch.setitem(RULES, "escalation", dataclasses.replace(RULES["escalation"], who=lambda about: named))
    case = CaseFactory(status="open")
    rows = announce("escalation", case=case, step="x", subject="y")
    assert [n.recipient.username for n in rows] == ["guangzhou.supervisor"]


def test_the_rest_endpoints(api):
    CaseFactory(status="open")
    CaseFactory(status="open")
    client = api("guangzhou.officer2")
    listed = client.get("/api/v1/notifications/?unread=true").json()["results"]
    assert len(listed) == 2 and all(not n["read"] for n in listed)
    r = client.post(f"/api/v1/notifications/{listed[0]['id']}/read/")
    assert r.status_code == 200 and r.json()["read"] is True
    assert len(client.get("/api/v1/notifications/?unread=true").json()["results"]) == 1
    assert len(client.get("/api/v1/notifications/").json()["results"]) == 2
    # Someone else's notification is not there for me.
    assert api("guangzhou.head").post(f"/api/v1/notifications/{listed[1]['id']}/read/").status_code == 404
    assert client.post("/api/v1/notifications/read-all/").json() == {"unread": 0}
    assert client.get("/api/v1/notifications/?unread=true").json()["results"] == []


def test_escalations_and_referrals_received_come_by_email_unless_turned_off(api, django_capture_on_commit_callbacks):
    case, person = referable_case()
    referral = referrals.propose_referral(case, actor=U("guangzhou.officer1"), persons=[person.pk], report="移送")
    referral = referrals.approve(referral, actor=U("guangzhou.head"))
    r = api("guangzhou.police").put(
        "/api/v1/notifications/preferences/",
        {"preferences": [{"kind": "referral_transmit", "email": False}]},
        format="json",
    )
    assert {"kind": "referral_transmit", "email": False} in r.json()["preferences"]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        referrals.transmit(referral, actor=U("guangzhou.officer1"), documents=DOCS)
    # The police head, and the same-level procuratorate its copy (应急〔2019〕54号 第8条).
    assert sorted(m.to for m in mail.outbox) == [
        ["guangzhou.police_head@example.org"],
        ["guangzhou.procurator@example.org"],
    ]
    assert all(referral.number in m.subject for m in mail.outbox)
    r = api("guangzhou.police").put(
        "/api/v1/notifications/preferences/", {"preferences": [{"kind": "spam", "email": True}]}, format="json"
    )
    assert r.status_code == 400
