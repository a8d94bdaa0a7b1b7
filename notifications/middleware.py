"""WebSocket authentication and origin checks.

Browsers authenticate with their session and must come from one of ALLOWED_HOSTS (Origin
checked: a foreign page cannot ride on the cookie). API clients authenticate with ?token=; a
client that sends no Origin header at all is not a browser and is accepted with a token only.
"""

from urllib.parse import parse_qs

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from channels.security.websocket import AllowedHostsOriginValidator
from django.contrib.auth.models import AnonymousUser
from rest_framework.authtoken.models import Token


@database_sync_to_async
def _user_for_token(key: str):
    token = Token.objects.select_related("user").filter(key=key).first()
    if token is None or not token.user.is_active:
        return None
    return token.user


class TokenAuthMiddleware:
    """?token=<key> authenticates; a bad token is refused outright (never falls back to the session)."""

    def __init__(self, app, *, session_fallback: bool):
        self.app = app
        self.session_fallback = session_fallback

    async def __call__(self, scope, receive, send):
        query = parse_qs(scope.get("query_string", b"").decode())
        if "token" in query:
            user = await _user_for_token(query["token"][0][:100])
            scope = dict(scope, user=user or AnonymousUser())
        elif not self.session_fallback:
            scope = dict(scope, user=AnonymousUser())
        return await self.app(scope, receive, send)


class OriginAwareAuth:
    def __init__(self, app):
        self.browser = AllowedHostsOriginValidator(AuthMiddlewareStack(TokenAuthMiddleware(app, session_fallback=True)))
        self.client = TokenAuthMiddleware(app, session_fallback=False)

    async def __call__(self, scope, receive, send):
        has_origin = any(name == b"origin" for name, _value in scope.get("headers", []))
        return await (self.browser if has_origin else self.client)(scope, receive, send)
