"""The caller's open tasks: the inbox query (one query, routed by agency and role)."""

from django.contrib.auth.models import User
from django.db.models import Q, QuerySet

from agencies import jurisdiction
from core.access import AnyUser

from .flows import OPEN
from .models import TaskRoute


def open_tasks_q(user: User) -> Q:
    """The open-task filter of a signed-in user's inbox (open_tasks_for answers the anonymous with none)."""
    q = Q(role=TaskRoute.Role.PERSON, user=user)
    for m in jurisdiction.memberships_of(user):
        roles = [TaskRoute.Role.MEMBER]
        if m.role == "head":
            roles += [TaskRoute.Role.HEAD, TaskRoute.Role.HANDLER]
        if m.role == "supervisor":
            roles += [TaskRoute.Role.SUPERVISOR]
        if m.legal_review:
            roles += [TaskRoute.Role.LEGAL]
        q |= Q(agency_id=m.agency_id, role__in=roles)
        if m.role == "officer":
            q |= Q(agency_id=m.agency_id, role=TaskRoute.Role.HANDLER, case__handlers=user)
    return q


def open_tasks_for(user: AnyUser) -> QuerySet[TaskRoute]:
    if not user.is_authenticated:
        return TaskRoute.objects.none()
    return (
        TaskRoute.objects.filter(open_tasks_q(user), task__status__in=OPEN)
        .exclude(excluded_user=user)
        # A task someone else claimed is theirs (workflows/claims.py).
        .exclude(Q(task__owner__isnull=False) & ~Q(task__owner=user.pk))
        .select_related("task")
        .distinct()
    )
