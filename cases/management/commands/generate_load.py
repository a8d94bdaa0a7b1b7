"""generate_load: a province's worth of realistic data, fast (bulk inserts, hash chains intact).

Cases over the 21 cities in every status, parties, persons, findings, measures, events; a share
of them go through the real referral actions so that referrals in every status, open tasks and
deadlines exist exactly as the application makes them.
"""

import datetime
import json
import random
import time
from collections.abc import Callable
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, transaction
from django.utils import timezone

from agencies import demo
from agencies.models import Agency, Region
from cases.events import canonical, event_digest
from cases.models import Case, CaseSequence, Event, Finding, Fine, LegalBasis, Person, Rectification, Referral
from cases.sample import SURNAMES, make_credit_code, make_id_number
from core.identity import id_hash

BATCH = 5_000

# One event of a chain to be written: action, from status, to status, data, actor.
Link = tuple[str, str, str, dict[str, Any], User]


class Command(BaseCommand):
    help = "Generate load: N cases (with persons, findings, measures, events, referrals, tasks) and M certificates."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cases", type=int, default=10_000, help="total cases wanted (adds up to this many)")
        parser.add_argument("--certificates", type=int, default=0, help="total sample certificates wanted")
        parser.add_argument(
            "--referral-share", type=float, default=0.004, help="share of new cases referred through the real actions"
        )
        parser.add_argument("--seed", type=int, default=1)

    def handle(
        self, *args: Any, cases: int, certificates: int, referral_share: float, seed: int, **options: Any
    ) -> None:
        call_command("seed_demo", verbosity=0)
        started = time.monotonic()
        have = Case.objects.count()
        rng = random.Random(seed + have)  # noqa: S311 - load data
        wanted = max(cases - have, 0)
        if connection.vendor == "postgresql":
            made = copy_cases(self, wanted, rng, referral_share)  # COPY: a million cases in minutes
        else:
            made = self.bulk_cases(wanted, rng, referral_share)
        self.stdout.write(f"cases: {have:,} → {have + made:,} in {time.monotonic() - started:.1f} s")
        if certificates:
            from certificates.sample import create_sample_certificates

            t = time.monotonic()
            create_sample_certificates(certificates, batch=20_000)
            self.stdout.write(f"certificates: {certificates:,} in {time.monotonic() - t:.1f} s")
        if connection.vendor == "postgresql":
            # What autovacuum would do soon after a load: statistics for the planner, and the
            # visibility map that lets index-only scans skip the heap.
            with connection.cursor() as cursor:
                # VACUUM cannot run inside a transaction (e.g. a test's); ANALYZE can.
                cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)")

    def bulk_cases(self, n: int, rng: random.Random, referral_share: float) -> int:
        if n <= 0:
            return 0
        User = get_user_model()
        users = {u.username: u for u in User.objects.filter(username__contains=".")}
        regions = {r.code: r for r in Region.objects.filter(level="city")}
        agencies = {
            a.region_id: a for a in Agency.objects.filter(kind=Agency.Kind.SAFETY_REGULATOR, region__level="city")
        }
        basis = LegalBasis.objects.filter(code="AQSCF-97-7", valid_to__isnull=True).first()
        now = timezone.now()
        year = timezone.localdate(now).year
        made = 0
        refer_later: list[int] = []
        while made < n:
            size = min(BATCH, n - made)
            with transaction.atomic():
                seqs: dict[str, CaseSequence] = {}
                for code in regions:
                    row, _created = CaseSequence.objects.select_for_update().get_or_create(region_id=code, year=year)
                    seqs[code] = row
                new_cases, plans = [], []
                for i in range(size):
                    code, _name, slug = demo.CITIES[(made + i) % len(demo.CITIES)]
                    seqs[code].last += 1
                    roll = rng.random()
                    status = (
                        "lead" if roll < 0.1 else "declined" if roll < 0.15 else "open" if roll < 0.65 else "closed"
                    )
                    created = now - datetime.timedelta(days=rng.randint(1, 1000), minutes=rng.randint(0, 1439))
                    new_cases.append(
                        Case(
                            number=f"{code}-{year}-{seqs[code].last:05d}"
                            if seqs[code].last < 100_000
                            else f"{code}-{year}-{seqs[code].last}",
                            source=rng.choice(["inspection", "tip", "verification", "self_report"]),
                            region_id=code,
                            agency=agencies[code],
                            summary="特种作业人员持证情况检查",
                            party_kind=rng.choice(
                                ["employer", "employer", "employer", "training_institution", "intermediary", "website"]
                            ),
                            party_name=f"{regions[code].name}第{seqs[code].last}号负载测试企业",
                            party_credit_code=make_credit_code(code, made + i),
                            created_by=users[f"{slug}.officer1"],
                            created_at=created,
                            opened_at=created if status in ("open", "closed") else None,
                            closed_at=created if status in ("closed", "declined") else None,
                        )
                    )
                    plans.append((slug, status, created))
                CaseSequence.objects.bulk_update(seqs.values(), ["last"])
                # The status is protected from assignment; set it on the rows directly.
                for case, (_slug, status, _when) in zip(new_cases, plans, strict=True):
                    case.__dict__["status"] = status
                Case.objects.bulk_create(new_cases, batch_size=BATCH)
                handlers = Case.handlers.through
                persons, findings, orders, fines, events, links = [], [], [], [], [], []
                chains: dict[int, list[Link]] = {}  # by case id
                for case, (slug, status, created) in zip(new_cases, plans, strict=True):
                    chain: list[Link] = [("create", "", "lead", {"source": case.source}, users[f"{slug}.officer1"])]
                    if status in ("open", "closed"):
                        links += [
                            handlers(case_id=case.pk, user_id=users[f"{slug}.officer1"].pk),
                            handlers(case_id=case.pk, user_id=users[f"{slug}.officer2"].pk),
                        ]
                        chain.append(
                            (
                                "open",
                                "lead",
                                "open",
                                {"handlers": [f"{slug}.officer1", f"{slug}.officer2"]},
                                users[f"{slug}.officer1"],
                            )
                        )
                        number = make_id_number(
                            case.region_id,
                            datetime.date(1970 + case.pk % 30, 1 + case.pk % 12, 1 + case.pk % 28),
                            case.pk,
                        )
                        person = Person(
                            case=case,
                            name=rng.choice(SURNAMES) + "某",
                            id_number=number,
                            id_hash=id_hash(number),
                            role="holder",
                            created_at=created,
                        )
                        persons.append((person, case, slug, status, created))
                    elif status == "declined":
                        chain.append(("decline", "lead", "declined", {"reason": "线索不实"}, users[f"{slug}.head"]))
                    chains[case.pk] = chain
                Person.objects.bulk_create([p for p, *_ in persons], batch_size=BATCH)
                for person, case, slug, status, created in persons:
                    referable = status == "open" and rng.random() < 0.3
                    kind = "forged_certificate" if referable else "unlicensed_operation"
                    findings.append(
                        Finding(
                            case=case,
                            kind=kind,
                            person=person,
                            recorded_by=users[f"{slug}.officer1"],
                            recorded_at=created,
                            referable=referable,
                        )
                    )
                    chains[case.pk].append(
                        (
                            "record_finding",
                            "open",
                            "open",
                            {"kind": kind, "person": person.pk},
                            users[f"{slug}.officer1"],
                        )
                    )
                    if not referable:
                        orders.append(
                            Rectification(
                                case=case,
                                deadline=created.date() + datetime.timedelta(days=15),
                                items="整改",
                                issued_by=users[f"{slug}.officer1"],
                                issued_at=created,
                            )
                        )
                        fines.append(
                            Fine(
                                case=case,
                                amount=20000,
                                legal_basis=basis,
                                decided_by=users[f"{slug}.head"],
                                decided_at=created,
                                decided_on=created.date(),
                            )
                        )
                        chains[case.pk].append(
                            ("order_rectification", "open", "open", {"items": "整改"}, users[f"{slug}.officer1"])
                        )
                        chains[case.pk].append(
                            ("impose_fine", "open", "open", {"amount": "20000.00"}, users[f"{slug}.head"])
                        )
                    elif rng.random() < referral_share / 0.15:
                        refer_later.append(case.pk)
                    if status == "closed":
                        chains[case.pk].append(("close", "open", "closed", {"summary": "结案"}, users[f"{slug}.head"]))
                handlers.objects.bulk_create(links, batch_size=BATCH)
                Finding.objects.bulk_create(findings, batch_size=BATCH)
                Case.objects.filter(pk__in=[f.case_id for f in findings if f.referable]).update(requires_referral=True)
                for order, fine in zip(orders, fines, strict=True):
                    if order.case.__dict__["status"] == "closed":  # a closed case's measures have ended
                        order.__dict__["status"] = "complied"
                        fine.__dict__["status"] = "paid"
                Rectification.objects.bulk_create(orders, batch_size=BATCH)
                Fine.objects.bulk_create(fines, batch_size=BATCH)
                agency_of = {a.region_id: a.pk for a in agencies.values()}
                updates = []
                for case in new_cases:
                    prev = ""
                    for seq, (action, from_status, to_status, data, actor) in enumerate(chains[case.pk], start=1):
                        event = Event(
                            case=case,
                            seq=seq,
                            action=action,
                            actor=actor,
                            agency_id=agency_of[case.region_id],
                            at=case.created_at,
                            from_status=from_status,
                            to_status=to_status,
                            data=json.loads(canonical(data)),
                            prev_hash=prev,
                        )
                        event.hash = event_digest(event)
                        prev = event.hash
                        events.append(event)
                    case.event_count, case.last_event_hash, case.version = (
                        len(chains[case.pk]),
                        prev,
                        len(chains[case.pk]),
                    )
                    updates.append(case)
                Event.objects.bulk_create(events, batch_size=BATCH)
                _set_heads(updates)
            made += size
            self.stdout.write(f"  {made:,}/{n:,} cases")
        self.refer(refer_later, users)
        return made

    def refer(self, case_ids: list[int], users: dict[str, User]) -> None:
        """Send a share of the referable cases down the real road, to every status on the way."""
        from workflows import actions as r

        docs = [
            {"kind": "transfer_letter", "title": "涉嫌犯罪案件移送书"},
            {"kind": "investigation_report", "title": "涉嫌犯罪案件调查报告"},
            {"kind": "evidence_list", "title": "涉案物品清单"},
        ]
        roads = [
            [],
            ["approve"],
            ["refuse"],
            ["approve", "transmit"],
            ["approve", "transmit", "acknowledge"],
            ["approve", "transmit", "acknowledge", "accept"],
            ["approve", "transmit", "acknowledge", "reject"],
            ["approve", "transmit", "acknowledge", "accept", "hand_over"],
        ]
        slug_of = {code: slug for code, _name, slug in demo.CITIES}
        for i, case in enumerate(Case.objects.filter(pk__in=case_ids).select_related("region")):
            slug = slug_of[case.region_id]
            officer, head, police, police_head = (
                users[f"{slug}.{x}"] for x in ("officer1", "head", "police", "police_head")
            )
            person = case.persons.first()
            if person is None:  # every case set aside for a referral was given a person
                continue
            referral = r.propose_referral(case, actor=officer, persons=[person.pk], report="负载测试移送")
            for step in roads[i % len(roads)]:
                referral = self._step(step, referral, officer, head, police, police_head, docs)
        self.stdout.write(f"  {len(case_ids):,} referrals through the real actions")

    @staticmethod
    def _step(
        step: str,
        referral: Referral,
        officer: User,
        head: User,
        police: User,
        police_head: User,
        docs: list[dict[str, str]],
    ) -> Referral:
        from workflows import actions as r

        steps: dict[str, Callable[[Referral], Referral]] = {
            "approve": lambda ref: r.approve(ref, actor=head),
            "refuse": lambda ref: r.refuse(ref, actor=head, reason="情节轻微"),
            "transmit": lambda ref: r.transmit(ref, actor=officer, documents=docs),
            "acknowledge": lambda ref: r.acknowledge(ref, actor=police),
            "accept": lambda ref: r.accept(ref, actor=police_head, police_case_number="负载"),
            "reject": lambda ref: r.reject(ref, actor=police_head, reason="不构成犯罪"),
            "hand_over": lambda ref: r.hand_over(ref, actor=officer, items="假证"),
        }
        return steps[step](referral)


def _set_heads(cases: list[Case]) -> None:
    """Each case's event count and chain head, in one statement on PostgreSQL."""
    if connection.vendor != "postgresql":
        Case.objects.bulk_update(cases, ["event_count", "last_event_hash", "version"], batch_size=BATCH)
        return
    from psycopg2.extras import execute_values

    with connection.cursor() as cursor:
        execute_values(
            cursor.cursor,
            "UPDATE cases_case AS c SET event_count = v.n, version = v.n, last_event_hash = v.h FROM (VALUES %s) AS v(id, n, h) WHERE c.id = v.id",
            [(c.pk, c.event_count, c.last_event_hash) for c in cases],
            page_size=BATCH,
        )


# --- PostgreSQL: COPY, a million cases in minutes ---------------------------------------------


def _cell(value: object) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _copy(cursor: Any, table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    import io

    buffer = io.StringIO("".join("\t".join(_cell(v) for v in row) + "\n" for row in rows))
    cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buffer)


def _next_ids(cursor: Any, table: str, n: int) -> int:
    """Reserve n ids of a table's identity sequence; the first one."""
    cursor.execute(  # noqa: S608 - the table names are this module's constants
        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), GREATEST((SELECT COALESCE(MAX(id), 0) FROM {table}), nextval(pg_get_serial_sequence('{table}', 'id'))) + %s)",  # noqa: S608
        [n],
    )
    last: int = cursor.fetchone()[0]
    return last - n + 1


class _Event:
    """Just what events.event_digest reads."""

    case_id: int
    seq: int
    action: str
    actor_id: int | None
    agency_id: int | None
    at: datetime.datetime
    from_status: str
    to_status: str
    data: Any
    referral_id: int | None
    prev_hash: str

    __slots__ = (
        "case_id",
        "seq",
        "action",
        "actor_id",
        "agency_id",
        "at",
        "from_status",
        "to_status",
        "data",
        "referral_id",
        "prev_hash",
    )


def copy_cases(command: Command, n: int, rng: random.Random, referral_share: float) -> int:
    if n <= 0:
        return 0
    User = get_user_model()
    users = {u.username: u.pk for u in User.objects.filter(username__contains=".")}
    regions = {r.code: r for r in Region.objects.filter(level="city")}
    agencies = {
        a.region_id: a.pk for a in Agency.objects.filter(kind=Agency.Kind.SAFETY_REGULATOR, region__level="city")
    }
    basis = LegalBasis.objects.filter(code="AQSCF-97-7", valid_to__isnull=True).values_list("pk", flat=True).first()
    now = timezone.now()
    year = timezone.localdate(now).year
    made, refer_later = 0, []
    batch = 20_000
    while made < n:
        size = min(batch, n - made)
        with transaction.atomic(), connection.cursor() as cursor:
            seqs: dict[str, CaseSequence] = {}
            for code in regions:
                row, _created = CaseSequence.objects.select_for_update().get_or_create(region_id=code, year=year)
                seqs[code] = row
            case_id = _next_ids(cursor, "cases_case", size)
            person_id = _next_ids(cursor, "cases_person", size)
            cases, handlers, persons, findings, orders, fines, events = [], [], [], [], [], [], []
            for i in range(size):
                code, _name, slug = demo.CITIES[(made + i) % len(demo.CITIES)]
                seqs[code].last += 1
                pk = case_id + i
                roll = rng.random()
                status = "lead" if roll < 0.1 else "declined" if roll < 0.15 else "open" if roll < 0.65 else "closed"
                created = now - datetime.timedelta(days=rng.randint(1, 1000), minutes=rng.randint(0, 1439))
                officer1, officer2, head = users[f"{slug}.officer1"], users[f"{slug}.officer2"], users[f"{slug}.head"]
                chain: list[tuple[str, str, str, dict[str, Any], int]] = [
                    ("create", "", "lead", {"source": "inspection"}, officer1)
                ]
                if status in ("open", "closed"):
                    handlers += [(pk, officer1), (pk, officer2)]
                    chain.append(
                        ("open", "lead", "open", {"handlers": [f"{slug}.officer1", f"{slug}.officer2"]}, officer1)
                    )
                    number = make_id_number(code, datetime.date(1970 + pk % 30, 1 + pk % 12, 1 + pk % 28), pk)
                    ppk = person_id + i
                    persons.append((ppk, pk, rng.choice(SURNAMES) + "某", number, id_hash(number), "holder", created))
                    referable = status == "open" and rng.random() < 0.3
                    kind = "forged_certificate" if referable else "unlicensed_operation"
                    findings.append((pk, kind, ppk, "", "", referable, officer1, created))
                    chain.append(("record_finding", "open", "open", {"kind": kind, "person": ppk}, officer1))
                    if not referable:
                        ended = status == "closed"
                        orders.append(
                            (
                                pk,
                                created.date() + datetime.timedelta(days=15),
                                "整改",
                                "complied" if ended else "issued",
                                officer1,
                                created,
                                "",
                            )
                        )
                        fines.append(
                            (pk, "20000.00", basis, "", "paid" if ended else "decided", created.date(), head, created)
                        )
                        chain.append(("order_rectification", "open", "open", {"items": "整改"}, officer1))
                        chain.append(("impose_fine", "open", "open", {"amount": "20000.00"}, head))
                    elif rng.random() < referral_share / 0.15:
                        refer_later.append(pk)
                    if status == "closed":
                        chain.append(("close", "open", "closed", {"summary": "结案"}, head))
                elif status == "declined":
                    chain.append(("decline", "lead", "declined", {"reason": "线索不实"}, head))
                prev = ""
                for seq, (action, from_status, to_status, data, actor) in enumerate(chain, start=1):
                    e = _Event()
                    e.case_id, e.seq, e.action, e.actor_id, e.agency_id, e.at = (
                        pk,
                        seq,
                        action,
                        actor,
                        agencies[code],
                        created,
                    )
                    e.from_status, e.to_status, e.data, e.referral_id, e.prev_hash = (
                        from_status,
                        to_status,
                        json.loads(canonical(data)),
                        None,
                        prev,
                    )
                    digest = event_digest(e)
                    events.append(
                        (
                            pk,
                            seq,
                            action,
                            actor,
                            agencies[code],
                            created,
                            from_status,
                            to_status,
                            canonical(e.data),
                            prev,
                            digest,
                        )
                    )
                    prev = digest
                cases.append(
                    (
                        pk,
                        f"{code}-{year}-{seqs[code].last:05d}",
                        status,
                        rng.choice(["inspection", "tip", "verification", "self_report"]),
                        "特种作业人员持证情况检查",
                        rng.choice(
                            ["employer", "employer", "employer", "training_institution", "intermediary", "website"]
                        ),
                        f"{regions[code].name}第{seqs[code].last}号负载测试企业",
                        make_credit_code(code, pk),
                        "",
                        "",
                        "",
                        "",
                        "",
                        len(chain),
                        len(chain),
                        prev,
                        created,
                        created,
                        bool(findings) and findings[-1][0] == pk and findings[-1][5],
                        created if status in ("open", "closed") else None,
                        created if status in ("closed", "declined") else None,
                        agencies[code],
                        None,
                        officer1,
                        code,
                    )
                )
            _copy(
                cursor,
                "cases_case",
                [
                    "id",
                    "number",
                    "status",
                    "source",
                    "summary",
                    "party_kind",
                    "party_name",
                    "party_credit_code",
                    "party_id_number",
                    "party_id_hash",
                    "party_url",
                    "decline_reason",
                    "close_summary",
                    "version",
                    "event_count",
                    "last_event_hash",
                    "created_at",
                    "updated_at",
                    "requires_referral",
                    "opened_at",
                    "closed_at",
                    "agency_id",
                    "campaign_id",
                    "created_by_id",
                    "region_id",
                ],
                cases,
            )
            _copy(cursor, "cases_case_handlers", ["case_id", "user_id"], handlers)
            _copy(
                cursor, "cases_person", ["id", "case_id", "name", "id_number", "id_hash", "role", "created_at"], persons
            )
            _copy(
                cursor,
                "cases_finding",
                [
                    "case_id",
                    "kind",
                    "person_id",
                    "certificate_number",
                    "note",
                    "referable",
                    "recorded_by_id",
                    "recorded_at",
                ],
                findings,
            )
            _copy(
                cursor,
                "cases_rectification",
                ["case_id", "deadline", "items", "status", "issued_by_id", "issued_at", "verification_note"],
                orders,
            )
            _copy(
                cursor,
                "cases_fine",
                [
                    "case_id",
                    "amount",
                    "legal_basis_id",
                    "decision_number",
                    "status",
                    "decided_on",
                    "decided_by_id",
                    "decided_at",
                ],
                fines,
            )
            _copy(
                cursor,
                "cases_event",
                [
                    "case_id",
                    "seq",
                    "action",
                    "actor_id",
                    "agency_id",
                    "at",
                    "from_status",
                    "to_status",
                    "data",
                    "prev_hash",
                    "hash",
                ],
                events,
            )
            CaseSequence.objects.bulk_update(seqs.values(), ["last"])
        made += size
        command.stdout.write(f"  {made:,}/{n:,} cases")
    users_by_name = {u.username: u for u in User.objects.filter(username__contains=".")}
    command.refer(refer_later, users_by_name)
    return made
