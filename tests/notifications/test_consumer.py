"""/ws/notifications/ with channels' WebsocketCommunicator against the real ASGI application:
auth by session and by token, refusals, catch-up, unread count, live pushes, no leaks."""

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings

from accounts.tokens import issue
from config.asgi import application
from notifications import announce as announce_module
from notifications.models import Notification
from notifications.outbox import notify
from tests.factories import demo_user
from tests.workflows.helpers import DOCS, referable_case
from workflows import actions as referrals

pytestmark = pytest.mark.django_db
ORIGIN = (b"origin", b"http://localhost")


@pytest.fixture(autouse=True)
def _keep_the_test_connection(monkeypatch):
    """These tests run the consumer's database work in the test's own transaction (see run());
    channels would otherwise close that connection between calls when CONN_MAX_AGE is 0."""
    monkeypatch.setattr("channels.db.close_old_connections", lambda: None)


def token_for(username: str) -> str:
    return issue(demo_user(username))[1]


def session_cookie(client, username: str) -> tuple[bytes, bytes]:
    client.force_login(demo_user(username))
    return (b"cookie", f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}".encode())


def run(scenario):
    """Run an async scenario from this sync test, so that database work shares the test's transaction."""
    return async_to_sync(scenario)()


async def connect(path: str, headers=()):
    ws = WebsocketCommunicator(application, path, headers=list(headers))
    connected, _code = await ws.connect()
    return ws, connected


def test_an_api_client_connects_with_its_token():
    key = token_for("guangzhou.officer1")

    async def scenario():
        ws, ok = await connect(f"/ws/notifications/?token={key}")
        assert ok
        assert await ws.receive_json_from() == {"type": "unread", "count": 0}
        await ws.disconnect()

    run(scenario)


@pytest.mark.parametrize("query", ["?token=not-a-token", "?token=", ""])
def test_a_bad_or_missing_token_is_refused(query):
    async def scenario():
        ws, ok = await connect(f"/ws/notifications/{query}")
        assert not ok

    run(scenario)


def test_a_browser_connects_with_its_session_from_an_allowed_origin(client):
    cookie = session_cookie(client, "guangzhou.police")

    async def scenario():
        ws, ok = await connect("/ws/notifications/", [ORIGIN, cookie])
        assert ok
        assert (await ws.receive_json_from())["type"] == "unread"
        await ws.disconnect()
        ws, ok = await connect("/ws/notifications/", [(b"origin", b"https://evil.example"), cookie])
        assert not ok
        ws, ok = await connect("/ws/notifications/", [cookie])  # a cookie without an Origin is not a browser we trust
        assert not ok
        ws, ok = await connect("/ws/notifications/", [ORIGIN])  # no session
        assert not ok

    run(scenario)


def test_since_sends_every_later_notification_then_the_unread_count_and_nothing_of_others():
    me, other = demo_user("guangzhou.head"), demo_user("shenzhen.head")
    mine = [notify([me], kind="test", title=f"第{i}条")[0] for i in range(4)]
    notify([other], kind="test", title="别人的")
    Notification.objects.filter(pk=mine[0].pk).update(read_at=mine[0].created_at)
    key = token_for("guangzhou.head")

    async def scenario():
        ws, ok = await connect(f"/ws/notifications/?token={key}&since={mine[1].pk}")
        assert ok
        got = [await ws.receive_json_from(), await ws.receive_json_from()]
        assert [m["id"] for m in got] == [mine[2].pk, mine[3].pk]
        assert got[0] == {
            "type": "notification",
            "id": mine[2].pk,
            "kind": "test",
            "title": "第2条",
            "case": None,
            "referral": None,
            "created_at": mine[2].created_at.isoformat(),
        }
        assert await ws.receive_json_from() == {"type": "unread", "count": 3}
        assert await ws.receive_nothing(timeout=0.2)
        await ws.disconnect()

    run(scenario)


def test_a_transmitted_referral_is_pushed_live_to_the_police_and_to_nobody_else(django_capture_on_commit_callbacks):
    case, person = referable_case()
    referral = referrals.propose_referral(
        case, actor=demo_user("guangzhou.officer1"), persons=[person.pk], report="移送"
    )
    referral = referrals.approve(referral, actor=demo_user("guangzhou.head"))
    police, bystander = token_for("guangzhou.police"), token_for("shenzhen.police")

    @database_sync_to_async
    def transmit():
        with django_capture_on_commit_callbacks(execute=True):
            referrals.transmit(referral, actor=demo_user("guangzhou.officer1"), documents=DOCS)

    async def scenario():
        ws, _ = await connect(f"/ws/notifications/?token={police}")
        other, _ = await connect(f"/ws/notifications/?token={bystander}")
        await ws.receive_json_from()
        await other.receive_json_from()
        await transmit()
        message = await ws.receive_json_from(timeout=2)
        assert message["type"] == "notification" and message["kind"] == "referral_transmit"
        assert message["referral"] == referral.pk and message["case"] == case.pk
        assert referral.number in message["title"]
        assert await other.receive_nothing(timeout=0.3)
        await ws.disconnect()
        await other.disconnect()

    run(scenario)


def test_a_rolled_back_action_leaves_no_row_and_pushes_nothing(monkeypatch, django_capture_on_commit_callbacks):
    case, person = referable_case()
    referral = referrals.propose_referral(
        case, actor=demo_user("guangzhou.officer1"), persons=[person.pk], report="移送"
    )
    referral = referrals.approve(referral, actor=demo_user("guangzhou.head"))
    before = Notification.objects.count()

    written = []

    def write_then_fail(*args, **kwargs):
        """The notification rows are written, then the action fails: the last thing it does."""
        written.extend(real_notify_many(*args, **kwargs))
        raise RuntimeError("power cut")

    real_notify_many = announce_module.notify_many
    monkeypatch.setattr(announce_module, "notify_many", write_then_fail)
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError, match="power cut"):
        referrals.transmit(referral, actor=demo_user("guangzhou.officer1"), documents=DOCS)
    assert any(written)  # rows were written inside the action's transaction …
    assert callbacks == []  # … nothing was scheduled to go out …
    assert Notification.objects.count() == before  # … and the rollback took them back
    referral.refresh_from_db()
    assert referral.status == "approved"
