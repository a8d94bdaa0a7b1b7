"""What a locked-out login sees (django-axes), on the web and on the API, whose address counts, and
the ceiling of failures per account across addresses."""

import ipaddress
from datetime import datetime

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_ip_address, get_client_username, get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, Sum
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from viewflow.contrib.auth import AuthenticationForm

from core import ratelimit
from core.errors import Refusal


def client_ip(request) -> str | None:
    """AXES_CLIENT_IP_CALLABLE: the one client-address rule of core.ratelimit (proxies counted from
    the right, an IPv6 client by its /64), so the lock-out and every limit count the same client.
    None when there is no address to speak of (none given, or not an address): axes then counts the
    username alone, and nothing that is not an address reaches its `inet` column on PostgreSQL."""
    key = ratelimit.client_address(request)
    try:
        ipaddress.ip_network(key, strict=False)
    except ValueError:
        return None
    return key


class AccountCeilingHandler(AxesDatabaseHandler):
    """AXES_HANDLER: django-axes' database handler, and a ceiling per account across addresses.

    AXES_LOCKOUT_PARAMETERS locks one username from one address after AXES_FAILURE_LIMIT failures;
    an attacker with many addresses would get that many tries from each. So a username that failed
    AXES_ACCOUNT_FAILURE_LIMIT times from any addresses within the cool-off counts as locked out
    everywhere (axes compares one number with one limit: the ceiling reached reads as the limit).
    """

    def get_failures(self, request, credentials: dict | None = None) -> int:
        failures = super().get_failures(request, credentials)
        username = get_client_username(request, credentials)
        if username is not None and account_failures(request, username) >= settings.AXES_ACCOUNT_FAILURE_LIMIT:
            return max(failures, get_failure_limit(request, credentials))
        return failures


def _recent(request, **lookups):
    """The username's failure records still inside the cool-off (as axes counts them)."""
    since = (getattr(request, "axes_attempt_time", None) or timezone.now()) - get_cool_off(request)
    return AccessAttempt.objects.filter(attempt_time__gte=since, **lookups)


def account_failures(request, username: str) -> int:
    """Failures of the username from every address within the cool-off."""
    return _recent(request, username=username).aggregate(n=Sum("failures_since_start"))["n"] or 0


def lock_of(request) -> tuple[datetime, bool]:
    """When the username axes counted may try again from this address, and whether the whole account
    is locked (the ceiling) rather than this username from this address: the last failure that
    locked it plus the cool-off."""
    username = (getattr(request, "axes_credentials", None) or {}).get("username")
    cool_off = get_cool_off(request)
    pair = _recent(request, username=username, ip_address=get_client_ip_address(request)).aggregate(
        n=Sum("failures_since_start"), last=Max("attempt_time")
    )
    account = _recent(request, username=username).aggregate(n=Sum("failures_since_start"), last=Max("attempt_time"))
    until_pair = until_account = None
    if pair["last"] and (pair["n"] or 0) >= get_failure_limit(request, None):
        until_pair = pair["last"] + cool_off
    if account["last"] and (account["n"] or 0) >= settings.AXES_ACCOUNT_FAILURE_LIMIT:
        until_account = account["last"] + cool_off
    if until_account and (until_pair is None or until_account > until_pair):
        return until_account, True
    return until_pair or timezone.now() + cool_off, False


def retry_at(request) -> datetime:
    """When the username axes counted may try again from this address."""
    return lock_of(request)[0]


def lockout_message(when: datetime, account: bool = False) -> str:
    at = {"time": date_format(timezone.localtime(when), "DATETIME_FORMAT")}
    if account:
        return (
            _(
                "Too many failed log-in attempts for this account from several places: it is locked everywhere "
                "until %(time)s. Try again after that time, or ask an administrator to unlock it."
            )
            % at
        )
    return (
        _(
            "Too many failed log-in attempts: this account is locked on this device until %(time)s. "
            "Try again after that time, or ask an administrator to unlock it."
        )
        % at
    )


def lockout_json(request) -> JsonResponse:
    when, account = lock_of(request)
    wait = max(1, int((when - timezone.now()).total_seconds()))
    response = JsonResponse(
        {"detail": lockout_message(when, account), "code": Refusal.LOCKED_OUT, "retry_after": when.isoformat()},
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
        "lockout_message": lockout_message(*lock_of(request)),
    }
    return render(request, "registration/login.html", context, status=429)
