"""内部备注: internal notes on a case — who writes them, who reads them (never the police), their
place in the event chain, and that they are never changed."""

import pytest
from django.test import Client

from cases import notes
from cases.events import verify_case_chain
from cases.models import Case, CaseNote
from demo.reach import reach
from tests.factories import CaseFactory, demo_user
from tests.workflows.helpers import referable_case

pytestmark = pytest.mark.django_db

NOTE = "当事人称假证系从网上中介购得，已调取聊天记录"


def notes_url(case):
    return f"/api/v1/cases/{case.pk}/notes/"


def write(api, username, case, text=NOTE):
    return api(username).post(notes_url(case), {"text": text}, format="json")


def test_a_handler_writes_a_note_that_the_agency_and_the_supervisors_read_newest_first(api):
    case = CaseFactory(status="open")  # handlers officer1 and officer2
    first = write(api, "guangzhou.officer1", case, "第一条")
    assert first.status_code == 201, first.content
    assert first.json()["author"] == "guangzhou.officer1"
    assert first.json()["agency"] == "guangzhou-safety"
    assert write(api, "guangzhou.head", case, "第二条").status_code == 201
    for reader in ("guangzhou.officer1", "guangzhou.head", "guangzhou.supervisor", "gd.supervisor"):
        r = api(reader).get(notes_url(case))
        assert r.status_code == 200, (reader, r.content)
        assert [n["text"] for n in r.json()["results"]] == ["第二条", "第一条"], reader
        assert r.json()["results"][0]["author"] == "guangzhou.head"


def test_who_may_write_a_note(api):
    case = CaseFactory(status="open")  # handlers officer1 and officer2
    assert write(api, "guangzhou.officer2", case).status_code == 201  # a handler
    assert write(api, "guangzhou.head", case).status_code == 201  # the head, not a handler
    other = CaseFactory(status="open")
    Case.handlers.through.objects.filter(case=other, user__username="guangzhou.officer2").delete()
    assert write(api, "guangzhou.officer2", other).status_code == 403  # of the agency, not a handler
    assert api("guangzhou.officer2").get(notes_url(other)).status_code == 200  # … still reads them
    assert write(api, "guangzhou.supervisor", case).status_code == 403  # reads, does not write
    assert write(api, "shenzhen.officer1", case).status_code == 404  # another city: not visible
    assert write(api, "guangzhou.police", case).status_code == 404  # nothing referred: not visible
    assert api("guangzhou.police").get(notes_url(case)).status_code == 404
    assert CaseNote.objects.filter(case=other).count() == 0
    assert CaseNote.objects.filter(case=case).count() == 2


def test_the_police_never_read_the_regulators_notes_of_a_case_they_were_sent(api):
    case, person = referable_case()
    assert write(api, "guangzhou.officer1", case, "内部：当事人有背景，注意保密").status_code == 201
    reach(case, "received", persons=[person.pk], report="移送")
    police = api("guangzhou.police")
    assert police.get(f"/api/v1/cases/{case.pk}/").status_code == 200  # they see the case …
    assert police.get(notes_url(case)).status_code == 403  # … not its internals
    assert write(api, "guangzhou.police", case).status_code == 403
    events = police.get(f"/api/v1/cases/{case.pk}/events/").json()["results"]
    assert "add_note" not in [e["action"] for e in events]
    assert all("注意保密" not in str(e["data"]) for e in events)
    # The procuratorate sees the case through the referral: not the notes either.
    assert api("guangzhou.procurator").get(notes_url(case)).status_code == 403
    # The handlers' own timeline has the note.
    own = api("guangzhou.officer1").get(f"/api/v1/cases/{case.pk}/events/").json()["results"]
    assert [e["data"]["text"] for e in own if e["action"] == "add_note"] == ["内部：当事人有背景，注意保密"]
    # On the case page too: the police are shown neither the section nor the text.
    web = Client()
    web.force_login(demo_user("guangzhou.police"))
    page = web.get(f"/cases/case/{case.pk}/").content.decode()
    assert "注意保密" not in page and 'data-testid="notes"' not in page
    web.force_login(demo_user("guangzhou.officer2"))
    page = web.get(f"/cases/case/{case.pk}/").content.decode()
    assert "注意保密" in page and 'data-testid="notes"' in page


def test_a_note_is_an_event_of_the_chain_and_is_never_changed(api):
    case = CaseFactory(status="open")
    before = Case.objects.get(pk=case.pk)
    assert write(api, "guangzhou.officer1", case).status_code == 201
    after = Case.objects.get(pk=case.pk)
    assert (after.event_count, after.version) == (before.event_count + 1, before.version + 1)
    note = CaseNote.objects.get(case=case)
    assert (note.event.action, note.event.seq, note.event.data) == ("add_note", after.event_count, {"text": NOTE})
    assert note.event.actor.username == "guangzhou.officer1"
    assert verify_case_chain(after) is None
    note.text = "改过的"
    with pytest.raises(RuntimeError):
        note.save()
    with pytest.raises(RuntimeError):
        note.delete()
    assert CaseNote.objects.get(pk=note.pk).text == NOTE
    # No way to change one through the API either.
    url = notes_url(case)
    assert api("guangzhou.officer1").put(url, {"text": "x"}, format="json").status_code == 405
    assert api("guangzhou.officer1").delete(url).status_code == 405


@pytest.mark.parametrize("text", ["", "   ", None])
def test_an_empty_note_is_refused_with_400_and_nothing_is_written(api, text):
    case = CaseFactory(status="open")
    before = Case.objects.get(pk=case.pk)
    body = {} if text is None else {"text": text}
    r = api("guangzhou.officer1").post(notes_url(case), body, format="json")
    assert r.status_code == 400
    assert "text" in r.json()
    after = Case.objects.get(pk=case.pk)
    assert (after.event_count, after.version) == (before.event_count, before.version)
    assert not CaseNote.objects.filter(case=case).exists()
    with pytest.raises(Exception) as refused:
        notes.add_note(case, actor=demo_user("guangzhou.officer1"), text="  ")
    assert "text" in refused.value.message_dict


def test_id_numbers_in_a_note_are_masked_for_those_who_do_not_see_them(api):
    case = CaseFactory(status="open")
    assert write(api, "guangzhou.officer1", case, "身份证 440106199001011235 待核").status_code == 201
    own = api("guangzhou.officer1").get(notes_url(case)).json()["results"][0]["text"]
    assert "440106199001011235" in own
    supervised = api("guangzhou.supervisor").get(notes_url(case)).json()["results"][0]["text"]
    assert "440106199001011235" not in supervised and "440" in supervised


def test_the_case_page_form_adds_a_note_and_refuses_an_empty_one():
    case = CaseFactory(status="open")
    web = Client(HTTP_ACCEPT_LANGUAGE="en")
    web.force_login(demo_user("guangzhou.officer1"))
    r = web.post(f"/cases/case/{case.pk}/notes/", {"text": "现场照片已上传"})
    assert r.status_code == 302 and r["Location"].endswith(f"/cases/case/{case.pk}/#notes")
    assert list(CaseNote.objects.filter(case=case).values_list("text", flat=True)) == ["现场照片已上传"]
    r = web.post(f"/cases/case/{case.pk}/notes/", {"text": "  "}, follow=True)
    assert CaseNote.objects.filter(case=case).count() == 1
    assert "Write the note." in r.content.decode()
    web.force_login(demo_user("guangzhou.supervisor"))  # reads, does not write
    assert web.post(f"/cases/case/{case.pk}/notes/", {"text": "督办意见"}).status_code == 403
    page = web.get(f"/cases/case/{case.pk}/").content.decode()
    assert "现场照片已上传" in page and 'data-testid="note-form"' not in page
