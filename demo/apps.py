from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo data, sample cases and certificates, the load generator and `reach`: no models, so
    nothing of it shows in the admin or needs a translated name."""

    name = "demo"
