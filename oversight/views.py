"""The supervisor's dashboard for their region (督查)."""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Min, Q
from django.db.models.functions import Substr, TruncMonth
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import serializers

from agencies import jurisdiction
from agencies.models import Region
from cases import links
from cases.access import get_case_for
from cases.models import COVERING_REFERRAL_STATUSES, Case, CaseLink, CaseStatus, Referral, ReferralStatus
from core import webforms
from core.calendar import LEGAL_TZ
from core.errors import Conflict
from workflows.models import Deadline

from . import actions, audit, charts, periods, reports
from .api import TypicalInput
from .listing_api import ListingInput, ProgressInput, ReviewInput, get_listing_for, listings_visible_to
from .models import AuditRun, AuditView, CampaignReturn, SelfInspection, TypicalCase
from .risks import RISKS, describe, risk_rows

# The dashboard's panels and the audit page's verification runs show only their first rows (paging
# four panels on one page would not read), and each says how many there are in all.
PANEL_SIZE = 100
AUDIT_RUNS_SHOWN = 20
SETTLED = COVERING_REFERRAL_STATUSES | {ReferralStatus.REFUSED}


def _first(rows, size: int) -> tuple[list, int]:
    """The first `size` rows and how many there are in all (counted only when some are left out)."""
    head = list(rows[: size + 1])
    return head[:size], (len(head) if len(head) <= size else rows.count())


def _page(request, rows):
    """The page of rows that ?page= asks for (the first if absent or bad, the last if past the end)."""
    return Paginator(rows, settings.LIST_PAGE_SIZE).get_page(request.GET.get("page"))


def is_supervisor(user) -> bool:
    return bool(jurisdiction.supervised_paths(user))


@login_required
def dashboard(request):
    paths = jurisdiction.supervised_paths(request.user)
    if not paths:
        raise PermissionDenied
    in_region = jurisdiction.region_q(paths, "case__region__path")
    cases = Case.objects.filter(jurisdiction.region_q(paths))
    # The city is the second code of a region's path: "440000/440100/…".
    by_city = cases.annotate(city=Substr("region__path", 8, 6)).values("city", "status").annotate(n=Count("id"))
    cities = {r.code: r for r in Region.objects.filter(level="city")}
    table: dict[str, dict] = {}
    for row in by_city:
        table.setdefault(row["city"], {s: 0 for s, _label in CaseStatus.choices})[row["status"]] = row["n"]
    now = timezone.now()
    missed, missed_total = _first(
        Deadline.objects.filter(in_region, met_at__isnull=True, due_at__lte=now)
        .select_related("case", "referral")
        .order_by("due_at", "id"),
        PANEL_SIZE,
    )
    unreferred, unreferred_total = _first(
        Deadline.objects.filter(in_region, step="propose_referral", met_at__isnull=True)
        .select_related("case", "finding__person")
        .order_by("due_at", "id"),
        PANEL_SIZE,
    )
    in_progress, in_progress_total = _first(
        Referral.objects.filter(in_region)
        .exclude(status__in=SETTLED)
        .select_related("case", "police_agency")
        .order_by("-updated_at", "-id"),
        PANEL_SIZE,
    )
    refusals, refusals_total = _first(
        Referral.objects.filter(in_region, status=ReferralStatus.REFUSED)
        .select_related("case", "referring_agency")
        .order_by("updated_at", "id"),
        PANEL_SIZE,
    )
    rows = [
        (city, counts, total)
        for city, counts, total in (
            (cities.get(code), counts, sum(counts.values())) for code, counts in sorted(table.items())
        )
    ]
    return render(
        request,
        "oversight/dashboard.html",
        {
            "charts": _charts(in_region, rows),
            "risks": [(slug, risk.title) for slug, risk in RISKS.items()],
            "province": audit.is_province_supervisor(request.user),
            "statuses": CaseStatus.choices,
            "by_city": rows,
            "missed": missed,
            "missed_total": missed_total,
            "unreferred": unreferred,
            "unreferred_total": unreferred_total,
            "in_progress": in_progress,
            "in_progress_total": in_progress_total,
            "refusals": refusals,
            "refusals_total": refusals_total,
            "now": now,
        },
    )


TRANSMISSION_BUCKETS = [(1, "≤1天"), (3, "1–3天"), (7, "3–7天"), (30, "7–30天"), (None, ">30天")]


def _charts(in_region, by_city) -> dict:
    statuses = CaseStatus.choices
    cases_chart = charts.stacked(
        [city.name if city else "—" for city, _c, _t in by_city],
        [(str(label), [counts.get(value, 0) for _city, counts, _t in by_city]) for value, label in statuses],
    )
    outcomes = Referral.objects.filter(in_region).values("status").annotate(n=Count("id")).order_by("status")
    labels = dict(ReferralStatus.choices)
    outcome_chart = charts.bars([(str(labels[r["status"]]), r["n"]) for r in outcomes])
    timings = (
        Referral.objects.filter(in_region, transmitted_at__isnull=False)
        .annotate(
            found=Min("persons__findings__recorded_at", filter=Q(persons__findings__referable=True)),
            sent=Min("events__at", filter=Q(events__action="transmit")),
        )
        .values_list("found", "sent")
    )
    buckets = dict.fromkeys([label for _limit, label in TRANSMISSION_BUCKETS], 0)
    for found, sent in timings:
        if found and sent:
            days = (sent - found).total_seconds() / 86400
            label = next(label for limit, label in TRANSMISSION_BUCKETS if limit is None or days <= limit)
            buckets[label] += 1
    missed = (
        Deadline.objects.filter(in_region, escalated_at__isnull=False)
        .annotate(month=TruncMonth("escalated_at", tzinfo=LEGAL_TZ))
        .values("month")
        .annotate(n=Count("id"))
        .order_by("month")
    )
    return {
        "cases": cases_chart,
        "outcomes": outcome_chart,
        "transmission": charts.bars(list(buckets.items())),
        "missed": charts.bars([(f"{r['month']:%Y-%m}", r["n"]) for r in missed]),
    }


def _supervisor_only(request):
    if not jurisdiction.supervised_paths(request.user):
        raise PermissionDenied


@login_required
def risk_list(request, name):
    _supervisor_only(request)
    if name not in RISKS:
        raise Http404
    page = _page(request, risk_rows(request.user, name))
    return render(
        request,
        "oversight/risk_list.html",
        {
            "title": RISKS[name].title,
            "page": page,
            "rows": [describe(r) for r in page],
            "now": timezone.now().isoformat(),
        },
    )


@login_required
def listing_list(request):
    listings = _page(request, listings_visible_to(request.user).order_by("-created_at", "-id"))
    return render(request, "oversight/listing_list.html", {"listings": listings})


@login_required
def listing_detail(request, pk):
    listing = get_listing_for(request.user, pk)
    # Two forms whose actions take different keywords: each runs with its own validated input.
    forms: dict[str, tuple[type[serializers.Serializer[Any]], Callable[..., Any]]] = {}
    if jurisdiction.is_head_of(request.user, listing.case.agency_id):
        forms["report_progress"] = (ProgressInput, actions.report_progress)
    if jurisdiction.supervises(request.user, listing.agency.region):
        forms["review"] = (ReviewInput, actions.review_listing)
    errors_of = {}
    if request.method == "POST":
        name = request.POST.get("form")
        if name not in forms:
            raise PermissionDenied
        serializer, run = forms[name]
        errors = webforms.submit(serializer, request.POST, lambda **data: run(listing, actor=request.user, **data))
        if errors is None:
            messages.success(request, _("Saved."))
            return redirect("cases:listing:detail", pk=listing.pk)
        errors_of[name] = errors
    built = []
    for name, (serializer, _run) in forms.items():
        fields = webforms.build_fields(serializer)
        other = webforms.attach(fields, request.POST, errors_of[name]) if name in errors_of else []
        built.append((name, fields, other))
    return render(
        request,
        "oversight/listing_detail.html",
        {"listing": get_listing_for(request.user, pk), "forms": built, "open": listing.status == "listed"},
    )


@login_required
def listing_new(request, case_pk):
    case = get_case_for(request.user, case_pk)
    _supervisor_only(request)
    fields = webforms.build_fields(ListingInput, skip=("case",))
    other = []
    if request.method == "POST":
        errors = webforms.submit(
            ListingInput,
            request.POST,
            lambda **data: actions.list_case(
                case, actor=request.user, deadline=data["deadline"], instructions=data["instructions"]
            ),
            {"case": case.pk},
        )
        if errors is None:
            messages.success(request, _("Case %(case)s listed for supervision.") % {"case": case.number})
            return redirect("cases:case:detail", pk=case.pk)
        other = webforms.attach(fields, request.POST, errors)
    return render(
        request,
        "includes/action_form.html",
        {
            "title": _("List for supervision (挂牌督办)"),
            "subject": case,
            "fields": fields,
            "other_errors": other,
            "back_url": f"/cases/case/{case.pk}/",
        },
        status=400 if other or any(f.errors for f in fields) else 200,
    )


@login_required
def monthly(request):
    """The month's return for a region: the record (what was submitted) with what changed since,
    the downloads, and for a city its entry, its submission (confirmed) and its stamped scan; for the
    province, each city's status and the return of a month for correction."""
    _supervisor_only(request)
    home = jurisdiction.supervising_offices(request.user)[0].region
    code = request.GET.get("region") or home.code
    month_text = request.GET.get("month", "")
    try:
        if not month_text:  # the page opens on the current reporting month of the latest campaign
            found = reports.default_month()
            if found is None:
                raise ValidationError({"campaign": [_("No campaign has been entered yet.")]})
            month_text = f"{found[1]:%Y-%m}"
        month = reports.parse_month(month_text)
        region = reports.region_for(request.user, code)
        campaign = reports.find_campaign(request.GET.get("campaign"), month)
    except ValidationError as exc:
        return render(
            request,
            "oversight/monthly.html",
            {
                "problem": "; ".join(m for v in exc.message_dict.values() for m in v),
                "month": month_text,
                "region_code": code,
            },
            status=400,
        )
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        done = _monthly_post(request, region, month, campaign, errors)
        if done:
            messages.success(request, done)
            return redirect(f"{request.path}?region={region.code}&month={month:%Y-%m}")
    entry = SelfInspection.objects.filter(campaign=campaign, region=region, month=month).first()
    report = reports.monthly_report(region, month, campaign)
    changed = {(c["section"], c["row"]): c["now"] for c in report["since_submission"]}
    return render(
        request,
        "oversight/monthly.html",
        {
            "report": report,
            "rows": [(r, changed.get((r["section"], r["row"]))) for r in report["rows"]],
            "region": region,
            "region_code": region.code,
            "month": f"{month:%Y-%m}",
            "months": [f"{m:%Y-%m}" for m in periods.report_months(campaign)],
            "campaign": campaign,
            "entry": entry,
            "fields": [
                (
                    f,
                    SelfInspection.label_of(f),
                    request.POST.get(f) if errors else getattr(entry, f, 0),
                )
                for f in SelfInspection.FIELDS
            ],
            "errors": errors,
            "other_errors": [m for k, v in errors.items() if k not in SelfInspection.FIELDS for m in v],
            "post": request.POST if errors else {},
            "city": region.level == "city",
            "may_enter": region.level == "city" and jurisdiction.supervises_exactly(request.user, region),
            "returned": any(h["status"] == "returned" for h in report["history"]),
            "status": reports.submission_status(campaign, month) if region.level == "province" else None,
            "province_supervisor": reports.is_province_supervisor(request.user),
        },
        status=400 if errors else 200,
    )


def _monthly_post(request, region, month, campaign, errors: dict) -> str:
    """Run the form posted on the monthly page; "" and the errors filled in when it is refused."""
    form_name = request.POST.get("form")
    try:
        if form_name == "submit":
            if request.POST.get("confirm") != "on":
                raise ValidationError(
                    {"confirm": [_("Check the figures and confirm: a submitted month is frozen until returned.")]}
                )
            reports.submit_monthly(
                actor=request.user,
                region=region,
                month=month,
                campaign=campaign,
                narrative=request.POST.get("narrative", "")[:8000],
                reviewer=request.POST.get("reviewer", "")[:50],
                reason=request.POST.get("reason", "")[:4000],
            )
            return _("Submitted: the month's return is frozen and the province sees it.")
        if form_name == "return":
            city = reports.region_for(request.user, request.POST.get("city", ""))
            reports.return_month(
                actor=request.user, region=city, month=month, campaign=campaign, reason=request.POST.get("reason", "")
            )
            return _("Returned to %(city)s for correction.") % {"city": city.name}
        if form_name == "scan":
            reports.attach_scan(
                actor=request.user, region=region, month=month, campaign=campaign, upload=request.FILES.get("file")
            )
            return _("The stamped scan is on record.")
        values = {f: request.POST.get(f, "0") or "0" for f in SelfInspection.FIELDS}
        bad = {f: [_("Enter a whole number of 0 or more.")] for f, v in values.items() if not v.isdigit() or len(v) > 8}
        if bad:
            raise ValidationError(bad)
        entered = {f: int(v) for f, v in values.items()} | {
            "filled_by": request.POST.get("filled_by", "")[:50],
            "phone": request.POST.get("phone", "")[:30],
        }
        reports.save_self_inspection(actor=request.user, region=region, month=month, campaign=campaign, values=entered)
        return _("Saved.")
    except PermissionDenied:
        raise
    except (ValidationError, Conflict) as exc:
        errors.update(webforms.errors_of(exc))
        return ""


@login_required
def network_page(request, case_pk):
    """倒查: every case joined to this one through its links, across the supervisor's region — a
    seller to all of its buyers, and their other sellers."""
    _supervisor_only(request)
    case = get_case_for(request.user, case_pk)
    reached = links.network(case, request.user)
    ids = [case.pk] + [c.pk for c, _d in reached]
    edges = CaseLink.objects.filter(holder_case_id__in=ids, source_case_id__in=ids).select_related(
        "holder_case", "source_case"
    )
    return render(
        request,
        "oversight/network.html",
        {
            "case": case,
            "reached": reached,
            "edges": edges,
            "cities": sorted({c.region.name for c, _d in reached} | {case.region.name}),
        },
    )


@login_required
def returns_page(request):
    """The campaign's returns: for the province, every city's work plan, months and summary (in,
    late, returned, missing); for a city, its own, and the forms to submit the plan and the summary."""
    _supervisor_only(request)
    found = reports.default_month()
    if found is None:
        return render(request, "oversight/returns.html", {"problem": _("No campaign has been entered yet.")})
    campaign = found[0]
    office = jurisdiction.supervising_offices(request.user)[0]
    city = office.region if office.region.level == Region.Level.CITY else None
    errors: dict[str, list[str]] = {}
    if request.method == "POST" and city is not None:
        try:
            reports.submit_return(
                actor=request.user,
                region=city,
                campaign=campaign,
                kind=request.POST.get("kind", ""),
                text=request.POST.get("text", "")[:20000],
                upload=request.FILES.get("file"),
            )
        except PermissionDenied:
            raise
        except (ValidationError, Conflict) as exc:
            errors = webforms.errors_of(exc)
        else:
            messages.success(request, _("Submitted."))
            return redirect(request.path)
    rows = reports.returns_status(campaign)
    if city is not None:
        rows = [r for r in rows if r["region"] == city.code]
    headers = [_("work plan")] + [f"{m:%Y-%m}" for m in periods.report_months(campaign)] + [_("final summary")]
    mine = {r.kind: r for r in CampaignReturn.objects.filter(campaign=campaign, region=city)} if city else {}
    return render(
        request,
        "oversight/returns.html",
        {
            "campaign": campaign,
            "headers": headers,
            "rows": rows,
            "city": city,
            "labels": reports.STATUS_LABELS,
            "kinds": [
                (k, label, mine.get(k), reports.return_due(campaign, k)) for k, label in CampaignReturn.Kind.choices
            ],
            "errors": errors,
        },
        status=400 if errors else 200,
    )


@login_required
def audit_page(request):
    if not audit.is_province_supervisor(request.user):
        raise PermissionDenied
    audit.record_view(request.user, request.path)
    runs, runs_total = _first(AuditRun.objects.order_by("-started_at", "-id"), AUDIT_RUNS_SHOWN)
    views = _page(request, AuditView.objects.select_related("user", "case").order_by("-at", "-id"))
    return render(request, "oversight/audit.html", {"runs": runs, "runs_total": runs_total, "views": views})


@login_required
def mark_typical(request, case_pk):
    case = get_case_for(request.user, case_pk)
    _supervisor_only(request)
    fields = webforms.build_fields(TypicalInput)
    other = []
    if request.method == "POST":
        errors = webforms.submit(
            TypicalInput,
            request.POST,
            lambda **data: actions.mark_typical(case, actor=request.user, title=data["title"]),
        )
        if errors is None:
            messages.success(request, _("Marked as a typical case; its redacted summary is public."))
            return redirect("typical-list")
        other = webforms.attach(fields, request.POST, errors)
    return render(
        request,
        "includes/action_form.html",
        {
            "title": _("Mark as a typical case"),
            "subject": case,
            "fields": fields,
            "other_errors": other,
            "back_url": f"/cases/case/{case.pk}/",
        },
        status=400 if other or any(f.errors for f in fields) else 200,
    )


def public_typical_list(request):
    cases = _page(request, TypicalCase.objects.select_related("case__region").order_by("-marked_at", "-id"))
    return render(request, "oversight/typical_public.html", {"cases": cases})
