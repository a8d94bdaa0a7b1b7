"""reach(): a referral driven to any status through the real actions of workflows/actions.py.

For the demo, the load generator and the tests, which all need referrals in given statuses
made exactly as the application makes them: every step is the action function, run by a member
of the agency whose step it is, so rights, deadlines, tasks, events and notifications are real.

The road is the shortest one in the referral's own transition graph (the django-fsm transitions
of cases.models.Referral); where two roads are as short, the transition declared first wins.
`forward` re-sends a referral to another police agency and leads to no status of its own, and
`decline_jurisdiction` is a side road (not police business): no road takes them, call them
yourself. Transitions that keep the status (request_explanation, explain, record_outcome) lead
nowhere either. A public-security referral has no reconsideration or supervision: the roads
through them are refused by the referral's own transition conditions.
"""

from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django_fsm import can_proceed

from agencies import jurisdiction
from agencies.models import Agency, Membership
from cases.models import Case, Referral, ReferralStatus
from cases.referral_rules import REFERRAL_ACTIONS, may_referral
from cases.rules import may
from workflows import actions as referrals
from workflows.actions import competent_procuratorates

User = get_user_model()
Role = Membership.Role

DOCUMENTS = [
    {"kind": "transfer_letter", "title": "涉嫌犯罪案件移送书"},
    {"kind": "investigation_report", "title": "涉嫌犯罪案件调查报告"},
    {"kind": "evidence_list", "title": "涉案物品清单"},
]
REPORT = "持伪造的特种作业操作证上岗作业，涉嫌使用伪造的国家机关证件罪。"

# Whose member takes a step: the referring agency, the police agency referred to, the
# procuratorate asked, or the safety committee office of the case's city.
REFERRING, POLICE, PROCURATORATE, COMMITTEE = "referring", "police", "procuratorate", "committee"


@dataclass(frozen=True)
class Step:
    """One transition of the referral as an action call: who runs it and with what."""

    action: str  # the action function of workflows/actions.py (cases.referral_rules.REFERRAL_ACTIONS)
    side: str
    role: str
    details: Callable[[Referral], dict]
    # Steps taken first where the referral has not had them (transitions that keep the status).
    before: tuple[str, ...] = ()


def _city_agency(referral: Referral, kind: str) -> Agency:
    agency = jurisdiction.same_city_agency(referral.case.region, kind)
    if agency is None:
        raise LookupError(f"no {kind} agency for the region of {referral.case.number}")
    return agency


# Keyed by the transition method of cases.models.Referral; tests/demo/test_reach.py fails when a
# transition is added there and not here.
STEPS: dict[str, Step] = {
    "approve": Step("approve", REFERRING, Role.HEAD, lambda r: {}),
    "refuse": Step("refuse", REFERRING, Role.HEAD, lambda r: {"reason": "证据不足，不予移送"}),
    "endorse_refusal": Step("endorse_refusal", COMMITTEE, Role.SUPERVISOR, lambda r: {"note": "同意不予移送"}),
    "order_transfer": Step("order_transfer", COMMITTEE, Role.SUPERVISOR, lambda r: {"note": "应当移送"}),
    "transmit": Step("transmit", REFERRING, Role.OFFICER, lambda r: {"documents": DOCUMENTS}),
    "acknowledge": Step("acknowledge", POLICE, Role.OFFICER, lambda r: {}),
    "accept": Step("accept", POLICE, Role.HEAD, lambda r: {"police_case_number": f"{r.number}-立"}),
    "reject": Step("reject", POLICE, Role.HEAD, lambda r: {"reason": "不构成犯罪"}),
    "request_reconsideration": Step("request_reconsideration", REFERRING, Role.HEAD, lambda r: {"reason": "证据确凿"}),
    "reconsider_accept": Step(
        "decide_reconsideration",
        POLICE,
        Role.HEAD,
        lambda r: {"accept": True, "reason": "改变决定", "police_case_number": f"{r.number}-立"},
    ),
    "reconsider_uphold": Step(
        "decide_reconsideration", POLICE, Role.HEAD, lambda r: {"accept": False, "reason": "维持不予立案"}
    ),
    "request_supplement": Step("request_supplement", POLICE, Role.HEAD, lambda r: {"items": "证件真伪鉴定意见"}),
    "supplement": Step(
        "supplement",
        REFERRING,
        Role.OFFICER,
        lambda r: {"note": "已补充鉴定意见", "documents": [{"kind": "inspection_report", "title": "证件鉴定意见书"}]},
    ),
    "decline_jurisdiction": Step(
        "decline_jurisdiction", POLICE, Role.HEAD, lambda r: {"reason": "不属于公安机关职责范围", "competent_body": ""}
    ),
    "request_supervision": Step(
        "request_supervision",
        REFERRING,
        Role.HEAD,
        lambda r: {"procuratorate": competent_procuratorates(r.police_agency)[0].slug, "reason": "请求立案监督"},
    ),
    "request_explanation": Step(
        "request_explanation", PROCURATORATE, Role.OFFICER, lambda r: {"note": "请说明不立案理由"}
    ),
    "explain": Step("explain", POLICE, Role.HEAD, lambda r: {"reason": "证据不足以证明犯罪事实"}),
    # 刑事诉讼法 第113条: the police explain before the procuratorate orders the filing.
    "supervision_accept": Step(
        "resolve_supervision",
        PROCURATORATE,
        Role.OFFICER,
        lambda r: {"outcome": "accept", "note": "通知立案"},
        before=("request_explanation", "explain"),
    ),
    "supervision_reject": Step(
        "resolve_supervision", PROCURATORATE, Role.OFFICER, lambda r: {"outcome": "reject", "note": "不立案理由成立"}
    ),
    "accept_rejection": Step("accept_rejection", REFERRING, Role.HEAD, lambda r: {"reason": "转行政处罚"}),
    "hand_over": Step("hand_over", REFERRING, Role.OFFICER, lambda r: {"items": "伪造的操作证1本"}),
    "record_outcome": Step("record_outcome", POLICE, Role.HEAD, lambda r: {"outcome": "行政拘留十日，并处罚款五百元"}),
}
# Transitions no road takes (see the module's docstring): side roads the caller takes on purpose.
NO_ROAD = frozenset({"forward", "decline_jurisdiction"})
# Transitions taken only on purpose from one status: police under supervision who file of their
# own once asked for their reasons (the road goes by the procuratorate's order).
SIDE_ROADS = frozenset({("accept", ReferralStatus.SUPERVISION)})


def road(from_status: str, to_status: str) -> list[str]:
    """The transition methods of the shortest road between two referral statuses (breadth-first, so
    that of two roads as short the one whose transitions are declared first is taken)."""
    if to_status not in ReferralStatus.values:
        raise ValueError(f"{to_status!r} is not a referral status")
    edges: dict[str, list[tuple[str, str]]] = {}
    for t in Referral._meta.get_field("status").get_all_transitions(Referral):
        if t.name in NO_ROAD or (t.name, str(t.source)) in SIDE_ROADS:
            continue
        if t.target is not None:  # a transition that keeps the status leads nowhere
            edges.setdefault(str(t.source), []).append((t.name, str(t.target)))
    came_from: dict[str, tuple[str, str] | None] = {from_status: None}
    queue = deque([from_status])
    while queue:
        status = queue.popleft()
        if status == to_status:
            steps = []
            while (previous := came_from[status]) is not None:
                status, method = previous
                steps.append(method)
            return steps[::-1]
        for method, target in edges.get(status, []):
            if target not in came_from:
                came_from[target] = (status, method)
                queue.append(target)
    raise ValueError(f"no road leads from {from_status!r} to {to_status!r}")


def reach(
    referral_or_case: Referral | Case,
    status: str,
    *,
    persons: Iterable[int] | None = None,
    report: str = REPORT,
) -> Referral:
    """The referral driven to `status`; given a case, a new referral of it is proposed first.

    A new referral names `persons` (default: the persons of the case's referable findings) and
    is proposed by an officer handling the case. Each later step is run by the first member (by
    username) with the step's role in the agency whose step it is and the right to take it.
    """
    if isinstance(referral_or_case, Case):
        referral = propose(referral_or_case, persons=persons, report=report)
    else:
        referral = referral_or_case
    for method in road(referral.status, status):
        for first in STEPS[method].before:
            if can_proceed(getattr(referral, first)):
                referral = _take(referral, STEPS[first])
        referral = _take(referral, STEPS[method])
    return referral


def _take(referral: Referral, step: Step) -> Referral:
    run = REFERRAL_ACTIONS[step.action].function
    return run(referral, actor=actor_for(referral, step), **step.details(referral))


def propose(case: Case, *, persons: Iterable[int] | None = None, report: str = REPORT) -> Referral:
    """A new referral of the case, proposed by the first officer (by username) handling it."""
    if persons is None:
        persons = list(
            case.findings.filter(referable=True, person__isnull=False)
            .order_by("person_id")
            .values_list("person_id", flat=True)
            .distinct()
        )
        if not persons:
            raise ValueError(f"{case.number} has no referable finding naming a person: pass persons=")
    officers = jurisdiction.with_memberships(
        User.objects.filter(
            memberships__agency_id=case.agency_id, memberships__role=Role.OFFICER, handled_cases=case
        ).order_by("username")
    )
    proposer = next((u for u in officers if may(u, case, "propose_referral")), None)
    if proposer is None:
        raise LookupError(f"no officer of {case.agency} handles {case.number}")
    return referrals.propose_referral(case, actor=proposer, persons=list(persons), report=report)


def actor_for(referral: Referral, step: Step):
    """The first member (by username) of the step's agency, in its role, who may take the step."""
    agency_id = {
        REFERRING: lambda: referral.referring_agency_id,
        POLICE: lambda: referral.police_agency_id,
        PROCURATORATE: lambda: referral.procuratorate_id,
        COMMITTEE: lambda: _city_agency(referral, Agency.Kind.COMMITTEE_OFFICE).pk,
    }[step.side]()
    assert agency_id is not None, f"no {step.side} agency for referral {referral.number}"
    members = jurisdiction.with_memberships(
        User.objects.filter(memberships__agency_id=agency_id, memberships__role=step.role).order_by("username")
    )
    for user in members:
        if may_referral(user, referral, step.action):
            return user
    raise LookupError(f"nobody of agency {agency_id} ({step.role}) may {step.action} {referral.number}")
