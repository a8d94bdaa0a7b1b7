"""Logins as a browser does them: through the login form, with a password set for the test."""

import pytest
from django.contrib.auth import get_user_model
from django_otp.oath import totp

PASSWORD = "Sturdy-Pass-2025"


@pytest.fixture
def member(db):
    """member("guangzhou.head") → that demo user, with PASSWORD (hashed fast for the test)."""

    def get(username: str):
        user = get_user_model().objects.get(username=username)
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
        return user

    return get


def post_login(client, username: str, password: str = PASSWORD, **extra):
    return client.post("/accounts/login/", {"username": username, "password": password}, **extra)


def code_of(device) -> str:
    """The code the user's authenticator app shows now."""
    device.refresh_from_db()
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"
