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
from cases.access import get_case_for
from cases.models import COVERING_REFERRAL_STATUSES, Case, CaseStatus, Referral, ReferralStatus
from core import webforms
from core.calendar import LEGAL_TZ
from workflows.models import Deadline

from . import actions, audit, charts, reports
from .api import TypicalInput
from .listing_api import ListingInput, ProgressInput, ReviewInput, get_listing_for, listings_visible_to
from .models import AuditRun, AuditView, SelfInspection, TypicalCase
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
    """The month's form for a region: the table, the downloads, and for a city its entry and submission."""
    _supervisor_only(request)
    home = jurisdiction.supervising_offices(request.user)[0].region
    code = request.GET.get("region") or home.code
    today = timezone.localdate()
    month_text = request.GET.get("month") or f"{today:%Y-%m}"
    errors, other = {}, []
    try:
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
    if request.method == "POST":
        try:
            if request.POST.get("form") == "submit":
                reports.submit_monthly(actor=request.user, region=region, month=month, campaign=campaign)
            else:
                values = {f: request.POST.get(f, "0") or "0" for f in SelfInspection.FIELDS}
                bad = {
                    f: [_("Enter a whole number of 0 or more.")]
                    for f, v in values.items()
                    if not v.isdigit() or len(v) > 8
                }
                if bad:
                    raise ValidationError(bad)
                values = {f: int(v) for f, v in values.items()} | {
                    "filled_by": request.POST.get("filled_by", "")[:50],
                    "phone": request.POST.get("phone", "")[:30],
                }
                reports.save_self_inspection(
                    actor=request.user, region=region, month=month, campaign=campaign, values=values
                )
        except PermissionDenied:
            raise
        except Exception as exc:  # noqa: BLE001 - refusals become messages on the form
            errors = webforms.errors_of(exc)
            other = [m for k, v in errors.items() if k not in SelfInspection.FIELDS for m in v]
        else:
            messages.success(request, _("Saved."))
            return redirect(f"{request.path}?region={region.code}&month={month:%Y-%m}")
    entry = SelfInspection.objects.filter(campaign=campaign, region=region, month=month).first()
    report = reports.monthly_report(region, month, campaign)
    return render(
        request,
        "oversight/monthly.html",
        {
            "report": report,
            "region": region,
            "region_code": region.code,
            "month": month_text,
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
            "other_errors": other,
            "city": region.level == "city",
            "status": reports.submission_status(campaign, month) if region.level == "province" else None,
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
