"""generate_load makes realistic, consistent data: every status, intact hash chains, real referrals."""

import pytest
from django.core.management import call_command

from cases.models import Case, Event, Referral
from workflows.models import Deadline, TaskRoute

pytestmark = pytest.mark.django_db


def test_generated_cases_are_consistent(capsys):
    call_command("generate_load", cases=400, certificates=50, referral_share=0.05)
    assert Case.objects.count() == 400
    assert {c.status for c in Case.objects.all()} == {"lead", "open", "closed", "declined"}
    call_command("verify_events")
    assert "400 cases" in capsys.readouterr().out
    assert Referral.objects.exists() and TaskRoute.objects.exists() and Deadline.objects.exists()
    assert Event.objects.filter(action="create").count() == 400
    numbers = list(Case.objects.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers))
    call_command("generate_load", cases=400)  # idempotent at the same total
    assert Case.objects.count() == 400
