"""GET /api/v1/jobs/ (the caller's jobs) and GET /api/v1/jobs/{id}/: status, progress, result.

Endpoints that start a job answer 202 with the job's representation (`accepted`)."""

from django.http import Http404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from core.access import AuthenticatedRequest
from core.api import pagination

from . import files
from .models import Job


class JobOutput(serializers.ModelSerializer):
    percent = serializers.IntegerField(read_only=True)
    result_url = serializers.SerializerMethodField(help_text="the result file, once the job is done")
    rejected_url = serializers.SerializerMethodField(help_text="every rejected row with its reason, as CSV")
    page_url = serializers.SerializerMethodField()

    class Meta:
        model = Job
        fields = [
            "id",
            "kind",
            "status",
            "done",
            "total",
            "percent",
            "error_count",
            "summary",
            "message",
            "result_name",
            "result_url",
            "rejected_url",
            "page_url",
            "created_at",
            "started_at",
            "finished_at",
        ]

    def get_result_url(self, job: Job) -> str | None:
        return reverse("api-job-result", args=[job.pk]) if job.result else None

    def get_rejected_url(self, job: Job) -> str | None:
        return reverse("api-job-rejected", args=[job.pk]) if job.error_count else None

    def get_page_url(self, job: Job) -> str:
        return reverse("jobs:detail", args=[job.pk])


def accepted(job: Job) -> Response:
    """202 Accepted: the job will run; its page and GET /api/v1/jobs/{id}/ show how far it is."""
    job.refresh_from_db()  # with no broker it has run already
    response = Response(JobOutput(job).data, status=status.HTTP_202_ACCEPTED)
    response["Location"] = reverse("api-job", args=[job.pk])
    return response


class JobList(generics.ListAPIView[Job]):
    request: AuthenticatedRequest
    serializer_class = JobOutput
    pagination_class = pagination.by("-id")

    def get_queryset(self):
        return Job.objects.filter(owner=self.request.user)


def own_job(request, pk: int) -> Job:
    """A job of the caller's own; anyone else's is 404."""
    job = Job.objects.filter(pk=pk, owner=request.user).first()
    if job is None:
        raise NotFound
    return job


class JobDetail(generics.RetrieveAPIView[Job]):
    """A job of the caller's own; anyone else's is 404."""

    request: AuthenticatedRequest
    serializer_class = JobOutput

    def get_object(self) -> Job:
        return own_job(self.request, self.kwargs["pk"])


class JobResult(APIView):
    """The job's result file (404 until it is done, or for a job without one)."""

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request, pk: int):
        try:
            return files.result_response(own_job(request, pk))
        except Http404:
            raise NotFound from None


class JobRejected(APIView):
    """Every rejected row of the job, its line and the reason, as CSV."""

    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.STR})
    def get(self, request, pk: int):
        return files.rejected_response(own_job(request, pk))
