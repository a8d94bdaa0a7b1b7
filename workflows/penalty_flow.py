"""The procedure of an administrative penalty (行政处罚法 第44、45、57–64条) as a viewflow process.

The penalty's django-fsm status is the legal record; the flow says who works next, like the
referral road (flows.py): each penalty action changes the status, then completes the open task,
and the Switch after it routes on the new status. The party's statements are recorded at any
time and complete nothing; its request for a hearing ends the head's wait for the decision and
opens the hearing's steps.
"""

from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow
from viewflow.workflow.models import Process

from cases.models import Penalty
from cases.models import PenaltyStatus as P

from .flows import OPEN, advancing, artifact, complete_open_tasks, status_is, switch, task
from .models import Deadline, TaskRoute
from .penalty_periods import party_heard_until


class PenaltyProcess(Process):  # type: ignore[misc]  # viewflow ships no type information
    """A penalty's process; the penalty is its artifact."""

    class Meta:
        proxy = True
        verbose_name = _("penalty process")


def _reviewed_or_not_needed(activation: Any) -> bool:
    penalty = artifact(activation)
    return bool(penalty.reviewed_at is not None or not penalty.hearing_right)


def _to_review(activation: Any) -> bool:
    penalty = artifact(activation)
    return bool(penalty.status in (P.NOTIFIED, P.HEARD) and not _reviewed_or_not_needed(activation))


def _to_decide(activation: Any) -> bool:
    penalty = artifact(activation)
    return bool(penalty.status in (P.NOTIFIED, P.HEARD) and _reviewed_or_not_needed(activation))


class PenaltyFlow(flow.Flow):  # type: ignore[misc]  # viewflow ships no type information
    process_class = PenaltyProcess
    process_title = _("Administrative penalty")

    start = flow.StartHandle(this.start_process).Annotation(title=_("Penalty proposed")).Next(this.after_start)
    # A head who starts the procedure himself (impose_fine, suspend_production) has approved it.
    after_start = switch().Case(this.approve, status_is(P.PROPOSED)).Case(this.notify, status_is(P.APPROVED))

    approve = task(_("Approve the proposed penalty")).Next(this.after_approve)
    after_approve = switch().Case(this.notify, status_is(P.APPROVED)).Case(this.end, status_is(P.REFUSED))

    notify = task(_("Serve the advance notice of the penalty (事先告知书)")).Next(this.heard)

    # Where the procedure goes once the party was notified or heard: a requested hearing is
    # scheduled; a decision that needs the legal review (第58条) gets it first; then the head decides.
    heard = (
        switch()
        .Case(this.schedule, status_is(P.HEARING_REQUESTED))
        .Case(this.review, _to_review)
        .Case(this.decide, _to_decide)
        .Case(this.serve, status_is(P.DECIDED))
    )
    review = task(_("Legal review of the penalty (法制审核)")).Next(this.heard)
    decide = task(_("Decide the penalty after the party was heard")).Next(this.heard)

    schedule = task(_("Designate the presiding officer and schedule the hearing (听证通知书)")).Next(this.hearing)
    hearing = task(_("Hold the hearing and record it")).Next(this.heard)

    serve = task(_("Serve the penalty decision (送达)")).Next(this.end)

    end = flow.End().Annotation(title=_("Penalty served"))

    def start_process(self, activation: Any, penalty: Penalty) -> Any:
        activation.process.artifact = penalty
        return activation.process

    def route(self, activation: Any) -> None:
        """Send the new task to the agency and role that acts (or the one person), with its due time."""
        penalty = artifact(activation)
        step = activation.task.flow_task.name
        role, excluded, deadline = ROUTES[step](penalty)
        not_before = None
        if step == "hearing":  # the designated presiding officer, by the hearing's own time
            due, user = penalty.hearing_at, penalty.hearing_officer
        else:
            if step in WAIT_FOR_PARTY:
                not_before = party_heard_until(penalty)
            user = None
            due = (
                Deadline.objects.filter(case_id=penalty.case_id, step=deadline, met_at__isnull=True)
                .order_by("due_at")
                .values_list("due_at", flat=True)
                .first()
                if deadline
                else None
            )
        TaskRoute.objects.create(
            task=activation.task,
            case_id=penalty.case_id,
            penalty=penalty,
            agency_id=penalty.case.agency_id,
            role=role,
            excluded_user=excluded,
            user=user,
            due_at=due,
            not_before=not_before,
        )


H, HANDLER, PERSON, LEGAL = TaskRoute.Role.HEAD, TaskRoute.Role.HANDLER, TaskRoute.Role.PERSON, TaskRoute.Role.LEGAL

# step → (role, the one person who must not do it, the deadline that dates it)
ROUTES: dict[str, Callable[[Penalty], tuple[str, User | None, str | None]]] = {
    "approve": lambda p: (H, p.proposed_by, "decide_penalty"),
    "notify": lambda p: (HANDLER, None, "decide_penalty"),
    "review": lambda p: (LEGAL, p.proposed_by, "decide_penalty"),
    "decide": lambda p: (H, None, "decide_penalty"),
    # 第64条第四项: the agency designates who presides; the head schedules.
    "schedule": lambda p: (H, None, "decide_penalty"),
    "hearing": lambda p: (PERSON, None, None),
    "serve": lambda p: (HANDLER, None, "serve_penalty"),
}


# The steps that wait for the party's periods to end (or be waived): the inbox says from when.
WAIT_FOR_PARTY = ("review", "decide")


def wait_for_party(penalty: Penalty) -> None:
    """The party waived a period: its open tasks may be done from the new end (or now)."""
    TaskRoute.objects.filter(penalty=penalty, task__status__in=OPEN).update(not_before=party_heard_until(penalty))


def start(penalty: Penalty) -> None:
    PenaltyFlow.start.run(penalty=penalty)


def advance(penalty: Penalty, actor: User) -> None:
    """Complete the penalty's open task by `actor`; the flow routes to the next step."""
    with advancing(penalty):
        complete_open_tasks(TaskRoute.objects.filter(penalty=penalty), actor)
