import datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

from django import template
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme

from accounts.landing import start_page as start_of
from cases import titles
from cases.models import Fine
from core.calendar import legal_time

register = template.Library()


@register.filter
def yuan(value: Any) -> str:
    """30000 → "¥30,000.00"."""
    try:
        return f"¥{Decimal(value):,.2f}"
    except (InvalidOperation, TypeError, ValueError):
        return ""


@register.filter
def overdue(value: datetime.datetime | None) -> bool:
    return bool(value and value <= timezone.now())


@register.filter
def get(mapping: Any, key: Any) -> Any:
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def due_today(fine: Fine) -> Decimal:
    return fine.amount_due(timezone.localdate())


@register.filter
def legal(value: datetime.datetime | None) -> str:
    """A due time as the law reads it: "2018-10-08 24:00", not "2018-10-09 00:00"."""
    return legal_time(value, chinese=translation.get_language() == "zh-hans") if value else ""


@register.simple_tag(takes_context=True)
def start_page(context: template.Context) -> str:
    """The user's start page (accounts.landing): the 403 page's way back."""
    request = context.get("request")
    return start_of(request.user) if request is not None else "/"


@register.simple_tag(takes_context=True)
def previous_page(context: template.Context) -> str:
    """The page the user came from, when it is one of this site's and not this one; else ""."""
    request = context.get("request")
    if request is None:
        return ""
    referer = request.META.get("HTTP_REFERER", "")
    if not referer or not url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return ""
    return "" if urlsplit(referer).path == request.path else referer


@register.filter
def event_title(action: str) -> str:
    """An event's title in words (cases.titles), never its code."""
    return titles.event_title(action)


@register.filter
def transition(event: Any) -> str:
    """ "线索 → 已立案": the statuses an event moved between, in words."""
    return titles.transition(event)


@register.filter
def measure(obj: Any) -> str:
    """A measure by its formal number or its kind and date, never by its database id."""
    return titles.measure_label(obj)
