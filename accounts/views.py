"""The account pages: login with the second factor (or a backup code), TOTP enrolment (after an
administrator's enrolment code, for a role that requires it), the user's security page."""

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
from knox.models import AuthToken as KnoxToken
from viewflow.contrib.auth import AuthenticationForm

from agencies import jurisdiction

from . import enrolment, otp
from .api import live_tokens
from .landing import start_page


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


class VerifyForm(CodeForm):
    """The code of the app, or one of the backup codes."""

    code = forms.RegexField(
        label=gettext_lazy("Code"),
        regex=otp.CODE_PATTERN,
        error_messages={
            "invalid": gettext_lazy("Enter the 6 digits your authenticator app shows, or one of your backup codes.")
        },
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "one-time-code", "leading-icon": "pin"}),
    )


class EnrolmentCodeForm(forms.Form):
    enrolment_code = forms.CharField(
        label=gettext_lazy("Enrolment code"),
        max_length=20,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off", "leading-icon": "key"}),
    )


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
    form = VerifyForm(request.POST or None)
    if form.is_valid():
        device, retry_at = otp.check_code(user, form.cleaned_data["code"])
        if device:
            if device.name == otp.BACKUP_NAME:
                messages.warning(
                    request,
                    _("You logged in with a backup code; %(count)s are left.") % {"count": otp.backup_codes_left(user)},
                )
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
    if enrolment.needed(request, user):
        return _enrolment_code(request, user)
    device = otp.enrolment_device(user)
    form = CodeForm(request.POST or None)
    if form.is_valid():
        if otp.confirm(device, form.cleaned_data["code"]):
            device.refresh_from_db()
            request.session.pop(otp.ENROLMENT_UNLOCKED, None)
            target = otp.complete(request, user, device) or request.GET.get("next")
            context = {
                "subject": user,
                "codes": otp.new_backup_codes(user),
                "next": safe_next(request, target) if target else reverse("profile"),
            }
            return render(request, "accounts/otp_backup_codes.html", context)
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


def _enrolment_code(request, user):
    """Before the secret of a required role's first device: the administrator's enrolment code."""
    form = EnrolmentCodeForm(request.POST or None)
    if form.is_valid():
        if enrolment.redeem(request, user, form.cleaned_data["enrolment_code"]):
            return redirect(request.get_full_path())
        form.add_error(
            "enrolment_code",
            _("This enrolment code is not right, has expired or was already used. Ask an administrator for a new one."),
        )
    return render(request, "accounts/otp_enrolment_code.html", {"form": form, "subject": user})


@login_required
@require_POST
def otp_disable(request):
    user = request.user
    if otp.required(user):
        messages.error(request, _("Your role requires two-factor authentication: it cannot be turned off."))
        return redirect("profile")
    form = VerifyForm(request.POST)
    if form.is_valid():
        device, retry_at = otp.check_code(user, form.cleaned_data["code"])
        if device:
            otp.turn_off(user)
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
        "tokens": list(live_tokens(user)),
        "backup_codes_left": otp.backup_codes_left(user),
    }
    return render(request, "accounts/account.html", context)


@login_required
@require_POST
def token_revoke(request):
    deleted, _rows = KnoxToken.objects.filter(user=request.user).delete()
    if deleted:
        messages.success(request, _("Your API token is revoked: programs that used it must log in again."))
    return redirect("profile")


def home(request):
    """`/`: each user's own start page (accounts.landing), the login page for a visitor."""
    return redirect(start_page(request.user))
