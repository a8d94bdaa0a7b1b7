"""Two-factor authentication with TOTP: enrolment from the account page, the code step of the
login, OTP_REQUIRED_ROLES, and the code on the token endpoint."""

import datetime
import re

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django_otp.plugins.otp_totp.models import TOTPDevice

from .conftest import PASSWORD, code_of, post_login

pytestmark = pytest.mark.django_db

# Now, so that the sessions the tests open (8 hours) are still valid when they are checked.
T0 = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
SECOND = datetime.timedelta(seconds=1)
STEP = datetime.timedelta(seconds=30)


def at(when):
    return time_machine.travel(when, tick=False)


def with_device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="TOTP", confirmed=True)


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_enrolment_shows_a_qr_code_and_the_key_and_needs_a_code_to_confirm(client, member):
    officer = member("guangzhou.officer1")
    client.force_login(officer)
    account = client.get("/accounts/profile/").content.decode()
    assert 'href="/accounts/otp/setup/"' in account and "双因素认证" in account
    with at(T0):
        page = client.get("/accounts/otp/setup/").content.decode()
        device = TOTPDevice.objects.get(user=officer)
        assert not device.confirmed
        assert "<svg" in page and "<path" in page  # the QR code, inline
        key = re.search(r'data-testid="otp-secret">([A-Z2-7 ]+)<', page).group(1)
        assert len(key.replace(" ", "")) == 32 and key in client.get("/accounts/otp/setup/").content.decode()
        r = client.post("/accounts/otp/setup/", {"code": f"{(int(code_of(device)) + 1) % 10**6:06d}"})
        assert r.status_code == 200 and "验证码不正确" in r.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    with at(T0 + 2 * SECOND):
        r = client.post("/accounts/otp/setup/", {"code": code_of(device)})
    assert r.status_code == 302 and r["Location"] == "/accounts/profile/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.session["otp_device_id"] == device.persistent_id  # this session counts as verified
    assert "自 " in client.get("/accounts/profile/").content.decode()


def test_a_login_with_a_device_waits_for_the_code(client, member):
    device = with_device(member("guangzhou.officer1"))
    with at(T0):
        r = post_login(client, "guangzhou.officer1")
        assert r.status_code == 302 and r["Location"] == "/accounts/otp/"
        assert not logged_in(client)
        assert client.get("/tasks/mine/")["Location"].startswith("/accounts/login/")
        assert "身份验证器" in client.get("/accounts/otp/").content.decode()
        r = client.post("/accounts/otp/", {"code": "12345"})
        assert r.status_code == 200 and not logged_in(client)  # not six digits: no try spent
        r = client.post("/accounts/otp/", {"code": code_of(device)})
    assert r.status_code == 302 and r["Location"] == "/"
    assert logged_in(client) and client.get("/tasks/mine/").status_code == 200


def test_the_login_goes_on_to_where_it_was_going(client, member):
    device = with_device(member("guangzhou.officer1"))
    with at(T0):
        client.post("/accounts/login/?next=/cases/case/", {"username": "guangzhou.officer1", "password": PASSWORD})
        r = client.post("/accounts/otp/", {"code": code_of(device)})
    assert r["Location"] == "/cases/case/"


def test_a_wrong_code_is_refused_and_wrong_codes_slow_down_the_next_try(client, member):
    device = with_device(member("guangzhou.officer1"))
    with at(T0):
        post_login(client, "guangzhou.officer1")
        r = client.post("/accounts/otp/", {"code": f"{(int(code_of(device)) + 1) % 10**6:06d}"})
        assert "验证码不正确" in r.content.decode()
        r = client.post("/accounts/otp/", {"code": code_of(device)})  # right, but within the 1 s back-off
        assert "验证码错误次数过多" in r.content.decode() and not logged_in(client)
    with at(T0 + 2 * SECOND):
        client.post("/accounts/otp/", {"code": code_of(device)})
    assert logged_in(client)


def test_a_code_is_accepted_once(client, member):
    device = with_device(member("guangzhou.officer1"))
    with at(T0):
        post_login(client, "guangzhou.officer1")
        code = code_of(device)
        client.post("/accounts/otp/", {"code": code})
        client.post("/accounts/logout/")
        post_login(client, "guangzhou.officer1")
        r = client.post("/accounts/otp/", {"code": code})
        assert "验证码不正确" in r.content.decode() and not logged_in(client)
    with at(T0 + 2 * STEP):
        client.post("/accounts/otp/", {"code": code_of(device)})
    assert logged_in(client)


def test_the_code_step_expires(client, member):
    with_device(member("guangzhou.officer1"))
    with at(T0):
        post_login(client, "guangzhou.officer1")
    with at(T0 + datetime.timedelta(minutes=5, seconds=1)):
        r = client.get("/accounts/otp/")
    assert r.status_code == 302 and r["Location"] == "/accounts/login/"
    assert "登录超时" in client.get("/accounts/login/").content.decode()


def test_turning_it_off_needs_a_current_code(client, member):
    officer = member("guangzhou.officer1")
    device = with_device(officer)
    client.force_login(officer)
    with at(T0):
        client.post("/accounts/otp/disable/", {"code": f"{(int(code_of(device)) + 1) % 10**6:06d}"})
        assert TOTPDevice.objects.filter(user=officer).exists()
    with at(T0 + 2 * SECOND):
        r = client.post("/accounts/otp/disable/", {"code": code_of(device)})
    assert r["Location"] == "/accounts/profile/"
    assert not TOTPDevice.objects.filter(user=officer).exists()
    assert post_login(client, "guangzhou.officer1")["Location"] == "/"


@pytest.fixture
def required(settings):
    settings.OTP_REQUIRED_ROLES = ["head", "supervisor"]


@pytest.mark.parametrize("username", ["guangzhou.head", "gd.supervisor"])
def test_a_required_role_enrols_before_getting_in(client, member, required, username):
    member(username)
    with at(T0):
        r = post_login(client, username)
        assert r["Location"] == "/accounts/otp/" and not logged_in(client)
        r = client.get("/accounts/otp/", follow=True)
        assert r.redirect_chain[-1][0].startswith("/accounts/otp/setup/")
        assert "您的岗位要求使用双因素认证" in r.content.decode()
        assert client.get("/cases/case/")["Location"].startswith("/accounts/login/")
        device = TOTPDevice.objects.get(user__username=username, confirmed=False)
        r = client.post("/accounts/otp/setup/", {"code": code_of(device)})
    assert r["Location"] == "/" and logged_in(client)
    assert client.get("/cases/case/").status_code == 200
    # From then on every login asks for the code.
    client.post("/accounts/logout/")
    with at(T0 + 2 * STEP):
        assert post_login(client, username)["Location"] == "/accounts/otp/"


def test_other_roles_are_not_asked(client, member, required):
    member("guangzhou.officer1")
    assert post_login(client, "guangzhou.officer1")["Location"] == "/"


def test_a_session_without_the_second_factor_reaches_only_the_code_pages(client, user, required):
    client.force_login(user("guangzhou.head"))  # e.g. opened before the policy was set
    r = client.get("/cases/case/")
    assert r.status_code == 302 and r["Location"] == "/accounts/otp/?next=/cases/case/"
    assert client.get("/accounts/profile/")["Location"].startswith("/accounts/otp/")
    r = client.get("/api/v1/cases/")
    assert r.status_code == 403 and r.json()["code"] == "otp_required"
    assert client.get(r"/accounts/otp/setup/?next=/cases/case/").status_code == 200
    assert client.post("/accounts/logout/").status_code == 302


def test_staff_can_be_required_too(client, user, settings):
    settings.OTP_REQUIRED_ROLES = ["staff"]
    client.force_login(user("admin"))
    assert client.get("/admin/")["Location"].startswith("/accounts/otp/")


def test_a_required_role_cannot_turn_it_off(client, member, required):
    head = member("guangzhou.head")
    device = with_device(head)
    client.post("/accounts/login/", {"username": "guangzhou.head", "password": PASSWORD})
    with at(T0):
        client.post("/accounts/otp/", {"code": code_of(device)})
    with at(T0 + 2 * STEP):
        r = client.post("/accounts/otp/disable/", {"code": code_of(device)}, follow=True)
    assert "不能关闭" in r.content.decode()
    assert TOTPDevice.objects.filter(user=head).exists()


def test_an_administrator_removes_a_lost_device_without_seeing_its_key(client, member, user):
    device = with_device(member("guangzhou.officer1"))
    client.force_login(user("admin"))
    page = client.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/").content.decode()
    assert "guangzhou.officer1" in page and device.key not in page
    r = client.post(f"/admin/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"})
    assert r.status_code == 302 and not TOTPDevice.objects.filter(pk=device.pk).exists()
    assert post_login(client, "guangzhou.officer1")["Location"] == "/"


def test_the_token_endpoint_asks_for_the_code_of_a_device(api, member):
    device = with_device(member("guangzhou.officer1"))
    credentials = {"username": "guangzhou.officer1", "password": PASSWORD}
    with at(T0):
        r = api().post("/api/v1/auth/token/", credentials, format="json")
        assert r.status_code == 400 and "otp" in r.json()
        r = api().post("/api/v1/auth/token/", {**credentials, "otp": "000000"}, format="json")
        assert r.status_code == 400 and "验证码不正确" in r.json()["otp"][0]
        r = api().post("/api/v1/auth/token/", {**credentials, "otp": code_of(device)}, format="json")
        assert r.status_code == 400 and "验证码错误次数过多" in r.json()["otp"][0]  # the 1 s back-off
    with at(T0 + 2 * SECOND):
        r = api().post("/api/v1/auth/token/", {**credentials, "otp": code_of(device)}, format="json")
    assert r.status_code == 200 and len(r.json()["token"]) == 40


def test_the_token_endpoint_refuses_a_required_role_without_a_device(api, member, required):
    member("guangzhou.head")
    r = api().post("/api/v1/auth/token/", {"username": "guangzhou.head", "password": PASSWORD}, format="json")
    assert r.status_code == 403 and r.json()["code"] == "otp_enrolment_required"


def test_the_schema_documents_the_code_and_the_refusals(api):
    schema = api().get("/api/schema/?format=json").json()
    post = schema["paths"]["/api/v1/auth/token/"]["post"]
    body = post["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert set(schema["components"]["schemas"][body]["properties"]) == {"username", "password", "otp"}
    assert set(schema["components"]["schemas"][body]["required"]) == {"username", "password"}
    assert {"200", "400", "403", "429"} <= set(post["responses"])
    assert "204" in schema["paths"]["/api/v1/auth/token/"]["delete"]["responses"]


def test_an_unknown_required_role_stops_the_start(settings):
    settings.OTP_REQUIRED_ROLES = ["head", "chief"]
    with pytest.raises(SystemCheckError, match="accounts.E001"):
        call_command("check")
