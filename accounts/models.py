"""What the login keeps beside django-rest-knox's tokens and django-otp's devices.

TokenInfo: one row per API token (knox keeps one token per login, hashed, with an expiry): the
number the token list shows, the program that asked for it and whether the second factor was
given. EnrolmentCode: the one-time code an administrator issues so that a user whose role
requires two-factor authentication can enrol an authenticator app (the password alone is not
enough to see the TOTP secret).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.models import AuthToken


class TokenInfo(models.Model):
    token = models.OneToOneField(AuthToken, on_delete=models.CASCADE, related_name="info")
    second_factor = models.BooleanField(_("issued with the second factor"), default=False)
    user_agent = models.CharField(_("program"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("API token details")
        verbose_name_plural = _("API token details")

    def __str__(self) -> str:
        return f"{self.token.user} #{self.pk}"


class EnrolmentCode(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolment_codes", verbose_name=_("user")
    )
    # SHA-256 of the code: the code itself is shown once, to the administrator who issued it.
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("issued by"),
    )
    expires_at = models.DateTimeField(_("expires at"), editable=False)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True, editable=False)
    failures = models.PositiveSmallIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("enrolment code")
        verbose_name_plural = _("enrolment codes")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def usable(self) -> bool:
        from .enrolment import MAX_FAILURES  # noqa: PLC0415

        return self.used_at is None and self.expires_at > timezone.now() and self.failures < MAX_FAILURES


class SavedFilter(models.Model):
    """A filter of one web list a user keeps by a name of their own (issue 18): the list's query
    string — its filters and order, and the texts searched (a party or person name, never an ID
    number) which the address itself never carries. Only its owner sees, opens or deletes it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_filters", verbose_name=_("user")
    )
    list_name = models.CharField(_("list"), max_length=20)
    title = models.CharField(_("name"), max_length=100)
    query = models.CharField(_("filter"), max_length=2000, blank=True)
    created_at = models.DateTimeField(_("saved at"), auto_now_add=True)

    class Meta:
        verbose_name = _("saved filter")
        verbose_name_plural = _("saved filters")
        ordering = ["title", "id"]
        indexes = [models.Index(fields=["user", "list_name"])]

    def __str__(self) -> str:
        return f"{self.user} {self.list_name}: {self.title}"
