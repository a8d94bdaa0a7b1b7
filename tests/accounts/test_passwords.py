"""Strong passwords when one is set or changed: 12 characters, not common, not all digits, not like
the username, and at least three kinds of characters. Logging in with an older password still works."""

import re

import pytest
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import translation

from accounts.passwords import character_classes
from demo.data import DEFAULT_PASSWORD

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


def problems(password: str, user=None) -> list[str]:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as e:
        return [error.code for error in e.error_list]
    return []


@pytest.mark.parametrize(
    "password, codes",
    [
        ("Ab1!", ["password_too_short"]),
        ("Password1234", ["password_too_common"]),
        ("938475610293", ["password_entirely_numeric", "password_too_simple"]),
        ("alllowercaseletters", ["password_too_simple"]),
        ("lower-and-symbols", ["password_too_simple"]),
        ("UPPER-AND-123-ONLY", []),
        ("安全生产执法检查2026年", ["password_too_simple"]),  # Chinese counts as other characters: 2 kinds
        ("安全生产执法Law2026", []),
        (PASSWORD, []),
    ],
)
def test_the_rules(password, codes):
    assert problems(password) == codes


def test_a_password_like_the_username_is_refused(user):
    officer = user("guangzhou.officer1")
    assert problems("Guangzhou.Officer1", officer) == ["password_too_similar"]


def test_character_classes():
    assert character_classes("aB3-") == {"lower", "upper", "digit", "other"}
    assert character_classes("ab cd") == {"lower"}  # spaces are no kind of their own


@pytest.mark.parametrize("password", ["short1", "guangzhou.officer1", "938475610293", "password"])
def test_every_message_is_chinese(user, password):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as raised:
        password_validation.validate_password(password, user("guangzhou.officer1"))
    assert raised.value.messages
    assert [m for m in raised.value.messages if re.search("[A-Za-z]{3}", m)] == []


def test_the_messages_say_what_to_do():
    with translation.override("zh-hans"), pytest.raises(ValidationError) as raised:
        password_validation.validate_password("zq-short")
    assert raised.value.messages == [
        "密码太短，至少需要 12 个字符。",
        "密码包含的字符种类太少：小写字母、大写字母、数字、其他字符中至少要有 3 种。",
    ]


def test_changing_the_password_on_the_web_applies_the_rules(client, member):
    officer = member("guangzhou.officer1")
    client.force_login(officer)
    r = client.post(
        "/accounts/password_change/",
        {"old_password": PASSWORD, "new_password1": "weakpassword", "new_password2": "weakpassword"},
    )
    assert r.status_code == 200
    assert "密码包含的字符种类太少" in r.content.decode()
    officer.refresh_from_db()
    assert officer.check_password(PASSWORD)
    strong = "Stronger-Pass-2026"
    r = client.post(
        "/accounts/password_change/", {"old_password": PASSWORD, "new_password1": strong, "new_password2": strong}
    )
    assert r.status_code == 302
    officer.refresh_from_db()
    assert officer.check_password(strong)


def test_the_demo_password_is_weak_but_still_logs_in(client, settings):
    """The rules apply when a password is set; seed_demo sets the demo's directly, for the demo."""
    from django.conf import global_settings

    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS  # the demo users' hashes were made with these
    assert problems(DEFAULT_PASSWORD) == ["password_too_simple"]
    assert client.login(request=HttpRequest(), username="gd.supervisor", password=DEFAULT_PASSWORD)
