from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Login")

    def ready(self):
        # The checks, and the signals that end tokens and sockets with the password (issue 17).
        from . import checks, signals  # noqa: F401, PLC0415 - once the app registry is ready
