"""The pages of jobs: the caller's list, one job's progress (live over the WebSocket), its result
and its rejected rows. Only the job's owner sees a job (404 for anyone else)."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from . import files
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
    return files.result_response(_own(request, pk))


@require_safe
@login_required
def job_rejected(request, pk: int):
    return files.rejected_response(_own(request, pk))
