"""Writing notifications: rows now, inside the caller's transaction (an outbox); the WebSocket
push and the e-mail only after commit, so a rolled-back action tells nobody anything.

Who is told of what is decided in announce.py, the only caller of these writers in the apps."""

import logging
from collections.abc import Iterable
from typing import NamedTuple

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from cases.models import Case, Referral

from .models import Notification, Preference

logger = logging.getLogger(__name__)


def group_name(user_id: int) -> str:
    return f"notifications.{user_id}"


def payload(n: Notification) -> dict:
    """The WebSocket message of DESIGN §4."""
    return {
        "type": "notification",
        "id": n.pk,
        "kind": n.kind,
        "title": n.title,
        "case": n.case_id,
        "referral": n.referral_id,
        "created_at": n.created_at.isoformat(),
    }


class Message(NamedTuple):
    """One announcement: the same title, body, case and referral to each of its recipients."""

    recipients: Iterable
    title: str
    body: str = ""
    case: Case | None = None
    referral: Referral | None = None


def notify(
    recipients: Iterable, *, kind: str, title: str, body: str = "", case=None, referral=None, email: bool = False
) -> list[Notification]:
    """One row per distinct active recipient; delivery is scheduled for after the commit."""
    return notify_many(kind, [Message(recipients, title, body, case, referral)], email=email)[0]


def notify_many(kind: str, messages: Iterable[Message], *, email: bool = False) -> list[list[Notification]]:
    """The rows of many messages of one kind in one insert, delivered together after the commit
    (the sweep escalates hundreds of deadlines per transaction). Per message, one row per distinct
    active recipient; returns each message's rows. `email`: also e-mail them (see deliver)."""
    batches = []
    for m in messages:
        seen, rows = set(), []
        for user in m.recipients:
            if user.pk in seen or not user.is_active:
                continue
            seen.add(user.pk)
            rows.append(
                Notification(
                    recipient=user,
                    kind=kind,
                    title=str(m.title)[:200],
                    body=str(m.body),
                    case=m.case,
                    referral=m.referral,
                )
            )
        batches.append(rows)
    rows = Notification.objects.bulk_create([n for batch in batches for n in batch])
    if rows:
        transaction.on_commit(lambda: deliver(rows, email=email), robust=True)
    return batches


def deliver(rows: list[Notification], *, email: bool = False) -> None:
    """Push the rows; with `email` (the kind's rule in announce.py says so) also e-mail them."""
    push(rows)
    if email:
        mail(rows)


def push(rows: list[Notification]) -> int:
    """Send each row to its recipient's group. A channel layer that is down loses nothing: the
    rows are kept and a client reconnecting with ?since= receives them."""
    layer = get_channel_layer()
    messages = [(group_name(n.recipient_id), {"type": "notify", "message": payload(n)}) for n in rows]

    async def send_all() -> int:
        sent = 0
        for group, message in messages:
            await layer.group_send(group, message)
            sent += 1
        return sent

    try:
        return async_to_sync(send_all)()  # one hop into the event loop for the whole batch
    except Exception:  # Redis down or unreachable: the outbox rows stay for catch-up
        logger.warning("Push of %s notification(s) failed; kept for catch-up", len(rows), exc_info=True)
        return 0


def mail(rows: list[Notification]) -> int:
    """E-mail each row to its recipient, unless they turned its kind off (a Preference row)."""
    wanted = [n for n in rows if n.recipient.email]
    if not wanted:
        return 0
    off = set(
        Preference.objects.filter(user_id__in={n.recipient_id for n in wanted}, email=False).values_list(
            "user_id", "kind"
        )
    )
    sent = 0
    for n in wanted:
        if (n.recipient_id, n.kind) in off:
            continue
        try:
            send_mail(n.title, n.body or n.title, settings.DEFAULT_FROM_EMAIL, [n.recipient.email])
            sent += 1
        except Exception:
            logger.warning("E-mail for notification %s failed", n.pk, exc_info=True)
    return sent
