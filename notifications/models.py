from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """One message to one person, written in the same transaction as the action (an outbox)."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=40)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    case = models.ForeignKey("cases.Case", models.CASCADE, null=True, blank=True, related_name="+")
    referral = models.ForeignKey("cases.Referral", models.CASCADE, null=True, blank=True, related_name="+")
    # The deadline it is about (a reminder, an escalation): a reminder is sent once per deadline and person.
    deadline = models.ForeignKey(
        "workflows.Deadline", models.SET_NULL, null=True, blank=True, related_name="notifications"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["recipient", "-id"]), models.Index(fields=["recipient", "read_at"])]
        constraints = [
            # The sweep's own check under its row locks says "once"; this says it to the database too.
            models.UniqueConstraint(
                fields=["deadline", "recipient"], condition=Q(kind="reminder"), name="one_reminder_per_deadline"
            )
        ]

    def __str__(self) -> str:
        return f"{self.recipient} · {self.title}"

    @property
    def link(self) -> str:
        """Where the notification is dealt with: its referral, its case, or (for the campaign's
        returns, which concern no case) the matrix of returns, where each city's cell opens."""
        if self.referral_id:
            return reverse("referrals:referral:detail", args=[self.referral_id])
        if self.case_id:
            return reverse("cases:case:detail", args=[self.case_id])
        if self.kind.startswith(RETURN_KINDS):
            return reverse("oversight:returns:index")
        return ""


# The kinds about the campaign's returns (monthly forms, work plan, summary).
RETURN_KINDS = ("monthly_", "campaign_return_", "return_")


class Preference(models.Model):
    """Per user and kind: e-mail on or off (on when no row says otherwise)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="notification_preferences")
    kind = models.CharField(_("kind"), max_length=40)
    email = models.BooleanField(_("send e-mail"), default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="one_preference_per_kind")]

    def __str__(self) -> str:
        return f"{self.user} {self.kind}: {'e-mail' if self.email else 'no e-mail'}"


class Delivery(models.Model):
    """One e-mail of a notification, written in the action's transaction with its text as it was
    then; a worker sends it after the commit and tries again until it is sent or given up (dead)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed (will be tried again)")
        DEAD = "dead", _("given up")

    notification = models.ForeignKey(
        Notification, models.CASCADE, related_name="deliveries", verbose_name=_("notification")
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="+", verbose_name=_("recipient")
    )
    address = models.EmailField(_("e-mail address"), max_length=254)  # the recipient's when it was written
    subject = models.CharField(_("subject"), max_length=255)
    body = models.TextField(_("body"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_try_at = models.DateTimeField(_("next try at"), default=timezone.now)
    # A worker sending it holds it until then; a worker that died lets it go when the time passes.
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    first_tried_at = models.DateTimeField(_("first tried at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("e-mail delivery")
        verbose_name_plural = _("e-mail deliveries")
        indexes = [models.Index(fields=["status", "next_try_at"], name="delivery_due")]

    def __str__(self) -> str:
        return f"{self.address} · {self.subject}"
