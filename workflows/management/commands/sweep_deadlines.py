import logging
import time

from django.core.management.base import BaseCommand
from django.db import InterfaceError, OperationalError, close_old_connections

from workflows.sweep import sweep

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Escalate every missed legal deadline exactly once; safe to run from several hosts at once."

    def add_arguments(self, parser):
        parser.add_argument("--every", type=int, metavar="SECONDS", help="keep running, sweeping every SECONDS")

    def handle(self, *args, every=None, **options):
        while True:
            try:
                count = sweep()
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
