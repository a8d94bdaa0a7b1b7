"""Legal day counting (DESIGN §3).

The day of the event is not counted; an "N days" deadline ends at 24:00 Asia/Shanghai of the
N-th day (calendar or working days, per rule), and a last day that is a holiday or a rest day
moves to the first working day after it (LEGAL.md §1); "N hours" is exact.
"""

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.utils.translation import ngettext

from .holidays import is_working_day

LEGAL_TZ = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class Period:
    amount: int
    unit: str  # "days", "working_days" or "hours"

    def __str__(self) -> str:
        """The period in the reader's language: "3日" / "3 days"."""
        words = {
            "days": ngettext("%(n)d day", "%(n)d days", self.amount),
            "working_days": ngettext("%(n)d working day", "%(n)d working days", self.amount),
            "hours": ngettext("%(n)d hour", "%(n)d hours", self.amount),
        }
        return words[self.unit] % {"n": self.amount}


def end_of_day(day: datetime.date) -> datetime.datetime:
    """24:00 of `day` in Asia/Shanghai, i.e. the first instant of the next day."""
    return datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time(), tzinfo=LEGAL_TZ)


def due_after(event_at: datetime.datetime, period: Period) -> datetime.datetime:
    """When a period that starts with `event_at` runs out."""
    if period.unit == "hours":
        return event_at + datetime.timedelta(hours=period.amount)
    day = event_at.astimezone(LEGAL_TZ).date()
    if period.unit == "days":
        # 民法典 第203条, 刑事诉讼法 第105条: a last day that is a holiday or a rest day moves to the
        # first working day after it; the days inside the period are not skipped.
        last = day + datetime.timedelta(days=period.amount)
        while not is_working_day(last):
            last += datetime.timedelta(days=1)
        return end_of_day(last)
    if period.unit == "working_days":
        counted = 0
        while counted < period.amount:
            day += datetime.timedelta(days=1)
            counted += is_working_day(day)
        return end_of_day(day)
    raise ValueError(f"unknown period unit {period.unit!r}")


def due_after_date(day: datetime.date, period: Period) -> datetime.datetime:
    """A period counted from a date (e.g. five days after a rectification deadline)."""
    return due_after(datetime.datetime.combine(day, datetime.time(12), tzinfo=LEGAL_TZ), period)
