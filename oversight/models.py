from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

import cases.models
from core.identity import plain, validate_person_name, validate_phone


class Campaign(cases.models.Campaign):
    """The campaigns as the oversight pages and the admin manage them (the model is the cases app's:
    a case belongs to a campaign)."""

    class Meta:
        proxy = True
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")


class SelfInspection(models.Model):
    """自查自纠: what a city reports of employers', training institutions' and issuing
    authorities' own checks in one month. Entered by the city, validated here."""

    campaign = models.ForeignKey("cases.Campaign", models.CASCADE, related_name="self_inspections")
    region = models.ForeignKey("agencies.Region", models.PROTECT, related_name="+")
    month = models.DateField(_("month"), help_text=_("the first day of the month"))
    employers = models.PositiveIntegerField(_("employers (units)"), default=0)
    employer_fake_found = models.PositiveIntegerField(_("forged certificates found by employers (persons)"), default=0)
    employer_reported = models.PositiveIntegerField(_("of which reported for handling (persons)"), default=0)
    institutions = models.PositiveIntegerField(_("training institutions (units)"), default=0)
    institution_fake_found = models.PositiveIntegerField(
        _("forged renewals tolerated or assisted (persons)"), default=0
    )
    institution_reported = models.PositiveIntegerField(_("of which reported for handling (persons)"), default=0)
    authority_problems = models.PositiveIntegerField(_("problems found by issuing authorities (items)"), default=0)
    authority_improvements = models.PositiveIntegerField(_("procedures improved (items)"), default=0)
    filled_by = models.CharField(_("filled in by"), max_length=50, blank=True, validators=[validate_person_name])
    phone = models.CharField(_("telephone"), max_length=30, blank=True, validators=[validate_phone])
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    FIELDS = [
        "employers",
        "employer_fake_found",
        "employer_reported",
        "institutions",
        "institution_fake_found",
        "institution_reported",
        "authority_problems",
        "authority_improvements",
    ]

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "region", "month"], name="one_self_inspection_per_month")
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.month:%Y-%m}"

    @classmethod
    def label_of(cls, name: str) -> str | Promise:
        """The verbose name of one of FIELDS, which the API and the form label their inputs with."""
        field = cls._meta.get_field(name)
        if not isinstance(field, models.Field):
            raise TypeError(f"{name} is not a column of {cls.__name__}")
        return field.verbose_name

    def clean_fields(self, exclude=None):
        self.phone = plain(self.phone).strip()  # one spelling: full-width digits as ASCII
        super().clean_fields(exclude)

    def clean(self):
        errors: dict[str, str | Promise] = {}
        if self.employer_reported > self.employer_fake_found:
            errors["employer_reported"] = _(
                "More reported (%(r)s) than found (%(f)s): reported persons are among those found."
            ) % {"r": self.employer_reported, "f": self.employer_fake_found}
        if self.institution_reported > self.institution_fake_found:
            errors["institution_reported"] = _(
                "More reported (%(r)s) than found (%(f)s): reported persons are among those found."
            ) % {"r": self.institution_reported, "f": self.institution_fake_found}
        if self.employer_fake_found and not self.employers:
            errors["employers"] = _("Forged certificates were found by employers, so at least one employer checked.")
        if self.institution_fake_found and not self.institutions:
            errors["institutions"] = _(
                "Cases were found at training institutions, so at least one institution checked."
            )
        if errors:
            raise ValidationError(errors)


class MonthlySubmission(models.Model):
    """A city's monthly return as submitted (报送): the form's figures frozen, the month's progress
    narrative and who filled in and checked it; later the stamped scan (盖章扫描件). What a city
    submitted is what the province sees and exports (LEGAL.md §4). Returned by the province for
    correction, it stays on record and the city submits again, with the reason."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("submitted")
        RETURNED = "returned", _("returned for correction")

    campaign = models.ForeignKey("cases.Campaign", models.CASCADE, related_name="submissions")
    region = models.ForeignKey("agencies.Region", models.PROTECT, related_name="+")
    month = models.DateField(_("month"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    rows = models.JSONField(_("rows"))
    narrative = models.TextField(_("the month's work (工作情况)"), max_length=8000, blank=True)
    filled_by = models.CharField(_("filled in by"), max_length=50, blank=True)
    reviewer = models.CharField(_("checked by (审核人)"), max_length=50, blank=True)
    phone = models.CharField(_("telephone"), max_length=30, blank=True)
    # Why it is submitted again after a return.
    reason = models.TextField(_("reason for resubmitting"), blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("submitted at"))
    late = models.BooleanField(_("late"), default=False)
    returned_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    returned_at = models.DateTimeField(null=True, blank=True)
    return_reason = models.TextField(_("why it was returned"), blank=True)
    # The printed, stamped and scanned form (盖章pdf扫描件), hashed like evidence.
    scan = models.FileField(upload_to="submissions/%Y/%m/", blank=True)
    scan_name = models.CharField(max_length=200, blank=True)
    scan_sha256 = models.CharField(max_length=64, blank=True)
    scan_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["submitted_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "region", "month"],
                condition=models.Q(status="submitted"),
                name="one_current_submission_per_month",
            )
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.month:%Y-%m} ({self.status})"


class CampaignReturn(models.Model):
    """The campaign's other returns (the seed notice): the work plan by the end of July, the final
    summary by 12-25 — each submitted by a city to the province, with its file, due and late. The
    province reads it and may return it for correction, with its reason; the city submits again, with
    its own, and both stay on record (as for the monthly return)."""

    class Kind(models.TextChoices):
        PLAN = "plan", _("work plan (实施方案)")
        SUMMARY = "summary", _("final summary (工作总结)")

    Status = MonthlySubmission.Status

    campaign = models.ForeignKey("cases.Campaign", models.CASCADE, related_name="returns")
    region = models.ForeignKey("agencies.Region", models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    text = models.TextField(_("text"), max_length=20000)
    file = models.FileField(upload_to="returns/%Y/%m/", blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    file_sha256 = models.CharField(max_length=64, blank=True)
    # Why it is submitted again after a return.
    reason = models.TextField(_("reason for resubmitting"), blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField()
    late = models.BooleanField(default=False)
    returned_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    returned_at = models.DateTimeField(null=True, blank=True)
    return_reason = models.TextField(_("why it was returned"), blank=True)

    class Meta:
        ordering = ["submitted_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "region", "kind"],
                condition=models.Q(status="submitted"),
                name="one_current_return_per_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.kind} ({self.status})"


class MonthlyNotice(models.Model):
    """That a reminder (23rd) or an escalation (after the 25th) went out, so it goes out once."""

    campaign = models.ForeignKey("cases.Campaign", models.CASCADE, related_name="+")
    region = models.ForeignKey("agencies.Region", models.PROTECT, related_name="+")
    month = models.DateField()
    kind = models.CharField(max_length=20)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "region", "month", "kind"], name="one_notice_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.region_id} {self.month:%Y-%m}"


class Listing(FSMModelMixin, models.Model):
    """挂牌督办: a supervisor lists a serious case for supervision, with a deadline and instructions."""

    class Status(models.TextChoices):
        LISTED = "listed", _("listed for supervision")
        CLOSED = "closed", _("supervision closed")

    case = models.ForeignKey("cases.Case", models.CASCADE, related_name="listings")
    agency = models.ForeignKey(
        "agencies.Agency", models.PROTECT, related_name="listings", help_text=_("the committee office that lists")
    )
    listed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    deadline = models.DateField(_("deadline"))
    instructions = models.TextField(_("instructions"), max_length=4000)
    status = FSMField(max_length=10, choices=Status.choices, default=Status.LISTED, protected=True)
    closing_note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("supervision listing")
        verbose_name_plural = _("supervision listings")

    def __str__(self) -> str:
        return f"{self.case} ({self.get_status_display()})"

    @transition(status, source=Status.LISTED, target=Status.CLOSED)
    def close(self, *, note: str):
        self.closing_note, self.closed_at = note, timezone.now()


class ListingReport(models.Model):
    listing = models.ForeignKey(Listing, models.CASCADE, related_name="reports")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    text = models.TextField(_("progress"), max_length=4000)

    class Meta:
        ordering = ["at"]

    def __str__(self) -> str:
        return f"{self.listing_id} @ {self.at:%Y-%m-%d}"


class AuditRun(models.Model):
    """One run of verify_events: what was checked and the first broken link, if any."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    cases = models.PositiveIntegerField()
    events = models.PositiveBigIntegerField()
    broken_case = models.CharField(max_length=20, blank=True)
    broken_seq = models.PositiveIntegerField(null=True, blank=True)
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} {'broken' if self.broken_case else 'intact'}"


class AuditView(models.Model):
    """Who looked at an audit page or export, and when: the audit is audited too."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    path = models.CharField(max_length=300)
    case = models.ForeignKey("cases.Case", models.CASCADE, null=True, blank=True, related_name="+")
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.user} {self.path}"


class TypicalCase(models.Model):
    """典型案例: a closed case marked by a supervisor, with a redacted public summary."""

    case = models.OneToOneField("cases.Case", models.CASCADE, related_name="typical")
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("public summary"))
    marked_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    marked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-marked_at"]
        verbose_name = _("typical case")
        verbose_name_plural = _("typical cases")

    def __str__(self) -> str:
        return self.title


class FormTally(models.Model):
    """The monthly form's roll-up (oversight/tallies.py): one cell of one city in one reporting month
    of a campaign — `value` is the month's figure, `new` what the month adds to 累计 (a case or person
    counted once from the campaign's start is new in the month it first appears), so a form reads a
    few rows per city whatever the number of cases."""

    campaign = models.ForeignKey("cases.Campaign", models.CASCADE, related_name="+")
    month = models.DateField()
    city = models.CharField(max_length=6)
    key = models.CharField(max_length=48)
    value = models.DecimalField(max_digits=18, decimal_places=2)
    new = models.DecimalField(max_digits=18, decimal_places=2)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "month", "city", "key"], name="one_tally_per_cell"),
        ]

    def __str__(self) -> str:
        return f"{self.city} {self.month:%Y-%m} {self.key}"


class FormChange(models.Model):
    """A mark left by an action that changed a fact the form counts (the case's region, when, and the
    record whose own date may be earlier): the next read of a form refreshes the months it names."""

    region = models.CharField(max_length=6)
    at = models.DateTimeField()
    fact = models.CharField(max_length=40, blank=True)

    def __str__(self) -> str:
        return f"{self.region} {self.at:%Y-%m-%d} {self.fact}"


class FormState(models.Model):
    """The campaign's dates its tallies were made for: other dates (or none) and they are made again."""

    campaign = models.OneToOneField("cases.Campaign", models.CASCADE, primary_key=True, related_name="+")
    signature = models.CharField(max_length=80)

    def __str__(self) -> str:
        return f"{self.campaign_id}: {self.signature}"
