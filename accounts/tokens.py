"""API tokens: django-rest-knox's (hashed at rest, one per login, expiring after TOKEN_TTL_HOURS),
with a TokenInfo beside each one saying whether it was issued with the second factor.

A token not so marked is refused for a user whose role requires two-factor authentication,
including one issued before the policy was switched on (issue 17 §4).
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from knox import auth as knox_auth
from knox.models import AuthToken
from knox.signals import token_expired
from rest_framework import exceptions

from core.errors import Refusal

from . import otp
from .models import TokenInfo


def issue(user, *, second_factor: bool = False, user_agent: str = "") -> tuple[AuthToken, str]:
    """A new token for the user: the row, and the key (shown once; only its hash is kept)."""
    # The user's expired tokens go when a new one is issued (not on every request, as knox does).
    AuthToken.objects.filter(user=user, expiry__lt=timezone.now()).delete()
    instance, key = AuthToken.objects.create(user=user)
    TokenInfo.objects.update_or_create(
        token=instance, defaults={"second_factor": second_factor, "user_agent": user_agent[:200]}
    )
    return instance, key


def second_factor(token: AuthToken) -> bool:
    info = TokenInfo.objects.filter(token=token).only("second_factor").first()
    return bool(info and info.second_factor)


def otp_refusal(user, token: AuthToken) -> bool:
    """Does the policy refuse this token: the role requires two-factor and it was issued without?"""
    return otp.required(user) and not second_factor(token)


class OtpRequired(exceptions.PermissionDenied):
    def __init__(self):
        super().__init__(
            {
                "detail": _(
                    "Your role requires two-factor authentication and this token was issued without it: "
                    "obtain a new token with your code."
                ),
                "code": Refusal.OTP_REQUIRED,
            }
        )


class TokenAuthentication(knox_auth.TokenAuthentication):
    """knox's `Authorization: Token <key>`, and the two-factor policy for the token's user."""

    def _cleanup_token(self, auth_token) -> bool:
        """Refuse (and delete) this token once expired. knox also reads all the user's other tokens on
        every request to delete the expired ones: `issue` does that when it makes a new one."""
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            username = auth_token.user.get_username()
            auth_token.delete()
            token_expired.send(sender=self.__class__, username=username, source="auth_token")
            return True
        return False

    def validate_user(self, auth_token):
        user, token = super().validate_user(auth_token)
        if otp_refusal(user, token):
            raise OtpRequired()
        return user, token


class TokenScheme(OpenApiAuthenticationExtension):
    """The schema's tokenAuth, as before: `Authorization: Token <key>`."""

    target_class = TokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(header_name="Authorization", token_prefix="Token")  # noqa: S106 - the header keyword


def user_for_key(key: str):
    """The socket's ``?token=``: (user, token, None) for a live token the policy accepts, else
    (None, None, why): ``"otp_required"`` or ``"invalid"``."""
    try:
        user, token = TokenAuthentication().authenticate_credentials(key.encode())
    except OtpRequired:
        return None, None, Refusal.OTP_REQUIRED
    except exceptions.AuthenticationFailed:
        return None, None, "invalid"
    return user, token, None
