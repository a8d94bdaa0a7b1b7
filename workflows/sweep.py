"""The deadline sweep: every missed deadline escalated exactly once (DESIGN §3, §7), and every
deadline that has an owner reminded exactly once, one working day before it ends (issue 18).

Safe from several hosts at once: a batch locks its cases (in id order, as the actions do) and
then its deadline rows with SKIP LOCKED, and re-checks each before it escalates or reminds. The
cost follows what is due: one indexed read of the due rows, then a few statements per batch of 200.
"""

import datetime
import logging
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from viewflow.workflow.timers import fire_due_timers

from cases.events import append_events, build_event
from cases.models import Case
from cases.protocol import announce_many
from core.calendar import legal_time, reminders_due_until

from .models import Deadline
from .steps import LAPSING_STEPS, OWNED_STEPS

logger = logging.getLogger(__name__)
BATCH = 200


def _due_body(due: str) -> str:
    return _("Due %(due)s.") % {"due": due}


# Rendered by announce_many in the offices' language, whatever language the sweeping thread has.
due_body = lazy(_due_body, str)


def _lock_cases(due: list[tuple[int, int]]) -> dict[int, Case]:
    """The cases of `due` [(deadline id, case id)], locked in id order as the actions lock them."""
    return {
        c.pk: c
        for c in Case.objects.select_for_update(of=("self",))
        .select_related("region", "agency")
        .filter(pk__in=sorted({case_id for _pk, case_id in due}))
        .order_by("pk")
    }


def escalate_batch(due: list[tuple[int, int]], now: datetime.datetime, memo: dict[str, Any]) -> int:
    """Escalate the still-open, missed deadlines among `due` [(deadline id, case id)] in one
    transaction. `memo` keeps the recipient look-ups of the whole sweep (announce_many)."""
    with transaction.atomic():
        cases = _lock_cases(due)
        deadlines = list(
            Deadline.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("referral", "listing__agency__region")
            .filter(pk__in=[pk for pk, _c in due], met_at__isnull=True, escalated_at__isnull=True, due_at__lte=now)
            .order_by("pk")
        )
        if not deadlines:
            return 0
        Deadline.objects.filter(pk__in=[d.pk for d in deadlines]).update(escalated_at=now)
        # Every notification of the batch in one insert, pushed once after the commit.
        told = announce_many(
            "escalation",
            [
                {
                    "case": cases[deadline.case_id],
                    "referral": deadline.referral,
                    "deadline": deadline,
                    "body": due_body(legal_time(deadline.due_at)),
                }
                for deadline in deadlines
            ],
            memo=memo,
        )
        events = []
        for deadline, rows in zip(deadlines, told, strict=True):
            case = cases[deadline.case_id]
            events.append(
                build_event(
                    case,
                    action="deadline_missed",
                    actor=None,
                    from_status=case.status,
                    to_status=case.status,
                    data={
                        "deadline": deadline.pk,
                        "step": deadline.step,
                        "due_at": deadline.due_at.isoformat(),
                        "escalated_to": sorted(n.recipient.username for n in rows),  # who was told
                    },
                    referral=deadline.referral,
                    at=now,
                )
            )
        append_events(events)
        return len(deadlines)


def remind_batch(due: list[tuple[int, int]], now: datetime.datetime, memo: dict[str, Any]) -> int:
    """Remind the owners of the still-open, not yet reminded deadlines among `due` [(deadline id,
    case id)] in one transaction; returns how many deadlines were reminded. The reminder rows
    themselves (notifications of kind "reminder" naming the deadline) are the mark: under the case
    locks a second sweeper finds them and reminds nobody again."""
    with transaction.atomic():
        cases = _lock_cases(due)
        deadlines = list(
            Deadline.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("referral")
            .filter(pk__in=[pk for pk, _c in due], met_at__isnull=True, escalated_at__isnull=True, due_at__gt=now)
            .exclude(notifications__kind="reminder")
            .order_by("pk")
        )
        if not deadlines:
            return 0
        told = announce_many(
            "reminder",
            [{"case": cases[d.case_id], "referral": d.referral, "deadline": d} for d in deadlines],
            memo=memo,
        )
        return sum(1 for rows in told if rows)


def remind(now: datetime.datetime, batch: int = BATCH) -> int:
    """Remind the owners of every running deadline whose last working day before its due day has
    begun (core.calendar.reminders_due_until); returns how many deadlines this call reminded."""
    memo: dict[str, Any] = {}
    reminded, last_id = 0, 0
    until = reminders_due_until(now)
    while True:
        due = list(
            Deadline.objects.filter(
                met_at__isnull=True,
                escalated_at__isnull=True,
                due_at__gt=now,
                due_at__lte=until,
                step__in=OWNED_STEPS,
                pk__gt=last_id,
            )
            .exclude(notifications__kind="reminder")
            .order_by("pk")
            .values_list("pk", "case_id")[:batch]
        )
        if not due:
            break
        try:
            reminded += remind_batch(due, now, memo)
        except Exception:  # a reminder that fails is tried again at the next sweep
            logger.exception("Reminding a batch of deadlines failed")
        last_id = due[-1][0]
    return reminded


def sweep(now: datetime.datetime | None = None, batch: int = BATCH) -> int:
    """Escalate every deadline missed by `now` and remind the owners of those ending within one
    working day; returns how many this call escalated."""
    now = now or timezone.now()
    # The party's own periods that ended lapse at their end: nobody missed them (one UPDATE, the
    # same from any number of hosts).
    Deadline.objects.filter(step__in=LAPSING_STEPS, met_at__isnull=True, due_at__lte=now).update(
        met_at=F("due_at"), met_by="lapsed"
    )
    memo: dict[str, Any] = {}
    escalated, last_id = 0, 0
    while True:
        due = list(
            Deadline.objects.filter(met_at__isnull=True, escalated_at__isnull=True, due_at__lte=now, pk__gt=last_id)
            .exclude(step__in=LAPSING_STEPS)
            .order_by("pk")
            .values_list("pk", "case_id")[:batch]
        )
        if not due:
            break
        try:
            escalated += escalate_batch(due, now, memo)
        except Exception:  # one broken batch must not stop the others: retry its rows one by one
            logger.exception("Escalating a batch failed; retrying one by one")
            for row in due:
                try:
                    escalated += escalate_batch([row], now, memo)
                except Exception:
                    logger.exception("Escalating deadline %s failed", row[0])
        last_id = due[-1][0]
    try:
        reminded = remind(now, batch)
        if reminded:
            logger.info("Reminded the owners of %s deadline(s)", reminded)
    except Exception:  # reminders never stop the escalations nor the timers
        logger.exception("Reminding the owners of deadlines failed")
    try:
        fire_due_timers()
    except Exception:
        logger.exception("Firing viewflow timers failed")
    return escalated
