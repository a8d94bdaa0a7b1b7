"""WebSocket authentication and origin checks.

Browsers authenticate with their session and must come from an allowed origin: the page's own
(the Host the socket connected to, same scheme and port) or one of WEBSOCKET_ALLOWED_ORIGINS;
scheme, host and port are all compared, so a page on another port of the same host is foreign.
API clients authenticate with ?token= (django-rest-knox's, hashed at rest); a client that sends
no Origin header at all is not a browser and is accepted with a token only.

The two-factor policy applies here as on the API: a token issued without the second factor, or a
session that has not passed it, is refused (close code 4403) when the user's role requires it.
"""

from urllib.parse import parse_qs, urlsplit

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http.request import split_domain_port, validate_host
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.models import Device

from accounts import otp, tokens
from core.errors import Refusal

DEFAULT_PORTS = {"http": 80, "https": 443}


def _origin(value: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of an origin, the port made explicit; None if it is not one."""
    try:
        parts = urlsplit(value.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    return parts.scheme, parts.hostname.lower(), port or DEFAULT_PORTS[parts.scheme]


def _header(scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return value.decode("latin1")
    return None


def origin_allowed(scope) -> bool:
    origin = _origin(_header(scope, b"origin") or "")
    if origin is None:
        return False
    if origin in {_origin(o) for o in settings.WEBSOCKET_ALLOWED_ORIGINS}:
        return True
    # Same origin: the Host the socket was opened on (one of ALLOWED_HOSTS), with its scheme.
    host = _header(scope, b"host")
    if not host:
        return False
    domain, _port = split_domain_port(host)
    if not domain or not validate_host(domain, settings.ALLOWED_HOSTS):
        return False
    scheme = "https" if scope.get("scheme") in ("wss", "https") else "http"
    return origin == _origin(f"{scheme}://{host}")


class OriginValidator:
    """Refuses (before the consumer: close 1000 at the handshake) a socket from a foreign origin."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "websocket" and not origin_allowed(scope):
            return await WebsocketDenier()(scope, receive, send)
        return await self.app(scope, receive, send)


@database_sync_to_async
def _authenticate_token(key: str):
    return tokens.user_for_key(key)


@database_sync_to_async
def _session_refusal(user, session) -> str | None:
    """The two-factor policy for a session: a required role must have passed it in this session."""
    if not user.is_authenticated or not otp.required(user):
        return None
    device = Device.from_persistent_id(session.get(DEVICE_ID_SESSION_KEY) or "") if session is not None else None
    if device is not None and device.user_id == user.pk:
        return None
    return Refusal.OTP_REQUIRED


class TokenAuthMiddleware:
    """?token=<key> authenticates; a bad token is refused outright (never falls back to the session).

    The scope gets `auth_token` (the knox token, for its group and expiry) or, with a session,
    `auth_session_key`; `auth_refusal` says why a credential was refused."""

    def __init__(self, app, *, session_fallback: bool):
        self.app = app
        self.session_fallback = session_fallback

    async def __call__(self, scope, receive, send):
        query = parse_qs(scope.get("query_string", b"").decode("latin1"))
        if "token" in query:
            user, token, refusal = await _authenticate_token(query["token"][0][:100])
            scope = dict(scope, user=user or AnonymousUser(), auth_token=token, auth_refusal=refusal)
        elif not self.session_fallback:
            scope = dict(scope, user=AnonymousUser())
        else:
            session = scope.get("session")
            refusal = await _session_refusal(scope["user"], session)
            if refusal:
                scope = dict(scope, user=AnonymousUser(), auth_refusal=refusal)
            else:
                scope = dict(scope, auth_session_key=session.session_key if session is not None else None)
        return await self.app(scope, receive, send)


class OriginAwareAuth:
    def __init__(self, app):
        self.browser = OriginValidator(AuthMiddlewareStack(TokenAuthMiddleware(app, session_fallback=True)))
        self.client = TokenAuthMiddleware(app, session_fallback=False)

    async def __call__(self, scope, receive, send):
        has_origin = any(name == b"origin" for name, _value in scope.get("headers", []))
        return await (self.browser if has_origin else self.client)(scope, receive, send)
