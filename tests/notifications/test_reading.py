"""Opening a notification marks it read; the proposer hears what became of the proposal; e-mails
carry the link, the case, its party and the deadline, never an ID number (issue 18)."""

import pytest
from django.core import mail
from django.utils import translation

from core import calendar
from notifications.models import Notification
from tests.factories import CaseFactory, demo_user
from tests.workflows.helpers import DOCS, referable_case
from workflows import actions as referrals
from workflows.models import Deadline

pytestmark = pytest.mark.django_db
U = demo_user
ID_NUMBER = "440106198604120031"


def proposed(report="移送"):
    case, person = referable_case()
    return referrals.propose_referral(case, actor=U("guangzhou.officer1"), persons=[person.pk], report=report)


def told(kind, referral):
    return sorted(
        Notification.objects.filter(kind=kind, referral=referral).values_list("recipient__username", flat=True)
    )


def test_opening_a_notification_marks_it_read_and_opens_its_page(client):
    referral = proposed()
    n = Notification.objects.get(kind="referral_propose", referral=referral)
    assert n.recipient.username == "guangzhou.head" and n.read_at is None
    client.force_login(U("guangzhou.head"))
    listing = client.get("/notices/list/").content.decode()
    # The list links through the notification, not straight to the page (which would leave it unread).
    assert f'href="/notices/{n.pk}/open/"' in listing and 'data-read="no"' in listing
    r = client.get(f"/notices/{n.pk}/open/")
    assert r.status_code == 302 and r["Location"] == f"/referrals/referral/{referral.pk}/"
    n.refresh_from_db()
    assert n.read_at is not None
    first_read = n.read_at
    assert client.get(f"/notices/{n.pk}/open/").status_code == 302  # again: still read, the time kept
    n.refresh_from_db()
    assert n.read_at == first_read
    assert 'data-read="yes"' in client.get("/notices/list/").content.decode()


def test_someone_elses_notification_does_not_open_and_stays_unread(client):
    referral = proposed()
    n = Notification.objects.get(kind="referral_propose", referral=referral)
    for other in ("guangzhou.officer1", "shenzhen.head"):
        client.force_login(U(other))
        assert client.get(f"/notices/{n.pk}/open/").status_code == 404
    n.refresh_from_db()
    assert n.read_at is None
    client.logout()
    r = client.get(f"/notices/{n.pk}/open/")
    assert r.status_code == 302 and r["Location"].startswith("/accounts/login/")


def test_a_notification_about_no_page_opens_the_list(client):
    CaseFactory(status="open")
    n = Notification.objects.filter(kind="case_assigned", recipient__username="guangzhou.officer2").latest("pk")
    Notification.objects.filter(pk=n.pk).update(case=None)
    client.force_login(U("guangzhou.officer2"))
    r = client.get(f"/notices/{n.pk}/open/")
    assert r.status_code == 302 and r["Location"] == "/notices/list/"
    assert Notification.objects.get(pk=n.pk).read_at is not None


def test_the_proposer_hears_of_the_refusal_with_its_reason():
    referral = proposed()
    referrals.refuse(referral, actor=U("guangzhou.head"), reason="情节轻微，不构成犯罪")
    assert told("proposal_refused", referral) == ["guangzhou.officer1"]
    assert Notification.objects.get(kind="proposal_refused").body == "情节轻微，不构成犯罪"
    # The supervisors are told as before, in their own words.
    assert told("referral_refuse", referral) == ["gd.supervisor", "guangzhou.supervisor"]


def test_the_proposer_hears_of_the_transmission():
    referral = referrals.approve(proposed(), actor=U("guangzhou.head"))
    referrals.transmit(referral, actor=U("guangzhou.officer1"), documents=DOCS)
    assert told("proposal_transmitted", referral) == ["guangzhou.officer1"]
    n = Notification.objects.get(kind="proposal_transmitted")
    assert referral.number in n.title and referral.police_agency.name in n.title
    assert told("referral_transmit", referral) == ["guangzhou.police", "guangzhou.police_head"]


def test_the_proposer_hears_of_the_approval():
    referral = referrals.approve(proposed(), actor=U("guangzhou.head"))
    assert told("referral_approve", referral) == ["guangzhou.officer1"]


def test_the_proposers_news_is_written_in_the_offices_language(settings):
    settings.LANGUAGE_CODE = "en"
    referral = referrals.approve(proposed(), actor=U("guangzhou.head"))
    with translation.override("zh-hans"):
        referrals.transmit(referral, actor=U("guangzhou.officer1"), documents=DOCS)
    title = Notification.objects.get(kind="proposal_transmitted").title
    assert title == f"Referral {referral.number} transmitted to {referral.police_agency.name}"


def test_the_e_mail_carries_the_link_the_case_the_party_and_the_deadline(settings, django_capture_on_commit_callbacks):
    settings.SITE_URL = "https://aj.example.gov.cn"
    referral = referrals.approve(proposed(), actor=U("guangzhou.head"))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        referral = referrals.transmit(referral, actor=U("guangzhou.officer1"), documents=DOCS)
    (message,) = [m for m in mail.outbox if m.to == ["guangzhou.police_head@example.org"]]
    n = Notification.objects.get(kind="referral_transmit", recipient__username="guangzhou.police_head")
    assert message.subject == n.title and referral.number in message.subject
    lines = message.body.splitlines()
    assert lines[0] == n.title and len(lines) >= 7
    case = referral.case
    assert f"https://aj.example.gov.cn/referrals/referral/{referral.pk}/" in message.body
    assert case.number in message.body and case.party_name in message.body and referral.number in message.body
    # The police's own next deadline: to sign the receipt.
    receipt = Deadline.objects.get(referral=referral, step="receipt")
    assert calendar.deadline_text(receipt.due_at, chinese=True) in message.body
    assert str(receipt.label) in message.body
    for person in referral.persons.all():
        assert person.id_number not in message.body


def test_an_id_number_typed_into_a_reason_is_masked_in_the_e_mail(settings, django_capture_on_commit_callbacks):
    referral = proposed()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        referrals.refuse(referral, actor=U("guangzhou.head"), reason=f"当事人身份证号{ID_NUMBER}，情节轻微")
    (message,) = [m for m in mail.outbox if m.to == ["guangzhou.officer1@example.org"]]
    assert ID_NUMBER not in message.body and "440***********0031" in message.body
    assert referral.case.number in message.body
