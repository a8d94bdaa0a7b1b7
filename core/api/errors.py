"""API errors exactly as DESIGN §4: 400 per field, 401, 403, 404, 409 with a code; 503 with a
code when the database cannot be reached."""

import logging
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from ..errors import Conflict, Refusal
from ..identity import redact

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Every error body with ID numbers masked: DRF's messages quote the value that was sent."""
    response = _error_response(exc, context)
    if response is not None:
        response.data = redact(response.data)
    return response


def _error_response(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, Conflict):
        return Response({"detail": exc.detail, "code": exc.code, **exc.extra}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        body = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, OperationalError | InterfaceError):
        return database_unavailable(exc, context)
    return drf_exception_handler(exc, context)


def database_unavailable(exc: Exception, context: dict[str, Any]) -> Response:
    """The connection dropped or the server is out of reach. Every action is one transaction,
    which the database rolls back when it loses the connection before the commit, so nothing is
    half written; Django drops the broken connection, so the retry gets a fresh one. (Should the
    answer to a commit be what was lost, a retry that sends `version` gets 409 `stale`, never
    the action twice.)"""
    request = context.get("request")
    logger.warning(
        "Database unavailable during %s %s", request and request.method, request and request.path, exc_info=exc
    )
    set_rollback()  # the request's own transaction, if ATOMIC_REQUESTS is ever turned on
    return Response(
        {
            "detail": _(
                "The database could not be reached, so the request was not completed. Please try again in a few seconds."
            ),
            "code": Refusal.DATABASE_UNAVAILABLE,
        },
        status=status.HTTP_503_SERVICE_UNAVAILABLE,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )
