"""Query parameters of the API: each view names its parameters once, as a serializer, which both
documents them (drf-spectacular turns its fields into query parameters: an enum, a boolean) and
checks them — a value outside what is documented is answered 400 naming the field, never ignored
(DESIGN §4: bad input is 400 per field)."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.fields import empty
from rest_framework.request import Request

TRUE = ("true", "1")
FALSE = ("false", "0")


class QueryBoolean(serializers.BooleanField):
    """A boolean query parameter spelled as OpenAPI sends it (true/false; 1/0 accepted too)."""

    default_error_messages = {"invalid": _("Give true or false.")}
    default_empty_html = empty  # absent from the query: the default, not False

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("default", None)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> bool:
        text = str(data).strip().lower()
        if text in TRUE:
            return True
        if text in FALSE:
            return False
        self.fail("invalid")
        raise AssertionError  # fail() raises


def query(serializer_class: type[serializers.Serializer[Any]], request: Request) -> dict[str, Any]:
    """The request's query parameters checked by `serializer_class`: 400 {field: [message]} otherwise."""
    # A plain dict (the last value of each name), not the QueryDict: DRF reads a QueryDict as an
    # HTML form, where an empty optional value counts as absent — `?status=` would list everything.
    checked = serializer_class(data=request.query_params.dict())
    checked.is_valid(raise_exception=True)
    return dict(checked.validated_data)
