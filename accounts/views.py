"""The account pages: login with the second factor, TOTP enrolment, the user's security page."""

from base64 import b32encode

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from rest_framework.authtoken.models import Token
from viewflow.contrib.auth import AuthenticationForm

from agencies import jurisdiction

from . import otp


class CodeForm(forms.Form):
    code = forms.RegexField(
        label=gettext_lazy("Code"),
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": gettext_lazy("Enter the 6 digits your authenticator app shows.")},
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocomplete": "one-time-code", "inputmode": "numeric", "leading-icon": "pin"}
        ),
    )

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip()


def safe_next(request, url: str | None) -> str:
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return settings.LOGIN_REDIRECT_URL


class LoginView(auth_views.LoginView):
    """Django's login; a user who needs a second factor goes on to the code page instead of in."""

    form_class = AuthenticationForm

    def form_valid(self, form):
        user = form.get_user()
        if otp.needs_second_factor(user):
            otp.start(self.request, user, self.get_success_url())
            return redirect("otp-verify")
        return super().form_valid(form)


def otp_verify(request):
    user = otp.subject(request)
    if user is None:
        messages.error(request, _("Your login took too long: enter your password again."))
        return redirect("login")
    if not otp.devices(user).exists():
        return redirect(f"{reverse('otp-setup')}?{request.GET.urlencode()}")
    form = CodeForm(request.POST or None)
    if form.is_valid():
        device, retry_at = otp.check_code(user, form.cleaned_data["code"])
        if device:
            return redirect(safe_next(request, otp.complete(request, user, device) or request.GET.get("next")))
        form.add_error("code", otp.refusal(retry_at))
    return render(request, "accounts/otp_verify.html", {"form": form, "subject": user})


def otp_setup(request):
    """Enrol an authenticator app: scan the QR code (or type the secret), confirm with a code."""
    user = otp.subject(request)
    if user is None:
        return redirect("login")
    if otp.devices(user).exists():
        messages.info(request, _("Two-factor authentication is already on for your account."))
        return redirect("profile" if request.user.is_authenticated else "otp-verify")
    device = otp.enrolment_device(user)
    form = CodeForm(request.POST or None)
    if form.is_valid():
        if otp.confirm(device, form.cleaned_data["code"]):
            device.refresh_from_db()
            target = otp.complete(request, user, device) or request.GET.get("next")
            messages.success(
                request, _("Two-factor authentication is on: you will be asked for a code at every login.")
            )
            return redirect(safe_next(request, target) if target else "profile")
        form.add_error("code", otp.refusal(None))
    secret = b32encode(device.bin_key).decode()
    context = {
        "form": form,
        "subject": user,
        "qr_svg": segno.make(device.config_url, error="m").svg_inline(
            scale=4, light="#fff", title=_("QR code for the authenticator app")
        ),
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "required": otp.required(user),
    }
    return render(request, "accounts/otp_setup.html", context)


@login_required
@require_POST
def otp_disable(request):
    user = request.user
    if otp.required(user):
        messages.error(request, _("Your role requires two-factor authentication: it cannot be turned off."))
        return redirect("profile")
    form = CodeForm(request.POST)
    if form.is_valid():
        device, retry_at = otp.check_code(user, form.cleaned_data["code"])
        if device:
            otp.devices(user).delete()
            messages.success(request, _("Two-factor authentication is off."))
            return redirect("profile")
        form.add_error("code", otp.refusal(retry_at))
    messages.error(request, " ".join(str(m) for m in form.errors["code"]))
    return redirect("profile")


@login_required
def account(request):
    """The user's own page: who they are, their password, second factor and API token."""
    user = request.user
    context = {
        "memberships": jurisdiction.memberships_of(user),
        "device": otp.devices(user).first(),
        "otp_required": otp.required(user),
        "token": Token.objects.filter(user=user).first(),
    }
    return render(request, "accounts/account.html", context)


@login_required
@require_POST
def token_revoke(request):
    deleted, _rows = Token.objects.filter(user=request.user).delete()
    if deleted:
        messages.success(request, _("Your API token is revoked: programs that used it must log in again."))
    return redirect("profile")
