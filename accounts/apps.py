from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Login")

    def ready(self):
        from . import checks  # noqa: F401, PLC0415 - registers the checks once the app registry is ready
