"""One round of the deadline sweep, as `manage.py sweep_deadlines` and the `oversight.tasks.sweep_deadlines`
task (beat, once a minute) both run it: every missed deadline escalated once, the monthly statistics
reminders, and once a day yesterday's event chain digest.

Safe from any number of processes at once (workflows.sweep locks its rows). With no broker (the
embedded default) the command's round also does what beat would otherwise ask the workers for:
e-mails whose next try has come are sent again, and jobs whose run stopped answering are resumed.
"""

import datetime
import logging
import os
import uuid
from pathlib import Path

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from cases.events import digest_text
from oversight.reminders import send_monthly_alarms
from workflows.sweep import sweep

logger = logging.getLogger(__name__)


def digest_dir(given: Path | str | None = None) -> Path | None:
    """Where the daily digest goes: the command's --digest-dir, else DIGEST_DIR, else nowhere."""
    chosen = given or settings.DIGEST_DIR
    return Path(chosen) if chosen else None


def sweep_round(
    now: datetime.datetime | None = None, *, digest_to: Path | str | None = None, pick_up: bool = False
) -> int:
    """One round; returns how many missed deadlines it escalated. A database that cannot be reached
    raises (the caller tries again at its next round); any other failure of the reminders, the
    digest or the pick-up is logged and the round goes on."""
    now = now or timezone.now()
    count = sweep(now)
    remind(now)
    directory = digest_dir(digest_to)
    if directory:
        try:
            write_daily_digest(directory)
        except (OperationalError, InterfaceError):
            raise
        except Exception:  # a folder that cannot be written: said at every round, the sweep goes on
            logger.exception("sweep_deadlines: writing the daily chain digest to %s failed", directory)
    if pick_up:
        pick_up_in_process()
    return count


def pick_up_in_process() -> None:
    """Without a broker nothing else retries a failed e-mail or resumes an interrupted job: the
    sweep loop does, a failure of either never stopping the sweep (nor the other)."""
    _guarded("Retrying the e-mails due", _retry_deliveries)
    _guarded("Resuming the stale jobs", _resume_jobs)


def _retry_deliveries() -> None:
    from notifications.delivery import retry_due  # noqa: PLC0415  # the notifications app's, loaded late

    sent = retry_due()
    if sent:
        logger.info("sweep_deadlines: tried %s e-mail(s) again", sent)


def _resume_jobs() -> None:
    from jobs.tasks import resume_stale_jobs  # noqa: PLC0415  # importing tasks binds them to the app

    resumed = resume_stale_jobs()
    if resumed:
        logger.info("sweep_deadlines: resumed %s stale job(s)", resumed)


def _guarded(what: str, step) -> None:
    try:
        step()
    except Exception:
        logger.exception("sweep_deadlines: %s failed", what)


def write_daily_digest(directory: Path) -> Path | None:
    """chain-digest-<yesterday>.txt in `directory`, unless it is there already; the summary line
    goes to the log too. Written under a name of its own and renamed, so a file that exists is whole,
    also when two sweeps on one host write it at the same moment."""
    day = timezone.localdate() - datetime.timedelta(days=1)
    target = directory / f"chain-digest-{day}.txt"
    if target.exists():
        return None
    directory.mkdir(parents=True, exist_ok=True)
    lines = list(digest_text(day))
    partial = directory / f".{target.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.partial"
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
