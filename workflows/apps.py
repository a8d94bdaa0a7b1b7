from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save
from django.utils.translation import gettext_lazy as _

from core import calendar


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = _("Workflows")

    def ready(self) -> None:
        # Local imports: models and checks exist only once the app registry is ready.
        from . import checks, holidays  # noqa: F401, PLC0415 - checks registers the system checks
        from .models import CalendarDay, CalendarYear  # noqa: PLC0415 - see above

        calendar.install_overrides(holidays.entered)
        for model in (CalendarDay, CalendarYear):
            post_save.connect(holidays.changed, sender=model, dispatch_uid=f"calendar-{model.__name__}-save")
            post_delete.connect(holidays.changed, sender=model, dispatch_uid=f"calendar-{model.__name__}-delete")
        # The permission a transmission grants is read once per process; a flush and migrate (the
        # tests' transactional ones) makes it anew, under another id.
        post_migrate.connect(_forget_permission, dispatch_uid="workflows-view-case-permission")


def _forget_permission(**kwargs: object) -> None:
    from .actions import view_case_permission  # noqa: PLC0415 - the actions import the models

    view_case_permission.cache_clear()
