import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .kinds import ROW_KINDS, Kind


class Job(models.Model):
    """Work that outlives a request, run by a Celery worker: who asked, how far it is, what came out.

    A job is run by whoever claims it (jobs.runner.claim): a second delivery of its task, or a
    resumption after its worker died, finds it claimed and leaves it, or takes it over from its last
    checkpoint once the holder has gone quiet for JOB_STALE_SECONDS."""

    class Status(models.TextChoices):
        QUEUED = "queued", pgettext_lazy("job status", "Queued")
        RUNNING = "running", pgettext_lazy("job status", "Running")
        DONE = "done", pgettext_lazy("job status", "Done")
        FAILED = "failed", pgettext_lazy("job status", "Failed")

    kind = models.CharField(_("kind"), max_length=40, choices=Kind.choices)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="jobs", verbose_name=_("owner"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    source = models.FileField(_("uploaded file"), upload_to="jobs/in/", blank=True)
    source_name = models.CharField(_("file name"), max_length=200, blank=True)
    done = models.PositiveIntegerField(_("done"), default=0)
    total = models.PositiveIntegerField(_("total"), null=True, blank=True)
    # Where a resumed run picks up (the runner's own bookkeeping), written with each batch's rows.
    checkpoint = models.JSONField(_("checkpoint"), default=dict, blank=True)
    summary = models.JSONField(pgettext_lazy("job", "summary"), default=dict, blank=True)
    result = models.FileField(_("result"), upload_to="jobs/out/", blank=True)
    result_name = models.CharField(_("result file name"), max_length=200, blank=True)
    error_count = models.PositiveIntegerField(_("rejected rows"), default=0)
    message = models.TextField(_("message"), blank=True)
    runner = models.UUIDField(_("run"), null=True, blank=True, editable=False)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last report"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        indexes = [models.Index(fields=["owner", "-id"]), models.Index(fields=["status", "heartbeat_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("jobs:detail", args=[self.pk])

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.total:
            return 0
        return min(100, self.done * 100 // self.total)

    @property
    def reads_rows(self) -> bool:
        """Whether the job reads rows of a file, some of which it may reject (an import, a roster)."""
        return self.kind in ROW_KINDS

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


class RejectedRow(models.Model):
    """A row a job could not take, with the reason; one per job and line, so a resumed run that
    reads the line again records it once."""

    job = models.ForeignKey(Job, models.CASCADE, related_name="rejected_rows")
    line = models.PositiveIntegerField(_("line"))
    reason = models.TextField(_("reason"))

    class Meta:
        ordering = ["job", "line"]
        verbose_name = _("rejected row")
        verbose_name_plural = _("rejected rows")
        constraints = [models.UniqueConstraint(fields=["job", "line"], name="one_rejection_per_line")]

    def __str__(self) -> str:
        return f"{self.job_id}:{self.line}"


def new_run() -> uuid.UUID:
    return uuid.uuid4()
