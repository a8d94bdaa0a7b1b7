"""The administrator's list of e-mail deliveries: the last error explained in plain words (the raw
text on the detail page), no next try for what is over, and "send again" saying what it passed over."""

import datetime

import pytest
from django.contrib.messages import SUCCESS, WARNING, get_messages
from django.utils import timezone, translation

from notifications.admin import explain
from notifications.models import Delivery
from notifications.outbox import notify
from tests.factories import demo_user

pytestmark = pytest.mark.django_db
U = demo_user
LIST = "/admin/notifications/delivery/"


def delivery_of(username: str, **fields) -> Delivery:
    notify([U(username)], kind="escalation", title=f"Missed deadline: {username}", email=True)
    d = Delivery.objects.get(recipient__username=username)
    Delivery.objects.filter(pk=d.pk).update(**fields)
    d.refresh_from_db()
    return d


@pytest.mark.parametrize(
    "error, meaning",
    [
        ("ConnectionRefusedError: [Errno 111] Connection refused", "无法连接邮件服务器"),
        ("gaierror: [Errno -2] Name or service not known", "无法连接邮件服务器"),
        ("SMTPServerDisconnected: Connection unexpectedly closed", "无法连接邮件服务器"),
        ("TimeoutError: timed out", "邮件服务器响应超时"),
        ("SMTPAuthenticationError: (535, b'5.7.8 Authentication credentials invalid')", "邮件服务器拒绝登录"),
        ("SMTPRecipientsRefused: {'x@example.org': (550, b'5.1.1 No such user')}", "邮件服务器拒收该收件地址"),
        ("ValueError: something else", ""),
    ],
)
def test_common_errors_are_explained_in_plain_chinese(error, meaning):
    with translation.override("zh-hans"):
        said = explain(error)
    assert said.startswith(meaning) if meaning else said == ""


def test_the_list_explains_the_error_and_shows_no_next_try_for_what_is_over(client):
    failed = delivery_of(
        "guangzhou.officer1",
        status=Delivery.Status.FAILED,
        attempts=2,
        last_error="ConnectionRefusedError: [Errno 111] Connection refused",
        next_try_at=timezone.now() + datetime.timedelta(minutes=5),
    )
    odd = "ValueError: " + "a very long and unusual complaint of the mail server " * 3
    delivery_of("guangzhou.officer2", status=Delivery.Status.DEAD, attempts=9, last_error=odd)
    delivery_of("guangzhou.head", status=Delivery.Status.SENT, attempts=1, sent_at=timezone.now())
    client.force_login(U("admin"))
    r = client.get(LIST)
    assert r.status_code == 200
    page = r.content.decode()
    assert "尝试次数" in page and "运行次数" not in page  # the jobs' "attempts" is another word
    assert "无法连接邮件服务器" in page and "[Errno 111]" not in page
    assert odd[:40] in page and odd not in page  # unexplained: shortened
    rows = {row.pk: row for row in r.context["cl"].result_list}
    admin = r.context["cl"].model_admin
    assert admin.next_try(rows[failed.pk]) == failed.next_try_at
    assert {admin.next_try(row) for row in rows.values() if row.status != Delivery.Status.FAILED} == {"—"}
    # The detail page keeps the raw text, with its explanation.
    detail = client.get(f"{LIST}{failed.pk}/change/").content.decode()
    assert "[Errno 111] Connection refused" in detail and "无法连接邮件服务器" in detail
    assert "发送占用至" in detail


def test_send_again_says_what_it_queued_and_what_it_passed_over_and_why(client, django_capture_on_commit_callbacks):
    now = timezone.now()
    dead = delivery_of("guangzhou.officer1", status=Delivery.Status.DEAD, attempts=9, last_error="TimeoutError")
    sent = delivery_of("guangzhou.officer2", status=Delivery.Status.SENT, sent_at=now)
    busy = delivery_of(
        "guangzhou.head", status=Delivery.Status.FAILED, claimed_until=now + datetime.timedelta(minutes=5)
    )
    client.force_login(U("admin"))
    with django_capture_on_commit_callbacks(execute=False):
        r = client.post(LIST, {"action": "send_again", "_selected_action": [dead.pk, sent.pk, busy.pk]})
    assert r.status_code == 302
    (message,) = get_messages(r.wsgi_request)
    assert message.level == SUCCESS
    assert str(message) == "将重新发送的邮件：1 封。 已发送过、未重新发送：1 封。 正在发送、未重新发送：1 封。"
    assert Delivery.objects.get(pk=dead.pk).status == Delivery.Status.PENDING
    assert Delivery.objects.get(pk=sent.pk).status == Delivery.Status.SENT
    assert Delivery.objects.get(pk=busy.pk).status == Delivery.Status.FAILED


def test_send_again_of_nothing_sendable_is_a_warning(client, django_capture_on_commit_callbacks):
    sent = delivery_of("guangzhou.officer2", status=Delivery.Status.SENT, sent_at=timezone.now())
    client.force_login(U("admin"))
    with django_capture_on_commit_callbacks(execute=False):
        r = client.post(LIST, {"action": "send_again", "_selected_action": [sent.pk]})
    (message,) = get_messages(r.wsgi_request)
    assert message.level == WARNING and str(message) == "将重新发送的邮件：0 封。 已发送过、未重新发送：1 封。"
