"""The append-only, hash-chained event log of a case.

Each event's hash covers its content and the previous event's hash, so an edited, inserted or
deleted row breaks the chain; the case row keeps the head (count and last hash), so a deleted
last event is caught too.
"""

import datetime
import hashlib
import json
from dataclasses import dataclass

from django.utils import timezone

from .models import Case, Event


def _canonical(value) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def _digest(event: Event) -> str:
    body = {
        "case": event.case_id,
        "seq": event.seq,
        "action": event.action,
        "actor": event.actor_id,
        "agency": event.agency_id,
        "at": event.at.astimezone(datetime.UTC).isoformat(),
        "from": event.from_status,
        "to": event.to_status,
        "data": event.data,
        "referral": event.referral_id,
        "prev": event.prev_hash,
    }
    return hashlib.sha256(_canonical(body).encode()).hexdigest()


def build_event(
    case: Case, *, action: str, actor, agency=None, from_status="", to_status="", data=None, referral=None, at=None
) -> Event:
    """The next event of the case's chain, hashed, not yet saved; the case's head moves in memory."""
    event = Event(
        case=case,
        seq=case.event_count + 1,
        action=action,
        actor=actor,
        agency=agency,
        at=at or timezone.now(),
        from_status=from_status,
        to_status=to_status,
        # Round-trip through JSON so that what is hashed is exactly what the database returns.
        data=json.loads(_canonical(data or {})),
        referral=referral,
        prev_hash=case.last_event_hash,
    )
    event.hash = _digest(event)
    case.event_count, case.last_event_hash = event.seq, event.hash
    return event


def record_event(
    case: Case, *, action: str, actor, agency=None, from_status="", to_status="", data=None, referral=None
) -> Event:
    """Append one event. The caller holds the case row lock, so the chain cannot fork."""
    event = build_event(
        case,
        action=action,
        actor=actor,
        agency=agency,
        from_status=from_status,
        to_status=to_status,
        data=data,
        referral=referral,
    )
    event.save()
    Case.objects.filter(pk=case.pk).update(event_count=event.seq, last_event_hash=event.hash)
    return event


@dataclass
class ChainBreak:
    case_number: str
    seq: int | None
    reason: str


def verify_case_chain(case: Case) -> ChainBreak | None:
    """Walk one case's chain; the first broken link, or None when the chain is whole."""
    prev_hash, expected_seq = "", 1
    for event in Event.objects.filter(case=case).order_by("seq").iterator(chunk_size=2000):
        if event.seq != expected_seq:
            return ChainBreak(case.number, expected_seq, f"event {expected_seq} is missing")
        if event.prev_hash != prev_hash:
            return ChainBreak(case.number, event.seq, "the link to the previous event is broken")
        if _digest(event) != event.hash:
            return ChainBreak(case.number, event.seq, "the event's content does not match its hash")
        prev_hash, expected_seq = event.hash, expected_seq + 1
    if case.event_count != expected_seq - 1 or case.last_event_hash != prev_hash:
        return ChainBreak(
            case.number,
            expected_seq,
            f"the chain ends at {expected_seq - 1} but the case records {case.event_count} events",
        )
    return None
