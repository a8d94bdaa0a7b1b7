"""Writing notifications: rows now, inside the caller's transaction (an outbox), with their
e-mails (notifications.Delivery, the text as it reads now); the WebSocket push and the sending only
after commit, so a rolled-back action tells nobody anything. An e-mail that cannot be sent is kept
and tried again (notifications/delivery.py).

Who is told of what is decided in announce.py, the only caller of these writers in the apps."""

import logging
from collections.abc import Iterable
from typing import Any, NamedTuple

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cases.models import Case, Referral
from core.calendar import deadline_text, time_left
from core.identity import redact
from workflows.models import Deadline
from workflows.steps import next_due

from .delivery import enqueue
from .groups import group_name
from .models import Delivery, Notification, Preference

logger = logging.getLogger(__name__)


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
    deadline: Deadline | None = None  # the deadline it is about (a reminder, an escalation)


def notify(
    recipients: Iterable, *, kind: str, title: str, body: str = "", case=None, referral=None, email: bool = False
) -> list[Notification]:
    """One row per distinct active recipient; delivery is scheduled for after the commit."""
    return notify_many(kind, [Message(recipients, title, body, case, referral)], email=email)[0]


def notify_many(kind: str, messages: Iterable[Message], *, email: bool = False) -> list[list[Notification]]:
    """The rows of many messages of one kind in one insert, delivered together after the commit
    (the sweep escalates hundreds of deadlines per transaction). Per message, one row per distinct
    active recipient; returns each message's rows. `email`: also e-mail them (write_deliveries)."""
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
                    deadline=m.deadline,
                )
            )
        batches.append(rows)
    rows = Notification.objects.bulk_create([n for batch in batches for n in batch])
    deliveries = write_deliveries(rows) if email else []
    if rows:
        transaction.on_commit(lambda: deliver(rows, deliveries), robust=True)
    return batches


def deliver(rows: list[Notification], deliveries: Iterable[Delivery] = ()) -> None:
    """Push the rows, then hand each e-mail to a worker (in-process when no broker is configured)."""
    push(rows)
    enqueue([d.pk for d in deliveries])


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


def write_deliveries(rows: list[Notification]) -> list[Delivery]:
    """The e-mail of each row whose recipient has an address and has not turned its kind off (a
    Preference row), written in one insert: the text is rendered now, in the offices' language."""
    wanted = [n for n in rows if n.recipient.email]
    if not wanted:
        return []
    off = set(
        Preference.objects.filter(user_id__in={n.recipient_id for n in wanted}, email=False).values_list(
            "user_id", "kind"
        )
    )
    deadlines: dict[Any, Deadline | None] = {}  # the next deadline of each referral or case, looked up once
    now = timezone.now()
    deliveries = []
    for n in wanted:
        if (n.recipient_id, n.kind) in off:
            continue
        subject, text = email_of(n, deadlines)
        deliveries.append(
            Delivery(
                notification=n,
                recipient_id=n.recipient_id,
                address=n.recipient.email,
                subject=subject[:255],
                body=text,
                next_try_at=now,
                created_at=now,
            )
        )
    return Delivery.objects.bulk_create(deliveries)


def email_of(n: Notification, deadlines: dict[Any, Deadline | None] | None = None) -> tuple[str, str]:
    """The subject and the body of a notification's e-mail, in the offices' language: what happened,
    the case, its party, the referral, the deadline when one runs, and the link to the page where
    it is dealt with. ID numbers never: any in a text typed by someone is masked (core.identity)."""
    deadlines = {} if deadlines is None else deadlines
    with translation.override(settings.LANGUAGE_CODE):
        lines = [n.title, ""]
        if n.body:
            lines += [n.body, ""]
        if n.case is not None:
            lines.append(_("Case: %(number)s") % {"number": n.case.number})
            lines.append(_("Party: %(party)s") % {"party": n.case.party_name})
        if n.referral is not None:
            lines.append(_("Referral: %(number)s") % {"number": n.referral.number})
        deadline = n.deadline or _next_deadline(n, deadlines)
        if deadline is not None:
            lines.append(
                _("Deadline: %(step)s, %(due)s (%(left)s)")
                % {
                    "step": deadline.label,
                    "due": deadline_text(deadline.due_at, chinese=settings.LANGUAGE_CODE.startswith("zh")),
                    "left": time_left(deadline.due_at, timezone.now()),
                }
            )
        if n.link and settings.SITE_URL:
            lines.append(_("Open: %(url)s") % {"url": settings.SITE_URL + n.link})
        lines += ["", _("This message was sent by Xianjie; e-mails of this kind can be turned off in its settings.")]
        return redact(n.title), redact("\n".join(lines).strip() + "\n")


def _next_deadline(n: Notification, cache: dict[Any, Deadline | None]) -> Deadline | None:
    """The next running deadline of the notification's referral, else of its case (steps.next_due)."""
    if n.referral_id:
        key, where = ("referral", n.referral_id), {"referral_id": n.referral_id}
    elif n.case_id:
        key, where = ("case", n.case_id), {"case_id": n.case_id}
    else:
        return None
    if key not in cache:
        cache[key] = next_due(Deadline.objects.filter(met_at__isnull=True, **where))
    return cache[key]
