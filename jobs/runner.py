"""Starting, claiming and running jobs; what a runner reports as it goes.

A kind's function (jobs.kinds.RUNNERS) receives a `Run` and does its work in batches, each batch in
one transaction with `run.advance(...)`, which records how far it got (done, checkpoint, rejected
rows) in the same transaction: a run killed at any moment leaves the job at the end of its last
whole batch, and the next run resumes from there. Every write of a run is conditional on its claim:
a run that has been superseded (its worker was thought dead and another took over) stops at its
next report and its batch is rolled back."""

import logging
import time
import uuid
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.module_loading import import_string

from notifications.groups import group_name

from .kinds import RUNNERS
from .models import Job, RejectedRow

logger = logging.getLogger(__name__)
PUSH_EVERY = 0.5  # seconds between two progress pushes of one run


class Superseded(Exception):
    """This run's claim on the job has been taken over; it stops and writes nothing more."""


class JobError(Exception):
    """The job cannot be done as asked (a file without its header, too large): it fails with this
    message, which its owner reads on the job's page."""


def start(kind: str, owner: Any, *, params: dict | None = None, source: Any = None, source_name: str = "") -> Job:
    """A queued job, run by a worker once the caller's transaction commits (in-process at once
    when no broker is configured)."""
    job = Job(kind=kind, owner=owner, params=params or {}, source_name=source_name[:200])
    if source is not None:
        job.source.save(f"{uuid.uuid4().hex}", source, save=False)
    job.save()
    enqueue(job.pk)
    return job


def enqueue(job_id: int) -> None:
    from .tasks import run_job  # noqa: PLC0415  # the task module imports this one

    transaction.on_commit(lambda: run_job.delay(job_id), robust=True)


def claim(job_id: int, now=None) -> uuid.UUID | None:
    """Take the job if it is queued, or running on a run that has not reported for JOB_STALE_SECONDS
    (its worker died); returns the new run's token, or None when another run holds it or it is over."""
    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.JOB_STALE_SECONDS)
    token = uuid.uuid4()
    taken = Job.objects.filter(
        Q(status=Job.Status.QUEUED) | Q(status=Job.Status.RUNNING, heartbeat_at__lt=stale), pk=job_id
    ).update(
        runner=token,
        status=Job.Status.RUNNING,
        heartbeat_at=now,
        attempts=F("attempts") + 1,
    )
    if not taken:
        return None
    Job.objects.filter(pk=job_id, started_at__isnull=True).update(started_at=now)
    return token


class Run:
    """One run of a job, holding its claim."""

    def __init__(self, job: Job, token: uuid.UUID) -> None:
        self.job = job
        self.token = token
        self._pushed = 0.0

    @property
    def checkpoint(self) -> dict:
        return self.job.checkpoint

    def _mine(self):
        return Job.objects.filter(pk=self.job.pk, runner=self.token)

    def set_total(self, total: int) -> None:
        if not self._mine().update(total=total, heartbeat_at=timezone.now()):
            raise Superseded
        self.job.total = total
        self.push(force=True)

    def advance(self, done: int, checkpoint: dict, rejected: Iterable[tuple[int, str]] = ()) -> None:
        """Record progress: call it inside the transaction of the batch it reports, so the two are
        kept or lost together. Rejected rows already recorded (a resumed run) are not doubled."""
        rows = [RejectedRow(job_id=self.job.pk, line=line, reason=str(reason)[:1000]) for line, reason in rejected]
        if rows:
            RejectedRow.objects.bulk_create(rows, ignore_conflicts=True)
        count = RejectedRow.objects.filter(job_id=self.job.pk).count() if rows else self.job.error_count
        if not self._mine().update(done=done, checkpoint=checkpoint, error_count=count, heartbeat_at=timezone.now()):
            raise Superseded
        self.job.done, self.job.checkpoint, self.job.error_count = done, checkpoint, count
        transaction.on_commit(self.push)

    def beat(self) -> None:
        """Say the run is alive during a long step that reports nothing else."""
        if not self._mine().update(heartbeat_at=timezone.now()):
            raise Superseded

    def finish(self, *, content: bytes | None = None, name: str = "", summary: dict | None = None) -> None:
        """Done: the result file (if any) kept, the summary recorded."""
        job = self.job
        with transaction.atomic():
            locked = Job.objects.select_for_update().get(pk=job.pk)
            if locked.runner != self.token:
                raise Superseded
            if content is not None:
                locked.result.save(f"{uuid.uuid4().hex}", ContentFile(content), save=False)
                locked.result_name = name[:200]
            locked.summary = summary or {}
            locked.status = Job.Status.DONE
            locked.finished_at = locked.heartbeat_at = timezone.now()
            if locked.total is None:
                locked.total = locked.done
            # A job that reports coarsely (a case file: one step) is whole when it is done.
            locked.done = max(locked.done, locked.total)
            locked.save()
        self.job = locked
        discard_source(locked)
        self.push(force=True)

    def push(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._pushed < PUSH_EVERY:
            return
        self._pushed = now
        push(self.job)


def message(job: Job) -> dict:
    """The WebSocket message of a job's progress, sent to its owner's notification group."""
    return {
        "type": "job",
        "id": job.pk,
        "kind": job.kind,
        "status": job.status,
        "done": job.done,
        "total": job.total,
        "percent": job.percent,
        "rejected": job.error_count,
    }


def push(job: Job) -> None:
    try:
        async_to_sync(get_channel_layer().group_send)(
            group_name(job.owner_id), {"type": "notify", "message": message(job)}
        )
    except Exception:  # the page polls as well; progress is in the row
        logger.warning("Progress push of job %s failed", job.pk, exc_info=True)


def run(job_id: int) -> bool:
    """Claim and run the job; False when there was nothing to do (held by another run, or over)."""
    token = claim(job_id)
    if token is None:
        return False
    job = Job.objects.select_related("owner").get(pk=job_id)
    current = Run(job, token)
    function = import_string(RUNNERS[job.kind])
    try:
        with translation.override(settings.LANGUAGE_CODE):  # results are written in the offices' language
            function(current)
    except Superseded:
        logger.info("Job %s: run %s superseded; stopping", job_id, token)
        return False
    except JobError as exc:
        fail(current, str(exc))
    except Exception as exc:
        logger.exception("Job %s (%s) failed", job_id, job.kind)
        fail(current, f"{type(exc).__name__}: {exc}")
    else:
        if current.job.status != Job.Status.DONE:
            current.finish()
    return True


def fail(current: Run, text: str) -> None:
    Job.objects.filter(pk=current.job.pk, runner=current.token).update(
        status=Job.Status.FAILED, message=text[:2000], finished_at=timezone.now(), heartbeat_at=timezone.now()
    )
    current.job.refresh_from_db()
    discard_source(current.job)
    current.push(force=True)


def discard_source(job: Job) -> None:
    """The uploaded file is needed only while the job may still run; a finished job keeps its
    name, its counts and its rejected rows, not the file (a registry upload holds ID numbers)."""
    if job.source and job.finished:
        job.source.delete(save=False)
        Job.objects.filter(pk=job.pk).update(source="")


def stale_jobs(now=None) -> list[int]:
    """Jobs queued or running whose run has gone quiet: queued ones whose task was lost, running
    ones whose worker died. The sweep hands them to a worker again."""
    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.JOB_STALE_SECONDS)
    return list(
        Job.objects.filter(
            Q(status=Job.Status.QUEUED, created_at__lt=stale) | Q(status=Job.Status.RUNNING, heartbeat_at__lt=stale)
        ).values_list("pk", flat=True)
    )
