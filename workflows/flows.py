"""The police referral road (两法衔接) as a viewflow process: every human step is a task.

The referral's django-fsm status is the legal record; the flow says who works next. Each
referral action (workflows/actions.py) changes the status, then completes the open task,
and the Switch after it routes on the new status to the next human step.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow
from viewflow.workflow.flow.views import UpdateProcessView
from viewflow.workflow.models import Process

from agencies.jurisdiction import same_city_agency
from agencies.models import Agency
from cases.kinds import ReferralKind
from cases.models import Referral
from cases.models import ReferralStatus as R

from .deadlines import OPEN_TASKS
from .models import Deadline, TaskRoute

OPEN = OPEN_TASKS

# The human steps are completed through referral actions (API or forms), never by this view.
NO_FORM = UpdateProcessView.as_view(fields=[])


class ReferralProcess(Process):  # type: ignore[misc]  # viewflow ships no type information
    """A referral's process; the referral is its artifact."""

    class Meta:
        proxy = True
        verbose_name = _("referral process")


# The record an action has locked and changed while it moves its flow on (`advancing`): the flow's
# switches and routes read it instead of loading the process's artifact again.
_ADVANCING: ContextVar[Any] = ContextVar("advancing", default=None)


@contextmanager
def advancing(record: Any) -> Iterator[None]:
    token = _ADVANCING.set(record)
    try:
        yield
    finally:
        _ADVANCING.reset(token)


def artifact(activation: Any) -> Any:
    """The process's artifact: the record being advanced when it is that one, else as viewflow loads it."""
    process, record = activation.process, _ADVANCING.get()
    if (
        record is not None
        and process.artifact_object_id == record.pk
        and process.artifact_content_type_id == ContentType.objects.get_for_model(record).pk
    ):
        return record
    return process.artifact


def status_is(*statuses: str) -> Callable[[Any], bool]:
    return lambda activation: artifact(activation).status in statuses


def _awaits_outcome(activation: Any) -> bool:
    referral = artifact(activation)
    return bool(referral.kind == ReferralKind.PUBLIC_SECURITY and not referral.outcome)


def _explanation_pending(activation: Any) -> bool:
    referral = artifact(activation)
    return bool(referral.status == R.SUPERVISION and referral.explanation_requested_at and not referral.explained_at)


def _ps_not_registered(activation: Any) -> bool:
    referral = artifact(activation)
    return bool(referral.status == R.REJECTED and referral.kind == ReferralKind.PUBLIC_SECURITY)


def switch() -> Any:
    """A routing point: drawn without a name of its own on the chart."""
    return flow.Switch().Annotation(title=" ")


def task(title: Promise) -> Any:
    return flow.View(NO_FORM).Annotation(title=title).onCreate(this.route)


class ReferralFlow(flow.Flow):  # type: ignore[misc]  # viewflow ships no type information
    process_class = ReferralProcess
    process_title = _("Police referral")

    start = flow.StartHandle(this.start_process).Annotation(title=_("Referral proposed")).Next(this.decide)

    decide = task(_("Decide on the referral proposal")).Next(this.after_decide)
    after_decide = switch().Case(this.transmit, status_is(R.APPROVED)).Case(this.review_refusal, status_is(R.REFUSED))

    review_refusal = task(_("Review the refusal to refer")).Next(this.after_review)
    after_review = switch().Case(this.transmit, status_is(R.APPROVED)).Case(this.end, status_is(R.REFUSAL_ENDORSED))

    transmit = task(_("Transmit the referral to the police")).Next(this.receipt)

    receipt = task(_("Sign the receipt of the referral")).Next(this.after_receipt)
    after_receipt = (
        switch()
        .Case(this.police_decision, status_is(R.RECEIVED))
        .Case(this.receipt, status_is(R.TRANSMITTED))
        .Case(this.declined, status_is(R.JURISDICTION_DECLINED))
    )

    police_decision = task(_("Accept or reject the referral")).Next(this.after_police_decision)
    after_police_decision = (
        switch()
        .Case(this.hand_over, status_is(R.ACCEPTED))
        .Case(this.not_registered, _ps_not_registered)
        .Case(this.remedy, status_is(R.REJECTED))
        .Case(this.declined, status_is(R.JURISDICTION_DECLINED))
        .Case(this.receipt, status_is(R.TRANSMITTED))
        .Case(this.supplement, status_is(R.SUPPLEMENT_REQUESTED))
    )

    supplement = task(_("Supplement the materials the police asked for")).Next(this.police_decision)

    remedy = task(_("Decide on the rejection: reconsideration, procuratorate, or accept")).Next(this.after_remedy)
    after_remedy = (
        switch()
        .Case(this.reconsideration, status_is(R.RECONSIDERATION))
        .Case(this.supervision, status_is(R.SUPERVISION))
        .Case(this.end, status_is(R.REJECTION_FINAL))
    )

    # 不予受理 of a public-security matter: no reconsideration or supervision (LEGAL.md §2); the
    # agency accepts it and decides the administrative penalty itself.
    not_registered = task(_("Not registered by the police: accept it and decide the penalty")).Next(this.after_remedy)

    # 程序规定 第180条: not police business — no reconsideration; hand it on, or ask the procuratorate.
    declined = task(_("Not police business: hand it to the competent body, or ask the procuratorate")).Next(
        this.after_remedy
    )

    reconsideration = task(_("Decide the reconsideration")).Next(this.after_reconsideration)
    after_reconsideration = (
        switch().Case(this.hand_over, status_is(R.ACCEPTED)).Case(this.remedy_upheld, status_is(R.REJECTION_UPHELD))
    )

    remedy_upheld = task(_("Rejection upheld: ask the procuratorate or accept")).Next(this.after_remedy_upheld)
    after_remedy_upheld = (
        switch().Case(this.supervision, status_is(R.SUPERVISION)).Case(this.end, status_is(R.REJECTION_FINAL))
    )

    supervision = task(_("Supervise the rejected referral")).Next(this.after_supervision)
    after_supervision = (
        switch()
        .Case(this.file_case, status_is(R.FILING_ORDERED))
        .Case(this.hand_over, status_is(R.ACCEPTED))  # the police filed of their own (程序规定 第182条)
        .Case(this.end, status_is(R.REJECTION_FINAL))
        .Case(this.explain, _explanation_pending)
        .Case(this.supervision, status_is(R.SUPERVISION))
    )

    explain = task(_("Explain the non-filing to the procuratorate")).Next(this.after_supervision)

    file_case = task(_("File the case as the procuratorate ordered")).Next(this.hand_over)

    hand_over = task(_("Hand over evidence and items")).Next(this.after_hand_over)
    after_hand_over = switch().Case(this.outcome, _awaits_outcome).Default(this.end)

    outcome = task(_("Record the outcome of the public-security matter")).Next(this.end)

    end = flow.End().Annotation(title=_("Settled"))

    def start_process(self, activation: Any, referral: Referral) -> Any:
        activation.process.artifact = referral
        return activation.process

    def route(self, activation: Any) -> None:
        """Send the new task to the agency and role of DESIGN §3, with its legal due time."""
        referral = artifact(activation)
        step = activation.task.flow_task.name
        agency, role, excluded, deadline = ROUTES[step](referral)
        if agency is None:  # the case's city has no committee office, or nobody asked a procuratorate
            raise ImproperlyConfigured(f"No agency to route the {step} step of referral {referral.number} to.")
        due = (
            Deadline.objects.filter(referral=referral, step=deadline, met_at__isnull=True)
            .order_by("due_at")
            .values_list("due_at", flat=True)
            .first()
            if deadline
            else None
        )
        TaskRoute.objects.create(
            task=activation.task,
            case_id=referral.case_id,
            referral=referral,
            agency=agency,
            role=role,
            excluded_user=excluded,
            due_at=due,
        )


def _committee(referral: Referral) -> Agency | None:
    return same_city_agency(referral.case.region, Agency.Kind.COMMITTEE_OFFICE)


H, HANDLER, M, S = TaskRoute.Role.HEAD, TaskRoute.Role.HANDLER, TaskRoute.Role.MEMBER, TaskRoute.Role.SUPERVISOR


# step → (agency, role, the one person who must not do it, the deadline that dates it)
def _criminal_or(criminal: str, public_security: str) -> Callable[[Referral], str]:
    return lambda r: criminal if r.kind == ReferralKind.CRIMINAL else public_security


_remedy_deadline = _criminal_or("ask_reconsideration", "conclude_rejection")


_decision, _hand_over = _criminal_or("police_decision", "ps_decision"), _criminal_or("hand_over", "ps_hand_over")

# step → (agency, role, the one person who must not do it, the deadline that dates it)
ROUTES: dict[str, Callable[[Referral], tuple[Agency | None, str, User | None, str | None]]] = {
    "decide": lambda r: (r.referring_agency, H, r.proposed_by, "decide"),
    "review_refusal": lambda r: (_committee(r), S, None, None),
    "transmit": lambda r: (r.referring_agency, HANDLER, None, "transmit"),
    "receipt": lambda r: (r.police_agency, M, None, "receipt"),
    "police_decision": lambda r: (r.police_agency, H, None, _decision(r)),
    "supplement": lambda r: (r.referring_agency, HANDLER, None, "supplement"),
    "remedy": lambda r: (r.referring_agency, H, None, _remedy_deadline(r)),
    "declined": lambda r: (r.referring_agency, H, None, "answer_decline"),
    "not_registered": lambda r: (r.referring_agency, H, None, "conclude_rejection"),
    "reconsideration": lambda r: (r.police_agency, H, None, "decide_reconsideration"),
    "remedy_upheld": lambda r: (r.referring_agency, H, None, "ask_procuratorate"),
    "supervision": lambda r: (r.procuratorate, M, None, None),
    "explain": lambda r: (r.police_agency, H, None, "explain"),
    "file_case": lambda r: (r.police_agency, H, None, "file_after_order"),
    "hand_over": lambda r: (r.referring_agency, HANDLER, None, _hand_over(r)),
    "outcome": lambda r: (r.police_agency, H, None, "ps_outcome"),
}

# Actions that may run while another party's step is open (the police record a 治安 outcome before
# the agency has handed over): they complete only their own flow step, if it is open.
OWN_STEP_ONLY = {"record_outcome": "outcome"}


def start(referral: Referral) -> None:
    ReferralFlow.start.run(referral=referral)


def complete_open_tasks(routes: QuerySet[TaskRoute], actor: User, *, cancel: bool = False) -> None:
    """Complete (or cancel) the open human tasks behind these routes, by `actor`: the flow's
    Switch then routes to the next step. Shared by every flow whose steps are actions."""
    for route in routes.filter(task__status__in=OPEN).select_related("task"):
        with route.task.activation() as activation:
            if cancel:
                activation.cancel()
                continue
            if activation.assign.can_proceed():
                activation.assign(actor)
            elif activation.task.owner_id != actor.pk and activation.reassign.can_proceed():
                activation.reassign(actor)
            activation.start(None)
            activation.execute()


def advance(referral: Referral, actor: User, action: str = "") -> None:
    """Complete the referral's open human task by `actor`; the flow routes to the next step."""
    routes = TaskRoute.objects.filter(referral=referral)
    if action in OWN_STEP_ONLY:
        own = [r.pk for r in routes.select_related("task") if r.task.flow_task.name == OWN_STEP_ONLY[action]]
        routes = routes.filter(pk__in=own)
    with advancing(referral):
        complete_open_tasks(routes, actor)
