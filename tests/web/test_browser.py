"""The three journeys in Debian's Chromium, driven by Playwright, against a real ASGI server
(daphne, with WebSockets) on the test database. Screenshots go to test-artifacts/browser/."""

import datetime
import re
import time

import pytest
from django.core.management import call_command
from django.utils import timezone

from cases.models import Case, Referral
from demo.sample_cases import make_credit_code, make_id_number

from .browser import FOREIGN, PASSWORD, REFUSED, Desk
from .test_journey_decisions import act_with_files, media, pdf_file  # noqa: F401 (media: a fixture)

pytestmark = [pytest.mark.postgres, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.usefixtures("media")  # the uploads go to the test's own directory
def test_regulator_police_and_supervisor_journeys(server, chromium, settings):
    from django.conf import global_settings

    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS  # the server checks with the real ones
    call_command("seed_demo", password=PASSWORD, verbosity=0)

    # (a) A Guangzhou officer creates and opens a case, adds a person, records a forged
    # certificate and proposes a referral.
    officer = Desk(chromium, server, "guangzhou.officer1")
    assert "广州市应急管理局 · 执法人员" in officer.page.inner_text("[data-testid=who]")
    officer.go("/cases/case/new/")
    officer.page.select_option("#id_source", "inspection")
    officer.page.select_option("#id_region", "440100")
    officer.page.select_option("#id_party_kind", "employer")
    officer.page.fill("#id_party_name", "广州市某建筑工程有限公司")
    officer.page.fill("#id_party_credit_code", make_credit_code("440100", 99))
    officer.page.fill("#id_summary", "检查发现电焊工持伪造特种作业操作证上岗")
    officer.page.click("[data-testid=submit]")
    officer.page.wait_for_selector("[data-testid=case-status]")
    case = Case.objects.get(party_name="广州市某建筑工程有限公司")
    assert officer.page.inner_text("[data-testid=case-status]") == "线索"
    officer.act(
        "open",
        check=("input[name=handlers][value='guangzhou.officer1']", "input[name=handlers][value='guangzhou.officer2']"),
    )
    assert officer.page.inner_text("[data-testid=case-status]") == "已行政立案"
    id_number = make_id_number("440106", datetime.date(1986, 4, 12), 31)
    officer.act("add_person", fill={"name": "王建军", "id_number": id_number}, select={"role": "holder"})
    assert id_number in officer.page.inner_text("[data-testid=persons]")  # a handler sees it in full
    person = case.persons.get()
    officer.act(
        "record_finding",
        select={"kind": "forged_certificate", "person": str(person.pk)},
        fill={"certificate_number": "T440106198604120031"},
    )
    assert "应移送" in officer.page.inner_text("[data-testid=findings]")
    officer.act(
        "propose_referral", fill={"report": "王建军持伪造的特种作业操作证从事电焊作业，涉嫌使用伪造的国家机关证件。"}
    )
    officer.shot("a-officer-proposed")
    referral = Referral.objects.get(case=case)
    assert referral.status == "proposed"

    # The police officer is already at the desk, on the task list, before anything is sent.
    police = Desk(chromium, server, "guangzhou.police")
    police.go("/tasks/mine/")
    police.page.wait_for_function("() => window.__xjLive === true")
    time.sleep(1.0)  # let the WebSocket open

    # (b) The head approves; the officer transmits.
    head = Desk(chromium, server, "guangzhou.head")
    head.go("/tasks/mine/")
    head.page.click("[data-testid=tasks] a >> nth=0")
    head.page.wait_for_selector("[data-testid=referral-status]")
    head.act("approve")
    assert head.page.inner_text("[data-testid=referral-status]") == "已批准移送"
    head.shot("b-head-approved")
    officer.go(f"/referrals/referral/{referral.pk}/")
    act_with_files(
        officer,
        "transmit",
        files={
            f"upload_{kind}": [pdf_file(f"{kind}.pdf")]
            for kind in ("investigation_report", "evidence_list", "inspection_report")
        },
    )
    assert officer.page.inner_text("[data-testid=referral-status]") == "已移送"
    officer.shot("b-officer-transmitted")

    # (c) The police officer sees the toast without reloading, opens the referral, signs the
    # receipt; the police head accepts it.
    toast = police.page.wait_for_selector(".xj-toast", timeout=10000)
    assert referral.number in toast.inner_text()
    police.shot("c-police-toast")
    police.page.click(".xj-toast a")
    police.page.wait_for_selector("[data-testid=referral-status]")
    # The time left in days ("还剩 1 天", "今日届满"), never a countdown to the second.
    police.page.wait_for_function("() => /天|届满/.test(document.querySelector('[data-testid=countdown]').textContent)")
    assert re.fullmatch(r"还剩 \d+ 天|今日届满|已超期( \d+ 天)?", police.page.inner_text("[data-testid=countdown]"))
    police.act("acknowledge")
    assert police.page.inner_text("[data-testid=referral-status]") == "已签收"
    police_head = Desk(chromium, server, "guangzhou.police_head")
    police_head.go(f"/referrals/referral/{referral.pk}/")
    # Using a forged certificate goes to the police as a 治安 matter (治安管理处罚法 第52条): 受理.
    assert referral.kind == "public_security"
    act_with_files(
        police_head,
        "accept",
        fill={
            "police_case_number": "穗公（治）受字〔2026〕0001号",
            "filed_on": timezone.localdate().isoformat(),
            "charge": "使用伪造的国家机关证件",
        },
        files={"filing_decision": [pdf_file("受案登记表.pdf")]},
    )
    assert police_head.page.inner_text("[data-testid=referral-status]") == "已受理"
    police_head.shot("c-police-head-accepted")
    referral.refresh_from_db()
    assert referral.status == "accepted" and referral.police_case_number == "穗公（治）受字〔2026〕0001号"

    # (d) The supervisor's dashboard lists the case.
    supervisor = Desk(chromium, server, "guangzhou.supervisor")
    supervisor.go("/oversight/dashboard/")
    assert case.number in supervisor.page.inner_text("[data-testid=in-progress]")
    assert "广州市" in supervisor.page.inner_text("[data-testid=by-city]")
    supervisor.shot("d-supervisor-dashboard")
    # The language menu submits itself when changed (by attribute: the CSP allows no inline handler).
    supervisor.page.select_option("select[name=language]", "en")
    supervisor.page.wait_for_function("() => document.documentElement.lang === 'en'")
    assert case.number in supervisor.page.inner_text("[data-testid=in-progress]")

    # (e) A Shenzhen officer gets 404 on the case URL.
    outsider = Desk(chromium, server, "shenzhen.officer1")
    response = outsider.go(f"/cases/case/{case.pk}/")
    assert response.status == 404
    outsider.shot("e-shenzhen-404")

    # The API documentation runs under the same policy (its script is served as a file).
    supervisor.go("/api/docs/")
    supervisor.page.wait_for_selector(".swagger-ui .info .title")
    assert "Xianjie API" in supervisor.page.inner_text(".swagger-ui .info .title")

    assert FOREIGN == [], FOREIGN
    assert REFUSED == [], REFUSED

    # The PDF letter is there for the police.
    response = police.page.request.get(f"{server}/api/v1/referrals/{referral.pk}/letter.pdf")
    assert response.status == 200 and response.body().startswith(b"%PDF-")
