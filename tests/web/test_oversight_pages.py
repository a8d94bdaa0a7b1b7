"""Oversight pages: dashboard charts, risk pages, listings, the monthly form, audit, typical cases."""

import datetime

import pytest
from django.utils import timezone

from oversight.models import AuditView, SelfInspection
from tests.factories import CaseFactory, demo_user
from tests.workflows.helpers import referable_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def web(client):
    def as_user(username):
        client.force_login(demo_user(username))
        return client

    return as_user


def test_the_dashboard_draws_its_charts_locally_and_links_the_risk_lists(web):
    referable_case()
    page = web("guangzhou.supervisor").get("/oversight/dashboard/").content.decode()
    assert page.count("<svg") >= 4 and "cdn" not in page.lower()
    for slug in ("unreferred-findings", "fines-without-referral", "rectifications-past-reinspection"):
        assert f"/oversight/risks/{slug}/" in page
    case, _p = referable_case(name="某人")
    risk = web("guangzhou.supervisor").get("/oversight/risks/unreferred-findings/").content.decode()
    assert case.number in risk
    assert web("guangzhou.officer1").get("/oversight/risks/unreferred-findings/").status_code == 403


def test_a_listing_from_the_case_page_to_the_head_report(web):
    case = CaseFactory(status="open")
    client = web("guangzhou.supervisor")
    assert f"/cases/listings/new/{case.pk}/" in client.get(f"/cases/case/{case.pk}/").content.decode()
    deadline = (timezone.localdate() + datetime.timedelta(days=7)).isoformat()
    r = client.post(f"/cases/listings/new/{case.pk}/", {"deadline": deadline, "instructions": "限期查清"})
    assert r.status_code == 302
    listing = case.listings.get()
    head = web("guangzhou.head")
    assert "/cases/listings/" in head.get("/tasks/mine/").content.decode()
    r = head.post(f"/cases/listings/{listing.pk}/", {"form": "report_progress", "text": "已查清"})
    assert r.status_code == 302 and listing.reports.count() == 1


def test_the_monthly_page_takes_the_self_inspection_with_messages_and_submits(web):
    client = web("guangzhou.supervisor")
    page = client.get("/oversight/monthly/?region=440100&month=2018-09").content.decode()
    assert "执法·用人单位" in page and "format=xlsx" in page
    r = client.post(
        "/oversight/monthly/?region=440100&month=2018-09",
        {"form": "entry", "employers": "10", "employer_fake_found": "2", "employer_reported": "5"},
    )
    assert r.status_code == 400 and "多于" in r.content.decode()
    r = client.post("/oversight/monthly/?region=440100&month=2018-09", {"form": "entry", "employers": "-3"})
    assert r.status_code == 400
    r = client.post(
        "/oversight/monthly/?region=440100&month=2018-09",
        {"form": "entry", "employers": "10", "employer_fake_found": "2", "employer_reported": "1"},
    )
    assert r.status_code == 302 and SelfInspection.objects.get().employers == 10
    r = client.post("/oversight/monthly/?region=440100&month=2018-09", {"form": "submit", "narrative": "工作情况"})
    assert r.status_code == 400  # not confirmed
    r = client.post(
        "/oversight/monthly/?region=440100&month=2018-09",
        {"form": "submit", "narrative": "工作情况", "reviewer": "王审核", "confirm": "on"},
    )
    assert r.status_code == 302
    province = web("gd.supervisor").get("/oversight/monthly/?region=440000&month=2018-09").content.decode()
    assert (
        "广州市" in province and 'data-status="late">逾期报送<' in province
    )  # submitted today, long after 25 September 2018


def test_the_audit_page_is_for_the_province_and_records_its_viewers(web):
    assert web("guangzhou.supervisor").get("/oversight/audit/").status_code == 403
    assert web("gd.supervisor").get("/oversight/audit/").status_code == 200
    assert AuditView.objects.filter(user__username="gd.supervisor", path="/oversight/audit/").exists()


def test_typical_cases_are_public(client):
    assert client.get("/public/typical/").status_code == 200
