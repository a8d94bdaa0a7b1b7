"""GET /api/v1/jobs/ (the caller's jobs) and GET /api/v1/jobs/{id}/: status, progress, result.

Endpoints that start a job answer 202 with the job's representation (`accepted`)."""

from django.urls import reverse
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from core.access import AuthenticatedRequest
from core.api import pagination

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
        return reverse("jobs:result", args=[job.pk]) if job.result else None

    def get_rejected_url(self, job: Job) -> str | None:
        return reverse("jobs:rejected", args=[job.pk]) if job.error_count else None

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


class JobDetail(generics.RetrieveAPIView[Job]):
    """A job of the caller's own; anyone else's is 404."""

    request: AuthenticatedRequest
    serializer_class = JobOutput

    def get_object(self) -> Job:
        job = Job.objects.filter(pk=self.kwargs["pk"], owner=self.request.user).first()
        if job is None:
            raise NotFound
        return job
