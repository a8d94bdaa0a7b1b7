import json
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from agencies.models import Region
from oversight import exports, reports


class Command(BaseCommand):
    help = "The campaign's monthly statistics form for a city or the province (DESIGN §5)."

    def add_arguments(self, parser):
        parser.add_argument("--region", required=True, help="region code, e.g. 440100 or 440000")
        parser.add_argument("--month", required=True, help="YYYY-MM")
        parser.add_argument("--campaign", help="campaign slug (default: the one running that month)")
        parser.add_argument("--format", choices=["json", "xlsx", "pdf"], default="json")
        parser.add_argument("-o", "--output", help="file to write (default: standard output for json)")

    def handle(self, *args, region, month, campaign=None, format="json", output=None, **options):  # noqa: A002
        place = Region.objects.filter(code=region).first()
        if place is None:
            raise CommandError(f"No region {region!r}.")
        try:
            day = reports.parse_month(month)
            found = reports.find_campaign(campaign, day)
        except ValidationError as exc:
            raise CommandError("; ".join(m for msgs in exc.message_dict.values() for m in msgs)) from None
        report = reports.monthly_report(place, day, found)
        if format == "json":
            body = json.dumps(report, ensure_ascii=False, indent=2).encode()
        elif format == "xlsx":
            body = exports.xlsx(report)
        else:
            body = exports.pdf(report)
        if output:
            with open(output, "wb") as handle:
                handle.write(body)
            self.stdout.write(f"Wrote {output} ({len(body):,} bytes).")
        elif format == "json":
            self.stdout.write(body.decode())
        else:
            sys.stdout.buffer.write(body)
