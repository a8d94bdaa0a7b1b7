"""The returns' alarms (DESIGN §3 deadline table, last row; the seed notice): for the monthly form, a
reminder to the city's supervisors from the 23rd and an escalation to the province's after the due
day — from the campaign's first reporting month on, never before it; for the work plan and the final
summary, a reminder two days before their due day and an escalation after it. Each once."""

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from agencies.models import Region
from cases.models import Campaign
from notifications.announce import announce

from . import periods
from .models import CampaignReturn, MonthlyNotice, MonthlySubmission
from .reports import due_at, return_due

# From the start of the second day before the due day (the 23rd for the 25th): due is 24:00.
REMIND_BEFORE = datetime.timedelta(days=3)


def _once(campaign, region, month, kind) -> bool:
    try:
        with transaction.atomic():
            MonthlyNotice.objects.create(campaign=campaign, region=region, month=month, kind=kind)
        return True
    except IntegrityError:  # another sweeper got there first
        return False


def send_monthly_alarms(now=None) -> int:
    now = now or timezone.now()
    today = timezone.localdate(now)
    sent = 0
    for campaign in Campaign.objects.filter(starts_on__lte=today):
        sent += _monthly(campaign, now) + _returns(campaign, now)
    return sent


def _monthly(campaign: Campaign, now: datetime.datetime) -> int:
    """Every reporting month whose reminder time has come: a reminder until it is due, then an
    escalation (each once) — also for a month whose due day the sweep did not see (a server down on
    the 26th), and for the campaign's last month, due at its end."""
    sent = 0
    # What was already sent, read once: the sweep runs every minute and most months are settled.
    told = set(MonthlyNotice.objects.filter(campaign=campaign).values_list("region_id", "month", "kind"))
    for month in periods.report_months(campaign):
        due = due_at(campaign, month)
        if now < due - REMIND_BEFORE:
            break
        done = set(MonthlySubmission.objects.filter(campaign=campaign, month=month).values_list("region_id", flat=True))
        day = timezone.localdate(due - datetime.timedelta(seconds=1)).day
        for city in Region.objects.filter(level=Region.Level.CITY).exclude(code__in=done):
            if (city.code, month, "reminder" if now <= due else "escalation") in told:
                continue
            with transaction.atomic():
                if now <= due:
                    if _once(campaign, city, month, "reminder"):
                        sent += len(announce("monthly_reminder", region=city, month=f"{month:%Y-%m}", day=day))
                elif _once(campaign, city, month, "escalation"):
                    sent += len(announce("monthly_escalation", region=city, month=f"{month:%Y-%m}"))
    return sent


def _returns(campaign: Campaign, now: datetime.datetime) -> int:
    sent = 0
    for kind, label in CampaignReturn.Kind.choices:
        due = return_due(campaign, kind)
        if due is None or now < due - REMIND_BEFORE:
            continue
        month = timezone.localdate(due).replace(day=1)
        done = set(CampaignReturn.objects.filter(campaign=campaign, kind=kind).values_list("region_id", flat=True))
        for city in Region.objects.filter(level=Region.Level.CITY).exclude(code__in=done):
            with transaction.atomic():
                if now <= due:
                    if _once(campaign, city, month, f"{kind}_reminder"):
                        day = f"{timezone.localdate(due):%Y-%m-%d}"
                        sent += len(announce("return_reminder", region=city, what=label, day=day))
                elif _once(campaign, city, month, f"{kind}_escalation"):
                    sent += len(announce("return_escalation", region=city, what=label))
    return sent
