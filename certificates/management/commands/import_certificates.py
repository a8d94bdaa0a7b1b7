import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, no_translations

from certificates.importer import import_file


class Command(BaseCommand):
    help = (
        "Import the certificate registry from a CSV or XLSX file (header of DESIGN §7), upserting by number. "
        "A number given again later in the same file is rejected on that line (the first row of it is kept); "
        "a file with the header only is refused."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")

    @no_translations  # an operator's tool: its messages in English, as the web page's are in the offices' language
    def handle(self, *args, file, **options):
        path = Path(file)
        if not path.exists():
            raise CommandError(f"No such file: {file}")
        tty = sys.stderr.isatty()

        def progress(report):
            if tty:
                sys.stderr.write(
                    f"\r  {report.read:,} rows read, {report.imported:,} imported, {len(report.rejected):,} rejected"
                )
                sys.stderr.flush()

        try:
            report = import_file(path, progress=progress)
        except ValueError as exc:  # importer.Refused: the file as a whole
            raise CommandError(f"{path.name}: {exc}") from None
        if tty:
            sys.stderr.write("\n")
        for line, reason in report.rejected[:1000]:
            self.stderr.write(f"line {line}: {reason}")
        if len(report.rejected) > 1000:
            self.stderr.write(f"… and {len(report.rejected) - 1000:,} more rejected rows")
        self.stdout.write(
            f"{report.imported:,} certificates imported, {len(report.rejected):,} rows rejected of {report.read:,}."
        )
        if report.rejected:
            sys.exit(2)  # the good rows are kept; the exit code says some were not
