"""The sweep on beat: `oversight.tasks.sweep_deadlines` runs the round of `manage.py sweep_deadlines`,
and beat asking for it every two seconds of two workers escalates each missed deadline once.
The embedded default: the command's round also retries e-mails and resumes jobs, only without a broker."""

import datetime
import logging
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

import kombu.pools
import pytest
from django.core.management import call_command
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from cases.models import Event
from config.celery import app
from oversight.tasks import sweep_deadlines
from tests.celery_workers import broker, until, workers
from tests.workflows.test_sweep_concurrency import assert_each_escalated_exactly_once, missed_deadlines
from workflows.models import Deadline

SWEEP = "oversight.tasks.sweep_deadlines"


@contextmanager
def control_broker() -> Iterator[str]:
    """broker(), for a test that also pings or inspects the workers. broker() closes the app's
    connection pool at its end but kombu keeps it registered for the URL, so the next app.pool (which
    remote control draws on) would be that closed one ("Acquire on closed pool"): the pools are
    forgotten on each side."""
    forget_pools()
    try:
        with broker() as url:
            forget_pools()
            yield url
    finally:
        forget_pools()


def forget_pools() -> None:
    kombu.pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


class Sweeps:
    """Sweeps each worker has run so far, by remote control; a worker slow to answer one
    question keeps the count it gave before."""

    def __init__(self) -> None:
        self.by_worker: dict[str, int] = {}

    def total(self) -> int:
        stats = app.control.inspect(timeout=3).stats() or {}
        for name, info in stats.items():
            count = info.get("total", {}).get(SWEEP, 0)
            self.by_worker[name] = max(self.by_worker.get(name, 0), count)
        return sum(self.by_worker.values())


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_beat_sweeping_every_two_seconds_on_two_workers_escalates_each_missed_deadline_once():
    call_command("seed_demo", verbosity=0)
    missed = missed_deadlines(cases=10, per_case=100)
    assert len(missed) == 1000
    pending = Deadline.objects.filter(pk__in=missed, escalated_at__isnull=True)

    with control_broker(), workers(2, beat=True, SWEEP_EVERY_SECONDS="2"):
        until(lambda: not pending.exists(), timeout=300, every=0.5, what="every missed deadline escalated")
        # Beat keeps asking: the rounds after the last escalation find nothing more to do.
        sweeps = Sweeps()
        until(lambda: sweeps.total() >= 0 and len(sweeps.by_worker) == 2, timeout=30, what="both workers' counts")
        escalated_at = sum(sweeps.by_worker.values())
        until(lambda: sweeps.total() >= escalated_at + 3, timeout=90, what="three more sweeps")

    assert all(sweeps.by_worker.values()), sweeps.by_worker  # both workers swept
    # The schedule of CELERY_BEAT_SCHEDULE, stored by beat's DatabaseScheduler (the admin's periodic tasks).
    task = PeriodicTask.objects.get(name="sweep-deadlines")
    assert (task.task, task.interval.every, task.interval.period, task.expire_seconds) == (SWEEP, 2, "seconds", 2)
    assert set(PeriodicTask.objects.values_list("task", flat=True)) >= {
        SWEEP,
        "notifications.tasks.retry_deliveries",
        "jobs.tasks.resume_stale_jobs",
    }
    assert_each_escalated_exactly_once(missed)


@pytest.mark.django_db
def test_the_task_runs_one_round_in_process(tmp_path, settings):
    settings.DIGEST_DIR = str(tmp_path / "digests")
    missed = missed_deadlines(cases=2, per_case=3)

    assert sweep_deadlines.apply().get() == len(missed)
    assert Counter(Event.objects.filter(action="deadline_missed").values_list("data__deadline", flat=True)) == Counter(
        missed
    )
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    digest = (tmp_path / "digests" / f"chain-digest-{yesterday}.txt").read_text(encoding="utf-8")
    assert digest.splitlines()[-1].startswith(f"xianjie-chain-digest {yesterday} ")
    assert [p.name for p in (tmp_path / "digests").iterdir()] == [f"chain-digest-{yesterday}.txt"]

    # The next round finds nothing more to escalate.
    assert sweep_deadlines.apply().get() == 0
    assert Event.objects.filter(action="deadline_missed").count() == len(missed)


@pytest.fixture
def pick_up(monkeypatch):
    """What the rounds asked of the e-mails and the jobs."""
    calls: list[str] = []

    def retry_due(now=None) -> int:
        calls.append("mail")
        return 0

    def resume_stale_jobs() -> int:
        calls.append("jobs")
        return 0

    monkeypatch.setattr("notifications.delivery.retry_due", retry_due)
    monkeypatch.setattr("jobs.tasks.resume_stale_jobs", resume_stale_jobs)
    return calls


@pytest.mark.django_db
def test_without_a_broker_each_round_of_the_command_also_retries_mail_and_resumes_jobs(pick_up, settings):
    settings.CELERY_BROKER_URL = ""
    call_command("sweep_deadlines")
    call_command("sweep_deadlines")
    assert pick_up == ["mail", "jobs", "mail", "jobs"]


@pytest.mark.django_db
def test_with_a_broker_beat_does_it_and_neither_the_command_nor_the_task_does(pick_up, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/0"
    call_command("sweep_deadlines")
    settings.CELERY_BROKER_URL = ""
    sweep_deadlines.apply()  # the task leaves them to their own periodic tasks whatever the broker
    assert pick_up == []


@pytest.mark.django_db
def test_a_failing_retry_or_resume_never_stops_the_sweep(monkeypatch, settings, caplog):
    settings.CELERY_BROKER_URL = ""

    def broken(*args, **kwargs):
        raise RuntimeError("the mail server is gone")

    monkeypatch.setattr("notifications.delivery.retry_due", broken)
    resumed: list[bool] = []

    def resume_stale_jobs() -> int:
        resumed.append(True)
        return 0

    monkeypatch.setattr("jobs.tasks.resume_stale_jobs", resume_stale_jobs)
    missed = missed_deadlines(cases=1, per_case=2)
    with caplog.at_level(logging.ERROR):
        call_command("sweep_deadlines")
    assert not Deadline.objects.filter(pk__in=missed, escalated_at__isnull=True).exists()
    assert resumed == [True]  # the jobs still resumed after the e-mails failed
    assert "Retrying the e-mails due failed" in caplog.text
