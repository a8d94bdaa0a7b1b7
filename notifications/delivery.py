"""Sending the e-mails of notifications (Delivery rows, written with them in the action's transaction).

A delivery is sent by whichever worker claims it first: the claim is one conditional UPDATE, so a
delivery handed to two workers (a task delivered twice, a retry sweep racing the first try) is sent
once. A send that fails is tried again later, further apart each time, and given up ("dead", for
the administrator to send again) once its first try is DELIVERY_GIVE_UP_HOURS old. A worker that
dies holding a claim lets it go when the claim runs out; retry_due() then hands the delivery on."""

import datetime
import logging
import random
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from .models import Delivery

logger = logging.getLogger(__name__)

CLAIM = datetime.timedelta(minutes=10)  # longer than any one send may take (SEND_TIMEOUT)
SEND_TIMEOUT = 60  # seconds a mail server may keep us waiting, unless EMAIL_TIMEOUT says otherwise
LOST_AFTER = datetime.timedelta(minutes=2)  # a pending delivery untouched this long lost its task
MAX_BACKOFF = datetime.timedelta(hours=2)
RETRY_BATCH = 1000  # deliveries handed on per retry_due() call; the rest on the next call
SENDABLE = (Delivery.Status.PENDING, Delivery.Status.FAILED)


def enqueue(delivery_ids: Iterable[int]) -> int:
    """A send_delivery task for each delivery; a broker out of reach loses nothing (the rows stay
    pending and retry_due() hands them on)."""
    from .tasks import send_delivery  # noqa: PLC0415  # the task module imports this one

    queued = 0
    for delivery_id in delivery_ids:
        try:
            send_delivery.delay(delivery_id)
            queued += 1
        except Exception:
            logger.warning("Delivery %s could not be queued; it will be tried again", delivery_id, exc_info=True)
    return queued


def free(now: datetime.datetime) -> Q:
    """No worker holds it (or the one that did has let its claim run out)."""
    return Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)


def claim(delivery_id: int, now: datetime.datetime | None = None) -> datetime.datetime | None:
    """Take the delivery if it is due and nobody holds it; returns the claim (its end, which the
    outcome's write checks), or None when another worker has it, its time has not come or it is over."""
    now = now or timezone.now()
    until = now + CLAIM
    taken = Delivery.objects.filter(free(now), pk=delivery_id, status__in=SENDABLE, next_try_at__lte=now).update(
        claimed_until=until, first_tried_at=Coalesce(F("first_tried_at"), now)
    )
    return until if taken else None


def backoff(attempts: int) -> datetime.timedelta:
    """The wait before the next try after `attempts` failed ones: doubling from the base, at most
    two hours, each spread by ±25% so that deliveries failed together are not retried together."""
    base = datetime.timedelta(seconds=settings.DELIVERY_RETRY_BASE_SECONDS)
    wait = min(base * 2 ** min(max(attempts - 1, 0), 20), MAX_BACKOFF)
    return wait * random.uniform(0.75, 1.25)  # noqa: S311 - spreading retries, not a secret


def send(delivery_id: int) -> bool:
    """Claim the delivery and send it; True if it was sent now. False when there was nothing to do
    (another worker has it, it is not due, it is over) or the send failed (recorded on the row)."""
    until = claim(delivery_id)
    if until is None:
        return False
    delivery = Delivery.objects.get(pk=delivery_id)
    mine = Delivery.objects.filter(pk=delivery_id, claimed_until=until)
    try:
        connection = get_connection(timeout=getattr(settings, "EMAIL_TIMEOUT", None) or SEND_TIMEOUT)
        EmailMessage(
            delivery.subject, delivery.body, settings.DEFAULT_FROM_EMAIL, [delivery.address], connection=connection
        ).send()
    except Exception as exc:
        failed(delivery, mine, exc)
        return False
    mine.update(status=Delivery.Status.SENT, sent_at=timezone.now(), claimed_until=None, attempts=F("attempts") + 1)
    return True


def failed(delivery: Delivery, mine, exc: Exception) -> None:
    """Record a failed try: again after the backoff, or given up once the first try is old enough."""
    now = timezone.now()
    attempts = delivery.attempts + 1
    error = f"{type(exc).__name__}: {exc}"[:500]
    first = delivery.first_tried_at or now
    if now - first >= datetime.timedelta(hours=settings.DELIVERY_GIVE_UP_HOURS):
        status, next_try_at = Delivery.Status.DEAD, now
        logger.warning("Delivery %s given up after %s tries: %s", delivery.pk, attempts, error)
    else:
        status, next_try_at = Delivery.Status.FAILED, now + backoff(attempts)
        logger.warning("Delivery %s failed (try %s), again at %s: %s", delivery.pk, attempts, next_try_at, error)
    mine.update(
        status=status, attempts=F("attempts") + 1, last_error=error, next_try_at=next_try_at, claimed_until=None
    )


def due(now: datetime.datetime | None = None) -> list[int]:
    """The deliveries to hand to a worker: failed ones whose next try has come, and pending ones
    left untouched for LOST_AFTER (their task was lost: a broker restarted, a worker killed)."""
    now = now or timezone.now()
    waiting = Q(status=Delivery.Status.FAILED, next_try_at__lte=now) | Q(
        status=Delivery.Status.PENDING, next_try_at__lte=now - LOST_AFTER
    )
    return list(
        Delivery.objects.filter(waiting)
        .filter(free(now))
        .order_by("next_try_at")
        .values_list("pk", flat=True)[:RETRY_BATCH]
    )


def retry_due(now: datetime.datetime | None = None) -> int:
    """Hand every due delivery (see due()) to a worker; returns how many. Beat runs it each minute
    (notifications.tasks.retry_deliveries); without a broker, the sweep loop does, and each is sent
    in-process."""
    return enqueue(due(now))


def send_again(deliveries) -> list[int]:
    """The administrator's "send again" of failed or given-up deliveries that no worker holds:
    pending from now, their tries and last error kept, and DELIVERY_GIVE_UP_HOURS counted afresh
    from the next try. Returns the ids to enqueue once the caller's transaction commits."""
    now = timezone.now()
    again = deliveries.filter(free(now), status__in=(Delivery.Status.FAILED, Delivery.Status.DEAD))
    ids = list(again.values_list("pk", flat=True))
    Delivery.objects.filter(free(now), pk__in=ids).update(
        status=Delivery.Status.PENDING, next_try_at=now, first_tried_at=None
    )
    return ids
