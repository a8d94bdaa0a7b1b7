"""Every action of every app keeps the one protocol (cases.protocol): a change bumps the case's
version by one and appends exactly one event; a refused call changes nothing at all.

The table below has one scenario per registered action; an action added without a scenario
fails `test_every_action_has_a_scenario`, so no state change escapes these checks.
"""

import datetime
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

import cases.links
import cases.notes
import certificates.actions
import oversight.actions
import workflows.actions
import workflows.penalties
from agencies.models import Region
from cases import actions, corrections, protocol
from cases.models import Case, Event, local_today
from cases.referral_rules import REFERRAL_ACTIONS
from core.errors import Conflict
from demo.sample_cases import make_credit_code, make_id_number
from oversight.models import Listing
from tests.factories import (
    CaseFactory,
    an_act,
    demo_user,
    failed_rectification,
    fine_of,
    hearing_time,
    suspension_of,
)
from tests.workflows.helpers import referable_case
from tests.workflows.test_referral_transitions import ACTOR, BODY, referral_in

pytestmark = pytest.mark.django_db
U = demo_user
STRANGER = "shenzhen.officer1"  # sees nothing of Guangzhou's cases
MODULES = (actions, corrections, workflows.actions, workflows.penalties, oversight.actions, certificates.actions)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass
class Scenario:
    """`setup()` → (case, run): run(actor) performs the action as that actor."""

    setup: Callable
    actor: str
    event: str  # the action name the event records
    refusal: type[Exception] = PermissionDenied
    creates_case: bool = False


def _proposed_correction():
    """A case with a handler's correction of a legal fact, waiting for the head."""
    case = CaseFactory(status="open")
    waiting = corrections.correct(
        case, actor=U("guangzhou.officer1"), target="case", field="party_name", value="更正后的名称", reason="错字"
    )
    case.refresh_from_db()
    return case, waiting.pk


def _off_the_road():
    """A case with a head's correction that takes a referable finding off the road: the supervisors decide."""
    case = CaseFactory(status="open")
    found = actions.record_finding(case, actor=U("guangzhou.officer1"), kind="certificate_trading")
    waiting = corrections.correct(
        case,
        actor=U("guangzhou.head"),
        target="finding",
        id=found.pk,
        field="kind",
        value="lent_certificate",
        reason="复核",
    )
    case.refresh_from_db()
    return case, waiting.pk


def on_case(status, call, **kw):
    def setup():
        case = CaseFactory(status=status)
        return case, lambda actor: call(case, U(actor))

    return setup


def with_case(make, call):
    """`make()` builds a case and a record the action needs; call(case, record, actor)."""

    def setup():
        case, record = make()
        return case, lambda actor: call(case, record, U(actor))

    return setup


def opened_with(fn):
    def make():
        case = CaseFactory(status="open")
        return case, fn(case)

    return make


def rectification(case):
    return actions.order_rectification(
        case, actor=U("guangzhou.officer1"), deadline=local_today() + datetime.timedelta(days=10), items="整改"
    )


def suspension(case):
    return suspension_of(case)


def fine(case):
    return fine_of(case, amount="30000.00")


def started_fine(case):
    """A fine the head started: approved, waiting for its advance notice."""
    an_act(case)
    return workflows.penalties.impose_fine(
        case, actor=U("guangzhou.head"), amount=Decimal("30000.00"), legal_basis="AQSCF-97-7"
    )


def proposed_penalty(case):
    an_act(case)
    return workflows.penalties.propose_penalty(
        case,
        actor=U("guangzhou.officer1"),
        kinds=["fine"],
        amount=Decimal("30000.00"),
        legal_basis="AQSCF-97-7",
        facts="使用无证人员从事特种作业",
        violation_date=local_today(),
    )


def notified(case, penalty=None):
    penalty = penalty or started_fine(case)
    workflows.penalties.notify_penalty(
        case, actor=U("guangzhou.officer1"), penalty=penalty.pk, served_on=local_today(), method="in_person"
    )
    return penalty


def waived(case):
    penalty = notified(case)
    workflows.penalties.record_statement(
        case, actor=U("guangzhou.officer1"), penalty=penalty.pk, text="无异议", waives=True
    )
    return penalty


def decided_penalty(case):
    penalty = waived(case)
    workflows.penalties.decide_penalty(case, actor=U("guangzhou.head"), penalty=penalty.pk, note="无异议")
    return penalty


def suspension_started(case):
    """A 责令停产停业整顿 with its fine after a failed rectification (安全生产法 第97条), approved."""
    an_act(case)
    failed_rectification(case)
    return workflows.penalties.suspend_production(
        case,
        actor=U("guangzhou.head"),
        reason="逾期未改正",
        starts_on=local_today() + datetime.timedelta(days=30),
        amount=Decimal("100000"),
    )


def suspension_notified(case):
    return notified(case, suspension_started(case))


def hearing_waived(case):
    """A penalty with a hearing right whose party waived its periods: the legal review comes next."""
    penalty = suspension_notified(case)
    workflows.penalties.record_statement(
        case, actor=U("guangzhou.officer1"), penalty=penalty.pk, text="放弃", waives=True, waives_hearing=True
    )
    return penalty


def hearing_requested(case):
    penalty = suspension_notified(case)
    workflows.penalties.request_hearing(case, actor=U("guangzhou.officer1"), penalty=penalty.pk)
    return penalty


def hearing_held_soon():
    """A hearing scheduled a month ago for two weeks ago: now it can be recorded."""
    with time_machine.travel(timezone.now() - datetime.timedelta(days=30), tick=False):
        case = CaseFactory(status="open")
        penalty = hearing_requested(case)
        workflows.penalties.schedule_hearing(
            case,
            actor=U("guangzhou.head"),
            penalty=penalty.pk,
            at=hearing_time(16),
            place="听证室",
            officer="guangzhou.legal",
        )
    return case, penalty


def takedown(case):
    return actions.request_takedown(
        case, actor=U("guangzhou.officer1"), url="http://fake-gov.example/", agency="guangzhou-cyber"
    )


def listing(case):
    return oversight.actions.list_case(
        case,
        actor=U("guangzhou.supervisor"),
        deadline=local_today() + datetime.timedelta(days=20),
        instructions="限期查清",
    )


def reported_listing(case):
    record = listing(case)
    oversight.actions.report_progress(record, actor=U("guangzhou.head"), text="已查清")
    return Listing.objects.get(pk=record.pk)


def served_fine(days_ago: int):
    """A fine decided and served `days_ago` days ago."""
    with time_machine.travel(timezone.now() - datetime.timedelta(days=days_ago), tick=False):
        case = CaseFactory(status="open")
        record = fine_of(case, amount="30000.00", served=True)
    record.refresh_from_db()
    return case, record


def overdue_fine():
    """Served seven months ago, unpaid, and a 催告 served half a year ago: the court may be asked."""
    case, record = served_fine(210)
    with time_machine.travel(timezone.now() - datetime.timedelta(days=190), tick=False):
        actions.issue_demand(case, actor=U("guangzhou.head"), fine=record.pk, served_on=local_today())
    return case, record


def unpaid_fine():
    return served_fine(30)


def explanation_asked():
    referral = referral_in("supervision")
    return workflows.actions.request_explanation(referral, actor=U("guangzhou.procurator"), note="请说明理由")


def ps_accepted():
    case, person = referable_case(kind="forged_certificate")
    referral = workflows.actions.propose_referral(
        case, actor=U("guangzhou.officer1"), persons=[person.pk], report="使用"
    )
    from demo.reach import reach

    return reach(referral, "accepted")


def referral_at(status: str, action: str) -> Scenario:
    def setup():
        referral = referral_in(status)
        run = REFERRAL_ACTIONS[action].function
        return referral.case, lambda actor: run(referral, actor=U(actor), **BODY[action])

    return Scenario(setup, ACTOR[action], action)


def county_without_regulator() -> Region:
    city = Region.objects.get(code="440100")
    return Region.objects.create(code="440199", name="测试区", slug="test-county", level="county", parent=city)


def create(actor):
    return actions.create_case(
        actor=actor,
        source="inspection",
        region=Region.objects.get(code="440100"),
        party={"kind": "employer", "name": "某厂", "credit_code": make_credit_code("440100", 901)},
        summary="检查",
    )


SCENARIOS: dict[str, Scenario] = {
    "cases.actions.create_case": Scenario(lambda: (None, create), "guangzhou.officer1", "create", creates_case=True),
    "cases.actions.open_case": Scenario(
        on_case(
            "lead", lambda c, a: actions.open_case(c, actor=a, handlers=["guangzhou.officer1", "guangzhou.officer2"])
        ),
        "guangzhou.officer1",
        "open",
    ),
    "cases.actions.reassign_handlers": Scenario(
        on_case(
            "open",
            lambda c, a: actions.reassign_handlers(
                c, actor=a, handlers=["guangzhou.officer2", "guangzhou.head"], reason="转办"
            ),
        ),
        "guangzhou.head",
        "reassign",
    ),
    "cases.notes.add_note": Scenario(
        on_case("open", lambda c, a: cases.notes.add_note(c, actor=a, text="内部备注")),
        "guangzhou.officer1",
        "add_note",
    ),
    "cases.actions.decline_case": Scenario(
        on_case("lead", lambda c, a: actions.decline_case(c, actor=a, reason="线索不实")), "guangzhou.head", "decline"
    ),
    "cases.actions.close_case": Scenario(
        on_case("open", lambda c, a: actions.close_case(c, actor=a, summary="结案")), "guangzhou.head", "close"
    ),
    "cases.actions.reopen_case": Scenario(
        on_case("closed", lambda c, a: actions.reopen_case(c, actor=a, reason="新线索")),
        "guangzhou.supervisor",
        "reopen",
    ),
    "cases.actions.add_person": Scenario(
        on_case(
            "open",
            lambda c, a: actions.add_person(
                c, actor=a, name="王五", id_number=make_id_number("440106", datetime.date(1990, 1, 1), 7), role="holder"
            ),
        ),
        "guangzhou.officer1",
        "add_person",
    ),
    "cases.corrections.correct": Scenario(
        on_case(
            "open",
            lambda c, a: corrections.correct(
                c, actor=a, target="case", field="summary", value="更正后的案情摘要", reason="录入有误"
            ),
        ),
        "guangzhou.officer1",
        "correct",
    ),
    "cases.corrections.approve_correction": Scenario(
        with_case(
            _proposed_correction,
            lambda c, pk, a: corrections.approve_correction(c, actor=a, correction=pk, approve=True),
        ),
        "guangzhou.head",
        "approve_correction",
    ),
    "cases.actions.extend_decision_period": Scenario(
        on_case(
            "open",
            lambda c, a: actions.extend_decision_period(
                c, actor=a, until=local_today() + datetime.timedelta(days=120), reason="案情复杂"
            ),
        ),
        "guangzhou.head",
        "extend_decision_period",
    ),
    "cases.actions.record_finding": Scenario(
        on_case("open", lambda c, a: actions.record_finding(c, actor=a, kind="unlicensed_operation")),
        "guangzhou.officer1",
        "record_finding",
    ),
    "cases.actions.order_rectification": Scenario(
        on_case(
            "open",
            lambda c, a: actions.order_rectification(
                c, actor=a, deadline=local_today() + datetime.timedelta(days=10), items="整改"
            ),
        ),
        "guangzhou.officer1",
        "order_rectification",
    ),
    "cases.actions.verify_rectification": Scenario(
        with_case(
            opened_with(rectification),
            lambda c, r, a: actions.verify_rectification(c, actor=a, order=r.pk, passed=True),
        ),
        "guangzhou.officer1",
        "verify_rectification",
    ),
    "workflows.penalties.suspend_production": Scenario(
        with_case(
            opened_with(lambda c: (an_act(c), failed_rectification(c))),
            lambda c, _r, a: workflows.penalties.suspend_production(
                c, actor=a, reason="整顿", starts_on=local_today(), amount=Decimal("100000")
            ),
        ),
        "guangzhou.head",
        "suspend_production",
    ),
    "cases.actions.lift_suspension": Scenario(
        with_case(opened_with(suspension), lambda c, s, a: actions.lift_suspension(c, actor=a, suspension=s.pk)),
        "guangzhou.head",
        "lift_suspension",
    ),
    "workflows.penalties.impose_fine": Scenario(
        with_case(
            opened_with(an_act),
            lambda c, _f, a: workflows.penalties.impose_fine(
                c, actor=a, amount=Decimal("30000.00"), legal_basis="AQSCF-97-7"
            ),
        ),
        "guangzhou.head",
        "impose_fine",
    ),
    "workflows.penalties.propose_penalty": Scenario(
        with_case(
            opened_with(an_act),
            lambda c, _f, a: workflows.penalties.propose_penalty(
                c,
                actor=a,
                kinds=["fine"],
                amount=Decimal("30000.00"),
                legal_basis="AQSCF-97-7",
                facts="无证作业",
                violation_date=local_today(),
            ),
        ),
        "guangzhou.officer1",
        "propose_penalty",
    ),
    "workflows.penalties.approve_penalty": Scenario(
        with_case(
            opened_with(proposed_penalty),
            lambda c, p, a: workflows.penalties.approve_penalty(c, actor=a, penalty=p.pk, approve=True),
        ),
        "guangzhou.head",
        "approve_penalty",
    ),
    "workflows.penalties.notify_penalty": Scenario(
        with_case(
            opened_with(started_fine),
            lambda c, p, a: workflows.penalties.notify_penalty(
                c, actor=a, penalty=p.pk, served_on=local_today(), method="post"
            ),
        ),
        "guangzhou.officer1",
        "notify_penalty",
    ),
    "workflows.penalties.record_statement": Scenario(
        with_case(
            opened_with(notified),
            lambda c, p, a: workflows.penalties.record_statement(c, actor=a, penalty=p.pk, text="请求从轻"),
        ),
        "guangzhou.officer1",
        "record_statement",
    ),
    "workflows.penalties.request_hearing": Scenario(
        with_case(
            opened_with(suspension_notified),
            lambda c, p, a: workflows.penalties.request_hearing(c, actor=a, penalty=p.pk),
        ),
        "guangzhou.officer1",
        "request_hearing",
    ),
    "workflows.penalties.schedule_hearing": Scenario(
        with_case(
            opened_with(hearing_requested),
            lambda c, p, a: workflows.penalties.schedule_hearing(
                c,
                actor=a,
                penalty=p.pk,
                at=hearing_time(20),
                place="听证室",
                officer="guangzhou.legal",
            ),
        ),
        "guangzhou.head",
        "schedule_hearing",
    ),
    "workflows.penalties.record_hearing": Scenario(
        with_case(
            hearing_held_soon,
            lambda c, p, a: workflows.penalties.record_hearing(c, actor=a, penalty=p.pk, record="听证笔录"),
        ),
        "guangzhou.legal",
        "record_hearing",
    ),
    "workflows.penalties.review_penalty": Scenario(
        with_case(
            opened_with(hearing_waived),
            lambda c, p, a: workflows.penalties.review_penalty(c, actor=a, penalty=p.pk, opinion="同意"),
        ),
        "guangzhou.legal",
        "review_penalty",
    ),
    "cases.corrections.endorse_correction": Scenario(
        with_case(
            _off_the_road,
            lambda c, pk, a: corrections.endorse_correction(c, actor=a, correction=pk, approve=True),
        ),
        "guangzhou.supervisor",
        "endorse_correction",
    ),
    "cases.links.link_case": Scenario(
        with_case(
            opened_with(lambda c: CaseFactory(status="open")),
            lambda c, other, a: cases.links.link_case(c, actor=a, case_number=other.number, relation="supplied"),
        ),
        "guangzhou.officer1",
        "link_case",
    ),
    "workflows.penalties.decide_penalty": Scenario(
        with_case(
            opened_with(waived),
            lambda c, p, a: workflows.penalties.decide_penalty(c, actor=a, penalty=p.pk, note="无异议"),
        ),
        "guangzhou.head",
        "decide_penalty",
    ),
    "cases.actions.record_payment": Scenario(
        with_case(
            opened_with(fine),
            lambda c, f, a: actions.record_payment(c, actor=a, fine=f.pk, amount=f.amount_due(local_today())),
        ),
        "guangzhou.officer1",
        "record_payment",
    ),
    "workflows.penalties.serve_decision": Scenario(
        with_case(
            opened_with(decided_penalty),
            lambda c, p, a: workflows.penalties.serve_decision(
                c, actor=a, penalty=p.pk, served_on=local_today(), method="post"
            ),
        ),
        "guangzhou.officer1",
        "serve_decision",
    ),
    "cases.actions.issue_demand": Scenario(
        with_case(unpaid_fine, lambda c, f, a: actions.issue_demand(c, actor=a, fine=f.pk, served_on=local_today())),
        "guangzhou.head",
        "issue_demand",
    ),
    "cases.actions.request_enforcement": Scenario(
        with_case(overdue_fine, lambda c, f, a: actions.request_enforcement(c, actor=a, fine=f.pk)),
        "guangzhou.head",
        "request_enforcement",
    ),
    "cases.actions.request_takedown": Scenario(
        on_case(
            "open",
            lambda c, a: actions.request_takedown(c, actor=a, url="http://fake-gov.example/", agency="guangzhou-cyber"),
        ),
        "guangzhou.officer1",
        "request_takedown",
    ),
    "cases.actions.block_takedown": Scenario(
        with_case(opened_with(takedown), lambda c, t, a: actions.block_takedown(t, actor=a, note="已封堵")),
        "guangzhou.cyber",
        "block_takedown",
    ),
    "cases.actions.refuse_takedown": Scenario(
        with_case(opened_with(takedown), lambda c, t, a: actions.refuse_takedown(t, actor=a, reason="境外")),
        "guangzhou.cyber",
        "refuse_takedown",
    ),
    "workflows.actions.propose_referral": Scenario(
        with_case(
            referable_case,
            lambda c, p, a: workflows.actions.propose_referral(c, actor=a, persons=[p.pk], report="移送"),
        ),
        "guangzhou.officer1",
        "propose_referral",
    ),
    "workflows.actions.approve": referral_at("proposed", "approve"),
    "workflows.actions.refuse": referral_at("proposed", "refuse"),
    "workflows.actions.endorse_refusal": referral_at("refused", "endorse_refusal"),
    "workflows.actions.order_transfer": referral_at("refused", "order_transfer"),
    "workflows.actions.transmit": referral_at("approved", "transmit"),
    "workflows.actions.acknowledge": referral_at("transmitted", "acknowledge"),
    "workflows.actions.forward": referral_at("received", "forward"),
    "workflows.actions.accept": referral_at("received", "accept"),
    "workflows.actions.reject": referral_at("received", "reject"),
    "workflows.actions.request_reconsideration": referral_at("rejected", "request_reconsideration"),
    "workflows.actions.decide_reconsideration": referral_at("reconsideration", "decide_reconsideration"),
    "workflows.actions.request_supervision": referral_at("rejected", "request_supervision"),
    "workflows.actions.resolve_supervision": referral_at("supervision", "resolve_supervision"),
    "workflows.actions.accept_rejection": referral_at("rejected", "accept_rejection"),
    "workflows.actions.hand_over": referral_at("accepted", "hand_over"),
    "workflows.actions.request_supplement": referral_at("received", "request_supplement"),
    "workflows.actions.supplement": referral_at("supplement_requested", "supplement"),
    "workflows.actions.decline_jurisdiction": referral_at("received", "decline_jurisdiction"),
    "workflows.actions.request_explanation": referral_at("supervision", "request_explanation"),
    "workflows.actions.explain": Scenario(
        lambda: (lambda r: (r.case, lambda actor: workflows.actions.explain(r, actor=U(actor), reason="证据不足")))(
            explanation_asked()
        ),
        "guangzhou.police_head",
        "explain",
    ),
    "workflows.actions.record_outcome": Scenario(
        lambda: (lambda r: (r.case, lambda actor: workflows.actions.record_outcome(r, actor=U(actor), outcome="拘留")))(
            ps_accepted()
        ),
        "guangzhou.police_head",
        "record_outcome",
    ),
    "oversight.actions.list_case": Scenario(
        on_case(
            "open",
            lambda c, a: oversight.actions.list_case(
                c, actor=a, deadline=local_today() + datetime.timedelta(days=20), instructions="限期查清"
            ),
        ),
        "guangzhou.supervisor",
        "list_case",
    ),
    "oversight.actions.report_progress": Scenario(
        with_case(opened_with(listing), lambda c, li, a: oversight.actions.report_progress(li, actor=a, text="已查清")),
        "guangzhou.head",
        "report_listing_progress",
    ),
    "oversight.actions.review_listing": Scenario(
        with_case(
            opened_with(reported_listing),
            lambda c, li, a: oversight.actions.review_listing(li, actor=a, close=True, note="办结"),
        ),
        "guangzhou.supervisor",
        "close_listing",
    ),
    "oversight.actions.mark_typical": Scenario(
        on_case("closed", lambda c, a: oversight.actions.mark_typical(c, actor=a, title="典型案例")),
        "guangzhou.supervisor",
        "mark_typical",
    ),
    "certificates.actions.add_evidence": Scenario(
        on_case(
            "open",
            lambda c, a: certificates.actions.add_evidence(
                c, SimpleUploadedFile("scan.pdf", PDF, content_type="application/pdf"), actor=a
            ),
        ),
        "guangzhou.officer1",
        "add_evidence",
    ),
    "certificates.actions.register_tip": Scenario(
        lambda: (
            None,
            # A tip has no actor: a place with no work-safety regulator to receive it is refused.
            lambda actor: certificates.actions.register_tip(
                city=Region.objects.get(code="440100") if actor.username != STRANGER else county_without_regulator(),
                what="某厂工人持假证",
                party_kind="employer",
                party_name="某厂",
            ),
        ),
        "guangzhou.officer1",
        "create",
        refusal=ValidationError,
        creates_case=True,
    ),
    "certificates.actions.lead_from_verification": Scenario(
        lambda: (
            None,
            lambda actor: certificates.actions.lead_from_verification(
                actor=actor, region=None, number="T440100197001010011", name="张三", status="not_found"
            ),
        ),
        "guangzhou.officer1",
        "create",
        creates_case=True,
    ),
}


def snapshot(case: Case) -> tuple:
    """Everything an action may change, as plain values."""
    case = Case.objects.get(pk=case.pk)
    related = (
        "persons",
        "findings",
        "rectifications",
        "suspensions",
        "fines",
        "penalties",
        "takedowns",
        "referrals",
        "listings",
        "evidence",
    )
    counts = tuple(getattr(case, name).count() for name in related if hasattr(case, name))
    statuses = tuple(
        sorted(
            (kind, pk, status)
            for kind in ("rectifications", "suspensions", "fines", "penalties", "takedowns", "referrals", "listings")
            if hasattr(case, kind)
            for pk, status in getattr(case, kind).values_list("pk", "status")
        )
    )
    events = Event.objects.filter(case=case).count()
    return case.status, case.version, case.event_count, case.last_event_hash, events, counts, statuses


def test_every_action_has_a_scenario():
    assert {m.__name__ for m in MODULES} <= {name.rsplit(".", 1)[0] for name in protocol.ACTIONS}
    assert set(protocol.ACTIONS) == set(SCENARIOS)


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_a_change_bumps_the_version_once_and_appends_one_event(name):
    scenario = SCENARIOS[name]
    case, run = scenario.setup()
    if scenario.creates_case:
        before = set(Case.objects.values_list("pk", flat=True))
        run(U(scenario.actor))
        (new,) = Case.objects.exclude(pk__in=before)
        assert (new.version, new.event_count) == (1, 1)
        assert list(new.events.values_list("action", flat=True)) == [scenario.event]
        return
    before = Case.objects.get(pk=case.pk)
    run(U(scenario.actor))
    after = Case.objects.get(pk=case.pk)
    assert after.version == before.version + 1
    assert after.event_count == before.event_count + 1
    last = after.events.order_by("-seq").first()
    assert (last.seq, last.action, last.hash) == (after.event_count, scenario.event, after.last_event_hash)


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_a_refused_call_changes_nothing(name):
    scenario = SCENARIOS[name]
    case, run = scenario.setup()
    if scenario.creates_case:
        before = Case.objects.count(), Event.objects.count()
        with pytest.raises(scenario.refusal):
            run(U("guangzhou.police") if scenario.refusal is PermissionDenied else U(STRANGER))
        assert (Case.objects.count(), Event.objects.count()) == before
        return
    before = snapshot(case)
    with pytest.raises((PermissionDenied, Conflict)):
        run(U(STRANGER))
    assert snapshot(case) == before


def takes_version(name: str) -> bool:
    return not SCENARIOS[name].creates_case and "version" in inspect.signature(protocol.ACTIONS[name]).parameters


@pytest.mark.parametrize("name", sorted(filter(takes_version, SCENARIOS)))
def test_a_stale_version_changes_nothing(name, monkeypatch):
    """Case actions take the version the caller loaded: an older one is refused (409 stale)."""
    scenario = SCENARIOS[name]
    case, run = scenario.setup()
    before = snapshot(case)
    stale = Case.objects.get(pk=case.pk).version - 1
    check = protocol.check_version
    monkeypatch.setattr(protocol, "check_version", lambda locked, version: check(locked, stale))
    with pytest.raises(Conflict) as refused:
        run(U(scenario.actor))
    assert refused.value.code == "stale"
    assert snapshot(case) == before


def test_the_stale_check_covers_every_case_action():
    assert {n.rsplit(".", 1)[1] for n in filter(takes_version, SCENARIOS)} >= {
        "open_case",
        "add_person",
        "close_case",
        "propose_referral",
    }
