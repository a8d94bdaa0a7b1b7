"""generate_load: a province's worth of realistic data, fast (bulk inserts, hash chains intact).

The world is planned in demo/world.py and written by demo/load.py (through COPY on PostgreSQL,
demo/pg_copy.py); this command sizes it, adds sample certificates, and leaves PostgreSQL's
planner statistics as autovacuum would after such a load.
"""

import random
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection

from cases.models import Case
from demo import load
from demo.sample_certificates import create_sample_certificates


class Command(BaseCommand):
    help = "Generate load: N cases (with persons, findings, measures, events, referrals, tasks) and M certificates."

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, default=10_000, help="total cases wanted (adds up to this many)")
        parser.add_argument("--certificates", type=int, default=0, help="total sample certificates wanted")
        parser.add_argument(
            "--referral-share", type=float, default=0.004, help="share of new cases referred through the real actions"
        )
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, cases, certificates, referral_share, seed, **options):
        call_command("seed_demo", verbosity=0)
        started = time.monotonic()
        have = Case.objects.count()
        rng = random.Random(seed + have)  # noqa: S311 - load data
        made = load.generate(max(cases - have, 0), rng=rng, referral_share=referral_share, progress=self.stdout.write)
        self.stdout.write(f"cases: {have:,} → {have + made:,} in {time.monotonic() - started:.1f} s")
        if made:  # the rows went in without the actions: the monthly form's roll-up is counted again
            call_command("rebuild_form_tallies", stdout=self.stdout)
        if certificates:
            t = time.monotonic()
            create_sample_certificates(certificates, batch=20_000)
            self.stdout.write(f"certificates: {certificates:,} in {time.monotonic() - t:.1f} s")
        if connection.vendor == "postgresql":
            # What autovacuum would do soon after a load: statistics for the planner, and the
            # visibility map that lets index-only scans skip the heap.
            with connection.cursor() as cursor:
                # VACUUM cannot run inside a transaction (e.g. a test's); ANALYZE can.
                cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)")
