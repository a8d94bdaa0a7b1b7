"""Two sweep_deadlines processes started at the same moment on PostgreSQL escalate each
missed deadline exactly once."""

import datetime
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from cases.models import Event
from notifications.models import Notification
from tests.factories import demo_user
from tests.workflows.helpers import referable_case
from workflows import referrals
from workflows.models import Deadline

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]


def test_two_sweepers_at_once_escalate_each_missed_deadline_once():
    call_command("seed_demo", verbosity=0)
    for i in range(12):
        case, person = referable_case(name=f"当事人{i}")
        referrals.propose_referral(case, actor=demo_user("guangzhou.officer1"), persons=[person.pk], report="移送")
    # Make them all missed an hour ago: the "decide" deadlines (12), none of the findings' (met).
    Deadline.objects.update(due_at=timezone.now() - datetime.timedelta(hours=1))
    missed = Deadline.objects.filter(met_at__isnull=True).count()
    assert missed == 12

    s = connection.settings_dict
    url = f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    env = os.environ | {"DATABASE_URL": url, "DEBUG": "1"}
    procs = [
        subprocess.Popen(
            [sys.executable, "manage.py", "sweep_deadlines"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), outs

    assert Deadline.objects.filter(escalated_at__isnull=False).count() == missed
    assert Event.objects.filter(action="deadline_missed").count() == missed
    per_deadline = Event.objects.filter(action="deadline_missed").values_list("data__deadline", flat=True)
    assert len(set(per_deadline)) == missed
    # Two supervisors (city and province) per missed deadline, each told once.
    assert Notification.objects.filter(kind="escalation").count() == 2 * missed
    call_command("verify_events")
