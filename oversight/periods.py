"""The campaign's reporting months (LEGAL.md §4): a month that closes on the cut-off day covers
the day after the previous month's cut-off to its own, the first from the campaign's start and the
last to its end, so every event of the campaign counts in exactly one reported month; 累计 runs
from the campaign's start."""

import calendar
import datetime

from cases.models import Campaign
from core.calendar import LEGAL_TZ


def _month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def _next(month: datetime.date) -> datetime.date:
    return (month + datetime.timedelta(days=32)).replace(day=1)


def _previous(month: datetime.date) -> datetime.date:
    return (month - datetime.timedelta(days=1)).replace(day=1)


def first_month(campaign: Campaign) -> datetime.date:
    return _month(campaign.first_report_month or campaign.starts_on)


def last_month(campaign: Campaign) -> datetime.date:
    return _month(campaign.ends_on)


def report_months(campaign: Campaign) -> list[datetime.date]:
    months, month = [], first_month(campaign)
    while month <= last_month(campaign):
        months.append(month)
        month = _next(month)
    return months


def cutoff(campaign: Campaign, month: datetime.date) -> datetime.date:
    """The last day a month's report covers (the cut-off, or the month's last day if it is shorter)."""
    if month == last_month(campaign):
        return campaign.ends_on
    return month.replace(day=min(campaign.cutoff_day, calendar.monthrange(month.year, month.month)[1]))


def _midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(), tzinfo=LEGAL_TZ)


def period(campaign: Campaign, month: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """[start, end) of a reporting month, in local time."""
    start = (
        campaign.starts_on
        if month == first_month(campaign)
        else cutoff(campaign, _previous(month)) + datetime.timedelta(days=1)
    )
    return _midnight(start), _midnight(cutoff(campaign, month) + datetime.timedelta(days=1))


def since(campaign: Campaign) -> datetime.datetime:
    return _midnight(campaign.starts_on)


def month_of(campaign: Campaign, day: datetime.date) -> datetime.date | None:
    """The reporting month an event of `day` counts in, or None outside the campaign."""
    if not campaign.starts_on <= day <= campaign.ends_on:
        return None
    for month in report_months(campaign):
        if day <= cutoff(campaign, month):
            return month
    return None
