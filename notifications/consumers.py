"""/ws/notifications/: live pushes, after a catch-up of everything since the client's last id.

A socket lives no longer than its credential: it joins its user's group and its token's (or its
session's), and closes with 4001 when the token is revoked or expires, the session logs out, the
password changes or the account is deactivated (accounts.sockets)."""

from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.db.models import Q
from django.utils import timezone

from accounts import sockets
from core.errors import Refusal

from .models import Notification
from .outbox import group_name, payload

CATCH_UP_LIMIT = 500


class NotificationConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            refused_by_policy = self.scope.get("auth_refusal") == Refusal.OTP_REQUIRED
            await self.close(code=sockets.CLOSE_OTP_REQUIRED if refused_by_policy else sockets.CLOSE_UNAUTHENTICATED)
            return
        token = self.scope.get("auth_token")
        self.expiry = token.expiry if token is not None else None
        self.groups_joined = [group_name(user.pk), sockets.user_group(user.pk)]
        if token is not None:
            self.groups_joined.append(sockets.token_group(await self._token_info_id(token)))
        elif self.scope.get("auth_session_key"):
            self.groups_joined.append(sockets.session_group(self.scope["auth_session_key"]))
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()
        since = self._since()
        if since is not None:
            for item in await self._after(user.pk, since):
                await self.send_json(item)
        await self.send_json({"type": "unread", "count": await self._unread(user.pk)})

    async def disconnect(self, code):
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        """Clients may ask for the unread count again; anything else is ignored."""
        if self._expired():
            await self.close(code=sockets.CLOSE_REVOKED)
            return
        if isinstance(content, dict) and content.get("type") == "unread":
            await self.send_json({"type": "unread", "count": await self._unread(self.scope["user"].pk)})

    async def notify(self, event):
        if self._expired():
            await self.close(code=sockets.CLOSE_REVOKED)
            return
        await self.send_json(event["message"])

    async def auth_revoked(self, event):
        """The credential this socket was opened with has ended."""
        await self.close(code=sockets.CLOSE_REVOKED)

    def _expired(self) -> bool:
        return self.expiry is not None and self.expiry <= timezone.now()

    @database_sync_to_async
    def _token_info_id(self, token) -> int:
        from accounts.models import TokenInfo  # noqa: PLC0415

        return TokenInfo.objects.get_or_create(token=token)[0].pk

    def _since(self) -> int | None:
        query = parse_qs(self.scope.get("query_string", b"").decode())
        try:
            return max(int(query["since"][0]), 0)
        except (KeyError, ValueError, IndexError):
            return None

    @database_sync_to_async
    def _after(self, user_id: int, since: int) -> list[dict]:
        rows = Notification.objects.filter(recipient_id=user_id, pk__gt=since).order_by("pk")[:CATCH_UP_LIMIT]
        return [payload(n) for n in rows]

    @database_sync_to_async
    def _unread(self, user_id: int) -> int:
        return Notification.objects.filter(Q(recipient_id=user_id) & Q(read_at__isnull=True)).count()
