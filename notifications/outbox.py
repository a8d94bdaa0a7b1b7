"""Writing notifications: rows now, inside the caller's transaction; delivery after commit."""

from collections.abc import Iterable

from .models import Notification


def notify(
    recipients: Iterable, *, kind: str, title: str, body: str = "", case=None, referral=None
) -> list[Notification]:
    """One row per distinct recipient. The caller decides who may be told (they must see the case)."""
    seen, rows = set(), []
    for user in recipients:
        if user.pk in seen:
            continue
        seen.add(user.pk)
        rows.append(Notification(recipient=user, kind=kind, title=title[:200], body=body, case=case, referral=referral))
    return Notification.objects.bulk_create(rows)
