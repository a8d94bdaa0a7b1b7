"""Counting calls per client in a window, shared by every process through the cache: the public
pages' limits (tips, the public certificate check), and any later quota."""

from django.core.cache import cache
from django.http import HttpRequest


def allow(kind: str, key: str, limit: int, window: int = 3600) -> bool:
    """At most `limit` calls of `kind` per `key` (a client address, a user) per window of seconds."""
    name = f"rate:{kind}:{key}"
    if cache.add(name, 1, timeout=window):
        return True
    try:
        count = cache.incr(name)
    except ValueError:  # expired between add and incr
        cache.add(name, 1, timeout=window)
        return True
    return count <= limit


def client_address(request: HttpRequest) -> str:
    """The client's address as the proxy middleware left it in REMOTE_ADDR."""
    return str(request.META.get("REMOTE_ADDR", "unknown"))
