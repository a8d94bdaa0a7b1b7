"""更正 (cases.corrections): a mistyped record put right with a reason, the old value kept in the
event chain; a legal fact waits for the head; an ID number is checked, hashed again and deduplicated."""

import datetime

import pytest
from django.urls import reverse

from cases.models import Correction, Person
from core.identity import document_hash, id_check_digit
from notifications.models import Notification
from tests.factories import CaseFactory, add_person, demo_user
from workflows.models import Deadline

pytestmark = pytest.mark.django_db


def correct(api, case, username="guangzhou.officer1", **body):
    return api(username).post(f"/api/v1/cases/{case.pk}/actions/correct/", body, format="json")


def decide(api, case, correction, approve=True, username="guangzhou.head"):
    return api(username).post(
        f"/api/v1/cases/{case.pk}/actions/approve_correction/",
        {"correction": correction, "approve": approve, "note": "核对原件"},
        format="json",
    )


def an_id(n: int) -> str:
    first17 = f"440106{datetime.date(1985, 3, 12):%Y%m%d}{n:03d}"
    return first17 + id_check_digit(first17)


def test_a_mistyped_id_number_is_corrected_with_the_heads_approval_and_the_old_one_stays_on_record(api):
    case = CaseFactory(status="open")
    person = add_person(case, name="王五")
    wrong = person.id_number
    r = correct(api, case, target="person", id=person.pk, field="id_number", value=f" {an_id(77)} ", reason="录入错号")
    assert r.status_code == 200, r.content
    person.refresh_from_db()
    assert person.id_number == wrong  # a legal fact: not yet
    proposal = Correction.objects.get(case=case)
    assert (
        proposal.status == "proposed"
        and "approve_correction" in api("guangzhou.head").get(f"/api/v1/cases/{case.pk}/").json()["actions"]
    )
    assert decide(api, case, proposal.pk, username="guangzhou.officer1").status_code == 403
    assert decide(api, case, proposal.pk).status_code == 200
    person.refresh_from_db()
    assert person.id_number == an_id(77) and person.id_hash == document_hash("resident_id", an_id(77))
    event = case.events.get(action="approve_correction")
    assert event.data["old"] == wrong[:3] + "*" * 11 + wrong[-4:] and event.data["status"] == "applied"
    assert an_id(77) not in str(event.data) and wrong not in str(event.data)  # masked in the chain
    found = api("guangzhou.officer1").post("/api/v1/cases/search/", {"q": an_id(77)}, format="json").json()["results"]
    assert [c["id"] for c in found] == [case.pk]
    assert decide(api, case, proposal.pk).status_code == 409  # decided once


def test_a_correction_is_refused_with_the_rule_of_the_field(api):
    case = CaseFactory(status="open")
    one, two = add_person(case, name="甲"), add_person(case, name="乙")
    bad = correct(api, case, target="person", id=one.pk, field="id_number", value="440106203001010011", reason="x")
    assert bad.status_code == 400 and bad.json()["value"]
    same = correct(
        api,
        case,
        username="guangzhou.head",
        target="person",
        id=one.pk,
        field="id_number",
        value=two.id_number,
        reason="x",
    )
    assert same.status_code == 400 and same.json()["value"]
    assert correct(api, case, target="person", id=one.pk, field="created_at", value="x", reason="x").status_code == 400
    assert correct(api, case, target="person", id=999999, field="name", value="丙", reason="x").status_code == 400
    assert (
        correct(api, case, target="case", field="party_credit_code", value="NOT-A-CODE", reason="x").status_code == 400
    )
    assert Person.objects.get(pk=one.pk).id_number == one.id_number
    assert not Correction.objects.filter(case=case).exists()


def test_a_summary_is_corrected_at_once_and_a_finding_made_referable_opens_its_three_days(api):
    case = CaseFactory(status="open")
    r = correct(api, case, target="case", field="summary", value="更正后的案情", reason="笔误")
    assert r.status_code == 200 and r.json()["summary"] == "更正后的案情"
    person = add_person(case, name="丁")
    finding = (
        api("guangzhou.officer1")
        .post(
            f"/api/v1/cases/{case.pk}/actions/record_finding/",
            {"kind": "unlicensed_operation", "person": person.pk},
            format="json",
        )
        .json()["findings"][0]
    )
    assert not case.deadlines.filter(step="propose_referral").exists()
    r = correct(
        api,
        case,
        username="guangzhou.head",
        target="finding",
        id=finding["id"],
        field="kind",
        value="forged_certificate",
        reason="复核认定为伪造证件",
    )
    assert r.status_code == 200, r.content
    case.refresh_from_db()
    assert case.requires_referral
    assert Deadline.objects.get(case=case, step="propose_referral").met_at is None  # no case left unreferred


def test_one_field_has_one_pending_correction_and_the_head_is_told_of_it(api):
    case = CaseFactory(status="open")
    person = add_person(case, name="王五")
    first = correct(api, case, target="person", id=person.pk, field="name", value="王伍", reason="笔误")
    assert first.status_code == 200, first.content
    told = Notification.objects.get(kind="correction_proposed", case=case)
    assert told.recipient.username == "guangzhou.head" and case.number in told.title
    # A second correction of the same field would be checked against a value about to change.
    second = correct(api, case, target="person", id=person.pk, field="name", value="王武", reason="再改")
    assert second.status_code == 409 and second.json()["code"] == "invalid_transition"
    pending = Correction.objects.get(case=case)
    assert f"第 {pending.pk} 号更正" in second.json()["detail"]
    by_head = correct(
        api, case, "guangzhou.head", target="person", id=person.pk, field="name", value="王武", reason="x"
    )
    assert by_head.status_code == 409
    # Another field of the same person is its own correction.
    assert (
        correct(api, case, target="person", id=person.pk, field="role", value="seller", reason="身份").status_code
        == 200
    )


def test_the_pages_name_what_is_corrected_in_words_and_show_old_and_new(client, api):
    case = CaseFactory(status="open")
    person = add_person(case, name="王五")
    assert (
        correct(api, case, target="person", id=person.pk, field="name", value="王伍", reason="笔误").status_code == 200
    )
    client.force_login(demo_user("guangzhou.officer1"))
    form = client.get(reverse("cases:case:action", args=[case.pk, "correct"])).content.decode()
    assert "涉案人员：王五" in form and "姓名（涉案人员）" in form and "身份证件号码（涉案人员）" in form
    client.force_login(demo_user("guangzhou.head"))
    form = client.get(reverse("cases:case:action", args=[case.pk, "approve_correction"])).content.decode()
    assert "王五 → 王伍" in form and 'type="checkbox" name="approve"' not in form
    pending = Correction.objects.get(case=case)
    version = case.__class__.objects.get(pk=case.pk).version
    url = reverse("cases:case:action", args=[case.pk, "approve_correction"])
    r = client.post(url, {"correction": pending.pk, "approve": "true", "note": "核对户籍", "version": version})
    assert r.status_code == 302
    page = client.get(reverse("cases:case:detail", args=[case.pk])).content.decode()
    assert "王五 → 王伍" in page and "笔误" in page


def test_a_correction_that_takes_a_finding_off_the_road_to_the_police_is_the_supervisors(api, client):
    """No case unreferred without someone above the agency signing why (有案不移, 以罚代刑)."""
    case = CaseFactory(status="open")
    seller = add_person(case, name="卖证人")
    from cases import actions

    found = actions.record_finding(
        case, actor=demo_user("guangzhou.officer1"), kind="certificate_trading", person=seller.pk
    )
    fix = {"target": "finding", "id": found.pk, "field": "kind", "value": "unlicensed_operation", "reason": "认定有误"}
    assert correct(api, case, **fix).status_code == 200
    pending = Correction.objects.get(case=case)
    assert decide(api, case, pending.pk).status_code == 200  # the head agrees …
    pending.refresh_from_db()
    found.refresh_from_db()
    assert pending.status == "endorsement" and found.kind == "certificate_trading"  # … and it waits
    case.refresh_from_db()
    assert case.requires_referral
    told = Notification.objects.filter(kind="correction_endorsement", case=case)
    assert {n.recipient.username for n in told} >= {"guangzhou.supervisor", "gd.supervisor"}
    client.force_login(demo_user("guangzhou.supervisor"))
    assert case.number in client.get(reverse("tasks:mine:index")).content.decode()
    url = f"/api/v1/cases/{case.pk}/actions/endorse_correction/"
    assert (
        api("guangzhou.head").post(url, {"correction": pending.pk, "approve": True}, format="json").status_code == 403
    )
    silent = api("guangzhou.supervisor").post(url, {"correction": pending.pk, "approve": False}, format="json")
    assert silent.status_code == 400 and silent.json()["note"]
    r = api("guangzhou.supervisor").post(
        url, {"correction": pending.pk, "approve": True, "note": "核实"}, format="json"
    )
    assert r.status_code == 200, r.content
    found.refresh_from_db()
    case.refresh_from_db()
    assert found.kind == "unlicensed_operation" and not case.requires_referral
