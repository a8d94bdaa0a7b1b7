"""Opening and meeting the legal deadlines of the step table (steps.py).

Every step's due time is stored when the step begins, so "missed" and "due in the next 24 hours"
are plain indexed queries; the sweep escalates each missed one exactly once.
"""

import datetime
from typing import Any

from django.utils import timezone

from cases.models import Case, Finding, Rectification, Referral

from .calendar import due_after, due_after_date
from .models import Deadline
from .steps import period_for


def open_deadline(
    case: Case,
    step: str,
    *,
    starts_at: datetime.datetime | None = None,
    referral: Referral | None = None,
    finding: Finding | None = None,
    rectification: Rectification | None = None,
    listing: Any = None,  # an oversight.Listing: that app sits above this one
    due_at: datetime.datetime | None = None,
) -> Deadline:
    starts_at = starts_at or timezone.now()
    return Deadline.objects.create(
        case=case,
        step=step,
        referral=referral,
        finding=finding,
        rectification=rectification,
        listing=listing,
        starts_at=starts_at,
        due_at=due_at or due_after(starts_at, period_for(step)),
    )


def open_reinspection(case: Case, rectification: Rectification) -> Deadline:
    return open_deadline(
        case,
        "reinspect",
        rectification=rectification,
        due_at=due_after_date(rectification.deadline, period_for("reinspect")),
    )


def meet(*, steps: tuple[str, ...], **where: Any) -> int:
    """Mark the open deadlines of these steps met (e.g. referral=r). The caller holds the case lock."""
    return Deadline.objects.filter(step__in=steps, met_at__isnull=True, **where).update(met_at=timezone.now())
