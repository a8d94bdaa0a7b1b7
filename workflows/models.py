from django.conf import settings
from django.core.exceptions import ValidationError
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
    fine = models.ForeignKey("cases.Fine", models.CASCADE, null=True, blank=True, related_name="deadlines")
    penalty = models.ForeignKey("cases.Penalty", models.CASCADE, null=True, blank=True, related_name="deadlines")
    starts_at = models.DateTimeField(_("starts at"))
    due_at = models.DateTimeField(_("due at"))
    met_at = models.DateTimeField(_("met at"), null=True, blank=True)
    met_by = models.CharField(_("ended by"), max_length=40, blank=True)  # the action that closed it
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

    @property
    def basis(self) -> str:
        return STEPS[self.step].basis_display

    @property
    def legal(self) -> bool:
        """A legal period (its article cited), not Xianjie's own alarm."""
        return bool(STEPS[self.step].basis)

    @property
    def side(self) -> str:
        """Whose duty it is."""
        return STEPS[self.step].side_display


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
        PERSON = "person", _("the person named")  # e.g. the officer designated to preside over a hearing
        LEGAL = "legal", _("the agency's legal reviewers (法制审核)")

    task = models.OneToOneField("viewflow.Task", models.CASCADE, related_name="route")
    case = models.ForeignKey("cases.Case", models.CASCADE, related_name="+")
    referral = models.ForeignKey("cases.Referral", models.CASCADE, null=True, blank=True, related_name="task_routes")
    listing = models.ForeignKey("oversight.Listing", models.CASCADE, null=True, blank=True, related_name="task_routes")
    penalty = models.ForeignKey("cases.Penalty", models.CASCADE, null=True, blank=True, related_name="task_routes")
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
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, null=True, blank=True, related_name="+", help_text=_("role person")
    )
    # Not to be done before this time (the party's own period still runs): the inbox says from when.
    not_before = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["agency", "role"])]

    def __str__(self) -> str:
        return f"task {self.task_id} → {self.agency_id}/{self.role}"


class CalendarYear(models.Model):
    """A year whose State Council holiday arrangement has been entered by hand (its days below).

    The `chinesecalendar` package carries the arrangements up to its latest release; a notice
    published after it (国务院办公厅关于X年部分节假日安排的通知) is entered here, and its days win
    over the package's (core.calendar)."""

    year = models.PositiveSmallIntegerField(_("year"), primary_key=True)
    notice = models.CharField(_("notice"), max_length=200, help_text=_("e.g. 国办发明电〔2026〕12号"))
    entered_at = models.DateTimeField(_("entered at"), auto_now_add=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("holiday arrangement")
        verbose_name_plural = _("holiday arrangements")

    def __str__(self) -> str:
        return f"{self.year} {self.notice}"


class CalendarDay(models.Model):
    """One day of an entered arrangement: a holiday (also on a weekday) or an adjusted working day."""

    year = models.ForeignKey(CalendarYear, models.CASCADE, related_name="days", verbose_name=_("year"))
    day = models.DateField(_("day"), unique=True)
    working = models.BooleanField(
        _("working day"), help_text=_("Ticked: an adjusted working day (调休上班); not ticked: a holiday.")
    )
    name = models.CharField(_("name"), max_length=40, blank=True, help_text=_("e.g. 春节"))

    class Meta:
        ordering = ["day"]
        verbose_name = _("arranged day")
        verbose_name_plural = _("arranged days")

    def __str__(self) -> str:
        return f"{self.day} {'working' if self.working else 'holiday'}"

    def clean(self) -> None:
        if self.day and self.year_id and self.day.year != self.year_id:
            raise ValidationError({"day": _("This day is not in %(year)s.") % {"year": self.year_id}})


class ReferralRecord(models.Model):
    """What a referral's decisions were made on and with: the head's opinion (审批意见) on the
    proposal, and the police's filing (立案: its date, the charge, the 立案决定书). The files are
    kept among the case's files (certificates.Evidence), each with its SHA-256."""

    referral = models.OneToOneField("cases.Referral", models.CASCADE, related_name="record")
    # The head's decision on the proposal ("approve" or "refuse") and the opinion written with it.
    decision = models.CharField(_("decision"), max_length=8, blank=True)
    opinion = models.TextField(_("approval opinion (审批意见)"), max_length=4000, blank=True)
    opinion_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    opinion_at = models.DateTimeField(_("opinion given at"), null=True, blank=True)
    filed_on = models.DateField(_("filed on (立案日期)"), null=True, blank=True)
    charge = models.CharField(_("charge (罪名)"), max_length=200, blank=True)
    filing_decision = models.ForeignKey(
        "certificates.Evidence",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("filing decision (立案决定书)"),
    )

    class Meta:
        verbose_name = _("referral record")
        verbose_name_plural = _("referral records")

    def __str__(self) -> str:
        return f"record of referral {self.referral_id}"


class ReferralFile(models.Model):
    """A file of the package sent to the police (310号令 第6条): one of the case's files, chosen or
    uploaded on the transmission, under the document of the package it stands for."""

    document = models.OneToOneField("cases.ReferralDocument", models.CASCADE, related_name="file")
    evidence = models.ForeignKey("certificates.Evidence", models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("file sent with a referral")
        verbose_name_plural = _("files sent with referrals")

    def __str__(self) -> str:
        return f"{self.document_id}: {self.evidence_id}"
