"""One-time enrolment codes (issue 17 §13): a user whom OTP_REQUIRED_ROLES obliges to use
two-factor authentication, and who has no device yet, sees the TOTP secret only after entering a
code an administrator issued, so a stolen password alone cannot enrol the thief's phone.

A code is 12 characters of base32 (60 bits), shown once, kept as its SHA-256, valid for
OTP_ENROLMENT_CODE_HOURS and for MAX_FAILURES wrong tries; issuing one voids the user's earlier ones.
"""

import hashlib
import secrets
import time
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import otp
from .models import EnrolmentCode

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no I, O, 0, 1
LENGTH = 12
MAX_FAILURES = 5


def _digest(code: str) -> str:
    return hashlib.sha256(normalise(code).encode()).hexdigest()


def normalise(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def issue(user, *, by=None, hours: int | None = None) -> tuple[EnrolmentCode, str]:
    """A new code for the user (the row, and the code to give them once); their older codes end."""
    hours = settings.OTP_ENROLMENT_CODE_HOURS if hours is None else hours
    code = "".join(secrets.choice(ALPHABET) for _i in range(LENGTH))
    now = timezone.now()
    with transaction.atomic():
        EnrolmentCode.objects.filter(user=user, used_at__isnull=True).update(used_at=now)
        row = EnrolmentCode.objects.create(
            user=user, digest=_digest(code), created_by=by, expires_at=now + timedelta(hours=hours)
        )
    return row, "-".join(code[i : i + 4] for i in range(0, LENGTH, 4))


def needed(request, user) -> bool:
    """Must this user give an enrolment code before the TOTP secret is shown?"""
    if not otp.required(user) or otp.devices(user).exists():
        return False
    return request.session.get(otp.ENROLMENT_UNLOCKED) != user.pk


def redeem(request, user, code: str) -> bool:
    """Check the code; a right one is used up and unlocks enrolment for this session."""
    now = timezone.now()
    with transaction.atomic():
        row = (
            EnrolmentCode.objects.select_for_update()
            .filter(user=user, used_at__isnull=True, expires_at__gt=now, failures__lt=MAX_FAILURES)
            .order_by("-created_at")
            .first()
        )
        if row is None:
            return False
        if not secrets.compare_digest(row.digest, _digest(code)):
            EnrolmentCode.objects.filter(pk=row.pk).update(failures=F("failures") + 1)
            return False
        row.used_at = now
        row.save(update_fields=["used_at"])
        # A secret shown before (an unconfirmed device) is not reused: the app gets a fresh one.
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    request.session[otp.ENROLMENT_UNLOCKED] = user.pk
    pending = request.session.get(otp.PENDING)
    if pending:  # the time to scan and confirm starts again
        request.session[otp.PENDING] = {**pending, "at": time.time()}
    return True
