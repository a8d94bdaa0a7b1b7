"""更正: putting right what was entered wrongly — a party's name or credit code, a person's name,
ID number or role, a finding's kind or certificate number — with a reason on the record.

The old value stays in the event chain (shown masked where it is an ID number). A correction of a
legal fact (an identity, a role that bases name, a finding's kind) is proposed by a handler and
applied when the head approves it; the head's own is applied at once. Every value passes the same
rule as when it was first entered (core.identity, the choices of the model), and an ID number is
hashed again and checked against the case's other persons.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from agencies import jurisdiction
from core.errors import Code, Conflict, field_error
from core.identity import document_hash, mask_id_number, normalize_credit_code, normalize_document
from workflows import deadlines

from .kinds import FINDING_RULES, ORGANISATION_PARTIES, FindingKind, PersonRole
from .models import Case, Correction, Finding, Person, ReferralStatus
from .protocol import action, announce, begin_case, finish
from .rules import CASE_ACTIONS

T = Correction.Target


@dataclass(frozen=True)
class Field:
    legal: bool  # a legal fact: the head approves
    check: Callable[[Any, str], str]  # (the record, the value typed) → the value to store, or ValidationError
    label: Promise
    masked: bool = False


def _text(limit: int) -> Callable[[Any, str], str]:
    def check(_record: Any, value: str) -> str:
        value = (value or "").strip()
        if not value or len(value) > limit:
            raise ValidationError(_("Give a value of 1 to %(n)d characters.") % {"n": limit})
        return value

    return check


def _choice(choices: Any) -> Callable[[Any, str], str]:
    def check(_record: Any, value: str) -> str:
        if value not in choices.values:
            raise ValidationError(_("Choose one of: %(values)s.") % {"values": ", ".join(choices.values)})
        return str(value)

    return check


def _credit_code(case: Any, value: str) -> str:
    if case.party_kind not in ORGANISATION_PARTIES:
        raise ValidationError(_("Only organisations have a unified social credit code."))
    return normalize_credit_code(value)


def _id_number(person: Any, value: str) -> str:
    return normalize_document(person.id_kind, value)


FIELDS: dict[str, dict[str, Field]] = {
    T.CASE: {
        "party_name": Field(True, _text(200), gettext_lazy("party name")),
        "party_credit_code": Field(True, _credit_code, gettext_lazy("unified social credit code")),
        "summary": Field(False, _text(4000), gettext_lazy("summary")),
        "party_address": Field(False, _text(200), gettext_lazy("address")),
        "party_representative": Field(False, _text(100), gettext_lazy("legal representative")),
    },
    T.PERSON: {
        "name": Field(True, _text(100), pgettext_lazy("person", "name")),
        "id_number": Field(True, _id_number, gettext_lazy("identity document number"), masked=True),
        "role": Field(True, _choice(PersonRole), gettext_lazy("role in the case")),
    },
    T.FINDING: {
        "kind": Field(True, _choice(FindingKind), gettext_lazy("kind of the finding")),
        "certificate_number": Field(False, _text(40), gettext_lazy("certificate number")),
        "source": Field(False, _text(200), gettext_lazy("obtained from")),
        "note": Field(False, _text(4000), gettext_lazy("note")),
    },
}
# (target, field, label) of every correctable field, for the pages.
CORRECTABLE = [
    (Correction.Target(t), name, spec.label) for t, fields in FIELDS.items() for name, spec in fields.items()
]


def _find(case: Case, target: str, object_id: int | None) -> Any:
    """The record a correction is about, or None."""
    if target == T.CASE:
        return case
    records: Any = case.persons if target == T.PERSON else case.findings
    return records.filter(pk=object_id).first() if object_id else None


def _record(case: Case, target: str, object_id: int | None) -> Any:
    found = _find(case, target, object_id)
    if found is None:
        raise field_error("id", _("No such %(target)s in this case.") % {"target": Correction.Target(target).label})
    return found


def _shown(spec: Field, value: Any) -> str:
    return mask_id_number(str(value)) if spec.masked else str(value)


def current_value(case: Case, correction: Correction) -> str:
    """The value a pending correction would replace, as it may be shown (an ID number masked)."""
    record = _find(case, correction.target, correction.object_id)
    spec = FIELDS[correction.target][correction.field]
    return _shown(spec, getattr(record, correction.field)) if record is not None else "—"


def proposed_value(correction: Correction) -> str:
    """The value a correction proposes, as it may be shown (an ID number masked, even to the head)."""
    return _shown(FIELDS[correction.target][correction.field], correction.value)


def describe(case: Case, correction: Correction) -> str:
    """What a correction changes, in words: 人员 张三 · 身份证件号码."""
    record = _find(case, correction.target, correction.object_id)
    spec = FIELDS[correction.target][correction.field]
    if isinstance(record, Person):
        what = f"{record.name}"
    elif isinstance(record, Finding):
        what = f"#{record.pk} {record.get_kind_display()}"
    else:
        what = case.number
    return f"{Correction.Target(correction.target).label} {what} · {spec.label}"


@action
def correct(
    case: Case,
    *,
    actor: User,
    target: str,
    field: str,
    value: str,
    reason: str,
    id: int | None = None,  # noqa: A002 - the API's name for the record corrected
    version: int | None = None,
) -> Correction:
    case = begin_case(case, actor=actor, action="correct", version=version)
    spec = FIELDS.get(target, {}).get(field)
    if spec is None:
        names = ", ".join(f"{t}.{f}" for t, fields in FIELDS.items() for f in fields)
        raise field_error("field", _("This cannot be corrected here; correctable: %(names)s.") % {"names": names})
    record = _record(case, target, id)
    pending = case.corrections.filter(
        status__in=OPEN, target=target, object_id=None if target == T.CASE else record.pk, field=field
    ).first()
    if pending is not None:  # a second one would be checked against a value that is about to change
        raise Conflict(
            Code.INVALID_TRANSITION,
            _("Correction #%(id)s of this field awaits the head's decision: it is decided first.") % {"id": pending.pk},
        )
    try:
        new = spec.check(record, value)
    except ValidationError as exc:
        raise field_error("value", exc.messages[0]) from None
    old = getattr(record, field)
    _check_not_served(case, record, field)
    if isinstance(record, Person) and field == "id_number":
        hashed = document_hash(record.id_kind, new)
        if case.persons.filter(id_hash=hashed).exclude(pk=record.pk).exists():
            raise field_error("value", _("A person with this identity document is already in the case."))
    if new == old:
        raise field_error("value", _("The value is already %(value)s.") % {"value": _shown(spec, old)})
    correction = Correction.objects.create(
        case=case,
        target=target,
        object_id=None if target == T.CASE else record.pk,
        field=field,
        value=new,
        reason=reason,
        proposed_by=actor,
    )
    head = jurisdiction.is_head_of(actor, case.agency_id)
    data = _data(correction, spec, old, new)
    if spec.legal and not head:
        announce(CASE_ACTIONS["correct"].announces, case=case)
        finish(case, actor=actor, action="correct", data=data | {"status": Correction.Status.PROPOSED})
        return correction
    if _takes_off_the_road(record, field, new):
        _to_supervisors(case, correction)
        finish(case, actor=actor, action="correct", data=data | {"status": correction.status})
        return correction
    _apply(case, correction, record, spec, actor)
    finish(case, actor=actor, action="correct", data=data | {"status": Correction.Status.APPLIED})
    return correction


@action
def approve_correction(
    case: Case, *, actor: User, correction: int, approve: bool, note: str = "", version: int | None = None
) -> Correction:
    case = begin_case(case, actor=actor, action="approve_correction", version=version)
    proposed = case.corrections.select_for_update().filter(pk=correction).first()
    if proposed is None:
        raise field_error("correction", _("No such correction in this case."))
    if proposed.status != Correction.Status.PROPOSED:
        raise Conflict(Code.INVALID_TRANSITION, _("This correction has already been decided."))
    spec = FIELDS[proposed.target][proposed.field]
    record = _record(case, proposed.target, proposed.object_id)
    old = getattr(record, proposed.field)
    if approve:
        try:
            spec.check(record, proposed.value)  # the rule again: the record may have moved since
        except ValidationError as exc:
            raise field_error("correction", exc.messages[0]) from None
        if _takes_off_the_road(record, proposed.field, proposed.value):
            proposed.note = note
            _to_supervisors(case, proposed)
        else:
            _apply(case, proposed, record, spec, actor, note)
    else:
        proposed.status, proposed.decided_by, proposed.decided_at, proposed.note = (
            Correction.Status.REFUSED,
            actor,
            timezone.now(),
            note,
        )
        proposed.value = _shown(spec, proposed.value)
        proposed.save()
    data = _data(proposed, spec, old, proposed.value) | {"status": proposed.status, "note": note}
    finish(case, actor=actor, action="approve_correction", data=data)
    return proposed


@action
def endorse_correction(
    case: Case, *, actor: User, correction: int, approve: bool, note: str = "", version: int | None = None
) -> Correction:
    """A supervisor of the region decides a correction that would take a finding off the road to the
    police: no case leaves it unreferred without someone above the agency signing why."""
    case = begin_case(case, actor=actor, action="endorse_correction", version=version)
    proposed = case.corrections.select_for_update().filter(pk=correction).first()
    if proposed is None:
        raise field_error("correction", _("No such correction in this case."))
    if proposed.status != Correction.Status.ENDORSEMENT:
        raise Conflict(Code.INVALID_TRANSITION, _("This correction does not await the supervisors."))
    if not approve and not note.strip():
        raise field_error("note", _("Say why the correction is not endorsed."))
    spec = FIELDS[proposed.target][proposed.field]
    record = _record(case, proposed.target, proposed.object_id)
    old = getattr(record, proposed.field)
    if approve:
        _apply(case, proposed, record, spec, actor, note)
    else:
        proposed.status, proposed.decided_by, proposed.decided_at, proposed.note = (
            Correction.Status.REFUSED,
            actor,
            timezone.now(),
            note,
        )
        proposed.save()
    data = _data(proposed, spec, old, proposed.value) | {"status": proposed.status, "note": note}
    finish(case, actor=actor, action="endorse_correction", data=data)
    return proposed


# The corrections still to be decided.
OPEN = (Correction.Status.PROPOSED, Correction.Status.ENDORSEMENT)


def _takes_off_the_road(record: Any, field: str, value: str) -> bool:
    """A finding that must go to the police would no longer have to (有案不移)."""
    return (
        isinstance(record, Finding)
        and field == "kind"
        and record.referable
        and not FINDING_RULES[FindingKind(value)].referable
    )


def _to_supervisors(case: Case, correction: Correction) -> None:
    correction.status = Correction.Status.ENDORSEMENT
    correction.save()
    announce(CASE_ACTIONS["endorse_correction"].announces, case=case)


def _check_not_served(case: Case, record: Any, field: str) -> None:
    """The party or person a served paper names cannot be put right here: the paper stays as served,
    and another party needs the procedure again (行政处罚法 第44条、第59条)."""
    identity = {"party_name", "party_credit_code", "name", "id_number"}
    if field not in identity or isinstance(record, Finding):
        return
    person = record if isinstance(record, Person) else None
    served = case.penalties.filter(person=person, notice_served_on__isnull=False).exclude(status="refused")
    if served.exists():
        raise Conflict(
            Code.INVALID_TRANSITION,
            _(
                "A penalty notice served on this party names it as it stands: its identity is no longer corrected "
                "here (行政处罚法 第44条、第59条). Issue a correction notice (补正) of the paper, or, if the penalty is "
                "on the wrong party, start the procedure again."
            ),
        )


def _data(correction: Correction, spec: Field, old: Any, new: Any) -> dict[str, Any]:
    return {
        "correction": correction.pk,
        "target": correction.target,
        "id": correction.object_id,
        "field": correction.field,
        "old": _shown(spec, old),
        "new": _shown(spec, new),
        "reason": correction.reason,
        **({"person": correction.object_id} if correction.target == T.PERSON else {}),
    }


def _apply(case: Case, correction: Correction, record: Any, spec: Field, actor: User, note: str = "") -> None:
    field, value = correction.field, correction.value
    if isinstance(record, Person) and field == "id_number":
        hashed = document_hash(record.id_kind, value)
        if case.persons.filter(id_hash=hashed).exclude(pk=record.pk).exists():
            raise field_error("value", _("A person with this ID number is already in the case."))
        record.id_hash = hashed
    if isinstance(record, Finding) and field == "kind":
        _check_kind_change(case, record)
    setattr(record, field, value)
    if not isinstance(record, Case):  # the case itself is saved by `finish`
        record.save()
    if isinstance(record, Finding) and field == "kind":
        _after_kind_change(case, record)
    correction.status, correction.decided_by, correction.decided_at, correction.note = (
        Correction.Status.APPLIED,
        actor,
        timezone.now(),
        note,
    )
    correction.value = _shown(spec, value)  # the full number lives on the person, not here
    correction.save()


def _subject_referred(case: Case, finding: Finding) -> bool:
    live = case.referrals.exclude(status__in=(ReferralStatus.REFUSED, ReferralStatus.REFUSAL_ENDORSED))
    if finding.person_id is None:
        return live.filter(includes_party=True).exists()
    return live.filter(persons=finding.person_id).exists()


def _check_kind_change(case: Case, finding: Finding) -> None:
    if _subject_referred(case, finding):
        raise Conflict(
            Code.INVALID_TRANSITION,
            _("This finding's person is in a referral: its kind is put right with the police, not here."),
        )


def _after_kind_change(case: Case, finding: Finding) -> None:
    """No case left unreferred: a finding that becomes referable opens its 3 days to propose; one
    that no longer is closes them (met by the correction)."""
    case.requires_referral = case.findings.filter(referable=True).exists()
    if finding.referable:
        if not finding.deadlines.filter(step="propose_referral").exists():
            deadlines.open_deadline(case, "propose_referral", finding=finding, starts_at=timezone.now())
    else:
        deadlines.meet(steps=("propose_referral",), by="correct", case=case, finding=finding)


def event_detail(action: str, data: dict[str, Any]) -> str:
    """A correction's event in words for the timeline: the field, old → new, the reason."""
    if action not in ("correct", "approve_correction"):
        return ""
    spec = FIELDS.get(data.get("target", ""), {}).get(data.get("field", ""))
    label = spec.label if spec else data.get("field", "")
    text = f"{label}：{data.get('old', '')} → {data.get('new', '')}"
    if data.get("reason"):
        text += _("; reason: %(reason)s") % {"reason": data["reason"]}
    if action == "approve_correction" and data.get("note"):
        text += _("; note: %(note)s") % {"note": data["note"]}
    return text
