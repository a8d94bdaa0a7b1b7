import datetime
import logging
import time
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import InterfaceError, OperationalError, close_old_connections
from django.utils import timezone

from cases.events import digest_text
from oversight.reminders import send_monthly_alarms
from workflows.sweep import sweep

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Escalate every missed legal deadline exactly once and send the monthly statistics reminders; "
        "safe to run from several hosts at once."
    )

    def add_arguments(self, parser):
        parser.add_argument("--every", type=int, metavar="SECONDS", help="keep running, sweeping every SECONDS")
        parser.add_argument(
            "--digest-dir",
            type=Path,
            metavar="DIR",
            help="also write yesterday's event chain digest (chain_digest) to DIR once a day, for keeping off the system",
        )

    def handle(self, *args, every=None, digest_dir=None, **options):
        while True:
            try:
                now = timezone.now()
                count = sweep(now)
                remind(now)
                if digest_dir:
                    write_daily_digest(digest_dir)
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


def write_daily_digest(directory: Path) -> Path | None:
    """chain-digest-<yesterday>.txt in `directory`, unless it is there already; the summary line
    goes to the log too. Written under a temporary name and renamed, so a file that exists is whole."""
    day = timezone.localdate() - datetime.timedelta(days=1)
    target = directory / f"chain-digest-{day}.txt"
    if target.exists():
        return None
    directory.mkdir(parents=True, exist_ok=True)
    lines = list(digest_text(day))
    partial = target.with_suffix(".partial")
    partial.write_text("\n".join(lines) + "\n", encoding="utf-8")
    partial.replace(target)
    logger.info("sweep_deadlines: wrote %s: %s", target, lines[-1])
    return target


def remind(now: datetime.datetime) -> None:
    """The monthly statistics reminders of the supervisors; a failure there never stops the sweep."""
    try:
        send_monthly_alarms(now)
    except (OperationalError, InterfaceError):
        raise
    except Exception:
        logger.exception("The monthly statistics reminders failed")
