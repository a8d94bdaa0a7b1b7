"""The registry keepers' import of the certificate registry, as a job (jobs.kinds.RUNNERS).

The upload is checked in the request (its size and kind, certificates.importer.check_file) and
stored with the job; a worker then reads it twice. First its header and its number of rows
(IMPORT_MAX_ROWS): a file refused there imports nothing. Then its rows, BATCH lines at a time, each
batch upserted by number in one transaction with the job's progress (the lines consumed, the
checkpoint, the rejected rows): a run killed half-way resumes after the last line a whole batch
stored, and a batch read twice stores each certificate once."""

import time
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from jobs import runner
from jobs.kinds import Kind
from jobs.models import Job
from jobs.runner import JobError, Run

from . import importer

PERMISSION = "certificates.import_certificates"


def may_import(user: Any) -> bool:
    """A registry keeper: the permission granted in the admin (superusers have every permission)."""
    return bool(user.is_authenticated and user.has_perm(PERMISSION))


def start_import(owner: Any, upload: Any) -> Job:
    """The import job of an uploaded file; importer.Refused (its message for the form or the API's
    `file` field) for a file too large, neither CSV nor XLSX, or without the header — its first row
    read here, so the keeper mends the file before anything is queued (the run checks it again)."""
    kind = importer.check_file(upload, upload.size)
    importer.check_upload_header(upload, kind)
    upload.seek(0)
    return runner.start(Kind.CERTIFICATE_IMPORT, owner, source=upload, source_name=upload.name or "")


class _Pulse:
    """Tells the job's claim the run is alive while it reads without storing (counting the rows,
    skipping those a previous run stored), so that a long file is not taken for a dead worker."""

    def __init__(self, run: Run) -> None:
        self.run = run
        self.every = max(1.0, settings.JOB_STALE_SECONDS / 4)
        self.last = time.monotonic()

    def __call__(self) -> None:
        now = time.monotonic()
        if now - self.last >= self.every:
            self.run.beat()
            self.last = now


def run_import(run: Run) -> None:
    job = run.job
    if not job.source:
        raise JobError(_("The uploaded file is no longer there; upload it again."))
    try:
        with job.source.open("rb") as handle:
            kind = importer.check_file(handle, job.source.size)
            total, filled = _count(handle, kind, _Pulse(run))
            if not filled:
                raise importer.no_data_rows()
            run.set_total(total)
            _import(run, handle, kind)
    except importer.Refused as exc:
        _discard(job)
        raise JobError(str(exc)) from None
    except runner.Superseded:
        raise  # the run that took over reads the file still
    except Exception:
        _discard(job)  # the job fails for good (jobs.runner.run): nothing will read the file again
        raise
    checkpoint = run.job.checkpoint
    counts = {
        "read": int(checkpoint.get("read", 0)),
        "imported": int(checkpoint.get("imported", 0)),
        "rejected": run.job.error_count,
    }
    run.finish(
        summary={
            "lines": [
                _("%(read)s rows read: %(imported)s certificates imported or updated, %(rejected)s rows rejected.")
                % {name: f"{value:,}" for name, value in counts.items()}
            ],
            "counts": counts,  # the same numbers for a client of the API
        }
    )
    _discard(job)


def _discard(job: Job) -> None:
    """The uploaded file is not kept once the job is over: it holds every holder's full ID number,
    which the registry itself keeps only hashed and masked."""
    name = job.source.name
    if name:
        Job.objects.filter(pk=job.pk).update(source="")
        job.source.storage.delete(name)


def _count(handle, kind: str, pulse: _Pulse) -> tuple[int, int]:
    """The rows after the header, and those of them not blank; Refused for a file without the
    header or with too many rows."""
    total = filled = 0
    for _line, cells in importer.data_rows(handle, kind):
        total += 1
        filled += not importer.is_blank(cells)
        if total % 10_000 == 0:
            pulse()
    return total, filled


def _import(run: Run, handle, kind: str) -> None:
    checkpoint = run.checkpoint
    after = int(checkpoint.get("line", 1))  # the last line a previous run stored (1: the header)
    read, imported = int(checkpoint.get("read", 0)), int(checkpoint.get("imported", 0))
    pulse = _Pulse(run)
    reader = importer.Reader()  # the numbers seen, for the whole file: a number twice is rejected
    batch: dict[str, importer.Entry] = {}  # by number, each number once
    rejected: list[tuple[int, str]] = []
    pending, last = 0, after  # lines read since the last stored batch, the last of them
    for line, cells in importer.data_rows(handle, kind):
        if line <= after:
            reader.skip(line, cells)  # stored by a previous run; its number is still taken
            if line % 10_000 == 0:
                pulse()
            continue
        pending, last = pending + 1, line
        if not importer.is_blank(cells):
            read += 1
            try:
                cert = reader.read(line, cells)
            except ValueError as exc:
                rejected.append((line, str(exc)))
            else:
                batch[cert.number] = cert
        if pending >= importer.BATCH:
            imported = _store(run, batch, rejected, last, read, imported)
            batch, rejected, pending = {}, [], 0
    if pending:
        _store(run, batch, rejected, last, read, imported)


def _store(run: Run, batch: dict, rejected: list[tuple[int, str]], last: int, read: int, imported: int) -> int:
    """One batch: its certificates and its progress kept or lost together."""
    with transaction.atomic():
        imported += importer.store(batch)
        run.advance(
            done=last - 1,  # the lines after the header consumed so far
            checkpoint={"line": last, "read": read, "imported": imported},
            rejected=rejected,
        )
    return imported
