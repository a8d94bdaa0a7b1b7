import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from agencies.actions import set_membership
from agencies.models import Agency, Region
from cases.kinds import DEFAULT_LEGAL_BASES
from cases.models import Campaign, LegalBasis
from demo import campaign_2018 as campaign
from demo import data
from demo.sample_cases import create_sample_cases
from demo.sample_certificates import create_sample_certificates


class Command(BaseCommand):
    help = "Create the fixed demo data of DESIGN §6 (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--password", help=f"password for every demo user (default {data.DEFAULT_PASSWORD!r} for new users)"
        )
        parser.add_argument(
            "--sample-cases", type=int, default=0, metavar="N", help="create N sample cases across cities and states"
        )
        parser.add_argument(
            "--campaign-2018",
            action="store_true",
            help="build the 2018 campaign as it ran: cases across 14 cities and its months, returns, escalations",
        )
        parser.add_argument(
            "--certificates",
            type=int,
            default=0,
            metavar="N",
            help="create N sample certificates in the registry",
        )

    def handle(self, *args, password=None, sample_cases=0, certificates=0, campaign_2018=False, **options):
        if sample_cases < 0:
            raise CommandError("--sample-cases must not be negative.")
        with transaction.atomic():
            agencies = self.seed_reference()
            users = self.seed_users(agencies, password)
        self.stdout.write(
            f"Demo data: {Region.objects.count()} regions, {Agency.objects.count()} agencies, {users} users."
        )
        if campaign_2018:
            self.stdout.write("The 2018 campaign, day by day …")
            with transaction.atomic():
                made = campaign.build(progress=self.stdout.write)
            self.stdout.write(f"2018 campaign: {made} cases." if made else "2018 campaign: already there.")
        if sample_cases:
            made = create_sample_cases(sample_cases, progress=self.stdout.write)
            self.stdout.write(f"Sample cases: {made} created.")
        if certificates:
            self.stdout.write(f"Sample certificates: {create_sample_certificates(certificates)} created.")

    def seed_reference(self) -> dict[str, Agency]:
        code, name, slug = data.PROVINCE
        province, _ = Region.objects.update_or_create(
            code=code, defaults={"name": name, "slug": slug, "level": "province", "parent": None}
        )
        agencies = {}
        for slug_, kind, name_ in data.PROVINCE_AGENCIES:
            agencies[slug_], _ = Agency.objects.update_or_create(
                slug=slug_,
                defaults={
                    "name": name_,
                    "kind": kind,
                    "region": province,
                    "parent": None,
                    "abbreviation": "粤" + data.NUMBER_MARK[kind] if kind in data.NUMBER_MARK else "",
                },
            )
        province_by_kind = {a.kind: a for a in agencies.values()}
        for code, name, slug in data.CITIES:
            city, _ = Region.objects.update_or_create(
                code=code, defaults={"name": name, "slug": slug, "level": "city", "parent": province}
            )
            for suffix, kind, name_suffix in data.CITY_AGENCIES:
                agencies[f"{slug}-{suffix}"], _ = Agency.objects.update_or_create(
                    slug=f"{slug}-{suffix}",
                    defaults={
                        "name": name + name_suffix,
                        "kind": kind,
                        "region": city,
                        "parent": province_by_kind.get(kind),
                        "abbreviation": data.CITY_SHORT[slug] + data.NUMBER_MARK[kind]
                        if kind in data.NUMBER_MARK
                        else "",
                    },
                )
        for basis in demo_legal_bases():
            LegalBasis.objects.update_or_create(code=basis["code"], valid_from=basis["valid_from"], defaults=basis)
        c = data.CAMPAIGN_2018
        Campaign.objects.update_or_create(
            slug=c["slug"],
            defaults={
                "title": c["title"],
                "starts_on": datetime.date.fromisoformat(str(c["starts_on"])),
                "ends_on": datetime.date.fromisoformat(str(c["ends_on"])),
                "phases": c["phases"],
                "report_due_day": c["report_due_day"],
                "cutoff_day": c["cutoff_day"],
                **{
                    k: datetime.date.fromisoformat(str(c[k]))
                    for k in ("first_report_month", "plan_due_on", "summary_due_on")
                },
            },
        )
        return agencies

    def seed_users(self, agencies: dict[str, Agency], password: str | None) -> int:
        User = get_user_model()
        # One hash for all: hashing 200 passwords one by one would take a minute.
        hashed = make_password(password or data.DEFAULT_PASSWORD)
        specs = [
            (f"{slug}.{suffix}", f"{slug}-{agency_suffix}", role, name_[:-1] + display)
            for _code, name_, slug in data.CITIES
            for suffix, agency_suffix, role, display in data.CITY_USERS
        ] + [(username, agency, role, display) for username, agency, role, display in data.PROVINCE_USERS]
        existing = {u.username: u for u in User.objects.filter(username__in=[s[0] for s in specs])}
        for username, agency_slug, role, display in specs:
            user = existing.get(username)
            if user is None:
                user = User.objects.create(
                    username=username, first_name=display, email=f"{username}@example.org", password=hashed
                )
            elif password:
                user.password = hashed
                user.save(update_fields=["password"])
            set_membership(user, agencies[agency_slug], role, legal_review=username.endswith(".legal"))
        # Guangzhou's regulator issues certificates (the registry's authority): its head keeps the registry.
        keeper = Permission.objects.get(content_type__app_label="certificates", codename="import_certificates")
        User.objects.get(username=data.REGISTRY_KEEPER).user_permissions.add(keeper)
        # An administrator for the reference data (regions, agencies, memberships, legal bases).
        admin, created = User.objects.get_or_create(
            username="admin",
            defaults={"is_staff": True, "is_superuser": True, "password": hashed, "first_name": "系统管理员"},
        )
        if password and not created:
            admin.password = hashed
            admin.save(update_fields=["password"])
        return len(specs) + 1


def demo_legal_bases() -> list[dict]:
    return [
        {
            "code": b.code,
            "title": b.title,
            "fined": b.fined,
            "min_amount": b.minimum,
            "max_amount": b.maximum,
            "valid_from": b.valid_from,
            "valid_to": b.valid_to,
            "applies_to": list(b.applies_to),
            "agency_kinds": list(b.agency_kinds),
            "condition": b.condition,
            "warning": b.warning,
            "finding_kinds": list(b.finding_kinds),
            "suspends": b.suspends,
            "citation": b.citation,
            "violated": b.violated,
        }
        for b in DEFAULT_LEGAL_BASES
    ]
