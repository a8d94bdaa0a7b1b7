from decimal import Decimal, InvalidOperation

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def yuan(value) -> str:
    """30000 → "¥30,000.00"."""
    try:
        return f"¥{Decimal(value):,.2f}"
    except (InvalidOperation, TypeError, ValueError):
        return ""


@register.filter
def overdue(value) -> bool:
    return bool(value and value <= timezone.now())


@register.filter
def get(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def due_today(fine):
    return fine.amount_due(timezone.localdate())
