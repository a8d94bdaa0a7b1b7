from django.core.management.base import BaseCommand, CommandError

from cases.events import verify_case_chain
from cases.models import Case


class Command(BaseCommand):
    help = "Walk every case's hash-chained event log; exit non-zero naming the first broken event."

    def add_arguments(self, parser):
        parser.add_argument("--case", help="verify only this case number")

    def handle(self, *args, case=None, **options):
        cases = Case.objects.order_by("id")
        if case:
            cases = cases.filter(number=case)
        checked = events = 0
        for item in cases.only("id", "number", "event_count", "last_event_hash").iterator(chunk_size=1000):
            broken = verify_case_chain(item)
            if broken:
                raise CommandError(f"Case {broken.case_number}, event {broken.seq}: {broken.reason}.")
            checked += 1
            events += item.event_count
        self.stdout.write(f"OK: {checked} cases, {events} events, every chain intact.")
