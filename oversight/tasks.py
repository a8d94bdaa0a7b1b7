"""The sweep queue's task: beat asks for one round of the deadline sweep every SWEEP_EVERY_SECONDS.

Any number of workers may run it at the same moment: the sweep locks what it escalates, so each
missed deadline is escalated once whichever worker gets to it."""

import logging

from celery import shared_task
from django.utils import timezone

from .sweeping import sweep_round

logger = logging.getLogger(__name__)


@shared_task(name="oversight.tasks.sweep_deadlines")
def sweep_deadlines() -> int:
    """One round of `manage.py sweep_deadlines` (the digest too when DIGEST_DIR is set); the
    e-mails and the jobs have their own periodic tasks, so the round does not pick them up."""
    count = sweep_round(timezone.now())
    if count:
        logger.info("sweep_deadlines: %s missed deadline(s) escalated.", count)
    return count
