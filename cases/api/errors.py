"""API errors exactly as DESIGN §4: 400 per field, 401, 403, 404, 409 with a code."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from ..errors import Conflict


def exception_handler(exc, context):
    if isinstance(exc, Conflict):
        return Response({"detail": exc.detail, "code": exc.code, **exc.extra}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        body = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    return drf_exception_handler(exc, context)
