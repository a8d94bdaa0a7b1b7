"""Who sees which referral: the one rule lives with the cases (cases.access.referrals_visible_to)."""

from typing import Any

from cases.access import referrals_visible_to
from cases.models import Referral
from core.access import AnyUser, get_visible_or_404

__all__ = ["get_referral_for", "referrals_visible_to"]


def get_referral_for(user: AnyUser, pk: Any) -> Referral:
    return get_visible_or_404(referrals_visible_to(user), pk)
