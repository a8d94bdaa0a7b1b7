"""Start-up checks of the account settings that need the models to be read."""

from django.conf import settings
from django.core.checks import Error, register

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
