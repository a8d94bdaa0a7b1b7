"""manage.py issue_enrolment_code USERNAME [--hours N]: a one-time code with which the user may
enrol an authenticator app (their role requires two-factor authentication). Printed once."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from accounts import enrolment


class Command(BaseCommand):
    help = "Issue a one-time two-factor enrolment code for a user (shown once; earlier codes end)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--hours", type=int, default=None, help="Validity (default OTP_ENROLMENT_CODE_HOURS).")

    def handle(self, *args, username, hours, **options):
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {username!r}.")
        if hours is not None and not 1 <= hours <= 24 * 30:
            raise CommandError("--hours must be between 1 and 720.")
        row, code = enrolment.issue(user, hours=hours)
        self.stdout.write(f"{code}\n")
        self.stderr.write(f"valid until {row.expires_at:%Y-%m-%d %H:%M %Z} for {username}")
