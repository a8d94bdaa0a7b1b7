"""The event log is append-only and hash-chained; verify_events finds any edit or deletion."""

import pytest
from django.core.management import CommandError, call_command

from cases import actions
from cases.models import Event
from tests.factories import CaseFactory, add_person, demo_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def case():
    case = CaseFactory(status="open")
    person = add_person(case)
    actions.record_finding(case, actor=demo_user("guangzhou.officer1"), kind="lent_certificate", person=person.pk)
    return case


def verify(capsys) -> str:
    call_command("verify_events")
    return capsys.readouterr().out


def test_an_intact_log_verifies(case, capsys):
    assert "every chain intact" in verify(capsys)
    assert list(case.events.values_list("seq", flat=True)) == [1, 2, 3, 4]
    hashes = list(case.events.values_list("prev_hash", "hash"))
    assert hashes[0][0] == "" and all(hashes[i][1] == hashes[i + 1][0] for i in range(3))


def test_events_cannot_be_changed_or_deleted_through_the_orm(case):
    event = case.events.first()
    with pytest.raises(RuntimeError):
        event.save()
    with pytest.raises(RuntimeError):
        event.delete()


def test_an_edited_event_is_named(case):
    Event.objects.filter(case=case, seq=2).update(data={"handlers": ["someone.else", "guangzhou.officer2"]})
    with pytest.raises(CommandError, match=rf"{case.number}, event 2: the event's content does not match"):
        call_command("verify_events")


def test_an_edited_actor_is_named(case):
    Event.objects.filter(case=case, seq=3).update(actor=demo_user("guangzhou.head"))
    with pytest.raises(CommandError, match=rf"{case.number}, event 3"):
        call_command("verify_events")


def test_a_deleted_event_in_the_middle_is_named(case):
    Event.objects.filter(case=case, seq=2).delete()
    with pytest.raises(CommandError, match=rf"{case.number}, event 2: event 2 is missing"):
        call_command("verify_events")


def test_a_deleted_last_event_is_named(case):
    Event.objects.filter(case=case, seq=4).delete()
    with pytest.raises(CommandError, match=rf"{case.number}, event 4: the chain ends at 3"):
        call_command("verify_events")


def test_only_the_broken_case_fails(case, capsys):
    other = CaseFactory(status="open")
    call_command("verify_events", case=other.number)
    assert "1 cases" in capsys.readouterr().out
