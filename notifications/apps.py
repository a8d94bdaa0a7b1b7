from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        # local import: the announcement table reads the models, loadable only once apps are ready.
        from cases.protocol import install_announcer  # noqa: PLC0415 - see above

        from .announce import announce, announce_many  # noqa: PLC0415 - see above

        install_announcer(announce=announce, announce_many=announce_many)
