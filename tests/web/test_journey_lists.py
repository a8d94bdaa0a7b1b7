"""A police officer works through the referral list in Chromium (issue 18): filters it by status and
by a person's name (which never reaches the address), sorts it by a column, saves the filter, opens
it again and exports what is filtered to XLSX."""

import io
import re
from pathlib import Path
from urllib.parse import unquote

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from accounts.models import SavedFilter
from tests.factories import demo_user
from tests.workflows.helpers import DOCS, referable_case
from workflows import actions as referrals

from .browser import PASSWORD, Desk

pytestmark = [pytest.mark.postgres, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sent_to_the_police(name: str):
    officer, head = demo_user("guangzhou.officer1"), demo_user("guangzhou.head")
    case, person = referable_case(name=name)
    r = referrals.propose_referral(case, actor=officer, persons=[person.pk], report="移送")
    r = referrals.approve(r, actor=head)
    return referrals.transmit(r, actor=officer, documents=DOCS), person


def test_the_police_filter_sort_save_and_export_the_referral_list(server, chromium, settings):
    from django.conf import global_settings

    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS  # the server checks with the real ones
    call_command("seed_demo", password=PASSWORD, verbosity=0)
    wanted, person = sent_to_the_police("旅程甲")
    other, _ = sent_to_the_police("旅程乙")

    police = Desk(chromium, server, "guangzhou.police")
    police.go("/referrals/referral/")
    table = police.page.locator("[data-testid=referrals]")
    assert wanted.number in table.inner_text() and other.number in table.inner_text()

    # Filter: status and a person's name, posted; the address carries a token, not the name.
    form = police.page.locator("[data-testid=referral-filters]")
    form.locator("select[name=status]").select_option(wanted.status)
    form.locator("input[name=person]").fill("旅程甲")
    form.locator("button[type=submit]").click()
    police.page.wait_for_url(lambda url: "search=" in url)
    assert "旅程甲" not in unquote(police.page.url)
    police.page.wait_for_load_state("networkidle")
    rows = table.inner_text()
    assert wanted.number in rows and other.number not in rows
    assert re.findall(r"\d+", police.page.inner_text("[data-testid=total]")) == ["1"]  # 共 1 件

    # Sort by number, then the other way round; the filter stays.
    police.page.click("[data-testid=referrals] a[data-sort=number]")
    police.page.wait_for_url(lambda url: "sort=number" in url and "search=" in url)
    assert police.page.locator("th[aria-sort=ascending]").count() == 1
    police.page.click("[data-testid=referrals] a[data-sort=number]")
    police.page.wait_for_url(lambda url: "sort=-number" in url)
    assert police.page.locator("th[aria-sort=descending]").count() == 1
    assert other.number not in table.inner_text()

    # Save the filter; it is listed and opens the same list again.
    save = police.page.locator("[data-testid=save-filter]")
    save.locator("input[name=name]").fill("旅程甲的移送")
    save.locator("button[type=submit]").click()
    police.page.wait_for_selector("[data-testid=saved-filters] >> text=旅程甲的移送")
    saved = SavedFilter.objects.get(user=demo_user("guangzhou.police"), title="旅程甲的移送")
    assert "person=" in saved.query and "sort=-number" in saved.query
    police.go("/referrals/referral/")
    police.page.click("[data-testid=saved-filters] >> text=旅程甲的移送")
    police.page.wait_for_url(lambda url: "search=" in url)
    police.page.wait_for_load_state("networkidle")
    assert wanted.number in table.inner_text() and other.number not in table.inner_text()

    # Export what is filtered: the one referral, in words, the ID number masked.
    with police.page.expect_download() as download:
        police.page.click("[data-testid=export]")
    book = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    rows = list(book.active.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][0] == wanted.number
    assert person.id_number not in str(rows[1]) and f"旅程甲（{person.id_masked}）" in rows[1]
    police.shot("lists-police-exported")
