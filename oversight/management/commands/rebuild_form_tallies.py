from django.core.management.base import BaseCommand

from oversight import tallies


class Command(BaseCommand):
    help = "Count the monthly form's roll-up again from the cases, for every campaign (after a bulk load)."

    def handle(self, *args, **options):
        rows = tallies.rebuild()
        self.stdout.write(f"form tallies: {rows:,} rows")
