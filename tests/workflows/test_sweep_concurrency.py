"""Two sweep_deadlines processes started at the same moment on PostgreSQL escalate each
missed deadline exactly once. tests/reliability/test_faults.py kills a sweeper half-way and
holds the result to the same checks."""

import datetime
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from cases.models import Event
from notifications.models import Notification
from tests.factories import CaseFactory, demo_user
from tests.notifications.test_live_redis import database_url
from tests.workflows.helpers import referable_case
from workflows import actions as referrals
from workflows.deadlines import open_deadline
from workflows.models import Deadline
from workflows.sweep import BATCH

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]
# Every deadline made here escalates to two supervisors: the city's and the province's.
SUPERVISORS_TOLD = 2


def missed_deadlines(cases: int, per_case: int) -> list[int]:
    """`per_case` propose-referral deadlines, long missed, on each of `cases` open cases (in
    Guangzhou and Shenzhen), opened as record_finding opens them. They start three weeks back: a
    3-day period whose last day falls on a rest day or a holiday ends on the next working day
    (LEGAL.md §1), which can be a week later (National Day)."""
    starts_at = timezone.now() - datetime.timedelta(days=21)
    ids = []
    for i in range(cases):
        case = CaseFactory(city=("guangzhou", "shenzhen")[i % 2], status="open")
        # Only these are pending: the case's 90 days to decide (行政处罚法 第60条) are put aside.
        case.deadlines.filter(step="decide_penalty").delete()
        ids += [open_deadline(case, "propose_referral", starts_at=starts_at).pk for _ in range(per_case)]
    assert not Deadline.objects.filter(pk__in=ids, due_at__gt=timezone.now()).exists()  # all missed now
    return ids


def sweeper(*args: str, database: str | None = None, **streams) -> subprocess.Popen:
    """`manage.py sweep_deadlines` in its own process, on the test database (or `database`)."""
    return subprocess.Popen(
        [sys.executable, "manage.py", "sweep_deadlines", *args],
        cwd=ROOT,
        env=os.environ | {"DATABASE_URL": database or database_url(), "DEBUG": "1"},
        text=True,
        **{"stdout": subprocess.PIPE, "stderr": subprocess.PIPE} | streams,
    )


def escalated_by(out: str) -> int:
    """The count a sweep_deadlines run reports (its stdout also carries the console e-mails)."""
    found = re.search(r"^sweep_deadlines: (\d+) missed deadline", out, re.MULTILINE)
    return int(found.group(1)) if found else 0


def escalations_per_deadline() -> Counter:
    return Counter(Event.objects.filter(action="deadline_missed").values_list("data__deadline", flat=True))


def assert_each_escalated_exactly_once(deadline_ids: list[int]) -> str:
    """One escalation event per deadline, each told once to each supervisor, every chain intact;
    returns verify_events' report."""
    assert escalations_per_deadline() == Counter(deadline_ids)
    assert not Deadline.objects.filter(pk__in=deadline_ids, escalated_at__isnull=True).exists()
    assert Notification.objects.filter(kind="escalation").count() == SUPERVISORS_TOLD * len(deadline_ids)
    per_case = Counter(Deadline.objects.filter(pk__in=deadline_ids).values_list("case_id", flat=True))
    told = Counter(Notification.objects.filter(kind="escalation").values_list("case_id", flat=True))
    assert told == Counter({case: SUPERVISORS_TOLD * n for case, n in per_case.items()})
    out = subprocess.run(
        [sys.executable, "manage.py", "verify_events"],
        cwd=ROOT,
        env=os.environ | {"DATABASE_URL": database_url(), "DEBUG": "1"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out.startswith("OK: "), out
    return out.strip()


def test_two_sweepers_at_once_escalate_each_missed_deadline_once():
    call_command("seed_demo", verbosity=0)
    for i in range(12):
        case, person = referable_case(name=f"当事人{i}")
        referrals.propose_referral(case, actor=demo_user("guangzhou.officer1"), persons=[person.pk], report="移送")
    # Make them all missed an hour ago: the "decide" deadlines (12), none of the findings' (met); the
    # cases' 90 days to decide the penalty are put aside.
    Deadline.objects.filter(step="decide_penalty").delete()
    Deadline.objects.update(due_at=timezone.now() - datetime.timedelta(hours=1))
    decide = list(Deadline.objects.filter(met_at__isnull=True).values_list("pk", flat=True))
    assert len(decide) == 12
    # And enough more that the two processes share several batches between them.
    missed = decide + missed_deadlines(cases=6, per_case=100)
    assert len(missed) > 3 * BATCH

    procs = [sweeper() for _ in range(2)]
    outs = [p.communicate(timeout=180) for p in procs]
    assert all(p.returncode == 0 for p in procs), outs

    assert sum(escalated_by(out) for out, _err in outs) == len(missed)
    assert_each_escalated_exactly_once(missed)
