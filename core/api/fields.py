"""Input fields for the identifiers of LEGAL.md §5: the same rule (core.identity) on every path
that takes one, with the validator's message as the field's message."""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from core.identity import normalize_credit_code, normalize_id_number


def django_to_drf(validator: Callable[[str], str]) -> Callable[[str], str]:
    def run(value: str) -> str:
        try:
            return validator(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None

    return run


class _Identifier(serializers.CharField):
    normalize: Callable[[str], str]

    def __init__(self, **kwargs: Any) -> None:
        # Room for what people paste (spaces, full-width characters): the rule decides, with its message.
        super().__init__(max_length=64, **kwargs)

    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data)
        if value == "" and self.allow_blank:
            return value
        return django_to_drf(type(self).normalize)(value)


class IdNumberField(_Identifier):
    normalize = staticmethod(normalize_id_number)


class CreditCodeField(_Identifier):
    normalize = staticmethod(normalize_credit_code)
