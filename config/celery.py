"""The Celery application: `celery -A config worker -Q mail,jobs,sweep` and `celery -A config beat`.

Settings are the CELERY_* names of config/settings.py. With no CELERY_BROKER_URL (the embedded
default) tasks run in-process (task_always_eager) right after the commit that scheduled them."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("xianjie")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
