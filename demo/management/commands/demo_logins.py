from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from demo.data import CITIES, DEFAULT_PASSWORD


class Command(BaseCommand):
    help = "Print the demo logins (seed_demo creates them)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--address",
            default="http://127.0.0.1:8000",
            help="Where the server listens (make run passes HOST and PORT).",
        )

    def handle(self, *args, **options):
        User = get_user_model()
        if not User.objects.filter(username="guangzhou.officer1").exists():
            self.stdout.write("No demo users yet: run `manage.py seed_demo`.")
            return
        w = self.stdout.write
        w("")
        w(f"Xianjie demo logins — every user's password: {DEFAULT_PASSWORD} (unless seed_demo --password set another)")
        w(
            "  regulator (Guangzhou safety):  guangzhou.officer1, guangzhou.officer2 (officers), guangzhou.head (head),"
            " guangzhou.legal (presides over hearings)"
        )
        w("  police (Guangzhou):            guangzhou.police (officer), guangzhou.police_head (head)")
        w("  market regulator:              guangzhou.market, guangzhou.market_head")
        w("  cyberspace office:             guangzhou.cyber")
        w("  supervisor:                    guangzhou.supervisor (city), gd.supervisor (province)")
        w("  procuratorate:                 guangzhou.procurator (city), gd.procurator (province)")
        w("  administrator (reference data): admin")
        w("  the same users exist for every city: " + ", ".join(slug for _c, _n, slug in CITIES))
        w("")
        base = options["address"].rstrip("/")
        w(f"  web: {base}/   API docs: {base}/api/docs/   admin: {base}/admin/")
        w("")
