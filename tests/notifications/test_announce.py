"""One table decides who is told of what (notifications/announce.py): every kind has its row,
every kind announced in the code is in it, and nothing outside notifications/ writes a
notification by itself."""

import ast
from pathlib import Path

import pytest

from cases.referral_rules import REFERRAL_ACTIONS
from cases.rules import CASE_ACTIONS
from notifications.announce import RULES
from notifications.models import Notification
from tests.factories import demo_user

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
    # The callers the table was gathered from are all seen by the scan; the case and referral
    # actions announce what their declaration says (cases.rules, cases.referral_rules).
    assert {
        "tip_received",
        "escalation",
        "listing",
        "listing_progress",
        "monthly_reminder",
        "monthly_escalation",
    } <= literals
    assert others and all(kind.endswith((".announces", ".copies")) for kind in others), others
    declared = {rule.announces for rule in [*CASE_ACTIONS.values(), *REFERRAL_ACTIONS.values()]} - {""}
    declared |= {rule.copies for rule in REFERRAL_ACTIONS.values()} - {""}
    assert {"case_assigned", "takedown_requested", "referral_propose", "referral_transmit"} <= declared
    assert {"referral_copy_transmit", "referral_copy_reject"} <= declared
    # A row may write other kinds for the same event (its `also`): those are announced with it.
    declared |= {kind for rule in RULES.values() for kind in rule.also}
    assert sorted((literals | declared) - RULES.keys()) == []
    assert sorted(RULES.keys() - literals - declared) == []  # no row that nothing announces
