"""What the timeline and the pages call each event: the titles declared with the case and
referral actions, and those of the events that are not actions of either table."""

from django.utils.functional import Promise

from .referral_rules import REFERRAL_ACTIONS
from .rules import CASE_ACTIONS, OTHER_EVENT_TITLES

EVENT_TITLES: dict[str, Promise] = (
    {name: rule.title for name, rule in CASE_ACTIONS.items()}
    | {name: rule.title for name, rule in REFERRAL_ACTIONS.items()}
    | OTHER_EVENT_TITLES
)
