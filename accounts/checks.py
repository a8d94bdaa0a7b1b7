"""Start-up checks of the account settings that need the models to be read."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, register
from django.core.checks import Warning as CheckWarning

from agencies.models import Membership


@register("security")
def otp_required_roles(app_configs=None, **kwargs):
    known = set(Membership.Role.values) | {"staff"}
    unknown = sorted(set(settings.OTP_REQUIRED_ROLES) - known)
    if unknown:
        return [
            Error(
                f"OTP_REQUIRED_ROLES names unknown roles: {', '.join(unknown)}.",
                hint=f"Use any of: {', '.join(sorted(known))}.",
                id="accounts.E001",
            )
        ]
    return []


CONSOLE_BACKEND = "django.core.mail.backends.console.EmailBackend"


@register("security")
def email_backend(app_configs=None, **kwargs):
    """The console backend prints every mail — a password-reset link among them — to the server's
    log, where anyone who reads the log can use it: for local work (DEBUG) only."""
    if not settings.DEBUG and settings.EMAIL_BACKEND == CONSOLE_BACKEND:
        return [
            Error(
                "EMAIL_BACKEND is the console backend with DEBUG off: password-reset links would be printed "
                "to the log.",
                hint="Set EMAIL_URL to the SMTP server (smtp://, smtp+tls:// or smtps://).",
                id="accounts.E002",
            )
        ]
    return []


@register("security")
def site_url(app_configs=None, **kwargs):
    """Password-reset links are built on SITE_URL: it must be an absolute http(s) address."""
    parts = urlsplit(settings.SITE_URL or "")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return [
            Error(
                f"SITE_URL={settings.SITE_URL!r} is not the absolute address of the site.",
                hint="Set SITE_URL to where users reach the site, e.g. https://xianjie.example.org.",
                id="accounts.E003",
            )
        ]
    if not settings.DEBUG and parts.scheme != "https":
        return [
            CheckWarning(
                f"SITE_URL={settings.SITE_URL!r} is not https: password-reset links would travel in clear.",
                id="accounts.W001",
            )
        ]
    return []
