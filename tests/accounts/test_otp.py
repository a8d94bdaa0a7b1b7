"""Two-factor authentication with TOTP: enrolment from the account page, the code step of the
login, OTP_REQUIRED_ROLES, and the code on the token endpoint."""

import datetime
import io
import re

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError, SystemCheckError
from django.utils import translation
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import enrolment, otp
from accounts.models import EnrolmentCode

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


def backup_codes(response) -> list[str]:
    page = response.content.decode()
    block = page.split('data-testid="backup-codes"', 1)[1].split("</ul>", 1)[0]
    return re.findall(r"<code>([a-z2-7]{8})</code>", block)


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
        key = re.search(r'data-testid="otp-secret"[^>]*>([A-Z2-7 ]+)<', page).group(1)
        assert len(key.replace(" ", "")) == 32 and key in client.get("/accounts/otp/setup/").content.decode()
        r = client.post("/accounts/otp/setup/", {"code": f"{(int(code_of(device)) + 1) % 10**6:06d}"})
        assert r.status_code == 200 and "验证码不正确" in r.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    with at(T0 + 2 * SECOND):
        r = client.post("/accounts/otp/setup/", {"code": code_of(device)})
    assert r.status_code == 200 and len(backup_codes(r)) == 10  # shown once, with the way on
    assert 'href="/accounts/profile/"' in r.content.decode()
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
    user = member(username)
    _row, enrolment_code = enrolment.issue(user)
    with at(T0):
        r = post_login(client, username)
        assert r["Location"] == "/accounts/otp/" and not logged_in(client)
        r = client.get("/accounts/otp/", follow=True)
        assert r.redirect_chain[-1][0].startswith("/accounts/otp/setup/")
        assert "您的岗位要求使用双因素认证" in r.content.decode()
        assert 'data-testid="otp-secret"' not in r.content.decode()  # the password alone shows no secret
        assert client.get("/cases/case/")["Location"].startswith("/accounts/login/")
        r = client.post("/accounts/otp/setup/", {"enrolment_code": enrolment_code.lower()})
        assert r.status_code == 302
        assert 'data-testid="otp-secret"' in client.get("/accounts/otp/setup/").content.decode()
        device = TOTPDevice.objects.get(user__username=username, confirmed=False)
        r = client.post("/accounts/otp/setup/", {"code": code_of(device)})
    assert r.status_code == 200 and len(backup_codes(r)) == 10 and 'href="/"' in r.content.decode()
    assert logged_in(client)
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


# --- Enrolment codes and backup codes (issue 17 §13) -------------------------------------------


def enrolment_page(client, username):
    """Log in with the password as a required role without a device: the enrolment-code page."""
    post_login(client, username)
    return client.get("/accounts/otp/setup/")


def test_the_password_alone_does_not_show_a_required_roles_secret(client, member, required):
    member("guangzhou.head")
    with at(T0):
        r = enrolment_page(client, "guangzhou.head")
        page = r.content.decode()
        assert r.status_code == 200 and 'name="enrolment_code"' in page
        assert 'data-testid="otp-secret"' not in page and "<svg" not in page
        assert not TOTPDevice.objects.filter(user__username="guangzhou.head").exists()
        # A confirmation code sent blind does not enrol either.
        r = client.post("/accounts/otp/setup/", {"code": "123456"})
        assert 'data-testid="otp-secret"' not in r.content.decode() and not logged_in(client)
        assert not TOTPDevice.objects.filter(user__username="guangzhou.head").exists()


def test_a_wrong_expired_or_used_enrolment_code_is_refused(client, member, required):
    head = member("guangzhou.head")
    old_row, old = enrolment.issue(head)
    _row, current = enrolment.issue(head)  # a new code voids the old one
    with at(T0), translation.override("en"):
        enrolment_page(client, "guangzhou.head")
        for wrong in ["AAAA-BBBB-CCCC", old]:
            r = client.post("/accounts/otp/setup/", {"enrolment_code": wrong})
            assert r.status_code == 200 and "绑定码不正确、已过期或已被使用" in r.content.decode()
        assert client.post("/accounts/otp/setup/", {"enrolment_code": current}).status_code == 302
    # Used: another login (another session) cannot use it again.
    client.post("/accounts/logout/")
    with at(T0 + STEP):
        enrolment_page(client, "guangzhou.head")
        r = client.post("/accounts/otp/setup/", {"enrolment_code": current})
        assert r.status_code == 200 and 'data-testid="otp-secret"' not in r.content.decode()
    # Expired.
    row, late = enrolment.issue(head, hours=1)
    client.post("/accounts/logout/")
    with at(row.expires_at + SECOND):
        enrolment_page(client, "guangzhou.head")
        r = client.post("/accounts/otp/setup/", {"enrolment_code": late})
        assert r.status_code == 200 and 'data-testid="otp-secret"' not in r.content.decode()


def test_wrong_enrolment_codes_use_up_the_code(client, member, required):
    head = member("guangzhou.head")
    row, code = enrolment.issue(head)
    with at(T0):
        enrolment_page(client, "guangzhou.head")
        for _i in range(enrolment.MAX_FAILURES):
            client.post("/accounts/otp/setup/", {"enrolment_code": "AAAA-BBBB-CCCC"})
        r = client.post("/accounts/otp/setup/", {"enrolment_code": code})
    assert 'data-testid="otp-secret"' not in r.content.decode()
    row.refresh_from_db()
    assert not row.usable


def test_enrolment_codes_are_kept_hashed_and_issued_by_the_command(member, required):
    out, err = io.StringIO(), io.StringIO()
    call_command("issue_enrolment_code", "guangzhou.head", stdout=out, stderr=err)
    code = out.getvalue().strip()
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", code)
    row = EnrolmentCode.objects.get(user__username="guangzhou.head", used_at__isnull=True)
    assert code.replace("-", "") not in str([getattr(row, f.attname) for f in row._meta.concrete_fields])
    with pytest.raises(CommandError):
        call_command("issue_enrolment_code", "nobody", stdout=out, stderr=err)


def test_an_administrator_issues_an_enrolment_code_shown_once(client, member, user, required):
    head = member("guangzhou.head")
    client.force_login(user("admin"))
    with translation.override("en"):
        r = client.post("/admin/accounts/enrolmentcode/add/", {"user": head.pk}, follow=True)
    assert r.status_code == 200
    code = re.search(r"的绑定码：([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4})", r.content.decode()).group(1)
    assert code not in client.get("/admin/accounts/enrolmentcode/").content.decode()
    client.logout()
    with at(T0):
        enrolment_page(client, "guangzhou.head")
        assert client.post("/accounts/otp/setup/", {"enrolment_code": code}).status_code == 302
        assert 'data-testid="otp-secret"' in client.get("/accounts/otp/setup/").content.decode()


def test_an_optional_enrolment_needs_no_enrolment_code(client, member):
    client.force_login(member("guangzhou.officer1"))
    assert 'data-testid="otp-secret"' in client.get("/accounts/otp/setup/").content.decode()


def enrolled_with_backup_codes(client, username) -> tuple[TOTPDevice, list[str]]:
    user = get_user_model().objects.get(username=username)
    device = with_device(user)
    return device, otp.new_backup_codes(user)


def test_a_backup_code_logs_in_once_instead_of_the_apps_code(client, member):
    member("guangzhou.officer1")
    _device, codes = enrolled_with_backup_codes(client, "guangzhou.officer1")
    assert len(codes) == 10 and len(set(codes)) == 10
    with at(T0):
        post_login(client, "guangzhou.officer1")
        r = client.post("/accounts/otp/", {"code": codes[0]})
    assert r.status_code == 302 and r["Location"] == "/" and logged_in(client)
    assert StaticToken.objects.filter(device__user__username="guangzhou.officer1").count() == 9
    client.post("/accounts/logout/")
    with at(T0 + 2 * STEP):
        post_login(client, "guangzhou.officer1")
        r = client.post("/accounts/otp/", {"code": codes[0]})  # used: refused
        assert r.status_code == 200 and not logged_in(client)
    with at(T0 + 4 * STEP):
        r = client.post("/accounts/otp/", {"code": codes[1].upper()})
    assert r.status_code == 302 and logged_in(client)


def test_a_backup_code_obtains_a_token_marked_with_the_second_factor(api, member, required):
    member("guangzhou.head")
    _device, codes = enrolled_with_backup_codes(None, "guangzhou.head")
    credentials = {"username": "guangzhou.head", "password": PASSWORD}
    with at(T0):
        assert api().post("/api/v1/auth/token/", {**credentials, "otp": "abcdefgh"}, format="json").status_code == 400
    with at(T0 + 2 * SECOND):
        r = api().post("/api/v1/auth/token/", {**credentials, "otp": codes[3]}, format="json")
    assert r.status_code == 200
    client = api()
    client.credentials(HTTP_AUTHORIZATION=f"Token {r.json()['token']}")
    assert client.get("/api/v1/auth/tokens/").json()["results"][0]["second_factor"] is True
    with at(T0 + 4 * SECOND):
        r = api().post("/api/v1/auth/token/", {**credentials, "otp": codes[3]}, format="json")
    assert r.status_code == 400 and "otp" in r.json()


def test_backup_codes_without_an_app_do_not_count_and_go_with_it(client, member):
    officer = member("guangzhou.officer1")
    device, codes = enrolled_with_backup_codes(client, "guangzhou.officer1")
    client.force_login(officer)
    page = client.get("/accounts/profile/").content.decode()
    assert re.search(r'data-testid="backup-codes-left">[^<]*\b10\b', page)
    with at(T0):
        r = client.post("/accounts/otp/disable/", {"code": code_of(device)})
    assert r["Location"] == "/accounts/profile/"
    assert not StaticDevice.objects.filter(user=officer).exists()


def test_a_secret_shown_before_the_enrolment_code_is_not_the_one_enrolled(client, member, required):
    head = member("guangzhou.head")
    seen = TOTPDevice.objects.create(user=head, name="TOTP", confirmed=False)  # e.g. shown before this rule
    _row, code = enrolment.issue(head)
    with at(T0):
        enrolment_page(client, "guangzhou.head")
        client.post("/accounts/otp/setup/", {"enrolment_code": code})
        page = client.get("/accounts/otp/setup/").content.decode()
    device = TOTPDevice.objects.get(user=head, confirmed=False)
    assert device.pk != seen.pk and 'data-testid="otp-secret"' in page
