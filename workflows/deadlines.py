"""Opening and meeting the legal deadlines of the step table (steps.py).

Every step's due time is stored when the step begins, so "missed" and "due in the next 24 hours"
are plain indexed queries; the sweep escalates each missed one exactly once.
"""

import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from viewflow.workflow.status import STATUS

from agencies import jurisdiction
from cases.models import Case, Finding, Fine, Penalty, Rectification, Referral
from core.calendar import LEGAL_TZ, due_after, due_after_date, end_of_day

from .models import Deadline, TaskRoute
from .steps import STEPS, Owner, opened_by, period_for

# A viewflow task still to be done.
OPEN_TASKS = (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED)


def open_deadline(
    case: Case,
    step: str,
    *,
    starts_at: datetime.datetime | None = None,
    referral: Referral | None = None,
    finding: Finding | None = None,
    rectification: Rectification | None = None,
    listing: Any = None,  # an oversight.Listing: that app sits above this one
    fine: Fine | None = None,
    penalty: Penalty | None = None,
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
        fine=fine,
        penalty=penalty,
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


def open_referral_steps(case: Case, referral: Referral, *, action: str, changed: bool = True) -> list[Deadline]:
    """Open the steps the referral's arrival in its status (through `action`) opens (steps.opened_by),
    in one insert."""
    now = timezone.now()
    opened = [
        Deadline(case=case, step=step, referral=referral, starts_at=now, due_at=due_after(now, period_for(step)))
        for step in opened_by(referral.status, action=action, kind=referral.kind, changed=changed)
        if not (STEPS[step].once and referral.forwarded_from_id)
    ]
    return Deadline.objects.bulk_create(opened) if opened else []


def open_fine_periods(case: Case, fine: Fine) -> list[Deadline]:
    """Once a fine's decision is served: the 15 days to pay, and the court window that follows."""
    assert fine.served_on is not None and fine.due_on is not None and fine.enforcement_closes_at is not None
    served = datetime.datetime.combine(fine.served_on, datetime.time(), tzinfo=LEGAL_TZ)
    return [
        open_deadline(case, "fine_payment", fine=fine, starts_at=served, due_at=end_of_day(fine.due_on)),
        open_deadline(case, "fine_enforcement", fine=fine, starts_at=served, due_at=fine.enforcement_closes_at),
    ]


def meet(*, steps: tuple[str, ...], by: str, **where: Any) -> int:
    """Close the open deadlines of these steps (e.g. referral=r) by the action `by`: done, or ended
    by another turn of the matter (a 补正 ends the decision's first 3 days). The caller holds the case lock."""
    return Deadline.objects.filter(step__in=steps, met_at__isnull=True, **where).update(
        met_at=timezone.now(), met_by=by
    )


def extend(case: Case, step: str, current: Deadline, due_at: datetime.datetime, *, by: str) -> Deadline:
    """A period lengthened by approval: the running one ends (met by `by`), a new one runs from the
    same start to `due_at`, and the open tasks it dated show the new due time."""
    meet(steps=(step,), by=by, case=case)
    extended = open_deadline(case, step, starts_at=current.starts_at, due_at=due_at)
    TaskRoute.objects.filter(case=case, due_at=current.due_at, task__status__in=OPEN_TASKS).update(due_at=due_at)
    return extended


def owned_by(user: Any) -> "QuerySet[Deadline]":
    """The open deadlines `user` must act on (steps.Owner), soonest first: the inbox shows them
    before they are missed. notifications.recipients.owners asks the same the other way round."""
    if not getattr(user, "is_authenticated", False):
        return Deadline.objects.none()
    memberships = jurisdiction.memberships_of(user)
    heads = {m.agency_id for m in memberships if m.role == "head"}
    staff = {m.agency_id for m in memberships if m.role in ("officer", "head")}
    handler = Q(case__handlers=user)
    whose = {
        Owner.HANDLERS: handler,
        Owner.CASE_HEAD: Q(case__agency_id__in=heads),
        Owner.CASE_STAFF: handler | Q(case__agency_id__in=heads),
        Owner.DECIDING_HEAD: Q(referral__referring_agency_id__in=heads) & ~Q(referral__proposed_by=user),
        Owner.REFERRING_HEAD: Q(referral__referring_agency_id__in=heads),
        Owner.REFERRING_STAFF: Q(referral__referring_agency_id__in=heads)
        | (handler & Q(referral__referring_agency_id__in=staff)),
        Owner.POLICE: Q(referral__police_agency_id__in=staff),
        Owner.POLICE_HEAD: Q(referral__police_agency_id__in=heads),
    }
    mine = Q(pk__in=[])
    for owner, q in whose.items():
        mine |= Q(step__in=[name for name, step in STEPS.items() if step.owner is owner]) & q
    ids = Deadline.objects.filter(mine, met_at__isnull=True).values("pk")
    return Deadline.objects.filter(pk__in=ids).select_related("case", "referral").order_by("due_at", "pk")
