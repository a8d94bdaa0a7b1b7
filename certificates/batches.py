"""Who may verify how much, and the record of every verification (issue 17, §1).

- One certificate at a time: any official. More than one in a request (the API, a roster) only
  the officers and heads of a work-safety regulator, or a case's own staff for that case.
- Quotas in items, per user per hour and per day, per agency per day, in calendar hours and days
  so that a refusal can say when it resets. A refused request uses nothing and verifies nothing.
- Every verification leaves a VerificationBatch: who, for which agency, when, how many, why.
- Without a case the answer never tells whether a number exists (`no_match`); with a case, for the
  staff of the agency that owns it, the full statuses (`verify(full=True)`).
"""

import contextlib
import datetime
from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from agencies import jurisdiction
from agencies.models import Agency, Membership
from cases.access import get_case_for
from cases.models import Case
from core import ratelimit

from .models import VerificationBatch
from .verify import verify

STAFF_ROLES = (Membership.Role.OFFICER, Membership.Role.HEAD)


class QuotaExceeded(Exception):
    """429: the request would pass a quota; `retry_after` seconds until it resets."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


def regulator_of(user: User) -> Agency | None:
    """The work-safety regulator in which the user is an officer or the head: who verifies in bulk."""
    return next(
        (
            m.agency
            for m in jurisdiction.memberships_of(user)
            if m.agency.kind == Agency.Kind.SAFETY_REGULATOR and m.role in STAFF_ROLES
        ),
        None,
    )


def may_verify_in_bulk(user: User) -> bool:
    return regulator_of(user) is not None


def bulk_refused_message() -> str:
    return _(
        "Only officers and heads of a work-safety regulator verify more than one certificate at a time; "
        "check them one by one."
    )


def case_context(user: User, case_id: int) -> Case:
    """The case a verification is made for: one the user sees (404 otherwise) and may act on as an
    officer or the head of its owning agency (403 otherwise)."""
    case = get_case_for(user, case_id)
    if not jurisdiction.is_staff_of(user, case.agency_id):
        raise PermissionDenied(_("Only the officers and the head of the agency that owns the case verify for it."))
    return case


@dataclass(frozen=True)
class Quota:
    kind: str
    key: str
    limit: int
    resets_at: datetime.datetime
    message: str


def _quotas(user: User, agency: Agency | None, in_case: bool = False) -> list[Quota]:
    now = timezone.localtime()
    next_hour = now.replace(minute=0, second=0, microsecond=0) + datetime.timedelta(hours=1)
    next_day = (now + datetime.timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    hour, day = f"{now:%Y%m%d%H}", f"{now:%Y%m%d}"
    quotas = [
        Quota(
            "verify-user-hour",
            f"{user.pk}:{hour}",
            settings.VERIFY_ITEMS_PER_USER_HOUR,
            next_hour,
            _(
                "You may verify at most %(limit)s certificates an hour; %(used)s verified this hour and this "
                "request has %(n)s. Nothing was verified. The limit resets at %(reset)s."
            ),
        ),
        Quota(
            "verify-user-day",
            f"{user.pk}:{day}",
            settings.VERIFY_ITEMS_PER_USER_DAY,
            next_day,
            _(
                "You may verify at most %(limit)s certificates a day; %(used)s verified today and this request "
                "has %(n)s. Nothing was verified. The limit resets at %(reset)s."
            ),
        ),
    ]
    if in_case:
        # In a case the answers are full (not_found, name_mismatch): few a user may ask for.
        quotas.append(
            Quota(
                "verify-case-user-hour",
                f"{user.pk}:{hour}",
                settings.VERIFY_CASE_ITEMS_PER_USER_HOUR,
                next_hour,
                _(
                    "In cases you may verify at most %(limit)s certificates an hour; %(used)s verified this hour "
                    "and this request has %(n)s. Nothing was verified. The limit resets at %(reset)s."
                ),
            )
        )
        quotas.append(
            Quota(
                "verify-case-user-day",
                f"{user.pk}:{day}",
                settings.VERIFY_CASE_ITEMS_PER_USER_DAY,
                next_day,
                _(
                    "In cases you may verify at most %(limit)s certificates a day; %(used)s verified today and "
                    "this request has %(n)s. Nothing was verified. The limit resets at %(reset)s."
                ),
            )
        )
    if agency is not None:
        quotas.append(
            Quota(
                "verify-agency-day",
                f"{agency.pk}:{day}",
                settings.VERIFY_ITEMS_PER_AGENCY_DAY,
                next_day,
                _(
                    "Your agency may verify at most %(limit)s certificates a day; %(used)s verified today and "
                    "this request has %(n)s. Nothing was verified. The limit resets at %(reset)s."
                ),
            )
        )
    return quotas


def _refusal(quota: Quota, used: int, n: int) -> QuotaExceeded:
    now = timezone.now()
    message = quota.message % {
        "limit": f"{quota.limit:,}",
        "used": f"{used:,}",
        "n": f"{n:,}",
        "reset": formats.date_format(timezone.localtime(quota.resets_at), "Y-m-d H:i"),
    }
    return QuotaExceeded(message, max(1, int((quota.resets_at - now).total_seconds()) + 1))


def _release(quota: Quota, n: int) -> None:
    # ratelimit.allow counts under "rate:<kind>:<key>"; give back what a refused request took.
    with contextlib.suppress(ValueError):
        cache.decr(f"rate:{quota.kind}:{quota.key}", n)


def take_quota(user: User, agency: Agency | None, n: int, in_case: bool = False) -> None:
    """Use n items of every quota of the user and agency, or none of them (QuotaExceeded)."""
    quotas = _quotas(user, agency, in_case)
    for quota in quotas:
        used = ratelimit.used(quota.kind, quota.key)
        if used + n > quota.limit:
            raise _refusal(quota, used, n)
    taken: list[Quota] = []
    for quota in quotas:
        window = int((quota.resets_at - timezone.now()).total_seconds()) + 60
        if not ratelimit.allow(quota.kind, quota.key, quota.limit, window=window, cost=n):
            for done in taken:  # another request took the rest meanwhile
                _release(done, n)
            raise _refusal(quota, ratelimit.used(quota.kind, quota.key), n)
        taken.append(quota)


def acting_agency(user: User) -> Agency | None:
    """The agency a verification is counted to: the user's regulator if any, else their first agency."""
    return regulator_of(user) or jurisdiction.acting_agency(user)


def verify_for(
    user: User,
    items: list[dict],
    *,
    purpose: str,
    case: Case | None = None,
    filename: str = "",
    employer: str = "",
    via_api: bool = False,
    quota: bool = True,
) -> tuple[list[dict], VerificationBatch]:
    """Verify `items` for `user` (checked, counted and recorded). `case` must come from case_context."""
    n = len(items)
    agency: Agency | None
    if case is not None:
        if n > settings.VERIFY_CASE_MAX_ITEMS:
            raise ValidationError(
                {
                    "items": [
                        _("At most %(max)s certificates a request for a case.")
                        % {"max": settings.VERIFY_CASE_MAX_ITEMS}
                    ]
                }
            )
        agency = case.agency
    elif n > 1 or purpose == VerificationBatch.Purpose.ROSTER:
        agency = regulator_of(user)
        if agency is None:
            raise PermissionDenied(bulk_refused_message())
    else:
        agency = acting_agency(user)
    if quota:
        take_quota(user, agency, n, in_case=case is not None)
    results = verify(items, full=case is not None)
    batch = VerificationBatch.objects.create(
        user=user,
        username=user.get_username(),
        agency=agency,
        items=n,
        counts=dict(Counter(r["status"] for r in results)),
        purpose=VerificationBatch.Purpose.CASE if case is not None else purpose,
        case=case,
        filename=filename[:200],
        employer=employer[:200],
        via_api=via_api,
    )
    return results, batch


def batches_supervised_by(user: User):
    """The verification batches of the agencies in the regions the user supervises."""
    paths = jurisdiction.supervised_paths(user)
    return VerificationBatch.objects.filter(jurisdiction.region_q(paths, "agency__region__path"))
