"""Two-factor authentication with TOTP (django-otp): who must use it, and the step between the
password and the session.

A user with a confirmed device, or whose role OTP_REQUIRED_ROLES names, is not logged in by the
password alone: the login remembers them in the session as pending for OTP_PENDING_SECONDS, and
only a correct code (or, for a first device, the code that confirms it) logs them in. So no
session, page, API call or WebSocket ever belongs to a user who has not passed both steps.
RequiredSecondFactorMiddleware holds back sessions opened otherwise (before the policy changed).
"""

import time
from datetime import datetime

import django_otp
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.http import JsonResponse
from django.urls import reverse
from django.utils.deprecation import MiddlewareMixin
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from agencies import jurisdiction
from core.errors import Refusal

PENDING = "xianjie_otp_pending"
# The 6 digits of the authenticator app, or one of the backup codes (django-otp's static tokens).
CODE_PATTERN = r"^\s*(\d{6}|[A-Za-z2-7]{8})\s*$"
BACKUP_CODES = 10
BACKUP_NAME = "backup"
# Pages a user held back for the second factor may still open.
OPEN_URL_NAMES = {"otp-verify", "otp-setup", "logout", "set_language", "javascript-catalog", "healthz"}
ENROLMENT_UNLOCKED = "xianjie_otp_enrolment_unlocked"


def required(user) -> bool:
    """Does the user's role oblige them to use a second factor?"""
    roles = set(settings.OTP_REQUIRED_ROLES)
    if not roles:
        return False
    if "staff" in roles and user.is_staff:
        return True
    return any(m.role in roles for m in jurisdiction.memberships_of(user))


def devices(user):
    return TOTPDevice.objects.devices_for_user(user, confirmed=True)


def needs_second_factor(user) -> bool:
    return required(user) or devices(user).exists()


def backup_device(user) -> StaticDevice | None:
    return StaticDevice.objects.filter(user=user, name=BACKUP_NAME, confirmed=True).first()


def backup_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__name=BACKUP_NAME, device__confirmed=True).count()


def new_backup_codes(user) -> list[str]:
    """Ten new backup codes, each good for one login instead of the app's code; the old ones end.
    Shown once (django-otp keeps them to compare, as it keeps the TOTP key)."""
    with transaction.atomic():
        StaticDevice.objects.filter(user=user).delete()
        device = StaticDevice.objects.create(user=user, name=BACKUP_NAME, confirmed=True)
        codes = [StaticToken.random_token() for _i in range(BACKUP_CODES)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


def check_code(user, code: str) -> tuple[TOTPDevice | StaticDevice | None, datetime | None]:
    """The confirmed device that accepts the code; else None and, if wrong codes have throttled
    every device, when the next try is allowed. A code is accepted once (django-otp keeps the last
    time step used; a backup code is deleted when used)."""
    retry_at = None
    if len(code) != 6:
        return _check_backup(user, code.lower())
    for device in devices(user):
        allowed, info = device.verify_is_allowed()
        if not allowed:
            retry_at = info.get("locked_until")
            continue
        verified = django_otp.verify_token(user, device.persistent_id, code)
        if verified:
            return verified, None
    return None, retry_at


def _check_backup(user, code: str) -> tuple[StaticDevice | None, datetime | None]:
    device = backup_device(user)
    if device is None or not devices(user).exists():
        return None, None
    allowed, info = device.verify_is_allowed()
    if not allowed:
        return None, info.get("locked_until")
    return django_otp.verify_token(user, device.persistent_id, code), None


def refusal(retry_at: datetime | None) -> str:
    """Why a code was not accepted, for the user."""
    if retry_at:
        return _("Too many wrong codes: try again after %(time)s.") % {
            "time": date_format(localtime(retry_at), "H:i:s")
        }
    return _("This code is not right, or was already used. Wait for the next one.")


def enrolment_device(user) -> TOTPDevice:
    """The device being enrolled: the same secret until it is confirmed, however often the page is shown."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name="TOTP", confirmed=False)


def confirm(device: TOTPDevice, code: str) -> bool:
    """Confirm the enrolled device with a code from the app; the only device of the user from then on."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        if not device.verify_token(code):
            return False
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user_id=device.user_id).exclude(pk=device.pk).delete()
    return True


def turn_off(user) -> None:
    """Remove the authenticator app and the backup codes."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()


def start(request, user, next_url: str) -> None:
    """The password was right: wait for the code before logging in."""
    request.session.cycle_key()
    request.session[PENDING] = {"user": user.pk, "backend": user.backend, "at": time.time(), "next": next_url}


def pending_user(request):
    data = request.session.get(PENDING)
    if not data or time.time() - data["at"] > settings.OTP_PENDING_SECONDS:
        return None
    return get_user_model().objects.filter(pk=data["user"], is_active=True).first()


def subject(request):
    """Who is to give a code: the logged-in user, or the one half-way through logging in."""
    return request.user if request.user.is_authenticated else pending_user(request)


def complete(request, user, device) -> str | None:
    """The code was right: log the pending user in, and mark the session as verified by the device.

    Returns where the login was going, if it was one."""
    data = request.session.pop(PENDING, None)
    if not request.user.is_authenticated:
        auth_login(request, user, backend=data["backend"])
    django_otp.login(request, device)
    return data["next"] if data else None


class RequiredSecondFactorMiddleware(MiddlewareMixin):
    """A session of a user whose role requires the second factor reaches only the code pages
    until it has passed it; the API answers 403 with a code."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or not required(user) or user.is_verified():
            return None
        if request.resolver_match.url_name in OPEN_URL_NAMES:
            return None
        if request.path.startswith("/api/"):
            return JsonResponse(
                {
                    "detail": _("Your role requires two-factor authentication: log in again with your code."),
                    "code": Refusal.OTP_REQUIRED,
                },
                status=403,
            )
        return redirect_to_login(request.get_full_path(), reverse("otp-verify"))
