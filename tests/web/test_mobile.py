"""A phone's width (390 × 844): no page of the signed-in UI runs wider than the screen
(document.documentElement.scrollWidth == window.innerWidth), tables stack into cards with their
column names, detail pages lead back to their list, and the referral page lists its steps with the
current one marked (issue 18, item 10). One journey through the pages of an officer, a police
officer and a supervisor; a screenshot of each page goes to test-artifacts/browser/."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from cases import actions
from certificates.models import RosterCheck
from oversight import actions as oversight
from tests.factories import demo_user, fine_of
from tests.workflows.helpers import DOCS, referable_case
from workflows import actions as referrals

from .browser import PASSWORD, Desk

pytestmark = [pytest.mark.postgres, pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
U = demo_user


def phone(chromium, server, username) -> Desk:
    desk = Desk(chromium, server, username)
    desk.page.set_viewport_size(PHONE)
    return desk


def walk(desk: Desk, paths: list[str]) -> None:
    for path in paths:
        response = desk.go(path)
        assert response.status == 200, (desk.username, path, response.status)
        desk.page.wait_for_load_state("networkidle")
        width = desk.page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        desk.shot(f"mobile-{desk.username}-{path.strip('/').replace('/', '-') or 'home'}")
        assert width[0] == width[1] == PHONE["width"], (desk.username, path, width)


def test_every_page_fits_a_phone(server, chromium, settings, tmp_path):
    from django.conf import global_settings

    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS  # the server checks with the real ones
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo", password=PASSWORD, verbosity=0)

    # A case with long words (a credit code, an ID number, a hash), a referral the police have
    # received, a fine, and a supervision listing.
    case, person = referable_case(name="欧阳建国")
    referral = referrals.propose_referral(case, actor=U("guangzhou.officer1"), persons=[person.pk], report="报告" * 60)
    referral = referrals.approve(referral, actor=U("guangzhou.head"))
    referral = referrals.transmit(referral, actor=U("guangzhou.officer1"), documents=DOCS)
    referral = referrals.acknowledge(referral, actor=U("guangzhou.police"))
    actions.record_finding(case, actor=U("guangzhou.officer1"), kind="unlicensed_operation")
    fine_of(case, served=True)
    listing = oversight.list_case(
        case,
        actor=U("guangzhou.supervisor"),
        deadline=timezone.localdate() + datetime.timedelta(days=30),
        instructions="限期查清证件来源并报告",
    )

    roster = RosterCheck.objects.create(
        user=U("guangzhou.officer1"),
        filename="广州市某建筑工程有限公司特种作业人员名单（2026年第四季度）.csv",
        employer="广州市某建筑工程有限公司",
        results=[
            {"number": "T440106198001020011", "name": "张伟", "status": "valid"},
            {"number": "T440106198001020011440106198001020011", "name": "欧阳建国", "status": "no_match"},
        ],
    )

    officer = phone(chromium, server, "guangzhou.officer1")
    walk(
        officer,
        [
            "/tasks/mine/",
            "/cases/case/",
            f"/cases/case/{case.pk}/",
            "/referrals/referral/",
            f"/referrals/referral/{referral.pk}/",
            "/cases/listings/",
            f"/cases/listings/{listing.pk}/",
            "/notices/list/",
            "/certificates/check/",
            "/certificates/roster/",
            f"/certificates/roster/{roster.pk}/",
        ],
    )
    # The referral page: its steps as a list, the current one marked (the police decide now), and
    # the way back to the list.
    officer.go(f"/referrals/referral/{referral.pk}/")
    current = officer.page.locator("[data-testid=steps] [aria-current=step]")
    assert current.count() == 1 and current.get_attribute("data-step") == "police_decision"
    assert officer.page.locator("[data-testid=steps] [data-state=done]").count() >= 4
    assert officer.page.get_attribute("[data-testid=back]", "href") == "/referrals/referral/"
    assert not officer.page.locator("[data-testid=chart]").count()
    # The case list stacks: each cell says which column it is.
    officer.go("/cases/case/")
    label = officer.page.get_attribute("[data-testid=case-table] tbody tr:first-child td:first-child", "data-label")
    assert label and label == officer.page.inner_text("[data-testid=case-table] thead th:first-child").strip(" ▲▼")
    assert (
        officer.page.evaluate("getComputedStyle(document.querySelector('[data-testid=case-table] tbody tr')).display")
        == "block"
    )
    # The case page leads back to the list and prints the case file.
    officer.go(f"/cases/case/{case.pk}/")
    officer.page.click("[data-testid=back]")
    officer.page.wait_for_selector("[data-testid=case-table]")
    assert officer.page.url.endswith("/cases/case/")
    officer.go(f"/cases/case/{case.pk}/")
    assert officer.page.get_attribute("[data-testid=casefile-form]", "action") == f"/cases/case/{case.pk}/casefile.pdf"
    # Printed, the page is its content only: no menu, no buttons.
    officer.page.emulate_media(media="print")
    assert not officer.page.locator(".mdc-top-app-bar").is_visible()
    assert not officer.page.locator("[data-testid=casefile]").is_visible()
    assert officer.page.locator("[data-testid=case]").is_visible()
    officer.page.emulate_media(media="screen")

    police = phone(chromium, server, "guangzhou.police")
    walk(
        police,
        [
            "/tasks/mine/",
            "/referrals/referral/",
            f"/referrals/referral/{referral.pk}/",
            f"/cases/case/{case.pk}/",
            "/notices/list/",
        ],
    )

    supervisor = phone(chromium, server, "guangzhou.supervisor")
    walk(
        supervisor,
        [
            "/oversight/dashboard/",
            "/oversight/monthly/",
            "/oversight/returns/",
            "/cases/listings/",
            f"/cases/listings/{listing.pk}/",
            f"/cases/case/{case.pk}/",
            f"/referrals/referral/{referral.pk}/",
            "/notices/list/",
        ],
    )
