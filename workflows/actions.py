"""Referral actions (两法衔接, DESIGN §3): one function per action of the transition table.

Each locks the case and the referral, checks who may act (403) and the state (409), changes
the referral through its django-fsm transition, closes and opens the legal deadlines of the
table, moves the workflow's tasks, appends one event to the case's chain and writes the
notifications — in one transaction.
"""

from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed
from guardian.shortcuts import assign_perm, remove_perm

from agencies import jurisdiction
from agencies.models import Agency
from cases.actions import referred_subjects
from cases.models import REQUIRED_DOCUMENTS, Case, Referral, ReferralDocument, ReferralStatus
from cases.protocol import action, announce, begin_case, finish, lock
from cases.referral_rules import REFERRAL_ACTIONS, may_referral
from cases.rules import CASE_ACTIONS
from core.access import AnyUser
from core.errors import Code, Conflict, field_error

from . import deadlines, flows, steps
from .steps import STEPS

R = ReferralStatus
VIEW_CASE = "cases.view_case"


def _lock(referral: Referral) -> tuple[Case, Referral]:
    case = lock(referral.case_id)
    locked = (
        Referral.objects.select_for_update(of=("self",))
        .select_related("referring_agency", "police_agency__region", "procuratorate")
        .get(pk=referral.pk)
    )
    locked.case = case
    return case, locked


def _begin_referral(referral: Referral, actor: User, action: str, method: str | None = None) -> tuple[Case, Referral]:
    case, referral = _lock(referral)
    if not may_referral(actor, referral, action):
        raise PermissionDenied(_("You may not run “%(action)s” on this referral.") % {"action": action})
    if not can_proceed(getattr(referral, method or action)):
        raise Conflict(
            Code.INVALID_TRANSITION,
            _("“%(action)s” is not possible while the referral is %(status)s.")
            % {"action": action, "status": referral.get_status_display()},
        )
    step = steps.barring(action)
    if step and referral.deadlines.filter(step=step, met_at__isnull=True, due_at__lte=timezone.now()).exists():
        raise Conflict(
            Code.DEADLINE_PASSED,
            _("The time for “%(action)s” has run out (%(step)s: %(period)s).")
            % {"action": action, "step": STEPS[step].label, "period": steps.period_for(step)},
        )
    return case, referral


def _finish_referral(
    case: Case, referral: Referral, actor: User, action: str, from_status: str, data: dict[str, Any]
) -> None:
    referral.save()
    deadlines.meet(steps=REFERRAL_ACTIONS[action].settles, referral=referral)
    if referral.status != from_status or action == "forward":
        for step in steps.opened_by(referral.status):
            deadlines.open_deadline(case, step, referral=referral)
    agency = jurisdiction.acting_agency(
        actor, [referral.referring_agency_id, referral.police_agency_id, referral.procuratorate_id]
    )
    finish(
        case,
        actor=actor,
        action=action,
        agency=agency,
        from_status=from_status,
        to_status=referral.status,
        data={"referral": referral.pk, "number": referral.number} | data,
        referral=referral,
    )
    flows.advance(referral, actor)
    if REFERRAL_ACTIONS[action].announces:
        announce(REFERRAL_ACTIONS[action].announces, case=case, referral=referral)


def _grant(referral: Referral, police_agency: Agency) -> None:
    assign_perm(VIEW_CASE, police_agency.group, referral.case)


# --- proposal ---------------------------------------------------------------------------------


@action
def propose_referral(
    case: Case,
    *,
    actor: User,
    persons: list[int],
    report: str,
    police_agency: str | None = None,
    include_party: bool = False,
    version: int | None = None,
) -> Referral:
    """移送建议: a handler proposes; the head decides within 3 days (never the proposer)."""
    case = begin_case(case, actor=actor, action="propose_referral", version=version)
    chosen = list(case.persons.filter(pk__in=persons))
    if len(chosen) != len(set(persons)):
        unknown = sorted(set(persons) - {p.pk for p in chosen})
        raise field_error("persons", _("Not persons of this case: %(ids)s.") % {"ids": ", ".join(map(str, unknown))})
    if not chosen and not include_party:
        raise field_error("persons", _("Choose at least one person to refer."))
    already, party_already = referred_subjects(case, exclude=(R.REFUSED, R.REFUSAL_ENDORSED))
    twice = [p.name for p in chosen if p.pk in already]
    if twice:
        raise field_error("persons", _("Already in a referral of this case: %(names)s.") % {"names": "、".join(twice)})
    if include_party and party_already:
        raise field_error("include_party", _("The party is already in a referral of this case."))
    if police_agency:
        police = Agency.objects.filter(slug=police_agency, kind=Agency.Kind.POLICE).first()
        if police is None:
            raise field_error("police_agency", _("%(slug)s is not a police agency.") % {"slug": police_agency})
    else:
        police = jurisdiction.same_city_agency(case.region, Agency.Kind.POLICE)
        if police is None:
            raise field_error("police_agency", _("There is no police agency for this region; name one."))
    referral = Referral.objects.create(
        number=f"{case.number}-R{case.referrals.count() + 1:02d}",
        case=case,
        includes_party=include_party,
        referring_agency=case.agency,
        police_agency=police,
        report=report,
        proposed_by=actor,
    )
    referral.persons.set(chosen)
    ids = [p.pk for p in chosen]
    # The 3-day clock of 逾期不移送 stops for these subjects.
    deadlines.meet(steps=("propose_referral",), case=case, finding__person__in=ids)
    if include_party:
        deadlines.meet(steps=("propose_referral",), case=case, finding__person__isnull=True)
    for step in steps.opened_by(referral.status):  # the head's 3 days to decide
        deadlines.open_deadline(case, step, referral=referral)
    finish(
        case,
        actor=actor,
        action="propose_referral",
        data={
            "referral": referral.pk,
            "number": referral.number,
            "persons": sorted(ids),
            "party": include_party,
            "police_agency": police.slug,
        },
        referral=referral,
    )
    flows.start(referral)
    announce(CASE_ACTIONS["propose_referral"].announces, case=case, referral=referral)
    return referral


# --- the road ---------------------------------------------------------------------------------


@action
def approve(referral: Referral, *, actor: User) -> Referral:
    case, referral = _begin_referral(referral, actor, "approve")
    referral.approve(by=actor)
    _finish_referral(case, referral, actor, "approve", R.PROPOSED, {})
    return referral


@action
def refuse(referral: Referral, *, actor: User, reason: str) -> Referral:
    case, referral = _begin_referral(referral, actor, "refuse")
    referral.refuse(by=actor, reason=reason)
    _finish_referral(case, referral, actor, "refuse", R.PROPOSED, {"reason": reason})
    return referral


@action
def endorse_refusal(referral: Referral, *, actor: User, note: str) -> Referral:
    case, referral = _begin_referral(referral, actor, "endorse_refusal")
    referral.endorse_refusal(note=note)
    _finish_referral(case, referral, actor, "endorse_refusal", R.REFUSED, {"note": note})
    return referral


@action
def order_transfer(referral: Referral, *, actor: User, note: str) -> Referral:
    case, referral = _begin_referral(referral, actor, "order_transfer")
    referral.order_transfer(note=note)
    _finish_referral(case, referral, actor, "order_transfer", R.REFUSED, {"note": note})
    return referral


@action
def transmit(referral: Referral, *, actor: User, documents: list[dict[str, str]]) -> Referral:
    """移送: with the transfer letter, the investigation report and the evidence list."""
    case, referral = _begin_referral(referral, actor, "transmit")
    kinds = {d["kind"] for d in documents}
    missing = [ReferralDocument.Kind(k).label for k in REQUIRED_DOCUMENTS if k not in kinds]
    if missing:
        raise ValidationError({"documents": [_("Missing: %(kinds)s.") % {"kinds": "、".join(str(m) for m in missing)}]})
    ReferralDocument.objects.bulk_create(
        ReferralDocument(referral=referral, kind=d["kind"], title=d["title"], added_by=actor) for d in documents
    )
    referral.transmit()
    _grant(referral, referral.police_agency)
    _finish_referral(case, referral, actor, "transmit", R.APPROVED, {"documents": [d["kind"] for d in documents]})
    return referral


@action
def acknowledge(referral: Referral, *, actor: User) -> Referral:
    """回执: the police sign the receipt."""
    case, referral = _begin_referral(referral, actor, "acknowledge")
    referral.acknowledge()
    _finish_referral(case, referral, actor, "acknowledge", R.TRANSMITTED, {})
    return referral


@action
def forward(referral: Referral, *, actor: User, police_agency: str, reason: str) -> Referral:
    """Not competent: sent on to another police agency, which gets the case instead."""
    case, referral = _begin_referral(referral, actor, "forward")
    target = (
        Agency.objects.filter(slug=police_agency, kind=Agency.Kind.POLICE).exclude(pk=referral.police_agency_id).first()
    )
    if target is None:
        raise field_error("police_agency", _("Name another police agency."))
    from_status, previous = referral.status, referral.police_agency
    referral.forward(to=target, reason=reason)
    remove_perm(VIEW_CASE, previous.group, case)
    _grant(referral, target)
    _finish_referral(
        case, referral, actor, "forward", from_status, {"from": previous.slug, "to": target.slug, "reason": reason}
    )
    return referral


@action
def accept(referral: Referral, *, actor: User, police_case_number: str) -> Referral:
    """立案."""
    case, referral = _begin_referral(referral, actor, "accept")
    referral.accept(police_case_number=police_case_number)
    _finish_referral(case, referral, actor, "accept", R.RECEIVED, {"police_case_number": police_case_number})
    return referral


@action
def reject(referral: Referral, *, actor: User, reason: str) -> Referral:
    """不予立案, with the reason on record."""
    case, referral = _begin_referral(referral, actor, "reject")
    referral.reject(reason=reason)
    _finish_referral(case, referral, actor, "reject", R.RECEIVED, {"reason": reason})
    return referral


@action
def request_reconsideration(referral: Referral, *, actor: User, reason: str) -> Referral:
    """提请复议, within 3 days of the rejection (国务院令第310号第九条)."""
    case, referral = _begin_referral(referral, actor, "request_reconsideration")
    referral.request_reconsideration(reason=reason)
    _finish_referral(case, referral, actor, "request_reconsideration", R.REJECTED, {"reason": reason})
    return referral


@action
def decide_reconsideration(
    referral: Referral, *, actor: User, accept: bool, reason: str, police_case_number: str = ""
) -> Referral:
    method = "reconsider_accept" if accept else "reconsider_uphold"
    case, referral = _begin_referral(referral, actor, "decide_reconsideration", method)
    if accept:
        if not police_case_number:
            raise field_error("police_case_number", _("Accepting needs the police case number."))
        referral.reconsider_accept(reason=reason, police_case_number=police_case_number)
    else:
        referral.reconsider_uphold(reason=reason)
    _finish_referral(
        case,
        referral,
        actor,
        "decide_reconsideration",
        R.RECONSIDERATION,
        {"accept": accept, "reason": reason, "police_case_number": police_case_number},
    )
    return referral


@action
def request_supervision(referral: Referral, *, actor: User, procuratorate: str, reason: str) -> Referral:
    """建议人民检察院立案监督."""
    case, referral = _begin_referral(referral, actor, "request_supervision")
    office = Agency.objects.filter(slug=procuratorate, kind=Agency.Kind.PROCURATORATE).first()
    if office is None:
        raise field_error("procuratorate", _("%(slug)s is not a procuratorate.") % {"slug": procuratorate})
    from_status = referral.status
    referral.request_supervision(procuratorate=office, reason=reason)
    _finish_referral(
        case, referral, actor, "request_supervision", from_status, {"procuratorate": office.slug, "reason": reason}
    )
    return referral


@action
def resolve_supervision(referral: Referral, *, actor: User, outcome: str, note: str) -> Referral:
    method = "supervision_accept" if outcome == "accept" else "supervision_reject"
    case, referral = _begin_referral(referral, actor, "resolve_supervision", method)
    getattr(referral, method)(note=note)
    _finish_referral(case, referral, actor, "resolve_supervision", R.SUPERVISION, {"outcome": outcome, "note": note})
    return referral


@action
def accept_rejection(referral: Referral, *, actor: User, reason: str) -> Referral:
    """The rejection stands; the case goes on with administrative penalties (第十条)."""
    case, referral = _begin_referral(referral, actor, "accept_rejection")
    from_status = referral.status
    referral.accept_rejection(reason=reason)
    _finish_referral(case, referral, actor, "accept_rejection", from_status, {"reason": reason})
    return referral


@action
def hand_over(referral: Referral, *, actor: User, items: str) -> Referral:
    """移交涉案物品和证据, within 3 days of acceptance."""
    case, referral = _begin_referral(referral, actor, "hand_over")
    referral.hand_over(items=items)
    _finish_referral(case, referral, actor, "hand_over", R.ACCEPTED, {"items": items})
    return referral


def available_referral_actions(referral: Referral, user: AnyUser) -> list[str]:
    return [name for name, rule in REFERRAL_ACTIONS.items() if rule.who(user, referral) and rule.possible(referral)]
