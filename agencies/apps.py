from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgenciesConfig(AppConfig):
    name = "agencies"
    verbose_name = _("Agencies and regions")

    def ready(self):
        from . import checks  # noqa: F401 - registers the checks
