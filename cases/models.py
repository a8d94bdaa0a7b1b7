import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, NoReturn

from django.conf import settings
from django.contrib.auth.models import User
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import FSMField, FSMModelMixin, transition
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from agencies.models import Agency
from core.calendar import Period, due_after_date, last_day
from core.identity import DOCUMENT_LABELS, DocumentKind, mask_id_number

from .kinds import (
    CONTEST_MONTHS,
    DEMAND_WAIT_DAYS,
    ENFORCEMENT_WINDOW_MONTHS,
    FINDING_RULES,
    FINE_PAYMENT_DAYS,
    LATE_PENALTY_RATE_PERCENT,
    FindingKind,
    PartyKind,
    PersonRole,
    ReferralKind,
    Source,
)


def local_today() -> datetime.date:
    return timezone.localdate()


class CaseStatus(models.TextChoices):
    LEAD = "lead", _("lead")
    OPEN = "open", _("open")
    CLOSED = "closed", _("closed")
    DECLINED = "declined", _("declined")


class Campaign(models.Model):
    """An enforcement campaign (专项行动): cases created while it runs belong to it."""

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    title = models.CharField(_("title"), max_length=200)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    # [{"name": "动员部署", "starts_on": "2018-07-10", "ends_on": "2018-07-31"}, ...]
    phases = models.JSONField(_("phases"), default=list, blank=True)
    report_due_day = models.PositiveSmallIntegerField(_("monthly report due day"), default=25)
    # A reporting month closes on this day: September covers 08-26 to 09-25, so every event falls in
    # exactly one reported month (LEGAL.md §4; the notice sets only the due day).
    cutoff_day = models.PositiveSmallIntegerField(_("reporting month closes on day"), default=25)
    # The first month the cities report (the seed notice: 从８月份起); none before it is due.
    first_report_month = models.DateField(_("first reported month"), null=True, blank=True)
    # The other returns the notice asks for: the work plan and the final summary.
    plan_due_on = models.DateField(_("work plan due on"), null=True, blank=True)
    summary_due_on = models.DateField(_("final summary due on"), null=True, blank=True)

    class Meta:
        db_table = "oversight_campaign"  # the table it had when the oversight app held it
        ordering = ["-starts_on"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")

    def __str__(self) -> str:
        return self.title

    @classmethod
    def running_on(cls, day: datetime.date) -> "Campaign | None":
        return cls.objects.filter(starts_on__lte=day, ends_on__gte=day).order_by("-starts_on").first()


class Case(FSMModelMixin, models.Model):
    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    status = FSMField(_("status"), max_length=12, choices=CaseStatus.choices, default=CaseStatus.LEAD, protected=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    region = models.ForeignKey("agencies.Region", models.PROTECT, related_name="cases", verbose_name=_("region"))
    agency = models.ForeignKey("agencies.Agency", models.PROTECT, related_name="cases", verbose_name=_("agency"))
    campaign = models.ForeignKey(
        Campaign, models.PROTECT, null=True, blank=True, related_name="cases", verbose_name=_("campaign")
    )
    summary = models.TextField(_("summary"), max_length=4000)

    party_kind = models.CharField(_("party kind"), max_length=24, choices=PartyKind.choices)
    party_name = models.CharField(_("party name"), max_length=200)
    party_credit_code = models.CharField(_("credit code"), max_length=18, blank=True, db_index=True)
    # An individual party's ID number: kept for the handlers, indexed only by keyed hash.
    party_id_number = models.CharField(max_length=18, blank=True)
    party_id_hash = models.CharField(max_length=64, blank=True, db_index=True)
    party_url = models.URLField(_("website"), max_length=500, blank=True)
    # Where papers are served and who represents an organisation (行政处罚法 第59条第一项).
    party_address = models.CharField(_("address"), max_length=200, blank=True)
    party_representative = models.CharField(_("legal representative"), max_length=100, blank=True)

    handlers = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="handled_cases", blank=True)
    # Kept by record_finding: a plain column lets a million-case list show and filter it from
    # the index it already walks, instead of probing the findings of every row.
    requires_referral = models.BooleanField(_("requires referral"), default=False, editable=False)
    decline_reason = models.TextField(blank=True)
    close_summary = models.TextField(blank=True)

    # Optimistic concurrency for clients (409 "stale"), and the head of the event chain.
    version = models.PositiveIntegerField(default=1)
    event_count = models.PositiveIntegerField(default=0, editable=False)
    last_event_hash = models.CharField(max_length=64, blank=True, editable=False)

    # Empty for a lead that came from the public (a tip), which no official created.
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    # A find of the police or the cyberspace office, handed to the competent regulator (its lead).
    reported_by = models.ForeignKey(
        "agencies.Agency", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("reported by")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    opened_at = models.DateTimeField(null=True, blank=True, db_index=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            models.Index(fields=["agency", "-created_at", "-id"]),
            models.Index(fields=["status", "-created_at"]),
            # The monthly form joins a region's cases to its measures: an index-only scan, not
            # a heap visit per case of a million-case table (issue 8, B3).
            models.Index(fields=["region"], include=["id", "party_kind"], name="case_region_cover"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def party_id_masked(self) -> str:
        return mask_id_number(self.party_id_number)

    # The lifecycle (DESIGN §3): from which states. Who may run each action: rules.CASE_ACTIONS.
    @transition(status, source=CaseStatus.LEAD, target=CaseStatus.OPEN)
    def open(self) -> None:
        self.opened_at = timezone.now()

    @transition(status, source=CaseStatus.LEAD, target=CaseStatus.DECLINED)
    def decline(self, reason: str) -> None:
        self.decline_reason = reason
        self.closed_at = timezone.now()

    @transition(status, source=CaseStatus.OPEN, target=CaseStatus.CLOSED)
    def close(self, summary: str) -> None:
        self.close_summary = summary
        self.closed_at = timezone.now()

    @transition(status, source=[CaseStatus.CLOSED, CaseStatus.DECLINED], target=CaseStatus.OPEN)
    def reopen(self) -> None:
        self.closed_at = None


class CaseUserObjectPermission(UserObjectPermissionBase):
    """guardian: a direct foreign key to Case instead of a generic object id."""

    content_object = models.ForeignKey(Case, models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        abstract = False


class CaseGroupObjectPermission(GroupObjectPermissionBase):
    """guardian: an agency's group granted a case (e.g. the police agency it was referred to)."""

    content_object = models.ForeignKey(Case, models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        abstract = False


class CaseSequence(models.Model):
    """The last case number used per region and year; locked while a case is created."""

    region = models.ForeignKey("agencies.Region", models.CASCADE)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["region", "year"], name="one_sequence_per_region_year")]

    def __str__(self) -> str:
        return f"{self.region_id}-{self.year}: {self.last}"


class Person(models.Model):
    case = models.ForeignKey(Case, models.CASCADE, related_name="persons")
    name = models.CharField(_("name"), max_length=100)
    # The identity document (LEGAL.md §5): a resident ID, or for a person without one the kind
    # and number of a passport or permit. Never logged; shown masked but to handlers.
    id_kind = models.CharField(
        _("identity document"), max_length=20, choices=DocumentKind.choices, default=DocumentKind.RESIDENT_ID
    )
    id_number = models.CharField(max_length=20)
    id_hash = models.CharField(max_length=64, db_index=True)
    role = models.CharField(_("role"), max_length=12, choices=PersonRole.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        verbose_name = _("person")
        verbose_name_plural = _("persons")

    def __str__(self) -> str:
        return self.name

    @property
    def id_masked(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def id_label(self) -> str:
        """What a paper prints before the number: 居民身份证, 护照, …"""
        return DOCUMENT_LABELS[DocumentKind(self.id_kind)]


class Finding(models.Model):
    case = models.ForeignKey(Case, models.CASCADE, related_name="findings")
    kind = models.CharField(_("kind"), max_length=24, choices=FindingKind.choices)
    person = models.ForeignKey(Person, models.PROTECT, null=True, blank=True, related_name="findings")
    certificate_number = models.CharField(_("certificate number"), max_length=40, blank=True, db_index=True)
    note = models.TextField(_("note"), max_length=4000, blank=True)
    # Who sold, supplied or renewed the certificate, as found (倒查): a name to follow to its case.
    source = models.CharField(_("obtained from"), max_length=200, blank=True, db_index=True)
    referable = models.BooleanField(_("referable"), editable=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        indexes = [models.Index(fields=["kind", "recorded_at"])]

    def __str__(self) -> str:
        return self.get_kind_display()

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.referable = FINDING_RULES[self.kind].referable
        super().save(*args, **kwargs)


class RectificationStatus(models.TextChoices):
    ISSUED = "issued", _("issued")
    COMPLIED = "complied", _("complied")
    FAILED = "failed", _("failed")


class Rectification(FSMModelMixin, models.Model):
    """责令限期改正: an order with a deadline, then a re-inspection (复查)."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="rectifications")
    deadline = models.DateField(pgettext_lazy("rectification", "deadline"))
    items = models.TextField(_("items to rectify"), max_length=4000)
    status = FSMField(
        max_length=10, choices=RectificationStatus.choices, default=RectificationStatus.ISSUED, protected=True
    )
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(default=timezone.now, db_index=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    verification_note = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"rectification #{self.pk} ({self.status})"

    @transition(status, source=RectificationStatus.ISSUED, target=RectificationStatus.COMPLIED)
    def comply(self, note: str = "") -> None:
        self.verified_at, self.verification_note = timezone.now(), note

    @transition(status, source=RectificationStatus.ISSUED, target=RectificationStatus.FAILED)
    def fail(self, note: str = "") -> None:
        self.verified_at, self.verification_note = timezone.now(), note


class SuspensionStatus(models.TextChoices):
    IN_FORCE = "in_force", _("in force")
    LIFTED = "lifted", _("lifted")


class Suspension(FSMModelMixin, models.Model):
    """责令停产停业整顿."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="suspensions")
    reason = models.TextField(_("reason"), max_length=4000)
    starts_on = models.DateField(_("starts on"))
    status = FSMField(
        max_length=10, choices=SuspensionStatus.choices, default=SuspensionStatus.IN_FORCE, protected=True
    )
    ordered_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    ordered_at = models.DateTimeField(default=timezone.now, db_index=True)
    lifted_at = models.DateTimeField(null=True, blank=True)
    lift_note = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"suspension #{self.pk} ({self.status})"

    @transition(status, source=SuspensionStatus.IN_FORCE, target=SuspensionStatus.LIFTED)
    def lift(self, note: str = "") -> None:
        self.lifted_at, self.lift_note = timezone.now(), note


class BasisCondition(models.TextChoices):
    NONE = "", _("none")
    # 逾期未改正: a rectification order was not complied with (安全生产法 第97条 第二句).
    FAILED_RECTIFICATION = "failed_rectification", _("after a failed rectification (逾期未改正)")


class LegalBasis(models.Model):
    """A fining provision with its range and the dates it was in force."""

    class Fined(models.TextChoices):
        PARTY = "party", _("the party")
        PERSON = "person", _("a person")

    code = models.CharField(_("code"), max_length=40)
    title = models.CharField(_("title"), max_length=200)
    fined = models.CharField(_("who is fined"), max_length=6, choices=Fined.choices)
    min_amount = models.DecimalField(_("minimum (yuan)"), max_digits=12, decimal_places=2)
    max_amount = models.DecimalField(_("maximum (yuan)"), max_digits=12, decimal_places=2)
    valid_from = models.DateField(_("in force from"), default=datetime.date(2000, 1, 1))
    valid_to = models.DateField(_("in force until"), null=True, blank=True)
    # Whom the provision reaches (LEGAL.md §3): party kinds for a party fine (employer = 生产经营单位),
    # person roles for a person fine (responsible = 直接负责的主管人员); empty reaches anyone.
    applies_to = models.JSONField(_("applies to"), default=list, blank=True)
    # Which kinds of agency apply it (a market regulator never applies 安全生产法 第97条); empty: any.
    agency_kinds = models.JSONField(_("applied by"), default=list, blank=True)
    condition = models.CharField(_("condition"), max_length=24, choices=BasisCondition.choices, blank=True)
    warning = models.BooleanField(_("with a warning (警告)"), default=False)
    # The acts (finding kinds) it punishes; a fine naming a finding of another kind is refused.
    finding_kinds = models.JSONField(_("acts punished"), default=list, blank=True)
    # It orders 责令停产停业整顿 too (安全生产法 第97条: only after 逾期未改正).
    suspends = models.BooleanField(_("orders suspension of production"), default=False)
    # The formal citation the papers print, and the provision the act violates (行政处罚法 第59条).
    citation = models.CharField(_("formal citation"), max_length=200, blank=True)
    violated = models.CharField(_("provision violated"), max_length=200, blank=True)

    class Meta:
        ordering = ["code", "valid_from"]
        verbose_name = _("legal basis")
        verbose_name_plural = _("legal bases")
        constraints = [models.UniqueConstraint(fields=["code", "valid_from"], name="one_basis_version_per_day")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @classmethod
    def in_force(cls, code: str, day: datetime.date) -> "LegalBasis | None":
        """The version of `code` in force on `day` (the day of the violation picks the version)."""
        return (
            cls.objects.filter(code=code, valid_from__lte=day)
            .filter(models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=day))
            .order_by("-valid_from")
            .first()
        )


class FineStatus(models.TextChoices):
    DECIDED = "decided", _("decided")
    ENFORCEMENT_REQUESTED = "enforcement_requested", _("court enforcement requested")
    PAID = "paid", _("paid")


class ServiceMethod(models.TextChoices):
    """How a decision or a 催告 reached the party (行政处罚法 第61条; 民事诉讼法 第七章 by reference)."""

    IN_PERSON = "in_person", _("handed over in person (直接送达)")
    LEFT = "left", _("left at the residence (留置送达)")
    POST = "post", _("by post (邮寄送达)")
    ELECTRONIC = "electronic", _("electronically, with consent (电子送达)")
    ENTRUSTED = "entrusted", _("through another agency (委托送达)")
    PUBLIC_NOTICE = "public_notice", _("by public notice (公告送达)")


class Fine(FSMModelMixin, models.Model):
    case = models.ForeignKey(Case, models.CASCADE, related_name="fines")
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2)
    legal_basis = models.ForeignKey(LegalBasis, models.PROTECT, related_name="fines")
    person = models.ForeignKey(Person, models.PROTECT, null=True, blank=True, related_name="fines")
    # The illegal act fined (一事不再罚款, 行政处罚法 第29条): the finding it rests on, if named.
    finding = models.ForeignKey(Finding, models.PROTECT, null=True, blank=True, related_name="fines")
    warning = models.BooleanField(_("with a warning (警告)"), default=False)
    violation_date = models.DateField(_("date of the violation"), null=True, blank=True)
    decision_number = models.CharField(_("decision number"), max_length=60, blank=True)
    status = FSMField(max_length=24, choices=FineStatus.choices, default=FineStatus.DECIDED, protected=True)
    decided_on = models.DateField(default=local_today)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now, db_index=True)
    # 送达: the payment period and every later one run from the day the party received the decision.
    served_on = models.DateField(_("decision served on"), null=True, blank=True)
    service_method = models.CharField(_("served by"), max_length=16, choices=ServiceMethod.choices, blank=True)
    # 催告 (行政强制法 第54条): served before an application to the court, at least 10 days before it.
    demand_served_on = models.DateField(_("demand (催告) served on"), null=True, blank=True)
    paid_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    paid_on = models.DateField(null=True, blank=True)
    enforcement_requested_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"fine #{self.pk} ({self.status})"

    @property
    def due_on(self) -> datetime.date | None:
        """The last day to pay: 15 days from service (行政处罚法 第67条), a last day on a holiday or a
        rest day moved to the next working day (民法典 第203条). None until the decision is served."""
        if self.served_on is None:
            return None
        return last_day(self.served_on, Period(FINE_PAYMENT_DAYS, "days"))

    def late_penalty(self, on: datetime.date) -> Decimal:
        """加处罚款 (行政处罚法 第72条): 3 % of the fine for each day after the last day to pay, never
        more than the fine itself. Nothing runs before the decision is served."""
        due = self.due_on
        days_late = max((on - due).days, 0) if due else 0
        penalty = self.amount * LATE_PENALTY_RATE_PERCENT * days_late / 100
        return min(penalty, self.amount).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    def amount_due(self, on: datetime.date) -> Decimal:
        return self.amount + self.late_penalty(on)

    @property
    def contest_ends_on(self) -> datetime.date | None:
        """The last day the party may still contest the decision: 行政诉讼 within 6 months of service
        (行政诉讼法 第46条; 行政复议's 60 days end before it)."""
        return last_day(self.served_on, Period(CONTEST_MONTHS, "months")) if self.served_on else None

    @property
    def enforcement_opens_on(self) -> datetime.date | None:
        """The first day the agency may apply to the court (行政强制法 第53条, 第54条): once the party's
        periods have run out and more than 10 days after a 催告 was served. None until both are known."""
        if self.contest_ends_on is None or self.demand_served_on is None:
            return None
        after_demand = last_day(self.demand_served_on, Period(DEMAND_WAIT_DAYS, "days"))
        return max(self.contest_ends_on, after_demand) + datetime.timedelta(days=1)

    @property
    def enforcement_closes_at(self) -> datetime.datetime | None:
        """The end of the 3 months in which the court may be asked (行政强制法 第53条); then never."""
        if self.contest_ends_on is None:
            return None
        return due_after_date(self.contest_ends_on, Period(ENFORCEMENT_WINDOW_MONTHS, "months"))

    @transition(status, source=FineStatus.DECIDED, target=FineStatus.ENFORCEMENT_REQUESTED)
    def request_enforcement(self) -> None:
        self.enforcement_requested_on = local_today()

    @transition(status, source=[FineStatus.DECIDED, FineStatus.ENFORCEMENT_REQUESTED], target=FineStatus.PAID)
    def pay(self, amount: Decimal, on: datetime.date | None = None) -> None:
        self.paid_amount, self.paid_on = amount, on or local_today()


class PenaltyStatus(models.TextChoices):
    """Where a penalty's procedure stands (行政处罚法 第44、45、60–64条)."""

    PROPOSED = "proposed", pgettext_lazy("penalty", "proposed")
    APPROVED = "approved", _("approved, notice to be served")
    REFUSED = "refused", _("not approved")
    NOTIFIED = "notified", _("advance notice served")
    HEARING_REQUESTED = "hearing_requested", _("hearing requested")
    HEARING_SCHEDULED = "hearing_scheduled", _("hearing scheduled")
    HEARD = "heard", _("hearing held")
    DECIDED = "decided", pgettext_lazy("penalty", "decided")
    SERVED = "served", _("decision served")


# The statuses in which a penalty has not ended: the case cannot close over them.
PENALTY_PENDING = (
    PenaltyStatus.PROPOSED,
    PenaltyStatus.APPROVED,
    PenaltyStatus.NOTIFIED,
    PenaltyStatus.HEARING_REQUESTED,
    PenaltyStatus.HEARING_SCHEDULED,
    PenaltyStatus.HEARD,
    PenaltyStatus.DECIDED,
)


class Penalty(FSMModelMixin, models.Model):
    """One administrative penalty on its way from the proposal to the served decision: a fine, a
    warning, a suspension (责令停产停业整顿) or their combination against one party or person, for
    one act, under one basis. The decision creates the Fine and the Suspension it imposes."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="penalties")
    status = FSMField(max_length=20, choices=PenaltyStatus.choices, default=PenaltyStatus.PROPOSED, protected=True)
    legal_basis = models.ForeignKey(LegalBasis, models.PROTECT, null=True, blank=True, related_name="penalties")
    amount = models.DecimalField(_("fine (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True)
    warning = models.BooleanField(_("warning (警告)"), default=False)
    suspension = models.BooleanField(_("suspension of production (责令停产停业整顿)"), default=False)
    suspension_starts_on = models.DateField(_("suspension starts on"), null=True, blank=True)
    person = models.ForeignKey(Person, models.PROTECT, null=True, blank=True, related_name="penalties")
    finding = models.ForeignKey(Finding, models.PROTECT, null=True, blank=True, related_name="penalties")
    facts = models.TextField(_("facts"), max_length=4000)
    violation_date = models.DateField(_("date of the violation"))
    # False: the day the act was found (the finding, or 立案), given for a violation date not stated.
    violation_date_stated = models.BooleanField(default=True)
    # 行政处罚法 第32条: a fine below the basis's minimum (减轻) names its ground.
    mitigation = models.TextField(_("ground for a lighter penalty (第32条)"), blank=True)
    hearing_right = models.BooleanField(_("the party may request a hearing"), default=False)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(default=timezone.now)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    approval_note = models.TextField(blank=True)
    # 行政处罚事先告知书 (第44条), numbered per agency and year when the penalty is approved.
    notice_number = models.CharField(_("advance notice number"), max_length=60, blank=True)
    notice_served_on = models.DateField(_("advance notice served on"), null=True, blank=True)
    notice_method = models.CharField(max_length=16, choices=ServiceMethod.choices, blank=True)
    hearing_requested_on = models.DateField(_("hearing requested on"), null=True, blank=True)
    # 听证通知书 (第64条): the party is told at least 7 days before the hearing.
    hearing_notice_number = models.CharField(max_length=60, blank=True)
    hearing_notified_on = models.DateField(null=True, blank=True)
    hearing_at = models.DateTimeField(_("hearing at"), null=True, blank=True)
    hearing_place = models.CharField(_("hearing place"), max_length=200, blank=True)
    hearing_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    hearing_record = models.TextField(_("hearing record"), blank=True)
    heard_at = models.DateTimeField(null=True, blank=True)
    # 第64条第三项: held in public unless it concerns state or business secrets or privacy.
    hearing_public = models.BooleanField(default=True)
    hearing_private_reason = models.CharField(max_length=200, blank=True)
    # 法制审核 (第58条) by a member who did not investigate, before a decision that needs it.
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_opinion = models.TextField(blank=True)
    # 集体讨论 (第57条第二款) of the agency's heads, recorded with the decision that needs it.
    collective_discussion = models.TextField(blank=True)
    # The party as each paper named it when it was served: a later correction never rewrites a
    # served paper ({"notice": {...}, "decision": {...}}).
    as_served = models.JSONField(default=dict, blank=True)
    # 行政处罚决定书 (第59条), e.g. 穗应急罚〔2018〕101号.
    decision_number = models.CharField(_("decision number"), max_length=60, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    decision_served_on = models.DateField(_("decision served on"), null=True, blank=True)
    decision_method = models.CharField(max_length=16, choices=ServiceMethod.choices, blank=True)
    fine = models.OneToOneField(Fine, models.PROTECT, null=True, blank=True, related_name="penalty")
    suspension_order = models.OneToOneField(Suspension, models.PROTECT, null=True, blank=True, related_name="penalty")

    class Meta:
        ordering = ["id"]
        verbose_name = _("penalty")
        verbose_name_plural = _("penalties")

    def __str__(self) -> str:
        return f"penalty #{self.pk} ({self.status})"

    @property
    def kinds(self) -> list[str]:
        return [
            k
            for k, on in (("warning", self.warning), ("fine", self.amount is not None), ("suspension", self.suspension))
            if on
        ]

    @property
    def kinds_display(self) -> str:
        names = {"warning": "警告", "fine": "罚款", "suspension": "责令停产停业整顿"}
        return "、".join(names[k] for k in self.kinds)

    @property
    def papers(self) -> list[str]:
        """The papers issued so far (workflows.penalty_papers draws them): the advance notice, the
        hearing notice, the decision, and the 送达回证 of the notice and of the decision."""
        issued = {
            "notice": bool(self.notice_number),
            "notice_receipt": bool(self.notice_number),
            "hearing_notice": bool(self.hearing_notice_number),
            "hearing_notice_receipt": bool(self.hearing_notice_number),
            "decision": self.status in (PenaltyStatus.DECIDED, PenaltyStatus.SERVED),
            "decision_receipt": self.status in (PenaltyStatus.DECIDED, PenaltyStatus.SERVED),
        }
        return [name for name, done in issued.items() if done]

    @transition(status, source=PenaltyStatus.PROPOSED, target=PenaltyStatus.APPROVED)
    def approve(self, *, by: User, note: str, notice_number: str) -> None:
        """Approved, the advance notice is issued under its number, to be printed and served."""
        self.approved_by, self.approved_at, self.approval_note = by, timezone.now(), note
        self.notice_number = notice_number

    @transition(status, source=PenaltyStatus.PROPOSED, target=PenaltyStatus.REFUSED)
    def refuse(self, *, by: User, note: str) -> None:
        self.approved_by, self.approved_at, self.approval_note = by, timezone.now(), note

    @transition(status, source=PenaltyStatus.APPROVED, target=PenaltyStatus.NOTIFIED)
    def give_notice(self, *, served_on: datetime.date, how: str) -> None:
        self.notice_served_on, self.notice_method = served_on, how

    @transition(status, source=PenaltyStatus.NOTIFIED, target=PenaltyStatus.HEARING_REQUESTED)
    def request_hearing(self, *, on: datetime.date) -> None:
        self.hearing_requested_on = on

    @transition(status, source=PenaltyStatus.HEARING_REQUESTED, target=PenaltyStatus.HEARING_SCHEDULED)
    def schedule_hearing(
        self, *, number: str, at: datetime.datetime, place: str, officer: User, notified_on: datetime.date
    ) -> None:
        self.hearing_notice_number, self.hearing_at, self.hearing_place = number, at, place
        self.hearing_officer, self.hearing_notified_on = officer, notified_on

    @transition(status, source=PenaltyStatus.HEARING_SCHEDULED, target=PenaltyStatus.HEARD)
    def record_hearing(self, *, record: str) -> None:
        self.hearing_record, self.heard_at = record, timezone.now()

    @transition(status, source=[PenaltyStatus.NOTIFIED, PenaltyStatus.HEARD], target=PenaltyStatus.DECIDED)
    def decide(self, *, by: User, number: str, note: str) -> None:
        self.decided_by, self.decided_at, self.decision_number, self.decision_note = by, timezone.now(), number, note

    @transition(status, source=PenaltyStatus.DECIDED, target=PenaltyStatus.SERVED)
    def serve(self, *, on: datetime.date, how: str) -> None:
        self.decision_served_on, self.decision_method = on, how


class PenaltyStatement(models.Model):
    """The party's 陈述、申辩 (行政处罚法 第45条), as many as it makes, each on the record."""

    penalty = models.ForeignKey(Penalty, models.CASCADE, related_name="statements")
    stated_on = models.DateField(_("stated on"))
    text = models.TextField(_("statement"), max_length=4000)
    # The party waives the rest of its period to state its case (放弃陈述申辩) …
    waives = models.BooleanField(_("the party waives the rest of its period"), default=False)
    # … and, by its own express statement, its hearing (放弃听证, 第63–64条).
    waives_hearing = models.BooleanField(_("the party waives its hearing"), default=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"statement #{self.pk} on penalty {self.penalty_id}"


class DocumentSequence(models.Model):
    """The next formal number of each paper per agency and year (穗应急罚〔2018〕101号)."""

    agency = models.ForeignKey(Agency, models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=20)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "year", "kind"], name="one_sequence_per_paper")]

    def __str__(self) -> str:
        return f"{self.agency_id}/{self.year}/{self.kind}: {self.last}"


class TakedownStatus(models.TextChoices):
    REQUESTED = "requested", _("requested")
    BLOCKED = "blocked", _("blocked")
    REFUSED = "refused", pgettext_lazy("takedown", "refused")


class Takedown(FSMModelMixin, models.Model):
    """封堵网站: asked of a cyberspace office, which blocks or refuses."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="takedowns")
    url = models.URLField(_("URL"), max_length=500)
    agency = models.ForeignKey("agencies.Agency", models.PROTECT, related_name="takedowns")
    status = FSMField(max_length=10, choices=TakedownStatus.choices, default=TakedownStatus.REQUESTED, protected=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now, db_index=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True, db_index=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"takedown #{self.pk} ({self.status})"

    @transition(status, source=TakedownStatus.REQUESTED, target=TakedownStatus.BLOCKED)
    def block(self, *, by: User, note: str = "") -> None:
        self.decided_by, self.decided_at, self.note = by, timezone.now(), note

    @transition(status, source=TakedownStatus.REQUESTED, target=TakedownStatus.REFUSED)
    def refuse(self, *, by: User, reason: str) -> None:
        self.decided_by, self.decided_at, self.note = by, timezone.now(), reason


class ReferralStatus(models.TextChoices):
    PROPOSED = "proposed", _("proposed")
    APPROVED = "approved", _("approved")
    REFUSED = "refused", _("refused")
    REFUSAL_ENDORSED = "refusal_endorsed", _("refusal endorsed")
    TRANSMITTED = "transmitted", _("transmitted")
    RECEIVED = "received", _("received")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("materials requested (补正)")
    JURISDICTION_DECLINED = "jurisdiction_declined", _("not police business")
    ACCEPTED = "accepted", _("accepted")
    REJECTED = "rejected", _("rejected")
    RECONSIDERATION = "reconsideration", _("reconsideration")
    REJECTION_UPHELD = "rejection_upheld", _("rejection upheld")
    SUPERVISION = "supervision", _("procuratorate supervision")
    FILING_ORDERED = "filing_ordered", _("filing ordered by the procuratorate")
    REJECTION_FINAL = "rejection_final", _("rejection final")
    HANDED_OVER = "handed_over", _("handed over")


# A referral in one of these statuses has settled the question for its persons (close guard).
COVERING_REFERRAL_STATUSES = frozenset(
    {ReferralStatus.HANDED_OVER, ReferralStatus.REJECTION_FINAL, ReferralStatus.REFUSAL_ENDORSED}
)
# Not yet sent: only the referring agency (and supervisors) see a referral in these statuses.
UNSENT_REFERRAL_STATUSES = frozenset(
    {ReferralStatus.PROPOSED, ReferralStatus.APPROVED, ReferralStatus.REFUSED, ReferralStatus.REFUSAL_ENDORSED}
)
# From transmission on, the police agency and the procuratorates concerned see the referral.
SENT_REFERRAL_STATUSES = frozenset(ReferralStatus) - UNSENT_REFERRAL_STATUSES


R = ReferralStatus
K = ReferralKind
# 治安 (LEGAL.md §2): the police register (受理) the matter, or decline to (不予受理).
PUBLIC_SECURITY_LABELS = {
    R.ACCEPTED: pgettext_lazy("public security", "registered (受理)"),
    R.REJECTED: pgettext_lazy("public security", "not registered (不予受理)"),
}


def _criminal(referral: Any) -> bool:  # a Referral (django-fsm types conditions on Model)
    return bool(referral.kind == K.CRIMINAL)


def _not_forwarded(referral: Any) -> bool:  # a Referral (django-fsm types conditions on Model)
    """310号令 第7条: a referral is forwarded once; the competent police may not send it on again."""
    return referral.forwarded_from_id is None


def _explanation_pending(referral: Any) -> bool:  # a Referral (django-fsm types conditions on Model)
    return referral.explanation_requested_at is not None and referral.explained_at is None


def _may_file(referral: Any) -> bool:  # a Referral
    """Under 立案监督 the police may file of their own once asked for their reasons (刑事诉讼法 第113条;
    程序规定 第182条: 认为不立案理由不能成立的，应当立案), without waiting for the order."""
    return referral.status != R.SUPERVISION or referral.explanation_requested_at is not None


def _explanation_not_asked(referral: Any) -> bool:  # a Referral (django-fsm types conditions on Model)
    return referral.explanation_requested_at is None


def _explained(referral: Any) -> bool:  # a Referral
    """刑事诉讼法 第113条: the procuratorate orders the filing only after asking the police's reasons."""
    return referral.explained_at is not None


def _no_outcome(referral: Any) -> bool:  # a Referral (django-fsm types conditions on Model)
    return bool(referral.kind == K.PUBLIC_SECURITY) and not referral.outcome


class Referral(FSMModelMixin, models.Model):
    """移送公安: a case's suspects sent to the police, as a suspected crime (国务院令第310号, revised
    2020) or as a public-security matter (治安管理处罚法; LEGAL.md §2)."""

    number = models.CharField(_("number"), max_length=30, unique=True, editable=False)
    case = models.ForeignKey(Case, models.CASCADE, related_name="referrals")
    kind = models.CharField(
        _("kind"), max_length=16, choices=ReferralKind.choices, default=ReferralKind.CRIMINAL, editable=False
    )
    # Why the proposer chose the kind the findings do not suggest (empty when they agree).
    kind_reason = models.TextField(_("reason for the kind"), max_length=4000, blank=True)
    persons = models.ManyToManyField(Person, related_name="referrals", blank=True)
    # The party itself is referred (e.g. the operators of a counterfeit website).
    includes_party = models.BooleanField(default=False)
    referring_agency = models.ForeignKey("agencies.Agency", models.PROTECT, related_name="referrals_sent")
    police_agency = models.ForeignKey("agencies.Agency", models.PROTECT, related_name="referrals_received")
    procuratorate = models.ForeignKey(
        "agencies.Agency", models.PROTECT, null=True, blank=True, related_name="referrals_supervised"
    )
    report = models.TextField(_("report"), max_length=20000)
    status = FSMField(max_length=24, choices=ReferralStatus.choices, default=ReferralStatus.PROPOSED, protected=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    reason = models.TextField(_("latest reason"), blank=True)
    police_case_number = models.CharField(_("police case number"), max_length=60, blank=True)
    hand_over_items = models.TextField(_("items handed over"), blank=True)
    transmitted_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # 回执 (310号令 第7条): who signed it, and when.
    received_at = models.DateTimeField(null=True, blank=True)
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    # The receipt the police that forwarded it had signed (the record stays when it moves on).
    first_received_at = models.DateTimeField(null=True, blank=True)
    first_received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The police agency that forwarded it here (once only), when, and why.
    forwarded_from = models.ForeignKey("agencies.Agency", models.PROTECT, null=True, blank=True, related_name="+")
    forwarded_at = models.DateTimeField(null=True, blank=True)
    forward_reason = models.TextField(blank=True)
    # 补正 (程序规定 第180条): what the police asked for, when, and the agency's answer.
    supplement_request = models.TextField(blank=True)
    supplement_requested_at = models.DateTimeField(null=True, blank=True)
    supplement_note = models.TextField(blank=True)
    supplemented_at = models.DateTimeField(null=True, blank=True)
    # Not police business (程序规定 第180条): the written notice, naming the competent body.
    declined_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(blank=True)
    competent_body = models.CharField(_("competent body"), max_length=200, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    # 不予立案 (310号令 第8条): the notice's reasons, kept when later reasons are recorded.
    rejected_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.TextField(blank=True)
    # 复议 (310号令 第9条): the police's decision on the agency's request, and its reasons.
    reconsidered_at = models.DateTimeField(null=True, blank=True)
    reconsideration_reason = models.TextField(blank=True)
    # 立案监督 (程序规定 第182条): the procuratorate asks the police to explain, then may order filing.
    explanation_requested_at = models.DateTimeField(null=True, blank=True)
    explanation = models.TextField(blank=True)
    explained_at = models.DateTimeField(null=True, blank=True)
    filing_ordered_at = models.DateTimeField(null=True, blank=True)
    # The procuratorate's decision: "accept" (通知立案) or "reject" (不立案理由成立), with its note.
    supervision_outcome = models.CharField(max_length=6, blank=True)
    supervision_note = models.TextField(blank=True)
    supervision_decided_at = models.DateTimeField(null=True, blank=True)
    # 治安: what the police decided (处理结果), e.g. detention and a fine.
    outcome = models.TextField(_("outcome"), blank=True)
    outcome_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        indexes = [
            models.Index(fields=["police_agency", "status"]),
            models.Index(fields=["status", "-created_at"]),
            models.Index(fields=["referring_agency", "-created_at", "-id"]),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def criminal(self) -> bool:
        return _criminal(self)

    @property
    def original_police_id(self) -> int:
        """The police agency the 移送书 was addressed to (before a forward)."""
        return self.forwarded_from_id or self.police_agency_id

    @property
    def police_decision_display(self) -> str:
        """What the police decided, as the kind says it (for notices and titles)."""
        if self.status in (R.ACCEPTED, R.HANDED_OVER):
            return str(_("filed by the police (立案)") if self.criminal else _("registered by the police (受理)"))
        if self.status == R.REJECTED:
            return str(
                _("not filed by the police (不予立案)")
                if self.criminal
                else _("not registered by the police (不予受理)")
            )
        return str(self.get_status_display())

    @property
    def supervision_display(self) -> str:
        if self.supervision_outcome == "accept":
            return str(_("the procuratorate ordered the police to file (通知立案)"))
        if self.supervision_outcome == "reject":
            return str(_("the procuratorate found the reasons for not filing sound"))
        return str(_("under the procuratorate's supervision"))

    @property
    def status_label(self) -> str:
        """The status as the kind says it: a public-security matter is registered (受理), not filed (立案)."""
        if not self.criminal and self.status in PUBLIC_SECURITY_LABELS:
            return str(PUBLIC_SECURITY_LABELS[self.status])
        return str(self.get_status_display())

    # The transition table of DESIGN §3: from which states. Who: referral_rules.REFERRAL_ACTIONS.
    @transition(status, source=R.PROPOSED, target=R.APPROVED)
    def approve(self, *, by: User) -> None:
        self.decided_by = by

    @transition(status, source=R.PROPOSED, target=R.REFUSED)
    def refuse(self, *, by: User, reason: str) -> None:
        self.decided_by, self.reason = by, reason

    @transition(status, source=R.REFUSED, target=R.REFUSAL_ENDORSED)
    def endorse_refusal(self, *, note: str) -> None:
        self.reason = note

    @transition(status, source=R.REFUSED, target=R.APPROVED)
    def order_transfer(self, *, note: str) -> None:
        self.reason = note

    @transition(status, source=R.APPROVED, target=R.TRANSMITTED)
    def transmit(self) -> None:
        self.transmitted_at = timezone.now()

    @transition(status, source=R.TRANSMITTED, target=R.RECEIVED)
    def acknowledge(self, *, by: User) -> None:
        self.received_at, self.received_by = timezone.now(), by

    @transition(status, source=[R.TRANSMITTED, R.RECEIVED], target=R.TRANSMITTED, conditions=[_not_forwarded])
    def forward(self, *, to: Agency, reason: str) -> None:
        self.forwarded_from, self.forwarded_at, self.forward_reason = self.police_agency, timezone.now(), reason
        self.first_received_at, self.first_received_by = self.received_at, self.received_by
        self.police_agency, self.reason = to, reason
        self.received_at, self.received_by = None, None

    @transition(status, source=R.RECEIVED, target=R.SUPPLEMENT_REQUESTED, conditions=[_criminal])
    def request_supplement(self, *, items: str) -> None:
        self.supplement_request, self.supplement_requested_at = items, timezone.now()
        self.supplement_note, self.supplemented_at = "", None

    @transition(status, source=R.SUPPLEMENT_REQUESTED, target=R.RECEIVED)
    def supplement(self, *, note: str) -> None:
        self.supplement_note, self.supplemented_at = note, timezone.now()

    @transition(status, source=[R.TRANSMITTED, R.RECEIVED], target=R.JURISDICTION_DECLINED)
    def decline_jurisdiction(self, *, reason: str, competent_body: str) -> None:
        self.decline_reason, self.competent_body, self.declined_at = reason, competent_body, timezone.now()
        self.reason = reason

    @transition(status, source=[R.RECEIVED, R.FILING_ORDERED, R.SUPERVISION], target=R.ACCEPTED, conditions=[_may_file])
    def accept(self, *, police_case_number: str) -> None:
        self.police_case_number, self.accepted_at = police_case_number, timezone.now()

    @transition(status, source=R.RECEIVED, target=R.REJECTED)
    def reject(self, *, reason: str) -> None:
        self.reason = self.rejection_reason = reason
        self.rejected_at = timezone.now()

    @transition(status, source=R.REJECTED, target=R.RECONSIDERATION, conditions=[_criminal])
    def request_reconsideration(self, *, reason: str) -> None:
        self.reason = reason

    @transition(status, source=R.RECONSIDERATION, target=R.ACCEPTED)
    def reconsider_accept(self, *, reason: str, police_case_number: str) -> None:
        self.reason, self.police_case_number, self.accepted_at = reason, police_case_number, timezone.now()
        self.reconsideration_reason, self.reconsidered_at = reason, self.accepted_at

    @transition(status, source=R.RECONSIDERATION, target=R.REJECTION_UPHELD)
    def reconsider_uphold(self, *, reason: str) -> None:
        # The 不予立案 notice keeps its own reasons; the 复议决定 has these.
        self.reason, self.reconsideration_reason, self.reconsidered_at = reason, reason, timezone.now()

    @transition(
        status,
        source=[R.REJECTED, R.REJECTION_UPHELD, R.JURISDICTION_DECLINED],
        target=R.SUPERVISION,
        conditions=[_criminal],
    )
    def request_supervision(self, *, procuratorate: Agency, reason: str) -> None:
        self.procuratorate, self.reason = procuratorate, reason

    @transition(status, source=R.SUPERVISION, target=None, conditions=[_explanation_not_asked])
    def request_explanation(self, *, note: str) -> None:
        self.explanation_requested_at, self.reason = timezone.now(), note

    @transition(status, source=R.SUPERVISION, target=None, conditions=[_explanation_pending])
    def explain(self, *, reason: str) -> None:
        self.explanation, self.explained_at = reason, timezone.now()

    @transition(status, source=R.SUPERVISION, target=R.FILING_ORDERED, conditions=[_explained])
    def supervision_accept(self, *, note: str) -> None:
        self.reason, self.filing_ordered_at = note, timezone.now()
        self.supervision_outcome, self.supervision_note, self.supervision_decided_at = "accept", note, timezone.now()

    @transition(status, source=R.SUPERVISION, target=R.REJECTION_FINAL)
    def supervision_reject(self, *, note: str) -> None:
        self.reason = note
        self.supervision_outcome, self.supervision_note, self.supervision_decided_at = "reject", note, timezone.now()

    @transition(status, source=[R.REJECTED, R.REJECTION_UPHELD, R.JURISDICTION_DECLINED], target=R.REJECTION_FINAL)
    def accept_rejection(self, *, reason: str) -> None:
        self.reason = reason

    @transition(status, source=R.ACCEPTED, target=R.HANDED_OVER)
    def hand_over(self, *, items: str) -> None:
        self.hand_over_items = items

    @transition(status, source=[R.ACCEPTED, R.HANDED_OVER], target=None, conditions=[_no_outcome])
    def record_outcome(self, *, outcome: str) -> None:
        self.outcome, self.outcome_at = outcome, timezone.now()


class ReferralDocument(models.Model):
    class Kind(models.TextChoices):
        TRANSFER_LETTER = "transfer_letter", _("transfer letter (移送书)")
        INVESTIGATION_REPORT = "investigation_report", _("investigation report")
        EVIDENCE_LIST = "evidence_list", _("evidence list")
        INSPECTION_REPORT = "inspection_report", _("inspection report")
        OTHER = "other", _("other document")

    referral = models.ForeignKey(Referral, models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.title


REQUIRED_DOCUMENTS = (
    ReferralDocument.Kind.TRANSFER_LETTER,
    ReferralDocument.Kind.INVESTIGATION_REPORT,
    ReferralDocument.Kind.EVIDENCE_LIST,
)


class Event(models.Model):
    """One action on a case. Append-only; each row carries the hash of the one before it."""

    case = models.ForeignKey(Case, models.PROTECT, related_name="events", verbose_name=_("case"))
    seq = models.PositiveIntegerField(_("sequence number"))
    action = models.CharField(_("action"), max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, related_name="+", verbose_name=_("actor")
    )
    agency = models.ForeignKey(
        "agencies.Agency", models.PROTECT, null=True, related_name="+", verbose_name=pgettext_lazy("event", "agency")
    )
    at = models.DateTimeField(_("time"), default=timezone.now)
    from_status = models.CharField(_("status before"), max_length=24, blank=True)
    to_status = models.CharField(_("status after"), max_length=24, blank=True)
    data = models.JSONField(_("content"), default=dict, blank=True)
    referral = models.ForeignKey(
        Referral, models.PROTECT, null=True, blank=True, related_name="events", verbose_name=_("referral")
    )
    prev_hash = models.CharField(_("hash of the previous event"), max_length=64, blank=True)
    hash = models.CharField(_("hash"), max_length=64)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events (办案记录)")
        ordering = ["case", "seq"]
        constraints = [models.UniqueConstraint(fields=["case", "seq"], name="one_event_per_seq")]
        # The monthly form counts transmissions by the date of their event.
        indexes = [models.Index(fields=["action", "at"])]

    def __str__(self) -> str:
        return f"{self.case_id}#{self.seq} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise RuntimeError("Events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise RuntimeError("Events are append-only.")


class IdNumberView(models.Model):
    """One serving of a case's ID numbers in full (to a handler): who, when, through which door."""

    class Via(models.TextChoices):
        WEB = "web", _("web page")
        API = "api", _("API")
        PDF = "pdf", _("printed document")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("user"))
    case = models.ForeignKey(Case, models.PROTECT, related_name="id_number_views", verbose_name=_("case"))
    at = models.DateTimeField(_("viewed at"), default=timezone.now)
    via = models.CharField(_("via"), max_length=3, choices=Via.choices)
    numbers = models.PositiveSmallIntegerField(_("ID numbers shown"))

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("ID number view")
        verbose_name_plural = _("ID number views")
        indexes = [models.Index(fields=["case", "-at"]), models.Index(fields=["at"])]

    def __str__(self) -> str:
        return f"{self.case_id} {self.user_id} {self.at:%Y-%m-%d %H:%M}"

    @classmethod
    def record(cls, user: User, case: Case, via: str, numbers: int) -> None:
        if numbers:
            cls.objects.create(user=user, case=case, via=via, numbers=numbers)


class Correction(models.Model):
    """更正: a record entered wrongly, put right with a reason on the record. The old value stays
    in the event chain; one that changes a legal fact (an identity, a finding's kind) waits for the
    head's approval (cases.actions.correct, approve_correction)."""

    class Target(models.TextChoices):
        CASE = "case", _("the case")
        PERSON = "person", pgettext_lazy("correction", "a person")
        FINDING = "finding", _("a finding")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("awaiting the head's approval")
        # A correction that would take a finding off the road to the police is endorsed by the
        # supervisors, as a refusal to refer is (310号令 第5条; 应急〔2019〕54号).
        ENDORSEMENT = "endorsement", _("awaiting the supervisors' endorsement")
        APPLIED = "applied", _("applied")
        REFUSED = "refused", _("refused")

    case = models.ForeignKey(Case, models.CASCADE, related_name="corrections")
    target = models.CharField(_("what is corrected"), max_length=10, choices=Target.choices)
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    field = models.CharField(_("field"), max_length=40)
    # The new value until it is applied or refused; an ID number is then kept masked only.
    value = models.CharField(_("new value"), max_length=200)
    reason = models.TextField(_("reason"), max_length=4000)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PROPOSED)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("correction")
        verbose_name_plural = _("corrections")

    def __str__(self) -> str:
        return f"{self.target}.{self.field} ({self.status})"


class CaseLink(models.Model):
    """倒查: a holder's case joined to the case of whoever sold, supplied or renewed the certificate
    (an intermediary, a training institution, a seller), so a seller can be followed to all of its
    buyers, across cities (the seed notice: 倒查假冒证书获取渠道)."""

    class Relation(models.TextChoices):
        SUPPLIED = "supplied", _("sold or supplied the certificate")
        RENEWED = "renewed", _("renewed or reviewed the certificate")
        SAME_CERTIFICATE = "same_certificate", _("the same certificate")

    holder_case = models.ForeignKey(Case, models.CASCADE, related_name="links_out")
    source_case = models.ForeignKey(Case, models.CASCADE, related_name="links_in")
    relation = models.CharField(_("relation"), max_length=20, choices=Relation.choices)
    certificate_number = models.CharField(_("certificate number"), max_length=40, blank=True)
    note = models.TextField(_("note"), max_length=4000, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        verbose_name = _("case link")
        verbose_name_plural = _("case links")
        constraints = [
            models.UniqueConstraint(fields=["holder_case", "source_case"], name="one_link_per_pair"),
            models.CheckConstraint(condition=~models.Q(holder_case=models.F("source_case")), name="no_link_to_itself"),
        ]

    def __str__(self) -> str:
        return f"{self.holder_case_id} ← {self.source_case_id} ({self.relation})"


class CaseNote(models.Model):
    """内部备注: an internal note on a case by one of those who may act on it (its handlers, the
    head), read by those who see the case's internals (cases.access.sees_internals), never by the
    police or other agencies the case was sent to. Append-only: a correction is a new note. Its
    text is also in the case's event chain (the `add_note` event it points to)."""

    case = models.ForeignKey(Case, models.PROTECT, related_name="notes", verbose_name=_("case"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("author"))
    agency = models.ForeignKey("agencies.Agency", models.PROTECT, null=True, related_name="+", verbose_name=_("agency"))
    text = models.TextField(_("note"), max_length=4000)
    written_at = models.DateTimeField(_("written at"), default=timezone.now)
    event = models.OneToOneField(Event, models.PROTECT, related_name="note", verbose_name=_("event"))

    class Meta:
        ordering = ["-written_at", "-id"]
        verbose_name = _("case note")
        verbose_name_plural = _("case notes")
        indexes = [models.Index(fields=["case", "-written_at"])]

    def __str__(self) -> str:
        return f"{self.case_id} {self.author_id} {self.written_at:%Y-%m-%d %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise RuntimeError("Case notes are append-only: write a new note to correct one.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise RuntimeError("Case notes are append-only: write a new note to correct one.")
