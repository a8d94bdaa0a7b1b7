"""Password strength beyond Django's validators: the mix of characters that 等级保护 rules ask for."""

import unicodedata

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


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
