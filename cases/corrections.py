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
from django.utils.translation import gettext as _

from agencies import jurisdiction
from core.errors import Code, Conflict, field_error
from core.identity import document_hash, mask_id_number, normalize_credit_code, normalize_document
from workflows import deadlines

from .kinds import ORGANISATION_PARTIES, FindingKind, PersonRole
from .models import Case, Correction, Finding, Person, ReferralStatus
from .protocol import action, begin_case, finish

T = Correction.Target


@dataclass(frozen=True)
class Field:
    legal: bool  # a legal fact: the head approves
    check: Callable[[Any, str], str]  # (the record, the value typed) → the value to store, or ValidationError
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
        raise ValidationError(_("Only organisations have a credit code (credit_code)."))
    return normalize_credit_code(value)


def _id_number(person: Any, value: str) -> str:
    return normalize_document(person.id_kind, value)


FIELDS: dict[str, dict[str, Field]] = {
    T.CASE: {
        "party_name": Field(True, _text(200)),
        "party_credit_code": Field(True, _credit_code),
        "summary": Field(False, _text(4000)),
    },
    T.PERSON: {
        "name": Field(True, _text(100)),
        "id_number": Field(True, _id_number, masked=True),
        "role": Field(True, _choice(PersonRole)),
    },
    T.FINDING: {
        "kind": Field(True, _choice(FindingKind)),
        "certificate_number": Field(False, _text(40)),
        "note": Field(False, _text(4000)),
    },
}


def _record(case: Case, target: str, object_id: int | None) -> Any:
    if target == T.CASE:
        return case
    records: Any = case.persons if target == T.PERSON else case.findings
    found = records.filter(pk=object_id).first() if object_id else None
    if found is None:
        raise field_error("id", _("No such %(target)s in this case.") % {"target": Correction.Target(target).label})
    return found


def _shown(spec: Field, value: Any) -> str:
    return mask_id_number(str(value)) if spec.masked else str(value)


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
    try:
        new = spec.check(record, value)
    except ValidationError as exc:
        raise field_error("value", exc.messages[0]) from None
    old = getattr(record, field)
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
        finish(case, actor=actor, action="correct", data=data | {"status": Correction.Status.PROPOSED})
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
