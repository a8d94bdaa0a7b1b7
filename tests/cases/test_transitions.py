"""Every state machine of DESIGN §3, walked edge by edge: allowed edges change the state and
write one event; forbidden edges answer 409 invalid_transition and change nothing."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from cases import actions
from cases.models import Case
from core.errors import Conflict
from tests.factories import CaseFactory, add_person, demo_user, fine_of, suspension_of
from workflows import actions as referrals

pytestmark = pytest.mark.django_db

ACTORS = {
    "open": "guangzhou.officer1",
    "decline": "guangzhou.head",
    "close": "guangzhou.head",
    "reopen": "guangzhou.supervisor",
}
RUN = {
    "open": lambda c, u: actions.open_case(c, actor=u, handlers=["guangzhou.officer1", "guangzhou.officer2"]),
    "decline": lambda c, u: actions.decline_case(c, actor=u, reason="线索不实"),
    "close": lambda c, u: actions.close_case(c, actor=u, summary="结案"),
    "reopen": lambda c, u: actions.reopen_case(c, actor=u, reason="发现新的违法事实"),
}
# (from status, action) → target status; every pair not listed must be refused.
CASE_EDGES = {
    ("lead", "open"): "open",
    ("lead", "decline"): "declined",
    ("open", "close"): "closed",
    ("closed", "reopen"): "open",
    ("declined", "reopen"): "open",
}


@pytest.mark.parametrize("status", ["lead", "open", "closed", "declined"])
@pytest.mark.parametrize("action", ["open", "decline", "close", "reopen"])
def test_the_case_transition_table(status, action):
    case = CaseFactory(status=status)
    events_before = case.event_count
    target = CASE_EDGES.get((status, action))
    if target:
        RUN[action](case, demo_user(ACTORS[action]))
        case.refresh_from_db()
        assert case.status == target
        assert case.event_count == events_before + 1
        assert case.events.last().action == action
    else:
        with pytest.raises(Conflict) as refused:
            RUN[action](case, demo_user(ACTORS[action]))
        assert refused.value.code == "invalid_transition"
        case.refresh_from_db()
        assert case.status == status and case.event_count == events_before


@pytest.mark.parametrize("status", ["lead", "closed", "declined"])
def test_measures_and_findings_need_an_open_case(status):
    case = CaseFactory(status=status)
    with pytest.raises(Conflict) as refused:
        actions.order_rectification(
            case,
            actor=demo_user("guangzhou.head"),
            deadline=timezone.localdate() + datetime.timedelta(days=5),
            items="x",
        )
    assert refused.value.code == "invalid_transition"


def open_case():
    return CaseFactory(status="open")


def test_rectification_issued_to_complied_and_no_further():
    case, officer = open_case(), demo_user("guangzhou.officer1")
    order = actions.order_rectification(
        case, actor=officer, deadline=timezone.localdate() + datetime.timedelta(days=3), items="培训取证"
    )
    assert order.status == "issued"
    assert actions.verify_rectification(case, actor=officer, order=order.pk, passed=True).status == "complied"
    for passed in (True, False):
        with pytest.raises(Conflict):
            actions.verify_rectification(case, actor=officer, order=order.pk, passed=passed)


def test_rectification_issued_to_failed_and_no_further():
    case, officer = open_case(), demo_user("guangzhou.officer1")
    order = actions.order_rectification(
        case, actor=officer, deadline=timezone.localdate() + datetime.timedelta(days=3), items="培训取证"
    )
    # 逾期未改正 only once the period has run out (安全生产法 第97条): not on the deadline itself.
    with (
        time_machine.travel(
            timezone.make_aware(datetime.datetime.combine(order.deadline, datetime.time(18))), tick=False
        ),
        pytest.raises(Conflict, match=order.deadline.isoformat()),
    ):
        actions.verify_rectification(case, actor=officer, order=order.pk, passed=False, note="仍有无证人员")
    after = timezone.make_aware(
        datetime.datetime.combine(order.deadline + datetime.timedelta(days=1), datetime.time(9))
    )
    with time_machine.travel(after, tick=False):
        failed = actions.verify_rectification(case, actor=officer, order=order.pk, passed=False, note="仍有无证人员")
    assert failed.status == "failed"
    with pytest.raises(Conflict):
        actions.verify_rectification(case, actor=officer, order=order.pk, passed=True)


def test_suspension_in_force_to_lifted_once():
    case, head = open_case(), demo_user("guangzhou.head")
    suspension = suspension_of(case)
    assert suspension.status == "in_force"
    assert actions.lift_suspension(case, actor=head, suspension=suspension.pk).status == "lifted"
    with pytest.raises(Conflict):
        actions.lift_suspension(case, actor=head, suspension=suspension.pk)


def test_fine_decided_to_paid_and_no_further():
    case, officer, head = open_case(), demo_user("guangzhou.officer1"), demo_user("guangzhou.head")
    fine = fine_of(case)
    assert fine.status == "decided"
    assert actions.record_payment(case, actor=officer, fine=fine.pk, amount=Decimal("20000.00")).status == "paid"
    with pytest.raises(Conflict):
        actions.record_payment(case, actor=officer, fine=fine.pk, amount=Decimal("20000.00"))
    with pytest.raises(Conflict):
        actions.request_enforcement(case, actor=head, fine=fine.pk)


# The periods of a fine (service, payment, 催告, the court window): tests/cases/test_fines.py.


@pytest.mark.parametrize("decision, target", [("block", "blocked"), ("refuse", "refused")])
def test_takedown_requested_to_decided_once(decision, target):
    case = open_case()
    takedown = actions.request_takedown(
        case, actor=demo_user("guangzhou.officer1"), url="http://fake-chinasafety.example/", agency="guangzhou-cyber"
    )
    cyber = demo_user("guangzhou.cyber")
    run = {
        "block": lambda t: actions.block_takedown(t, actor=cyber),
        "refuse": lambda t: actions.refuse_takedown(t, actor=cyber, reason="境外服务器"),
    }
    assert run[decision](takedown).status == target
    for again in run.values():
        with pytest.raises(Conflict):
            again(takedown)
    case.refresh_from_db()
    assert case.events.last().action == f"{decision}_takedown"


def test_close_guard_names_unreferred_persons_before_open_measures():
    case, officer, head = open_case(), demo_user("guangzhou.officer1"), demo_user("guangzhou.head")
    person = add_person(case, name="王五")
    actions.record_finding(case, actor=officer, kind="forged_certificate", person=person.pk)
    fine_of(case)
    with pytest.raises(Conflict) as refused:
        actions.close_case(case, actor=head, summary="结案")
    assert refused.value.code == "unreferred"
    assert "王五" in refused.value.detail and refused.value.extra["persons"] == [person.pk]
    assert Case.objects.get(pk=case.pk).status == "open"


def test_close_guard_counts_the_party_when_a_referable_finding_names_no_person():
    case = CaseFactory(
        status="open", party={"kind": "website", "name": "假冒安监查询网", "url": "http://fake.example/"}
    )
    actions.record_finding(case, actor=demo_user("guangzhou.officer1"), kind="counterfeit_website")
    with pytest.raises(Conflict) as refused:
        actions.close_case(case, actor=demo_user("guangzhou.head"), summary="结案")
    assert refused.value.code == "unreferred" and refused.value.extra["party"] is True


def test_a_referral_in_a_settled_status_covers_its_persons():
    """The guard only reads the referral's status (the referral road is its own workflow)."""
    case, officer, head = open_case(), demo_user("guangzhou.officer1"), demo_user("guangzhou.head")
    person = add_person(case)
    actions.record_finding(case, actor=officer, kind="certificate_trading", person=person.pk)
    referral = referrals.propose_referral(case, actor=officer, persons=[person.pk], report="涉嫌买卖证件")
    assert referral.police_agency.slug == "guangzhou-police"
    with pytest.raises(Conflict):
        actions.close_case(case, actor=head, summary="结案")
    for settled in ("handed_over", "rejection_final", "refusal_endorsed"):
        type(referral).objects.filter(pk=referral.pk).update(status=settled)
        assert actions.uncovered(Case.objects.get(pk=case.pk)) == ([], False)
    actions.close_case(case, actor=head, summary="已移送公安，结案")
    assert Case.objects.get(pk=case.pk).status == "closed"
