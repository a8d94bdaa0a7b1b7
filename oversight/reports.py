"""The monthly form of a city or the province, and what the supervisors do with it."""

import datetime

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agencies import jurisdiction
from agencies.models import Region
from cases.models import Campaign
from core.calendar import end_of_day
from core.errors import Code, Conflict

from . import form
from .models import MonthlySubmission, SelfInspection

STATUS_LABELS = {
    "submitted": gettext_lazy("submitted"),
    "late": gettext_lazy("submitted late"),
    "missing": gettext_lazy("missing"),
    "pending": gettext_lazy("not yet due"),
}


def parse_month(value: str) -> datetime.date:
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
    if not (campaign.starts_on.replace(day=1) <= month <= campaign.ends_on):
        raise ValidationError(
            {
                "month": [
                    _("The campaign ran from %(start)s to %(end)s.")
                    % {"start": campaign.starts_on, "end": campaign.ends_on}
                ]
            }
        )
    return campaign


def due_at(campaign: Campaign, month: datetime.date) -> datetime.datetime:
    """The form of a month is due by the report day of that month (每月25日前), end of day."""
    return end_of_day(month.replace(day=campaign.report_due_day))


def _self_inspection(region: Region, month: datetime.date, campaign: Campaign) -> dict[str, tuple]:
    qs = SelfInspection.objects.filter(campaign=campaign, region__path__startswith=region.path, month__lte=month)
    this = qs.filter(month=month).aggregate(**{f: Sum(f) for f in SelfInspection.FIELDS})
    total = qs.aggregate(**{f: Sum(f) for f in SelfInspection.FIELDS})
    return {f"si:{f}": (this[f] or 0, total[f] or 0) for f in SelfInspection.FIELDS}


def monthly_report(region: Region, month: datetime.date, campaign: Campaign) -> dict:
    per_city = form.compute(region.path, month, campaign)
    enforcement: dict[str, tuple] = {}
    for values in per_city.values():
        enforcement = form.add(enforcement, values)
    entry = SelfInspection.objects.filter(campaign=campaign, region=region, month=month).first()
    submission = (
        MonthlySubmission.objects.filter(campaign=campaign, region=region, month=month)
        .select_related("submitted_by")
        .first()
    )
    return {
        "region": region.code,
        "region_name": region.name,
        "month": f"{month:%Y-%m}",
        "campaign": campaign.slug,
        "rows": form.assemble(enforcement, _self_inspection(region, month, campaign)),
        "filled_by": entry.filled_by if entry else "",
        "phone": entry.phone if entry else "",
        "due_at": due_at(campaign, month).isoformat(),
        "submission": (
            {
                "submitted_at": submission.submitted_at.isoformat(),
                "by": submission.submitted_by.username,
                "late": submission.late,
                "rows": submission.rows,
            }
            if submission
            else None
        ),
    }


def region_for(user, code: str) -> Region:
    """The region, if the user supervises it (404 otherwise, as for a case)."""
    region = Region.objects.filter(code=str(code)[:6]).first()
    if region is None or not jurisdiction.supervises(user, region):
        raise Http404
    return region


def _city_supervisor(user, region: Region) -> bool:
    return jurisdiction.supervises_exactly(user, region)


@transaction.atomic
def save_self_inspection(
    *, actor, region: Region, month: datetime.date, campaign: Campaign, values: dict
) -> SelfInspection:
    if region.level != Region.Level.CITY or not _city_supervisor(actor, region):
        raise PermissionDenied(_("Only the city's supervisor enters its self-inspection figures."))
    if MonthlySubmission.objects.filter(campaign=campaign, region=region, month=month).exists():
        raise Conflict(Code.INVALID_TRANSITION, _("This month's form was submitted; its figures are frozen."))
    entry = SelfInspection.objects.select_for_update().filter(campaign=campaign, region=region, month=month).first()
    entry = entry or SelfInspection(campaign=campaign, region=region, month=month)
    for name, value in values.items():
        setattr(entry, name, value)
    entry.entered_by = actor
    entry.full_clean(exclude=["campaign", "region", "entered_by"])
    entry.save()
    return entry


@transaction.atomic
def submit_monthly(*, actor: User, region: Region, month: datetime.date, campaign: Campaign) -> MonthlySubmission:
    """报送: the city's form as it stands now, frozen."""
    if region.level != Region.Level.CITY or not _city_supervisor(actor, region):
        raise PermissionDenied(_("Only the city's supervisor submits its monthly form."))
    if MonthlySubmission.objects.select_for_update().filter(campaign=campaign, region=region, month=month).exists():
        raise Conflict(Code.INVALID_TRANSITION, _("This month's form has already been submitted."))
    now = timezone.now()
    report = monthly_report(region, month, campaign)
    return MonthlySubmission.objects.create(
        campaign=campaign,
        region=region,
        month=month,
        rows=report["rows"],
        submitted_by=actor,
        submitted_at=now,
        late=now > due_at(campaign, month),
    )


def submission_status(campaign: Campaign, month: datetime.date, now=None) -> list[dict]:
    """Per city: submitted, late, missing (past the due day) or pending."""
    now = now or timezone.now()
    due = due_at(campaign, month)
    done = {s.region_id: s for s in MonthlySubmission.objects.filter(campaign=campaign, month=month)}
    out = []
    for city in Region.objects.filter(level=Region.Level.CITY).order_by("code"):
        s = done.get(city.code)
        status = ("late" if s.late else "submitted") if s else ("missing" if now > due else "pending")
        out.append(
            {
                "region": city.code,
                "name": city.name,
                "status": status,
                "label": str(STATUS_LABELS[status]),
                "submitted_at": s.submitted_at.isoformat() if s else None,
            }
        )
    return out
