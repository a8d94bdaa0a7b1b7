"""Counting calls per client in a window, shared by every process through the cache: the public
pages' limits (tips, the public certificate check), quotas of officials, and whose address a
request comes from (for those limits and for the log-in lock-out alike)."""

import contextlib
import ipaddress

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


def allow(kind: str, key: str, limit: int, window: int = 3600, cost: int = 1) -> bool:
    """At most `limit` units of `kind` per `key` (a client address, a user, an agency) per window of
    seconds; a call uses `cost` units (a roster of 300 certificates costs 300). A call that would
    pass the limit is refused and uses nothing, so a refused roster does not eat the quota."""
    name = f"rate:{kind}:{key}"
    if cost > limit:
        return False
    if cache.add(name, cost, timeout=window):
        return True
    try:
        count = cache.incr(name, cost)
    except ValueError:  # expired between add and incr
        cache.add(name, cost, timeout=window)
        return True
    if count > limit:
        with contextlib.suppress(ValueError):  # expired meanwhile: nothing to give back
            cache.decr(name, cost)
        return False
    return True


def used(kind: str, key: str) -> int:
    """How many units of `kind` `key` has used in the current window."""
    return int(cache.get(f"rate:{kind}:{key}") or 0)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or the entry TRUSTED_PROXY_COUNT proxies added to X-Forwarded-For.

    Only addresses written by our own proxies are trusted: a client may send any X-Forwarded-For,
    so the address is counted from the right, never taken from the left.
    """
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
    if proxies and len(forwarded) >= proxies:
        return str(forwarded[-proxies])
    address = request.META.get("REMOTE_ADDR")
    return str(address) if address else None


def client_address(request: HttpRequest) -> str:
    """The key a client's limits count under: its address (client_ip), an IPv6 address by its /64 —
    one subscriber's network, which hands out any address inside it to a single client."""
    address = client_ip(request) or "unknown"
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:  # ::ffff:203.0.113.7 is the IPv4 client 203.0.113.7
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)
