"""ASGI entry point: HTTP through Django, WebSocket through channels."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.core.asgi import get_asgi_application  # noqa: E402

django_asgi_app = get_asgi_application()

from config.middleware import BodyLimitASGI, RequestSlotsASGI  # noqa: E402
from notifications.middleware import OriginAwareAuth  # noqa: E402
from notifications.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        # A body over its endpoint's limit is refused before Django's handler reads it whole, and
        # before it waits for a slot.
        "http": BodyLimitASGI(RequestSlotsASGI(django_asgi_app)),
        "websocket": OriginAwareAuth(URLRouter(websocket_urlpatterns)),
    }
)
