"""Is this certificate real? (DESIGN §7) Both number and name are needed: a wrong name learns
`name_mismatch` and nothing more, so nobody can enumerate the registry by number."""

import datetime

from django.utils import timezone

from .models import REVIEW_YEARS, Certificate, add_years

MAX_ITEMS = 10_000
CHUNK = 2_000
STATUSES = ("valid", "expired", "review_overdue", "revoked", "not_found", "name_mismatch")


def normalize_name(name: str) -> str:
    return "".join((name or "").split())


def status_of(cert: dict | None, name: str, today: datetime.date) -> str:
    if cert is None:
        return "not_found"
    if normalize_name(cert["holder_name"]) != normalize_name(name):
        return "name_mismatch"
    if cert["status"] == Certificate.Status.REVOKED:
        return "revoked"
    if today > cert["expires_on"]:
        return "expired"
    if today > add_years(cert["reviewed_on"] or cert["issued_on"], REVIEW_YEARS):
        return "review_overdue"
    return "valid"


def verify(items: list[dict], today: datetime.date | None = None) -> list[dict]:
    """[{"number", "name"}] → [{"number", "name", "status"}], in order, a few queries per 2,000."""
    today = today or timezone.localdate()
    numbers = list({item["number"].strip() for item in items})
    found: dict[str, dict] = {}
    for start in range(0, len(numbers), CHUNK):
        rows = Certificate.objects.filter(number__in=numbers[start : start + CHUNK]).values(
            "number", "holder_name", "status", "expires_on", "reviewed_on", "issued_on"
        )
        found.update({row["number"]: row for row in rows})
    return [
        {
            "number": item["number"],
            "name": item["name"],
            "status": status_of(found.get(item["number"].strip()), item["name"], today),
        }
        for item in items
    ]
