"""The pages of jobs: the caller's list, one job's progress (live over the WebSocket), its result
and its rejected rows. Only the job's owner sees a job (404 for anyone else)."""

import csv
import io

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from core.xlsx import safe_row

from .models import Job


def _own(request, pk: int) -> Job:
    job = Job.objects.filter(pk=pk, owner=request.user).first()
    if job is None:
        raise Http404
    return job


@require_safe
@login_required
def job_list(request):
    page = Paginator(Job.objects.filter(owner=request.user), settings.LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "jobs/list.html", {"page": page})


@require_safe
@login_required
def job_detail(request, pk: int):
    job = _own(request, pk)
    rejected = Paginator(job.rejected_rows.all(), settings.LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "jobs/detail.html", {"job": job, "rejected": rejected})


@require_safe
@login_required
def job_result(request, pk: int):
    job = _own(request, pk)
    if not job.result:
        raise Http404
    return FileResponse(job.result.open("rb"), as_attachment=True, filename=job.result_name or f"job-{job.pk}")


@require_safe
@login_required
def job_rejected(request, pk: int):
    """Every rejected row of the job with its reason, as CSV (UTF-8 with BOM, for Excel)."""
    job = _own(request, pk)
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(["line", "reason"])
    for line, reason in job.rejected_rows.values_list("line", "reason").iterator():
        writer.writerow(safe_row([line, reason]))
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="job-{job.pk}-rejected.csv"'
    return response
