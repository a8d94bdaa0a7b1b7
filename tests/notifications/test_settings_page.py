"""The e-mail settings page every e-mail points to (/notices/settings/): one checkbox per e-mailed
kind, saved into the same Preference rows the API reads; linked from the notifications and the
profile. And "My jobs" in the workbench's menu."""

import re

import pytest
from django.contrib.messages import SUCCESS, get_messages
from rest_framework.test import APIClient

from notifications import preferences
from notifications.announce import EMAIL_KINDS
from notifications.models import Delivery, Preference
from notifications.outbox import notify
from tests.factories import demo_user

pytestmark = pytest.mark.django_db
U = demo_user
URL = "/notices/settings/"


def kinds_on(page: str) -> dict[str, bool]:
    rows = re.findall(r'data-kind="(\w+)">.*?<input type="checkbox"[^>]*?( checked)?>', page, re.S)
    return {kind: bool(checked) for kind, checked in rows}


def test_every_e_mailed_kind_has_a_label_in_words():
    assert set(preferences.KIND_LABELS) >= EMAIL_KINDS
    assert sorted(preferences.email_kinds()) == sorted(EMAIL_KINDS)


def test_the_page_lists_each_e_mailed_kind_ticked_unless_turned_off(client):
    officer = U("guangzhou.officer1")
    Preference.objects.create(user=officer, kind="escalation", email=False)
    client.force_login(officer)
    r = client.get(URL)
    assert r.status_code == 200
    page = r.content.decode()
    shown = kinds_on(page)
    assert set(shown) == EMAIL_KINDS
    assert shown["escalation"] is False and shown["reminder"] is True
    assert str(preferences.KIND_LABELS["escalation"]) in page  # "期限已逾期", not the code


def test_saving_turns_off_the_unticked_kinds_and_the_api_and_the_outbox_agree(client):
    officer = U("guangzhou.officer1")
    Preference.objects.create(user=officer, kind="escalation", email=False)
    client.force_login(officer)
    ticked = sorted(EMAIL_KINDS - {"reminder"})  # escalation ticked again, reminder turned off
    r = client.post(URL, {"email": ticked})
    assert r.status_code == 302 and r["Location"] == URL
    (message,) = get_messages(r.wsgi_request)
    assert message.level == SUCCESS
    assert dict(Preference.objects.filter(user=officer).values_list("kind", "email")) == {
        kind: kind != "reminder" for kind in EMAIL_KINDS
    }
    assert kinds_on(client.get(URL).content.decode()) == {kind: kind != "reminder" for kind in EMAIL_KINDS}
    api = APIClient()
    api.force_authenticate(officer)
    answer = {p["kind"]: p["email"] for p in api.get("/api/v1/notifications/preferences/").data["preferences"]}
    assert answer == {kind: kind != "reminder" for kind in EMAIL_KINDS}
    notify([officer], kind="reminder", title="Reminder: decide", email=True)
    notify([officer], kind="escalation", title="Missed deadline: decide", email=True)
    assert list(Delivery.objects.filter(recipient=officer).values_list("notification__kind", flat=True)) == [
        "escalation"
    ]


def test_the_api_saves_through_the_same_rows_the_page_shows(client):
    officer = U("guangzhou.officer2")
    api = APIClient()
    api.force_authenticate(officer)
    r = api.put(
        "/api/v1/notifications/preferences/", {"preferences": [{"kind": "reminder", "email": False}]}, format="json"
    )
    assert r.status_code == 200
    client.force_login(officer)
    assert kinds_on(client.get(URL).content.decode())["reminder"] is False


def test_a_kind_that_is_not_e_mailed_is_not_saved_from_the_page(client):
    officer = U("guangzhou.officer1")
    client.force_login(officer)
    r = client.post(URL, {"email": ["case_assigned", "escalation"]})
    assert r.status_code == 302
    assert not Preference.objects.filter(user=officer, kind="case_assigned").exists()
    assert Preference.objects.get(user=officer, kind="escalation").email is True


def test_the_page_is_linked_from_the_notifications_and_the_profile(client):
    client.force_login(U("guangzhou.police"))
    assert f'href="{URL}"' in client.get("/notices/list/").content.decode()
    assert f'href="{URL}"' in client.get("/accounts/profile/").content.decode()


def test_the_administrator_in_no_agency_has_no_settings_page(client):
    client.force_login(U("admin"))
    assert client.get(URL).status_code == 403
    assert f'href="{URL}"' not in client.get("/accounts/profile/").content.decode()


def test_anonymous_visitors_are_sent_to_the_login(client):
    r = client.get(URL)
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]


@pytest.mark.parametrize(
    "username", ["guangzhou.officer1", "guangzhou.police", "guangzhou.procurator", "gd.supervisor"]
)
def test_my_jobs_is_in_the_workbench_menu(client, username):
    client.force_login(U(username))
    page = client.get("/tasks/mine/").content.decode()
    assert 'href="/jobs/"' in page
