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
from django.utils import timezone
from django.utils.translation import gettext as _
from viewflow.workflow import chart
from viewflow.workflow.status import STATUS

from agencies import jurisdiction
from agencies.models import Agency, Region
from cases import actions as case_actions
from cases.access import get_case_for, identities_shown
from cases.api.views import case_detail_queryset
from cases.models import Correction, Event, IdNumberView, Referral, ReferralDocument, ReferralStatus
from cases.referral_rules import REFERRAL_ACTIONS, may_referral
from cases.rules import CASE_ACTIONS, may
from cases.titles import EVENT_TITLES
from core import webforms
from core.access import AuthenticatedHttpRequest

from . import actions as referrals
from . import documents
from .access import get_referral_for, referrals_visible_to
from .api import referral_queryset
from .flows import OPEN, ReferralFlow
from .models import Deadline, TaskRoute
from .steps import STEPS, next_due
from .tasks import open_tasks_for


def _tasks(
    request: AuthenticatedHttpRequest, qs: QuerySet[TaskRoute], order: tuple[str, ...] = ("due_at", "task_id")
) -> "Page[TaskRoute]":
    """The page of tasks the query string asks for."""
    rows = qs.select_related("task", "case", "referral").order_by(*order)
    return Paginator(rows, settings.LIST_PAGE_SIZE).get_page(request.GET.get("page"))


@login_required
def inbox(request: AuthenticatedHttpRequest) -> HttpResponse:
    """我的待办: the open tasks routed to me, soonest due first; for a head, the corrections awaiting
    approval, and for a supervisor those awaiting endorsement (更正, cases/corrections.py)."""
    routes = _tasks(request, open_tasks_for(request.user))
    return render(
        request,
        "workflows/inbox.html",
        {"tab": "mine", "routes": routes, "now": timezone.now(), "corrections": _corrections_for(request.user)},
    )


def _corrections_for(user: Any) -> list[Correction]:
    heads = [m.agency_id for m in jurisdiction.memberships_of(user) if m.role == "head"]
    mine = Correction.objects.filter(status=Correction.Status.PROPOSED, case__agency_id__in=heads)
    paths = jurisdiction.supervised_paths(user)
    if paths:
        mine = mine | Correction.objects.filter(
            jurisdiction.region_q(paths, "case__region__path"), status=Correction.Status.ENDORSEMENT
        )
    return list(mine.select_related("case", "proposed_by").order_by("proposed_at")[:50])


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
    for referral in page:
        referral.next_deadline = next_due(referral.open_deadlines)  # type: ignore[attr-defined]
    return render(
        request,
        "workflows/referral_list.html",
        {"referrals": page, "statuses": ReferralStatus.choices, "status": status},
    )


def _process_id(referral: Referral) -> int | None:
    return TaskRoute.objects.filter(referral=referral).values_list("task__process_id", flat=True).first()


@login_required
def referral_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    referral = referral_queryset(request.user).get(pk=get_referral_for(request.user, pk).pk)
    # The police and the procuratorates cannot act on a masked number (LEGAL.md §2); each full one is recorded.
    shown = identities_shown(request.user, referral.case)
    persons = [(p, shown.of(p), documents.offences_of(referral, p)) for p in referral.persons.all()]
    IdNumberView.record(
        request.user, referral.case, IdNumberView.Via.WEB, sum(1 for _p, n, _o in persons if "*" not in n)
    )
    periods = sorted(referral.deadlines.all(), key=lambda d: (d.starts_at, d.pk))
    due = next_due(periods)
    now = timezone.now()
    # The rights that lapse before long: shown beside the next duty (the 24 hours to ask for 补正).
    bars = [d for d in periods if d.met_at is None and STEPS[d.step].bars_action and d.due_at > now and d != due]
    return render(
        request,
        "workflows/referral_detail.html",
        {
            "referral": referral,
            "persons": persons,
            "due": due,
            "bars": bars,
            "periods": periods,
            "papers": [name for name, paper in documents.PAPERS.items() if paper.exists(referral)],
            "paper_titles": {name: paper.title(referral) for name, paper in documents.PAPERS.items()},
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


def _police_choices(region: Region, exclude: tuple[int | None, ...] = ()) -> list[tuple[str, str]]:
    """The police agencies of the case's province (referrals.police_of_province)."""
    police = Agency.objects.filter(
        kind=Agency.Kind.POLICE, region__path__startswith=region.path.split("/")[0] + "/"
    ).exclude(pk__in=[pk for pk in exclude if pk])
    return [(a.slug, a.name) for a in police.order_by("region_id")]


def _referral_choices(referral: Referral) -> dict[str, list[tuple[str, str]]]:
    """A forward goes to another police agency; supervision to a procuratorate over the police."""
    return {
        "police_agency": _police_choices(referral.case.region, (referral.police_agency_id, referral.forwarded_from_id)),
        "procuratorate": [(a.slug, a.name) for a in referrals.competent_procuratorates(referral.police_agency)],
    }


@login_required
def referral_action(request: AuthenticatedHttpRequest, pk: int, name: str) -> HttpResponse:
    referral = get_referral_for(request.user, pk)
    if name not in REFERRAL_ACTIONS:
        raise Http404
    if not may_referral(request.user, referral, name):
        raise PermissionDenied
    rule = REFERRAL_ACTIONS[name]
    # The papers sent: the package of 310号令 第6条 on transmission, what the police asked for on a supplement.
    defaults = DEFAULT_TITLES if name == "transmit" else {}
    documents = [
        (kind, name_, ReferralDocument.Kind(kind).label, defaults.get(kind, ""))
        for kind, name_ in DOC_FIELDS
        if name == "transmit" or kind != ReferralDocument.Kind.TRANSFER_LETTER  # the letter went with the referral
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
        choices=_referral_choices(referral),
        skip=("version", "documents"),
        extra=(lambda post: {"documents": _documents_from(post)}) if name in ("transmit", "supplement") else None,
        context={"documents": documents if name in ("transmit", "supplement") else None},
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
    }
    choices["police_agency"] = [("", _("the police of the case's city"))] + _police_choices(case.region)
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
