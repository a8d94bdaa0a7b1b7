"""Claim and release of queue tasks (workflows/claims.py): the buttons of the task pages and
`POST /api/v1/tasks/{id}/claim/`, `POST /api/v1/tasks/{id}/release/`."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from core.access import AuthenticatedHttpRequest, AuthenticatedRequest
from core.api.schema import errors, example
from core.errors import Conflict

from . import claims
from .api import TaskOutput
from .models import TaskRoute


def _back(request: AuthenticatedHttpRequest, default: str) -> HttpResponse:
    """Back to the page the button was on (a path of this site), else `default`."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(default)


@login_required
@require_POST
def claim_task(request: AuthenticatedHttpRequest, task_pk: int) -> HttpResponse:
    """认领: the task leaves the queue for the claimer's 我的待办."""
    try:
        route = claims.claim(request.user, task_pk)
    except TaskRoute.DoesNotExist:
        raise Http404 from None
    except Conflict as exc:
        messages.error(request, exc.detail)
        return _back(request, "tasks:queue:index")
    messages.success(request, _("Claimed: %(task)s. It is in your tasks now.") % {"task": route.task.title})
    return redirect("tasks:mine:index")


@login_required
@require_POST
def release_task(request: AuthenticatedHttpRequest, task_pk: int) -> HttpResponse:
    """退回: the task goes back to the agency's queue, with the reason given if any."""
    try:
        route = claims.release(request.user, task_pk, request.POST.get("reason", "")[:500])
    except TaskRoute.DoesNotExist:
        raise Http404 from None
    except Conflict as exc:
        messages.error(request, exc.detail)
        return _back(request, "tasks:mine:index")
    messages.success(request, _("Handed back to the queue: %(task)s.") % {"task": route.task.title})
    return _back(request, "tasks:mine:index")


class ClaimOutput(TaskOutput):
    claimed_by = serializers.CharField(source="task.owner.username", allow_null=True, default=None)


@example({"reason": "出差，无法按时办理"})
class ReleaseInput(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True)


def _answer(route: TaskRoute) -> Response:
    route = TaskRoute.objects.select_related("task", "task__owner").get(pk=route.pk)
    return Response(ClaimOutput(route, context={"now": timezone.now()}).data)


class ClaimTask(APIView):
    """Claim a task of the caller's agency queue routed to the caller (viewflow assign): it leaves
    the queue and the other inboxes. 403 not routed to the caller; 409 `invalid_transition` when
    someone else holds it or it is no longer open; claiming one's own claim again changes nothing."""

    @extend_schema(request=None, responses={200: ClaimOutput, **errors(403, 404, 409)})
    def post(self, request: AuthenticatedRequest, pk: int) -> Response:
        try:
            return _answer(claims.claim(request.user, pk))
        except TaskRoute.DoesNotExist:
            raise NotFound from None


class ReleaseTask(APIView):
    """Hand a claimed task back to the queue (viewflow unassign), with an optional reason: the one
    who holds it, or the head of the task's agency. 409 `invalid_transition` when nobody holds it."""

    @extend_schema(request=ReleaseInput, responses={200: ClaimOutput, **errors(400, 403, 404, 409)})
    def post(self, request: AuthenticatedRequest, pk: int) -> Response:
        data = ReleaseInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            return _answer(claims.release(request.user, pk, data.validated_data.get("reason", "")))
        except TaskRoute.DoesNotExist:
            raise NotFound from None
