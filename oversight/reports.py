"""The monthly return of a city or the province, and what the supervisors do with it (LEGAL.md §4).

What a city submitted is the record: its page, its exports and the province's roll-up show the
frozen figures, with the live ones beside them only where they differ ("since submission"). The
province returns a month for correction with its reason; the city submits again, with its reason,
and both submissions stay on record.
"""

import datetime
import re
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agencies import jurisdiction
from agencies.models import Agency, Region
from cases.models import Campaign
from cases.protocol import announce
from core.calendar import end_of_day, legal_time
from core.errors import Code, Conflict
from core.files import PDF, check_upload, keep
from core.identity import validate_person_name

from . import form, periods
from .models import CampaignReturn, MonthlySubmission, SelfInspection

STATUS_LABELS = {
    "submitted": gettext_lazy("submitted"),
    "late": gettext_lazy("submitted late"),
    "returned": gettext_lazy("returned for correction"),
    "missing": gettext_lazy("missing"),
    "pending": gettext_lazy("not yet due"),
}
SCAN_MAX_BYTES = 20 * 1024 * 1024
S = MonthlySubmission.Status
MONTH = re.compile(r"\d{4}-\d{2}")


def parse_month(value: str) -> datetime.date:
    if not isinstance(value, str) or not MONTH.fullmatch(value):
        raise ValidationError({"month": [_("Give the month as YYYY-MM, e.g. 2018-09.")]})
    try:
        day = datetime.datetime.strptime(value, "%Y-%m").date()  # noqa: DTZ007 - a calendar month, no time
    except (TypeError, ValueError):
        raise ValidationError({"month": [_("Give the month as YYYY-MM, e.g. 2018-09.")]}) from None
    return day.replace(day=1)


def find_campaign(slug: str | None, month: datetime.date) -> Campaign:
    campaign = (
        Campaign.objects.filter(slug=slug).first()
        if slug
        else Campaign.running_on(month) or Campaign.running_on(month.replace(day=28))
    )
    if campaign is None:
        raise ValidationError({"campaign": [_("No such campaign, and none was running that month.")]})
    months = periods.report_months(campaign)
    if month not in months:
        raise ValidationError(
            {
                "month": [
                    _("The campaign's reporting months are %(first)s to %(last)s.")
                    % {"first": f"{months[0]:%Y-%m}", "last": f"{months[-1]:%Y-%m}"}
                ]
            }
        )
    return campaign


def default_month(today: datetime.date | None = None) -> tuple[Campaign, datetime.date] | None:
    """Where the monthly page opens: the running campaign's month of today, else the latest campaign's
    last (or, before it starts, first) reporting month; None without any campaign."""
    today = today or timezone.localdate()
    campaign = Campaign.running_on(today) or Campaign.objects.order_by("-ends_on").first()
    if campaign is None:
        return None
    months = periods.report_months(campaign)
    month = periods.month_of(campaign, today)
    if month is None or month not in months:
        month = months[-1] if today > campaign.ends_on else months[0]
    return campaign, month


def due_at(campaign: Campaign, month: datetime.date) -> datetime.datetime:
    """The form of a month is due by the report day of that month (每月25日前), end of day — never
    before its period ends: the campaign's last month, which runs to its end (12-31), is due then."""
    return end_of_day(max(month.replace(day=campaign.report_due_day), periods.cutoff(campaign, month)))


def _self_inspection(region: Region, month: datetime.date, campaign: Campaign) -> dict[str, tuple]:
    qs = SelfInspection.objects.filter(campaign=campaign, region__path__startswith=region.path, month__lte=month)
    this = qs.filter(month=month).aggregate(**{f: Sum(f) for f in SelfInspection.FIELDS})
    total = qs.aggregate(**{f: Sum(f) for f in SelfInspection.FIELDS})
    return {f"si:{f}": (this[f] or 0, total[f] or 0) for f in SelfInspection.FIELDS}


def live_rows(region: Region, month: datetime.date, campaign: Campaign) -> list[dict]:
    """The form computed now from the cases and the entered self-inspection figures."""
    enforcement: dict[str, tuple] = {}
    for values in form.compute(region.path, month, campaign).values():
        enforcement = form.add(enforcement, values)
    return form.assemble(enforcement, _self_inspection(region, month, campaign))


def _add_rows(rows: list[list[dict]]) -> list[dict]:
    """The sum of several forms, cell by cell (counts as counts, yuan as "0.00")."""
    out = [dict(r) for r in rows[0]]
    for other in rows[1:]:
        for mine, theirs in zip(out, other, strict=True):
            for key in ("month", "cumulative"):
                if isinstance(mine[key], str) or isinstance(theirs[key], str):
                    mine[key] = f"{Decimal(str(mine[key])) + Decimal(str(theirs[key])):.2f}"
                else:
                    mine[key] += theirs[key]
    return out


def _differences(record: list[dict], live: list[dict]) -> list[dict]:
    """The rows whose live figures differ from the record: what changed since submission."""
    return [
        {
            "section": r["section"],
            "row": r["row"],
            "submitted": [r["month"], r["cumulative"]],
            "now": [n["month"], n["cumulative"]],
        }
        for r, n in zip(record, live, strict=True)
        if (str(r["month"]), str(r["cumulative"])) != (str(n["month"]), str(n["cumulative"]))
    ]


def current(campaign: Campaign, region: Region, month: datetime.date) -> MonthlySubmission | None:
    return (
        MonthlySubmission.objects.filter(campaign=campaign, region=region, month=month, status=S.SUBMITTED)
        .select_related("submitted_by")
        .first()
    )


def _name(user: User | None) -> str:
    return (user.get_full_name() or user.username) if user else ""


def _local(moment: datetime.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def submission_out(s: MonthlySubmission) -> dict[str, Any]:
    return {
        "id": s.pk,
        "status": s.status,
        "submitted_at": s.submitted_at.isoformat(),
        "submitted_at_local": _local(s.submitted_at),
        "by": s.submitted_by.username,
        "by_name": _name(s.submitted_by),
        "late": s.late,
        "rows": s.rows,
        "narrative": s.narrative,
        "filled_by": s.filled_by,
        "reviewer": s.reviewer,
        "phone": s.phone,
        "reason": s.reason,
        "returned_at_local": _local(s.returned_at),
        "returned_by_name": _name(s.returned_by),
        "return_reason": s.return_reason,
        "scan": bool(s.scan_sha256),
        "scan_sha256": s.scan_sha256,
        "scan_at_local": _local(s.scan_at),
    }


def reporting_office(region: Region) -> str:
    """Who reports for the region: its committee office (安委会办公室), by name."""
    office = Agency.objects.filter(region=region, kind=Agency.Kind.COMMITTEE_OFFICE).first()
    return office.name if office else region.name


def monthly_report(region: Region, month: datetime.date, campaign: Campaign) -> dict:
    """The return of a city (its submission when there is one, else a draft of the live figures) or
    the province (the sum of what its cities submitted)."""
    start, end = periods.period(campaign, month)
    report: dict[str, Any] = {
        "region": region.code,
        "region_name": region.name,
        "unit": reporting_office(region),
        "month": f"{month:%Y-%m}",
        "campaign": campaign.slug,
        "period": {
            "from": f"{start.date():%Y-%m-%d}",
            "to": f"{(end - datetime.timedelta(days=1)).date():%Y-%m-%d}",
        },
        "due_at": due_at(campaign, month).isoformat(),
    }
    if region.level == Region.Level.CITY:
        return report | _city(region, month, campaign)
    return report | _province(region, month, campaign)


def _city(region: Region, month: datetime.date, campaign: Campaign) -> dict[str, Any]:
    live = live_rows(region, month, campaign)
    submission = current(campaign, region, month)
    entry = SelfInspection.objects.filter(campaign=campaign, region=region, month=month).first()
    history = (
        MonthlySubmission.objects.filter(campaign=campaign, region=region, month=month)
        .select_related("submitted_by", "returned_by")
        .order_by("submitted_at", "pk")
    )
    if submission is None:
        return {
            "rows": live,
            "filled_by": entry.filled_by if entry else "",
            "phone": entry.phone if entry else "",
            "reviewer": "",
            "submission": None,
            "since_submission": [],
            "history": [submission_out(s) for s in history],
        }
    return {
        "rows": submission.rows,
        "filled_by": submission.filled_by,
        "phone": submission.phone,
        "reviewer": submission.reviewer,
        "submission": submission_out(submission),
        "since_submission": _differences(submission.rows, live),
        "history": [submission_out(s) for s in history],
    }


def _carried(rows: list[dict]) -> list[dict]:
    """An earlier submission brought forward: nothing this month, its 累计 as it stood."""
    return [{**r, "month": "0.00" if isinstance(r["month"], str) else 0} for r in rows]


def _province(region: Region, month: datetime.date, campaign: Campaign) -> dict[str, Any]:
    """The province's return is the sum of what its cities submitted (LEGAL §4). A city that has not
    submitted this month (or whose month was returned) adds nothing to 本月 and, to 累计, what it
    submitted for its latest earlier month, so the province's 累计 never falls because a city is
    late; each city is named with the month its figures come from. "Since submission" compares
    the cities' submissions of this month with their live figures."""
    cities = Region.objects.filter(level=Region.Level.CITY, path__startswith=region.path).order_by("code")
    status = {row["region"]: row for row in submission_status(campaign, month)}
    submitted = {
        s.region_id: s
        for s in MonthlySubmission.objects.filter(campaign=campaign, month=month, status=S.SUBMITTED, region__in=cities)
    }
    earlier: dict[str, MonthlySubmission] = {}
    for e in MonthlySubmission.objects.filter(
        campaign=campaign, month__lt=month, status=S.SUBMITTED, region__in=cities
    ).order_by("month", "pk"):
        earlier[e.region_id] = e  # the latest earlier month wins
    per_city = form.compute(region.path, month, campaign)
    si = _self_inspection_by_city(region, month, campaign)
    record, live, sources = [], [], []
    for city in cities:
        s = submitted.get(city.code)
        before = earlier.get(city.code) if s is None else None
        source = s or before
        if s is not None:
            record.append(s.rows)
            live.append(form.assemble(per_city.get(city.code, {}), si.get(city.code, {})))
        elif before is not None:
            record.append(_carried(before.rows))
        sources.append(
            {
                "region": city.code,
                "name": city.name,
                "figures": "submitted" if s else "not_submitted",
                "cumulative_from": f"{source.month:%Y-%m}" if source else "",
                "status": status[city.code]["status"],
                "label": status[city.code]["label"],
                "submitted_at_local": _local(s.submitted_at) if s else "",
            }
        )
    rows = _add_rows(record) if record else form.assemble({}, {})
    return {
        "rows": rows,
        "filled_by": "",
        "phone": "",
        "reviewer": "",
        "submission": None,
        "since_submission": _differences(_add_rows([s.rows for s in submitted.values()]), _add_rows(live))
        if live
        else [],
        "cities": sources,
        "not_submitted": [c["name"] for c in sources if c["figures"] == "not_submitted"],
        "carried": [
            {"name": c["name"], "month": c["cumulative_from"]}
            for c in sources
            if c["figures"] == "not_submitted" and c["cumulative_from"]
        ],
        "history": [],
    }


def _self_inspection_by_city(region: Region, month: datetime.date, campaign: Campaign) -> dict[str, dict[str, tuple]]:
    out: dict[str, dict[str, tuple]] = {}
    for entry in SelfInspection.objects.filter(
        campaign=campaign, region__path__startswith=region.path, month__lte=month
    ):
        city = out.setdefault(entry.region_id, {})
        for f in SelfInspection.FIELDS:
            this, total = city.get(f"si:{f}", (0, 0))
            value = getattr(entry, f)
            city[f"si:{f}"] = (this + (value if entry.month == month else 0), total + value)
    return out


def region_for(user: Any, code: str) -> Region:
    """The region, if the user supervises it (404 otherwise, as for a case)."""
    region = Region.objects.filter(code=str(code)[:6]).first()
    if region is None or not jurisdiction.supervises(user, region):
        raise Http404
    return region


def _city_supervisor(user: Any, region: Region) -> bool:
    return jurisdiction.supervises_exactly(user, region)


def is_province_supervisor(user: Any) -> bool:
    return any(office.region.level == Region.Level.PROVINCE for office in jurisdiction.supervising_offices(user))


@transaction.atomic
def save_self_inspection(
    *, actor: Any, region: Region, month: datetime.date, campaign: Campaign, values: dict
) -> SelfInspection:
    if region.level != Region.Level.CITY or not _city_supervisor(actor, region):
        raise PermissionDenied(_("Only the city's supervisor enters its self-inspection figures."))
    if current(campaign, region, month) is not None:
        raise Conflict(
            Code.INVALID_TRANSITION,
            _("This month's return was submitted; its figures are frozen until the province returns it."),
        )
    entry = SelfInspection.objects.select_for_update().filter(campaign=campaign, region=region, month=month).first()
    entry = entry or SelfInspection(campaign=campaign, region=region, month=month)
    for name, value in values.items():
        setattr(entry, name, value)
    entry.entered_by = actor
    entry.full_clean(exclude=["campaign", "region", "entered_by"])
    entry.save()
    return entry


@transaction.atomic
def submit_monthly(
    *,
    actor: User,
    region: Region,
    month: datetime.date,
    campaign: Campaign,
    narrative: str = "",
    reviewer: str = "",
    reason: str = "",
) -> MonthlySubmission:
    """报送: the city's return as it stands now, frozen — the figures, the month's work, who filled in
    and who checked it. After a return by the province, the city says why it submits again."""
    if region.level != Region.Level.CITY or not _city_supervisor(actor, region):
        raise PermissionDenied(_("Only the city's supervisor submits its monthly form."))
    # The lock: one submitter at a time for this city and month.
    Region.objects.select_for_update().filter(pk=region.pk).first()
    if current(campaign, region, month) is not None:
        raise Conflict(Code.INVALID_TRANSITION, _("This month's form has already been submitted."))
    errors: dict[str, list[str]] = {}
    if not narrative.strip():
        errors["narrative"] = [_("Describe the month's work (工作情况): the notice asks for it with the form.")]
    returned = MonthlySubmission.objects.filter(campaign=campaign, region=region, month=month, status=S.RETURNED)
    if returned.exists() and not reason.strip():
        errors["reason"] = [_("The province returned this month: say what was corrected.")]
    if not reviewer.strip():
        errors["reviewer"] = [_("Name who checked the form (审核人): it is signed with it.")]
    else:
        try:
            validate_person_name(reviewer)
        except ValidationError as exc:
            errors["reviewer"] = exc.messages
    if errors:
        raise ValidationError(errors)
    entry = SelfInspection.objects.filter(campaign=campaign, region=region, month=month).first()
    now = timezone.now()
    # A month returned for correction after it came in on time is not late because of the return.
    first_on_time = returned.filter(late=False).exists()
    submission = MonthlySubmission.objects.create(
        campaign=campaign,
        region=region,
        month=month,
        rows=live_rows(region, month, campaign),
        narrative=narrative.strip(),
        filled_by=entry.filled_by if entry else "",
        phone=entry.phone if entry else "",
        reviewer=reviewer.strip(),
        reason=reason.strip(),
        submitted_by=actor,
        submitted_at=now,
        late=now > due_at(campaign, month) and not first_on_time,
    )
    if submission.reason:
        announce("monthly_resubmitted", region=region, month=f"{month:%Y-%m}", body=submission.reason)
    return submission


@transaction.atomic
def return_month(
    *, actor: User, region: Region, month: datetime.date, campaign: Campaign, reason: str
) -> MonthlySubmission:
    """The province returns a city's submitted month for correction, with its reason; the city is told."""
    if not is_province_supervisor(actor):
        raise PermissionDenied(_("Only the province's supervisors return a city's month."))
    submission = (
        MonthlySubmission.objects.select_for_update()
        .filter(campaign=campaign, region=region, month=month, status=S.SUBMITTED)
        .first()
    )
    if submission is None:
        raise Conflict(Code.INVALID_TRANSITION, _("This month has not been submitted: there is nothing to return."))
    if not reason.strip():
        raise ValidationError({"reason": [_("Say what the city is to correct.")]})
    submission.status, submission.returned_by, submission.returned_at = S.RETURNED, actor, timezone.now()
    submission.return_reason = reason.strip()
    submission.save()
    announce("monthly_returned", region=region, month=f"{month:%Y-%m}", body=reason.strip())
    return submission


@transaction.atomic
def attach_scan(
    *, actor: User, region: Region, month: datetime.date, campaign: Campaign, upload: Any
) -> MonthlySubmission:
    """The printed, stamped and scanned form (盖章pdf扫描件) of the submitted month, kept and hashed."""
    if not _city_supervisor(actor, region):
        raise PermissionDenied(_("Only the city's supervisor submits its monthly form."))
    submission = (
        MonthlySubmission.objects.select_for_update()
        .filter(campaign=campaign, region=region, month=month, status=S.SUBMITTED)
        .first()
    )
    if submission is None:
        raise Conflict(Code.INVALID_TRANSITION, _("Submit the month first: the scan is of the submitted form."))
    if submission.scan_sha256:
        raise Conflict(Code.INVALID_TRANSITION, _("The stamped scan of this submission is already on record."))
    checked = check_upload(upload, signatures=PDF, limit=SCAN_MAX_BYTES)
    keep(submission.scan, checked)
    submission.scan_name, submission.scan_sha256, submission.scan_at = checked.name, checked.sha256, timezone.now()
    submission.save()
    return submission


def _state(records: list, due: datetime.datetime | None, now: datetime.datetime) -> dict[str, Any]:
    """Where one return of a city stands, from its submissions in order (monthly or other): submitted,
    late, returned (awaiting the city's correction), missing (past its due day) or not yet due; when
    it came in, and whether it was submitted again after a return."""
    last = records[-1] if records else None
    if last is None:
        status = "missing" if due and now > due else "pending"
    elif last.status == S.RETURNED:
        status = "returned"
    else:
        status = "late" if last.late else "submitted"
    return {
        "status": status,
        "label": str(STATUS_LABELS[status]),
        "submitted_at": last.submitted_at.isoformat() if last else None,
        "submitted_at_local": _local(last.submitted_at) if last else "",
        "resubmitted": len(records) > 1,
        "due_at_local": legal_time(due) if due else "",
    }


def submission_status(campaign: Campaign, month: datetime.date, now: datetime.datetime | None = None) -> list[dict]:
    """Per city: submitted, late, returned, missing (past the due day) or pending; and its scan."""
    now = now or timezone.now()
    due = due_at(campaign, month)
    records: dict[str, list[MonthlySubmission]] = {}
    for one in MonthlySubmission.objects.filter(campaign=campaign, month=month).order_by("submitted_at", "pk"):
        records.setdefault(one.region_id, []).append(one)
    out = []
    for city in Region.objects.filter(level=Region.Level.CITY).order_by("code"):
        mine = records.get(city.code, [])
        out.append(
            {"region": city.code, "name": city.name}
            | _state(mine, due, now)
            | {"scan": bool(mine and mine[-1].status == S.SUBMITTED and mine[-1].scan_sha256)}
        )
    return out


# --- the campaign's other returns: the work plan and the final summary ------------------------


def return_due(campaign: Campaign, kind: str) -> datetime.datetime | None:
    day = campaign.plan_due_on if kind == CampaignReturn.Kind.PLAN else campaign.summary_due_on
    return end_of_day(day) if day else None


def current_return(campaign: Campaign, region: Region, kind: str) -> CampaignReturn | None:
    return CampaignReturn.objects.filter(campaign=campaign, region=region, kind=kind, status=S.SUBMITTED).first()


@transaction.atomic
def submit_return(
    *,
    actor: User,
    region: Region,
    campaign: Campaign,
    kind: str,
    text: str,
    upload: Any = None,
    reason: str = "",
) -> CampaignReturn:
    """A city submits its work plan or its final summary (the seed notice) with its file; after the
    province returned it, again, saying what was corrected."""
    if region.level != Region.Level.CITY or not _city_supervisor(actor, region):
        raise PermissionDenied(_("Only the city's supervisor submits its returns."))
    if kind not in CampaignReturn.Kind.values:
        raise ValidationError({"kind": [_("Choose the work plan or the final summary.")]})
    # The lock: one submitter at a time for this city's returns.
    Region.objects.select_for_update().filter(pk=region.pk).first()
    if current_return(campaign, region, kind) is not None:
        raise Conflict(Code.INVALID_TRANSITION, _("This return has already been submitted."))
    errors: dict[str, list[str]] = {}
    if not text.strip():
        errors["text"] = [_("Write the return's text.")]
    returned = CampaignReturn.objects.filter(campaign=campaign, region=region, kind=kind, status=S.RETURNED)
    if returned.exists() and not reason.strip():
        errors["reason"] = [_("The province returned this: say what was corrected.")]
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    due = return_due(campaign, kind)
    record = CampaignReturn(
        campaign=campaign,
        region=region,
        kind=kind,
        text=text.strip(),
        reason=reason.strip(),
        submitted_by=actor,
        submitted_at=now,
        # Returned after it came in on time, it is not late because of the return.
        late=bool(due and now > due) and not returned.filter(late=False).exists(),
    )
    if upload is not None:
        checked = check_upload(upload, signatures=PDF, limit=SCAN_MAX_BYTES)
        keep(record.file, checked)
        record.file_name, record.file_sha256 = checked.name, checked.sha256
    record.save()
    if record.reason:
        announce("campaign_return_resubmitted", region=region, what=record.get_kind_display(), body=record.reason)
    return record


@transaction.atomic
def return_campaign_return(
    *, actor: User, region: Region, campaign: Campaign, kind: str, reason: str
) -> CampaignReturn:
    """The province returns a city's work plan or summary for correction, with its reason."""
    if not is_province_supervisor(actor):
        raise PermissionDenied(_("Only the province's supervisors return a city's returns."))
    record = (
        CampaignReturn.objects.select_for_update()
        .filter(campaign=campaign, region=region, kind=kind, status=S.SUBMITTED)
        .first()
    )
    if record is None:
        raise Conflict(Code.INVALID_TRANSITION, _("This has not been submitted: there is nothing to return."))
    if not reason.strip():
        raise ValidationError({"reason": [_("Say what the city is to correct.")]})
    record.status, record.returned_by, record.returned_at = S.RETURNED, actor, timezone.now()
    record.return_reason = reason.strip()
    record.save()
    announce("campaign_return_returned", region=region, what=record.get_kind_display(), body=reason.strip())
    return record


def campaign_return_out(r: CampaignReturn) -> dict[str, Any]:
    return {
        "id": r.pk,
        "region": r.region_id,
        "kind": r.kind,
        "status": r.status,
        "text": r.text,
        "reason": r.reason,
        "submitted_at": r.submitted_at.isoformat(),
        "submitted_at_local": _local(r.submitted_at),
        "by": r.submitted_by.username,
        "by_name": _name(r.submitted_by),
        "late": r.late,
        "file": bool(r.file_sha256),
        "file_name": r.file_name,
        "file_sha256": r.file_sha256,
        "returned_at_local": _local(r.returned_at),
        "returned_by_name": _name(r.returned_by),
        "return_reason": r.return_reason,
    }


def campaign_return_detail(campaign: Campaign, region: Region, kind: str) -> dict[str, Any]:
    """One city's work plan or summary: what is on record now, its due day and every submission."""
    history = (
        CampaignReturn.objects.filter(campaign=campaign, region=region, kind=kind)
        .select_related("submitted_by", "returned_by")
        .order_by("submitted_at", "pk")
    )
    record = next((r for r in history if r.status == S.SUBMITTED), None)
    due = return_due(campaign, kind)
    return {
        "region": region.code,
        "region_name": region.name,
        "campaign": campaign.slug,
        "kind": kind,
        "label": str(CampaignReturn.Kind(kind).label),
        "due_at": due.isoformat() if due else None,
        "due_at_local": legal_time(due) if due else "",
        "current": campaign_return_out(record) if record else None,
        "history": [campaign_return_out(r) for r in history],
    }


def returns_status(
    campaign: Campaign, now: datetime.datetime | None = None, region: Region | None = None
) -> list[dict]:
    """Per city (or only `region`'s), every return of the campaign: the plan, each reporting month,
    the summary — in, late, returned, missing or not yet due, when it came in and when it is due."""
    now = now or timezone.now()
    months = periods.report_months(campaign)
    monthly = {m: {row["region"]: row for row in submission_status(campaign, m, now)} for m in months}
    others: dict[tuple[str, str], list[CampaignReturn]] = {}
    for r in CampaignReturn.objects.filter(campaign=campaign).order_by("submitted_at", "pk"):
        others.setdefault((r.region_id, r.kind), []).append(r)
    cities = Region.objects.filter(level=Region.Level.CITY).order_by("code")
    if region is not None:
        cities = cities.filter(pk=region.pk)
    out = []
    for city in cities:
        cells: list[dict[str, Any]] = []
        for kind in (CampaignReturn.Kind.PLAN, None, CampaignReturn.Kind.SUMMARY):
            if kind is None:
                cells += [{"what": f"{m:%Y-%m}"} | monthly[m][city.code] for m in months]
                continue
            mine = others.get((city.code, kind), [])
            cells.append(
                {"what": kind}
                | _state(mine, return_due(campaign, kind), now)
                | {"scan": bool(mine and mine[-1].status == S.SUBMITTED and mine[-1].file_sha256)}
            )
        for cell in cells:
            cell.pop("region", None)
            cell.pop("name", None)
        out.append({"region": city.code, "name": city.name, "returns": cells})
    return out
