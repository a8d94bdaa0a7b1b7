"""The task inbox, the referral pages (police and regulator), and their short action forms."""

from typing import Any, Literal

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import Min, Prefetch, Q, QuerySet
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.exceptions import ValidationError as DRFValidationError
from viewflow.workflow import chart
from viewflow.workflow.status import STATUS

from agencies import jurisdiction
from agencies.models import Agency, Region
from cases import actions as case_actions
from cases import queries as case_queries
from cases.access import get_case_for, identities_shown
from cases.api.views import case_detail_queryset
from cases.kinds import ReferralKind
from cases.models import (
    COVERING_REFERRAL_STATUSES,
    Correction,
    Event,
    IdNumberView,
    Referral,
    ReferralDocument,
    ReferralStatus,
)
from cases.referral_rules import REFERRAL_ACTIONS, may_referral
from cases.rules import CASE_ACTIONS, may
from cases.titles import EVENT_TITLES
from core import lists, webforms
from core.access import AuthenticatedHttpRequest
from core.calendar import legal_time

from . import actions as referrals
from . import claims, deadlines, documents
from .access import get_referral_for, referrals_visible_to
from .api import WEB_REQUIRED_FILES, AcceptForm, TransmitForm, referral_queryset
from .flows import ReferralFlow
from .models import Deadline, TaskRoute
from .steps import ESCALATING_STEPS, STEPS, next_due
from .tasks import open_tasks_for


def _tasks(
    request: AuthenticatedHttpRequest, qs: QuerySet[TaskRoute], order: tuple[str, ...] = ("due_at", "task_id")
) -> "Page[TaskRoute]":
    """The page of tasks the query string asks for."""
    rows = qs.select_related("task", "case", "referral").order_by(*order)
    return Paginator(rows, settings.LIST_PAGE_SIZE).get_page(request.GET.get("page"))


@login_required
def inbox(request: AuthenticatedHttpRequest) -> HttpResponse:
    """我的待办: the open tasks routed to me, soonest due first; the running deadlines I must act on
    that no task of mine shows (the 3 days to propose a referral after a referable finding); for a
    head, the corrections awaiting approval, and for a supervisor those awaiting endorsement (更正,
    cases/corrections.py)."""
    routes = _tasks(request, open_tasks_for(request.user))
    return render(
        request,
        "workflows/inbox.html",
        {
            "tab": "mine",
            "routes": routes,
            "now": timezone.now(),
            "deadlines": _my_deadlines(request.user, routes),
            "corrections": _corrections_for(request.user),
        },
    )


def _my_deadlines(user: Any, routes: "Page[TaskRoute]", limit: int = 50) -> list[Deadline]:
    """My running deadlines (workflows.deadlines.owned_by), but those a task on the page already shows."""
    tasks = {(r.case_id, r.referral_id, r.due_at) for r in routes if r.due_at}
    mine = deadlines.owned_by(user)[: limit + len(tasks)]
    return [d for d in mine if (d.case_id, d.referral_id, d.due_at) not in tasks][:limit]


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
    """本单位队列: everything open in my agencies that nobody has claimed, whoever must act; a task
    routed to me can be claimed from here (workflows/claims.py)."""
    routes = _tasks(request, claims.queue_of(request.user))
    claimable = claims.claimable_ids(request.user, list(routes))
    return render(request, "workflows/inbox.html", {"tab": "queue", "routes": routes, "claimable": claimable})


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


REFERRAL_LIST = lists.register(
    lists.ListSpec(
        name="referrals",
        title=gettext_lazy("Referrals"),
        url_name="referrals:referral:index",
        columns=(
            lists.Column("number", gettext_lazy("number"), ("number",)),
            lists.Column("party", gettext_lazy("Party"), ("case__party_name",)),
            lists.Column("status", gettext_lazy("status"), ("status",)),
            lists.Column("from", gettext_lazy("from"), ("referring_agency__name",)),
            lists.Column("to", gettext_lazy("to"), ("police_agency__name",)),
            lists.Column("due", gettext_lazy("next legal deadline"), ("next_due",)),
            lists.Column("created", gettext_lazy("proposed at"), ("created_at",)),
        ),
        default_sort="-created",
        texts=("party", "person"),
    )
)


@login_required
def referral_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The referrals the user sees, filtered by status, region, party, person and overdue, sorted by
    ?sort=, paged with the total, exported with ?export=xlsx (core.lists). The form posts: the party
    and person typed go into the session under a search token, never into the address."""
    params = (request.POST if request.method == "POST" else request.GET).copy()
    errors: dict[str, list[str]] = {}
    texts = lists.texts_of(request, REFERRAL_LIST, params) if request.method == "GET" else {}
    if texts is None:
        errors["search"] = [lists.expired()]
    for name, text in (texts or {}).items():
        params[name] = text
    filters: dict[str, Any] = {}
    try:
        filters = case_queries.referral_list_params(params)
    except DRFValidationError as exc:
        errors |= {k: [str(m) for m in v] for k, v in exc.detail.items()}  # type: ignore[union-attr]
    sort, order, sort_errors = lists.sort_of(REFERRAL_LIST, params)
    errors |= sort_errors
    if request.method == "POST" and not errors:
        query = QueryDict(mutable=True)
        for name in ("status", "region", "overdue", "sort"):
            if params.get(name):
                query[name] = str(params.get(name))
        token = lists.texts_token(request, REFERRAL_LIST, params)
        if token:
            query["search"] = token
        return redirect(f"{request.path}?{query.urlencode()}" if query else request.path)
    page = None
    if not errors:
        qs = case_queries.filter_referrals(
            referrals_visible_to(request.user)
            .select_related("case", "referring_agency", "police_agency")
            .prefetch_related(_deadlines(), "persons"),
            filters,
        )
        if sort.removeprefix("-") == "due":
            duty = Q(deadlines__met_at__isnull=True, deadlines__step__in=ESCALATING_STEPS)
            qs = qs.annotate(next_due=Min("deadlines__due_at", filter=duty))
        qs = qs.order_by(*order)
        if params.get("export"):
            return lists.export(request, REFERRAL_LIST, qs, _referral_export_header(), _referral_export_row)
        page = lists.page_of(request, qs)
        for referral in page:
            referral.next_deadline = next_due(referral.open_deadlines)
    return render(
        request,
        "workflows/referral_list.html",
        {
            "referrals": page if page is not None else [],
            "page": page,
            "params": params,
            "list_errors": [m for msgs in errors.values() for m in msgs],
            "statuses": ReferralStatus.choices,
            "regions": Region.objects.filter(level__in=("province", "city")).order_by("code"),
            **lists.context(request, REFERRAL_LIST, sort, page),
        },
        status=400 if errors else 200,
    )


def _referral_export_header() -> list[str]:
    return [
        _("number"),
        _("kind"),
        _("status"),
        _("party"),
        _("persons referred"),
        _("from"),
        _("to"),
        _("next legal deadline"),
        _("proposed at"),
        _("transmitted at"),
    ]


def _referral_export_row(r: Referral) -> list[Any]:
    """The row in words; ID numbers masked, as the list shows them."""
    due = next_due(r.open_deadlines)  # type: ignore[attr-defined]
    return [
        r.number,
        r.get_kind_display(),
        r.status_label,
        r.case.party_name,
        "、".join(f"{p.name}（{p.id_masked}）" for p in r.persons.all()),
        r.referring_agency.name,
        r.police_agency.name,
        f"{due.label}：{legal_time(due.due_at)}" if due else "",  # a last day ends at 24:00
        f"{timezone.localtime(r.created_at):%Y-%m-%d %H:%M}",
        f"{timezone.localtime(r.transmitted_at):%Y-%m-%d %H:%M}" if r.transmitted_at else "",
    ]


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
            "steps": referral_steps(referral),
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


# The usual road of a referral (its flow's nodes), shown ahead of the step open now.
MAIN_ROAD = ("start", "decide", "transmit", "receipt", "police_decision", "hand_over", "outcome", "end")
# Without a process (a referral recorded before the flow ran): the step its status waits for.
STATUS_STEP = {
    ReferralStatus.PROPOSED: "decide",
    ReferralStatus.APPROVED: "transmit",
    ReferralStatus.REFUSED: "review_refusal",
    ReferralStatus.TRANSMITTED: "receipt",
    ReferralStatus.RECEIVED: "police_decision",
    ReferralStatus.SUPPLEMENT_REQUESTED: "supplement",
    ReferralStatus.JURISDICTION_DECLINED: "declined",
    ReferralStatus.ACCEPTED: "hand_over",
    ReferralStatus.REJECTED: "remedy",
    ReferralStatus.RECONSIDERATION: "reconsideration",
    ReferralStatus.REJECTION_UPHELD: "remedy_upheld",
    ReferralStatus.SUPERVISION: "supervision",
    ReferralStatus.FILING_ORDERED: "file_case",
}


def referral_steps(referral: Referral) -> list[dict[str, Any]]:
    """The referral's road as a list a person reads (the chart's text is too small on a page): the
    steps taken, from its viewflow process, each with the day it ended; the step open now, marked,
    with the agency that must act and its due time; then the usual steps still ahead. Each step:
    {"name", "title", "state": done | current | next, "at", "agency", "due"}."""
    steps: list[dict[str, Any]] = []
    process_id = _process_id(referral)
    if process_id:
        tasks = (
            ReferralFlow.task_class.objects.filter(process_id=process_id, flow_task_type__in=("START", "HUMAN", "END"))
            .exclude(status=STATUS.CANCELED)
            .select_related("route__agency")
            .order_by("created", "pk")
        )
        # A step is done by one of several actions (the police's decision step by 立案, 不予立案 or a
        # request for materials): a done step is named by the action that ended it.
        events = list(Event.objects.filter(referral=referral).order_by("at", "pk").values_list("action", "at"))
        for task in tasks:
            node = task.flow_task
            done = task.status == STATUS.DONE
            route = getattr(task, "route", None)
            steps.append(
                {
                    "name": node.name,
                    "title": _ended_by(events, task.finished) or node.task_title if done else node.task_title,
                    "state": "done" if done else "current",
                    "at": task.finished if done else None,
                    "agency": route.agency.name if route and not done else "",
                    "due": route.due_at if route and not done else None,
                }
            )
    elif referral.status in STATUS_STEP:
        node = getattr(ReferralFlow, STATUS_STEP[referral.status])
        steps.append({"name": node.name, "title": node.task_title, "state": "current", "at": None})
    if any(step["name"] == "end" for step in steps) or referral.status in COVERING_REFERRAL_STATUSES:
        return steps
    current = [step["name"] for step in steps if step["state"] == "current"]
    at = MAIN_ROAD.index(current[-1]) if current and current[-1] in MAIN_ROAD else len(MAIN_ROAD) - 2
    for name in MAIN_ROAD[at + 1 :]:
        if name == "outcome" and referral.kind != ReferralKind.PUBLIC_SECURITY:
            continue
        node = getattr(ReferralFlow, name)
        steps.append({"name": name, "title": node.task_title, "state": "next", "at": None})
    return steps


def _ended_by(events: list[tuple[str, Any]], finished: Any) -> str:
    """The title of the referral's action recorded when a task was finished (within a minute)."""
    if finished is None:
        return ""
    near = [(abs((at - finished).total_seconds()), action) for action, at in events if action in REFERRAL_ACTIONS]
    best = min(near, default=None)
    return str(EVENT_TITLES[best[1]]) if best is not None and best[0] < 60 else ""


@login_required
def referral_chart(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return HttpResponse(chart_svg(get_referral_for(request.user, pk)), content_type="image/svg+xml")


DOC_FIELDS = [(kind, f"doc_{kind}") for kind in ReferralDocument.Kind.values]
# The package of 310号令 第6条 on the transmit form, as files (the 移送书 is Xianjie's letter).
PACKAGE_KINDS = [k for k in ReferralDocument.Kind.values if k != ReferralDocument.Kind.TRANSFER_LETTER]


def _documents_from(post: QueryDict) -> list[dict[str, str]]:
    titles = ((kind, post.get(name, "")) for kind, name in DOC_FIELDS)
    return [{"kind": kind, "title": title} for kind, title in titles if title.strip()]


def _package_from(request: AuthenticatedHttpRequest) -> list[dict[str, Any]]:
    """The files of the transmit form: the case's files ticked under each kind, and the uploads."""
    chosen = [{"kind": k, "evidence": v} for k in PACKAGE_KINDS for v in request.POST.getlist(f"files_{k}") if v]
    uploads = [{"kind": k, "upload": u} for k in PACKAGE_KINDS for u in request.FILES.getlist(f"upload_{k}")]
    return chosen + uploads


def _package_form(request: AuthenticatedHttpRequest, referral: Referral) -> list[dict[str, Any]]:
    """Each kind of the package with the case's files to tick (those ticked before kept ticked)."""
    files = list(referral.case.evidence.order_by("uploaded_at", "pk"))
    return [
        {
            "kind": kind,
            "key": f"package_{kind}",
            "label": ReferralDocument.Kind(kind).label,
            "required": kind in WEB_REQUIRED_FILES,
            "files": [(e, str(e.pk) in request.POST.getlist(f"files_{kind}")) for e in files],
        }
        for kind in PACKAGE_KINDS
    ]


def _accept_labels(referral: Referral) -> dict[str, Any]:
    """立案 of a suspected crime; 受理 of a public-security matter (its 案由 and 受案登记表)."""
    if referral.criminal:
        return {"police_case_number": gettext_lazy("filing number (立案编号)")}
    return {
        "police_case_number": gettext_lazy("registration number (受案编号)"),
        "filed_on": gettext_lazy("registration date (受案日期)"),
        "charge": gettext_lazy("cause of the matter (案由)"),
        "filing_decision": gettext_lazy("registration form (受案登记表)"),
    }


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
    # What the police asked for on a supplement, named (the letter went with the referral).
    named = [
        (kind, name_, ReferralDocument.Kind(kind).label, "")
        for kind, name_ in DOC_FIELDS
        if kind != ReferralDocument.Kind.TRANSFER_LETTER
    ]
    # 审批意见 on the decisions; the package as files on the transmission; 立案 with its file.
    form: dict[str, Any] = {"input_class": rule.input_class, "skip": ("version", "documents")}
    if name == "approve":
        form["initial"] = {"opinion": _("Agreed: refer to the police.")}
        form["labels"] = {"opinion": gettext_lazy("approval opinion (审批意见)")}
    elif name == "refuse":
        form["skip"] = ("version", "opinion")
        form["labels"] = {"reason": gettext_lazy("approval opinion: why the referral is refused (审批意见)")}
    elif name == "transmit":
        form |= {
            "input_class": TransmitForm,
            "skip": ("version", "files"),
            "extra": lambda post: {"files": _package_from(request)},
            "shown": tuple(f"package_{k}" for k in PACKAGE_KINDS),
            "context": {
                "package": _package_form(request, referral),
                "letter": documents.PAPERS["letter"].title(referral),
            },
        }
    elif name == "accept":
        form |= {
            "input_class": AcceptForm,
            "initial": {"filed_on": timezone.localdate().isoformat()},
            "labels": _accept_labels(referral),
            "context": {"multipart": True},
        }
    elif name == "supplement":
        form |= {
            "extra": lambda post: {"documents": _documents_from(post)},
            "context": {"documents": named},
        }

    def done() -> HttpResponse:
        if referrals_visible_to(request.user).filter(pk=referral.pk).exists():
            return redirect("referrals:referral:detail", pk=referral.pk)
        return redirect("referrals:referral:index")  # forwarded away: no longer ours to see

    return webforms.action_form(
        request,
        title=rule.title,
        subject=referral,
        back_url=reverse("referrals:referral:detail", args=[referral.pk]),
        run=lambda **data: rule.function(referral, actor=request.user, **data),
        done=done,
        choices=_referral_choices(referral),
        **form,
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
