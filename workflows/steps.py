"""The deadline table as data: each step, its period, its legal source and whom a miss reaches.

Plain data with no model behind it, so the Deadline model, the functions that open and meet
deadlines, the sweep, the announcements and the pages all read the one table. The law behind
each row is in ../shared/LEGAL.md §1–3; a row whose `basis` is empty is Xianjie's own alarm, not
a legal period: it may escalate, never bar (Step refuses to be declared otherwise).
"""

from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cases.kinds import STATEMENT_PERIOD
from cases.kinds import ReferralKind as K
from cases.models import ReferralStatus as R
from core.calendar import Period

if TYPE_CHECKING:
    from .models import Deadline  # the model reads this table: a cycle for the type checker only


class Notify(StrEnum):
    SUPERVISORS = "supervisors"  # supervisors of the case's region and above
    POLICE_HEAD = "police_head"  # heads of the police agency the referral is with
    # The procuratorate asked to supervise, else the one of the police agency's city (a copy).
    PROCURATORATE = "procuratorate"
    AGENCY_HEAD = "agency_head"  # head of the agency owning the case
    SUPERVISORS_ABOVE = "supervisors_above"  # supervisors above the committee office that listed the case


class Owner(StrEnum):
    """Who must act before a deadline (the "who acts" column): reminded one working day before it,
    and shown it in their inbox (issue 18). A party's own period, a right that may go unused (to ask
    for 补正) and a duty that binds only if it arises (to forward) have no owner."""

    DECIDING_HEAD = "deciding_head"  # heads of the referring agency, never the proposer (four eyes)
    REFERRING_HEAD = "referring_head"  # heads of the referring agency
    REFERRING_STAFF = "referring_staff"  # the case's handlers in the referring agency, and its heads
    POLICE = "police"  # members of the police agency the referral is with
    POLICE_HEAD = "police_head"  # heads of the police agency the referral is with
    HANDLERS = "handlers"  # the case's handlers
    CASE_STAFF = "case_staff"  # the case's handlers and the heads of the agency owning the case
    CASE_HEAD = "case_head"  # heads of the agency owning the case


BOTH = (K.CRIMINAL, K.PUBLIC_SECURITY)
OWN_ALARM = ""  # the basis of a step that is not a legal period


@dataclass(frozen=True)
class Step:
    label: Promise  # lazily translated
    period: Period
    basis: str  # the article that sets the period, or OWN_ALARM
    escalate_to: tuple[Notify, ...] = ()
    # After the due time the step is no longer possible (a time bar), not merely late.
    bars_action: str | None = None
    # The referral statuses whose arrival opens this step …
    opened_by: tuple[str, ...] = ()
    # … when reached through one of these actions (empty: through any action that changes the status;
    # an action that keeps the status opens only the steps that name it here).
    opened_on: tuple[str, ...] = ()
    kinds: tuple[str, ...] = BOTH  # the referral kinds it applies to
    side: str = ""  # whose duty it is: one of SIDES
    # Not opened again for a referral that was forwarded (310号令 第7条: it moves once only).
    once: bool = False
    owner: Owner | None = None  # who must act (reminded, and shown it in the inbox); set below

    def __post_init__(self) -> None:
        # LEGAL.md §1: a time bar must never fire before the law's own end of the period.
        if self.bars_action and not self.basis:
            raise ValueError(f"{self.label}: Xianjie's own alarm may escalate, never bar an action.")

    @property
    def basis_display(self) -> str:
        return self.basis or str(_("Xianjie's own alarm, not a legal period"))

    @property
    def lapses(self) -> bool:
        """The party's own period that tells nobody when it ends (to ask for a hearing, to state its
        case): it lapses, and nobody has missed it."""
        return self.side == "party" and not self.escalate_to

    @property
    def side_display(self) -> str:
        return str(SIDES[self.side])


SIDES: dict[str, Promise] = {
    "agency": _("the referring agency"),
    "case_agency": _("the agency handling the case"),
    "police": _("the police"),
    "party": _("the party"),
    "procuratorate": _("the procuratorate"),
    "supervisor": _("the supervisors"),
}


DAYS = "days"  # switch a rule to "working_days" with WORKING_DAY_STEPS (settings)
HOURS = "hours"
P310 = "国务院令第310号"
RULES_180 = "公安机关办理刑事案件程序规定 第180条"
RULES_182 = "公安机关办理刑事案件程序规定 第182条"
N = Notify

STEPS: dict[str, Step] = {
    # --- the referral road (LEGAL.md §2) --------------------------------------------------------
    "decide": Step(
        _("head decides on the proposal"), Period(3, DAYS), f"{P310} 第5条", (N.SUPERVISORS,), opened_by=(R.PROPOSED,)
    ),
    "transmit": Step(
        _("transmit after approval"), Period(24, HOURS), f"{P310} 第5条", (N.SUPERVISORS,), opened_by=(R.APPROVED,)
    ),
    # 310号令 第7条 has the police sign the 回执 but sets no period for it.
    "receipt": Step(
        _("police sign the receipt"),
        Period(1, DAYS),
        OWN_ALARM,
        (N.POLICE_HEAD, N.SUPERVISORS),
        opened_by=(R.TRANSMITTED,),
        opened_on=("transmit", "forward"),
    ),
    # A police agency that is not competent forwards within 24 hours. Not a bar: a late forward still
    # sends the case where it belongs, and barring it would keep it with a police that cannot act.
    "forward": Step(
        _("forward if not competent"),
        Period(24, HOURS),
        f"{P310} 第7条",
        opened_by=(R.RECEIVED,),
        opened_on=("acknowledge",),
    ),
    # Materials incomplete: the police ask within 24 hours of receipt (never refuse for it); the
    # agency supplements within 3 days, and the decision's 3 days start again from the supplement.
    "request_supplement": Step(
        _("ask for missing materials (补正)"),
        Period(24, HOURS),
        RULES_180,
        bars_action="request_supplement",
        opened_by=(R.RECEIVED,),
        opened_on=("acknowledge",),
        kinds=(K.CRIMINAL,),
    ),
    "supplement": Step(
        _("supplement the materials"),
        Period(3, DAYS),
        RULES_180,
        (N.SUPERVISORS,),
        opened_by=(R.SUPPLEMENT_REQUESTED,),
        kinds=(K.CRIMINAL,),
    ),
    "police_decision": Step(
        _("police accept or reject"),
        Period(3, DAYS),
        f"{P310} 第8条",
        (N.POLICE_HEAD, N.SUPERVISORS, N.PROCURATORATE),
        opened_by=(R.RECEIVED,),
        opened_on=("acknowledge", "supplement"),
        kinds=(K.CRIMINAL,),
    ),
    # 治安: the police register and decide "promptly" (公安机关办理行政案件程序规定 第61条), no period.
    "ps_decision": Step(
        _("police register the public-security matter (受理)"),
        Period(3, DAYS),
        OWN_ALARM,
        (N.POLICE_HEAD, N.SUPERVISORS),
        opened_by=(R.RECEIVED,),
        opened_on=("acknowledge",),
        kinds=(K.PUBLIC_SECURITY,),
    ),
    "ask_reconsideration": Step(
        _("ask reconsideration"),
        Period(3, DAYS),
        f"{P310} 第9条",
        (N.SUPERVISORS,),
        bars_action="request_reconsideration",
        opened_by=(R.REJECTED,),
        kinds=(K.CRIMINAL,),
    ),
    "decide_reconsideration": Step(
        _("decide reconsideration"),
        Period(3, DAYS),
        f"{P310} 第9条; 公安机关办理刑事案件程序规定 第181条",
        (N.SUPERVISORS, N.PROCURATORATE),
        opened_by=(R.RECONSIDERATION,),
        kinds=(K.CRIMINAL,),
    ),
    "ask_procuratorate": Step(
        _("ask the procuratorate"),
        Period(3, DAYS),
        f"{P310} 第9条",
        (N.SUPERVISORS,),
        opened_by=(R.REJECTION_UPHELD,),
        kinds=(K.CRIMINAL,),
    ),
    # A public-security matter refused, or a referral that is no police business: the agency settles it
    # (takes it back for its own penalty, or hands it to the competent body).
    "conclude_rejection": Step(
        _("settle the refused public-security matter"),
        Period(3, DAYS),
        OWN_ALARM,
        (N.SUPERVISORS,),
        opened_by=(R.REJECTED,),
        kinds=(K.PUBLIC_SECURITY,),
    ),
    "answer_decline": Step(
        _("settle a referral that is not police business"),
        Period(3, DAYS),
        OWN_ALARM,
        (N.SUPERVISORS,),
        opened_by=(R.JURISDICTION_DECLINED,),
    ),
    # 立案监督: the police explain within 7 days when asked, and file within 15 days when ordered.
    "explain": Step(
        _("police explain the non-filing to the procuratorate"),
        Period(7, DAYS),
        RULES_182,
        (N.POLICE_HEAD, N.PROCURATORATE, N.SUPERVISORS),
        opened_by=(R.SUPERVISION,),
        opened_on=("request_explanation",),
        kinds=(K.CRIMINAL,),
    ),
    "file_after_order": Step(
        _("police file the case as the procuratorate ordered"),
        Period(15, DAYS),
        RULES_182,
        (N.POLICE_HEAD, N.PROCURATORATE, N.SUPERVISORS),
        opened_by=(R.FILING_ORDERED,),
        kinds=(K.CRIMINAL,),
    ),
    "hand_over": Step(
        _("hand over evidence"),
        Period(3, DAYS),
        f"{P310} 第12条",
        (N.SUPERVISORS,),
        opened_by=(R.ACCEPTED,),
        kinds=(K.CRIMINAL,),
    ),
    "ps_hand_over": Step(
        _("hand over the materials of the public-security matter"),
        Period(3, DAYS),
        OWN_ALARM,
        (N.SUPERVISORS,),
        opened_by=(R.ACCEPTED,),
        kinds=(K.PUBLIC_SECURITY,),
    ),
    "ps_outcome": Step(
        _("police conclude the public-security matter"),
        Period(30, DAYS),
        "治安管理处罚法(2012) 第99条",
        (N.POLICE_HEAD,),
        opened_by=(R.ACCEPTED,),
        kinds=(K.PUBLIC_SECURITY,),
    ),
    # --- the case ----------------------------------------------------------------------------
    "propose_referral": Step(
        _("propose referral of a referable finding"), Period(3, DAYS), OWN_ALARM, (N.SUPERVISORS,)
    ),
    "reinspect": Step(_("re-inspect a rectification"), Period(5, DAYS), OWN_ALARM, (N.AGENCY_HEAD,)),
    # 行政处罚法 第60条: the penalty decided within 90 days of 立案 (longer only by approval); met by
    # a penalty decision, or by closing the case without one.
    "decide_penalty": Step(
        _("decide the administrative penalty"), Period(90, DAYS), "行政处罚法 第60条", (N.AGENCY_HEAD, N.SUPERVISORS)
    ),
    # 行政处罚法 第64条: the party asks for a hearing within 5 days of the advance notice — working
    # days (第85条) — and after them no longer.
    "hearing_request": Step(
        _("request a hearing (听证)"),
        Period(5, "working_days"),
        "行政处罚法 第64条、第85条",
        bars_action="request_hearing",
    ),
    # 第44、45条: the party states its case within the period its advance notice gives (the law sets
    # no length; the notice prints STATEMENT_PERIOD). Not a bar: a late statement is still heard.
    "statement": Step(_("state the party's case (陈述申辩)"), STATEMENT_PERIOD, "行政处罚法 第44条、第45条"),
    # 第61条: the decision is served within 7 days (working days, 第85条).
    "serve_penalty": Step(
        _("serve the penalty decision"), Period(7, "working_days"), "行政处罚法 第61条、第85条", (N.AGENCY_HEAD,)
    ),
    # 挂牌督办: the listing's own deadline (a date the supervisors set), escalated to those above.
    "listing": Step(_("complete a supervision listing"), Period(0, DAYS), OWN_ALARM, (N.SUPERVISORS_ABOVE,)),
    # --- fines (LEGAL.md §3) ------------------------------------------------------------------
    # Payment within 15 days of service; after it the late penalty runs and the head issues a 催告.
    "fine_payment": Step(_("pay the fine"), Period(15, DAYS), "行政处罚法 第67条、第72条", (N.AGENCY_HEAD,)),
    # Court enforcement may be applied for within 3 months after the party's periods to contest the
    # decision (行政复议 60 days, 行政诉讼 6 months) have run out; after that, never.
    "fine_enforcement": Step(
        _("apply to the court for enforcement of the fine"),
        Period(3, "months"),
        "行政强制法 第53条、第54条; 行政诉讼法 第46条",
        (N.AGENCY_HEAD, N.SUPERVISORS),
        bars_action="request_enforcement",
    ),
}


# Whose duty each step is (the pages say it beside the due time).
_SIDE = {
    **dict.fromkeys(
        ("decide", "transmit", "supplement", "ask_reconsideration", "ask_procuratorate", "conclude_rejection"),
        "agency",
    ),
    **dict.fromkeys(("answer_decline", "hand_over", "ps_hand_over", "propose_referral"), "agency"),
    "listing": "agency",
    **dict.fromkeys(("reinspect", "fine_enforcement", "decide_penalty", "serve_penalty"), "case_agency"),
    **dict.fromkeys(("receipt", "forward", "request_supplement", "police_decision", "ps_decision"), "police"),
    **dict.fromkeys(("decide_reconsideration", "explain", "file_after_order", "ps_outcome"), "police"),
    "fine_payment": "party",
    "hearing_request": "party",
    "statement": "party",
}
# Who must act before each deadline (DESIGN §3 "who acts"); a step not named has no owner.
W = Owner
_OWNER = {
    "decide": W.DECIDING_HEAD,
    **dict.fromkeys(("transmit", "supplement", "hand_over", "ps_hand_over"), W.REFERRING_STAFF),
    **dict.fromkeys(
        ("ask_reconsideration", "ask_procuratorate", "conclude_rejection", "answer_decline"), W.REFERRING_HEAD
    ),
    "receipt": W.POLICE,
    **dict.fromkeys(("police_decision", "ps_decision", "decide_reconsideration", "explain"), W.POLICE_HEAD),
    **dict.fromkeys(("file_after_order", "ps_outcome"), W.POLICE_HEAD),
    **dict.fromkeys(("propose_referral", "reinspect", "serve_penalty"), W.HANDLERS),
    "decide_penalty": W.CASE_STAFF,
    **dict.fromkeys(("listing", "fine_enforcement"), W.CASE_HEAD),
}
STEPS = {
    name: replace(step, side=_SIDE[name], once=name == "forward", owner=_OWNER.get(name))
    for name, step in STEPS.items()
}
LAPSING_STEPS = tuple(name for name, step in STEPS.items() if step.lapses)
# The duties someone is escalated for missing: what "missed" means on the supervisors' lists. Not a
# conditional period (the 24 hours to forward, which binds only a police agency that is not
# competent) nor a party's own period.
ESCALATING_STEPS = tuple(name for name, step in STEPS.items() if step.escalate_to)
# The duties someone must act on: reminded one working day before they end (issue 18).
OWNED_STEPS = tuple(name for name, step in STEPS.items() if step.owner)


def period_for(step: str) -> Period:
    """The step's period; WORKING_DAY_STEPS (settings) switches a day-counted step to working days."""
    period = STEPS[step].period
    if period.unit == DAYS and step in settings.WORKING_DAY_STEPS:
        return Period(period.amount, "working_days")
    return period


def opened_by(status: str, *, action: str, kind: str, changed: bool = True) -> tuple[str, ...]:
    """The steps a referral of `kind` opens when `action` brings it to `status` (`changed`: the
    status is new; an action that keeps the status opens only the steps that name it)."""
    return tuple(
        name
        for name, step in STEPS.items()
        if status in step.opened_by and kind in step.kinds and (action in step.opened_on if step.opened_on else changed)
    )


def barring(action: str) -> str | None:
    """The step whose due time bars `action`, if any."""
    return next((name for name, step in STEPS.items() if step.bars_action == action), None)


def next_due(deadlines: Iterable["Deadline"]) -> "Deadline | None":
    """The deadline to show as "next": the first duty someone is escalated for missing; when none is
    open, the first time bar. A period that neither escalates nor bars (the 24 hours to forward)
    is on the record, never the headline."""
    pending = [d for d in deadlines if d.met_at is None]
    duties = [d for d in pending if STEPS[d.step].escalate_to]
    pool = duties or [d for d in pending if STEPS[d.step].bars_action]
    return min(pool, key=lambda d: d.due_at) if pool else None
