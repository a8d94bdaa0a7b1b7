import datetime

from django.conf import settings
from django.db import models
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    """The eleven categories of the 特种作业目录."""

    ELECTRICAL = "electrical", _("电工作业")
    WELDING = "welding", _("焊接与热切割作业")
    HEIGHT = "height", _("高处作业")
    REFRIGERATION = "refrigeration", _("制冷与空调作业")
    COAL_MINE = "coal_mine", _("煤矿安全作业")
    METAL_MINE = "metal_mine", _("金属非金属矿山安全作业")
    PETROLEUM = "petroleum", _("石油天然气安全作业")
    METALLURGY = "metallurgy", _("冶金（有色）生产安全作业")
    HAZARDOUS_CHEMICALS = "hazardous_chemicals", _("危险化学品安全作业")
    FIREWORKS = "fireworks", _("烟花爆竹安全作业")
    OTHER = "other", _("安全监管总局认定的其他作业")


CATEGORY_BY_NAME = {str(label): value for value, label in Category.choices} | {
    value: value for value in Category.values
}

VALIDITY_YEARS = 6  # 特种作业操作证有效期6年
REVIEW_YEARS = 3  # 每3年复审1次


def add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


class Certificate(models.Model):
    class Status(models.TextChoices):
        VALID = "valid", _("valid")
        REVOKED = "revoked", _("revoked")

    number = models.CharField(_("certificate number"), max_length=40, unique=True)
    holder_name = models.CharField(_("holder"), max_length=100)
    id_hash = models.CharField(max_length=64, db_index=True)
    id_masked = models.CharField(max_length=18)
    category = models.CharField(_("category"), max_length=24, choices=Category.choices)
    item = models.CharField(_("operation item"), max_length=100)
    issued_on = models.DateField(_("issued on"))
    expires_on = models.DateField(_("expires on"))
    reviewed_on = models.DateField(_("last review"), null=True, blank=True)
    authority = models.CharField(_("issuing authority"), max_length=100)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.VALID)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["number"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        # The registry keepers: granted in the admin (superusers have it); certificates.import_job.
        permissions = [("import_certificates", "Can import the certificate registry")]

    def __str__(self) -> str:
        return self.number


class RosterCheck(models.Model):
    """A roster verified through the web page, kept so that its results can be downloaded."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    filename = models.CharField(max_length=200)
    employer = models.CharField(max_length=200, blank=True)
    results = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.filename


class RosterLead(models.Model):
    """The lead a row of a roster opened: one a row, whoever clicks and however often (issue 18)."""

    roster = models.ForeignKey(RosterCheck, models.CASCADE, related_name="leads")
    row = models.PositiveIntegerField()
    case = models.OneToOneField("cases.Case", models.CASCADE, related_name="roster_lead")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["roster", "row"], name="one_lead_per_roster_row")]

    def __str__(self) -> str:
        return f"{self.roster_id}:{self.row}"


class Tip(models.Model):
    """举报 (12350): a tip from the public, a lead in the city's regulator, a tracking code.

    The code is read whatever its case (issue 18): no two codes differ by case only."""

    code = models.CharField(max_length=24, unique=True)
    case = models.OneToOneField("cases.Case", models.CASCADE, related_name="tip")
    what = models.TextField(max_length=4000)
    contact = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(Upper("code"), name="tip_code_unique_in_any_case")]

    def __str__(self) -> str:
        return self.code


class TipReply(models.Model):
    """The answer of the officer handling a tip, shown to the tipster on the tracking page (its text
    and date only: never who wrote it)."""

    tip = models.ForeignKey(Tip, models.CASCADE, related_name="replies")
    text = models.TextField(max_length=2000)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.tip.code} {self.created_at:%Y-%m-%d}"


class Evidence(models.Model):
    """An evidence file of a case (or of the tip that started it), kept outside the static root."""

    case = models.ForeignKey("cases.Case", models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to="evidence/%Y/%m/")
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


# The answers of a verification in words (certificates.verify.status_labels says the same).
VERIFICATION_CHOICES = [
    ("valid", _("valid")),
    ("expired", _("expired")),
    ("review_overdue", _("review overdue")),
    ("revoked", _("revoked")),
    ("not_found", _("not found in the registry")),
    ("name_mismatch", _("the name does not match")),
    ("no_match", _("no certificate with this number and this name")),
]


class LeadProposal(models.Model):
    """What a failed verification suggests to the officer who opens the lead: this person, this finding."""

    case = models.OneToOneField("cases.Case", models.CASCADE, related_name="lead_proposal")
    name = models.CharField(max_length=100)
    certificate_number = models.CharField(max_length=40)
    verification = models.CharField(max_length=20, choices=VERIFICATION_CHOICES)
    finding_kind = models.CharField(max_length=24)

    def __str__(self) -> str:
        return f"{self.name} {self.certificate_number}"


class VerificationBatch(models.Model):
    """One verification call — an API request, a check on the page, a roster — recorded so that
    supervisors see who verified how many certificates, when and why (issue 17, §1)."""

    class Purpose(models.TextChoices):
        CHECK = "check", _("a single check")
        ROSTER = "roster", _("an employer's roster")
        CASE = "case", _("a case")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    username = models.CharField(max_length=150)  # kept if the account is ever deleted
    agency = models.ForeignKey("agencies.Agency", models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    items = models.PositiveIntegerField()
    counts = models.JSONField(default=dict)  # status → how many
    purpose = models.CharField(max_length=10, choices=Purpose.choices)
    case = models.ForeignKey("cases.Case", models.SET_NULL, null=True, blank=True, related_name="+")
    filename = models.CharField(max_length=200, blank=True)
    employer = models.CharField(max_length=200, blank=True)
    via_api = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("verification batch")
        verbose_name_plural = _("verification batches")

    def __str__(self) -> str:
        return f"{self.username} {self.items} {self.purpose}"
