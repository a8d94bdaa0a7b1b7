"""Start-up checks of the workflow settings: a misspelt step name would otherwise change nothing."""

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register

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
