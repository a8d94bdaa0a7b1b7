"""The action declarations (cases.rules.CASE_ACTIONS, cases.referral_rules.REFERRAL_ACTIONS) are
the one table of each action; everything derived from them must agree with them, and every
name they mention must exist. A drifted table fails here."""

import ast
import pathlib

import pytest
from django.urls import reverse
from django.utils import translation
from rest_framework import serializers

from cases.actions import _PRECONDITIONS
from cases.kinds import ReferralKind
from cases.models import Case, Referral, ReferralStatus, Takedown
from cases.protocol import ACTIONS
from cases.referral_rules import REFERRAL_ACTIONS
from cases.rules import CASE_ACTIONS, TAKEDOWN_ACTIONS
from cases.titles import EVENT_TITLES
from notifications.announce import RULES as ANNOUNCEMENTS
from workflows import steps
from workflows.steps import STEPS

ROOT = pathlib.Path(__file__).resolve().parents[2]
APPS = ("cases", "workflows", "oversight", "certificates", "notifications", "agencies", "accounts", "core")


def transitions_of(model) -> set[str]:
    """The names of the model's django-fsm transition methods."""
    return {name for name, attr in vars(model).items() if hasattr(attr, "_django_fsm")}


@pytest.mark.parametrize("name", CASE_ACTIONS)
def test_a_case_action_names_real_things(name):
    rule = CASE_ACTIONS[name]
    assert issubclass(rule.input_class, serializers.Serializer)
    assert rule.run in ACTIONS, f"{rule.run} is not an action of cases.protocol"
    assert rule.function is ACTIONS[rule.run]
    if rule.transition:
        assert rule.transition in transitions_of(Case)
    assert not rule.announces or rule.announces in ANNOUNCEMENTS
    assert reverse(f"api-case-{name}", args=[1]) == f"/api/v1/cases/1/actions/{name}/"


@pytest.mark.parametrize("name", REFERRAL_ACTIONS)
def test_a_referral_action_names_real_things(name):
    rule = REFERRAL_ACTIONS[name]
    assert issubclass(rule.input_class, serializers.Serializer)
    assert rule.run == f"workflows.actions.{name}" and rule.run in ACTIONS
    assert set(rule.transitions) <= transitions_of(Referral)
    assert set(rule.settles) <= set(STEPS)
    assert not rule.announces or rule.announces in ANNOUNCEMENTS
    assert reverse(f"api-referral-{name}", args=[1]) == f"/api/v1/referrals/1/actions/{name}/"


def test_every_lifecycle_transition_belongs_to_exactly_one_action():
    case_taken = [rule.transition for rule in CASE_ACTIONS.values() if rule.transition]
    assert sorted(case_taken) == sorted(transitions_of(Case))
    referral_taken = [t for rule in REFERRAL_ACTIONS.values() for t in rule.transitions]
    assert sorted(referral_taken) == sorted(transitions_of(Referral))


def test_the_sources_are_read_off_the_state_machine():
    assert CASE_ACTIONS["open"].source == {"lead"}
    assert CASE_ACTIONS["reopen"].source == {"closed", "declined"}
    assert CASE_ACTIONS["add_person"].source == {"open"}


def test_every_action_of_the_api_is_declared():
    """The action routes of API v1 are exactly the declared actions, no more."""
    from config.api_urls import urlpatterns

    routes = {str(p.pattern) for p in urlpatterns}
    case_routes = {r.split("/actions/")[1].rstrip("/") for r in routes if r.startswith("cases/<int:pk>/actions/")}
    referral_routes = {
        r.split("/actions/")[1].rstrip("/") for r in routes if r.startswith("referrals/<int:pk>/actions/")
    }
    assert case_routes - {"<str:name>"} == set(CASE_ACTIONS)
    assert referral_routes - {"<str:name>"} == set(REFERRAL_ACTIONS)
    takedown_routes = {
        r.split("/actions/")[1].rstrip("/") for r in routes if r.startswith("takedowns/<int:pk>/actions/")
    }
    assert takedown_routes == set(TAKEDOWN_ACTIONS)


@pytest.mark.parametrize("name", TAKEDOWN_ACTIONS)
def test_a_takedown_action_names_real_things(name):
    rule = TAKEDOWN_ACTIONS[name]
    assert issubclass(rule.input_class, serializers.Serializer)
    assert rule.run in ACTIONS and rule.function is ACTIONS[rule.run]
    assert rule.transition in transitions_of(Takedown)
    assert rule.run.rsplit(".", 1)[1] in EVENT_TITLES
    assert reverse(f"api-takedown-{name}", args=[1]) == f"/api/v1/takedowns/1/actions/{name}/"


def test_every_takedown_transition_belongs_to_exactly_one_action():
    assert sorted(rule.transition for rule in TAKEDOWN_ACTIONS.values()) == sorted(transitions_of(Takedown))


def test_the_extra_preconditions_name_declared_actions():
    assert set(_PRECONDITIONS) <= set(CASE_ACTIONS)


def test_the_deadline_table_names_real_statuses_and_actions():
    """Each step opened by a referral status is one of its statuses and opened only by real
    actions; a time bar bars a real action; every step an action settles is opened somewhere
    (else it could never be met)."""
    for name, step in STEPS.items():
        assert set(step.opened_by) <= set(ReferralStatus), name
        assert set(step.opened_on) <= set(REFERRAL_ACTIONS), name
        assert step.bars_action is None or step.bars_action in REFERRAL_ACTIONS | CASE_ACTIONS, name
    opened = {
        name
        for status in ReferralStatus
        for kind in ReferralKind
        for action in REFERRAL_ACTIONS
        for changed in (True, False)
        for name in steps.opened_by(status, action=action, kind=kind, changed=changed)
    }
    settled = {step for rule in REFERRAL_ACTIONS.values() for step in rule.settles}
    assert settled <= opened, settled - opened
    received = {k: steps.opened_by(ReferralStatus.RECEIVED, action="acknowledge", kind=k) for k in ReferralKind}
    assert received == {
        "criminal": ("forward", "request_supplement", "police_decision"),
        "public_security": ("forward", "ps_decision"),
    }
    # After a supplement only the decision's 3 days start again (程序规定 第180条).
    assert steps.opened_by(ReferralStatus.RECEIVED, action="supplement", kind="criminal") == ("police_decision",)
    assert steps.barring("request_reconsideration") == "ask_reconsideration"
    assert steps.barring("request_enforcement") == "fine_enforcement"


def event_names_in_code() -> set[str]:
    """Every literal `action="…"` passed to finish/record_event/build_event in the apps."""
    names = set()
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts or "management" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) in (
                    "finish",
                    "record_event",
                    "build_event",
                ):
                    for kw in node.keywords:
                        if kw.arg == "action":
                            for sub in ast.walk(kw.value):
                                if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
                                    names.add(sub.value)
    return names


def test_every_event_the_code_writes_has_a_title_in_both_languages():
    written = event_names_in_code()
    assert {"create", "open", "list_case", "close_listing", "mark_typical", "deadline_missed"} <= written
    assert written <= set(EVENT_TITLES), written - set(EVENT_TITLES)
    for name, title in EVENT_TITLES.items():
        with translation.override("zh-hans"):
            chinese = str(title)
        with translation.override("en"):
            english = str(title)
        assert chinese != english, f"{name}: {english!r} has no Chinese translation"
