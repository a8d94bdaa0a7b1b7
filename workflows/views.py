"""The task inbox, the referral pages (police and regulator), and their short action forms."""

from typing import Any, Literal

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from viewflow.workflow import chart
from viewflow.workflow.status import STATUS

from agencies import jurisdiction
from agencies.models import Agency
from cases import actions as case_actions
from cases.access import get_case_for
from cases.api.views import case_detail_queryset
from cases.models import Event, Referral, ReferralDocument, ReferralStatus
from cases.referral_rules import REFERRAL_ACTIONS, may_referral
from cases.rules import CASE_ACTIONS, may
from cases.titles import EVENT_TITLES
from core import webforms
from core.access import AuthenticatedHttpRequest

from . import actions as referrals
from .access import get_referral_for, referrals_visible_to
from .flows import OPEN, ReferralFlow
from .models import Deadline, TaskRoute
from .tasks import open_tasks_for


def _tasks(
    request: AuthenticatedHttpRequest, qs: QuerySet[TaskRoute], order: tuple[str, ...] = ("due_at", "task_id")
) -> "Page[TaskRoute]":
    """The page of tasks the query string asks for."""
    rows = qs.select_related("task", "case", "referral").order_by(*order)
    return Paginator(rows, settings.LIST_PAGE_SIZE).get_page(request.GET.get("page"))


@login_required
def inbox(request: AuthenticatedHttpRequest) -> HttpResponse:
    """我的待办: the open tasks routed to me, soonest due first."""
    routes = _tasks(request, open_tasks_for(request.user))
    return render(request, "workflows/inbox.html", {"tab": "mine", "routes": routes})


@login_required
def queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    """本单位队列: everything open in my agencies, whoever must act."""
    agencies = jurisdiction.agency_ids_of(request.user)
    routes = _tasks(request, TaskRoute.objects.filter(agency_id__in=agencies, task__status__in=OPEN))
    return render(request, "workflows/inbox.html", {"tab": "queue", "routes": routes})


@login_required
def done(request: AuthenticatedHttpRequest) -> HttpResponse:
    """已办: the tasks I completed."""
    routes = _tasks(
        request,
        TaskRoute.objects.filter(task__owner=request.user, task__status=STATUS.DONE),
        order=("-task__finished", "-task_id"),
    )
    return render(request, "workflows/inbox.html", {"tab": "done", "routes": routes})


def _deadlines() -> "Prefetch[Literal['deadlines'], QuerySet[Deadline], Literal['open_deadlines']]":
    return Prefetch(
        "deadlines", queryset=Deadline.objects.filter(met_at__isnull=True).order_by("due_at"), to_attr="open_deadlines"
    )


@login_required
def referral_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    qs = (
        referrals_visible_to(request.user)
        .select_related("case", "referring_agency", "police_agency")
        .prefetch_related(_deadlines())
    )
    status = request.GET.get("status", "")
    if status:
        qs = qs.filter(status=status)
    page = Paginator(qs.order_by("-created_at", "-id"), settings.LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "workflows/referral_list.html",
        {"referrals": page, "statuses": ReferralStatus.choices, "status": status},
    )


def _process_id(referral: Referral) -> int | None:
    return TaskRoute.objects.filter(referral=referral).values_list("task__process_id", flat=True).first()


@login_required
def referral_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    referral = get_referral_for(request.user, pk)
    referral = (
        referrals_visible_to(request.user)
        .select_related("case__region", "case__agency", "referring_agency", "police_agency", "procuratorate")
        .prefetch_related("persons", "documents", "case__handlers", _deadlines())
        .get(pk=referral.pk)
    )
    return render(
        request,
        "workflows/referral_detail.html",
        {
            "referral": referral,
            "due": referral.open_deadlines[0] if referral.open_deadlines else None,
            "history": Event.objects.filter(referral=referral).select_related("actor", "agency").order_by("seq"),
            "actions": referrals.available_referral_actions(referral, request.user),
            "titles": EVENT_TITLES,
            "chart": chart_svg(referral),
        },
    )


def chart_svg(referral: Referral) -> str:
    """viewflow's chart of the referral flow, the steps done and the current one marked."""
    process_id = _process_id(referral)
    grid = chart.calc_layout_data(ReferralFlow)
    if process_id:
        chart.calc_cell_status(ReferralFlow, grid, process_id)
    svg: str = chart.grid_to_svg(grid)
    return svg


@login_required
def referral_chart(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return HttpResponse(chart_svg(get_referral_for(request.user, pk)), content_type="image/svg+xml")


DOC_FIELDS = [(kind, f"doc_{kind}") for kind in ReferralDocument.Kind.values]
DEFAULT_TITLES = {
    "transfer_letter": "涉嫌犯罪案件移送书",
    "investigation_report": "涉嫌犯罪案件调查报告",
    "evidence_list": "涉案物品清单",
}


def _documents_from(post: QueryDict) -> list[dict[str, str]]:
    titles = ((kind, post.get(name, "")) for kind, name in DOC_FIELDS)
    return [{"kind": kind, "title": title} for kind, title in titles if title.strip()]


def _referral_choices() -> dict[str, list[tuple[str, str]]]:
    return {
        "police_agency": [
            (a.slug, a.name) for a in Agency.objects.filter(kind=Agency.Kind.POLICE).order_by("region_id")
        ],
        "procuratorate": [
            (a.slug, a.name) for a in Agency.objects.filter(kind=Agency.Kind.PROCURATORATE).order_by("region_id")
        ],
    }


@login_required
def referral_action(request: AuthenticatedHttpRequest, pk: int, name: str) -> HttpResponse:
    referral = get_referral_for(request.user, pk)
    if name not in REFERRAL_ACTIONS:
        raise Http404
    if not may_referral(request.user, referral, name):
        raise PermissionDenied
    rule = REFERRAL_ACTIONS[name]
    documents = [
        (kind, name_, ReferralDocument.Kind(kind).label, DEFAULT_TITLES.get(kind, "")) for kind, name_ in DOC_FIELDS
    ]

    def done() -> HttpResponse:
        if referrals_visible_to(request.user).filter(pk=referral.pk).exists():
            return redirect("referrals:referral:detail", pk=referral.pk)
        return redirect("referrals:referral:index")  # forwarded away: no longer ours to see

    return webforms.action_form(
        request,
        title=rule.title,
        subject=referral,
        back_url=reverse("referrals:referral:detail", args=[referral.pk]),
        input_class=rule.input_class,
        run=lambda **data: rule.function(referral, actor=request.user, **data),
        done=done,
        choices=_referral_choices(),
        skip=("version", "documents"),
        extra=(lambda post: {"documents": _documents_from(post)}) if name == "transmit" else None,
        context={"documents": documents if name == "transmit" else None},
    )


@login_required
def propose(request: AuthenticatedHttpRequest, case_pk: int) -> HttpResponse:
    """移送建议 from the case page: the persons with a referable finding come preselected."""
    case = get_case_for(request.user, case_pk)
    if not may(request.user, case, "propose_referral"):
        raise PermissionDenied
    rule = CASE_ACTIONS["propose_referral"]
    case = case_detail_queryset(request.user).get(pk=case.pk)
    unreferred, _party = case_actions.unreferred(case)
    choices: dict[str, list[tuple[Any, str]]] = {
        "persons": [(p.pk, f"{p.name}（{p.id_masked}）") for p in case.persons.all()]
    } | _referral_choices()
    choices["police_agency"] = [("", _("the police of the case's city"))] + choices["police_agency"]
    return webforms.action_form(
        request,
        title=rule.title,
        subject=case,
        back_url=reverse("cases:case:detail", args=[case.pk]),
        input_class=rule.input_class,
        run=lambda **data: referrals.propose_referral(case, actor=request.user, **data),
        done=lambda: redirect("cases:case:detail", pk=case.pk),
        choices=choices,
        initial={"persons": [str(i) for i in unreferred]},
        success=_("Referral proposed; the head decides within 3 days."),
    )
