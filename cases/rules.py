"""Each case action declared once (DESIGN §3–4): who may run it, the lifecycle transition it takes,
its input, its function, its title and the notification it announces.

Everything else is derived from this table: the API routes and the web forms (input, function),
the actions a caller may run now (`may` and the django-fsm transitions of `Case`), the titles of
the timeline, and what is announced. From which states an action runs is not repeated here: an
action that takes a lifecycle transition runs from that transition's sources (`Case.open` …),
every other one while the case is open.

`may()` answers "is this person entitled to this action on this case at all" (403 when not);
the state check (409) and the visibility check (404) are separate questions.
"""

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property
from typing import Any

from django.utils.functional import Promise
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from django_fsm import can_proceed
from rest_framework import serializers

from agencies import jurisdiction
from agencies.models import Agency, Membership
from core.access import AnyUser

from .models import Case, CaseStatus, Takedown


class Who(StrEnum):
    STAFF = "staff"  # an officer or the head of the owning agency
    HEAD = "head"  # the head of the owning agency
    HANDLER = "handler"  # one of the case's handlers, or the head
    # One of the case's handlers and not the head: the 专案组 that reports a referral for the
    # head to approve (国务院令第310号 第5条); a head's own report could never be approved.
    ASSIGNED = "assigned"
    SUPERVISOR = "supervisor"  # a supervisor over the case's region
    HANDLER_OR_SUPERVISOR = "handler_or_supervisor"  # the case's handlers and head, and its supervisors


class Resolved:
    """The dotted paths of a declaration, resolved when first used: the inputs are API serializers
    and some functions live in the apps above this one."""

    input: str
    run: str

    @cached_property
    def function(self) -> Callable[..., Any]:
        function: Callable[..., Any] = import_string(self.run)
        return function

    @cached_property
    def input_class(self) -> type[serializers.Serializer[Any]]:
        input_class: type[serializers.Serializer[Any]] = import_string(self.input)
        return input_class


@dataclass(frozen=True)
class CaseAction(Resolved):
    """One case action. `input` and `run` are dotted paths, resolved when first used: the input
    is an API serializer and propose_referral lives with the workflows, both above this module."""

    who: Who
    title: Promise
    input: str
    run: str
    transition: str = ""  # the `Case` lifecycle transition it takes; none → while the case is open
    announces: str = ""  # the notification kind (notifications/announce.py) it writes, if any

    @cached_property
    def source(self) -> frozenset[str]:
        """The case statuses it runs from, read off the django-fsm declaration."""
        if not self.transition:
            return frozenset({CaseStatus.OPEN})
        return frozenset(getattr(Case, self.transition)._django_fsm.transitions)

    def possible(self, case: Case) -> bool:
        """Allowed by the case's state now (not asking who)."""
        if self.transition:
            return can_proceed(getattr(case, self.transition))
        return bool(case.status == CaseStatus.OPEN)  # django-fsm's field reads as Any


_S = "cases.api.serializers."
_A = "cases.actions."
_W = "workflows.penalties."

CASE_ACTIONS: dict[str, CaseAction] = {
    "open": CaseAction(
        Who.STAFF, _("Open the case (立案)"), _S + "OpenInput", _A + "open_case", "open", announces="case_assigned"
    ),
    "decline": CaseAction(Who.HEAD, _("Decline the lead"), _S + "ReasonInput", _A + "decline_case", "decline"),
    "add_person": CaseAction(Who.HANDLER, _("Add a person"), _S + "AddPersonInput", _A + "add_person"),
    "record_finding": CaseAction(Who.HANDLER, _("Record a finding"), _S + "RecordFindingInput", _A + "record_finding"),
    "order_rectification": CaseAction(
        Who.HANDLER, _("Order rectification"), _S + "OrderRectificationInput", _A + "order_rectification"
    ),
    "verify_rectification": CaseAction(
        Who.HANDLER, _("Re-inspect a rectification"), _S + "VerifyRectificationInput", _A + "verify_rectification"
    ),
    # The penalty procedure (workflows.penalties, 行政处罚法 第44–64条): the head starts it himself
    # with impose_fine or suspend_production, or approves a handler's proposal.
    "suspend_production": CaseAction(
        Who.HEAD,
        _("Start a suspension of production (notice to follow)"),
        _S + "SuspendProductionInput",
        _W + "suspend_production",
    ),
    "lift_suspension": CaseAction(
        Who.HEAD, _("Lift the suspension"), _S + "LiftSuspensionInput", _A + "lift_suspension"
    ),
    "impose_fine": CaseAction(
        Who.HEAD, _("Start a fine (notice to follow)"), _S + "ImposeFineInput", _W + "impose_fine"
    ),
    "propose_penalty": CaseAction(
        Who.ASSIGNED,
        _("Propose a penalty"),
        _S + "ProposePenaltyInput",
        _W + "propose_penalty",
        announces="penalty_propose",
    ),
    "approve_penalty": CaseAction(
        Who.HEAD,
        _("Decide on the proposed penalty"),
        _S + "ApprovePenaltyInput",
        _W + "approve_penalty",
        announces="penalty_approve",
    ),
    "notify_penalty": CaseAction(
        Who.HANDLER, _("Serve the advance notice (事先告知)"), _S + "NotifyPenaltyInput", _W + "notify_penalty"
    ),
    "record_statement": CaseAction(
        Who.HANDLER, _("Record the party's statement (陈述申辩)"), _S + "RecordStatementInput", _W + "record_statement"
    ),
    "request_hearing": CaseAction(
        Who.HANDLER,
        _("Record the party's request for a hearing"),
        _S + "RequestHearingInput",
        _W + "request_hearing",
        announces="penalty_request_hearing",
    ),
    # 第64条第四项: the agency designates the presiding officer; its head schedules the hearing.
    "schedule_hearing": CaseAction(
        Who.HEAD,
        _("Designate the presiding officer and schedule the hearing (听证通知)"),
        _S + "ScheduleHearingInput",
        _W + "schedule_hearing",
        announces="penalty_schedule_hearing",
    ),
    "record_hearing": CaseAction(
        Who.STAFF, _("Record the hearing (听证笔录)"), _S + "RecordHearingInput", _W + "record_hearing"
    ),
    "review_penalty": CaseAction(
        Who.STAFF, _("Legal review of the penalty (法制审核)"), _S + "ReviewPenaltyInput", _W + "review_penalty"
    ),
    "decide_penalty": CaseAction(
        Who.HEAD,
        _("Decide the penalty (处罚决定)"),
        _S + "DecidePenaltyInput",
        _W + "decide_penalty",
        announces="penalty_decide",
    ),
    "serve_decision": CaseAction(
        Who.HANDLER, _("Record the service of the decision (送达)"), _S + "ServeDecisionInput", _W + "serve_decision"
    ),
    "record_payment": CaseAction(Who.HANDLER, _("Record a payment"), _S + "RecordPaymentInput", _A + "record_payment"),
    # 行政强制法 第54条: the written demand before the court is asked.
    "issue_demand": CaseAction(
        Who.HEAD, _("Serve a demand to pay (催告)"), _S + "IssueDemandInput", _A + "issue_demand"
    ),
    # Not in DESIGN §4's list but in its fine lifecycle: unpaid after the period → court enforcement.
    "request_enforcement": CaseAction(
        Who.HEAD, _("Request court enforcement"), _S + "FineRefInput", _A + "request_enforcement"
    ),
    "request_takedown": CaseAction(
        Who.HANDLER,
        _("Request a website takedown"),
        _S + "RequestTakedownInput",
        _A + "request_takedown",
        announces="takedown_requested",
    ),
    "propose_referral": CaseAction(
        Who.ASSIGNED,
        _("Propose a referral to the police"),
        "workflows.api.ProposeReferralInput",
        "workflows.actions.propose_referral",
        announces="referral_propose",
    ),
    # 更正: a handler corrects, the head approves what changes a legal fact (cases.corrections).
    "correct": CaseAction(
        Who.HANDLER,
        _("Correct a record (更正)"),
        _S + "CorrectInput",
        "cases.corrections.correct",
        announces="correction_proposed",
    ),
    "approve_correction": CaseAction(
        Who.HEAD, _("Decide a correction"), _S + "ApproveCorrectionInput", "cases.corrections.approve_correction"
    ),
    "endorse_correction": CaseAction(
        Who.SUPERVISOR,
        _("Endorse a correction that takes a finding off the road to the police"),
        _S + "ApproveCorrectionInput",
        "cases.corrections.endorse_correction",
        announces="correction_endorsement",
    ),
    # 倒查: the holder's case joined to the seller's (cases/links.py).
    "link_case": CaseAction(
        Who.HANDLER_OR_SUPERVISOR,
        _("Link to the case of the certificate's source (倒查)"),
        _S + "LinkCaseInput",
        "cases.links.link_case",
    ),
    # 行政处罚法 第60条: the 90 days to decide, extended by the head with a reason.
    "extend_decision_period": CaseAction(
        Who.HEAD,
        _("Extend the period to decide the penalty"),
        _S + "ExtendDecisionInput",
        _A + "extend_decision_period",
    ),
    # 转办: the head replaces the handlers, with a reason; the new handlers are told.
    "reassign": CaseAction(
        Who.HEAD,
        _("Reassign the handlers (转办)"),
        _S + "ReassignInput",
        _A + "reassign_handlers",
        announces="case_reassigned",
    ),
    "close": CaseAction(Who.HEAD, _("Close the case"), _S + "CloseInput", _A + "close_case", "close"),
    "reopen": CaseAction(Who.SUPERVISOR, _("Reopen the case"), _S + "ReasonInput", _A + "reopen_case", "reopen"),
}


@dataclass(frozen=True)
class TakedownAction(Resolved):
    """One decision of the cyberspace office asked (DESIGN §3, takedown lifecycle): only a member
    of that office may take it, from the states of its `Takedown` transition."""

    title: Promise
    input: str
    run: str
    transition: str  # the `Takedown` transition it takes

    def possible(self, takedown: Takedown) -> bool:
        return can_proceed(getattr(takedown, self.transition))


# Keyed by the API route's action name (/takedowns/{id}/actions/{name}/); each appends the event
# named by its function.
TAKEDOWN_ACTIONS: dict[str, TakedownAction] = {
    "block": TakedownAction(_("Block the website"), _S + "TakedownBlockInput", _A + "block_takedown", "block"),
    "refuse": TakedownAction(_("Refuse the takedown"), _S + "TakedownRefuseInput", _A + "refuse_takedown", "refuse"),
}


# Agencies that own enforcement cases (市场监管 handles illegal intermediaries).
CASE_OWNER_KINDS = (Agency.Kind.SAFETY_REGULATOR, Agency.Kind.MARKET_REGULATOR)


def home_agency(user: AnyUser) -> Agency | None:
    """The agency whose cases the user may open: an officer or the head of a regulator; else None."""
    return next(
        (
            m.agency
            for m in jurisdiction.memberships_of(user)
            if m.agency.kind in CASE_OWNER_KINDS and m.role in (Membership.Role.OFFICER, Membership.Role.HEAD)
        ),
        None,
    )


def is_handler(user: AnyUser, case: Case) -> bool:
    # `.all()` so that a prefetched list is used on list and detail pages.
    return any(h.pk == user.pk for h in case.handlers.all())


def may(user: AnyUser, case: Case, action: str) -> bool:
    rule = CASE_ACTIONS[action]
    if rule.who is Who.SUPERVISOR:
        return jurisdiction.supervises(user, case.region)
    if rule.who is Who.HANDLER_OR_SUPERVISOR and jurisdiction.supervises(user, case.region):
        return True
    if rule.who is Who.STAFF:
        return jurisdiction.is_staff_of(user, case.agency_id)
    if rule.who is Who.ASSIGNED:
        staff = jurisdiction.is_staff_of(user, case.agency_id)
        return staff and is_handler(user, case) and not jurisdiction.is_head_of(user, case.agency_id)
    if jurisdiction.is_head_of(user, case.agency_id):
        return True
    if rule.who in (Who.HANDLER, Who.HANDLER_OR_SUPERVISOR):
        return jurisdiction.is_staff_of(user, case.agency_id) and is_handler(user, case)
    return False


def may_note(user: AnyUser, case: Case) -> bool:
    """Who writes an internal note (内部备注) on a case: whoever may act on it — its handlers and the
    head of its agency (Who.HANDLER), in any state of the case."""
    if jurisdiction.is_head_of(user, case.agency_id):
        return True
    return jurisdiction.is_staff_of(user, case.agency_id) and is_handler(user, case)


# Events that are not case actions of the table above, with their titles on the timeline.
OTHER_EVENT_TITLES: dict[str, Promise] = {
    "create": _("Lead registered"),
    "deadline_missed": _("Deadline missed, escalated"),
    "block_takedown": _("Website blocked"),
    "refuse_takedown": _("Takedown refused"),
    "add_evidence": _("Evidence added"),
    "list_case": _("Listed for supervision"),
    "report_listing_progress": _("Progress reported on the listing"),
    "review_listing": _("Listing reviewed, more asked"),
    "close_listing": _("Listing closed"),
    "mark_typical": _("Published as a typical case"),
    "add_note": _("Internal note"),
}
