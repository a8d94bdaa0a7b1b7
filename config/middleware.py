"""A page asked for while the database is out of reach gets 503 and a page that says to retry; a
request that carries control characters gets 400 before anything reads it; a body over the limit
of its endpoint gets 413 before anything reads it.

The API answers the same case with 503 JSON (core.api.errors); this is its counterpart for the
pages. The page is rendered without the request's context: its context processors would ask the
database again.
"""

import asyncio
import io
import json
import logging
import re
import unicodedata
from functools import lru_cache

from django.conf import settings
from django.core.handlers.wsgi import LimitedStream, WSGIRequest
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string
from django.utils.html import escape
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


class NotFoundPageMiddleware:
    """A page a view does not find (Http404) answers with the site's own 404 page, in the user's
    language with a way back, with DEBUG on as off: `make run` serves DEBUG, and an officer
    following an old link must not meet Django's technical page (which lists every URL pattern).
    The API answers its JSON 404 as before."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # An address no pattern knows: with DEBUG, Django answers its technical page.
        if (
            settings.DEBUG
            and response.status_code == 404
            and not request.path.startswith("/api/")
            and response.get("Content-Type", "").startswith("text/html")
            and not getattr(response, "xj_not_found_page", False)
        ):
            return self._page(request)
        return response

    def process_exception(self, request, exception):
        if not isinstance(exception, Http404) or request.path.startswith("/api/"):
            return None
        return self._page(request)

    @staticmethod
    def _page(request):
        response = render(request, "404.html", status=404)
        response.xj_not_found_page = True  # type: ignore[attr-defined]
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


# --- Body limits (settings.REQUEST_BODY_LIMITS) ------------------------------------------------


@lru_cache(maxsize=8)
def _compiled(table: tuple[tuple[str, int], ...]) -> list[tuple[re.Pattern[str], int]]:
    return [(re.compile(pattern), limit) for pattern, limit in table]


def body_limit(path: str) -> int:
    """The largest body, in bytes, that a request to `path` may carry."""
    for pattern, limit in _compiled(tuple(tuple(row) for row in settings.REQUEST_BODY_LIMITS)):
        if pattern.search(path):
            return limit
    return int(settings.REQUEST_BODY_MAX_BYTES)


def too_large(path: str, limit: int) -> tuple[str, bytes]:
    """The 413 answer's content type and body: JSON on the API, a short page on the web."""
    message = _("The request is too large: at most %(size)s may be sent here.") % {"size": filesizeformat(limit)}
    if path.startswith("/api/"):
        return "application/json", json.dumps({"detail": message, "code": "too_large"}).encode()
    title = _("Request too large")
    page = (
        f'<!doctype html><html><head><meta charset="utf-8"><title>{escape(title)}</title></head>'
        f'<body><h1>{escape(title)}</h1><p>{escape(message)}</p><p><a href="/">{escape(_("Home"))}</a></p>'
        "</body></html>"
    )
    return "text/html; charset=utf-8", page.encode()


def _declared_length(raw: str | bytes | None) -> int | None:
    """Content-Length as a number; None when absent (or not a number, which servers refuse)."""
    try:
        return int(raw) if raw is not None and str(raw).strip() else None
    except ValueError:
        return None


def _chunked(value: str) -> bool:
    return "chunked" in value.lower()


class BodyLimitMiddleware:
    """413 for a body longer than its endpoint allows (settings.REQUEST_BODY_LIMITS), before any
    middleware or view reads it: a declared Content-Length is compared and nothing is read; a
    chunked body (no Content-Length) is read up to the limit and one byte more, and if it fits it
    is handed on as if its length had been declared.

    Under ASGI, Django's handler reads the whole body before any middleware runs: config.asgi
    wraps the application in BodyLimitASGI, which applies the same limits before that."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = body_limit(request.path_info)
        length = _declared_length(request.META.get("CONTENT_LENGTH"))
        if length is not None:
            if length > limit:
                return self._refuse(request, limit)
        elif _chunked(request.META.get("HTTP_TRANSFER_ENCODING", "")) and not self._chunked_fits(request, limit):
            return self._refuse(request, limit)
        return self.get_response(request)

    @staticmethod
    def _chunked_fits(request, limit: int) -> bool:
        if isinstance(request, WSGIRequest):
            # Only a server that ends the input at the body's end (gunicorn, mod_wsgi) passes a
            # chunked body at all; any other's Django reads as empty.
            if not request.environ.get("wsgi.input_terminated"):
                return True
            data = request.environ["wsgi.input"].read(limit + 1)
            if len(data) > limit:
                return False
            request._stream = LimitedStream(io.BytesIO(data), len(data))  # type: ignore[assignment]
            request.META["CONTENT_LENGTH"] = str(len(data))
            return True
        stream = getattr(request, "_stream", None)  # ASGI: the body, already spooled
        if stream is None or not stream.seekable():
            return True
        size = stream.seek(0, io.SEEK_END)
        stream.seek(0)
        return size <= limit

    @staticmethod
    def _refuse(request, limit: int) -> HttpResponse:
        content_type, body = too_large(request.path_info, limit)
        return HttpResponse(body, status=413, content_type=content_type)


class BodyLimitASGI:
    """The same limits in front of the ASGI application, before Django's handler reads the body:
    refused on a declared Content-Length without reading, or, chunked, after the limit and one byte."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path = scope["path"].removeprefix(scope.get("root_path", "")) or "/"
        limit = body_limit(path)
        headers = dict(scope.get("headers") or [])
        length = _declared_length((headers.get(b"content-length") or b"").decode("latin-1"))
        if length is not None:
            if length > limit:
                return await self._refuse(send, path, limit)
            return await self.app(scope, receive, send)
        # No length: read the body here, at most limit + 1 bytes, and replay what fits.
        messages, size = [], 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                messages.append(message)  # a disconnect: the application sees it
                break
            size += len(message.get("body", b""))
            if size > limit:
                return await self._refuse(send, path, limit)
            messages.append(message)
            if not message.get("more_body", False):
                break
        replay = iter(messages)

        async def replayed():
            return next(replay, None) or await receive()

        return await self.app(scope, replayed, send)

    @staticmethod
    async def _refuse(send, path: str, limit: int) -> None:
        content_type, body = too_large(path, limit)
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [(b"content-type", content_type.encode()), (b"content-length", str(len(body)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": body})


class RequestSlotsASGI:
    """At most settings.WEB_REQUEST_SLOTS HTTP requests of this process in Django at once; the
    others wait here, in order, costing a coroutine instead of a thread and a database connection.
    One semaphore per event loop (a process has one; the tests start several)."""

    def __init__(self, app):
        self.app = app
        self._slots: dict[asyncio.AbstractEventLoop, asyncio.Semaphore] = {}

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        loop = asyncio.get_running_loop()
        slots = self._slots.get(loop)
        if slots is None:
            slots = self._slots[loop] = asyncio.Semaphore(settings.WEB_REQUEST_SLOTS)
        async with slots:
            return await self.app(scope, receive, send)
