"""Work management in Chromium (issue 18, item 7): the head reassigns a case's handlers (转办) with a
reason, a handler writes an internal note that the police — who see the case through its referral
— are never shown, and a police officer claims a task of the agency queue and hands it back."""

import pytest
from django.core.management import call_command
from viewflow.workflow.status import STATUS

from cases.models import Case, CaseNote
from demo.reach import reach
from tests.workflows.helpers import referable_case
from workflows.models import TaskRoute

from .browser import FOREIGN, PASSWORD, Desk

pytestmark = [pytest.mark.postgres, pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REASON = "原承办人借调专项督查组，改由负责人承办"
NOTE = "当事人称假证系从网上中介购得，聊天记录已调取，勿对外透露"


def test_reassign_note_hidden_from_the_police_and_claim_and_release(server, chromium, settings):
    from django.conf import global_settings

    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS  # the server checks with the real ones
    call_command("seed_demo", password=PASSWORD, verbosity=0)
    case, person = referable_case()  # handlers officer1 and officer2
    referral = reach(case, "transmitted", persons=[person.pk], report="持伪造操作证上岗，涉嫌犯罪")
    receipt = TaskRoute.objects.get(referral=referral, task__status=STATUS.NEW)

    # The head reassigns: officer1 off the case, the head on, with the reason on record.
    head = Desk(chromium, server, "guangzhou.head")
    head.go(f"/cases/case/{case.pk}/")
    head.page.click("[data-action=reassign]")
    head.page.wait_for_selector("[data-testid=submit]")
    assert head.page.is_checked("input[name=handlers][value='guangzhou.officer1']")
    head.page.uncheck("input[name=handlers][value='guangzhou.officer1']")
    head.page.check("input[name=handlers][value='guangzhou.head']")
    head.page.click("[data-testid=submit]")  # without a reason: refused on the form
    head.page.wait_for_selector("[data-testid=error-reason]")
    head.page.uncheck("input[name=handlers][value='guangzhou.officer1']")
    head.page.check("input[name=handlers][value='guangzhou.head']")
    head.page.fill("#id_reason", REASON)
    head.page.click("[data-testid=submit]")
    head.page.wait_for_selector("[data-testid=case-status]")
    head.page.wait_for_load_state("networkidle")
    head.shot("work-head-reassigned")
    assert sorted(Case.objects.get(pk=case.pk).handlers.values_list("username", flat=True)) == [
        "guangzhou.head",
        "guangzhou.officer2",
    ]
    event = case.events.order_by("-seq").first()
    assert (event.action, event.data["reason"], event.data["from"]) == (
        "reassign",
        REASON,
        ["guangzhou.officer1", "guangzhou.officer2"],
    )

    # A handler writes an internal note on the case page; it is listed newest first.
    officer = Desk(chromium, server, "guangzhou.officer2")
    officer.go(f"/cases/case/{case.pk}/")
    officer.page.fill("[data-testid=note-form] textarea[name=text]", NOTE)
    officer.page.click("[data-action=add_note]")
    officer.page.wait_for_selector(f"[data-testid=notes] >> text={NOTE[:10]}")
    officer.shot("work-officer-note")
    assert CaseNote.objects.get(case=case).author.username == "guangzhou.officer2"

    # The police see the referred case, never its internal notes.
    police = Desk(chromium, server, "guangzhou.police")
    police.go(f"/cases/case/{case.pk}/")
    police.page.wait_for_selector("[data-testid=case-status]")
    assert police.page.locator("[data-testid=notes-card]").count() == 0
    assert NOTE[:10] not in police.page.content()
    police.shot("work-police-case")

    # The receipt waits in the police queue: claimed, it moves to 我的待办; handed back, it returns.
    police.go("/tasks/queue/")
    police.page.click(f"form[action='/tasks/queue/{receipt.task_id}/claim/'] [data-action=claim]")
    police.page.wait_for_url(f"{server}/tasks/mine/")
    police.page.wait_for_selector("[data-testid=release]")
    receipt.task.refresh_from_db()
    assert (receipt.task.status, receipt.task.owner.username) == (STATUS.ASSIGNED, "guangzhou.police")
    police.shot("work-police-claimed")
    police.page.fill("[data-testid=release] input[name=reason]", "出差，交回队列")
    police.page.click("[data-testid=release] [data-action=release]")
    police.page.wait_for_selector("[data-testid=release]", state="detached")
    receipt.task.refresh_from_db()
    assert (receipt.task.status, receipt.task.owner_id) == (STATUS.NEW, None)
    assert receipt.task.data["claims"][-1]["reason"] == "出差，交回队列"
    police.go("/tasks/queue/")
    assert police.page.locator(f"form[action='/tasks/queue/{receipt.task_id}/claim/']").count() == 1
    assert not FOREIGN
