"""generate_load makes realistic, consistent data: every status, intact hash chains, real referrals."""

import datetime
import json
import random

import pytest
from django.core.management import call_command
from django.db.models import F
from django.utils import timezone

from cases.events import event_digest
from cases.models import Case, Event, Fine, Referral
from demo import pg_copy
from demo.load import REFERRAL_STATUSES
from demo.world import Cast, plan
from workflows.models import Deadline, TaskRoute

pytestmark = pytest.mark.django_db


def test_generated_cases_are_consistent(capsys):
    call_command("generate_load", cases=400, certificates=50, referral_share=0.05)
    assert Case.objects.count() == 400
    assert {c.status for c in Case.objects.all()} == {"lead", "open", "closed", "declined"}
    call_command("verify_events")
    assert "400 cases" in capsys.readouterr().out
    assert Referral.objects.exists() and TaskRoute.objects.exists() and Deadline.objects.exists()
    assert {r.status for r in Referral.objects.all()} == set(REFERRAL_STATUSES)
    assert Event.objects.filter(action="create").count() == 400
    # Each case's version counts its actions, as the actions keep it.
    assert not Case.objects.exclude(version=F("event_count")).exists()
    # A referable finding marks its case; the measures of a closed case have ended.
    assert set(Case.objects.filter(requires_referral=True)) == set(
        Case.objects.filter(findings__referable=True).distinct()
    )
    assert {f.status for f in Fine.objects.filter(case__status="closed")} == {"paid"}
    numbers = list(Case.objects.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers))
    call_command("generate_load", cases=400)  # idempotent at the same total
    assert Case.objects.count() == 400


def test_the_postgresql_copy_rows_hold_every_column_and_whole_chains():
    """pg_copy writes what bulk_create would, and each case row carries the head of its events."""
    cast, rng, now = Cast.load(), random.Random(7), timezone.now()  # noqa: S311 - load data
    world = [
        plan(cast, code="440100", slug="guangzhou", year=2018, seq=i, ordinal=i, rng=rng, now=now, refer_share=0)
        for i in range(1, 61)
    ]
    out = {
        table: [dict(zip(columns, line.rstrip("\n").split("\t"), strict=True)) for line in lines]
        for table, columns, lines in pg_copy.tables(world, first_case=1001, first_person=5001)
    }
    assert list(out["cases_case"][0]) == [f.column for f in Case._meta.concrete_fields]
    assert "id" not in out["cases_event"][0] and "id" in out["cases_person"][0]
    assert {row["status"] for row in out["cases_case"]} == {"lead", "declined", "open", "closed"}
    assert {row["case_id"] for row in out["cases_person"]} <= {row["id"] for row in out["cases_case"]}
    for case in out["cases_case"]:
        events = [e for e in out["cases_event"] if e["case_id"] == case["id"]]
        prev = ""
        for e in events:
            # What PostgreSQL will read back hashes to the hash written beside it.
            event = Event(
                case_id=int(e["case_id"]),
                seq=int(e["seq"]),
                action=e["action"],
                actor_id=int(e["actor_id"]),
                agency_id=int(e["agency_id"]),
                at=datetime.datetime.fromisoformat(e["at"]),
                from_status=e["from_status"],
                to_status=e["to_status"],
                data=json.loads(e["data"]),
                referral_id=None,
                prev_hash=e["prev_hash"],
            )
            assert e["prev_hash"] == prev and event_digest(event) == e["hash"]
            prev = e["hash"]
        assert (case["event_count"], case["version"], case["last_event_hash"]) == (
            str(len(events)),
            str(len(events)),
            prev,
        )
