"""/ws/notifications/: live pushes, after a catch-up of everything since the client's last id."""

from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.db.models import Q

from .models import Notification
from .outbox import group_name, payload

CATCH_UP_LIMIT = 500


class NotificationConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        self.group = group_name(user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        since = self._since()
        if since is not None:
            for item in await self._after(user.pk, since):
                await self.send_json(item)
        await self.send_json({"type": "unread", "count": await self._unread(user.pk)})

    async def disconnect(self, code):
        if getattr(self, "group", None):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        """Clients may ask for the unread count again; anything else is ignored."""
        if isinstance(content, dict) and content.get("type") == "unread":
            await self.send_json({"type": "unread", "count": await self._unread(self.scope["user"].pk)})

    async def notify(self, event):
        await self.send_json(event["message"])

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
