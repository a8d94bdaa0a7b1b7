from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .steps import STEPS


class Deadline(models.Model):
    """One legal deadline of the table in DESIGN §3, stored when its step begins."""

    case = models.ForeignKey("cases.Case", models.CASCADE, related_name="deadlines")
    step = models.CharField(_("step"), max_length=30)
    referral = models.ForeignKey("cases.Referral", models.CASCADE, null=True, blank=True, related_name="deadlines")
    finding = models.ForeignKey("cases.Finding", models.CASCADE, null=True, blank=True, related_name="deadlines")
    rectification = models.ForeignKey(
        "cases.Rectification", models.CASCADE, null=True, blank=True, related_name="deadlines"
    )
    listing = models.ForeignKey("oversight.Listing", models.CASCADE, null=True, blank=True, related_name="deadlines")
    starts_at = models.DateTimeField(_("starts at"))
    due_at = models.DateTimeField(_("due at"))
    met_at = models.DateTimeField(_("met at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)

    class Meta:
        ordering = ["due_at"]
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")
        indexes = [
            # The sweep reads only what is open and not yet escalated: its cost follows what is due.
            models.Index(
                fields=["due_at"],
                name="deadline_pending_due",
                condition=Q(met_at__isnull=True, escalated_at__isnull=True),
            ),
            models.Index(fields=["referral", "step"]),
        ]

    def __str__(self) -> str:
        return f"{self.step} due {self.due_at:%Y-%m-%d %H:%M}"

    @property
    def label(self) -> str:
        return str(STEPS[self.step].label)


class TaskRoute(models.Model):
    """Where a viewflow task belongs: which agency and role may do it, and who never may.

    viewflow's Task knows its flow node; this row adds the inter-agency routing (DESIGN §3 "who
    acts"), the four-eyes exclusion and the legal due time, indexed for the inbox query.
    """

    class Role(models.TextChoices):
        HEAD = "head", _("head")
        HANDLER = "handler", _("a handler of the case, or the head")
        MEMBER = "member", _("any member")
        SUPERVISOR = "supervisor", _("supervisor")

    task = models.OneToOneField("viewflow.Task", models.CASCADE, related_name="route")
    case = models.ForeignKey("cases.Case", models.CASCADE, related_name="+")
    referral = models.ForeignKey("cases.Referral", models.CASCADE, null=True, blank=True, related_name="task_routes")
    listing = models.ForeignKey("oversight.Listing", models.CASCADE, null=True, blank=True, related_name="task_routes")
    agency = models.ForeignKey("agencies.Agency", models.CASCADE, related_name="+")
    role = models.CharField(max_length=12, choices=Role.choices)
    excluded_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("four eyes: never this person"),
    )
    due_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["agency", "role"])]

    def __str__(self) -> str:
        return f"task {self.task_id} → {self.agency_id}/{self.role}"
