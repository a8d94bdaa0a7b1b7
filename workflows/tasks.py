"""The caller's open tasks: the inbox query (one query, routed by agency and role)."""

from django.db.models import Q, QuerySet

from agencies import jurisdiction

from .flows import OPEN
from .models import TaskRoute


def open_tasks_q(user) -> Q:
    q = Q(pk__in=[])
    for m in jurisdiction.memberships_of(user):
        roles = [TaskRoute.Role.MEMBER]
        if m.role == "head":
            roles += [TaskRoute.Role.HEAD, TaskRoute.Role.HANDLER]
        if m.role == "supervisor":
            roles += [TaskRoute.Role.SUPERVISOR]
        q |= Q(agency_id=m.agency_id, role__in=roles)
        if m.role == "officer":
            q |= Q(agency_id=m.agency_id, role=TaskRoute.Role.HANDLER, case__handlers=user)
    return q


def open_tasks_for(user) -> QuerySet[TaskRoute]:
    if not getattr(user, "is_authenticated", False):
        return TaskRoute.objects.none()
    return (
        TaskRoute.objects.filter(open_tasks_q(user), task__status__in=OPEN)
        .exclude(excluded_user=user)
        .select_related("task")
        .distinct()
    )
