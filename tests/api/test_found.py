"""Server bugs the API fuzzer found, pinned by plain tests."""

import pytest

from cases.models import Case
from certificates.models import LeadProposal
from tests.factories import CaseFactory, demo_user

pytestmark = pytest.mark.django_db


def test_a_lead_from_a_verification_without_a_region_is_in_the_officers_city(api):
    # Was a 500: the view passed no `region` when the body had none.
    r = api("guangzhou.officer1").post(
        "/api/v1/certificates/leads/",
        {"number": "T440100198503120172", "name": "张伟", "status": "revoked"},
        format="json",
    )
    assert r.status_code == 201, r.content
    case = Case.objects.get(pk=r.json()["case"])
    assert (case.region_id, case.agency.slug, case.status) == ("440100", "guangzhou-safety", "lead")
    assert LeadProposal.objects.get(case=case).finding_kind == "forged_certificate"


@pytest.mark.parametrize("path", ["/api/v1/listings/", "/api/v1/takedowns/"])
def test_these_lists_answer_pages_as_every_list_does(api, path):
    # Were bare JSON arrays: their cursor pagination had no page size.
    from cases import actions
    from oversight import actions as oversight_actions

    case = CaseFactory(status="open")
    actions.request_takedown(
        case, actor=demo_user("guangzhou.officer1"), url="https://fake.example.com/", agency="guangzhou-cyber"
    )
    oversight_actions.list_case(
        case,
        actor=demo_user("guangzhou.supervisor"),
        deadline=actions.local_today().replace(year=actions.local_today().year + 1),
        instructions="督办",
    )
    body = api("guangzhou.supervisor").get(path).json()
    assert set(body) == {"results", "next", "previous"}
    assert [row["case"] for row in body["results"]] == [case.pk]
