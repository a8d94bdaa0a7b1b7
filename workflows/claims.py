"""Claim and release (认领 / 退回) of the tasks of an agency's queue, with viewflow's own assignment.

A task routed to a role (any member, the handlers, the head …) waits in the agency's queue
(本单位队列) until one of the people it is routed to claims it: viewflow's `assign` makes them the
task's owner (NEW → ASSIGNED), it leaves the queue and the other inboxes and stays in the
claimer's 我的待办. The claimer hands it back with `unassign` (ASSIGNED → NEW), with a reason if
they give one; the head of the task's agency may hand back a task someone holds. A claimed task
cannot be claimed by another (409). A claim organises the work only: the action that does the
step may still be taken by anyone entitled to it (flows.complete_open_tasks).
"""

from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from agencies import jurisdiction
from core.access import AnyUser
from core.errors import Code, Conflict

from .flows import OPEN
from .models import TaskRoute
from .tasks import open_tasks_q


def routed_to(user: AnyUser) -> QuerySet[TaskRoute]:
    """The open tasks routed to the user by agency and role (whoever holds them now)."""
    if not user.is_authenticated:
        return TaskRoute.objects.none()
    return TaskRoute.objects.filter(open_tasks_q(user), task__status__in=OPEN).exclude(excluded_user=user).distinct()


def claimed_by_another(user: AnyUser) -> Q:
    """The tasks someone other than the user holds: not in the user's inbox or queue."""
    return Q(task__owner__isnull=False) & ~Q(task__owner_id=user.pk)


def queue_of(user: AnyUser) -> QuerySet[TaskRoute]:
    """本单位队列: the open tasks of the user's agencies that nobody has claimed."""
    agencies = jurisdiction.agency_ids_of(user)
    return TaskRoute.objects.filter(agency_id__in=agencies, task__status__in=OPEN, task__owner__isnull=True)


def claimable_ids(user: AnyUser, routes: list[TaskRoute]) -> set[int]:
    """Of these routes, the tasks the user may claim now (one query)."""
    ids = [r.task_id for r in routes if r.task.owner_id is None]
    return set(routed_to(user).filter(task_id__in=ids).values_list("task_id", flat=True)) if ids else set()


def _route(user: User, task_id: int) -> TaskRoute:
    """The route of a task of the user's agencies, its task locked; 404 for any other (an id no
    database column can hold included: a foreign-key lookup does not check the range)."""
    if not 1 <= task_id < 2**63:
        raise TaskRoute.DoesNotExist
    route = (
        TaskRoute.objects.filter(task_id=task_id, agency_id__in=jurisdiction.agency_ids_of(user))
        .select_related("task", "agency")
        .first()
    )
    if route is None:
        raise TaskRoute.DoesNotExist
    route.task = Task.objects.select_for_update().get(pk=route.task_id)
    return route


def _log(task: Task, user: User, what: str, reason: str = "") -> None:
    """Each claim and release, kept with the task (viewflow's Task.data)."""
    entry: dict[str, Any] = {"what": what, "user": user.username, "at": timezone.now().isoformat()}
    if reason:
        entry["reason"] = reason
    task.data = {**(task.data or {}), "claims": [*(task.data or {}).get("claims", []), entry]}


def _holder(task: Task) -> str:
    owner = task.owner
    return (owner.get_full_name() or owner.username) if owner else ""


@transaction.atomic
def claim(user: User, task_id: int) -> TaskRoute:
    """认领: the task becomes the user's (viewflow assign). 404 not of the user's agencies; 403 not
    routed to the user; 409 `invalid_transition` held by someone else, or no longer open."""
    route = _route(user, task_id)
    task = route.task
    if task.status not in OPEN:
        raise Conflict(Code.INVALID_TRANSITION, _("This task is no longer open."))
    if not routed_to(user).filter(task_id=task.pk).exists():
        raise PermissionDenied(
            _("This task is not yours to do: it is for %(role)s.") % {"role": route.get_role_display()}
        )
    if task.owner_id == user.pk:
        return route  # claimed already by the same person: nothing to do
    if task.owner_id is not None:
        raise Conflict(
            Code.INVALID_TRANSITION,
            _("%(name)s has already claimed this task. Ask them, or the head, to hand it back.")
            % {"name": _holder(task)},
        )
    flow_task = task.flow_task
    if not flow_task.can_assign(user, task):
        raise PermissionDenied(_("You may not claim this task."))
    activation = flow_task.activation_class(task)
    activation.assign(user)  # NEW → ASSIGNED, the user its owner (saves the task)
    task.assigned = timezone.now()
    _log(task, user, "claim")
    task.save(update_fields=["assigned", "data"])
    return route


@transaction.atomic
def release(user: User, task_id: int, reason: str = "") -> TaskRoute:
    """退回: the task goes back to the queue (viewflow unassign). The one who holds it, or the head
    of the task's agency. 409 `invalid_transition` when nobody holds it."""
    route = _route(user, task_id)
    task = route.task
    holder = task.owner_id == user.pk
    head = jurisdiction.is_head_of(user, route.agency_id)
    if not (holder or head):
        raise PermissionDenied(_("Only the one who claimed this task, or the head, hands it back."))
    if task.status not in OPEN or task.owner_id is None or task.status != STATUS.ASSIGNED:
        raise Conflict(Code.INVALID_TRANSITION, _("Nobody has claimed this task: there is nothing to hand back."))
    _unassign(task, user, reason.strip())
    return route


def _unassign(task: Task, by: User, reason: str) -> None:
    activation = task.flow_task.activation_class(task)
    activation.unassign()  # ASSIGNED → NEW, no owner (saves the task)
    task.assigned = None
    _log(task, by, "release", reason)
    task.save(update_fields=["assigned", "data"])


def release_claims_of(case_id: int, users: list[User], by: User, reason: str) -> int:
    """The open tasks of a case held by these users that are no longer routed to them, back to the
    queue (a reassignment took them off the case). The caller's transaction, after the change;
    the number handed back."""
    count = 0
    for user in users:
        held = Task.objects.select_for_update().filter(route__case_id=case_id, status=STATUS.ASSIGNED, owner=user)
        still = routed_to(user).filter(case_id=case_id).values_list("task_id", flat=True)
        for task in held.exclude(pk__in=list(still)):
            _unassign(task, by, reason)
            count += 1
    return count
