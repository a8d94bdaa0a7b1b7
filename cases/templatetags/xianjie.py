import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django import template
from django.utils import timezone

from cases.models import Fine

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
