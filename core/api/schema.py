"""OpenAPI of API v1: every operation documents the errors of DESIGN §4 it can answer.

The errors every view shares follow from the view itself (authentication → 401, permissions → 403,
a body or a control character in the path or query → 400, a path id or a cursor → 404, an action →
409); a view adds the ones only it has with `errors(...)` in its `extend_schema(responses=...)`.
"""

from collections.abc import Callable
from typing import Any, TypeVar

from drf_spectacular import openapi
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    Direction,
    OpenApiExample,
    OpenApiResponse,
    extend_schema_serializer,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import AllowAny

from core.errors import Code

CONFLICT_CODES = [code.value for code in Code]

SerializerClass = TypeVar("SerializerClass", bound=type[serializers.Serializer[Any]])


class ErrorOutput(serializers.Serializer[Any]):
    detail = serializers.CharField()


class ConflictOutput(ErrorOutput):
    code = serializers.ChoiceField(choices=CONFLICT_CODES)


ERRORS = {
    400: OpenApiResponse(
        OpenApiTypes.OBJECT,
        "Invalid input: {field: [message, …]}, nested as the input is; any operation answers it for a control "
        "character in its path or query string.",
    ),
    401: OpenApiResponse(ErrorOutput, "Not authenticated, or the credentials are invalid."),
    403: OpenApiResponse(ErrorOutput, "Visible, but not allowed to the caller."),
    404: OpenApiResponse(ErrorOutput, "Not visible to the caller, or not found (also a stale or invalid cursor)."),
    409: OpenApiResponse(ConflictOutput, "Understood and allowed, but the record's state forbids it now."),
}


def errors(*status_codes: int) -> dict[int, OpenApiResponse]:
    """The documented error answers with these codes, for a view's `extend_schema(responses=...)`."""
    return {code: ERRORS[code] for code in status_codes}


def example(value: dict[str, Any]) -> Callable[[SerializerClass], SerializerClass]:
    """A request body as DESIGN §4 shows it: in the API docs, and the first case the fuzzer sends."""
    return extend_schema_serializer(examples=[OpenApiExample("example", value=value, request_only=True)])


def results_of(
    serializer_class: type[serializers.Serializer[Any]],
    name: str,
    **extra_fields: serializers.Field[Any, Any, Any, Any],
) -> serializers.Serializer[Any]:
    """The list envelope of DESIGN §4, for a view that builds it by hand: one page, no links."""
    return inline_serializer(
        name=name,
        fields={
            **extra_fields,
            "results": serializer_class(many=True),
            "next": serializers.CharField(allow_null=True),
            "previous": serializers.CharField(allow_null=True),
        },
    )


class AutoSchema(openapi.AutoSchema):
    def _get_response_bodies(self, direction: Direction = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        for code in self._shared_errors():
            responses.setdefault(
                str(code),
                # drf-spectacular leaves its AutoSchema hooks unannotated.
                self._get_response_for_code(  # type: ignore[no-untyped-call]
                    ERRORS[code], str(code), ["application/json"], direction=direction
                ),
            )
        return responses

    def _shared_errors(self) -> list[int]:
        view, shared = self.view, []
        shared.append(400)  # a body's fields, malformed JSON, a control character in the path or query
        if view.get_authenticators():
            shared.append(401)  # also a bad token sent to an open view
        if not all(isinstance(p, AllowAny) for p in view.get_permissions()):
            shared.append(403)
        if "{" in self.path or (
            self.method == "GET" and isinstance(self._get_paginator(), CursorPagination)  # type: ignore[no-untyped-call]  # unannotated upstream
        ):
            shared.append(404)
        if "/actions/" in self.path:
            shared.append(409)
        return shared
