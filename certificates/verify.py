"""Is this certificate real? (DESIGN §7) Both number and name are needed: a wrong name learns
`name_mismatch` and nothing more, so nobody can enumerate the registry by number.

Nor by number and guessed name (issue 17, §1): without a case, `not_found` and `name_mismatch`
are one answer, `no_match`, so a check never confirms that a number exists. The full statuses are
for a case's own staff, a few numbers at a time (`verify_for`)."""

import datetime

from django.db import connection
from django.utils import timezone

from core.identity import plain

from .models import REVIEW_YEARS, VERIFICATION_CHOICES, Certificate, add_years

MAX_ITEMS = 10_000
CHUNK = MAX_ITEMS  # one query for a whole roster
STATUSES = ("valid", "expired", "review_overdue", "revoked", "not_found", "name_mismatch", "no_match")
HIDDEN = {"not_found": "no_match", "name_mismatch": "no_match"}  # what a check without a case answers


def status_labels() -> dict[str, str]:
    """Each answer of a verification as a person reads it."""
    return {value: str(label) for value, label in VERIFICATION_CHOICES}


def normalize_name(name: str) -> str:
    return "".join((name or "").split())


FIELDS = ("number", "holder_name", "status", "expires_on", "reviewed_on", "issued_on")


def status_of(cert: tuple | None, name: str, today: datetime.date) -> str:
    """cert: a row of FIELDS, or None."""
    if cert is None:
        return "not_found"
    _number, holder, status, expires_on, reviewed_on, issued_on = cert
    if holder != name and normalize_name(holder) != normalize_name(name):
        return "name_mismatch"
    if status == Certificate.Status.REVOKED:
        return "revoked"
    if today > expires_on:
        return "expired"
    if today > add_years(reviewed_on or issued_on, REVIEW_YEARS):
        return "review_overdue"
    return "valid"


def verify(items: list[dict], today: datetime.date | None = None, *, full: bool = False) -> list[dict]:
    """[{"number", "name"}] → [{"number", "name", "status"}], in order, a few queries per 2,000.
    `full`: tell `not_found` from `name_mismatch` (in a case's context only); else both are `no_match`."""
    today = today or timezone.localdate()
    numbers = list({plain(item["number"]) for item in items})
    found: dict[str, tuple] = {}
    for start in range(0, len(numbers), CHUNK):
        chunk = numbers[start : start + CHUNK]
        rows = Certificate.objects.all()
        if connection.vendor == "postgresql":
            # One array parameter instead of 10,000 placeholders to build and parse.
            rows = rows.extra(where=["number = ANY(%s)"], params=[chunk])  # noqa: S610 - a fixed clause, bound parameters
        else:
            rows = rows.filter(number__in=chunk)
        found.update({row[0]: row for row in rows.values_list(*FIELDS)})
    return [
        {
            "number": item["number"],
            "name": item["name"],
            "status": _shown(status_of(found.get(plain(item["number"])), item["name"], today), full),
        }
        for item in items
    ]


def _shown(status: str, full: bool) -> str:
    return status if full else HIDDEN.get(status, status)
