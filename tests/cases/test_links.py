"""倒查 (cases/links.py): a holder's case joined to the seller's, suggested by a shared certificate
number or a named source, even across cities; a supervisor follows a seller to all of its buyers;
the police and the cyberspace office report their own finds to the competent regulator."""

import pytest
from django.urls import reverse

from cases import actions
from cases.models import Case, CaseLink
from notifications.models import Notification
from tests.factories import CaseFactory, add_person, demo_user

pytestmark = pytest.mark.django_db

CERT = "T440106198503120172"


def seller_case(city="foshan", name="某证书中介服务部"):
    case = CaseFactory(city=city, status="open", party={"kind": "intermediary", "name": name})
    actions.record_finding(
        case, actor=demo_user(f"{city}.officer1"), kind="certificate_trading", certificate_number=CERT
    )
    return case


def holder_case(city="guangzhou", source="某证书中介服务部", number=CERT):
    case = CaseFactory(city=city, status="open")
    holder = add_person(case, actor=f"{city}.officer1", name="持证人")
    actions.record_finding(
        case,
        actor=demo_user(f"{city}.officer1"),
        kind="forged_certificate",
        person=holder.pk,
        certificate_number=number,
        source=source,
    )
    return case


def links(api, user, case):
    r = api(user).get(f"/api/v1/cases/{case.pk}/links/")
    assert r.status_code == 200, r.content
    return r.json()


def test_the_same_certificate_or_a_named_source_suggests_a_link_across_cities(api):
    seller = seller_case()
    holder = holder_case(number=" t440106198503120172 ")  # one spelling of the number
    # The Guangzhou officer may not open Foshan's case: told its number, city and agency, and why,
    # but not its party or status.
    mine = links(api, "guangzhou.officer1", holder)
    assert mine["elsewhere"] == 1
    (hidden,) = mine["suggestions"]
    assert hidden["visible"] is False and hidden["case"] is None
    assert (hidden["number"], hidden["region"], hidden["party"], hidden["status"]) == (seller.number, "佛山市", "", "")
    assert hidden["agency"] == seller.agency.name and CERT in hidden["why"]
    # The province supervisor sees both, and why.
    province = links(api, "gd.supervisor", holder)
    assert [s["number"] for s in province["suggestions"]] == [seller.number]
    # The supervisor sees the holder's ID number masked, and so the certificate number (issue 17 §3).
    assert "T440***********0172" in province["suggestions"][0]["why"] and CERT not in str(province)


def test_a_supervisor_links_a_seller_to_its_buyers_and_sees_its_network_across_the_province(api, client):
    seller = seller_case()
    buyers = [holder_case(), holder_case(city="shenzhen")]
    for buyer in buyers:
        r = api("gd.supervisor").post(
            f"/api/v1/cases/{buyer.pk}/actions/link_case/",
            {"case_number": seller.number, "relation": "supplied", "note": "持证人供述向该中介购买"},
            format="json",
        )
        assert r.status_code == 200, r.content
    again = api("gd.supervisor").post(
        f"/api/v1/cases/{buyers[0].pk}/actions/link_case/",
        {"case_number": seller.number, "relation": "supplied"},
        format="json",
    )
    assert again.status_code == 409
    network = links(api, "gd.supervisor", seller)["network"]
    assert sorted(n["number"] for n in network) == sorted(b.number for b in buyers)
    assert {n["region"] for n in network} == {"广州市", "深圳市"}
    # A city officer may not link to a case of another city it cannot see.
    r = api("guangzhou.officer1").post(
        f"/api/v1/cases/{buyers[0].pk}/actions/link_case/",
        {"case_number": seller.number, "relation": "supplied"},
        format="json",
    )
    assert r.status_code == 400 and r.json()["case"]
    client.force_login(demo_user("gd.supervisor"))
    page = client.get(reverse("oversight:network", args=[seller.pk])).content.decode()
    assert all(b.number in page for b in buyers) and "广州市" in page and "深圳市" in page
    assert client.get(reverse("cases:case:detail", args=[buyers[0].pk])).content.decode().count(seller.number) >= 1
    assert CaseLink.objects.count() == 2


def test_the_police_and_the_cyberspace_office_report_their_finds_to_the_competent_regulator(api):
    find = {
        "region": "440100",
        "party": {"kind": "website", "name": "假冒安监证书查询网", "url": "http://fake-gdsafety.example/"},
        "summary": "网络巡查发现假冒政府网站",
        "finding_kind": "counterfeit_website",
    }
    r = api("guangzhou.cyber").post("/api/v1/leads/report/", find, format="json")
    assert r.status_code == 201, r.content
    lead = Case.objects.get(pk=r.json()["id"])
    assert lead.agency.slug == "guangzhou-safety" and lead.source == "cyber_patrol" and lead.status == "lead"
    assert lead.reported_by.slug == "guangzhou-cyber" and "广州市委网信办" in lead.summary or "网信" in lead.summary
    told = Notification.objects.filter(kind="find_reported", case=lead)
    assert "guangzhou.officer1" in {n.recipient.username for n in told}
    seller = {
        "region": "440100",
        "party": {"kind": "intermediary", "name": "某证书中介"},
        "summary": "侦查中发现兜售假证",
        "source": "某证书中介",
    }
    r = api("guangzhou.police").post("/api/v1/leads/report/", seller, format="json")
    assert r.status_code == 201 and Case.objects.get(pk=r.json()["id"]).agency.slug == "guangzhou-market"
    assert api("guangzhou.officer1").post("/api/v1/leads/report/", find, format="json").status_code == 403
    other_city = find | {"region": "440300"}
    assert api("guangzhou.cyber").post("/api/v1/leads/report/", other_city, format="json").status_code == 400
    # Refused in the user's words: a region that is no division code, a certificate number that is none.
    r = api("guangzhou.cyber").post("/api/v1/leads/report/", find | {"region": "4401"}, format="json")
    assert r.status_code == 400 and r.json()["region"] == [
        "没有代码为 4401 的行政区划：请填写六位行政区划代码，例如 440100。"
    ]
    r = api("guangzhou.cyber").post("/api/v1/leads/report/", find | {"certificate_number": "abc<>!!"}, format="json")
    assert r.status_code == 400 and r.json()["certificate_number"]
    r = api("guangzhou.cyber").post(
        "/api/v1/leads/report/", find | {"certificate_number": "粤 t-0012３"}, format="json"
    )
    assert r.status_code == 201 and "T-00123" in Case.objects.get(pk=r.json()["id"]).summary


def test_the_sellers_city_knows_its_buyers_in_other_cities_and_a_handler_links_across_cities(api, client):
    seller = seller_case()
    buyer = holder_case()
    unrelated = CaseFactory(city="shantou", status="open")
    # The Guangzhou handler links the buyer's case to the Foshan seller that the suggestion names.
    r = api("guangzhou.officer1").post(
        f"/api/v1/cases/{buyer.pk}/actions/link_case/",
        {"case_number": seller.number, "relation": "supplied", "note": "持证人供述"},
        format="json",
    )
    assert r.status_code == 200, r.content
    told = Notification.objects.filter(kind="case_linked")
    assert {n.recipient.username for n in told} == {u.username for u in seller.handlers.all()} != set()
    assert all(n.case_id == seller.pk and buyer.number in n.title and "广州市" in n.title for n in told)
    # A case of another city that shares nothing is refused like a number that does not exist.
    wrong = api("guangzhou.officer1").post(
        f"/api/v1/cases/{buyer.pk}/actions/link_case/",
        {"case_number": unrelated.number, "relation": "supplied"},
        format="json",
    )
    none = api("guangzhou.officer1").post(
        f"/api/v1/cases/{buyer.pk}/actions/link_case/",
        {"case_number": "440500-2018-99999", "relation": "supplied"},
        format="json",
    )
    assert wrong.status_code == none.status_code == 400
    assert "province" in wrong.json()["case"][0] or "省" in wrong.json()["case"][0]
    # Foshan's handler and supervisor see that the buyer is in Guangzhou, not who it is.
    for user in ("foshan.officer1", "foshan.supervisor"):
        seen = links(api, user, seller)
        (link,) = seen["links"]
        assert (link["number"], link["region"], link["direction"], link["visible"]) == (
            buyer.number,
            "广州市",
            "holder",
            False,
        )
        assert link["case"] is None and link["party"] == link["note"] == "" and seen["elsewhere"] == 1
        assert [(n["number"], n["visible"]) for n in seen["network"]] == [(buyer.number, False)]
    client.force_login(demo_user("foshan.supervisor"))
    page = client.get(reverse("oversight:network", args=[seller.pk])).content.decode()
    assert buyer.number in page and "广州市" in page and buyer.party_name not in page
    client.force_login(demo_user("foshan.officer1"))
    page = client.get(reverse("cases:case:detail", args=[seller.pk])).content.decode()
    assert buyer.number in page and "广州市" in page and buyer.party_name not in page
    # The buyer's side sees the seller the same way; the province sees both in full.
    assert links(api, "guangzhou.supervisor", buyer)["links"][0]["region"] == "佛山市"
    full = links(api, "gd.supervisor", seller)
    assert full["links"][0]["visible"] is True and full["links"][0]["party"] == buyer.party_name
    assert full["elsewhere"] == 0
