"""seed_demo builds exactly the fixed demo data of DESIGN §6, and is idempotent."""

import io

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.http import HttpRequest

from agencies import jurisdiction
from agencies.models import Agency, Membership, Region
from cases.models import Case, LegalBasis
from oversight.models import Campaign
from tests.factories import demo_user

pytestmark = pytest.mark.django_db


def counts():
    return (
        Region.objects.count(),
        Agency.objects.count(),
        get_user_model().objects.count(),
        Membership.objects.count(),
        LegalBasis.objects.count(),
        Campaign.objects.count(),
    )


def test_the_demo_data_is_as_designed():
    assert Region.objects.filter(level="city", parent_id="440000").count() == 21
    assert Region.objects.get(code="441900").slug == "dongguan"
    assert Agency.objects.count() == 21 * 6 + 7
    for suffix in ("safety", "police", "market", "cyber", "committee", "procuratorate"):
        assert Agency.objects.get(slug=f"zhongshan-{suffix}").region_id == "442000"
    assert {a.slug for a in Agency.objects.filter(region_id="440000")} == {
        "gd-committee",
        "gd-safety",
        "gd-police",
        "gd-procuratorate",
        "gd-market",
        "gd-cyber",
        "gd-industry",
    }
    m = Membership.objects.get(user__username="guangzhou.police_head")
    assert (m.agency.slug, m.role) == ("guangzhou-police", "head")
    m = Membership.objects.get(user__username="gd.supervisor")
    assert (m.agency.slug, m.role) == ("gd-committee", "supervisor")
    assert get_user_model().objects.filter(username__endswith=".officer2").count() == 21
    campaign = Campaign.objects.get(slug="gd-2018-cert")
    assert (str(campaign.starts_on), str(campaign.ends_on), len(campaign.phases), campaign.report_due_day) == (
        "2018-07-10",
        "2018-12-31",
        4,
        25,
    )
    assert {b.code for b in LegalBasis.objects.all()} == {
        "AQSCF-97-7",
        "AQSCF-97-7-OVERDUE",
        "AQSCF-97-7-PERSON",
        "TZZY-40",
        "TZZY-41-1",
        "TZZY-41-2",
    }


def test_each_agency_has_its_group_and_members_are_in_it():
    user = get_user_model().objects.get(username="shantou.officer1")
    assert list(user.groups.values_list("name", flat=True)) == ["agency:shantou-safety"]


def test_supervisors_of_a_city_are_its_committee_and_the_province():
    names = set(jurisdiction.supervisors_of(Region.objects.get(code="440300")).values_list("username", flat=True))
    assert names == {"shenzhen.supervisor", "gd.supervisor"}


def test_seeding_twice_changes_nothing_and_password_resets(client):
    before = counts()
    call_command("seed_demo", verbosity=0, password="another-Pass-2018")
    assert counts() == before
    # django-axes, which guards every login, wants the request it judges.
    assert client.login(request=HttpRequest(), username="foshan.head", password="another-Pass-2018")


def test_sample_cases_spread_over_cities_and_states_idempotently():
    call_command("seed_demo", sample_cases=10, verbosity=0)
    call_command("seed_demo", sample_cases=10, verbosity=0)
    assert Case.objects.count() == 10
    assert Case.objects.values("region").distinct().count() == 10
    assert {c.status for c in Case.objects.all()} == {"lead", "declined", "open", "closed"}
    call_command("verify_events")


def test_sample_certificates_are_well_formed_and_idempotent():
    from certificates.models import Certificate
    from certificates.verify import verify

    call_command("seed_demo", certificates=50, verbosity=0)
    call_command("seed_demo", certificates=50, verbosity=0)
    assert Certificate.objects.count() == 50
    one = Certificate.objects.order_by("number").first()
    assert verify([{"number": one.number, "name": one.holder_name}])[0]["status"] in (
        "valid",
        "review_overdue",
        "expired",
        "revoked",
    )


def test_the_2018_campaign_gives_every_oversight_page_real_figures(api, client):
    """After `make run` (seed_demo --campaign-2018), as gd.supervisor: September's form has
    enforcement figures in at least 10 cities, every risk list has rows, the chart of missed deadlines
    has bars, the network of the seeded intermediary spans cities, and the month page opens."""
    import datetime

    from oversight.risks import RISKS

    call_command("seed_demo", campaign_2018=True, verbosity=0, stdout=io.StringIO())
    call_command("seed_demo", campaign_2018=True, verbosity=0, stdout=io.StringIO())  # idempotent
    province = api("gd.supervisor")
    cities = [
        city
        for city in [
            "440100",
            "440200",
            "440300",
            "440400",
            "440500",
            "440600",
            "440700",
            "440800",
            "440900",
            "441200",
            "441300",
            "441400",
            "441500",
            "441600",
        ]
        if any(
            r["section"].startswith("执法") and r["month"] not in (0, "0.00")
            for r in province.get("/api/v1/reports/monthly/", {"region": city, "month": "2018-09"}).json()["rows"]
        )
    ]
    assert len(cities) >= 10
    for name in RISKS:
        assert province.get(f"/api/v1/risks/{name}/").json()["results"], name
    client.force_login(demo_user("gd.supervisor"))
    dashboard = client.get("/oversight/dashboard/").content.decode()
    assert dashboard.count("<rect") >= 4  # the charts have bars, the missed deadlines' among them
    seller = Case.objects.get(party_kind="intermediary", summary__startswith="【2018专项】")
    network = province.get(f"/api/v1/cases/{seller.pk}/links/").json()["network"]
    assert len({n["region"] for n in network}) >= 2
    status = {s["status"] for s in province.get("/api/v1/reports/submissions/", {"month": "2018-09"}).json()["results"]}
    assert {"submitted", "late", "missing"} <= status
    with time_machine.travel(datetime.datetime(2026, 12, 7, 10, tzinfo=datetime.UTC), tick=False):
        page = client.get("/oversight/monthly/")
    assert page.status_code == 200 and "2018-12" in page.content.decode()
