"""The holiday arrangements entered by hand (CalendarYear, CalendarDay), installed into the legal
calendar of core.calendar, which reads them over the `chinesecalendar` package's."""

from typing import Any

from django.db import DatabaseError, transaction

from core import calendar

from .models import CalendarDay, CalendarYear


def entered() -> calendar.Overrides:
    try:
        with transaction.atomic():  # a savepoint: a missing table must not spoil the caller's transaction
            days = dict(CalendarDay.objects.values_list("day", "working"))
            years = frozenset(CalendarYear.objects.values_list("year", flat=True))
    except DatabaseError:  # before the first migrate
        return calendar.NO_OVERRIDES
    return calendar.Overrides(days, years)


def changed(**kwargs: Any) -> None:
    """A saved or deleted arrangement counts from the next question on, in this process at once
    (other processes within core.calendar.OVERRIDES_TTL)."""
    transaction.on_commit(calendar.forget_overrides)
    calendar.forget_overrides()
