"""What a locked-out login sees (django-axes), on the web and on the API, and whose address counts."""

from datetime import datetime

from axes.helpers import get_client_ip_address, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from viewflow.contrib.auth import AuthenticationForm

from core.errors import Refusal


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or the entry TRUSTED_PROXY_COUNT proxies added to X-Forwarded-For.

    Only addresses written by our own proxies are trusted: a client may send any X-Forwarded-For,
    so the address is counted from the right, never taken from the left.
    """
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
    if proxies and len(forwarded) >= proxies:
        return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR")


def retry_at(request) -> datetime:
    """When the username axes counted may try again from this address: its last failure plus the cool-off."""
    username = (getattr(request, "axes_credentials", None) or {}).get("username")
    last = AccessAttempt.objects.filter(username=username, ip_address=get_client_ip_address(request)).aggregate(
        last=Max("attempt_time")
    )["last"]
    return (last or timezone.now()) + get_cool_off(request)


def lockout_message(when: datetime) -> str:
    return _(
        "Too many failed log-in attempts: this account is locked on this device until %(time)s. "
        "Try again after that time, or ask an administrator to unlock it."
    ) % {"time": date_format(timezone.localtime(when), "DATETIME_FORMAT")}


def lockout_json(request) -> JsonResponse:
    when = retry_at(request)
    wait = max(1, int((when - timezone.now()).total_seconds()))
    response = JsonResponse(
        {"detail": lockout_message(when), "code": Refusal.LOCKED_OUT, "retry_after": when.isoformat()},
        status=429,
    )
    response["Retry-After"] = str(wait)
    return response


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: 429 with the login page and the time to retry, or JSON on the API.

    django-axes passes the credentials in the second argument under ASGI and in the third under
    WSGI, so neither is read: the credentials it counted are also on the request.
    """
    if request.path.startswith("/api/"):
        return lockout_json(request)
    context = {
        "form": AuthenticationForm(request, initial={"username": request.POST.get("username")}),
        "lockout_message": lockout_message(retry_at(request)),
    }
    return render(request, "registration/login.html", context, status=429)
