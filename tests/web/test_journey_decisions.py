"""Decisions with their reasons and files, in Chromium (issue 18, item 4): the head refuses a
proposal with an opinion, the officer proposes again, the head approves with an opinion, the
officer transmits the case's files ticked plus an upload, and the police head files the case (立案)
with its date, charge, number and 立案决定书. The referral pages show each."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from cases.models import Referral
from certificates import actions as certificate_actions
from tests.factories import demo_user
from tests.workflows.helpers import referable_case
from workflows import actions as referrals

from .browser import FOREIGN, PASSWORD, Desk

pytestmark = [pytest.mark.postgres, pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf_file(name: str) -> dict:
    """A file for Playwright's set_input_files."""
    return {"name": name, "mimeType": "application/pdf", "buffer": PDF}


def act_with_files(desk: Desk, name: str, fill=None, check=(), files=None):
    """Desk.act for a form that also uploads files: open it, fill it in, choose the files, submit."""
    desk.page.click(f"[data-action={name}]")
    desk.page.wait_for_selector("[data-testid=submit]")
    for field, value in (fill or {}).items():
        desk.page.fill(f"#id_{field}", value)
    for selector in check:
        desk.page.check(selector)
    for field, chosen in (files or {}).items():
        desk.page.set_input_files(f"#id_{field}", chosen)
    desk.page.click("[data-testid=submit]")
    desk.page.wait_for_function(
        "() => !document.querySelector('[data-testid=submit]') || document.querySelector('.xj-error, [data-testid=form-errors]')"
    )
    desk.page.wait_for_load_state("networkidle")
    errors = desk.page.locator(".xj-error, [data-testid=form-errors]")
    if errors.count():
        desk.shot(f"error-{name}")
        raise AssertionError(f"{name}: " + " | ".join(errors.all_inner_texts()))


@pytest.fixture
def media(tmp_path, monkeypatch, settings):
    """The files go to a directory of the test, for the served process (started after) and this one."""
    monkeypatch.setenv("MEDIA_ROOT", str(tmp_path))
    settings.MEDIA_ROOT = tmp_path


def test_refusal_and_approval_opinions_transmission_from_files_and_filing(media, server, chromium, settings):
    from django.conf import global_settings

    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS  # the server checks with the real ones
    call_command("seed_demo", password=PASSWORD, verbosity=0)
    officer_user = demo_user("guangzhou.officer1")
    case, person = referable_case(name="陈志明")  # 伪造、买卖: a suspected crime, filed (立案)
    first = referrals.propose_referral(case, actor=officer_user, persons=[person.pk], report="陈志明买卖伪造的操作证。")
    report, items = (
        certificate_actions.add_evidence(case, SimpleUploadedFile(name, PDF), actor=officer_user)
        for name in ("调查报告.pdf", "涉案物品清单.pdf")
    )

    # The head refuses with an opinion.
    head = Desk(chromium, server, "guangzhou.head")
    head.go(f"/referrals/referral/{first.pk}/")
    head.act("refuse", fill={"reason": "证据不足：未查明证件来源，不同意移送，请补充调查"})
    assert "未查明证件来源" in head.page.inner_text("[data-testid=opinion]")
    assert "未查明证件来源" in head.page.inner_text(".xj-timeline")
    head.shot("decisions-a-refused")

    # The officer proposes again from the case page; the head approves with an opinion.
    officer = Desk(chromium, server, "guangzhou.officer1")
    officer.go(f"/cases/case/{case.pk}/")
    officer.act("propose_referral", fill={"report": "已查明证件系从网上购买，陈志明涉嫌买卖国家机关证件。"})
    second = Referral.objects.exclude(pk=first.pk).get(case=case)
    head.go(f"/referrals/referral/{second.pk}/")
    head.act("approve", fill={"opinion": "同意移送，24小时内移送广州市公安局"})
    assert "同意移送，24小时内移送广州市公安局" in head.page.inner_text("[data-testid=opinion]")

    # The officer transmits: two of the case's files ticked, the 鉴定意见 uploaded on the form.
    officer.go(f"/referrals/referral/{second.pk}/")
    act_with_files(
        officer,
        "transmit",
        check=(
            f"input[name=files_investigation_report][value='{report.pk}']",
            f"input[name=files_evidence_list][value='{items.pk}']",
        ),
        files={"upload_inspection_report": [pdf_file("证件鉴定意见书.pdf")]},
    )
    second.refresh_from_db()
    assert second.status == "transmitted"
    documents = officer.page.inner_text("[data-testid=documents]")
    for name in ("涉嫌犯罪案件移送书", "调查报告.pdf", "涉案物品清单.pdf", "证件鉴定意见书.pdf"):
        assert name in documents
    officer.shot("decisions-b-transmitted")

    # The police sign the receipt; the police head files the case with its date, charge, number and decision.
    referrals.acknowledge(second, actor=demo_user("guangzhou.police"))
    police_head = Desk(chromium, server, "guangzhou.police_head")
    police_head.go(f"/referrals/referral/{second.pk}/")
    today = timezone.localdate().isoformat()
    act_with_files(
        police_head,
        "accept",
        fill={"police_case_number": "穗公刑立字〔2026〕88号", "filed_on": today, "charge": "买卖国家机关证件罪"},
        files={"filing_decision": [pdf_file("立案决定书.pdf")]},
    )
    page = police_head.page
    assert page.inner_text("[data-testid=police-case-number]") == "穗公刑立字〔2026〕88号"
    assert page.inner_text("[data-testid=filed-on]") == today
    assert page.inner_text("[data-testid=charge]") == "买卖国家机关证件罪"
    assert "立案决定书.pdf" in page.inner_text("[data-testid=filing-decision]")
    assert "同意移送，24小时内移送广州市公安局" in page.inner_text("[data-testid=opinion]")
    police_head.shot("decisions-c-filed")
    # The 立案决定书 is read back as kept.
    href = page.get_attribute("[data-testid=filing-decision] a", "href")
    response = page.request.get(server + href)
    assert response.status == 200 and response.body() == PDF
    second.refresh_from_db()
    assert second.status == "accepted" and second.record.charge == "买卖国家机关证件罪"
    assert FOREIGN == [], FOREIGN
