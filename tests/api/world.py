"""A small world for the fuzzer: cases, referrals, listings, takedowns, evidence and notifications
in the states the API's actions start from, built through the real actions."""

import datetime
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.authtoken.models import Token

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
        tokens={role: Token.objects.get_or_create(user=demo_user(name))[0].key for role, name in ROLES.items()},
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
