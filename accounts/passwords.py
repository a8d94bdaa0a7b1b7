"""Password strength beyond Django's validators (the mix of characters that 等级保护 rules ask for),
and the password-reset request: its link on the configured site URL, its rate limit."""

import hashlib
import unicodedata
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import password_validation, views
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.utils.translation import gettext as _

from core import ratelimit


def character_classes(password: str) -> set[str]:
    """Which of lower-case, upper-case, digits and other characters (symbols, Chinese) the password uses."""
    classes = set()
    for char in password:
        if char.isdigit():
            classes.add("digit")
        elif unicodedata.category(char) == "Ll":
            classes.add("lower")
        elif unicodedata.category(char) == "Lu":
            classes.add("upper")
        elif not char.isspace():
            classes.add("other")
    return classes


class CharacterClassesValidator:
    """At least `min_classes` of: lower-case letters, upper-case letters, digits, other characters."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        if len(character_classes(password)) < self.min_classes:
            raise ValidationError(
                _(
                    "This password mixes too few kinds of characters: use at least %(min)d of lower-case "
                    "letters, upper-case letters, digits and other characters."
                ),
                code="password_too_simple",
                params={"min": self.min_classes},
            )

    def get_help_text(self) -> str:
        return _(
            "Your password must mix at least %(min)d of: lower-case letters, upper-case letters, digits, other characters."
        ) % {"min": self.min_classes}


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's, with a message in our catalog: Django 5.2 changed its own, which its Chinese lacks."""

    def get_error_message(self):
        return _("This password is too short: it must have at least %(min_length)d characters.")


# --- Password reset -----------------------------------------------------------------------------
# The link in the mail points at SITE_URL, never at the Host the request named (which anyone can
# set), and requests are limited per client address and per e-mail address: over the limit the
# page says so and nothing is sent. The page answers alike whether or not an account has the address.


def site_url() -> tuple[str, str]:
    """(scheme, host[:port]) of settings.SITE_URL, the address the site is reached at."""
    parts = urlsplit(settings.SITE_URL)
    return parts.scheme, parts.netloc


def _email_key(email: str) -> str:
    """The e-mail address as a rate-limit key: case-folded and hashed, so no address sits in the cache."""
    return hashlib.sha256(email.strip().casefold().encode()).hexdigest()[:32]


class PasswordResetView(views.PasswordResetView):
    window = 3600

    def form_valid(self, form):
        limit = settings.PASSWORD_RESETS_PER_HOUR
        email = form.cleaned_data["email"]
        if not (
            ratelimit.allow("password-reset", ratelimit.client_address(self.request), limit, self.window)
            and ratelimit.allow("password-reset-email", _email_key(email), limit, self.window)
        ):
            return self.limited(form, limit)
        scheme, host = site_url()
        form.save(
            domain_override=host,
            use_https=scheme == "https",
            token_generator=self.token_generator,
            from_email=self.from_email,
            email_template_name=self.email_template_name,
            subject_template_name=self.subject_template_name,
            request=self.request,
            html_email_template_name=self.html_email_template_name,
            extra_email_context={**(self.extra_email_context or {}), "protocol": scheme, "domain": host},
        )
        return HttpResponseRedirect(self.get_success_url())

    def limited(self, form, limit: int):
        context = self.get_context_data(form=form)
        context["limit_message"] = _(
            "Too many password reset requests: at most %(limit)d an hour from one address or for one "
            "e-mail address. No e-mail was sent; try again later."
        ) % {"limit": limit}
        response = self.render_to_response(context, status=429)
        response["Retry-After"] = str(self.window)
        return response
