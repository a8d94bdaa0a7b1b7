"""A small world for the fuzzer: cases, referrals, listings, takedowns, evidence and notifications
in the states the API's actions start from, built through the real actions."""

import datetime
import zlib
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass

import schemathesis
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import override_settings
from schemathesis.checks import CHECKS as CHECK_REGISTRY
from schemathesis.checks import load_all_checks

from accounts.tokens import issue
from cases import actions
from cases.models import Case
from certificates.actions import add_evidence
from demo.reach import reach
from notifications.models import Notification
from oversight import actions as oversight_actions
from oversight.risks import RISKS
from tests.factories import CaseFactory, add_person, demo_user, fine_of, suspension_of
from tests.workflows.helpers import referable_case
from workflows import actions as r

from .answers import ANSWERS

# The four roles fuzzed: who each is in the demo data.
ROLES = {
    "officer": "guangzhou.officer1",
    "head": "guangzhou.head",
    "police_head": "guangzhou.police_head",
    "supervisor": "guangzhou.supervisor",
}

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass
class World:
    tokens: dict[str, str]
    # The real values of each resource's `{id}` or `{name}`.
    pools: dict[str, list]
    # (role, resource, action) → the cases or referrals on which the role may run that action now.
    ready: dict[tuple[str, str, str], list[int]]

    def pool(self, path: str, role: str) -> list:
        """The real values for an operation's path parameter, those the role can act on first."""
        resource = path.removeprefix("/api/v1/").split("/", 1)[0]
        action = path.split("/actions/")[1].strip("/") if "/actions/" in path else ""
        first = self.ready.get((role, resource, action), [])
        return first + [value for value in self.pools.get(resource, []) if value not in first]


def _referral_in(state: str, city="guangzhou"):
    """A referral of a fresh referable case, driven through the real actions up to `state`."""
    case, person = referable_case(city)
    return reach(case, state, persons=[person.pk], report="持伪造操作证上岗。")


def build_world() -> World:
    officer, head, supervisor = (demo_user(ROLES[role]) for role in ("officer", "head", "supervisor"))
    lead = CaseFactory(status="lead")
    declined = CaseFactory(status="declined")
    closed = CaseFactory(status="closed")
    unreferred, _ = referable_case()
    measures = CaseFactory(status="open")
    person = add_person(measures)
    actions.record_finding(measures, actor=officer, kind="unlicensed_operation", person=person.pk)
    actions.order_rectification(
        measures, actor=officer, deadline=actions.local_today() + datetime.timedelta(days=10), items="停止无证作业"
    )
    suspension_of(measures, reason="无证作业")
    fine_of(measures, amount="20000.00")
    takedown = actions.request_takedown(
        measures, actor=officer, url="https://fake-cert.example.com/", agency="guangzhou-cyber"
    )
    elsewhere = CaseFactory(city="shenzhen", status="open")
    states = ["proposed", "approved", "transmitted", "received", "rejected", "reconsideration", "accepted", "refused"]
    referrals = [_referral_in(state) for state in states] + [_referral_in("transmitted", city="shenzhen")]
    listing = oversight_actions.list_case(
        unreferred, actor=supervisor, deadline=actions.local_today() + datetime.timedelta(days=30), instructions="督办"
    )
    oversight_actions.mark_typical(closed, actor=supervisor, title="典型案例")
    evidence = add_evidence(unreferred, SimpleUploadedFile("scan.pdf", PDF), actor=officer)
    cases = [c.pk for c in (unreferred, measures, lead, closed, declined, elsewhere)]
    cases += [referral.case_id for referral in referrals]
    ready = {}
    for role, username in ROLES.items():
        user = demo_user(username)
        for case in Case.objects.filter(pk__in=cases).order_by("pk"):
            for action in actions.available_actions(case, user):
                ready.setdefault((role, "cases", action), []).append(case.pk)
        for referral in referrals:
            referral.refresh_from_db()
            for action in r.available_referral_actions(referral, user):
                ready.setdefault((role, "referrals", action), []).append(referral.pk)
    return World(
        # Issued as after a login with the second factor, so a two-factor policy does not refuse them.
        tokens={role: issue(demo_user(name), second_factor=True)[1] for role, name in ROLES.items()},
        pools={
            "cases": cases,
            "referrals": [referral.pk for referral in referrals],
            "listings": [listing.pk],
            "takedowns": [takedown.pk],
            "evidence": [evidence.pk],
            "notifications": list(Notification.objects.order_by("id").values_list("id", flat=True)),
            "risks": list(RISKS),
        },
        ready=ready,
    )


# --- What both fuzzing runs share (tests/api/test_fuzz.py in-process, test_fuzz_http.py over HTTP) ---

# Every check schemathesis has but positive_data_acceptance: a documented value the world does not
# hold (a campaign, a region of another city) is refused with 400/404 by design.
load_all_checks()
CHECKS = [check for check in CHECK_REGISTRY.get_all() if check.__name__ != "positive_data_acceptance"]

# DEBUG off, as in production: Django's own error answers are then config.urls' JSON handler404
# and handler500, not the technical pages. (What config.settings derives from DEBUG at import —
# the browsable renderer, HTTPS redirects and HSTS behind the proxy — stays as the suite was
# started: clients that accept JSON get JSON either way, and the fuzzer speaks plain HTTP.)
PRODUCTION = {"DEBUG": False}


def fuzz_config(max_examples: int) -> schemathesis.Config:
    return schemathesis.Config.from_dict(
        {
            "seed": 2018,
            "generation": {
                "mode": "all",
                "max-examples": max_examples,
                "deterministic": True,
                "database": "none",
                "no-shrink": True,
                "with-security-parameters": False,
            },
            "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
        }
    )


def real(pool: list, value):
    """Most generated values pick a real object, by a stable choice so that an example replays the
    same; the others, and values of another type, stay as generated (mostly not found)."""
    if pool and type(value) is type(pool[0]):
        index = zlib.crc32(str(value).encode()) % (len(pool) + 1)
        return pool[index] if index < len(pool) else value
    return value


def exercise(case, role: str, world: World, **call) -> None:
    """One example as `role`, in a savepoint rolled back after it (so no example changes what a
    later one sees), its answer tallied and checked."""
    pool = world.pool(case.path, role)
    documented = case.meta is not None and case.meta.phase.name == "examples"
    for name, value in case.path_parameters.items():
        # The documented example goes to an object the role may act on; fuzzed ones anywhere.
        case.path_parameters[name] = pool[0] if documented and pool else real(pool, value)
    headers = {"Authorization": f"Token {world.tokens[role]}"}
    with transaction.atomic():
        response = case.call(headers=headers, **call)
        try:
            ANSWERS.setdefault((case.operation.label, role), Counter())[response.status_code] += 1
            case.validate_response(response, checks=CHECKS, headers=headers, transport_kwargs=call or None)
        finally:
            transaction.set_rollback(True)


@contextmanager
def rolled_back_world(django_db_blocker, media_root):
    """The world, built once for a test module inside a transaction rolled back at its end."""
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media_root):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@contextmanager
def one_connection():
    """The WSGI handler would close the test's connection after each request (as Django's test
    client also prevents), and with it the transaction the world and each example live in."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    try:
        yield
    finally:
        for signal in (request_started, request_finished):
            signal.connect(close_old_connections)
