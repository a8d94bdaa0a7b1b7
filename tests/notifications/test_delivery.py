"""E-mail delivery that loses nothing: written in the action's transaction, sent once after the
commit, tried again with backoff while the mail server is down, given up after a day, sent again
from the admin; and, on the real broker, an outage of a real SMTP server survived."""

import datetime
import email
import email.policy
import socket
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.contrib.auth import get_user_model
from django.contrib.messages import SUCCESS, get_messages
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from config.celery import app
from notifications import delivery
from notifications.models import Delivery, Notification, Preference
from notifications.outbox import notify
from tests.celery_workers import broker, until, workers
from tests.factories import demo_user
from tests.workflows.test_sweep_concurrency import missed_deadlines
from workflows.sweep import sweep

U = demo_user
KIND = "escalation"  # e-mailed, and one a user may turn off
REFUSING = "tests.notifications.test_delivery.RefusingBackend"


class RefusingBackend(BaseEmailBackend):
    """A mail server that is down."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError(111, "Connection refused")


def tell(*usernames: str, title: str = "Missed deadline: decide (X-1)") -> list[Notification]:
    return notify([U(name) for name in usernames], kind=KIND, title=title, email=True)


@pytest.fixture
def refusing(settings):
    settings.EMAIL_BACKEND = REFUSING
    return settings


def test_a_rolled_back_action_writes_no_delivery_and_sends_nothing(db, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        tell("guangzhou.officer1")
        assert Delivery.objects.count() == 1  # written with the notification, in its transaction
        raise RuntimeError("the action failed after announcing")
    assert callbacks == []
    assert Delivery.objects.count() == 0 and not Notification.objects.filter(kind=KIND).exists()
    assert mail.outbox == []


def test_a_committed_action_sends_each_e_mail_once(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        (n,) = tell("guangzhou.officer1")
    d = Delivery.objects.get()
    assert (d.notification, d.recipient, d.address) == (n, U("guangzhou.officer1"), "guangzhou.officer1@example.org")
    assert d.status == Delivery.Status.SENT and d.attempts == 1 and d.sent_at and d.claimed_until is None
    (message,) = mail.outbox
    assert message.to == ["guangzhou.officer1@example.org"]
    assert message.subject == d.subject == n.title and message.body == d.body
    assert d.body.splitlines()[0] == n.title
    # Handed to a worker again (a task delivered twice): nothing more is sent.
    assert delivery.send(d.pk) is False
    assert delivery.retry_due(timezone.now() + datetime.timedelta(hours=1)) == 0
    assert len(mail.outbox) == 1


def test_many_deliveries_are_written_in_one_insert(db, django_capture_on_commit_callbacks):
    people = ["guangzhou.officer1", "guangzhou.officer2", "guangzhou.head", "guangzhou.supervisor", "gd.supervisor"]
    with CaptureQueriesContext(connection) as queries:
        tell(*people)
    inserts = [q["sql"] for q in queries if q["sql"].startswith(f'INSERT INTO "{Delivery._meta.db_table}"')]
    assert len(inserts) == 1
    assert sorted(Delivery.objects.values_list("recipient__username", flat=True)) == sorted(people)
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.PENDING}


def test_no_delivery_for_a_kind_turned_off_or_a_person_without_an_address(db, django_capture_on_commit_callbacks):
    Preference.objects.create(user=U("guangzhou.officer1"), kind=KIND, email=False)
    get_user_model().objects.filter(username="guangzhou.officer2").update(email="")
    with django_capture_on_commit_callbacks(execute=True):
        tell("guangzhou.officer1", "guangzhou.officer2", "guangzhou.head")
    assert Notification.objects.filter(kind=KIND).count() == 3  # each is still told in the app
    assert list(Delivery.objects.values_list("address", flat=True)) == ["guangzhou.head@example.org"]
    assert [m.to for m in mail.outbox] == [["guangzhou.head@example.org"]]


def test_a_failed_send_is_kept_and_tried_again_after_a_backoff(db, refusing, django_capture_on_commit_callbacks):
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        tell("guangzhou.officer1")
    d = Delivery.objects.get()
    assert d.status == Delivery.Status.FAILED and d.attempts == 1 and d.sent_at is None
    assert d.last_error.startswith("ConnectionRefusedError") and d.claimed_until is None
    # 30 s, spread by ±25%.
    assert before + datetime.timedelta(seconds=22) <= d.next_try_at <= timezone.now() + datetime.timedelta(seconds=38)
    assert mail.outbox == []
    assert delivery.retry_due() == 0  # not yet

    with time_machine.travel(d.next_try_at + datetime.timedelta(seconds=1), tick=False):
        assert delivery.retry_due() == 1  # still down: the second wait is twice as long
        d.refresh_from_db()
        assert d.status == Delivery.Status.FAILED and d.attempts == 2
        assert datetime.timedelta(seconds=45) <= d.next_try_at - timezone.now() <= datetime.timedelta(seconds=75)

    refusing.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with time_machine.travel(d.next_try_at + datetime.timedelta(seconds=1), tick=False):
        assert delivery.retry_due() == 1
    d.refresh_from_db()
    assert d.status == Delivery.Status.SENT and d.attempts == 3 and d.last_error.startswith("ConnectionRefused")
    assert [m.to for m in mail.outbox] == [["guangzhou.officer1@example.org"]]


def test_the_backoff_doubles_up_to_two_hours_spread_by_a_quarter():
    for attempts, seconds in [(1, 30), (2, 60), (3, 120), (8, 3840), (9, 7200), (40, 7200)]:
        waits = [delivery.backoff(attempts).total_seconds() for _ in range(50)]
        assert all(0.75 * seconds <= w <= 1.25 * seconds for w in waits), (attempts, min(waits), max(waits))
        assert max(waits) - min(waits) > 0.1 * seconds  # spread, not all at the same moment


def test_a_delivery_failing_for_a_day_is_given_up(db, refusing, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        tell("guangzhou.officer1")
    d = Delivery.objects.get()
    first = d.first_tried_at
    assert first is not None and d.status == Delivery.Status.FAILED
    with time_machine.travel(first + datetime.timedelta(hours=23), tick=False):
        assert delivery.retry_due() == 1
        assert Delivery.objects.get().status == Delivery.Status.FAILED
    with time_machine.travel(first + datetime.timedelta(hours=24, minutes=1), tick=False):
        assert delivery.retry_due() == 1
        d.refresh_from_db()
        assert d.status == Delivery.Status.DEAD and d.attempts == 3
        assert d.first_tried_at == first and d.last_error.startswith("ConnectionRefusedError")
    with time_machine.travel(first + datetime.timedelta(days=3), tick=False):
        assert delivery.retry_due() == 0  # given up: only the administrator sends it again
    assert mail.outbox == []


def test_the_admin_sends_a_dead_delivery_again(db, client, refusing, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        tell("guangzhou.officer1", title="Missed deadline: dead one")
        tell("guangzhou.officer2", title="Missed deadline: sent one")
    dead = Delivery.objects.get(recipient__username="guangzhou.officer1")
    Delivery.objects.filter(pk=dead.pk).update(status=Delivery.Status.DEAD, attempts=9)
    sent = Delivery.objects.get(recipient__username="guangzhou.officer2")
    Delivery.objects.filter(pk=sent.pk).update(status=Delivery.Status.SENT, sent_at=timezone.now())

    client.force_login(U("admin"))
    page = client.get("/admin/notifications/delivery/", {"status__exact": "dead", "q": "officer1"})
    assert page.status_code == 200 and list(page.context["cl"].result_list) == [dead]
    assert client.get(f"/admin/notifications/delivery/{dead.pk}/change/").status_code == 200
    assert client.get("/admin/notifications/delivery/add/").status_code == 403
    assert client.get(f"/admin/notifications/delivery/{dead.pk}/delete/").status_code == 403

    refusing.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(
            "/admin/notifications/delivery/", {"action": "send_again", "_selected_action": [dead.pk, sent.pk]}
        )
    assert r.status_code == 302
    (message,) = get_messages(r.wsgi_request)
    assert message.level == SUCCESS and "1" in str(message)
    dead.refresh_from_db()
    assert dead.status == Delivery.Status.SENT and dead.attempts == 10
    assert dead.last_error.startswith("ConnectionRefusedError")  # what went wrong before is kept
    assert [m.to for m in mail.outbox] == [["guangzhou.officer1@example.org"]]  # the sent one is not sent twice


def test_two_workers_claiming_one_delivery_send_it_once(db):
    tell("guangzhou.officer1")  # not committed here: nothing has tried it yet
    d = Delivery.objects.get()
    first = delivery.claim(d.pk)
    assert first is not None
    assert delivery.claim(d.pk) is None  # the second worker finds it taken
    assert delivery.send(d.pk) is False and mail.outbox == []
    # The first worker died holding it: once its claim runs out, another takes it up.
    with time_machine.travel(first + datetime.timedelta(seconds=1), tick=False):
        assert delivery.retry_due() == 1
    d.refresh_from_db()
    assert d.status == Delivery.Status.SENT and d.attempts == 1 and len(mail.outbox) == 1


def test_a_pending_delivery_whose_task_was_lost_is_sent_by_the_retry(db):
    tell("guangzhou.officer1")  # as if the broker lost the task: nobody was handed it
    assert delivery.retry_due() == 0  # its task may still be on its way
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=3), tick=False):
        assert delivery.retry_due() == 1
    assert Delivery.objects.get().status == Delivery.Status.SENT and len(mail.outbox) == 1


# --- The real broker, a real SMTP server ------------------------------------------------------


class Inbox:
    """An SMTP server's handler that keeps (recipient, subject) of every message it accepts."""

    def __init__(self) -> None:
        self.received: list[tuple[str, str]] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.received += [(to, str(message["subject"]).strip()) for to in envelope.rcpt_tos]
        return "250 Message accepted for delivery"

    def count(self) -> Counter:
        with self.lock:
            return Counter(self.received)


@contextmanager
def publishing() -> Iterator[str]:
    """broker(), with the app's producer pool made afresh on the way in and out: the app keeps one
    bound to the connection pool that broker() closes (an eager task acquires it too), and a
    publish through it fails with "Acquire on closed pool"."""
    app.amqp._producer_pool = None
    try:
        with broker() as url:
            app.amqp._producer_pool = None
            yield url
    finally:
        app.amqp._producer_pool = None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def smtp_server(inbox: Inbox, port: int) -> Controller:
    server = Controller(inbox, hostname="127.0.0.1", port=port)
    server.start()
    return server


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_escalation_e_mails_outlive_a_mail_server_outage_and_arrive_once():
    call_command("seed_demo", verbosity=0)
    inbox, port = Inbox(), free_port()
    smtp_server(inbox, port).stop()  # the port is ours to listen on again; nothing listens now
    missed_deadlines(cases=3, per_case=1)  # in Guangzhou and Shenzhen: each told to two supervisors

    with publishing(), workers(1, EMAIL_URL=f"smtp://127.0.0.1:{port}", DELIVERY_RETRY_BASE_SECONDS="1"):
        assert sweep(timezone.now()) == 3  # this process writes and publishes; the worker sends
        deliveries = Delivery.objects.filter(notification__kind=KIND)
        assert deliveries.count() == 6

        def all_failed(at_least: int) -> bool:
            rows = list(Delivery.objects.values_list("status", "attempts"))
            return all(status == Delivery.Status.FAILED and tries >= at_least for status, tries in rows)

        until(lambda: all_failed(1), timeout=30, what="every delivery tried once and failed")
        # Beat's once-a-minute retry, sooner: while the server is down they fail again, and are kept.
        until(lambda: delivery.retry_due() >= 0 and all_failed(2), timeout=30, what="a second failed try")
        assert not Delivery.objects.exclude(status=Delivery.Status.FAILED).exists()
        assert inbox.count() == Counter()

        server = smtp_server(inbox, port)
        try:

            def all_sent() -> bool:
                delivery.retry_due()  # tasks handed out twice too: the claim sends each once
                return not Delivery.objects.exclude(status=Delivery.Status.SENT).exists()

            until(all_sent, timeout=40, every=0.5, what="every delivery sent once the server is back")
            until(lambda: sum(inbox.count().values()) >= Delivery.objects.count(), timeout=10)
            delivery.retry_due()  # and once more, after the fact: nothing is due, nothing is sent
        finally:
            server.stop()

    expected = Counter(Delivery.objects.values_list("address", "subject"))
    assert inbox.count() == expected and set(expected.values()) == {1}
    assert all(d.attempts >= 3 and d.sent_at for d in Delivery.objects.all())
