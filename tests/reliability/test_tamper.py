"""Tamper evidence: any edit, deletion or insertion of an event row is caught and named.

The chain alone catches edits, deletions in the middle and insertions; someone who also rewrites
the case row's head can cut the tail or append forged events unseen by the chain, which the
digest of the chain heads kept off the system (chain_digest, verify_events --digest) catches.
"""

import datetime
import io
import re

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db.models import F

from cases import actions
from cases.events import build_event
from cases.models import Case, Event
from oversight.models import AuditRun
from tests.factories import CaseFactory, add_person, demo_user
from tests.workflows.helpers import DOCS, referable_case
from workflows import actions as referrals

pytestmark = pytest.mark.django_db

DAY = datetime.date(2024, 3, 10)
ON_DAY = datetime.datetime(2024, 3, 10, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))


@pytest.fixture
def cases():
    """Three cases built on DAY: a referred one (8 events), an open one (3), a lead (1)."""
    with time_machine.travel(ON_DAY, tick=False):
        referred, person = referable_case()
        r = referrals.propose_referral(
            referred, actor=demo_user("guangzhou.officer1"), persons=[person.pk], report="持假证"
        )
        r = referrals.approve(r, actor=demo_user("guangzhou.head"))
        r = referrals.transmit(r, actor=demo_user("guangzhou.officer1"), documents=DOCS)
        referrals.acknowledge(r, actor=demo_user("guangzhou.police"))
        opened = CaseFactory(status="open")
        add_person(opened)
        lead = CaseFactory()
    return [Case.objects.get(pk=c.pk) for c in (referred, opened, lead)]


@pytest.fixture
def kept(cases, tmp_path):
    """The digest of DAY as printed and kept off the system."""
    out = io.StringIO()
    call_command("chain_digest", date=str(DAY), stdout=out)
    path = tmp_path / f"digest-{DAY}.txt"
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def verify(**options) -> str:
    out = io.StringIO()
    call_command("verify_events", stdout=out, **options)
    return out.getvalue()


def broken(**options) -> str:
    with pytest.raises(CommandError) as exc:
        verify(**options)
    return str(exc.value)


def event(case, seq) -> Event:
    return Event.objects.get(case=case, seq=seq)


def set_head(case, seq: int) -> None:
    """What a careful forger does after cutting the chain: move the case row's head back too."""
    Case.objects.filter(pk=case.pk).update(event_count=seq, last_event_hash=event(case, seq).hash if seq else "")


def append_forged(case, *, at, action="close") -> Event:
    """A forger who knows the hashing appends a well-formed event and moves the head."""
    case = Case.objects.get(pk=case.pk)
    forged = build_event(case, action=action, actor=demo_user("guangzhou.head"), to_status="closed", at=at)
    forged.save()
    Case.objects.filter(pk=case.pk).update(event_count=case.event_count, last_event_hash=case.last_event_hash)
    return forged


def test_the_digest_lists_every_chain_head_and_one_summary(cases, kept):
    lines = [line for line in kept.read_text().splitlines() if not line.startswith("#")]
    counts = [c.event_count for c in cases]
    assert counts == [8, 3, 1]
    assert lines[:-1] == [f"{c.pk} {c.number} {c.event_count} {c.last_event_hash}" for c in cases]
    assert re.fullmatch(rf"xianjie-chain-digest {DAY} cases=3 events=12 sha256=[0-9a-f]{{64}}", lines[-1])
    assert "OK: every chain matches the digest kept for 2024-03-10 (3 cases)." in verify(digest=str(kept))


def test_the_digest_of_a_day_stays_the_same_while_later_work_goes_on(cases, kept):
    actions.record_finding(cases[1], actor=demo_user("guangzhou.officer1"), kind="unlicensed_operation")
    CaseFactory(status="open")
    again = io.StringIO()
    call_command("chain_digest", date=str(DAY), stdout=again)
    assert again.getvalue() == kept.read_text()
    assert "every chain matches" in verify(digest=str(kept))
    day_before = io.StringIO()
    call_command("chain_digest", date=str(DAY - datetime.timedelta(days=1)), stdout=day_before)
    assert day_before.getvalue().splitlines()[-1].startswith("xianjie-chain-digest 2024-03-09 cases=0 events=0 ")


@pytest.mark.parametrize(
    "field, value",
    [
        ("data", {"handlers": ["guangzhou.officer2"]}),
        ("hash", "0" * 64),
        ("prev_hash", "f" * 64),
        ("actor", "guangzhou.head"),
        ("agency", None),
        ("at", ON_DAY - datetime.timedelta(days=1)),
        ("from_status", "open"),
        ("to_status", "declined"),
        ("action", "decline"),
    ],
)
def test_an_edit_of_any_column_is_named(cases, field, value):
    case = cases[0]
    if field == "actor":
        value = demo_user(value)
    Event.objects.filter(case=case, seq=2).update(**{field: value})
    assert broken().startswith(f"Case {case.number}, event 2: ")
    assert AuditRun.objects.latest("started_at").broken_case == case.number


def test_a_deleted_event_in_the_middle_breaks_the_chain(cases):
    case = cases[0]
    Event.objects.filter(case=case, seq=5).delete()
    assert broken() == f"Case {case.number}, event 5: event 5 is missing."


def test_a_deleted_last_event_is_caught_by_the_case_head(cases):
    case = cases[1]
    Event.objects.filter(case=case, seq=3).delete()
    assert broken() == f"Case {case.number}, event 3: the chain ends at 2 but the case records 3 events."


def test_a_cut_tail_with_the_head_moved_back_is_caught_by_the_kept_digest(cases, kept):
    case = cases[0]
    Event.objects.filter(case=case, seq__gte=7).delete()
    set_head(case, 6)
    assert "every chain intact" in verify()  # the chain alone cannot tell
    assert broken(digest=str(kept)) == (
        f"Case {case.number}, event 7: the digest kept for {DAY} ends the chain at event 8, "
        "the database at event 6: events were deleted or re-dated."
    )
    run = AuditRun.objects.latest("started_at")
    assert (run.broken_case, run.broken_seq) == (case.number, 7)


def test_a_whole_chain_deleted_with_its_case_is_caught(cases, kept):
    case = cases[2]
    Event.objects.filter(case=case).delete()
    Case.objects.filter(pk=case.pk).delete()
    assert "every chain intact" in verify()
    assert broken(digest=str(kept)) == (
        f"Case {case.number}, event 1: the digest kept for {DAY} has 1 events, the database none."
    )


def test_an_event_inserted_in_the_middle_breaks_the_chain(cases):
    case = cases[1]
    for seq in (3, 2):  # from the end, so that (case, seq) stays unique at every step
        Event.objects.filter(case=case, seq=seq).update(seq=F("seq") + 1)
    Case.objects.filter(pk=case.pk).update(event_count=1, last_event_hash=event(case, 1).hash)
    append_forged(case, at=ON_DAY, action="add_person")
    Case.objects.filter(pk=case.pk).update(event_count=4, last_event_hash=event(case, 4).hash)
    assert broken() == f"Case {case.number}, event 3: the link to the previous event is broken."


def test_a_badly_forged_event_appended_breaks_the_chain(cases):
    case = cases[2]
    Event.objects.bulk_create(
        [Event(case=case, seq=2, action="decline", at=ON_DAY, prev_hash=case.last_event_hash, hash="1" * 64)]
    )
    Case.objects.filter(pk=case.pk).update(event_count=2, last_event_hash="1" * 64)
    assert broken() == f"Case {case.number}, event 2: the event's content does not match its hash."


def test_a_well_forged_event_dated_on_the_kept_day_is_caught_by_the_digest(cases, kept):
    case = cases[1]
    append_forged(case, at=ON_DAY + datetime.timedelta(hours=2))
    assert "every chain intact" in verify()
    assert broken(digest=str(kept)) == (
        f"Case {case.number}, event 4: the digest kept for {DAY} ends the chain at event 3, "
        "but events up to 4 are dated on or before that day: events were inserted."
    )


def test_a_forged_case_dated_on_the_kept_day_is_caught_by_the_digest(cases, kept):
    with time_machine.travel(ON_DAY, tick=False):
        forged = CaseFactory()
    assert broken(digest=str(kept)) == (
        f"Case {forged.number}, event 1: the case has events up to {DAY} but is not in the digest kept for that day."
    )


def test_a_chain_rewritten_and_rehashed_from_an_edited_event_is_caught_by_the_digest(cases, kept):
    """The forger edits event 2, then re-hashes every event after it and the head: a whole chain."""
    case = cases[0]
    old = list(Event.objects.filter(case=case, seq__gte=2).order_by("seq"))
    Event.objects.filter(case=case, seq__gte=2).delete()
    set_head(case, 1)
    head = Case.objects.get(pk=case.pk)
    for e in old:
        data = {"handlers": ["guangzhou.officer2", "guangzhou.head"]} if e.seq == 2 else e.data
        fields = {"from_status": e.from_status, "to_status": e.to_status, "referral": e.referral}
        build_event(head, action=e.action, actor=e.actor, agency=e.agency, data=data, at=e.at, **fields).save()
    Case.objects.filter(pk=case.pk).update(event_count=head.event_count, last_event_hash=head.last_event_hash)
    assert "every chain intact" in verify()
    assert broken(digest=str(kept)) == (
        f"Case {case.number}, event 8: its hash differs from the digest kept for {DAY}: the chain was rewritten."
    )


def test_an_altered_digest_file_is_refused(cases, kept):
    text = kept.read_text()
    cut = "\n".join(line for line in text.splitlines() if not line.startswith(f"{cases[0].pk} ")) + "\n"
    kept.write_text(cut)
    assert broken(digest=str(kept)) == (
        f"Digest {kept}: the case lines do not match the summary line: the kept file was altered."
    )
    kept.write_text("not a digest\n")
    assert "the last line must be the summary line" in broken(digest=str(kept))
    assert "No such file" in broken(digest=str(kept.with_name("missing.txt")))


def test_chain_digest_refuses_a_bad_or_future_date():
    with pytest.raises(CommandError, match="expected YYYY-MM-DD"):
        call_command("chain_digest", date="10/03/2024")
    with pytest.raises(CommandError, match="has not begun yet"):
        call_command("chain_digest", date="2999-01-01")


def test_the_running_sweep_writes_yesterdays_digest_once_a_day(cases, tmp_path, kept):
    folder = tmp_path / "digests"
    with time_machine.travel(ON_DAY + datetime.timedelta(days=1), tick=False):
        call_command("sweep_deadlines", digest_dir=folder)
        written = folder / f"chain-digest-{DAY}.txt"
        assert written.read_text(encoding="utf-8") == kept.read_text(encoding="utf-8")
        written.write_text("kept as it was first written", encoding="utf-8")
        call_command("sweep_deadlines", digest_dir=folder)  # the same day again: left alone
        assert written.read_text(encoding="utf-8") == "kept as it was first written"
    assert [p.name for p in folder.iterdir()] == [written.name]  # no partial file left behind
    assert "OK" in verify(digest=str(kept))
