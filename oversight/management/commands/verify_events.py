from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cases.events import parse_digest
from oversight.audit import verify_all


class Command(BaseCommand):
    help = "Walk every case's hash-chained event log; exit non-zero naming the first broken event."

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group()
        which.add_argument("--case", help="verify only this case number")
        which.add_argument(
            "--digest",
            metavar="FILE",
            help="also compare the chains with a digest printed by chain_digest and kept off the system",
        )

    def handle(self, *args, case=None, digest=None, **options):
        kept = None
        if digest:
            try:
                kept = parse_digest(Path(digest).read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, ValueError) as exc:
                raise CommandError(f"Digest {digest}: {exc}.") from None
        run = verify_all(case, kept)  # recorded, so the province supervisor sees every run
        if run.broken_case:
            raise CommandError(f"Case {run.broken_case}, event {run.broken_seq}: {run.reason}.")
        self.stdout.write(f"OK: {run.cases} cases, {run.events} events, every chain intact.")
        if kept:
            self.stdout.write(f"OK: every chain matches the digest kept for {kept.day} ({len(kept.heads)} cases).")
