"""Issue 17 §4–§6: the attacks on tokens and sockets, replayed; each is refused now.

§4 a head's token issued before OTP_REQUIRED_ROLES=head still approved referrals and opened
sockets; §5 sockets kept receiving after the token was revoked, after logout, a password change
or a deactivation, and a page on another port of localhost was let in; §6 tokens were kept in
clear and never expired."""

import datetime

import pytest
import time_machine
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken

from accounts import sockets
from accounts.models import TokenInfo
from accounts.tokens import issue
from config.asgi import application
from notifications.outbox import notify
from tests.factories import demo_user
from tests.workflows.helpers import referable_case
from workflows import actions as referrals

pytestmark = pytest.mark.django_db
PASSWORD = "Sturdy-Pass-2025"
ORIGIN = (b"origin", b"http://localhost:8000")


@pytest.fixture(autouse=True)
def _keep_the_test_connection(monkeypatch):
    monkeypatch.setattr("channels.db.close_old_connections", lambda: None)


def run(scenario):
    return async_to_sync(scenario)()


async def connect(path: str, headers=()):
    ws = WebsocketCommunicator(application, path, headers=list(headers))
    connected, code = await ws.connect()
    return ws, connected, code


def bearer(api, key):
    client = api()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def session_cookie(client, username):
    client.force_login(demo_user(username))
    return (b"cookie", f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}".encode())


async def closed_with(ws, code):
    """The socket was closed by the server with this code."""
    message = await ws.receive_output(timeout=1)
    return message == {"type": "websocket.close", "code": code}


# --- §4 two-factor covers tokens and sockets --------------------------------------------------


def test_a_heads_token_from_before_the_policy_can_no_longer_approve(api, settings):
    case, person = referable_case()
    referral = referrals.propose_referral(
        case, actor=demo_user("guangzhou.officer1"), persons=[person.pk], report="移送"
    )
    _row, key = issue(demo_user("guangzhou.head"))  # issued with the password alone
    settings.OTP_REQUIRED_ROLES = ["head"]
    r = bearer(api, key).post(f"/api/v1/referrals/{referral.pk}/actions/approve/", {}, format="json")
    assert r.status_code == 403 and r.json()["code"] == "otp_required"
    referral.refresh_from_db()
    assert referral.status != "approved"
    # Every call, not only actions; other roles' tokens go on working.
    assert bearer(api, key).get("/api/v1/me/").status_code == 403
    assert bearer(api, issue(demo_user("guangzhou.officer1"))[1]).get("/api/v1/me/").status_code == 200
    # A token issued with the code is accepted.
    _row, verified = issue(demo_user("guangzhou.head"), second_factor=True)
    r = bearer(api, verified).post(f"/api/v1/referrals/{referral.pk}/actions/approve/", {}, format="json")
    assert r.status_code == 200


def test_a_token_obtained_with_the_code_is_marked_and_accepted_under_the_policy(api, settings):
    head = get_user_model().objects.get(username="guangzhou.head")
    head.set_password(PASSWORD)
    head.save()
    device = TOTPDevice.objects.create(user=head, name="TOTP", confirmed=True)
    settings.OTP_REQUIRED_ROLES = ["head"]
    code = f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"
    r = api().post(
        "/api/v1/auth/token/", {"username": "guangzhou.head", "password": PASSWORD, "otp": code}, format="json"
    )
    assert r.status_code == 200
    assert TokenInfo.objects.get(token__user=head).second_factor is True
    assert bearer(api, r.json()["token"]).get("/api/v1/me/").status_code == 200


def test_the_socket_refuses_a_heads_token_without_the_second_factor(settings):
    _row, key = issue(demo_user("guangzhou.head"))
    _row, verified = issue(demo_user("guangzhou.head"), second_factor=True)
    settings.OTP_REQUIRED_ROLES = ["head"]

    async def scenario():
        ws, ok, code = await connect(f"/ws/notifications/?token={key}")
        assert not ok and code == sockets.CLOSE_OTP_REQUIRED
        ws, ok, _code = await connect(f"/ws/notifications/?token={verified}")
        assert ok
        await ws.disconnect()

    run(scenario)


def test_the_socket_refuses_a_heads_session_that_has_not_passed_the_second_factor(client, settings):
    cookie = session_cookie(client, "guangzhou.head")  # opened before the policy
    settings.OTP_REQUIRED_ROLES = ["head"]

    async def scenario():
        ws, ok, code = await connect("/ws/notifications/", [ORIGIN, cookie])
        assert not ok and code == sockets.CLOSE_OTP_REQUIRED

    run(scenario)


# --- §5 sockets end with their credentials ----------------------------------------------------


def test_revoking_the_token_closes_its_sockets_and_no_other(api, django_capture_on_commit_callbacks):
    officer = demo_user("guangzhou.officer1")
    _row, key = issue(officer)
    _row, other_device = issue(officer)

    @database_sync_to_async
    def revoke():
        with django_capture_on_commit_callbacks(execute=True):
            assert bearer(api, key).delete("/api/v1/auth/token/").status_code == 204

    async def scenario():
        ws, ok, _ = await connect(f"/ws/notifications/?token={key}")
        kept, ok2, _ = await connect(f"/ws/notifications/?token={other_device}")
        assert ok and ok2
        await ws.receive_json_from()
        await kept.receive_json_from()
        await revoke()
        assert await closed_with(ws, sockets.CLOSE_REVOKED)
        assert await kept.receive_nothing(timeout=0.2)
        await kept.disconnect()

    run(scenario)


def test_revoking_a_token_by_its_id_closes_its_sockets(api, django_capture_on_commit_callbacks):
    officer = demo_user("guangzhou.officer1")
    lost, lost_key = issue(officer)
    _row, key = issue(officer)

    @database_sync_to_async
    def revoke():
        with django_capture_on_commit_callbacks(execute=True):
            r = bearer(api, key).delete(f"/api/v1/auth/tokens/{lost.info.pk}/")
            assert r.status_code == 204

    async def scenario():
        ws, ok, _ = await connect(f"/ws/notifications/?token={lost_key}")
        assert ok
        await ws.receive_json_from()
        await revoke()
        assert await closed_with(ws, sockets.CLOSE_REVOKED)

    run(scenario)


def test_logout_closes_that_sessions_sockets(client, django_capture_on_commit_callbacks):
    cookie = session_cookie(client, "guangzhou.police")
    _row, key = issue(demo_user("guangzhou.police"))

    @database_sync_to_async
    def logout():
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post("/accounts/logout/").status_code == 302

    async def scenario():
        browser, ok, _ = await connect("/ws/notifications/", [ORIGIN, cookie])
        program, ok2, _ = await connect(f"/ws/notifications/?token={key}")
        assert ok and ok2
        await browser.receive_json_from()
        await program.receive_json_from()
        await logout()
        assert await closed_with(browser, sockets.CLOSE_REVOKED)
        assert await program.receive_nothing(timeout=0.2)  # another credential
        await program.disconnect()

    run(scenario)


@pytest.mark.parametrize("change", ["password", "deactivation"])
def test_a_password_change_or_a_deactivation_closes_every_socket_of_the_user(
    client, change, django_capture_on_commit_callbacks
):
    cookie = session_cookie(client, "guangzhou.police")
    _row, key = issue(demo_user("guangzhou.police"))
    _row, bystander = issue(demo_user("guangzhou.officer1"))

    @database_sync_to_async
    def end_credentials():
        police = get_user_model().objects.get(username="guangzhou.police")
        with django_capture_on_commit_callbacks(execute=True):
            if change == "password":
                police.set_password("Another-Sturdy-2026")
            else:
                police.is_active = False
            police.save()

    async def scenario():
        browser, ok1, _ = await connect("/ws/notifications/", [ORIGIN, cookie])
        program, ok2, _ = await connect(f"/ws/notifications/?token={key}")
        other, ok3, _ = await connect(f"/ws/notifications/?token={bystander}")
        assert ok1 and ok2 and ok3
        for ws in (browser, program, other):
            await ws.receive_json_from()
        await end_credentials()
        assert await closed_with(browser, sockets.CLOSE_REVOKED)
        assert await closed_with(program, sockets.CLOSE_REVOKED)
        assert await other.receive_nothing(timeout=0.2)
        await other.disconnect()

    run(scenario)
    assert not AuthToken.objects.filter(user__username="guangzhou.police").exists()


def test_an_expired_token_gets_no_more_pushes(django_capture_on_commit_callbacks):
    police = demo_user("guangzhou.police")
    row, key = issue(police)

    @database_sync_to_async
    def push():
        with django_capture_on_commit_callbacks(execute=True):
            notify([police], kind="test", title="after the expiry")

    async def scenario():
        ws, ok, _ = await connect(f"/ws/notifications/?token={key}")
        assert ok
        await ws.receive_json_from()
        with time_machine.travel(row.expiry + datetime.timedelta(seconds=1)):
            await push()
            assert await closed_with(ws, sockets.CLOSE_REVOKED)

    run(scenario)


@pytest.mark.parametrize(
    ("origin", "host", "allowed"),
    [
        (b"http://localhost:1", None, False),  # the attack: another port of an allowed host
        (b"http://localhost:8000", None, True),
        (b"https://localhost:8000", None, False),  # another scheme
        (b"http://127.0.0.1:9999", None, False),
        (b"http://evil.example", None, False),
        (b"null", None, False),
        (b"http://testserver:8443", b"testserver:8443", True),  # the page's own origin
        (b"http://testserver:1", b"testserver:8443", False),
        (b"http://evil.example:8443", b"evil.example:8443", False),  # a Host not in ALLOWED_HOSTS
    ],
)
def test_the_origin_check_compares_scheme_host_and_port(client, settings, origin, host, allowed):
    settings.ALLOWED_HOSTS = ["localhost", "127.0.0.1", "testserver"]
    cookie = session_cookie(client, "guangzhou.police")
    headers = [(b"origin", origin), cookie] + ([(b"host", host)] if host else [])

    async def scenario():
        ws, ok, _code = await connect("/ws/notifications/", headers)
        assert ok is allowed
        if ok:
            await ws.disconnect()

    run(scenario)


def test_configured_origins_are_the_allowed_ones(client, settings):
    settings.WEBSOCKET_ALLOWED_ORIGINS = ["https://xianjie.example.org"]
    cookie = session_cookie(client, "guangzhou.police")

    async def scenario():
        ws, ok, _ = await connect("/ws/notifications/", [(b"origin", b"https://xianjie.example.org:443"), cookie])
        assert ok
        await ws.disconnect()
        for origin in (b"https://xianjie.example.org:8443", b"http://xianjie.example.org", b"http://localhost:8000"):
            _ws, ok, _ = await connect("/ws/notifications/", [(b"origin", origin), cookie])
            assert not ok, origin

    run(scenario)


# --- §6 tokens hashed, expiring, revoked by a password change --------------------------------


def test_a_stolen_database_row_is_not_a_token(api):
    row, key = issue(demo_user("guangzhou.officer1"))
    for value in (row.digest, row.token_key, str(row.pk)):
        assert value != key
        assert bearer(api, value).get("/api/v1/me/").status_code == 401
    assert bearer(api, key).get("/api/v1/me/").status_code == 200
    assert row.expiry is not None and row.expiry <= timezone.now() + datetime.timedelta(hours=settings.TOKEN_TTL_HOURS)
