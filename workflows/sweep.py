"""The deadline sweep: every missed deadline escalated exactly once (DESIGN §3, §7).

Safe from several hosts at once: each candidate is taken under the same lock order as the
actions (case row, then the deadline row with SKIP LOCKED) and re-checked before it escalates.
"""

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from viewflow.workflow.timers import fire_due_timers

from agencies.models import Agency
from cases.events import record_event
from cases.models import Case
from notifications import recipients
from notifications.announce import announce

from .deadlines import STEPS, Notify
from .models import Deadline

logger = logging.getLogger(__name__)


def _recipients(deadline: Deadline, case: Case) -> list:
    referral = deadline.referral
    people: list = []
    for who in STEPS[deadline.step].escalate_to:
        if who is Notify.SUPERVISORS:
            people += list(recipients.supervisors(case))
        elif who is Notify.POLICE_HEAD and referral:
            people += list(recipients.heads(referral.police_agency_id))
        elif who is Notify.PROCURATORATE and referral:
            people += list(
                recipients.procuratorate_of(Agency.objects.select_related("region").get(pk=referral.police_agency_id))
            )
        elif who is Notify.AGENCY_HEAD:
            people += list(recipients.heads(case.agency_id))
        elif who is Notify.SUPERVISORS_ABOVE and deadline.listing_id:
            region = deadline.listing.agency.region
            people += list(recipients.supervisors_above(region))
    return people


def escalate(deadline_id: int, case_id: int, now) -> bool:
    """Escalate one deadline if it is still open and missed; False if someone else got there first."""
    with transaction.atomic():
        case = Case.objects.select_for_update(of=("self",)).select_related("region", "agency").get(pk=case_id)
        deadline = (
            Deadline.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("referral", "finding__person", "rectification", "listing__agency__region")
            .filter(pk=deadline_id, met_at__isnull=True, escalated_at__isnull=True, due_at__lte=now)
            .first()
        )
        if deadline is None:
            return False
        deadline.escalated_at = now
        deadline.save(update_fields=["escalated_at"])
        step = STEPS[deadline.step]
        people = _recipients(deadline, case)
        subject = deadline.referral.number if deadline.referral else case.number
        record_event(
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
        )
        announce(
            "escalation",
            case=case,
            referral=deadline.referral,
            people=people,
            step=step.label,
            subject=subject,
            body=_("Due %(due)s.") % {"due": timezone.localtime(deadline.due_at).strftime("%Y-%m-%d %H:%M")},
        )
    return True


def sweep(now=None, batch: int = 500) -> int:
    """Escalate every deadline missed by `now`; returns how many this call escalated."""
    now = now or timezone.now()
    escalated = 0
    last_id = 0
    while True:
        due = list(
            Deadline.objects.filter(met_at__isnull=True, escalated_at__isnull=True, due_at__lte=now, pk__gt=last_id)
            .order_by("pk")
            .values_list("pk", "case_id")[:batch]
        )
        if not due:
            break
        for deadline_id, case_id in due:
            try:
                escalated += escalate(deadline_id, case_id, now)
            except Exception:  # one broken row must not stop the sweep of the others
                logger.exception("Escalating deadline %s failed", deadline_id)
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
