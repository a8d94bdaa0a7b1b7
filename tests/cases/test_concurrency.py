"""Lock, then check: on PostgreSQL, racing actions on one case never both succeed, and case
numbers stay unique and gap-free under parallel creation."""

import threading

import pytest
from django.core.management import call_command
from django.db import connection, connections

from agencies.models import Region
from cases import actions
from cases.models import Case
from core.errors import Conflict
from demo.sample_cases import make_credit_code
from tests.factories import CaseFactory, demo_user

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def seeded():
    call_command("seed_demo", verbosity=0)


def race(n: int, work) -> list:
    """Run work(i) in n threads released at the same moment; each result or exception."""
    barrier, results = threading.Barrier(n), [None] * n

    def run(i):
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as exc:  # noqa: BLE001 - the outcome is what is measured
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


def test_two_heads_closing_at_once_one_wins_one_gets_409():
    assert connection.vendor == "postgresql"
    case = CaseFactory(status="open")
    head = demo_user("guangzhou.head")
    results = race(2, lambda i: actions.close_case(Case.objects.get(pk=case.pk), actor=head, summary=f"结案{i}"))
    wins = [r for r in results if isinstance(r, Case)]
    losses = [r for r in results if isinstance(r, Conflict)]
    assert len(wins) == 1 and len(losses) == 1, results
    assert losses[0].code == "invalid_transition"
    case.refresh_from_db()
    assert case.status == "closed" and case.events.filter(action="close").count() == 1


def test_the_same_stale_version_twice_one_wins_one_is_stale():
    case = CaseFactory(status="open")
    officer = demo_user("guangzhou.officer1")
    version = Case.objects.get(pk=case.pk).version
    results = race(
        2,
        lambda i: actions.order_rectification(
            Case.objects.get(pk=case.pk),
            actor=officer,
            deadline=actions.local_today().replace(year=actions.local_today().year + 1),
            items=f"整改{i}",
            version=version,
        ),
    )
    assert sum(isinstance(r, Conflict) and r.code == "stale" for r in results) == 1, results
    assert case.rectifications.count() == 1


def test_twenty_parallel_creations_get_unique_gap_free_numbers():
    region = Region.objects.get(code="440100")
    officer = demo_user("guangzhou.officer1")

    def create(i):
        return actions.create_case(
            actor=officer,
            source="inspection",
            region=region,
            party={"kind": "employer", "name": f"并发公司{i}", "credit_code": make_credit_code("440100", 500 + i)},
            summary="并发创建",
        ).number

    numbers = race(20, create)
    assert all(isinstance(n, str) for n in numbers), numbers
    seqs = sorted(int(n.rsplit("-", 1)[1]) for n in numbers)
    assert seqs == list(range(1, 21))
    assert Case.objects.filter(region=region).count() == 20
