"""The monthly form's two alarms (DESIGN §3 deadline table, last row): a reminder to the city's
supervisors on the 23rd, and an escalation to the province's after the 25th — each once."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from agencies.models import Region
from cases.models import Campaign
from notifications.announce import announce

from .models import MonthlyNotice, MonthlySubmission
from .reports import due_at

REMIND_DAY = 23


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
    month = today.replace(day=1)
    sent = 0
    for campaign in Campaign.objects.filter(starts_on__lte=today, ends_on__gte=month):
        if today.day < REMIND_DAY:
            continue
        done = set(MonthlySubmission.objects.filter(campaign=campaign, month=month).values_list("region_id", flat=True))
        for city in Region.objects.filter(level=Region.Level.CITY).exclude(code__in=done):
            with transaction.atomic():
                if now <= due_at(campaign, month):
                    if _once(campaign, city, month, "reminder"):
                        sent += len(
                            announce(
                                "monthly_reminder", region=city, month=f"{month:%Y-%m}", day=campaign.report_due_day
                            )
                        )
                elif _once(campaign, city, month, "escalation"):
                    sent += len(announce("monthly_escalation", region=city, month=f"{month:%Y-%m}"))
    return sent
