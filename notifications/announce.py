"""Who is told of what, decided here in one place per event kind (issue 4).

Supervisors hear of escalations, refusals and listings, not of routine steps (DESIGN §4).
Nobody is told about a case they cannot see: every recipient is checked against the same
visibility rule the API uses.
"""

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from . import recipients as r
from .outbox import notify


@dataclass(frozen=True)
class Rule:
    who: Any  # (case, referral, extra) -> iterable of users
    title: Any  # lazily translated, formatted with number/agency/case/url


RULES = {
    "case_assigned": Rule(lambda c, ref, x: c.handlers.all(), _("Case %(case)s assigned to you")),
    "takedown_requested": Rule(lambda c, ref, x: r.members(x["takedown"].agency_id), _("Takedown requested: %(url)s")),
    "referral_propose": Rule(
        lambda c, ref, x: [u for u in r.heads(ref.referring_agency_id) if u.pk != ref.proposed_by_id],
        _("Referral %(number)s proposed: please decide"),
    ),
    "referral_refuse": Rule(
        lambda c, ref, x: r.supervisors(c), _("Referral %(number)s refused by the head: please review")
    ),
    "referral_transmit": Rule(
        lambda c, ref, x: r.members(ref.police_agency_id), _("Referral %(number)s received from %(agency)s")
    ),
    "referral_forward": Rule(
        lambda c, ref, x: r.members(ref.police_agency_id), _("Referral %(number)s forwarded to you")
    ),
    "referral_accept": Rule(lambda c, ref, x: r.handlers_and_head(c), _("Referral %(number)s accepted by the police")),
    "referral_reject": Rule(lambda c, ref, x: r.handlers_and_head(c), _("Referral %(number)s rejected by the police")),
    "referral_request_supervision": Rule(
        lambda c, ref, x: r.members(ref.procuratorate_id), _("Referral %(number)s: supervision requested")
    ),
    # Escalations: the people of the deadline table's "escalated to" column, given by the sweep.
    "escalation": Rule(lambda c, ref, x: x["people"], _("Missed deadline: %(step)s (%(subject)s)")),
}


def announce(kind: str, *, case, referral=None, body: str = "", **extra) -> list:
    """Write the notifications of one event, if the event kind tells anyone."""
    from agencies.jurisdiction import with_memberships
    from cases.access import can_see_case

    rule = RULES.get(kind)
    if rule is None:
        return []
    people = list(rule.who(case, referral, extra))
    about_case = kind != "takedown_requested"  # the cyberspace office sees the takedown, not the case
    if about_case:
        people = [u for u in with_memberships(people) if can_see_case(u, case)]
    values = {
        "case": case.number,
        "number": referral.number if referral else "",
        "agency": referral.referring_agency.name if referral else case.agency.name,
        "url": extra["takedown"].url if "takedown" in extra else "",
        "step": extra.get("step", ""),
        "subject": extra.get("subject", ""),
    }
    return notify(
        people,
        kind=kind,
        title=str(rule.title) % values,
        body=body,
        case=case if about_case else None,
        referral=referral,
    )
