"""The officer's deadlines and notifications in Chromium (issue 18): his own 3-day proposal deadline
in the inbox as a date with the days left, before it is missed; a notification opened is read."""

import re
import time

import pytest
from django.core.management import call_command

from core import calendar
from notifications.models import Notification
from tests.workflows.helpers import referable_case
from workflows.models import Deadline

from .browser import FOREIGN, PASSWORD, REFUSED, Desk

pytestmark = [pytest.mark.postgres, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_officer_sees_his_proposal_deadline_as_a_date_and_reads_a_notification(server, chromium, settings):
    from django.conf import global_settings

    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS  # the server checks with the real ones
    call_command("seed_demo", password=PASSWORD, verbosity=0)
    # A referable finding: the handlers have 3 days to propose the referral.
    case, _person = referable_case(name="赵六")
    deadline = Deadline.objects.get(case=case, step="propose_referral", met_at__isnull=True)

    officer = Desk(chromium, server, "guangzhou.officer1")
    officer.go("/tasks/mine/")
    row = officer.page.locator("[data-testid=my-deadline][data-step=propose_referral]")
    assert row.count() == 1
    text = row.inner_text()
    assert case.number in text
    assert calendar.deadline_text(deadline.due_at, chinese=True) in text  # "12月10日24时前"
    left = row.locator("[data-testid=time-left]").inner_text()
    assert re.fullmatch(r"还剩 \d+ 天|今日届满|\d+ days? left|ends today", left), left
    time.sleep(1.5)  # a date, not a countdown: nothing ticks by the second
    assert row.locator("[data-testid=time-left]").inner_text() == left
    assert not re.search(r"\d+秒|\d+小时", officer.page.inner_text("main"))
    officer.shot("deadlines-inbox")

    # The bell's list: the case assigned to him is unread; opening it shows the case and reads it.
    n = Notification.objects.filter(recipient__username="guangzhou.officer1", case=case, read_at__isnull=True).latest(
        "pk"
    )
    officer.go("/notices/list/")
    unread = int(officer.page.text_content("[data-unread]") or 0)
    assert unread == Notification.objects.filter(recipient__username="guangzhou.officer1", read_at=None).count() > 0
    link = officer.page.locator(f"a[href='/notices/{n.pk}/open/']")
    assert link.locator("xpath=ancestor::tr").get_attribute("data-read") == "no"
    link.click()
    officer.page.wait_for_url(re.compile(rf"/cases/case/{case.pk}/$"))
    officer.page.wait_for_selector("[data-testid=case-status]")
    n.refresh_from_db()
    assert n.read_at is not None
    assert int(officer.page.text_content("[data-unread]") or 0) == unread - 1  # the bell counts one fewer
    officer.go("/notices/list/")
    row = officer.page.locator(f"a[href='/notices/{n.pk}/open/']").locator("xpath=ancestor::tr")
    assert row.get_attribute("data-read") == "yes"
    officer.shot("deadlines-notice-read")

    assert FOREIGN == [], FOREIGN
    assert REFUSED == [], REFUSED
