from contextlib import suppress

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from config.health import OK, broker_status

# The queues the workers serve (CELERY_TASK_ROUTES): e-mails, jobs, the deadline sweep.
QUEUES = ("mail", "jobs", "sweep")


class Command(BaseCommand):
    help = (
        "Ping the Celery workers and print each one that answers, the messages waiting in each queue "
        "and the e-mails given up (dead deliveries); exit 1 when no worker answers."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--timeout", type=float, default=2.0, metavar="SECONDS", help="how long to wait for the answers (2)"
        )

    def handle(self, *args, timeout=2.0, **options):
        if not settings.CELERY_BROKER_URL:
            self.stdout.write(
                "No broker configured (CELERY_BROKER_URL): tasks run in-process right after their commit, "
                "and `manage.py sweep_deadlines --every 60` retries e-mails and resumes jobs."
            )
            self._dead_deliveries()
            return
        if broker_status(timeout) != OK:
            raise CommandError("The broker does not accept a connection (CELERY_BROKER_URL).", returncode=1)

        from config.celery import app  # noqa: PLC0415  # loaded with Django already (config/__init__.py)

        answers = app.control.ping(timeout=timeout) or []
        names = sorted(name for answer in answers for name in answer)
        self.stdout.write(f"workers: {len(names)} answered")
        for answer in sorted(answers, key=lambda a: next(iter(a))):
            for name, reply in answer.items():
                self.stdout.write(f"  {name}: {reply.get('ok', reply)}")
        self.stdout.write("queues (messages waiting):")
        for queue, count in queue_lengths(app).items():
            self.stdout.write(f"  {queue}: {'?' if count is None else count}")
        self._dead_deliveries()
        if not names:
            raise CommandError(
                f"No worker answered within {timeout:g} s: start one (celery -A config worker -Q mail,jobs,sweep).",
                returncode=1,
            )

    def _dead_deliveries(self) -> None:
        count = dead_deliveries()
        if count is not None:
            self.stdout.write(f"dead deliveries: {count} (the admin's deliveries, filtered to dead)")


def queue_lengths(app) -> dict[str, int | None]:
    """Messages waiting in each queue (not those a worker holds); None when the broker would not say."""
    lengths: dict[str, int | None] = {}
    with app.connection_for_read() as conn:
        for queue in QUEUES:
            # A channel of its own each: RabbitMQ closes the channel of a passive declare that fails.
            channel = conn.channel()
            try:
                lengths[queue] = channel.queue_declare(queue=queue, passive=True).message_count
            except Exception as exc:
                # A queue nobody has declared yet, or a Redis list left empty, holds nothing.
                lengths[queue] = 0 if _not_found(exc) else None
            finally:
                with suppress(Exception):  # a channel the broker closed already
                    channel.close()
    return lengths


def _not_found(exc: Exception) -> bool:
    return str(getattr(exc, "reply_code", "")) == "404" or "NOT_FOUND" in str(exc)


def dead_deliveries() -> int | None:
    """E-mails given up after their last try (notifications.Delivery), or None without that model."""
    if not apps.is_installed("notifications"):
        return None
    try:
        delivery = apps.get_model("notifications", "Delivery")
    except LookupError:
        return None
    try:
        return delivery.objects.filter(status="dead").count()
    except DatabaseError:
        return None
