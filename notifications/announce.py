"""Who is told of what: one row per notification kind (issue 4) — who, the title they read, and
whether it is also e-mailed. Every notification in the apps is written through announce() or
announce_many(); tests/notifications/test_announce.py fails if a module writes one otherwise.

Supervisors hear of escalations, refusals and listings, not of routine steps (DESIGN §4): a kind
that has no row tells nobody (most referral actions announce themselves and are routine).
Nobody is told about a case they cannot see: every recipient of a row that shows a case is
checked against the same visibility rule the API uses.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from agencies.jurisdiction import with_memberships
from agencies.models import Region
from cases.access import can_see_case
from cases.models import Case, Referral
from core.calendar import deadline_text, time_left
from workflows.models import Deadline
from workflows.steps import STEPS

from . import recipients as r
from .models import Notification
from .outbox import Message, notify_many


@dataclass(frozen=True)
class About:
    """What one announcement is about: a case (and a referral of it), or a region for the kinds
    that concern no case. `facts` are the caller's other keywords: objects a rule reads
    (takedown, listing, deadline) and values a title shows (day, month)."""

    case: Case | None = None
    referral: Referral | None = None
    region: Region | None = None
    facts: dict[str, Any] = field(default_factory=dict)
    memo: dict = field(default_factory=dict)  # recipient look-ups kept across a batch (announce_many)

    # The rules that read a case, a referral or a region use these: a caller who left it out
    # gets a clear error instead of an AttributeError on None.
    @property
    def known_case(self) -> Case:
        if self.case is None:
            raise ValueError("This notification is about a case: pass case=.")
        return self.case

    @property
    def known_referral(self) -> Referral:
        if self.referral is None:
            raise ValueError("This notification is about a referral: pass referral=.")
        return self.referral

    @property
    def known_region(self) -> Region:
        if self.region is None:
            raise ValueError("This notification is about a region: pass region=.")
        return self.region


@dataclass(frozen=True)
class Rule:
    """One kind of notification: who is told, what they read, and whether by e-mail too."""

    who: Callable[[About], Iterable]  # the people told, before the visibility check
    title: Promise  # lazily translated; formatted with TITLE_FACTS and the caller's facts
    email: bool = False  # also e-mailed, unless the recipient turned the kind off (Preference)
    # False: the notification links no case and its people are not checked against one — the
    # cyberspace office is asked about a URL, not shown the case; the monthly form has no case.
    shows_case: bool = True
    # The body, when the caller gave none (lazily translated, or a text of the record such as a reason).
    body: Callable[[About], Any] | None = None
    # Other kinds written for the same event, each to its own people in its own words (the
    # proposer hears of the head's refusal in other words than the supervisors who review it).
    also: tuple[str, ...] = ()


RULES: dict[str, Rule] = {
    "case_assigned": Rule(lambda a: a.known_case.handlers.all(), _("Case %(case)s assigned to you")),
    # 转办: the handlers the head newly gave the case (the reason is the body).
    "case_reassigned": Rule(lambda a: a.facts["added"], _("Case %(case)s reassigned to you (转办)"), email=True),
    "takedown_requested": Rule(
        lambda a: r.members(a.facts["takedown"].agency_id), _("Takedown requested: %(url)s"), shows_case=False
    ),
    "tip_received": Rule(lambda a: r.members(a.known_case.agency_id), _("Tip received: lead %(case)s")),
    # A find of the police or the cyberspace office, handed to the competent regulator.
    "find_reported": Rule(
        lambda a: r.members(a.known_case.agency_id), _("Lead %(case)s reported by %(agency)s"), email=True
    ),
    "referral_propose": Rule(
        lambda a: [u for u in r.heads(a.known_referral.referring_agency_id) if u.pk != a.known_referral.proposed_by_id],
        _("Referral %(number)s proposed: please decide"),
        # The head has three days to decide (国务院令第310号 第5条): told by e-mail too, not only in the app.
        email=True,
    ),
    "referral_refuse": Rule(
        lambda a: r.supervisors(a.known_case),
        _("Referral %(number)s refused by the head: please review"),
        also=("proposal_refused",),
    ),
    "referral_transmit": Rule(
        lambda a: r.members(a.known_referral.police_agency_id),
        _("Referral %(number)s received from %(agency)s"),
        email=True,
        also=("proposal_transmitted",),
    ),
    # The officer who proposed the referral hears what became of the proposal (issue 18).
    "referral_approve": Rule(
        lambda a: [a.known_referral.proposed_by],
        _("Referral %(number)s approved by the head: transmit it to the police within 24 hours"),
    ),
    "proposal_refused": Rule(
        lambda a: [a.known_referral.proposed_by],
        _("Referral %(number)s: the head refused your proposal"),
        email=True,
        body=lambda a: a.known_referral.reason,
    ),
    "proposal_transmitted": Rule(
        lambda a: [a.known_referral.proposed_by], _("Referral %(number)s transmitted to %(police)s")
    ),
    # 310号令 第7条: the referring agency is told in writing of a forward, as are the new police.
    "referral_forward": Rule(
        lambda a: [*r.members(a.known_referral.police_agency_id), *r.handlers_and_head(a.known_case)],
        _("Referral %(number)s forwarded from %(from)s to %(police)s"),
        email=True,
    ),
    "referral_request_supplement": Rule(
        lambda a: r.handlers_and_head(a.known_case),
        _("Referral %(number)s: the police ask for missing materials within 3 days (补正)"),
        email=True,
    ),
    "referral_supplement": Rule(
        lambda a: r.heads(a.known_referral.police_agency_id), _("Referral %(number)s: the materials were supplemented")
    ),
    "referral_decline_jurisdiction": Rule(
        lambda a: r.handlers_and_head(a.known_case),
        _("Referral %(number)s: %(police)s says it is not police business"),
        email=True,
    ),
    "referral_acknowledge": Rule(
        lambda a: r.handlers_and_head(a.known_case), _("Referral %(number)s: %(police)s signed the receipt")
    ),
    "referral_accept": Rule(lambda a: r.handlers_and_head(a.known_case), _("Referral %(number)s: %(decision)s")),
    "referral_reject": Rule(
        lambda a: r.handlers_and_head(a.known_case), _("Referral %(number)s: %(decision)s"), email=True
    ),
    "referral_hand_over": Rule(
        lambda a: r.members(a.known_referral.police_agency_id),
        _("Referral %(number)s: the agency handed over the evidence and items"),
    ),
    "referral_decide_reconsideration": Rule(
        lambda a: r.handlers_and_head(a.known_case), _("Referral %(number)s: the police decided the reconsideration")
    ),
    "referral_request_supervision": Rule(
        # request_supervision names the procuratorate before it announces.
        lambda a: r.members(a.known_referral.procuratorate_id) if a.known_referral.procuratorate_id else [],
        _("Referral %(number)s: supervision requested"),
        email=True,
    ),
    "referral_request_explanation": Rule(
        lambda a: r.heads(a.known_referral.police_agency_id),
        _("Referral %(number)s: the procuratorate asks you to explain the non-filing within 7 days"),
        email=True,
    ),
    "referral_explain": Rule(
        lambda a: r.members(a.known_referral.procuratorate_id) if a.known_referral.procuratorate_id else [],
        _("Referral %(number)s: the police explained the non-filing"),
        email=True,
    ),
    "referral_resolve_supervision": Rule(
        lambda a: [*r.heads(a.known_referral.police_agency_id), *r.handlers_and_head(a.known_case)],
        _("Referral %(number)s: %(supervision)s"),
        email=True,
    ),
    "referral_record_outcome": Rule(
        lambda a: r.handlers_and_head(a.known_case), _("Referral %(number)s: the police recorded the outcome")
    ),
    # 应急〔2019〕54号 第8条: the same-level procuratorate receives a copy of every 移送书 and of every
    # 不予立案 notice.
    "referral_copy_transmit": Rule(
        lambda a: r.procuratorate_of(a.known_referral.police_agency),
        _("Copy: referral %(number)s transmitted by %(agency)s to %(police)s"),
        email=True,
    ),
    "referral_copy_reject": Rule(
        lambda a: r.procuratorate_of(a.known_referral.police_agency),
        _("Copy: %(police)s rejected referral %(number)s (不予立案)"),
        email=True,
    ),
    # A forward moves the matter to another police, and so to that police's procuratorate.
    "referral_copy_forward": Rule(
        lambda a: r.procuratorate_of(a.known_referral.police_agency),
        _("Copy: referral %(number)s forwarded from %(from)s to %(police)s"),
        email=True,
    ),
    # 程序规定 第182条: the 立案 goes to the procuratorate that supervised, else to the same-level one.
    "referral_copy_accept": Rule(
        lambda a: (
            r.members(a.known_referral.procuratorate_id)
            if a.known_referral.procuratorate_id
            else r.procuratorate_of(a.known_referral.police_agency)
        ),
        _("Copy: %(police)s filed referral %(number)s (立案)"),
        email=True,
    ),
    # The penalty procedure (workflows/penalties.py, 行政处罚法 第44–64条): the head decides on a
    # handler's proposal; the proposer hears the answer; a requested hearing reaches the case's
    # people, its presiding officer is told, and a decision is to be served within 7 working days.
    "penalty_propose": Rule(
        lambda a: [u for u in r.heads(a.known_case.agency_id) if u.pk != a.facts["penalty"].proposed_by_id],
        _("Case %(case)s: a penalty is proposed, please decide"),
    ),
    "penalty_approve": Rule(
        lambda a: [a.facts["penalty"].proposed_by], _("Case %(case)s: the proposed penalty was %(answer)s")
    ),
    "penalty_request_hearing": Rule(
        lambda a: r.handlers_and_head(a.known_case),
        _("Case %(case)s: the party asked for a hearing (听证), schedule it"),
        email=True,
    ),
    "penalty_schedule_hearing": Rule(
        lambda a: [a.facts["penalty"].hearing_officer],
        _("Case %(case)s: you preside over the hearing on %(at)s"),
        email=True,
    ),
    # 倒查: a case of another agency was linked to this one (the other city's handlers may not see it).
    "case_linked": Rule(
        lambda a: a.known_case.handlers.filter(is_active=True) or r.heads(a.known_case.agency_id),
        _("Case %(case)s was linked to case %(other)s of %(city)s (倒查)"),
    ),
    "penalty_decide": Rule(
        lambda a: a.known_case.handlers.filter(is_active=True),
        _("Case %(case)s: penalty decided (%(number)s), serve the decision within 7 working days"),
    ),
    # 更正: a correction of a legal fact waits for the head (cases/corrections.py).
    "correction_proposed": Rule(
        lambda a: r.heads(a.known_case.agency_id), _("Case %(case)s: a correction awaits your approval")
    ),
    # A correction that would take a finding off the road to the police: the supervisors decide it.
    "correction_endorsement": Rule(
        lambda a: r.supervisors(a.known_case),
        _("Case %(case)s: a correction would take a finding off the road to the police, please decide"),
        email=True,
    ),
    # A missed deadline: the people of the deadline table's "escalated to" column (the sweep).
    "escalation": Rule(
        lambda a: r.escalated_to(a.facts["deadline"], a.known_case, a.memo),
        _("Missed deadline: %(step)s (%(subject)s)"),
        email=True,
    ),
    # One working day before a deadline ends, the people who must act (workflows/steps.py Owner; the sweep).
    "reminder": Rule(
        lambda a: r.owners(a.facts["deadline"], a.known_case, a.memo),
        _("Reminder: %(step)s (%(subject)s) %(due)s"),
        email=True,
        body=lambda a: (
            _("%(left)s. Whose duty: %(side)s. Basis: %(basis)s.")
            % {
                "left": time_left(a.facts["deadline"].due_at, timezone.now()),
                "side": a.facts["deadline"].side,
                "basis": a.facts["deadline"].basis,
            }
        ),
    ),
    # 挂牌督办: the head of the agency handling the case, then the supervisors who listed it.
    "listing": Rule(lambda a: r.heads(a.known_case.agency_id), _("Case %(case)s listed for supervision until %(day)s")),
    "listing_progress": Rule(
        lambda a: r.members(a.facts["listing"].agency_id, ("supervisor",)),
        _("Progress reported on listed case %(case)s"),
    ),
    # The monthly statistics form (DESIGN §3, last row): about a city, not a case.
    "monthly_reminder": Rule(
        lambda a: r.office_supervisors(a.known_region),
        _("Monthly statistics for %(month)s are due on the %(day)sth"),
        shows_case=False,
    ),
    "monthly_escalation": Rule(
        lambda a: r.province_supervisors(a.known_region),
        _("%(city)s has not submitted the monthly statistics for %(month)s"),
        shows_case=False,
    ),
    "monthly_returned": Rule(
        lambda a: r.office_supervisors(a.known_region),
        _("The province returned %(city)s's return of %(month)s for correction"),
        email=True,
        shows_case=False,
    ),
    "campaign_return_returned": Rule(
        lambda a: r.office_supervisors(a.known_region),
        _("The province returned %(city)s's %(what)s for correction"),
        email=True,
        shows_case=False,
    ),
    # What the province returned comes back corrected: the province reads it again.
    "monthly_resubmitted": Rule(
        lambda a: r.province_supervisors(a.known_region),
        _("%(city)s submitted its return of %(month)s again, corrected"),
        shows_case=False,
    ),
    "campaign_return_resubmitted": Rule(
        lambda a: r.province_supervisors(a.known_region),
        _("%(city)s submitted its %(what)s again, corrected"),
        shows_case=False,
    ),
    # The campaign's other returns (the work plan, the final summary): a reminder two days before the
    # due day, an escalation after it.
    "return_reminder": Rule(
        lambda a: r.office_supervisors(a.known_region),
        _("The %(what)s of the campaign is due on %(day)s"),
        shows_case=False,
    ),
    "return_escalation": Rule(
        lambda a: r.province_supervisors(a.known_region),
        _("%(city)s has not submitted the %(what)s of the campaign"),
        shows_case=False,
    ),
}

# The kinds a user may turn e-mail off for (GET|PUT /api/v1/notifications/preferences/).
EMAIL_KINDS = frozenset(kind for kind, rule in RULES.items() if rule.email)

# What a title may name, each computed only if the title (or its translation) asks for it: some
# need a row the caller did not load.
TITLE_FACTS: dict[str, Callable[[About], Any]] = {
    "case": lambda a: a.known_case.number,
    "number": lambda a: a.known_referral.number,
    "agency": lambda a: a.known_referral.referring_agency.name if a.referral else a.known_case.agency.name,
    "subject": lambda a: a.known_referral.number if a.referral else a.known_case.number,
    "police": lambda a: a.known_referral.police_agency.name,
    "from": lambda a: a.known_referral.forwarded_from.name if a.known_referral.forwarded_from else "—",
    "decision": lambda a: a.known_referral.police_decision_display,
    "supervision": lambda a: a.known_referral.supervision_display,
    "url": lambda a: a.facts["takedown"].url,
    "step": lambda a: STEPS[a.facts["deadline"].step].label,
    # "12月4日24时前" / "by 24:00 on 4 Dec": in the language the title is written in.
    "due": lambda a: deadline_text(a.facts["deadline"].due_at, chinese=_chinese()),
    "city": lambda a: a.known_region.name,
}


def _chinese() -> bool:
    return (translation.get_language() or "").startswith("zh")


class _TitleValues(dict):
    """The caller's facts, and TITLE_FACTS on demand (`%` formatting asks for each name it needs)."""

    def __init__(self, about: About):
        super().__init__(about.facts)
        self.about = about

    def __missing__(self, key: str) -> Any:
        return TITLE_FACTS[key](self.about)


def announce(
    kind: str,
    *,
    case: Case | None = None,
    referral: Referral | None = None,
    region: Region | None = None,
    body: str | Promise = "",
    **facts,
) -> list[Notification]:
    """Write the notifications of one event, if its kind tells anyone. A body that is translated
    is passed lazily: it is written in the offices' language, as the title is."""
    return announce_many(kind, [{"case": case, "referral": referral, "region": region, "body": body, **facts}])[0]


def announce_many(kind: str, events: Iterable[Mapping], *, memo: dict | None = None) -> list[list[Notification]]:
    """announce() for many events of one kind in one insert, delivered together after the commit
    (the sweep's batches). Each event is the keywords of one announce() call; `memo` keeps
    recipient look-ups across calls. Returns each event's notifications, in order."""
    events = list(events)
    rule = RULES.get(kind)
    if rule is None:
        return [[] for _event in events]
    memo = {} if memo is None else memo
    abouts, bodies = [], []
    for event in events:
        facts = dict(event)
        bodies.append(facts.pop("body", ""))
        case, referral, region = facts.pop("case", None), facts.pop("referral", None), facts.pop("region", None)
        if rule.shows_case and case is None:
            raise ValueError(f"A {kind} notification is about a case: pass case=.")
        abouts.append(About(case, referral, region, facts, memo))
    named = [list(rule.who(a)) for a in abouts]
    if rule.shows_case:
        # One query for the whole batch, for those whose memberships are not loaded yet.
        with_memberships([u for people in named for u in people if not hasattr(u, "_xj_memberships")])
        named = [
            [u for u in people if can_see_case(u, a.known_case, a.referral)]
            for a, people in zip(abouts, named, strict=True)
        ]
    # A notification is kept in the offices' language, whoever's action wrote it.
    with translation.override(settings.LANGUAGE_CODE):
        messages = [
            Message(
                people,
                str(rule.title) % _TitleValues(a),
                str(body or (rule.body(a) if rule.body else "")),
                a.case if rule.shows_case else None,
                a.referral,
                deadline if isinstance(deadline := a.facts.get("deadline"), Deadline) else None,
            )
            for a, people, body in zip(abouts, named, bodies, strict=True)
        ]
    written = notify_many(kind, messages, email=rule.email)
    for other in rule.also:
        for rows, more in zip(written, announce_many(other, events, memo=memo), strict=True):
            rows.extend(more)
    return written
