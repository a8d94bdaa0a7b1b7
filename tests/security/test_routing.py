"""Issue 17 §13: a takedown goes to a cyberspace office over the case's region — its city's or the
province's — never to another city's office, which would be handed a case it has no say over."""

import pytest
from django.utils import translation

from cases import actions
from cases.models import Event, Takedown
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


def ask(api, case, agency: str, user: str = "guangzhou.officer1"):
    with translation.override("en"):
        return api(user).post(
            f"/api/v1/cases/{case.pk}/actions/request_takedown/",
            {"url": "http://fake-cert.example/", "agency": agency},
            format="json",
            HTTP_ACCEPT_LANGUAGE="en",
        )


def test_another_citys_cyberspace_office_is_refused_naming_the_agency_field(api):
    case = CaseFactory(status="open")
    events = Event.objects.filter(case=case).count()
    r = ask(api, case, "shenzhen-cyber")
    assert r.status_code == 400, r.content
    (message,) = r.json()["agency"]
    assert "has no jurisdiction over" in message and "广州市委网信办" in message  # names who may receive it
    assert not Takedown.objects.filter(case=case).exists()
    assert Event.objects.filter(case=case).count() == events


@pytest.mark.parametrize("office", ["guangzhou-cyber", "gd-cyber"])
def test_the_citys_and_the_provinces_office_receive_it(api, office):
    case = CaseFactory(status="open")
    r = ask(api, case, office)
    assert r.status_code == 200, r.content
    assert Takedown.objects.get(case=case).agency.slug == office


def test_a_shenzhen_case_goes_to_shenzhen_not_guangzhou(api):
    case = CaseFactory(city="shenzhen", status="open")
    assert ask(api, case, "guangzhou-cyber", user="shenzhen.officer1").status_code == 400
    assert ask(api, case, "shenzhen-cyber", user="shenzhen.officer1").status_code == 200


def test_an_agency_of_another_kind_is_still_refused_as_before(api):
    case = CaseFactory(status="open")
    r = ask(api, case, "guangzhou-police")
    assert r.status_code == 400 and "is not a cyberspace office" in r.json()["agency"][0]


def test_the_receivers_are_the_offices_over_the_region():
    case = CaseFactory(status="open")
    slugs = [a.slug for a in actions.receivers("cyberspace", case.region)]
    assert slugs == ["guangzhou-cyber", "gd-cyber"]
