"""The public pages' header (the deploying authority) and the tip panel of a case page."""

from typing import Any

from django import template
from django.conf import settings

from certificates import actions

register = template.Library()


@register.simple_tag
def authority_name() -> str:
    """The deploying authority (settings.AUTHORITY_NAME), named in the public pages' header."""
    return str(settings.AUTHORITY_NAME)


@register.inclusion_tag("certificates/tip_panel.html", takes_context=True)
def tip_panel(context: dict[str, Any], case: Any) -> dict[str, Any]:
    """On a case that came from a tip: the tipster's contact (in full to the officers handling it,
    masked to everyone else), how many answers were given, and the way to the tip's page.
    Use it on the case page: `{% load public_pages %}{% tip_panel case %}`."""
    tip = getattr(case, "tip", None) if getattr(case, "source", "") == "tip" else None
    if tip is None:
        return {"tip": None}
    user = context["request"].user
    sees = actions.sees_tipster(user, case)
    return {
        "tip": tip,
        "contact": tip.contact if sees else actions.mask_contact(tip.contact),
        "contact_full": sees,
        "answers": tip.replies.count(),
        "may_reply": actions.may_reply(user, case),
    }
