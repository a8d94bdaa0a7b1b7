"""A long roster verified as a job (jobs.Kind.ROSTER_VERIFICATION): the page that takes the file
checks it and the quotas and answers at once; a worker verifies it in batches, resumable, and saves
the RosterCheck the page would have saved, so that its results, download and leads are the same.

What is recorded is the same as for a roster verified in the request (batches.verify_for): the
quotas are used when the file is accepted, all or nothing, and the roster leaves one
VerificationBatch, written with its RosterCheck when the last batch is done."""

import io
from collections import Counter
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook

from agencies.models import Agency
from core.xlsx import safe_cell
from jobs import runner
from jobs.kinds import Kind
from jobs.models import Job

from . import batches
from .models import RosterCheck, VerificationBatch
from .verify import status_labels, verify

BATCH = 250  # rows a batch: one query, one transaction, one progress report
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def results_xlsx(results: list[dict]) -> bytes:
    """The results of a roster as the officer downloads them: number, name, the answer in words and
    its code (valid, review_overdue, no_match, ...)."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("核验结果")
    with translation.override(settings.LANGUAGE_CODE):  # the offices' sheet, whoever downloads it
        code = _("Result code")  # the answer's code, for programs that read the sheet
    ws.append(["证书编号", "姓名", "核验结果", code])
    names = status_labels()
    for row in results:
        # The number and the name came from the employer's file: never a live formula (issue 17, §8).
        ws.append([safe_cell(row["number"]), safe_cell(row["name"]), str(names[row["status"]]), row["status"]])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def count_line(label: str, count: int) -> str:
    """One answer's count as the summary and the results page both say it."""
    return _("%(label)s: %(count)s") % {"label": label, "count": f"{count:,}"}


def skipped_line(count: int) -> str:
    return _("Rows without a certificate number or a name, not verified: %(n)s") % {"n": f"{count:,}"}


def results_name(saved: RosterCheck) -> str:
    return f"roster-{saved.pk}-results.xlsx"


def _suffix(name: str) -> str:
    name = (name or "").lower()
    return name[name.rfind(".") :] if "." in name else ""


def start(user: User, upload: Any, items: list[dict], employer: str) -> Job:
    """The quotas taken for the whole roster (QuotaExceeded: nothing taken, no job), then the job."""
    agency = batches.regulator_of(user)
    if agency is None:  # the page lets only a regulator's staff this far
        raise PermissionDenied(batches.bulk_refused_message())
    batches.take_quota(user, agency, len(items))
    upload.seek(0)
    return runner.start(
        Kind.ROSTER_VERIFICATION,
        user,
        params={
            "filename": (upload.name or "")[:200],
            "suffix": _suffix(upload.name),
            "employer": employer[:200],
            "agency": agency.pk,
            "rows": len(items),
        },
        source=upload,
        source_name=upload.name or "",
    )


def _read(job: Job) -> tuple[list[dict], list[int]]:
    from .views import RosterRefused, read_roster  # noqa: PLC0415  # the page's reader, the same rows

    skipped: list[int] = []
    try:
        with job.source.open("rb") as handle:
            items = read_roster(File(handle, name=f"roster{job.params.get('suffix', '')}"), skipped=skipped)
    except RosterRefused as exc:
        raise runner.JobError(str(exc)) from None
    except FileNotFoundError:
        raise runner.JobError(_("The uploaded roster is no longer kept; upload it again.")) from None
    return items, skipped


def run_roster(run: runner.Run) -> None:
    job = run.job
    checkpoint = dict(run.checkpoint)
    saved_id = checkpoint.get("roster")
    if saved_id is None:
        items, skipped = _read(job)
        if run.job.total is None:
            run.set_total(len(items))
        results: list[dict] = list(checkpoint.get("results", []))
        reason = _("No certificate number or no name: the row was not verified.")
        rejected = [(line, reason) for line in skipped]
        for start_at in range(len(results), len(items), BATCH):
            chunk = items[start_at : start_at + BATCH]
            done = results + verify(chunk)
            with transaction.atomic():
                run.advance(len(done), {"results": done}, rejected=rejected)
            results, rejected = done, []
        with transaction.atomic():
            saved = _record(job, results)
            # From here a resumed run only finishes: the roster and its record are kept once.
            run.advance(len(results), {"roster": saved.pk})
    else:
        saved = RosterCheck.objects.get(pk=saved_id)
    counts = Counter(row["status"] for row in saved.results)
    names = status_labels()
    lines = [_("Rows verified: %(n)s") % {"n": f"{len(saved.results):,}"}]
    lines += [count_line(label, counts[status]) for status, label in names.items() if counts[status]]
    if job.error_count:
        lines.append(skipped_line(job.error_count))
    run.finish(
        content=results_xlsx(saved.results),
        name=results_name(saved),
        summary={
            "lines": lines,
            "link": reverse("certificates:roster:result", args=[saved.pk]),
            "link_text": _("Open the roster's results"),
            "roster": saved.pk,
            "counts": dict(counts),
        },
    )


def _record(job: Job, results: list[dict]) -> RosterCheck:
    """What batches.verify_for leaves for a roster, and what the page saves: one record, one roster."""
    params = job.params
    user = job.owner
    VerificationBatch.objects.create(
        user=user,
        username=user.get_username(),
        agency=Agency.objects.filter(pk=params.get("agency")).first(),
        items=len(results),
        counts=dict(Counter(r["status"] for r in results)),
        purpose=VerificationBatch.Purpose.ROSTER,
        filename=params.get("filename", "")[:200],
        employer=params.get("employer", "")[:200],
    )
    return RosterCheck.objects.create(
        user=user, filename=params.get("filename", "")[:200], employer=params.get("employer", ""), results=results
    )
