"""reach() drives a referral to every status of ReferralStatus through the real actions, each step
run by the person whose step it is (DESIGN §3), and the case's event chain stays whole."""

import pytest

from cases.events import verify_case_chain
from cases.models import Event, Referral, ReferralStatus
from demo.reach import NO_ROAD, STEPS, reach, road
from tests.factories import CaseFactory
from tests.workflows.helpers import referable_case

pytestmark = pytest.mark.django_db

OFFICER, HEAD, POLICE, POLICE_HEAD = "guangzhou.officer1", "guangzhou.head", "guangzhou.police", "guangzhou.police_head"
SUPERVISOR, PROCURATOR = "guangzhou.supervisor", "guangzhou.procurator"
SENT = [("approve", HEAD), ("transmit", OFFICER), ("acknowledge", POLICE)]
REJECTED = [*SENT, ("reject", POLICE_HEAD)]
# The road to each status from a fresh proposal, as (action, who runs it), written from the table.
ROADS = {
    "proposed": [],
    "approved": [("approve", HEAD)],
    "refused": [("refuse", HEAD)],
    "refusal_endorsed": [("refuse", HEAD), ("endorse_refusal", SUPERVISOR)],
    "transmitted": SENT[:2],
    "received": SENT,
    "accepted": [*SENT, ("accept", POLICE_HEAD)],
    "handed_over": [*SENT, ("accept", POLICE_HEAD), ("hand_over", OFFICER)],
    "rejected": REJECTED,
    "reconsideration": [*REJECTED, ("request_reconsideration", HEAD)],
    "rejection_upheld": [*REJECTED, ("request_reconsideration", HEAD), ("decide_reconsideration", POLICE_HEAD)],
    "supervision": [*REJECTED, ("request_supervision", HEAD)],
    "rejection_final": [*REJECTED, ("accept_rejection", HEAD)],
    "supplement_requested": [*SENT, ("request_supplement", POLICE_HEAD)],
    "filing_ordered": [
        *REJECTED,
        ("request_supervision", HEAD),
        ("request_explanation", PROCURATOR),
        ("explain", POLICE_HEAD),
        ("resolve_supervision", PROCURATOR),
    ],
}
# A side road (not police business) that reach() takes only when asked: decline_jurisdiction.
SIDE_ROADS = {"jurisdiction_declined"}


def story(referral):
    """The referral's events as (action, actor, status after)."""
    events = Event.objects.filter(referral=referral).select_related("actor").order_by("seq")
    return [(e.action, e.actor.username, e.to_status) for e in events]


def test_the_roads_cover_every_status():
    assert set(ROADS) | SIDE_ROADS == set(ReferralStatus.values)


def test_a_side_road_is_refused_by_name():
    case, _person = referable_case()
    with pytest.raises(ValueError, match="no road"):
        reach(case, "jurisdiction_declined")


@pytest.mark.parametrize("status", sorted(ROADS))
def test_it_reaches_every_status_by_the_right_people(status):
    case, person = referable_case()
    referral = reach(case, status)
    assert Referral.objects.get(pk=referral.pk).status == status
    assert list(referral.persons.values_list("pk", flat=True)) == [person.pk]
    events = story(referral)
    assert [(action, who) for action, who, _to in events] == [("propose_referral", OFFICER), *ROADS[status]]
    if ROADS[status]:
        assert events[-1][2] == status
    case.refresh_from_db()
    assert verify_case_chain(case) is None


@pytest.mark.parametrize(
    "start, status, steps",
    [
        ("refused", "approved", [("order_transfer", SUPERVISOR)]),
        ("reconsideration", "accepted", [("decide_reconsideration", POLICE_HEAD)]),
        (
            "supervision",
            "accepted",
            [
                ("request_explanation", PROCURATOR),
                ("explain", POLICE_HEAD),
                ("resolve_supervision", PROCURATOR),
                ("accept", POLICE_HEAD),
            ],
        ),
        ("supplement_requested", "accepted", [("supplement", OFFICER), ("accept", POLICE_HEAD)]),
        ("supervision", "rejection_final", [("resolve_supervision", PROCURATOR)]),
        ("received", "handed_over", [("accept", POLICE_HEAD), ("hand_over", OFFICER)]),
    ],
)
def test_it_drives_a_referral_on_from_where_it_stands(start, status, steps):
    case, _person = referable_case()
    referral = reach(case, start)
    before = len(story(referral))
    referral = reach(referral, status)
    assert Referral.objects.get(pk=referral.pk).status == status
    assert [(action, who) for action, who, _to in story(referral)[before:]] == steps
    case.refresh_from_db()
    assert verify_case_chain(case) is None


def test_an_accepted_referral_carries_a_police_case_number():
    case, _person = referable_case()
    referral = reach(case, "accepted")
    assert referral.police_case_number


def test_the_people_are_those_of_the_case_city():
    case, _person = referable_case("shenzhen")
    referral = reach(case, "supervision")
    assert {who for _action, who, _to in story(referral)} == {
        "shenzhen.officer1",
        "shenzhen.head",
        "shenzhen.police",
        "shenzhen.police_head",
    }
    assert referral.procuratorate.slug == "shenzhen-procuratorate"


def test_no_road_leads_back_and_unknown_statuses_are_refused():
    case, _person = referable_case()
    referral = reach(case, "handed_over")
    with pytest.raises(ValueError, match="no road"):
        reach(referral, "proposed")
    with pytest.raises(ValueError, match="not a referral status"):
        road("proposed", "forwarded")
    assert Referral.objects.get(pk=referral.pk).status == "handed_over"


def test_a_case_without_a_referable_finding_needs_persons_named():
    with pytest.raises(ValueError, match="pass persons="):
        reach(CaseFactory(status="open"), "proposed")


def test_every_transition_of_the_referral_has_a_step():
    transitions = {t.name for t in Referral._meta.get_field("status").get_all_transitions(Referral)}
    assert transitions == set(STEPS) | {"forward"}
    assert {"forward", "decline_jurisdiction"} == NO_ROAD
