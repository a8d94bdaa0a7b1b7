"""Who may run each case action, and from which case statuses (DESIGN §3). Declared once.

`may()` answers "is this person entitled to this action on this case at all" (403 when not);
the status check (409) and the visibility check (404) are separate questions.
"""

from dataclasses import dataclass
from enum import StrEnum

from agencies import jurisdiction


class Who(StrEnum):
    STAFF = "staff"  # an officer or the head of the owning agency
    HEAD = "head"  # the head of the owning agency
    HANDLER = "handler"  # one of the case's handlers, or the head
    SUPERVISOR = "supervisor"  # a supervisor over the case's region


@dataclass(frozen=True)
class Rule:
    who: Who
    source: frozenset[str]


_LEAD, _OPEN, _CLOSED, _DECLINED = "lead", "open", "closed", "declined"
_WHILE_OPEN = frozenset({_OPEN})

CASE_ACTIONS: dict[str, Rule] = {
    "open": Rule(Who.STAFF, frozenset({_LEAD})),
    "decline": Rule(Who.HEAD, frozenset({_LEAD})),
    "add_person": Rule(Who.HANDLER, _WHILE_OPEN),
    "record_finding": Rule(Who.HANDLER, _WHILE_OPEN),
    "order_rectification": Rule(Who.HANDLER, _WHILE_OPEN),
    "verify_rectification": Rule(Who.HANDLER, _WHILE_OPEN),
    "suspend_production": Rule(Who.HEAD, _WHILE_OPEN),
    "lift_suspension": Rule(Who.HEAD, _WHILE_OPEN),
    "impose_fine": Rule(Who.HEAD, _WHILE_OPEN),
    "record_payment": Rule(Who.HANDLER, _WHILE_OPEN),
    # Not in DESIGN §4's list but in its fine lifecycle: unpaid after 15 days → court enforcement.
    "request_enforcement": Rule(Who.HEAD, _WHILE_OPEN),
    "request_takedown": Rule(Who.HANDLER, _WHILE_OPEN),
    "propose_referral": Rule(Who.HANDLER, _WHILE_OPEN),
    "close": Rule(Who.HEAD, _WHILE_OPEN),
    "reopen": Rule(Who.SUPERVISOR, frozenset({_CLOSED, _DECLINED})),
}


def is_handler(user, case) -> bool:
    # `.all()` so that a prefetched list is used on list and detail pages.
    return any(h.pk == user.pk for h in case.handlers.all())


def may(user, case, action: str) -> bool:
    rule = CASE_ACTIONS[action]
    if rule.who is Who.SUPERVISOR:
        return jurisdiction.supervises(user, case.region)
    if rule.who is Who.STAFF:
        return jurisdiction.is_staff_of(user, case.agency_id)
    if jurisdiction.is_head_of(user, case.agency_id):
        return True
    if rule.who is Who.HANDLER:
        return jurisdiction.is_staff_of(user, case.agency_id) and is_handler(user, case)
    return False
