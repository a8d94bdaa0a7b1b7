import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from cases.events import digest_text


class Command(BaseCommand):
    help = (
        "Print every case's event chain head (case id, number, events, last hash) at the end of a day, "
        "and a last summary line with one hash over them all. Keep the output off the system (and the "
        "summary line on paper); verify_events --digest FILE later shows any event deleted, inserted or "
        "rewritten up to that day."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date",
            metavar="YYYY-MM-DD",
            help="the day whose end the heads are taken at (default: yesterday, the last whole day)",
        )

    def handle(self, *args, date=None, **options):
        try:
            day = datetime.date.fromisoformat(date) if date else timezone.localdate() - datetime.timedelta(days=1)
        except ValueError:
            raise CommandError(f"--date {date!r}: expected YYYY-MM-DD.") from None
        if day > timezone.localdate():
            raise CommandError(f"--date {day}: the day has not begun yet.")
        for line in digest_text(day):
            self.stdout.write(line)
