import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django import template
from django.utils import timezone, translation

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
