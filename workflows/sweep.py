"""The deadline sweep: every missed deadline escalated exactly once (DESIGN §3, §7).

Safe from several hosts at once: a batch locks its cases (in id order, as the actions do) and
then its deadline rows with SKIP LOCKED, and re-checks each before it escalates. The cost follows
what is due: one indexed read of the due rows, then a few statements per batch of 200.
"""

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from viewflow.workflow.timers import fire_due_timers

from agencies.jurisdiction import with_memberships
from agencies.models import Agency
from cases.access import can_see_case
from cases.events import append_events, build_event
from cases.models import Case
from notifications import recipients
from notifications.models import Notification
from notifications.outbox import deliver

from .deadlines import STEPS, Notify
from .models import Deadline

logger = logging.getLogger(__name__)
BATCH = 200


class Recipients:
    """Who the deadline table names, looked up once per region and agency within a sweep."""

    def __init__(self):
        self.cache: dict[tuple, list] = {}

    def _get(self, key, load):
        if key not in self.cache:
            self.cache[key] = with_memberships(load())
        return self.cache[key]

    def __call__(self, deadline: Deadline, case: Case) -> list:
        referral = deadline.referral
        people: list = []
        for who in STEPS[deadline.step].escalate_to:
            if who is Notify.SUPERVISORS:
                people += self._get(("sup", case.region_id), lambda: recipients.supervisors(case))
            elif who is Notify.POLICE_HEAD and referral:
                people += self._get(
                    ("ph", referral.police_agency_id), lambda: recipients.heads(referral.police_agency_id)
                )
            elif who is Notify.PROCURATORATE and referral:
                people += self._get(
                    ("proc", referral.police_agency_id),
                    lambda: recipients.procuratorate_of(
                        Agency.objects.select_related("region").get(pk=referral.police_agency_id)
                    ),
                )
            elif who is Notify.AGENCY_HEAD:
                people += self._get(("head", case.agency_id), lambda: recipients.heads(case.agency_id))
            elif who is Notify.SUPERVISORS_ABOVE and deadline.listing_id:
                region = deadline.listing.agency.region
                people += self._get(("above", region.code), lambda region=region: recipients.supervisors_above(region))
        seen, out = set(), []
        for user in people:
            if user.pk not in seen:
                seen.add(user.pk)
                out.append(user)
        return out


def escalate_batch(due: list[tuple[int, int]], now, who: Recipients) -> int:
    """Escalate the still-open, missed deadlines among `due` [(deadline id, case id)] in one transaction."""
    with transaction.atomic():
        case_ids = sorted({case_id for _pk, case_id in due})
        cases = {
            c.pk: c
            for c in Case.objects.select_for_update(of=("self",))
            .select_related("region", "agency")
            .filter(pk__in=case_ids)
            .order_by("pk")
        }
        deadlines = list(
            Deadline.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("referral", "listing__agency__region")
            .filter(pk__in=[pk for pk, _c in due], met_at__isnull=True, escalated_at__isnull=True, due_at__lte=now)
            .order_by("pk")
        )
        if not deadlines:
            return 0
        Deadline.objects.filter(pk__in=[d.pk for d in deadlines]).update(escalated_at=now)
        events, notes = [], []
        for deadline in deadlines:
            case = cases[deadline.case_id]
            step = STEPS[deadline.step]
            people = [u for u in who(deadline, case) if can_see_case(u, case)]
            subject = deadline.referral.number if deadline.referral_id else case.number
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
                        "escalated_to": sorted(u.username for u in people),
                    },
                    referral=deadline.referral,
                    at=now,
                )
            )
            title = _("Missed deadline: %(step)s (%(subject)s)") % {"step": step.label, "subject": subject}
            body = _("Due %(due)s.") % {"due": timezone.localtime(deadline.due_at).strftime("%Y-%m-%d %H:%M")}
            notes += [
                Notification(
                    recipient=u, kind="escalation", title=title[:200], body=body, case=case, referral=deadline.referral
                )
                for u in people
            ]
        append_events(events)
        rows = Notification.objects.bulk_create(notes)
        if rows:
            transaction.on_commit(lambda: deliver(rows), robust=True)
        return len(deadlines)


def sweep(now=None, batch: int = BATCH) -> int:
    """Escalate every deadline missed by `now`; returns how many this call escalated."""
    now = now or timezone.now()
    who = Recipients()
    escalated, last_id = 0, 0
    while True:
        due = list(
            Deadline.objects.filter(met_at__isnull=True, escalated_at__isnull=True, due_at__lte=now, pk__gt=last_id)
            .order_by("pk")
            .values_list("pk", "case_id")[:batch]
        )
        if not due:
            break
        try:
            escalated += escalate_batch(due, now, who)
        except Exception:  # one broken batch must not stop the others: retry its rows one by one
            logger.exception("Escalating a batch failed; retrying one by one")
            for row in due:
                try:
                    escalated += escalate_batch([row], now, who)
                except Exception:
                    logger.exception("Escalating deadline %s failed", row[0])
        last_id = due[-1][0]
    try:
        fire_due_timers()
    except Exception:
        logger.exception("Firing viewflow timers failed")
    try:
        from oversight.reminders import send_monthly_alarms

        send_monthly_alarms(now)
    except Exception:
        logger.exception("The monthly statistics reminders failed")
    return escalated
