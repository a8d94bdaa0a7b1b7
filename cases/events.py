"""The append-only, hash-chained event log of a case.

Each event's hash covers its content and the previous event's hash, so an edited, inserted or
deleted row breaks the chain; the case row keeps the head (count and last hash), so a deleted
last event is caught too. Someone who can also rewrite the case row can cut a chain's tail
unseen by the chain alone: the daily digest of every chain's head, kept off the system, catches
that (chain_digest prints it, verify_events --digest compares it).
"""

import datetime
import hashlib
import itertools
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from django.contrib.auth.models import User
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from agencies.models import Agency

from .models import Case, Event, Referral


class Digestible(Protocol):
    """What event_digest reads: an Event, or a lighter row with the same fields (generate_load)."""

    @property
    def case_id(self) -> int: ...
    @property
    def seq(self) -> int: ...
    @property
    def action(self) -> str: ...
    @property
    def actor_id(self) -> int | None: ...
    @property
    def agency_id(self) -> int | None: ...
    @property
    def at(self) -> datetime.datetime: ...
    @property
    def from_status(self) -> str: ...
    @property
    def to_status(self) -> str: ...
    @property
    def data(self) -> Any: ...
    @property
    def referral_id(self) -> int | None: ...
    @property
    def prev_hash(self) -> str: ...


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def event_digest(event: Digestible) -> str:
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
    return hashlib.sha256(canonical(body).encode()).hexdigest()


def build_event(
    case: Case,
    *,
    action: str,
    actor: User | None,
    agency: Agency | None = None,
    from_status: str = "",
    to_status: str = "",
    data: dict[str, Any] | None = None,
    referral: Referral | None = None,
    at: datetime.datetime | None = None,
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
        data=json.loads(canonical(data or {})),
        referral=referral,
        prev_hash=case.last_event_hash,
    )
    event.hash = event_digest(event)
    case.event_count, case.last_event_hash = event.seq, event.hash
    return event


def record_event(
    case: Case,
    *,
    action: str,
    actor: User | None,
    agency: Agency | None = None,
    from_status: str = "",
    to_status: str = "",
    data: dict[str, Any] | None = None,
    referral: Referral | None = None,
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
    append_events([event])
    return event


# Who must know of appended events, installed by an app above (oversight marks what its monthly form
# counts), so that cases imports nothing upwards: each is called with the events just saved.
OBSERVERS: list[Callable[[list[Event]], None]] = []


def append_events(events: list[Event], *, move_heads: bool = True) -> None:
    """The one writer of the chains: save events made by build_event (in chain order) and move
    each case's stored head to its last one (`move_heads=False` when the caller saves the case
    row itself right after build_event). The callers hold the case rows' locks."""
    if not events:
        return
    Event.objects.bulk_create(events, batch_size=2000)
    for observe in OBSERVERS:
        observe(events)
    if not move_heads:
        return
    last = {e.case_id: e for e in events}  # each case's last event; a Case row built per case, not per event
    if len(last) == 1:
        (head,) = last.values()
        Case.objects.filter(pk=head.case_id).update(event_count=head.seq, last_event_hash=head.hash)
    else:
        heads = [Case(pk=e.case_id, event_count=e.seq, last_event_hash=e.hash) for e in last.values()]
        Case.objects.bulk_update(heads, ["event_count", "last_event_hash"], batch_size=2000)


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
        if event_digest(event) != event.hash:
            return ChainBreak(case.number, event.seq, "the event's content does not match its hash")
        prev_hash, expected_seq = event.hash, expected_seq + 1
    if case.event_count != expected_seq - 1 or case.last_event_hash != prev_hash:
        return ChainBreak(
            case.number,
            expected_seq,
            f"the chain ends at {expected_seq - 1} but the case records {case.event_count} events",
        )
    return None


@dataclass(frozen=True)
class Head:
    case_id: int
    case_number: str
    seq: int
    hash: str

    def line(self) -> str:
        return f"{self.case_id} {self.case_number} {self.seq} {self.hash}"


DIGEST_TAG = "xianjie-chain-digest"


@dataclass(frozen=True)
class Digest:
    """Every case's chain head at the end of `day` (local time), by case id: a digest as kept."""

    day: datetime.date
    heads: tuple[Head, ...]


def digest_lines(day: datetime.date, heads: Iterable[Head]) -> Iterator[str]:
    """One line per head, then the summary line: counts and one SHA-256 over the head lines."""
    sha, cases, events = hashlib.sha256(), 0, 0
    for head in heads:
        line = head.line()
        sha.update(line.encode() + b"\n")
        cases, events = cases + 1, events + head.seq
        yield line
    yield f"{DIGEST_TAG} {day} cases={cases} events={events} sha256={sha.hexdigest()}"


def digest_text(day: datetime.date) -> Iterator[str]:
    """The digest of `day` as printed and kept: two comment lines, the heads, the summary line."""
    yield f"# Xianjie event chain heads at the end of {day} ({timezone.get_current_timezone_name()})"
    yield "# case-id case-number events last-event-hash"
    yield from digest_lines(day, chain_heads(day))


def chain_heads(day: datetime.date) -> Iterator[Head]:
    """Each case's last event dated before the midnight that ends `day`, by case id."""
    end = timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min))
    last = Event.objects.filter(case=OuterRef("pk"), at__lt=end).order_by("-seq")
    cases = (
        Case.objects.annotate(head_seq=Subquery(last.values("seq")[:1]), head_hash=Subquery(last.values("hash")[:1]))
        .filter(head_seq__isnull=False)
        .order_by("id")
        .values_list("id", "number", "head_seq", "head_hash")
    )
    for row in cases.iterator(chunk_size=2000):
        yield Head(*row)


def parse_digest(text: str) -> Digest:
    """A digest as chain_digest printed it; ValueError if it is malformed or its lines were altered."""
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]
    if not lines or not lines[-1].startswith(DIGEST_TAG + " "):
        raise ValueError(f"the last line must be the summary line starting with {DIGEST_TAG!r}")
    try:
        day = datetime.date.fromisoformat(lines[-1].split()[1])
        heads = tuple(Head(int(pk), number, int(seq), hash_) for pk, number, seq, hash_ in map(str.split, lines[:-1]))
    except ValueError as exc:
        raise ValueError(f"not a chain digest: {exc}") from None
    *_, summary = digest_lines(day, heads)
    if summary != lines[-1]:
        raise ValueError("the case lines do not match the summary line: the kept file was altered")
    return Digest(day, heads)


def compare_digest(kept: Digest) -> ChainBreak | None:
    """The first case whose chain, up to the end of the kept day, differs from the kept digest.

    Both sides come ordered by case id, so they are walked side by side and the first
    difference names its case.
    """
    day = kept.day
    for head, current in itertools.zip_longest(kept.heads, chain_heads(day)):
        if current is None or (head is not None and head.case_id < current.case_id):
            return ChainBreak(
                head.case_number, 1, f"the digest kept for {day} has {head.seq} events, the database none"
            )
        if head is None or current.case_id < head.case_id:
            return ChainBreak(
                current.case_number, 1, f"the case has events up to {day} but is not in the digest kept for that day"
            )
        if current.seq < head.seq:
            return ChainBreak(
                head.case_number,
                current.seq + 1,
                f"the digest kept for {day} ends the chain at event {head.seq}, the database at event "
                f"{current.seq}: events were deleted or re-dated",
            )
        if current.seq > head.seq:
            return ChainBreak(
                head.case_number,
                head.seq + 1,
                f"the digest kept for {day} ends the chain at event {head.seq}, but events up to "
                f"{current.seq} are dated on or before that day: events were inserted",
            )
        if current.hash != head.hash:
            return ChainBreak(
                head.case_number, head.seq, f"its hash differs from the digest kept for {day}: the chain was rewritten"
            )
    return None
