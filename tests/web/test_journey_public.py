"""The tip line in Chromium (issue 18, item 8): a citizen sends a tip from a phone (390 px, nothing
wider than the screen), the officer handling it sees the contact in full and answers, and the
citizen, typing the tracking code in lower case, reads the answer on the tracking page."""

import pytest
from django.core.management import call_command

from cases import actions as case_actions
from certificates.models import Tip, TipReply
from tests.factories import demo_user

from .browser import FOREIGN, PASSWORD, REFUSED, Desk

pytestmark = [pytest.mark.postgres, pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE_WIDTH = 390
CONTACT = "13912345678"
ANSWER = "您举报的情况已立案调查，感谢您的支持。"


def phone(browser, base):
    context = browser.new_context(
        locale="zh-CN", viewport={"width": PHONE_WIDTH, "height": 844}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    page.on("request", lambda r: None if r.url.startswith((base, "data:")) else FOREIGN.append(r.url))
    page.on("console", lambda m: REFUSED.append(m.text) if "Content Security Policy" in m.text else None)
    return page


def fits(page) -> None:
    """Nothing wider than the phone's screen: no sideways scrolling."""
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.documentElement.scrollWidth") == PHONE_WIDTH, page.url


def test_a_citizen_tips_on_a_phone_the_officer_answers_and_the_citizen_reads_it(server, chromium, settings):
    from django.conf import global_settings

    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS  # the server checks with the real ones
    call_command("seed_demo", password=PASSWORD, verbosity=0)
    FOREIGN.clear()
    REFUSED.clear()

    # The citizen, on a phone: the tip form, styled, the authority's name on top.
    citizen = phone(chromium, server)
    citizen.goto(f"{server}/public/tip/")
    fits(citizen)
    assert citizen.inner_text("[data-testid=authority]") == "广东省应急管理厅"
    assert citizen.evaluate("getComputedStyle(document.querySelector('.xp-header')).backgroundColor") != (
        "rgba(0, 0, 0, 0)"
    )  # the stylesheet was served and applied
    assert citizen.request.get(f"{server}/favicon.ico").status == 200
    citizen.fill("#id_what", "天河区某工地电焊工持伪造的特种作业操作证上岗，已干了一个月。")
    citizen.select_option("#id_city", "440100")
    citizen.fill("#id_party_name", "广州某建筑工程有限公司")
    citizen.fill("#id_contact", CONTACT)
    citizen.click("button[type=submit]")
    code = citizen.inner_text("[data-testid=code]").strip()
    fits(citizen)
    tip = Tip.objects.select_related("case").get(code=code)
    assert tip.contact == CONTACT and tip.case.status == "lead"

    # The regulator opens the lead with two handlers; the handler sees the contact and answers.
    case_actions.open_case(
        tip.case, actor=demo_user("guangzhou.head"), handlers=["guangzhou.officer1", "guangzhou.officer2"]
    )
    officer = Desk(chromium, server, "guangzhou.officer1")
    officer.go(f"/tips/{tip.pk}/")
    assert officer.page.inner_text("[data-testid=tip-contact]") == CONTACT
    assert "天河区某工地" in officer.page.inner_text("[data-testid=tip-what]")
    officer.page.fill("#id_text", ANSWER)
    officer.page.click("[data-testid=reply-form] button[type=submit]")
    officer.page.wait_for_function(
        "text => document.querySelector('[data-testid=replies]').innerText.includes(text)", arg=ANSWER
    )
    assert TipReply.objects.get(tip=tip).author.username == "guangzhou.officer1"
    officer.shot("public-officer-answered")

    # The citizen follows the report with the code typed in lower case, and reads the answer.
    citizen.goto(f"{server}/public/tip/track/")
    fits(citizen)
    citizen.fill("#id_code", f" {code.lower()} ")
    citizen.click("button[type=submit]")
    citizen.wait_for_selector("[data-testid=state]")
    assert citizen.get_attribute("[data-testid=state]", "data-state") == "handling"
    assert ANSWER in citizen.inner_text("[data-testid=replies]")
    page = citizen.content()
    assert CONTACT not in page and "guangzhou.officer1" not in page
    fits(citizen)
    citizen.screenshot(path="test-artifacts/browser/public-tracking-390.png", full_page=True)

    # The other public pages fit the phone too.
    for path in ("/public/check/", "/public/typical/"):
        citizen.goto(server + path)
        fits(citizen)
        assert citizen.inner_text("[data-testid=authority]") == "广东省应急管理厅"
    assert not FOREIGN, FOREIGN
    assert not REFUSED, REFUSED
