"""One table decides who is told of what (notifications/announce.py): every kind has its row,
every kind announced in the code is in it, and nothing outside notifications/ writes a
notification by itself."""

import ast
import datetime
from pathlib import Path

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import override

from agencies.models import Agency, Membership
from cases.referral_rules import REFERRAL_WHO
from notifications import outbox
from notifications.announce import RULES, announce
from notifications.models import Notification
from tests.factories import CaseFactory, demo_user
from tests.workflows.helpers import DOCS, referable_case
from workflows import referrals
from workflows.calendar import LEGAL_TZ
from workflows.deadlines import open_deadline
from workflows.sweep import sweep

pytestmark = pytest.mark.django_db
U = demo_user
ROOT = Path(__file__).resolve().parents[2]
# Every package of the project but the notifications app itself, the tests, and bench/ (which
# times the push of rows it writes itself: no event of the apps is behind them).
NOT_APPS = {"notifications", "tests", "bench"}
WRITERS = {"notify", "notify_many", "Notification"}  # notifications/outbox.py, notifications/models.py
ROW_MAKERS = {"create", "bulk_create", "get_or_create", "update_or_create"}


def app_sources() -> list[Path]:
    packages = sorted(init.parent for init in ROOT.glob("*/__init__.py") if init.parent.name not in NOT_APPS)
    return [path for package in packages for path in sorted(package.rglob("*.py")) if "migrations" not in path.parts]


def name_of(node: ast.expr) -> str:
    return node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ""


def imports_outbox(node: ast.AST) -> bool:
    if isinstance(node, ast.Import):
        return any(a.name == "notifications.outbox" for a in node.names)
    if isinstance(node, ast.ImportFrom):
        return node.module == "notifications.outbox" or (
            node.module == "notifications" and any(a.name == "outbox" for a in node.names)
        )
    return False


def direct_writes(source: str) -> list[str]:
    """What in `source` writes notifications without announce(): an import of the outbox, a call
    of its writers, a Notification(...) row, Notification.objects.create(...) and the like."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if imports_outbox(node):
            found.append(f"line {node.lineno}: imports the outbox")
        elif isinstance(node, ast.Call):
            func = node.func
            if name_of(func) in WRITERS or (
                name_of(func) in ROW_MAKERS
                and isinstance(func, ast.Attribute)
                and name_of(func.value) == "objects"
                and isinstance(func.value, ast.Attribute)
                and name_of(func.value.value) == "Notification"
            ):
                found.append(f"line {node.lineno}: {ast.unparse(func)}(…)")
    return found


def announced(source: str) -> tuple[set[str], list[str]]:
    """The kinds given to announce()/announce_many() as string literals, and any other first
    argument (as source text)."""
    literals, others = set(), []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and name_of(node.func) in ("announce", "announce_many") and node.args:
            kind = node.args[0]
            if isinstance(kind, ast.Constant) and isinstance(kind.value, str):
                literals.add(kind.value)
            else:
                others.append(ast.unparse(kind))
    return literals, others


def told(kind):
    return sorted(Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True))


def test_the_scans_find_what_they_look_for():
    by_hand = """
from notifications.outbox import notify
from notifications import outbox
import notifications.outbox
notify([user], kind="x", title="t")
outbox.notify_many("x", [])
Notification(recipient=user, kind="x", title="t")
Notification.objects.bulk_create(rows)
Notification.objects.create(recipient=user, kind="x", title="t")
"""
    assert len(direct_writes(by_hand)) == 8
    reading = """
from notifications.announce import announce
from notifications.models import Notification
announce("listing", case=case, day="2018-09-30")
Notification.objects.filter(read_at=None).update(read_at=now)
Case.objects.create(number="x")
"""
    assert direct_writes(reading) == []
    assert announced('announce("listing", case=c)\nannounce_many("escalation", [])\nannounce(kind)') == (
        {"listing", "escalation"},
        ["kind"],
    )


def test_no_module_outside_notifications_writes_a_notification_itself():
    sources = app_sources()
    assert ROOT / "workflows" / "sweep.py" in sources and ROOT / "oversight" / "reminders.py" in sources
    found = {str(path.relative_to(ROOT)): hits for path in sources if (hits := direct_writes(path.read_text()))}
    assert found == {}


def test_every_kind_announced_in_the_code_has_its_row():
    literals, others = set(), []
    for path in app_sources():
        kinds, computed = announced(path.read_text())
        literals |= kinds
        others += [f"{path.relative_to(ROOT)}: {kind}" for kind in computed]
    # The callers the table was gathered from are all seen by the scan.
    assert {
        "case_assigned",
        "takedown_requested",
        "tip_received",
        "escalation",
        "listing",
        "listing_progress",
        "monthly_reminder",
        "monthly_escalation",
    } <= literals
    assert sorted(literals - RULES.keys()) == []
    # The one computed kind: each referral action announces itself; the rows of referral kinds
    # must name real actions (those without a row are routine and tell nobody).
    assert others == ["workflows/referrals.py: f'referral_{action}'"]
    referral_kinds = {kind.removeprefix("referral_") for kind in RULES if kind.startswith("referral_")}
    assert referral_kinds and referral_kinds <= set(REFERRAL_WHO) | {"propose"}


def test_every_kind_has_a_recipient_rule_and_a_translated_title():
    for kind, rule in RULES.items():
        assert callable(rule.who), kind
        assert isinstance(rule.title, Promise), kind
        with override("en"):
            msgid = str(rule.title)
        with override("zh-hans"):
            translated = str(rule.title)
        assert msgid and translated != msgid, f"{kind}: {msgid!r} has no translation in locale/zh_Hans"
        assert isinstance(rule.email, bool) and isinstance(rule.shows_case, bool), kind


def test_the_preferences_offer_exactly_the_kinds_the_table_emails(api):
    # README: e-mail for escalations and referrals received.
    emailed = sorted(kind for kind, rule in RULES.items() if rule.email)
    assert emailed == ["escalation", "referral_forward", "referral_transmit"]
    r = api("guangzhou.police").get("/api/v1/notifications/preferences/")
    assert [p["kind"] for p in r.json()["preferences"]] == emailed


def test_a_kind_the_table_does_not_email_goes_out_without_email(django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        CaseFactory(status="open")
    assert told("case_assigned") == ["guangzhou.officer1", "guangzhou.officer2"]
    assert mail.outbox == []


def test_a_kind_without_a_row_tells_nobody_and_a_case_kind_needs_its_case():
    case = CaseFactory(status="open")
    before = Notification.objects.count()
    assert announce("referral_approve", case=case) == []  # a routine step (DESIGN §4)
    assert Notification.objects.count() == before
    with pytest.raises(ValueError, match="about a case"):
        announce("tip_received")


def test_a_handler_moved_to_another_agency_is_no_longer_told_about_the_case():
    case, person = referable_case()
    referral = referrals.propose_referral(case, actor=U("guangzhou.officer1"), persons=[person.pk], report="移送")
    referral = referrals.approve(referral, actor=U("guangzhou.head"))
    referral = referrals.transmit(referral, actor=U("guangzhou.officer1"), documents=DOCS)
    referral = referrals.acknowledge(referral, actor=U("guangzhou.police"))
    shenzhen = Agency.objects.get(region__slug="shenzhen", kind=Agency.Kind.SAFETY_REGULATOR)
    Membership.objects.filter(user=U("guangzhou.officer2")).update(agency=shenzhen)
    referrals.reject(referral, actor=U("guangzhou.police_head"), reason="不构成犯罪")
    # Still a handler of the case, but no longer able to see it.
    assert case.handlers.filter(username="guangzhou.officer2").exists()
    assert told("referral_reject") == ["guangzhou.head", "guangzhou.officer1"]


def test_the_sweep_writes_a_batch_of_escalations_in_one_insert_delivered_once(
    monkeypatch, django_capture_on_commit_callbacks
):
    delivered = []

    def deliver(rows, *, email=False):
        delivered.append((len(rows), email))
        real_deliver(rows, email=email)

    real_deliver = outbox.deliver
    monkeypatch.setattr(outbox, "deliver", deliver)
    with time_machine.travel(datetime.datetime(2018, 9, 10, 9, tzinfo=LEGAL_TZ), tick=False):
        starts_at = timezone.now() - datetime.timedelta(days=5)
        for city in ("guangzhou", "shenzhen", "guangzhou"):
            case = CaseFactory(city=city, status="open")
            open_deadline(case, "propose_referral", starts_at=starts_at)
            open_deadline(case, "propose_referral", starts_at=starts_at)
        mail.outbox.clear()
        with CaptureQueriesContext(connection) as ctx, django_capture_on_commit_callbacks(execute=True):
            assert sweep() == 6
    inserts = [
        q["sql"] for q in ctx.captured_queries if q["sql"].startswith('INSERT INTO "notifications_notification"')
    ]
    assert len(inserts) == 1
    # Each deadline to its city's supervisor and the province's: 6 × 2, pushed together, e-mailed.
    assert delivered == [(12, True)]
    assert len(mail.outbox) == 12
    assert sorted(set(told("escalation"))) == ["gd.supervisor", "guangzhou.supervisor", "shenzhen.supervisor"]
