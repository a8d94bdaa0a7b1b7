"""The administrative penalty procedure (行政处罚法 2021, LEGAL.md §3): one function per action.

A handler proposes (`propose_penalty`), the head approves — never the proposer — or starts the
procedure himself (`impose_fine`, `suspend_production`, the API's original paths); the advance
notice (事先告知书, 第44条) is served and the party heard (陈述、申辩, 第45条; a hearing where 第63条
gives the right, requested within 5 working days, notified 7 working days ahead, presided over by
someone who did not investigate, 第64条、第85条); the head decides (第57条) within the 90 days of
第60条, never more heavily than notified; the decision is served (第61条) and the periods to pay and
to contest run from its service. Each function locks the case, checks, changes, meets and opens
the deadlines, moves the penalty's workflow task and appends one event, in one transaction.
"""

import datetime
import re
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

from agencies import jurisdiction
from agencies.models import Agency
from cases.actions import HEARING_STATUSES, check_fine, one_of, served_day
from cases.kinds import HEARING_FINE_PERSON, HEARING_FINE_UNIT, HEARING_NOTICE_WORKING_DAYS, FindingKind, PersonRole
from cases.models import (
    Case,
    DocumentSequence,
    Finding,
    Fine,
    FineStatus,
    LegalBasis,
    Penalty,
    PenaltyStatement,
    PenaltyStatus,
    Person,
    ServiceMethod,
    Suspension,
    local_today,
)
from cases.protocol import action, announce, begin_case, finish
from cases.rules import CASE_ACTIONS
from core.calendar import LEGAL_TZ, Period, is_working_day, last_day, legal_time
from core.errors import Code, Conflict, field_error

from . import deadlines, penalty_flow
from .penalty_periods import PARTY_PERIODS, party_heard_until, waived

P = PenaltyStatus

# 第64条第三项: the only reasons a hearing is not held in public.
PRIVATE_HEARING = {"state_secret": "国家秘密", "business_secret": "商业秘密", "privacy": "个人隐私"}

# 民事诉讼法 第95条 (applied by 行政处罚法 第61条): 公告送达 counts as done 30 days after publication.
PUBLIC_NOTICE_DAYS = 30

# The paper kinds and the character of their formal number (穗应急罚告〔2018〕3号 …).
NUMBER_MARKS = {"notice": "罚告", "hearing": "听告", "decision": "罚"}


def next_number(agency: Agency, kind: str, year: int) -> str:
    """The paper's formal number, next in the agency's series of the year; a rollback returns it."""
    try:
        with transaction.atomic():
            DocumentSequence.objects.get_or_create(agency=agency, year=year, kind=kind)
    except IntegrityError:  # created by a concurrent transaction a moment ago
        pass
    seq = DocumentSequence.objects.select_for_update().get(agency=agency, year=year, kind=kind)
    seq.last += 1
    seq.save(update_fields=["last"])
    return f"{agency.abbreviation or agency.name}{NUMBER_MARKS[kind]}〔{year}〕{seq.last}号"


def _midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(), tzinfo=LEGAL_TZ)


def hearing_right(case: Case, *, amount: Decimal | None, suspension: bool, person: bool) -> bool:
    """第63条: 责令停产停业 always; a fine of 较大数额 (the threshold for a person or a unit)."""
    if suspension:
        return True
    if amount is None:
        return False
    individual = person or case.party_kind == "individual"
    return amount >= (HEARING_FINE_PERSON if individual else HEARING_FINE_UNIT)


def needs_review(penalty: Penalty) -> bool:
    """法制审核 (第58条) and 集体讨论 (第57条第二款) before the decision: for the penalties that bear
    on the party's substantial rights (停产停业, 较大数额 — those with a hearing right)."""
    return penalty.hearing_right


def deemed_served(day: datetime.date, method: str) -> datetime.date:
    """The day a paper counts as served: 公告送达 30 days after its publication (民事诉讼法 第95条,
    which 行政处罚法 第61条 applies); any other way, the day it reached the party."""
    return day + datetime.timedelta(days=PUBLIC_NOTICE_DAYS) if method == ServiceMethod.PUBLIC_NOTICE else day


def _check_service(method: str, consent: bool, note: str = "") -> None:
    if method == ServiceMethod.PUBLIC_NOTICE and not note.strip():
        raise field_error(
            "note",
            _(
                "Service by public notice is the last resort, when the party cannot be found or served any other way "
                "(民事诉讼法 第95条): record the attempts that failed."
            ),
        )
    if method == ServiceMethod.ELECTRONIC and not consent:
        raise field_error(
            "consent",
            _(
                "Electronic service needs the party's consent and its signed confirmation of the address "
                "(行政处罚法 第61条第二款): record that it consented, or serve another way."
            ),
        )


def addressee_of(penalty: Penalty) -> dict[str, str]:
    """The party or person a paper is addressed to, as the records read now (kept on service)."""
    if penalty.person is not None:
        p = penalty.person
        return {"name": p.name, "id_label": p.id_label, "id_number": p.id_number, "person": str(p.pk)}
    case = penalty.case
    return {
        "name": case.party_name,
        "kind": case.party_kind,
        "credit_code": case.party_credit_code,
        "id_number": case.party_id_number,
        "address": case.party_address,
        "representative": case.party_representative,
    }


def _penalty(case: Case, pk: int, *statuses: str) -> Penalty:
    record = one_of(case.penalties.select_for_update(), pk, "penalty", _("No such penalty in this case."))
    if statuses and record.status not in statuses:
        raise Conflict(
            Code.INVALID_TRANSITION,
            _("This penalty is %(status)s.") % {"status": record.get_status_display()},
        )
    return record


def _summary(penalty: Penalty) -> dict[str, Any]:
    return {
        "penalty": penalty.pk,
        "kinds": penalty.kinds,
        "amount": str(penalty.amount) if penalty.amount is not None else None,
        "legal_basis": penalty.legal_basis.code if penalty.legal_basis else "",
        "person": penalty.person_id,
        "finding": penalty.finding_id,
        "violation_date": penalty.violation_date.isoformat(),
        "status": penalty.status,
    }


def _violation_day(case: Case, given: datetime.date | None, act: Finding | None) -> tuple[datetime.date, bool]:
    """The day of the act, and whether it was stated. Not stated (the API's original paths): the day
    it was found — the finding's, else 立案 — never silently today. 第36条: an act found more than
    two years after it was committed is not penalised (a continuing act counts from its end)."""
    if given is not None:
        day, stated = given, True
    elif act is not None:
        day, stated = timezone.localdate(act.recorded_at), False
    else:
        day, stated = timezone.localdate(case.opened_at) if case.opened_at else local_today(), False
    if day > local_today():
        raise field_error("violation_date", _("The violation cannot be in the future."))
    found = timezone.localdate(case.opened_at) if case.opened_at else local_today()
    try:
        two_years = found.replace(year=found.year - 2)
    except ValueError:  # 29 February
        two_years = found.replace(year=found.year - 2, day=28)
    if day < two_years:
        raise field_error(
            "violation_date",
            _(
                "An act found more than two years after it was committed is no longer penalised (行政处罚法 "
                "第36条; a continuing act counts from the day it ended: give that day)."
            ),
        )
    return day, stated


def _suspending_basis(case: Case, day: datetime.date) -> str:
    """The provision that orders 责令停产停业整顿 for this party on the day of the act."""
    codes = {
        b.code
        for b in LegalBasis.objects.filter(suspends=True, valid_from__lte=day).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=day)
        )
        if not b.applies_to or case.party_kind in b.applies_to
    }
    if len(codes) != 1:
        raise field_error(
            "legal_basis",
            _("A suspension of production is ordered under a legal basis (行政处罚法 第38条): choose it."),
        )
    return codes.pop()


def _check_act_found(case: Case, basis: LegalBasis, person: Person | None, act: Finding | None) -> None:
    """The provision punishes an act the case holds: named, or among the subject's findings (行政处罚法
    第40条: no penalty where the facts are not established)."""
    if act is not None or not basis.finding_kinds:
        return
    # A unit answers for its workers' acts (第97条, 30号令 第40条), and its managers with it (第97条's
    # person fine); a worker for its own (30号令 第41条).
    own = person is not None and PersonRole.RESPONSIBLE not in basis.applies_to
    found = [f for f in case.findings.all() if not own or f.person_id == person.pk]  # type: ignore[union-attr]
    if not any(f.kind in basis.finding_kinds for f in found):
        raise field_error(
            "finding",
            _(
                "%(code)s punishes %(kinds)s, and no such act of %(who)s is recorded in the case: record the "
                "finding first (行政处罚法 第40条)."
            )
            % {
                "code": basis.code,
                "kinds": "、".join(str(FindingKind(k).label) for k in basis.finding_kinds),
                "who": person.name if person else case.party_name,
            },
        )


def _check_basis_still_fits(penalty: Penalty) -> None:
    """After a correction of the finding's kind, the provision may no longer punish it."""
    basis, act = penalty.legal_basis, penalty.finding
    if basis is not None and act is not None and basis.finding_kinds and act.kind not in basis.finding_kinds:
        raise Conflict(
            Code.INVALID_TRANSITION,
            _(
                "The finding of this act is now %(kind)s, which %(code)s does not punish: refuse this penalty and "
                "propose one under the provision of the act."
            )
            % {"kind": act.get_kind_display(), "code": basis.code},
        )


def _default_facts(case: Case, act: Finding | None) -> str:
    """The facts of the API's original paths, from the finding of the act (its kind and note)."""
    findings = [act] if act is not None else [f for f in case.findings.all() if f.person_id is None]
    # Kept on the penalty and printed on its papers: in the offices' language, whoever's request.
    with translation.override(settings.LANGUAGE_CODE):
        text = "；".join(f.get_kind_display() + (f"（{f.note}）" if f.note else "") for f in findings)
    return text or case.summary


def _start(
    case: Case,
    *,
    actor: User,
    action_name: str,
    facts: str,
    kinds: list[str],
    amount: Decimal | None,
    legal_basis: str,
    person: int | None,
    finding: int | None,
    violation_date: datetime.date | None,
    starts_on: datetime.date | None,
    decision_number: str = "",
    approved: bool,
) -> Penalty:
    """Check a proposed penalty against its basis and open its procedure (and its workflow)."""
    chosen = set(kinds)
    if not chosen:
        raise field_error("kinds", _("Choose at least one penalty: a warning, a fine or a suspension."))
    fine, suspension = "fine" in chosen, "suspension" in chosen
    if fine and amount is None:
        raise field_error("amount", _("A fine needs its amount."))
    if not fine and amount is not None:
        raise field_error("amount", _("An amount is given only with a fine."))
    if suspension:
        if starts_on is None:
            raise field_error("starts_on", _("Say from when production is suspended."))
        if starts_on < local_today():
            raise field_error("starts_on", _("A suspension cannot start in the past."))
    elif starts_on is not None:
        raise field_error("starts_on", _("A start day is given only with a suspension."))
    act = one_of(case.findings.all(), finding, "finding", _("This finding is not in the case.")) if finding else None
    day, stated = _violation_day(case, violation_date, act)
    if not legal_basis:
        if not suspension:
            raise field_error(
                "legal_basis", _("A penalty is imposed under a legal basis (行政处罚法 第38条): choose it.")
            )
        legal_basis = _suspending_basis(case, day)
    basis, fined, act = check_fine(
        case,
        legal_basis=legal_basis,
        amount=amount,
        person=person,
        finding=finding,
        day=day,
        fining=fine,
        day_stated=stated,
    )
    _check_act_found(case, basis, fined, act)
    if basis.warning:  # 30号令 第40、41条: 警告 and a fine, together
        if not fine:
            raise field_error(
                "kinds",
                _("%(code)s imposes a warning together with a fine: choose the fine too.") % {"code": basis.code},
            )
        chosen.add("warning")
    elif "warning" in chosen:
        raise field_error("kinds", _("%(code)s provides no warning (行政处罚法 第38条).") % {"code": basis.code})
    if suspension and not basis.suspends:
        raise field_error(
            "kinds",
            _(
                "%(code)s orders no suspension of production: a suspension needs the provision that orders it "
                "(安全生产法 第97条: after a failed rectification, 逾期未改正)."
            )
            % {"code": basis.code},
        )
    if basis.suspends and not (suspension and fine):
        raise field_error(
            "kinds",
            _("%(code)s orders the suspension of production and the fine together (并处): give both.")
            % {"code": basis.code},
        )
    facts = (facts or "").strip() or _default_facts(case, act)
    now = timezone.now()
    penalty = Penalty.objects.create(
        case=case,
        status=P.APPROVED if approved else P.PROPOSED,
        legal_basis=basis,
        amount=amount,
        warning="warning" in chosen,
        suspension=suspension,
        suspension_starts_on=starts_on,
        person=fined,
        finding=act,
        facts=facts,
        violation_date=day,
        violation_date_stated=stated,
        hearing_right=hearing_right(case, amount=amount, suspension=suspension, person=fined is not None),
        proposed_by=actor,
        proposed_at=now,
        approved_by=actor if approved else None,
        approved_at=now if approved else None,
        notice_number=next_number(case.agency, "notice", local_today().year) if approved else "",
        decision_number=decision_number,
    )
    penalty_flow.start(penalty)
    finish(case, actor=actor, action=action_name, data=_summary(penalty) | {"facts": facts})
    return penalty


@action
def propose_penalty(
    case: Case,
    *,
    actor: User,
    kinds: list[str],
    facts: str,
    violation_date: datetime.date,
    legal_basis: str = "",
    amount: Decimal | None = None,
    person: int | None = None,
    finding: int | None = None,
    starts_on: datetime.date | None = None,
    version: int | None = None,
) -> Penalty:
    """A handler proposes a penalty on the facts found (第55条); the head approves it, never the proposer."""
    case = begin_case(case, actor=actor, action="propose_penalty", version=version)
    penalty = _start(
        case,
        actor=actor,
        action_name="propose_penalty",
        facts=facts,
        kinds=kinds,
        amount=amount,
        legal_basis=legal_basis,
        person=person,
        finding=finding,
        violation_date=violation_date,
        starts_on=starts_on,
        approved=False,
    )
    announce(CASE_ACTIONS["propose_penalty"].announces, case=case, penalty=penalty)
    return penalty


@action
def impose_fine(
    case: Case,
    *,
    actor: User,
    amount: Decimal,
    legal_basis: str,
    person: int | None = None,
    finding: int | None = None,
    decision_number: str = "",
    violation_date: datetime.date | None = None,
    facts: str = "",
    starts_on: datetime.date | None = None,
    version: int | None = None,
) -> Penalty:
    """The head starts the procedure of a fine (with its warning where the basis imposes one, with the
    suspension where it orders one): approved by him, it waits for its advance notice; nothing is
    payable before the decision is served."""
    case = begin_case(case, actor=actor, action="impose_fine", version=version)
    basis_suspends = LegalBasis.objects.filter(code=legal_basis, suspends=True).exists()
    return _start(
        case,
        actor=actor,
        action_name="impose_fine",
        facts=facts,
        kinds=["fine", "suspension"] if basis_suspends else ["fine"],
        amount=amount,
        legal_basis=legal_basis,
        person=person,
        finding=finding,
        violation_date=violation_date,
        starts_on=starts_on,
        decision_number=decision_number,
        approved=True,
    )


@action
def suspend_production(
    case: Case,
    *,
    actor: User,
    reason: str,
    starts_on: datetime.date,
    legal_basis: str = "",
    amount: Decimal | None = None,
    finding: int | None = None,
    violation_date: datetime.date | None = None,
    version: int | None = None,
) -> Penalty:
    """The head starts the procedure of a 责令停产停业整顿 under the provision that orders it (安全生产法
    第97条: after a failed rectification, with its fine): the party may ask for a hearing (第63条), and
    the order takes effect when its decision is served."""
    case = begin_case(case, actor=actor, action="suspend_production", version=version)
    return _start(
        case,
        actor=actor,
        action_name="suspend_production",
        facts=reason,
        kinds=["suspension", "fine"] if amount is not None else ["suspension"],
        amount=amount,
        legal_basis=legal_basis,
        person=None,
        finding=finding,
        violation_date=violation_date,
        starts_on=starts_on,
        approved=True,
    )


@action
def approve_penalty(
    case: Case, *, actor: User, penalty: int, approve: bool, note: str = "", version: int | None = None
) -> Penalty:
    """The head approves the proposal (the notice is then issued under its number) or refuses it."""
    case = begin_case(case, actor=actor, action="approve_penalty", version=version)
    record = _penalty(case, penalty, P.PROPOSED)
    if record.proposed_by_id == actor.pk:
        raise Conflict(
            Code.INVALID_TRANSITION, _("A proposal is approved by the head, never by the one who proposed it.")
        )
    if not approve and not note.strip():
        raise field_error("note", _("Say why the penalty is not approved."))
    if approve:
        _check_basis_still_fits(record)
        record.approve(by=actor, note=note, notice_number=next_number(case.agency, "notice", local_today().year))
    else:
        record.refuse(by=actor, note=note)
    record.save()
    penalty_flow.advance(record, actor)
    announce(
        CASE_ACTIONS["approve_penalty"].announces,
        case=case,
        penalty=record,
        answer=pgettext_lazy("penalty", "approved") if approve else gettext_lazy("not approved"),
        body=note,
    )
    finish(
        case,
        actor=actor,
        action="approve_penalty",
        data={"penalty": record.pk, "approve": approve, "note": note, "status": record.status},
    )
    return record


@action
def notify_penalty(
    case: Case,
    *,
    actor: User,
    penalty: int,
    served_on: datetime.date,
    method: str,
    consent: bool = False,
    note: str = "",
    version: int | None = None,
) -> Penalty:
    """事先告知 (第44条): the notice, numbered at approval, is served on the party. From its service
    the party may state its case, and where it has the right ask for a hearing within 5 working days
    (第64条、第85条); 公告送达 counts from 30 days after its publication."""
    case = begin_case(case, actor=actor, action="notify_penalty", version=version)
    record = _penalty(case, penalty, P.APPROVED)
    assert record.approved_at is not None
    served_day(served_on, "served_on", timezone.localdate(record.approved_at), _("the approval"))
    _check_service(method, consent, note)
    record.give_notice(served_on=served_on, how=method)
    record.as_served = record.as_served | {"notice": addressee_of(record)}
    record.save()
    deemed = deemed_served(served_on, method)
    data: dict[str, Any] = {
        "penalty": record.pk,
        "notice_number": record.notice_number,
        "served_on": served_on.isoformat(),
        "method": method,
        "deemed_served_on": deemed.isoformat(),
        "note": note,
    }
    # The party's periods: to state its case, and to ask for a hearing where 第63条 gives the right.
    for step in ("statement", "hearing_request") if record.hearing_right else ("statement",):
        opened = deadlines.open_deadline(case, step, starts_at=_midnight(deemed), penalty=record)
        data[f"{step}_until"] = opened.due_at.isoformat()
    penalty_flow.advance(record, actor)
    finish(case, actor=actor, action="notify_penalty", data=data)
    return record


@action
def record_statement(
    case: Case,
    *,
    actor: User,
    penalty: int,
    text: str,
    stated_on: datetime.date | None = None,
    waives: bool = False,
    waives_hearing: bool = False,
    version: int | None = None,
) -> PenaltyStatement:
    """陈述、申辩 (第45条): every statement of the party is recorded, as often as it makes one; it can
    never make the penalty heavier. `waives`: the party gives up the rest of its period to state its
    case; `waives_hearing`: it gives up its hearing, expressly (第63、64条)."""
    case = begin_case(case, actor=actor, action="record_statement", version=version)
    record = _penalty(case, penalty, *HEARING_STATUSES)
    if waives_hearing and not record.hearing_right:
        raise field_error("waives_hearing", _("This penalty carries no right to a hearing (行政处罚法 第63条)."))
    day = stated_on or local_today()
    assert record.notice_served_on is not None
    served_day(day, "stated_on", record.notice_served_on, _("the advance notice"), future=_("A statement"))
    statement = PenaltyStatement.objects.create(
        penalty=record, stated_on=day, text=text, waives=waives, waives_hearing=waives_hearing, recorded_by=actor
    )
    if waives:  # the party gives up the rest of its period: it ends here
        deadlines.meet(steps=("statement",), by="record_statement", penalty=record)
    if waives_hearing:
        deadlines.meet(steps=("hearing_request",), by="record_statement", penalty=record)
    if waives or waives_hearing:  # the tasks that waited for the party may come sooner
        penalty_flow.wait_for_party(record)
    finish(
        case,
        actor=actor,
        action="record_statement",
        data={
            "penalty": record.pk,
            "statement": statement.pk,
            "stated_on": day.isoformat(),
            "waives": waives,
            "waives_hearing": waives_hearing,
        },
    )
    return statement


@action
def request_hearing(
    case: Case, *, actor: User, penalty: int, requested_on: datetime.date | None = None, version: int | None = None
) -> Penalty:
    """The party asks for a hearing (第64条): within 5 working days of the notice (第85条), a last day
    on a rest day or a holiday moving to the next working day; after that, refused."""
    case = begin_case(case, actor=actor, action="request_hearing", version=version)
    record = _penalty(case, penalty, P.NOTIFIED)
    if not record.hearing_right:
        raise Conflict(
            Code.INVALID_TRANSITION,
            _("This penalty carries no right to a hearing (行政处罚法 第63条); the party states its case instead."),
        )
    if any(s.waives_hearing for s in record.statements.all()):
        raise Conflict(Code.INVALID_TRANSITION, _("The party waived its hearing on the record: no hearing follows."))
    day = requested_on or local_today()
    assert record.notice_served_on is not None
    served_day(day, "requested_on", record.notice_served_on, _("the advance notice"), future=_("A request"))
    period = record.deadlines.filter(step="hearing_request").order_by("-due_at").first()
    if period is not None and period.due_at <= _midnight(day):
        raise Conflict(
            Code.DEADLINE_PASSED,
            _("The 5 working days to ask for a hearing ended at %(due)s (行政处罚法 第64条、第85条).")
            % {"due": legal_time(period.due_at)},
        )
    record.request_hearing(on=day)
    record.save()
    deadlines.meet(steps=("hearing_request",), by="request_hearing", penalty=record)
    penalty_flow.advance(record, actor)
    announce(CASE_ACTIONS["request_hearing"].announces, case=case, penalty=record)
    finish(case, actor=actor, action="request_hearing", data={"penalty": record.pk, "requested_on": day.isoformat()})
    return record


@action
def schedule_hearing(
    case: Case,
    *,
    actor: User,
    penalty: int,
    at: datetime.datetime,
    place: str,
    officer: str,
    notified_on: datetime.date | None = None,
    public: bool = True,
    private_reason: str = "",
    version: int | None = None,
) -> Penalty:
    """听证通知书 (第64条): the agency designates the presiding officer — a member who did not
    investigate the case — and tells the party the time and place at least 7 working days ahead,
    and whether the hearing is public (第64条第三项)."""
    case = begin_case(case, actor=actor, action="schedule_hearing", version=version)
    record = _penalty(case, penalty, P.HEARING_REQUESTED)
    presiding = User.objects.filter(username=officer, is_active=True).first()
    if presiding is None or not jurisdiction.is_staff_of(presiding, case.agency_id):
        raise field_error(
            "officer", _("The hearing officer is an officer or the head of %(agency)s.") % {"agency": case.agency.name}
        )
    if presiding.pk in {h.pk for h in case.handlers.all()} or presiding.pk == record.proposed_by_id:
        raise field_error(
            "officer",
            _("The hearing is presided over by someone who did not investigate the case (行政处罚法 第64条)."),
        )
    if not public and private_reason not in PRIVATE_HEARING:
        raise field_error(
            "private_reason",
            _("A hearing is public unless it concerns state secrets, business secrets or privacy (第64条): say which."),
        )
    if public:
        private_reason = ""
    told = notified_on or local_today()
    assert record.hearing_requested_on is not None
    served_day(told, "notified_on", record.hearing_requested_on, _("the request for a hearing"))
    earliest = last_day(told, Period(HEARING_NOTICE_WORKING_DAYS, "working_days"))
    day = timezone.localtime(at, LEGAL_TZ).date()
    if day < earliest:
        raise field_error(
            "at",
            _(
                "The party is told 7 working days before the hearing (行政处罚法 第64条、第85条): the earliest day is "
                "%(day)s."
            )
            % {"day": earliest.isoformat()},
        )
    if not is_working_day(day):
        raise field_error(
            "at", _("%(day)s is a rest day or a holiday: hold the hearing on a working day.") % {"day": day}
        )
    record.schedule_hearing(
        number=next_number(case.agency, "hearing", local_today().year),
        at=at,
        place=place,
        officer=presiding,
        notified_on=told,
    )
    record.hearing_public, record.hearing_private_reason = public, private_reason.strip()
    record.save()
    penalty_flow.advance(record, actor)
    announce(
        CASE_ACTIONS["schedule_hearing"].announces,
        case=case,
        penalty=record,
        at=legal_time(at, chinese=True),
        body=place,
    )
    finish(
        case,
        actor=actor,
        action="schedule_hearing",
        data={
            "penalty": record.pk,
            "at": at.isoformat(),
            "place": place,
            "officer": presiding.username,
            "public": public,
            "notice_number": record.hearing_notice_number,
        },
    )
    return record


@action
def record_hearing(case: Case, *, actor: User, penalty: int, record: str, version: int | None = None) -> Penalty:
    """The hearing held and its record (听证笔录, 第64条): by its presiding officer, after its time. A
    legal review given before it is given again on the record of the hearing (第58条第二项)."""
    case = begin_case(case, actor=actor, action="record_hearing", version=version)
    held = _penalty(case, penalty, P.HEARING_SCHEDULED)
    if held.hearing_officer_id != actor.pk:
        raise Conflict(Code.INVALID_TRANSITION, _("The hearing is recorded by the officer who presided over it."))
    assert held.hearing_at is not None
    if timezone.now() < held.hearing_at:
        raise Conflict(
            Code.INVALID_TRANSITION,
            _("The hearing is set for %(at)s; record it once it was held.") % {"at": legal_time(held.hearing_at)},
        )
    held.record_hearing(record=record)
    held.reviewed_by, held.reviewed_at, held.review_opinion = None, None, ""
    held.save()
    penalty_flow.advance(held, actor)
    finish(case, actor=actor, action="record_hearing", data={"penalty": held.pk})
    return held


@action
def review_penalty(case: Case, *, actor: User, penalty: int, opinion: str, version: int | None = None) -> Penalty:
    """法制审核 (第58条): before a decision that bears on the party's substantial rights, a legal
    reviewer of the agency — not an investigator, not the head who decides — reviews the facts, the
    evidence, the procedure and the basis, once the party has been heard (and after a hearing, on its
    record)."""
    case = begin_case(case, actor=actor, action="review_penalty", version=version)
    record = _penalty(case, penalty, P.NOTIFIED, P.HEARD)
    if not needs_review(record):
        raise Conflict(Code.INVALID_TRANSITION, _("This penalty needs no legal review (行政处罚法 第58条)."))
    if not jurisdiction.is_legal_reviewer_of(actor, case.agency_id):
        raise Conflict(
            Code.INVALID_TRANSITION,
            _("The legal review is made by the agency's legal reviewers (法制审核人员, 行政处罚法 第58条)."),
        )
    investigators = {h.pk for h in case.handlers.all()} | {record.proposed_by_id}
    if actor.pk in investigators or jurisdiction.is_head_of(actor, case.agency_id):
        raise Conflict(
            Code.INVALID_TRANSITION,
            _(
                "The legal review is made by someone who neither investigated the case nor decides it (行政处罚法 "
                "第58条)."
            ),
        )
    if record.reviewed_at is not None:
        assert record.reviewed_by is not None
        raise Conflict(
            Code.INVALID_TRANSITION,
            _("%(who)s reviewed this penalty on %(day)s.")
            % {
                "who": record.reviewed_by.get_full_name() or record.reviewed_by.username,
                "day": legal_time(record.reviewed_at),
            },
        )
    waiting = _hearing_refusal(record, timezone.now(), _("the legal review"))
    if waiting:
        raise Conflict(Code.INVALID_TRANSITION, waiting)
    record.reviewed_by, record.reviewed_at, record.review_opinion = actor, timezone.now(), opinion
    record.save()
    penalty_flow.advance(record, actor)
    finish(case, actor=actor, action="review_penalty", data={"penalty": record.pk, "opinion": opinion})
    return record


def _hearing_refusal(penalty: Penalty, now: datetime.datetime, what: str) -> str:
    """Why `what` (the decision, the review) must wait for the party, or ""."""
    ends = party_heard_until(penalty)
    if ends is None or now >= ends:
        return ""
    if penalty.hearing_right and "hearing_request" not in waived(penalty):
        return _(
            "The party may ask for a hearing until %(due)s (行政处罚法 第64条): %(what)s comes after that, or once it "
            "waives it."
        ) % {"due": legal_time(ends), "what": what}
    return _(
        "The notice gave the party until %(due)s to state its case (行政处罚法 第44、45条): %(what)s comes after "
        "it, or once the party waives the rest of its period."
    ) % {"due": legal_time(ends), "what": what}


def decision_refusal(penalty: Penalty, now: datetime.datetime) -> str:
    """Why the head may not decide this penalty now (the party is still being heard, the legal review
    is missing, no evidence is on file), or ""."""
    if penalty.status not in (P.NOTIFIED, P.HEARD):
        return _("This penalty is %(status)s.") % {"status": penalty.get_status_display()}
    waiting = _hearing_refusal(penalty, now, pgettext("step", "the decision"))
    if waiting:
        return waiting
    if needs_review(penalty) and penalty.reviewed_at is None:
        return _("This decision needs the legal review (法制审核, 行政处罚法 第58条) first.")
    return ""


def same_number(a: str, b: str) -> bool:
    """One formal number however its serial is written: 〔2026〕1号 is 〔2026〕001号."""

    def plain(n: str) -> str:
        return re.sub(r"〕0*(\d+)号", r"〕\1号", n.strip())

    return plain(a) == plain(b)


@action
def decide_penalty(
    case: Case,
    *,
    actor: User,
    penalty: int,
    amount: Decimal | None = None,
    decision_number: str = "",
    note: str = "",
    mitigation: str = "",
    collective_discussion: str = "",
    version: int | None = None,
) -> Penalty:
    """行政处罚决定书 (第57、59条): the head decides after the party was heard, never more heavily than
    the notice said (a heavier penalty needs a new notice), within the basis's range unless a ground
    of 第32条 lightens it; a decision that needed the legal review records the heads' collective
    discussion (第57条第二款). The decision is to be served within 7 working days (第61条)."""
    case = begin_case(case, actor=actor, action="decide_penalty", version=version)
    record = _penalty(case, penalty, P.NOTIFIED, P.HEARD)
    refusal = decision_refusal(record, timezone.now())
    if refusal:
        raise Conflict(Code.INVALID_TRANSITION, refusal)
    _check_basis_still_fits(record)
    if not case.evidence.exists():  # certificates.Evidence, an app above
        raise Conflict(
            Code.INVALID_TRANSITION,
            _(
                "The decision states the evidence of the facts (行政处罚法 第40条、第59条): add the evidence files to "
                "the case first."
            ),
        )
    if record.statements.exists() and not note.strip():
        raise field_error(
            "note",
            _("The party stated its case: say whether it is accepted, and why (行政处罚法 第45条)."),
        )
    if needs_review(record) and not collective_discussion.strip():
        raise field_error(
            "collective_discussion",
            _(
                "A decision on a serious violation is taken by the heads collectively (行政处罚法 第57条第二款): "
                "record the discussion (date, who, conclusion)."
            ),
        )
    decided_amount = record.amount
    if amount is not None:
        if record.amount is None:
            raise field_error("amount", _("The notice gave no fine: a fine needs a new notice."))
        if amount > record.amount:
            raise Conflict(
                Code.INVALID_TRANSITION,
                _(
                    "The notice gave a fine of %(notified)s yuan: a heavier penalty needs a new advance notice "
                    "(行政处罚法 第44条), never because the party spoke (第45条)."
                )
                % {"notified": f"{record.amount:,.2f}"},
            )
        if amount <= 0:
            raise field_error("amount", _("A fine is an amount above zero."))
        decided_amount = amount
    assert record.legal_basis is not None
    if decided_amount is not None and decided_amount < record.legal_basis.min_amount and not mitigation.strip():
        raise field_error(
            "mitigation",
            _(
                "%(code)s fines from %(min)s yuan: a lower fine is a lighter penalty (减轻) on a ground of 行政处罚法 "
                "第32条 — state it."
            )
            % {"code": record.legal_basis.code, "min": f"{record.legal_basis.min_amount:,.2f}"},
        )
    given = (decision_number or record.decision_number).strip()
    if (
        given
        and case.agency.abbreviation
        and not re.fullmatch(rf"{re.escape(case.agency.abbreviation)}罚〔\d{{4}}〕\d+号", given)
    ):
        raise field_error(
            "decision_number",
            _("A decision of %(agency)s is numbered %(abbr)s罚〔year〕N号, e.g. %(example)s.")
            % {
                "agency": case.agency.name,
                "abbr": case.agency.abbreviation,
                "example": f"{case.agency.abbreviation}罚〔{local_today().year}〕101号",
            },
        )
    number = given or next_number(case.agency, "decision", local_today().year)
    taken = list(Fine.objects.filter(case__agency=case.agency).values_list("decision_number", flat=True)) + list(
        Penalty.objects.filter(case__agency=case.agency, status__in=(P.DECIDED, P.SERVED))
        .exclude(pk=record.pk)
        .values_list("decision_number", flat=True)
    )
    if any(same_number(number, other) for other in taken if other):
        raise field_error(
            "decision_number", _("%(number)s is already the number of another decision.") % {"number": number}
        )
    record.decide(by=actor, number=number, note=note)
    record.mitigation, record.collective_discussion = mitigation.strip(), collective_discussion.strip()
    if decided_amount is not None:
        record.amount = decided_amount
        record.fine = Fine.objects.create(
            case=case,
            amount=decided_amount,
            legal_basis=record.legal_basis,
            person=record.person,
            finding=record.finding,
            warning=record.warning,
            violation_date=record.violation_date,
            decision_number=number,
            decided_by=actor,
        )
    record.save()
    deadlines.meet(steps=("decide_penalty",), by="decide_penalty", case=case)
    deadlines.meet(steps=PARTY_PERIODS, by="decide_penalty", penalty=record)
    deadlines.open_deadline(case, "serve_penalty", penalty=record)
    penalty_flow.advance(record, actor)
    announce(CASE_ACTIONS["decide_penalty"].announces, case=case, penalty=record, number=number)
    finish(
        case,
        actor=actor,
        action="decide_penalty",
        data=_summary(record)
        | {"decision_number": number, "note": note, "mitigation": record.mitigation, "fine": record.fine_id},
    )
    return record


@action
def serve_decision(
    case: Case,
    *,
    actor: User,
    served_on: datetime.date,
    method: str,
    penalty: int | None = None,
    fine: int | None = None,
    consent: bool = False,
    note: str = "",
    version: int | None = None,
) -> Penalty | Fine:
    """送达 (第61条): the decision takes effect on the party from its service — the 15 days to pay
    (第67条) and the periods to contest it run from then, and a 责令停产停业整顿 is in force from then
    (and from its start day). Named by the penalty, or by the fine it imposed."""
    case = begin_case(case, actor=actor, action="serve_decision", version=version)
    if penalty is None and fine is None:
        raise field_error("penalty", _("Name the penalty whose decision was served."))
    _check_service(method, consent, note)
    record: Penalty | None = None
    if penalty is not None:
        record = _penalty(case, penalty)
    else:
        imposed = one_of(case.fines.select_for_update(), fine, "fine", _("No such fine in this case."))
        record = Penalty.objects.select_for_update().filter(fine=imposed).first()
        if record is None:  # a fine decided before the procedure was recorded in Xianjie
            return _serve_fine(case, imposed, actor=actor, served_on=served_on, method=method)
    if record.status == P.SERVED:
        assert record.decision_served_on is not None
        raise Conflict(
            Code.INVALID_TRANSITION,
            _("This decision was already served on %(day)s.") % {"day": record.decision_served_on.isoformat()},
        )
    if record.status != P.DECIDED:
        raise Conflict(
            Code.INVALID_TRANSITION,
            _("Only a decided penalty is served; this one is %(status)s.") % {"status": record.get_status_display()},
        )
    assert record.decided_at is not None
    served_day(served_on, "served_on", timezone.localdate(record.decided_at), _("the decision"))
    deemed = deemed_served(served_on, method)
    record.serve(on=served_on, how=method)
    record.as_served = record.as_served | {"decision": addressee_of(record)}
    data: dict[str, Any] = {
        "penalty": record.pk,
        "served_on": served_on.isoformat(),
        "method": method,
        "deemed_served_on": deemed.isoformat(),
        "note": note,
    }
    if record.suspension:
        assert record.suspension_starts_on is not None and record.decided_by is not None
        record.suspension_order = Suspension.objects.create(
            case=case,
            reason=record.facts,
            starts_on=max(record.suspension_starts_on, deemed),
            ordered_by=record.decided_by,
            ordered_at=record.decided_at,
        )
        data["suspension"] = record.suspension_order.pk
    record.save()
    if record.fine_id is not None:
        imposed = Fine.objects.select_for_update().get(pk=record.fine_id)
        _open_payment(case, imposed, deemed, method)
        data |= {"fine": imposed.pk, "payable_until": imposed.due_on.isoformat() if imposed.due_on else None}
    deadlines.meet(steps=("serve_penalty",), by="serve_decision", penalty=record)
    penalty_flow.advance(record, actor)
    finish(case, actor=actor, action="serve_decision", data=data)
    if fine is not None:  # asked by the fine (the original contract): answer the fine
        return Fine.objects.get(pk=fine)
    return record


def _open_payment(case: Case, fine: Fine, served_on: datetime.date, method: str) -> None:
    fine.served_on, fine.service_method = served_on, method
    fine.save(update_fields=["served_on", "service_method"])
    deadlines.open_fine_periods(case, fine)


def _serve_fine(case: Case, fine: Fine, *, actor: User, served_on: datetime.date, method: str) -> Fine:
    if fine.status == FineStatus.PAID:
        raise Conflict(Code.INVALID_TRANSITION, _("This fine has already been paid."))
    if fine.served_on is not None:
        raise Conflict(
            Code.INVALID_TRANSITION,
            _("This decision was already served on %(day)s.") % {"day": fine.served_on.isoformat()},
        )
    served_day(served_on, "served_on", fine.decided_on, _("the decision"))
    _open_payment(case, fine, deemed_served(served_on, method), method)
    assert fine.due_on is not None
    finish(
        case,
        actor=actor,
        action="serve_decision",
        data={
            "fine": fine.pk,
            "served_on": served_on.isoformat(),
            "method": method,
            "payable_until": fine.due_on.isoformat(),
        },
    )
    return fine
