"""A page asked for while the database is out of reach gets 503 and a page that says to retry; a
request that carries control characters gets 400 before anything reads it.

The API answers the same case with 503 JSON (core.api.errors); this is its counterpart for the
pages. The page is rendered without the request's context: its context processors would ask the
database again.
"""

import logging
import unicodedata

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from core.api.errors import RETRY_AFTER_SECONDS

logger = logging.getLogger(__name__)


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.warning("Database unavailable during %s %s", request.method, request.path, exc_info=exception)
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response


# Control characters (Unicode category Cc). A form's text may hold line breaks and tabs; nothing a
# person types holds the others, and PostgreSQL refuses NUL in text outright.
_LINE_BREAKS = frozenset("\t\n\r")


def _control(text: str, allowed: frozenset[str] = frozenset()) -> bool:
    return any(unicodedata.category(ch) == "Cc" and ch not in allowed for ch in text)


class ControlCharacterMiddleware:
    """A control character in the path or a query parameter (or a NUL or another control character
    but a line break in a web form's field) is refused with 400 that names the field, before any
    view or the database sees it. The API's JSON and form bodies are checked by its serializers."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        field = self._offending(request)
        if field is None:
            return self.get_response(request)
        message = _("Control characters are not allowed here: remove them and try again.")
        if request.path_info.startswith("/api/"):
            return JsonResponse({field: [message]}, status=400)
        return HttpResponseBadRequest(
            render_to_string("400.html", {"message": message, "field": field}), content_type="text/html"
        )

    @staticmethod
    def _offending(request) -> str | None:
        if _control(request.path_info):
            return "path"
        for key, values in request.GET.lists():
            if _control(key) or any(_control(v) for v in values):
                return key if not _control(key) else "query"
        if request.method == "POST" and not request.path_info.startswith("/api/"):
            kind = request.content_type or ""
            if kind in ("application/x-www-form-urlencoded", "multipart/form-data"):
                for key, values in request.POST.lists():
                    if _control(key) or any(_control(v, _LINE_BREAKS) for v in values):
                        return key if not _control(key) else "form"
        return None
