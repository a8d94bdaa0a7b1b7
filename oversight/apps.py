from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OversightConfig(AppConfig):
    name = "oversight"
    verbose_name = _("Oversight")

    def ready(self) -> None:
        # The monthly form's roll-up learns of every appended event (oversight/tallies.py); local
        # imports: they read the models, loadable only once apps are ready.
        from cases import events  # noqa: PLC0415 - see above

        from .tallies import note_changes  # noqa: PLC0415 - see above

        if note_changes not in events.OBSERVERS:
            events.OBSERVERS.append(note_changes)
