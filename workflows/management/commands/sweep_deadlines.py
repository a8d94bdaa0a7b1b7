import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from workflows.sweep import sweep


class Command(BaseCommand):
    help = "Escalate every missed legal deadline exactly once; safe to run from several hosts at once."

    def add_arguments(self, parser):
        parser.add_argument("--every", type=int, metavar="SECONDS", help="keep running, sweeping every SECONDS")

    def handle(self, *args, every=None, **options):
        while True:
            count = sweep()
            if count or options["verbosity"] > 1:
                self.stdout.write(f"sweep_deadlines: {count} missed deadline(s) escalated.")
            if not every:
                return
            close_old_connections()
            time.sleep(every)
