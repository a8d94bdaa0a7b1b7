"""The supervisor's dashboard for their region (督查)."""

import datetime
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, DateTimeField, ExpressionWrapper, F, Min, Q
from django.db.models.functions import Substr, TruncMonth
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from agencies import jurisdiction
from agencies.models import Region
from cases import links
from cases.access import get_case_for
from cases.models import COVERING_REFERRAL_STATUSES, Case, CaseLink, CaseStatus, Referral, ReferralStatus
from core import lists, webforms
from core.calendar import LEGAL_TZ, legal_time
from core.errors import Conflict
from workflows.models import Deadline
from workflows.steps import ESCALATING_STEPS

from . import actions, audit, charts, periods, reports
from .api import ExportInput, TypicalInput, start_export
from .listing_api import ListingInput, ProgressInput, ReviewInput, get_listing_for, listings_visible_to
from .models import AuditRun, AuditView, CampaignReturn, Listing, SelfInspection, TypicalCase
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
        Deadline.objects.filter(in_region, step__in=ESCALATING_STEPS, met_at__isnull=True, due_at__lte=now)
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
    # By the month the deadline was missed (its last day: a due time is 24:00 of it), not the month
    # the sweep noticed: a sweep that first runs today must not pile years of misses into today.
    missed = (
        Deadline.objects.filter(in_region, escalated_at__isnull=False)
        .annotate(
            month=TruncMonth(
                ExpressionWrapper(F("due_at") - datetime.timedelta(seconds=1), output_field=DateTimeField()),
                tzinfo=LEGAL_TZ,
            )
        )
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
            "when": RISKS[name].when,
            "page": page,
            "rows": [describe(r) for r in page],
            "now": timezone.now().isoformat(),
        },
    )


LISTING_LIST = lists.register(
    lists.ListSpec(
        name="listings",
        title=gettext_lazy("Supervision listings"),
        url_name="cases:listing:index",
        columns=(
            lists.Column("case", gettext_lazy("case"), ("case__number",)),
            lists.Column("status", gettext_lazy("status"), ("status",)),
            lists.Column("deadline", gettext_lazy("deadline"), ("deadline",)),
            lists.Column("instructions", gettext_lazy("Supervision instructions")),
            lists.Column("created", gettext_lazy("listed at"), ("created_at",)),
        ),
        default_sort="-created",
    )
)


@login_required
def listing_list(request):
    """挂牌督办 the user sees, by status, sorted by ?sort=, paged with the total, exported with
    ?export=xlsx (core.lists)."""
    errors = {}
    status = request.GET.get("status", "")
    if status and status not in Listing.Status.values:
        errors["status"] = [_("No such status: choose one of the list.")]
    sort, order, sort_errors = lists.sort_of(LISTING_LIST, request.GET)
    errors |= sort_errors
    listings = None
    if not errors:
        qs = listings_visible_to(request.user).prefetch_related(None).select_related("case", "agency")
        qs = (qs.filter(status=status) if status else qs).order_by(*order)
        if request.GET.get("export"):
            return lists.export(request, LISTING_LIST, qs, _listing_export_header(), _listing_export_row)
        listings = lists.page_of(request, qs)
    return render(
        request,
        "oversight/listing_list.html",
        {
            "listings": listings if listings is not None else [],
            "page": listings,
            "status": status,
            "statuses": Listing.Status.choices,
            "list_errors": [m for msgs in errors.values() for m in msgs],
            **lists.context(request, LISTING_LIST, sort, listings),
        },
        status=400 if errors else 200,
    )


def _listing_export_header():
    return [_("case"), _("party"), _("status"), _("deadline"), _("instructions"), _("listed by"), _("listed at")]


def _listing_export_row(listing):
    return [
        listing.case.number,
        listing.case.party_name,
        listing.get_status_display(),
        listing.deadline.isoformat(),
        listing.instructions,
        listing.agency.name,
        f"{timezone.localtime(listing.created_at):%Y-%m-%d %H:%M}",
    ]


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
    export_errors: list[str] = []
    if request.method == "POST" and request.POST.get("form") == "export":
        job = _start_export(request, region, month, campaign, export_errors)
        if job is not None:
            return redirect(job)
    elif request.method == "POST":
        done = _monthly_post(request, region, month, campaign, errors)
        if done:
            messages.success(request, done)
            return redirect(f"{request.path}?region={region.code}&month={month:%Y-%m}")
    entry = SelfInspection.objects.filter(campaign=campaign, region=region, month=month).first()
    report = reports.monthly_report(region, month, campaign)
    changed = {(c["section"], c["row"]): c["now"] for c in report["since_submission"]}
    due = reports.due_at(campaign, month)
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
            # After a return the city corrects what it wrote, not retypes it.
            "post": request.POST if errors else _last_words(report),
            "due": legal_time(due),
            "overdue": timezone.now() > due,
            "city": region.level == "city",
            "may_enter": region.level == "city" and jurisdiction.supervises_exactly(request.user, region),
            "returned": any(h["status"] == "returned" for h in report["history"]),
            "status": reports.submission_status(campaign, month) if region.level == "province" else None,
            "province_supervisor": reports.is_province_supervisor(request.user),
            "export_errors": export_errors,
            "export_post": request.POST if export_errors else {},
        },
        status=400 if errors or export_errors else 200,
    )


def _start_export(request, region, month, campaign, errors: list[str]):
    """The export job of the form posted (its format, and the province's signing block), or None and
    the errors filled in. The province's form is made by a job: its sum reads every city's figures."""
    data = ExportInput(
        data={
            "region": region.code,
            "month": f"{month:%Y-%m}",
            "campaign": campaign.slug,
            **{k: request.POST.get(k, "") for k in ("format", "filled_by", "reviewer", "phone")},
        }
    )
    if not data.is_valid():
        errors.extend(str(m) for messages in data.errors.values() for m in messages)
        return None
    return start_export(request.user, data.validated_data)


def _last_words(report: dict) -> dict:
    """The narrative and reviewer of the month's last submission, to start a resubmission from."""
    last = report["history"][-1] if report["history"] else None
    return {"narrative": last["narrative"], "reviewer": last["reviewer"]} if last else {}


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
    ids = [case.pk] + [c.pk for c, _d, _v in reached]
    hidden = {c.pk for c, _d, visible in reached if not visible}
    edges = [
        (e, e.holder_case_id not in hidden, e.source_case_id not in hidden)
        for e in CaseLink.objects.filter(holder_case_id__in=ids, source_case_id__in=ids).select_related(
            "holder_case", "source_case"
        )
    ]
    return render(
        request,
        "oversight/network.html",
        {
            "case": case,
            "reached": reached,
            "edges": edges,
            "cities": sorted({c.region.name for c, _d, _v in reached} | {case.region.name}),
            "hidden": len(hidden),
        },
    )


@login_required
def returns_page(request):
    """The campaign's returns: for the province, every city's work plan, months and summary (in,
    late, returned, missing, when each came in, when each is due); for a city, its own."""
    _supervisor_only(request)
    found = reports.default_month()
    if found is None:
        return render(request, "oversight/returns.html", {"problem": _("No campaign has been entered yet.")})
    campaign = found[0]
    office = jurisdiction.supervising_offices(request.user)[0]
    city = office.region if office.region.level == Region.Level.CITY else None
    months = periods.report_months(campaign)
    dues = (
        [(_("work plan"), reports.return_due(campaign, CampaignReturn.Kind.PLAN))]
        + [(f"{m:%Y-%m}", reports.due_at(campaign, m)) for m in months]
        + [(_("final summary"), reports.return_due(campaign, CampaignReturn.Kind.SUMMARY))]
    )
    # The last day of each (a due time is 24:00 of its day).
    headers = [
        (h, (due - datetime.timedelta(seconds=1)).astimezone(LEGAL_TZ).date() if due else None) for h, due in dues
    ]
    return render(
        request,
        "oversight/returns.html",
        {
            "campaign": campaign,
            "headers": headers,
            "rows": reports.returns_status(campaign, region=city),
            "city": city,
            "labels": reports.STATUS_LABELS,
        },
    )


@login_required
def return_detail_page(request, region, kind):
    """One city's work plan or final summary: the province reads it (and its PDF) and may return it
    with its reason; the city submits it, or again after a return, saying what it corrected."""
    _supervisor_only(request)
    if kind not in CampaignReturn.Kind.values:
        raise Http404
    city = reports.region_for(request.user, region)
    if city.level != Region.Level.CITY:
        raise Http404
    found = reports.default_month()
    if found is None:
        raise Http404
    campaign = found[0]
    mine = jurisdiction.supervises_exactly(request.user, city)
    province = reports.is_province_supervisor(request.user)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            if request.POST.get("do") == "return":
                reports.return_campaign_return(
                    actor=request.user,
                    region=city,
                    campaign=campaign,
                    kind=kind,
                    reason=request.POST.get("return_reason", "")[:4000],
                )
                messages.success(request, _("Returned to the city for correction; its supervisors are told."))
            else:
                if request.POST.get("confirm") != "on":
                    raise ValidationError(
                        {"confirm": [_("Confirm: once submitted it can only be changed if the province returns it.")]}
                    )
                reports.submit_return(
                    actor=request.user,
                    region=city,
                    campaign=campaign,
                    kind=kind,
                    text=request.POST.get("text", "")[:20000],
                    upload=request.FILES.get("file"),
                    reason=request.POST.get("reason", "")[:4000],
                )
                messages.success(request, _("Submitted to the province."))
        except PermissionDenied:
            raise
        except (ValidationError, Conflict) as exc:
            errors = webforms.errors_of(exc)
        else:
            return redirect(request.path)
    detail = reports.campaign_return_detail(campaign, city, kind)
    due = reports.return_due(campaign, kind)
    last = detail["history"][-1] if detail["history"] else None
    return render(
        request,
        "oversight/return_detail.html",
        {
            "campaign": campaign,
            "city": city,
            "kind": kind,
            "detail": detail,
            "can_submit": mine and detail["current"] is None,
            "can_return": province and detail["current"] is not None,
            "returned": last is not None and last["status"] == "returned",
            "overdue": detail["current"] is None and due is not None and timezone.now() > due,
            # After a return the city corrects its text, not retypes it.
            "text": request.POST.get("text", "") if errors else (last["text"] if last else ""),
            "errors": errors,
            "file_url": reverse("api-report-return-file", args=[city.code, kind]),
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
