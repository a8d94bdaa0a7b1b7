import logging
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import InterfaceError, OperationalError, close_old_connections
from django.utils import timezone

from oversight.sweeping import remind, sweep_round, write_daily_digest

__all__ = ["Command", "remind", "write_daily_digest"]
logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Escalate every missed legal deadline exactly once and send the monthly statistics reminders; "
        "safe to run from several hosts at once. Without a broker (CELERY_BROKER_URL) it also tries "
        "failed e-mails again and resumes interrupted jobs."
    )

    def add_arguments(self, parser):
        parser.add_argument("--every", type=int, metavar="SECONDS", help="keep running, sweeping every SECONDS")
        parser.add_argument(
            "--digest-dir",
            type=Path,
            metavar="DIR",
            help="also write yesterday's event chain digest (chain_digest) to DIR once a day, for keeping "
            "off the system (default: DIGEST_DIR)",
        )

    def handle(self, *args, every=None, digest_dir=None, **options):
        while True:
            try:
                # With a broker, beat asks the workers to retry e-mails and resume jobs.
                count = sweep_round(timezone.now(), digest_to=digest_dir, pick_up=not settings.CELERY_BROKER_URL)
            except (OperationalError, InterfaceError):
                if not every:
                    raise
                # The database is restarting or out of reach: what is missed now is still
                # missed at the next round, and escalated then, once.
                logger.exception("sweep_deadlines: the database is unavailable; trying again in %s s", every)
            else:
                if count or options["verbosity"] > 1:
                    self.stdout.write(f"sweep_deadlines: {count} missed deadline(s) escalated.")
            if not every:
                return
            close_old_connections()  # and drops a connection that failed, so the next round opens a new one
            time.sleep(every)
