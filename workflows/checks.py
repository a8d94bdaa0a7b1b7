"""Start-up checks of the workflow settings: a misspelt step name would otherwise change nothing."""

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register
from django.db import DatabaseError
from django.db.models import Count, Max, Min, Q
from django.utils import timezone

from cases.models import LegalBasis
from core import calendar

from .models import Deadline
from .steps import DAYS, STEPS


@register()
def working_day_steps(app_configs: Sequence[AppConfig] | None = None, **kwargs: Any) -> list[CheckMessage]:
    """Every name in WORKING_DAY_STEPS is a step of steps.STEPS that is counted in days."""
    valid = ", ".join(STEPS)
    problems: list[CheckMessage] = []
    for name in settings.WORKING_DAY_STEPS:
        step = STEPS.get(name)
        if step is None:
            problems.append(
                Error(
                    f"WORKING_DAY_STEPS names {name!r}, which is not a deadline step.",
                    hint=f"Use the step names of workflows/steps.py STEPS: {valid}.",
                    id="workflows.E001",
                )
            )
        elif step.period.unit != DAYS:
            # period_for() switches only day-counted steps: an hour-counted one stays as it was.
            problems.append(
                Warning(
                    f"WORKING_DAY_STEPS names {name!r}, which is counted in {step.period.unit}, not days; "
                    "working days do not apply to it.",
                    hint="Remove it from WORKING_DAY_STEPS.",
                    id="workflows.W001",
                )
            )
    return problems


@register(Tags.database)
def holiday_arrangements(
    app_configs: Sequence[AppConfig] | None = None, databases: Sequence[str] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    """Every year a running deadline spans, this year, and from November on the next, has its holiday arrangement
    (LEGAL.md §1: a year without one must be visible, never silently Monday–Friday). Run by
    `migrate` (so by `make run`) and `check --database default`, as Django runs database checks."""
    if not databases:
        return []
    return [
        Warning(
            f"No State Council holiday arrangement for {year}: days of {year} are counted Monday to Friday, "
            "so a period ending in it may end too early or too late.",
            hint="Enter the year's notice in the admin (Workflows › holiday arrangements), "
            "or upgrade the chinesecalendar package.",
            id="workflows.W002",
        )
        for year in years_without_arrangement()
    ]


def years_without_arrangement() -> list[int]:
    today = timezone.localdate()
    # The State Council publishes the next year's arrangement around November.
    years = {today.year, today.year + 1} if today.month >= 11 else {today.year}
    try:
        span = Deadline.objects.filter(met_at__isnull=True).aggregate(first=Min("starts_at"), last=Max("due_at"))
    except DatabaseError:  # before the first migrate: no deadline runs yet
        span = {"first": None, "last": None}
    if span["first"] and span["last"]:
        years |= set(range(timezone.localtime(span["first"]).year, timezone.localtime(span["last"]).year + 1))
    return calendar.missing_years(years)


@register(Tags.database)
def provisions_without_successor(
    app_configs: Sequence[AppConfig] | None = None, databases: Sequence[str] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    """A provision that has ended with none entered after it leaves its acts without a basis (LEGAL.md
    §3: 30号令 ends 2026-05-31, replaced by 应急管理部令第19号, whose articles are entered by hand)."""
    if not databases:
        return []
    return [
        Warning(
            f"Legal basis {code} ended on {ended}: acts after that day have no basis for it in Xianjie.",
            hint="Enter the provision that replaced it in the admin (Cases › legal bases), with the day it "
            "took effect, e.g. 应急管理部令第19号 for the 30号令 provisions.",
            id="workflows.W003",
        )
        for code, ended in ended_provisions()
    ]


def ended_provisions() -> list[tuple[str, str]]:
    today = timezone.localdate()
    try:
        latest = LegalBasis.objects.values("code").annotate(
            ended=Max("valid_to"), open=Count("pk", filter=Q(valid_to__isnull=True))
        )
        return sorted(
            (row["code"], row["ended"].isoformat()) for row in latest if not row["open"] and row["ended"] < today
        )
    except DatabaseError:  # before the first migrate
        return []
