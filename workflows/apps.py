from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = _("Workflows")

    def ready(self) -> None:
        # local import: the checks are registered once the app registry is ready
        from . import checks  # noqa: F401, PLC0415 - registers the checks once the app registry is ready
