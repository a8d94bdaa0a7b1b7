"""Issue 17 §7: an anonymous 60 MB body was read whole before the rate limit answered 429. A body
over its endpoint's limit (settings.REQUEST_BODY_LIMITS) is now refused with 413 before anything
reads it: no view, no rate limit, no CSRF check or authentication runs, and the body is not read
(the request's input fails the test if it is read beyond what the limit allows)."""

import asyncio
import io
import json
from unittest import mock

import pytest
from django.conf import settings
from django.core.handlers.base import BaseHandler

from config.middleware import BodyLimitASGI, body_limit
from oversight.reports import SCAN_MAX_BYTES

pytestmark = pytest.mark.django_db

MB = 1024 * 1024
SIXTY_MB = 60 * MB


class Body(io.RawIOBase):
    """A request body of `size` bytes that fails the test if more than `allowed` bytes are read."""

    def __init__(self, size: int, allowed: int = 0):
        self.size, self.allowed, self.position = size, allowed, 0

    def readable(self):
        return True

    def read(self, n=-1):
        n = self.size - self.position if n is None or n < 0 else min(n, self.size - self.position)
        if self.position + n > self.allowed:
            raise AssertionError(f"the body was read beyond {self.allowed} bytes")
        self.position += n
        return b"x" * n

    def readline(self, limit=-1):
        return self.read(limit if limit and limit > 0 else 64 * 1024)


@pytest.fixture
def nothing_runs():
    """The rate limit and URL resolution (so: every view) are not reached."""
    with (
        mock.patch("core.ratelimit.allow", side_effect=AssertionError("rate limit ran")) as allow,
        mock.patch.object(BaseHandler, "resolve_request", side_effect=AssertionError("a view ran")) as resolve,
    ):
        yield
    assert not allow.called and not resolve.called


def _post(client, path, body, **headers):
    return client.post(
        path,
        b"",
        "application/octet-stream",
        CONTENT_TYPE="multipart/form-data; boundary=xyz",
        **{"wsgi.input": body},
        **headers,
    )


@pytest.mark.parametrize("path", ["/public/tip/", "/public/check/", "/api/v1/auth/token/", "/api/v1/cases/"])
def test_an_anonymous_60_mb_body_is_refused_unread(client, nothing_runs, path):
    body = Body(SIXTY_MB)
    r = _post(client, path, body, CONTENT_LENGTH=str(SIXTY_MB))
    assert r.status_code == 413
    assert body.position == 0
    if path.startswith("/api/"):
        assert r["Content-Type"] == "application/json"
        assert r.json()["code"] == "too_large" and r.json()["detail"]
    else:
        assert r["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("path", ["/public/tip/", "/api/v1/auth/token/"])
def test_a_chunked_60_mb_body_is_read_only_to_its_limit(client, nothing_runs, path):
    limit = body_limit(path)
    body = Body(SIXTY_MB, allowed=limit + 1)
    r = _post(
        client, path, body, CONTENT_LENGTH="", HTTP_TRANSFER_ENCODING="chunked", **{"wsgi.input_terminated": True}
    )
    assert r.status_code == 413
    assert body.position == limit + 1


def test_a_chunked_body_within_the_limit_reaches_the_view(client):
    data = json.dumps({"username": "guangzhou.officer1", "password": "wrong password"}).encode()
    r = client.post(
        "/api/v1/auth/token/",
        data=b"",
        content_type="application/octet-stream",
        CONTENT_TYPE="application/json",
        CONTENT_LENGTH="",
        HTTP_TRANSFER_ENCODING="chunked",
        **{"wsgi.input": io.BytesIO(data), "wsgi.input_terminated": True},
    )
    # The view read the body: it answers for these credentials (refused), not for an empty body.
    assert r.status_code == 400, r.content
    assert "username" not in r.json() and "password" not in r.json()


def test_a_body_within_its_endpoint_limit_is_not_refused(api):
    # 2 MB is over the default 1 MB of a JSON call, within the 4 MB of a verification batch.
    items = [{"number": f"T{i:017d}", "name": "张三"} for i in range(2 * MB // 40)]
    body = json.dumps({"items": items})
    assert MB < len(body) < 4 * MB
    r = api("guangzhou.officer1").post("/api/v1/cases/", body, content_type="application/json")
    assert r.status_code == 413
    r = api("guangzhou.officer1").post("/api/v1/certificates/verify/", body, content_type="application/json")
    assert r.status_code != 413


def test_the_limits_fit_the_files_each_endpoint_takes():
    assert body_limit("/api/v1/cases/7/evidence/") > settings.EVIDENCE_MAX_BYTES
    assert body_limit("/cases/case/7/files/upload/") > settings.EVIDENCE_MAX_BYTES
    assert body_limit("/certificates/roster/") > settings.ROSTER_MAX_BYTES
    for path in ("/api/v1/reports/monthly/scan/", "/api/v1/reports/returns/", "/oversight/monthly/"):
        assert body_limit(path) > SCAN_MAX_BYTES, path
    assert body_limit("/public/tip/") < 11 * MB and body_limit("/public/check/") <= 64 * 1024
    assert body_limit("/api/v1/cases/") == settings.REQUEST_BODY_MAX_BYTES == MB
    # Django's own ceiling on a body read whole never refuses what the table lets through.
    assert body_limit("/api/v1/certificates/verify/") <= settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def _asgi(app, scope_headers, chunks):
    """Run BodyLimitASGI over `chunks` of body; returns (status, body, chunks pulled, app called)."""
    sent, pulled, called = [], [], []

    async def receive():
        pulled.append(1)
        more = len(pulled) < len(chunks)
        return {"type": "http.request", "body": chunks[len(pulled) - 1], "more_body": more}

    async def send(message):
        sent.append(message)

    async def inner(scope, receive, send):
        called.append(1)
        await app(scope, receive, send)

    scope = {"type": "http", "path": "/api/v1/auth/token/", "root_path": "", "headers": scope_headers}
    asyncio.run(BodyLimitASGI(inner)(scope, receive, send))
    status = next((m["status"] for m in sent if m["type"] == "http.response.start"), None)
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return status, body, len(pulled), bool(called)


def test_under_asgi_the_body_is_refused_before_django_reads_it():
    async def app(scope, receive, send):
        raise AssertionError("the application ran")

    chunk = b"x" * (64 * 1024)
    status, body, pulled, called = _asgi(app, [(b"content-length", str(SIXTY_MB).encode())], [chunk] * 960)
    assert (status, pulled, called) == (413, 0, False)
    assert json.loads(body)["code"] == "too_large"
    # Chunked: read up to the limit and one chunk more, never the 60 MB.
    status, body, pulled, called = _asgi(app, [(b"transfer-encoding", b"chunked")], [chunk] * 960)
    assert (status, called) == (413, False)
    assert pulled == settings.REQUEST_BODY_MAX_BYTES // len(chunk) + 1


def test_under_asgi_a_chunked_body_that_fits_is_replayed_whole():
    received = []

    async def app(scope, receive, send):
        while True:
            message = await receive()
            received.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    status, body, pulled, called = _asgi(app, [(b"transfer-encoding", b"chunked")], [b"ab", b"cd", b"ef"])
    assert (status, body, called) == (200, b"ok", True)
    assert b"".join(received) == b"abcdef"
