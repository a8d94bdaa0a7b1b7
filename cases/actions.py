"""Every state change of a case goes through one of these functions (DESIGN §1).

Each locks the case row, checks who may act and the current state, changes, and writes one
event, all in one transaction. Refusals: PermissionDenied (403), Conflict (409, with a code),
ValidationError (400, per field).
"""

import datetime
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from agencies import jurisdiction
from agencies.models import Agency, Region
from core.access import evaluated, prefetched
from core.calendar import end_of_day, legal_time, next_working_day
from core.errors import Code, Conflict, field_error
from core.identity import (
    DocumentKind,
    certificate_number_key,
    document_hash,
    id_hash,
    mask_id_number,
    normalize_credit_code,
    normalize_document,
    normalize_id_number,
)
from workflows import deadlines
from workflows.claims import release_claims_of
from workflows.penalty_periods import party_heard_until

from .events import record_event
from .kinds import ORGANISATION_PARTIES, FindingKind, PartyKind, PersonRole, Source
from .models import (
    COVERING_REFERRAL_STATUSES,
    PENALTY_PENDING,
    BasisCondition,
    Campaign,
    Case,
    CaseSequence,
    CaseStatus,
    Finding,
    Fine,
    FineStatus,
    LegalBasis,
    Penalty,
    PenaltyStatus,
    Person,
    Rectification,
    RectificationStatus,
    ReferralStatus,
    Suspension,
    SuspensionStatus,
    Takedown,
    TakedownStatus,
    local_today,
)
from .protocol import action, announce, begin_case, finish, lock
from .rules import CASE_ACTIONS, TAKEDOWN_ACTIONS, home_agency, is_handler, may

M = TypeVar("M", bound=models.Model)


# --- checking input -------------------------------------------------------------------------


def one_of(queryset: models.QuerySet[M], pk: Any, field: str, message: str) -> M:
    try:
        return queryset.get(pk=int(pk))
    except (ObjectDoesNotExist, TypeError, ValueError):
        raise field_error(field, message) from None


# --- creating a case ------------------------------------------------------------------------


def _owning_agency(actor: User) -> Agency:
    home = home_agency(actor)
    if home is None:
        raise PermissionDenied(_("Only officers and heads of a regulator can open cases."))
    return home


def _next_number(region: Region, year: int) -> str:
    """Allocate the next number in the caller's transaction: a rollback gives it back (no gaps)."""
    try:
        with transaction.atomic():
            CaseSequence.objects.get_or_create(region=region, year=year)
    except IntegrityError:  # created by a concurrent transaction a moment ago
        pass
    seq = CaseSequence.objects.select_for_update().get(region=region, year=year)
    seq.last += 1
    seq.save(update_fields=["last"])
    return f"{region.code}-{year}-{seq.last:05d}"


def _identifier(field: str, rule: Callable[[str], str], value: str) -> str:
    """An identifier by its rule (core.identity), or a 400 naming the field."""
    try:
        return rule(value)
    except ValidationError as exc:
        raise field_error(field, exc.messages[0]) from None


def _check_party(party: dict[str, Any], strict: bool = True) -> None:
    for key, rule in (("credit_code", normalize_credit_code), ("id_number", normalize_id_number)):
        if party.get(key):
            party[key] = _identifier("party", rule, party[key])
    kind = party["kind"]
    if strict and kind in (PartyKind.EMPLOYER, PartyKind.TRAINING_INSTITUTION) and not party.get("credit_code"):
        raise field_error("party", _("An employer or training institution needs its unified social credit code."))
    if kind not in ORGANISATION_PARTIES and party.get("credit_code"):
        raise field_error("party", _("Only organisations have a unified social credit code."))
    if kind != PartyKind.INDIVIDUAL and party.get("id_number"):
        raise field_error("party", _("Only an individual party has an ID number (id_number)."))
    if kind == PartyKind.WEBSITE and not party.get("url"):
        raise field_error("party", _("A counterfeit website case needs the website's address (url)."))


@action
def create_case(
    *,
    actor: User | None,
    source: str,
    region: Region,
    party: dict[str, Any],
    summary: str,
    campaign: Campaign | None = None,
    agency: Agency | None = None,
    strict_party: bool = True,
    reported_by: Agency | None = None,
) -> Case:
    """A new lead (线索) owned by the actor's agency, numbered {region}-{year}-{seq}.

    A tip from the public has no actor, and a find of the police or the cyberspace office
    (`reported_by`) is not theirs: both name the agency (the competent regulator) instead.
    """
    agency = agency if actor is None or reported_by is not None else _owning_agency(actor)
    if agency is None:
        raise PermissionDenied(_("A lead needs an owning agency."))
    if not region.path.startswith(agency.region.path):
        raise field_error(
            "region",
            _("%(region)s is outside the jurisdiction of %(agency)s.") % {"region": region.name, "agency": agency.name},
        )
    # Leads from tips and verifications may not know the organisation's credit code yet.
    _check_party(party, strict_party)
    now = timezone.now()
    if campaign is None:
        campaign = Campaign.running_on(timezone.localdate(now))
    id_number = party.get("id_number", "")
    case = Case.objects.create(
        number=_next_number(region, timezone.localdate(now).year),
        source=source,
        region=region,
        agency=agency,
        campaign=campaign,
        summary=summary,
        party_kind=party["kind"],
        party_name=party["name"],
        party_credit_code=party.get("credit_code", ""),
        party_id_number=id_number,
        party_id_hash=id_hash(id_number) if id_number else "",
        party_url=party.get("url", ""),
        party_address=party.get("address", ""),
        party_representative=party.get("representative", ""),
        created_by=actor,
        created_at=now,
        reported_by=reported_by,
    )
    record_event(
        case,
        action="create",
        actor=actor,
        agency=reported_by or agency,
        to_status=case.status,
        data={
            "source": source,
            "region": region.code,
            "party": {
                "kind": case.party_kind,
                "name": case.party_name,
                "credit_code": case.party_credit_code,
                "id_number": mask_id_number(id_number),
            },
            "campaign": campaign.slug if campaign else None,
            **({"reported_by": reported_by.slug} if reported_by else {}),
        },
    )
    return case


# The kinds of agency that record their own finds and hand them on (the seed notice: 公安部门倒查…,
# 网信部门…封堵), and the source each find is given.
FINDERS = {Agency.Kind.POLICE: Source.TRANSFER, Agency.Kind.CYBERSPACE: Source.CYBER_PATROL}


@transaction.atomic
def report_find(
    *,
    actor: User,
    region: Region,
    party: dict[str, Any],
    summary: str,
    finding_kind: str = "",
    certificate_number: str = "",
    source: str = "",
) -> Case:
    """A find of the police or the cyberspace office (a fake website, a seller, a forged certificate)
    becomes a lead of the competent regulator of the region — the market regulator for an
    intermediary's business, the work-safety regulator otherwise — which is told."""
    finder = next((m.agency for m in jurisdiction.memberships_of(actor) if m.agency.kind in FINDERS), None)
    if finder is None:
        raise PermissionDenied(_("Only the police and the cyberspace office report their finds here."))
    if not region.path.startswith(finder.region.path):
        raise field_error(
            "region",
            _("%(region)s is outside the jurisdiction of %(agency)s.") % {"region": region.name, "agency": finder.name},
        )
    certificate_number = certificate_number_key(certificate_number)
    kind = Agency.Kind.MARKET_REGULATOR if party.get("kind") == PartyKind.INTERMEDIARY else Agency.Kind.SAFETY_REGULATOR
    competent = jurisdiction.same_city_agency(region, kind)
    if competent is None:
        raise field_error("region", _("No competent regulator in %(region)s.") % {"region": region.name})
    with translation.override(settings.LANGUAGE_CODE):  # the lead's stored text: the offices' language
        details = [
            str(FindingKind(finding_kind).label) if finding_kind else "",
            _("certificate %(number)s") % {"number": certificate_number} if certificate_number else "",
            _("obtained from %(source)s") % {"source": source} if source else "",
        ]
    told = "；".join(d for d in details if d)
    case = create_case(
        actor=actor,
        source=FINDERS[Agency.Kind(finder.kind)],
        region=region,
        party=party,
        summary=f"{summary}（{finder.name}发现：{told}）" if told else f"{summary}（{finder.name}发现）",
        agency=competent,
        strict_party=False,
        reported_by=finder,
    )
    announce("find_reported", case=case, agency=finder.name)
    return case


def finds_reported_by(actor: User) -> models.QuerySet[Case]:
    """What the actor's police or cyberspace office reported, newest first: the reporter follows
    what became of its finds (the lead's number, the regulator, its status), not the case file."""
    finders = [m.agency_id for m in jurisdiction.memberships_of(actor) if m.agency.kind in FINDERS]
    return Case.objects.filter(reported_by__in=finders).select_related("agency", "region").order_by("-pk")


# --- the case lifecycle ---------------------------------------------------------------------


def _set_handlers(case: Case, handlers: list[User], before: list[User] | None = None) -> None:
    """Give the locked case these handlers (in place of `before`, its handlers as loaded, if
    given); `case.handlers.all()` then answers from them (the rules and the announcement read
    them) without loading them again."""
    if before is None:
        case.handlers.set(handlers)
    else:
        keep = {u.pk for u in handlers}
        gone = [u for u in before if u.pk not in keep]
        if gone:
            case.handlers.remove(*gone)
        case.handlers.add(*handlers)
    prefetched(case, "handlers", evaluated(User.objects.filter(pk__in=[u.pk for u in handlers]), handlers))


def _handlers_named(case: Case, handlers: list[str]) -> list[User]:
    """The handlers a case is given (立案 and 转办): two different active officers or heads of the
    owning agency (执法人员不少于两人), or a 400 naming the field."""
    if len(set(handlers)) != 2:
        raise field_error("handlers", _("Name exactly two different handlers (执法人员不少于两人)."))
    users = jurisdiction.with_memberships(User.objects.filter(username__in=handlers, is_active=True))
    eligible = [u for u in users if jurisdiction.is_staff_of(u, case.agency_id)]
    if len(eligible) != 2:
        missing = sorted(set(handlers) - {u.username for u in eligible})
        raise field_error(
            "handlers",
            _("Not officers of %(agency)s: %(names)s.") % {"agency": case.agency.name, "names": ", ".join(missing)},
        )
    return eligible


@action
def open_case(case: Case, *, actor: User, handlers: list[str], version: int | None = None) -> Case:
    """立案: at least two handlers, both officers or the head of the owning agency."""
    case = begin_case(case, actor=actor, action="open", version=version)
    eligible = _handlers_named(case, handlers)
    case.open()
    _set_handlers(case, eligible)
    deadlines.open_deadline(case, "decide_penalty")  # 行政处罚法 第60条: 90 days from 立案
    finish(case, actor=actor, action="open", from_status=CaseStatus.LEAD, data={"handlers": sorted(handlers)})
    announce(CASE_ACTIONS["open"].announces, case=case)
    return case


@action
def reassign_handlers(case: Case, *, actor: User, handlers: list[str], reason: str, version: int | None = None) -> Case:
    """转办: the head of the owning agency replaces the case's handlers with a reason on record. The
    same rule as 立案 (two officers of the agency); the event keeps who handed over to whom and why;
    the new handlers are told, and the tasks a handler taken off the case had claimed go back to
    the agency's queue."""
    case = begin_case(case, actor=actor, action="reassign", version=version)
    reason = reason.strip()
    if not reason:
        raise field_error("reason", _("Say why the case is reassigned."))
    new = _handlers_named(case, handlers)
    before = list(case.handlers.all())
    old_names = sorted(u.username for u in before)
    new_names = sorted(u.username for u in new)
    if old_names == new_names:
        raise field_error("handlers", _("These are the case's handlers already: name the new ones."))
    _set_handlers(case, new, before)
    removed = [u for u in before if u.username not in new_names]
    added = [u for u in new if u.username not in old_names]
    release_claims_of(case.pk, removed, actor, reason)
    finish(case, actor=actor, action="reassign", data={"from": old_names, "to": new_names, "reason": reason})
    announce(CASE_ACTIONS["reassign"].announces, case=case, added=added, body=reason)
    return case


@action
def decline_case(case: Case, *, actor: User, reason: str, version: int | None = None) -> Case:
    case = begin_case(case, actor=actor, action="decline", version=version)
    case.decline(reason)
    finish(case, actor=actor, action="decline", from_status=CaseStatus.LEAD, data={"reason": reason})
    return case


def open_measures(case: Case) -> list[str]:
    """Measures that have not ended, in words."""
    open_: list[str] = []
    open_ += [
        _("rectification order #%(id)s") % {"id": r.pk}
        for r in case.rectifications.all()
        if r.status == RectificationStatus.ISSUED
    ]
    open_ += [
        _("suspension #%(id)s") % {"id": s.pk} for s in case.suspensions.all() if s.status == SuspensionStatus.IN_FORCE
    ]
    open_ += [_("fine #%(id)s") % {"id": f.pk} for f in case.fines.all() if f.status != FineStatus.PAID]
    open_ += [
        _("penalty #%(id)s (%(status)s)") % {"id": p.pk, "status": p.get_status_display()}
        for p in case.penalties.all()
        if p.status in PENALTY_PENDING
    ]
    open_ += [
        _("takedown #%(id)s") % {"id": t.pk} for t in case.takedowns.all() if t.status == TakedownStatus.REQUESTED
    ]
    return open_


def referable_subjects(case: Case) -> tuple[set[int], bool]:
    """Persons with a referable finding, and whether the party itself has one (no person named)."""
    persons: set[int] = set()
    party = False
    for finding in case.findings.all():
        if finding.referable:
            if finding.person_id:
                persons.add(finding.person_id)
            else:
                party = True
    return persons, party


def referred_subjects(
    case: Case, statuses: Iterable[str] | None = None, exclude: Iterable[str] = ()
) -> tuple[set[int], bool]:
    persons: set[int] = set()
    party = False
    for referral in case.referrals.all():
        if referral.status in exclude or (statuses is not None and referral.status not in statuses):
            continue
        persons.update(p.pk for p in referral.persons.all())
        party = party or referral.includes_party
    return persons, party


def unreferred(case: Case) -> tuple[list[int], bool]:
    """Referable subjects nobody has proposed to refer (a refused proposal does not count)."""
    persons, party = referable_subjects(case)
    referred, party_referred = referred_subjects(case, exclude=(ReferralStatus.REFUSED,))
    return sorted(persons - referred), party and not party_referred


def uncovered(case: Case) -> tuple[list[int], bool]:
    """Referable subjects without a settled referral (the close guard, DESIGN §3)."""
    persons, party = referable_subjects(case)
    covered, party_covered = referred_subjects(case, statuses=COVERING_REFERRAL_STATUSES)
    return sorted(persons - covered), party and not party_covered


@action
def close_case(case: Case, *, actor: User, summary: str, version: int | None = None) -> Case:
    case = begin_case(case, actor=actor, action="close", version=version)
    person_ids, party = uncovered(case)
    if person_ids or party:
        names = [p.name for p in case.persons.filter(pk__in=person_ids)]
        if party:
            names.append(case.party_name)
        raise Conflict(
            Code.UNREFERRED,
            _(
                "Not yet settled by a referral: %(names)s. Refer them to the police, or have the refusal endorsed by a supervisor."
            )
            % {"names": "、".join(names)},
            persons=person_ids,
            party=party,
        )
    pending = open_measures(case)
    if pending:
        raise Conflict(
            Code.OPEN_MEASURES,
            _("These measures have not ended: %(measures)s.") % {"measures": ", ".join(pending)},
        )
    case.close(summary)
    deadlines.meet(steps=("decide_penalty",), by="close", case=case)
    finish(case, actor=actor, action="close", from_status=CaseStatus.OPEN, data={"summary": summary})
    return case


@action
def reopen_case(case: Case, *, actor: User, reason: str, version: int | None = None) -> Case:
    case = begin_case(case, actor=actor, action="reopen", version=version)
    from_status = case.status
    case.reopen()
    finish(case, actor=actor, action="reopen", from_status=from_status, data={"reason": reason})
    return case


@action
def extend_decision_period(
    case: Case, *, actor: User, until: datetime.date, reason: str, version: int | None = None
) -> Case:
    """行政处罚法 第60条: the 90 days to decide, longer only by the head's approval, with the reason
    and the new last day on the record. The open period ends (met by the extension) and a new one
    runs to 24:00 of `until`, moved past a rest day or holiday like any period."""
    case = begin_case(case, actor=actor, action="extend_decision_period", version=version)
    current = case.deadlines.filter(step="decide_penalty", met_at__isnull=True).order_by("-due_at").first()
    if current is None:
        raise Conflict(Code.INVALID_TRANSITION, _("No period to decide the penalty is running in this case."))
    if until > local_today() + datetime.timedelta(days=366):
        raise field_error("until", _("An extension reaches at most a year from today."))
    new_due = end_of_day(next_working_day(until))
    if new_due <= max(current.due_at, timezone.now()):
        raise field_error(
            "until",
            _("An extension ends after the current last day (%(due)s).") % {"due": legal_time(current.due_at)},
        )
    deadlines.extend(case, "decide_penalty", current, new_due, by="extend_decision_period")
    finish(
        case,
        actor=actor,
        action="extend_decision_period",
        data={"until": until.isoformat(), "due": new_due.isoformat(), "reason": reason},
    )
    return case


# --- persons and findings -------------------------------------------------------------------


@action
def add_person(
    case: Case,
    *,
    actor: User,
    name: str,
    id_number: str,
    role: str,
    id_kind: str = DocumentKind.RESIDENT_ID,
    version: int | None = None,
) -> Person:
    """One person, by one spelling of one document (LEGAL.md §5), once per case."""
    id_number = _identifier("id_number", lambda v: normalize_document(id_kind, v), id_number)
    case = begin_case(case, actor=actor, action="add_person", version=version)
    hashed = document_hash(id_kind, id_number)
    if case.persons.filter(id_hash=hashed).exists():
        raise field_error("id_number", _("A person with this identity document is already in the case."))
    person = Person.objects.create(
        case=case, name=name, id_kind=id_kind, id_number=id_number, id_hash=hashed, role=role
    )
    data = {"person": person.pk, "name": name, "id_number": person.id_masked, "role": role}
    if id_kind != DocumentKind.RESIDENT_ID:
        data["id_kind"] = id_kind
    finish(case, actor=actor, action="add_person", data=data)
    return person


@action
def record_finding(
    case: Case,
    *,
    actor: User,
    kind: str,
    person: int | None = None,
    certificate_number: str = "",
    note: str = "",
    source: str = "",
    version: int | None = None,
) -> Finding:
    case = begin_case(case, actor=actor, action="record_finding", version=version)
    subject = None
    if person is not None:
        subject = one_of(case.persons.all(), person, "person", _("This person is not in the case."))
    finding = Finding.objects.create(
        case=case,
        kind=kind,
        person=subject,
        # One spelling, so the same certificate in two cases is found (倒查, cases/links.py).
        certificate_number=certificate_number_key(certificate_number),
        note=note,
        source=source.strip(),
        recorded_by=actor,
    )
    if finding.referable and not case.requires_referral:
        case.requires_referral = True  # saved by finish below
    if finding.referable:
        referred, party_referred = referred_subjects(
            case, exclude=(ReferralStatus.REFUSED, ReferralStatus.REFUSAL_ENDORSED)
        )
        if (subject.pk not in referred) if subject else not party_referred:
            # 逾期不移送: a referral must be proposed within 3 days of the finding.
            deadlines.open_deadline(case, "propose_referral", finding=finding, starts_at=finding.recorded_at)
    finish(
        case,
        actor=actor,
        action="record_finding",
        data={
            "finding": finding.pk,
            "kind": kind,
            "person": person,
            "certificate_number": certificate_number,
            "referable": finding.referable,
        },
    )
    return finding


# --- measures -------------------------------------------------------------------------------


@action
def order_rectification(
    case: Case, *, actor: User, deadline: datetime.date, items: str, version: int | None = None
) -> Rectification:
    case = begin_case(case, actor=actor, action="order_rectification", version=version)
    if deadline <= local_today():
        raise field_error("deadline", _("The deadline must be after today."))
    order = Rectification.objects.create(case=case, deadline=deadline, items=items, issued_by=actor)
    deadlines.open_reinspection(case, order)
    finish(
        case,
        actor=actor,
        action="order_rectification",
        data={"order": order.pk, "deadline": deadline.isoformat(), "items": items},
    )
    return order


@action
def verify_rectification(
    case: Case, *, actor: User, order: int, passed: bool, note: str = "", version: int | None = None
) -> Rectification:
    """复查: the order is complied with, or it failed."""
    case = begin_case(case, actor=actor, action="verify_rectification", version=version)
    rectification = one_of(
        case.rectifications.select_for_update(), order, "order", _("No such rectification order in this case.")
    )
    if rectification.status != RectificationStatus.ISSUED:
        raise Conflict(Code.INVALID_TRANSITION, _("This rectification order has already been re-inspected."))
    if not passed and local_today() <= rectification.deadline:
        # 逾期未改正 (安全生产法 第97条): not rectified when the period has run out, never before.
        raise Conflict(
            Code.INVALID_TRANSITION,
            _("The party has until %(day)s to rectify: it can be found not rectified only after that day.")
            % {"day": rectification.deadline.isoformat()},
        )
    rectification.comply(note) if passed else rectification.fail(note)
    rectification.save()
    deadlines.meet(steps=("reinspect",), by="verify_rectification", rectification=rectification)
    finish(
        case,
        actor=actor,
        action="verify_rectification",
        data={"order": rectification.pk, "passed": passed, "note": note},
    )
    return rectification


@action
def lift_suspension(
    case: Case, *, actor: User, suspension: int, note: str = "", version: int | None = None
) -> Suspension:
    case = begin_case(case, actor=actor, action="lift_suspension", version=version)
    record = one_of(
        case.suspensions.select_for_update(), suspension, "suspension", _("No such suspension in this case.")
    )
    if record.status != SuspensionStatus.IN_FORCE:
        raise Conflict(Code.INVALID_TRANSITION, _("This suspension has already been lifted."))
    record.lift(note)
    record.save()
    finish(case, actor=actor, action="lift_suspension", data={"suspension": record.pk, "note": note})
    return record


def check_fine(
    case: Case,
    *,
    legal_basis: str,
    amount: Decimal | None,
    person: int | None,
    finding: int | None,
    day: datetime.date,
    fining: bool = True,
    day_stated: bool = True,
) -> tuple[LegalBasis, Person | None, Finding | None]:
    """A penalty the law allows: the basis in force on the day of the act, reaching this party or
    person, applied by this kind of agency, its condition met, the amount in its range, the act one
    it punishes and — when it fines — not fined before, in this case or another (一事不再罚款).
    Refusals: 400, 409 same_act."""
    if day > local_today():
        raise field_error("violation_date", _("The violation cannot be in the future."))
    basis = _basis_in_force(legal_basis, day)
    fined = None
    if basis.fined == LegalBasis.Fined.PERSON:
        if person is None:
            raise field_error("person", _("%(code)s fines a person: name the person.") % {"code": basis.code})
        fined = one_of(case.persons.all(), person, "person", _("This person is not in the case."))
    elif person is not None:
        raise field_error("person", _("%(code)s fines the party, not a person.") % {"code": basis.code})
    _check_basis_applies(case, basis, fined)
    if amount is not None:
        if amount <= 0:
            raise field_error("amount", _("A fine is an amount above zero."))
        if not (basis.min_amount <= amount <= basis.max_amount):
            raise field_error(
                "amount",
                _("%(code)s allows a fine from %(min)s to %(max)s yuan.")
                % {"code": basis.code, "min": f"{basis.min_amount:,.2f}", "max": f"{basis.max_amount:,.2f}"},
            )
    act = None
    if finding is not None:
        act = one_of(case.findings.all(), finding, "finding", _("This finding is not in the case."))
        if basis.finding_kinds and act.kind not in basis.finding_kinds:
            raise field_error(
                "legal_basis",
                _("%(code)s punishes %(kinds)s, not %(kind)s: choose the provision of this act.")
                % {
                    "code": basis.code,
                    "kinds": "、".join(str(FindingKind(k).label) for k in basis.finding_kinds),
                    "kind": act.get_kind_display(),
                },
            )
    if fining:
        _check_same_act(case, basis, fined, act)
        _check_same_act_elsewhere(case, basis, fined, day if day_stated else None)
    return basis, fined, act


def _basis_in_force(code: str, day: datetime.date) -> LegalBasis:
    """The version of a basis in force on the day of the act, or a 400 that says when it was."""
    basis = LegalBasis.in_force(code, day)
    if basis is not None:
        return basis
    versions = LegalBasis.objects.filter(code=code).order_by("valid_from")
    message = _("No legal basis %(code)s was in force on %(day)s.") % {"code": code, "day": day.isoformat()}
    if versions:
        spans = "; ".join(
            f"{v.valid_from.isoformat()}–{v.valid_to.isoformat() if v.valid_to else ''}" for v in versions
        )
        message += " " + _(
            "It was in force %(spans)s: an act after that takes the provision that replaced it (an administrator "
            "enters it under legal bases once its text is adopted)."
        ) % {"spans": spans}
    raise field_error("legal_basis", message)


def _check_basis_applies(case: Case, basis: LegalBasis, person: Person | None) -> None:
    """The provision reaches this party or person, is applied by this agency, and its condition
    holds (LEGAL.md §3: 第97条 fines 生产经营单位, its person fine the managers after 逾期未改正)."""
    if basis.agency_kinds and case.agency.kind not in basis.agency_kinds:
        raise field_error(
            "legal_basis",
            _("%(code)s is applied by %(kinds)s, not by %(agency)s.")
            % {
                "code": basis.code,
                "kinds": "、".join(str(Agency.Kind(k).label) for k in basis.agency_kinds),
                "agency": case.agency.name,
            },
        )
    roles = [r for r in basis.applies_to if r in PersonRole.values]
    parties = [k for k in basis.applies_to if k in PartyKind.values]
    if person is not None and parties and case.party_kind not in parties:
        raise field_error(
            "person",
            _("%(code)s fines the managers of %(kinds)s, not of a %(kind)s.")
            % {
                "code": basis.code,
                "kinds": "、".join(str(PartyKind(k).label) for k in parties),
                "kind": case.get_party_kind_display(),
            },
        )
    if basis.applies_to:
        if person is not None and roles and person.role not in roles:
            raise field_error(
                "person",
                _("%(code)s fines %(roles)s, not a %(role)s.")
                % {
                    "code": basis.code,
                    "roles": "、".join(str(PersonRole(r).label) for r in roles),
                    "role": person.get_role_display(),
                },
            )
        if person is None and parties and case.party_kind not in parties:
            raise field_error(
                "legal_basis",
                _("%(code)s applies to %(kinds)s, not to a %(kind)s.")
                % {
                    "code": basis.code,
                    "kinds": "、".join(str(PartyKind(k).label) for k in parties),
                    "kind": case.get_party_kind_display(),
                },
            )
    failed = RectificationStatus.FAILED
    if (
        basis.condition == BasisCondition.FAILED_RECTIFICATION
        and not case.rectifications.filter(status=failed).exists()
    ):
        raise field_error(
            "legal_basis",
            _("%(code)s applies after a failed rectification (逾期未改正): verify the rectification order first.")
            % {"code": basis.code},
        )


def _check_same_act(case: Case, basis: LegalBasis, person: Person | None, finding: Finding | None) -> None:
    """一事不再罚款 (行政处罚法 第29条): one fine for one illegal act of one party or person, whatever
    the provision. Failing to rectify is an act of its own (the 逾期未改正 provisions)."""
    earlier = case.fines.filter(person=person, finding=finding).select_related("legal_basis")
    same = [f for f in earlier if f.legal_basis.condition == basis.condition]
    if same:
        raise Conflict(
            Code.SAME_ACT,
            _(
                "This act was already fined (fine %(fine)s under %(code)s): no second fine for the same illegal "
                "act (行政处罚法 第29条). Name the finding of another act, if it is one."
            )
            % {"fine": same[0].pk, "code": same[0].legal_basis.code},
        )
    pending = case.penalties.filter(
        person=person, finding=finding, status__in=PENALTY_PENDING, fine__isnull=True, amount__isnull=False
    ).select_related("legal_basis")
    underway = [p for p in pending if p.legal_basis is not None and p.legal_basis.condition == basis.condition]
    if underway:
        raise Conflict(
            Code.SAME_ACT,
            _(
                "A fine for this act is already on its way (penalty %(penalty)s under %(code)s): no second fine for "
                "the same illegal act (行政处罚法 第29条)."
            )
            % {"penalty": underway[0].pk, "code": underway[0].legal_basis.code},  # type: ignore[union-attr]
        )


def _check_same_act_elsewhere(case: Case, basis: LegalBasis, person: Person | None, day: datetime.date | None) -> None:
    """一事不再罚款 across cases: the same party (credit code or ID) or person (ID), the same kind of
    act (the provision's condition), on the same day, fined or being fined in another case. A day
    not stated (None) tells no two acts apart: any such fine of the subject is the same act until
    the day of this one is given."""
    if person is not None:
        if not person.id_hash:
            return
        same_subject = Q(person__id_hash=person.id_hash)
    elif case.party_credit_code:
        same_subject = Q(person__isnull=True, case__party_credit_code=case.party_credit_code)
    elif case.party_id_hash:
        same_subject = Q(person__isnull=True, case__party_id_hash=case.party_id_hash)
    else:
        return
    condition = Q(legal_basis__condition=basis.condition)
    if day is not None:
        condition &= Q(violation_date=day)
    fined = Fine.objects.filter(same_subject, condition).exclude(case=case).select_related("case").first()
    underway = (
        Penalty.objects.filter(same_subject, condition, status__in=PENALTY_PENDING, amount__isnull=False)
        .exclude(case=case)
        .select_related("case")
        .first()
    )
    other = fined.case if fined is not None else underway.case if underway is not None else None
    if other is None:
        return
    where = other.number if other.agency_id == case.agency_id else _("a case of another agency")
    if day is None:
        raise Conflict(
            Code.SAME_ACT,
            _(
                "This party is already fined or being fined for an act of this kind in %(case)s: no second fine for "
                "the same illegal act (行政处罚法 第29条). If this is another act, give the day it was committed "
                "(violation_date)."
            )
            % {"case": where},
        )
    raise Conflict(
        Code.SAME_ACT,
        _(
            "The same act of %(day)s is already fined or being fined in %(case)s: no second fine for the same "
            "illegal act (行政处罚法 第29条)."
        )
        % {"day": day.isoformat(), "case": where},
    )


def _unpaid_fine(case: Case, fine: int) -> Fine:
    record = one_of(case.fines.select_for_update(), fine, "fine", _("No such fine in this case."))
    if record.status == FineStatus.PAID:
        raise Conflict(Code.INVALID_TRANSITION, _("This fine has already been paid."))
    return record


def served_day(
    day: datetime.date, field: str, after: datetime.date, after_what: str, *, future: str | None = None
) -> None:
    """A day a paper reached the party (or, `future` naming it, the party's own statement or request):
    not in the future, not before what it follows."""
    if future is not None:
        if day > local_today():
            raise field_error(field, _("%(what)s cannot be dated in the future.") % {"what": future})
        if day < after:
            raise field_error(
                field,
                _("%(what)s cannot be dated before %(after)s (%(day)s).")
                % {"what": future, "after": after_what, "day": after.isoformat()},
            )
        return
    if day > local_today():
        raise field_error(field, _("The day of service cannot be in the future."))
    if day < after:
        raise field_error(
            field,
            _("The day of service cannot be before %(what)s (%(day)s).")
            % {"what": after_what, "day": after.isoformat()},
        )


@action
def issue_demand(case: Case, *, actor: User, fine: int, served_on: datetime.date, version: int | None = None) -> Fine:
    """催告 (行政强制法 第54条): after the period to pay, a written demand; the court may be asked
    once more than 10 days have passed since it was served."""
    case = begin_case(case, actor=actor, action="issue_demand", version=version)
    record = _unpaid_fine(case, fine)
    if record.due_on is None:
        raise Conflict(Code.INVALID_TRANSITION, _("Record the service of the decision first."))
    if local_today() <= record.due_on:
        raise Conflict(
            Code.INVALID_TRANSITION,
            _("The fine is payable until %(day)s; a demand comes after that.") % {"day": record.due_on.isoformat()},
        )
    if record.demand_served_on is not None:
        raise Conflict(
            Code.INVALID_TRANSITION,
            _("A demand was already served on %(day)s.") % {"day": record.demand_served_on.isoformat()},
        )
    served_day(served_on, "served_on", record.due_on + datetime.timedelta(days=1), _("the end of the period to pay"))
    record.demand_served_on = served_on
    record.save(update_fields=["demand_served_on"])
    deadlines.meet(steps=("fine_payment",), by="issue_demand", fine=record)
    finish(case, actor=actor, action="issue_demand", data={"fine": record.pk, "served_on": served_on.isoformat()})
    return record


@action
def record_payment(
    case: Case,
    *,
    actor: User,
    fine: int,
    amount: Decimal,
    paid_on: datetime.date | None = None,
    version: int | None = None,
) -> Fine:
    """The fine and any late penalty to the day it was paid are paid in full (partial payment and
    instalments, 行政处罚法 第66条, need a separate approval)."""
    case = begin_case(case, actor=actor, action="record_payment", version=version)
    record = _unpaid_fine(case, fine)
    day = paid_on or local_today()
    if day > local_today():
        raise field_error("paid_on", _("A payment cannot be dated in the future."))
    if day < record.decided_on:
        raise field_error(
            "paid_on", _("A payment cannot be dated before the decision (%(day)s).") % {"day": record.decided_on}
        )
    due = record.amount_due(day)
    if amount != due:
        raise field_error(
            "amount",
            _("The amount due on %(day)s is %(due)s yuan (fine %(fine)s + late penalty %(penalty)s).")
            % {
                "day": day.isoformat(),
                "due": f"{due:,.2f}",
                "fine": f"{record.amount:,.2f}",
                "penalty": f"{record.late_penalty(day):,.2f}",
            },
        )
    from_status = record.status
    record.pay(amount, on=day)
    record.save()
    deadlines.meet(steps=("fine_payment", "fine_enforcement"), by="record_payment", fine=record)
    finish(
        case,
        actor=actor,
        action="record_payment",
        data={"fine": record.pk, "amount": str(amount), "paid_on": day.isoformat(), "from": from_status},
    )
    return record


def enforcement_refusal(fine: Fine, now: datetime.datetime) -> str:
    """Why the court may not be asked to enforce this fine now (行政强制法 第53条、第54条), or ""."""
    if fine.status != FineStatus.DECIDED:
        return _("Enforcement can only be requested for a decided, unpaid fine.")
    if fine.served_on is None:
        return _("Record the service of the decision first: the periods run from it.")
    if fine.demand_served_on is None:
        return _("Serve a written demand (催告) first; the court may be asked more than 10 days after it.")
    opens = fine.enforcement_opens_on
    if opens is not None and timezone.localdate(now) < opens:
        return _(
            "The court may be asked from %(day)s: the party may still contest the decision (6 months from service) "
            "or the 10 days after the demand have not passed."
        ) % {"day": opens.isoformat()}
    return ""


@action
def request_enforcement(case: Case, *, actor: User, fine: int, version: int | None = None) -> Fine:
    """申请法院强制执行 (行政强制法 第53条): within the 3 months after the party's periods to contest
    the decision have run out, more than 10 days after a 催告; after those 3 months, never."""
    case = begin_case(case, actor=actor, action="request_enforcement", version=version)
    record = one_of(case.fines.select_for_update(), fine, "fine", _("No such fine in this case."))
    now = timezone.now()
    refusal = enforcement_refusal(record, now)
    if refusal:
        raise Conflict(Code.INVALID_TRANSITION, refusal)
    closes = record.enforcement_closes_at
    if closes is not None and closes <= now:
        raise Conflict(
            Code.DEADLINE_PASSED,
            _("The 3 months to apply to the court ended at %(due)s (行政强制法 第53条).") % {"due": legal_time(closes)},
        )
    record.request_enforcement()
    record.save()
    deadlines.meet(steps=("fine_enforcement",), by="request_enforcement", fine=record)
    finish(case, actor=actor, action="request_enforcement", data={"fine": record.pk})
    return record


def receivers(kind: str, region: Region) -> models.QuerySet[Agency]:
    """The agencies of `kind` that may receive a matter of `region`: those whose region is it or
    lies above it (the city's office, the province's), never another city's."""
    return Agency.objects.filter(kind=kind, region__in=region.ancestor_codes()).order_by("-region__code")


def receiving_agency(slug: str, kind: str, region: Region, *, field: str, not_kind: str) -> Agency:
    """The agency named by `slug` if it is of `kind` and covers `region`; else 400 on `field`."""
    agency = Agency.objects.filter(slug=slug, kind=kind).select_related("region").first()
    if agency is None:
        raise field_error(field, not_kind % {"slug": slug})
    if not region.path.startswith(agency.region.path):
        raise field_error(
            field,
            _("%(agency)s has no jurisdiction over %(region)s: choose one of %(choices)s.")
            % {
                "agency": agency.name,
                "region": region.name,
                "choices": "、".join(a.name for a in receivers(kind, region)) or "—",
            },
        )
    return agency


@action
def request_takedown(case: Case, *, actor: User, url: str, agency: str, version: int | None = None) -> Takedown:
    """A website to block, asked of a cyberspace office over the case's region (its city's or the province's)."""
    case = begin_case(case, actor=actor, action="request_takedown", version=version)
    office = receiving_agency(
        agency,
        Agency.Kind.CYBERSPACE,
        case.region,
        field="agency",
        not_kind=_("%(slug)s is not a cyberspace office."),
    )
    takedown = Takedown.objects.create(case=case, url=url, agency=office, requested_by=actor)
    finish(
        case, actor=actor, action="request_takedown", data={"takedown": takedown.pk, "url": url, "agency": office.slug}
    )
    announce(CASE_ACTIONS["request_takedown"].announces, case=case, takedown=takedown)
    return takedown


def _begin_takedown(takedown: Takedown, actor: User, name: str) -> tuple[Case, Takedown]:
    case = lock(takedown.case_id)
    takedown = Takedown.objects.select_for_update(of=("self",)).get(pk=takedown.pk)
    if not jurisdiction.is_staff_of(actor, takedown.agency_id):
        raise PermissionDenied(_("Only the cyberspace office asked can decide on this takedown."))
    if not TAKEDOWN_ACTIONS[name].possible(takedown):
        raise Conflict(Code.INVALID_TRANSITION, _("This takedown has already been decided."))
    return case, takedown


def _finish_takedown(case: Case, takedown: Takedown, actor: User, action: str, note: str) -> None:
    takedown.save()
    finish(
        case,
        actor=actor,
        action=action,
        agency=takedown.agency,
        from_status=TakedownStatus.REQUESTED,
        to_status=takedown.status,
        data={"takedown": takedown.pk, "note": note},
    )


@action
def block_takedown(takedown: Takedown, *, actor: User, note: str = "") -> Takedown:
    case, takedown = _begin_takedown(takedown, actor, "block")
    takedown.block(by=actor, note=note)
    _finish_takedown(case, takedown, actor, "block_takedown", note)
    return takedown


@action
def refuse_takedown(takedown: Takedown, *, actor: User, reason: str) -> Takedown:
    case, takedown = _begin_takedown(takedown, actor, "refuse")
    takedown.refuse(by=actor, reason=reason)
    _finish_takedown(case, takedown, actor, "refuse_takedown", reason)
    return takedown


# --- what the caller may run now ------------------------------------------------------------


def _has(items: Iterable[Any], status: str) -> bool:
    return any(item.status == status for item in items)


def _in_procedure(fine: Fine, case: Case) -> bool:
    """The fine was imposed by a penalty decision: it is served with that decision."""
    return any(p.fine_id == fine.pk for p in case.penalties.all())


def _party_still_heard(penalty: Penalty) -> bool:
    """The party's own periods after the notice still run (over prefetched statements and deadlines)."""
    ends = party_heard_until(penalty)
    return ends is not None and ends > timezone.now()


def _decidable(penalty: Penalty) -> bool:
    return (
        penalty.status in (PenaltyStatus.NOTIFIED, PenaltyStatus.HEARD)
        and not _party_still_heard(penalty)
        and (not penalty.hearing_right or penalty.reviewed_at is not None)
    )


# The statuses in which the party is being heard (its statements are recorded).
HEARING_STATUSES = (
    PenaltyStatus.NOTIFIED,
    PenaltyStatus.HEARING_REQUESTED,
    PenaltyStatus.HEARING_SCHEDULED,
    PenaltyStatus.HEARD,
)


# Extra preconditions on top of the rule table, over prefetched relations (no queries per row).
_PRECONDITIONS: dict[str, Callable[[Case, User], bool]] = {
    "verify_rectification": lambda c, _u: _has(c.rectifications.all(), RectificationStatus.ISSUED),
    "lift_suspension": lambda c, _u: _has(c.suspensions.all(), SuspensionStatus.IN_FORCE),
    "record_payment": lambda c, _u: any(f.status != FineStatus.PAID for f in c.fines.all()),
    "serve_decision": lambda c, _u: (
        _has(c.penalties.all(), PenaltyStatus.DECIDED)
        or any(f.status != FineStatus.PAID and f.served_on is None and not _in_procedure(f, c) for f in c.fines.all())
    ),
    "approve_penalty": lambda c, _u: _has(c.penalties.all(), PenaltyStatus.PROPOSED),
    "notify_penalty": lambda c, _u: _has(c.penalties.all(), PenaltyStatus.APPROVED),
    "record_statement": lambda c, _u: any(p.status in HEARING_STATUSES for p in c.penalties.all()),
    "request_hearing": lambda c, _u: any(
        p.status == PenaltyStatus.NOTIFIED and p.hearing_right for p in c.penalties.all()
    ),
    "schedule_hearing": lambda c, _u: _has(c.penalties.all(), PenaltyStatus.HEARING_REQUESTED),
    # The presiding officer alone records the hearing; a member who did not investigate reviews.
    "record_hearing": lambda c, u: any(
        p.status == PenaltyStatus.HEARING_SCHEDULED and p.hearing_officer_id == u.pk for p in c.penalties.all()
    ),
    "review_penalty": lambda c, u: (
        jurisdiction.is_legal_reviewer_of(u, c.agency_id)
        and not is_handler(u, c)
        and not jurisdiction.is_head_of(u, c.agency_id)
        and any(
            p.status in (PenaltyStatus.NOTIFIED, PenaltyStatus.HEARD)
            and p.hearing_right
            and p.reviewed_at is None
            and p.proposed_by_id != u.pk
            and not _party_still_heard(p)
            for p in c.penalties.all()
        )
    ),
    "decide_penalty": lambda c, _u: any(_decidable(p) for p in c.penalties.all()),
    "issue_demand": lambda c, _u: any(
        f.status != FineStatus.PAID and f.due_on and local_today() > f.due_on and not f.demand_served_on
        for f in c.fines.all()
    ),
    "request_enforcement": lambda c, _u: any(not enforcement_refusal(f, timezone.now()) for f in c.fines.all()),
    "propose_referral": lambda c, _u: any(unreferred(c)),
    "approve_correction": lambda c, _u: c.corrections.filter(status="proposed").exists(),
    "endorse_correction": lambda c, _u: c.corrections.filter(status="endorsement").exists(),
    "extend_decision_period": lambda c, _u: c.deadlines.filter(step="decide_penalty", met_at__isnull=True).exists(),
    "close": lambda c, _u: not any(uncovered(c)) and not open_measures(c),
}


def available_actions(case: Case, user: User) -> list[str]:
    """The case actions this user may run now: permitted, in the right state, with something to act on."""
    names: list[str] = []
    for name, rule in CASE_ACTIONS.items():
        if rule.possible(case) and may(user, case, name):
            check = _PRECONDITIONS.get(name)
            if check is None or check(case, user):
                names.append(name)
    return names
