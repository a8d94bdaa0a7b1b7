"""Long lists are paged, never cut: the footer says which page of how many and how many rows in all,
the next and previous links keep the filters, and walking every page shows every row exactly once.
Where a panel shows only its first rows (the dashboard, the audit runs) it says so."""

import datetime
import html
import re

import pytest
from django.utils import timezone

from certificates.models import RosterCheck
from core import lists
from notifications.models import Notification
from oversight import views as oversight_views
from oversight.models import AuditRun, AuditView, TypicalCase
from oversight.risks import risk_rows
from tests.factories import CaseFactory, demo_user
from tests.workflows.helpers import referable_case
from workflows import actions as referrals
from workflows.access import referrals_visible_to
from workflows.tasks import open_tasks_for

pytestmark = pytest.mark.django_db

FOOTER = re.compile(r"第 (\d+) / (\d+) 页，共 (\d+) 条")


@pytest.fixture
def web(client):
    def as_user(username):
        client.force_login(demo_user(username))
        return client

    return as_user


def rows(page: str, testid: str) -> list[str]:
    """The body rows of the table marked data-testid=testid."""
    table = page[page.index(f'data-testid="{testid}"') :]
    table = table[: table.index("</table>")]
    return re.findall(r"<tr[^>]*>\s*<td.*?</tr>", table, re.S)


def link(page: str, rel: str) -> str | None:
    match = re.search(rf'<a class="mdc-button" rel="{rel}" href="([^"]+)"', page)
    return html.unescape(match.group(1)) if match else None


def walk(client, path: str) -> list[str]:
    """Every page of a paged list, from `path` along the "next" links; checks each footer on the way."""
    pages, url = [], path
    while url:
        r = client.get(url if url.startswith("/") else path.split("?")[0] + url)
        assert r.status_code == 200, url
        page = r.content.decode()
        number, of, _total = map(int, FOOTER.search(page).groups())
        assert number == len(pages) + 1
        assert (link(page, "prev") is None) == (number == 1)
        pages.append(page)
        url = link(page, "next")
        assert (url is None) == (number == of)
    return pages


def total_on(page: str) -> int:
    return int(FOOTER.search(page).group(3))


def test_notifications_come_fifty_a_page_and_the_second_page_has_the_rest(web):
    user = demo_user("guangzhou.officer1")
    Notification.objects.filter(recipient=user).delete()
    Notification.objects.bulk_create(
        Notification(recipient=user, kind="test", title=f"第{i:03d}号通知") for i in range(1, 54)
    )
    client = web("guangzhou.officer1")
    first, second = walk(client, "/notices/list/")
    assert "第 1 / 2 页，共 53 条" in first and link(first, "next") == "?page=2"
    assert "第 2 / 2 页，共 53 条" in second and link(second, "prev") == "?page=1"
    assert len(re.findall(r"第\d{3}号通知", first)) == 50
    # Newest first: page 1 ends at the 4th, page 2 has the three oldest, and nothing is missing.
    assert re.findall(r"第\d{3}号通知", second) == ["第003号通知", "第002号通知", "第001号通知"]
    seen = re.findall(r"第\d{3}号通知", first + second)
    assert sorted(seen) == [f"第{i:03d}号通知" for i in range(1, 54)]


def test_the_footer_is_in_english_for_english_readers(web):
    user = demo_user("guangzhou.officer1")
    Notification.objects.filter(recipient=user).delete()
    Notification.objects.bulk_create(Notification(recipient=user, kind="test", title=f"n{i}") for i in range(51))
    page = web("guangzhou.officer1").get("/notices/list/", headers={"accept-language": "en"}).content.decode()
    assert "Page 1 of 2, 51 in all" in page and ">Next<" in page


def test_a_page_number_out_of_range_or_not_a_number_shows_a_page_not_an_error(web, settings):
    settings.LIST_PAGE_SIZE = 2
    user = demo_user("guangzhou.officer1")
    Notification.objects.filter(recipient=user).delete()
    Notification.objects.bulk_create(Notification(recipient=user, kind="test", title=f"n{i}") for i in range(5))
    client = web("guangzhou.officer1")
    assert "第 1 / 3 页，共 5 条" in client.get("/notices/list/?page=abc").content.decode()
    assert "第 3 / 3 页，共 5 条" in client.get("/notices/list/?page=99").content.decode()


def test_one_page_says_how_many_without_links_and_an_empty_list_has_no_footer(web):
    user = demo_user("guangzhou.officer1")
    Notification.objects.filter(recipient=user).delete()
    client = web("guangzhou.officer1")
    assert 'data-testid="pager"' not in client.get("/notices/list/").content.decode()
    Notification.objects.bulk_create(Notification(recipient=user, kind="test", title=f"n{i}") for i in range(3))
    page = client.get("/notices/list/").content.decode()
    assert "第 1 / 1 页，共 3 条" in page and link(page, "next") is None and link(page, "prev") is None


@pytest.fixture
def three_proposals():
    officer = demo_user("guangzhou.officer1")
    for i in range(3):
        case, person = referable_case(name=f"分页人员{i}")
        referrals.propose_referral(case, actor=officer, persons=[person.pk], report="移送")


def test_the_referral_list_pages_keeping_its_status_filter(web, monkeypatch, three_proposals):
    monkeypatch.setattr(lists, "PAGE_SIZE", 2)  # the lists of core.lists (LIST_PAGE_SIZE a page)
    client = web("guangzhou.head")
    pages = walk(client, "/referrals/referral/?status=proposed")
    assert link(pages[0], "next") == "?status=proposed&page=2"
    shown = [int(pk) for p in pages for pk in re.findall(r'href="/referrals/referral/(\d+)/"', p)]
    expected = referrals_visible_to(demo_user("guangzhou.head")).filter(status="proposed")
    assert len(shown) == len(set(shown)) == total_on(pages[0]) == expected.count() >= 3
    assert set(shown) == set(expected.values_list("pk", flat=True))


def test_the_task_inbox_pages_and_the_last_page_has_the_rest(web, settings, three_proposals):
    settings.LIST_PAGE_SIZE = 2
    pages = walk(web("guangzhou.head"), "/tasks/mine/")
    open_tasks = open_tasks_for(demo_user("guangzhou.head")).count()
    assert total_on(pages[0]) == open_tasks >= 3
    assert [len(rows(p, "tasks")) for p in pages] == [2] * (open_tasks // 2) + [open_tasks % 2] * (open_tasks % 2)


def test_a_risk_list_pages_and_the_dashboard_panel_says_it_shows_only_the_first(web, settings, monkeypatch):
    for i in range(3):
        referable_case(name=f"未移送{i}")
    client = web("guangzhou.supervisor")
    unreferred = risk_rows(demo_user("guangzhou.supervisor"), "unreferred-findings").count()
    assert unreferred >= 3

    def panel(page):
        return page[page.index('data-testid="unreferred"') :].split("<h2", 1)[0]

    assert 'data-testid="first-of"' not in panel(client.get("/oversight/dashboard/").content.decode())
    monkeypatch.setattr(oversight_views, "PANEL_SIZE", 2)
    shown = panel(client.get("/oversight/dashboard/").content.decode())
    assert f"仅显示前 2 条，共 {unreferred} 条。" in shown
    assert 'href="/oversight/risks/unreferred-findings/">查看全部</a>' in shown

    settings.LIST_PAGE_SIZE = 2
    pages = walk(client, "/oversight/risks/unreferred-findings/")
    cases = [pk for p in pages for pk in re.findall(r'<tr><td><a href="/cases/case/(\d+)/"', p)]
    assert total_on(pages[0]) == unreferred == len(cases)
    assert [len(rows(p, "risk")) for p in pages[:-1]] == [2] * (len(pages) - 1)


def test_the_listing_list_pages(web, monkeypatch):
    client = web("guangzhou.supervisor")
    deadline = (timezone.localdate() + datetime.timedelta(days=7)).isoformat()
    for _i in range(3):
        case = CaseFactory(status="open")
        assert (
            client.post(
                f"/cases/listings/new/{case.pk}/", {"deadline": deadline, "instructions": "限期查清"}
            ).status_code
            == 302
        )
    monkeypatch.setattr(lists, "PAGE_SIZE", 2)
    pages = walk(client, "/cases/listings/")
    shown = [pk for p in pages for pk in re.findall(r'href="/cases/listings/(\d+)/"', p)]
    assert len(shown) == len(set(shown)) == total_on(pages[0]) >= 3


def test_the_audit_page_pages_its_viewers_and_says_when_it_shows_only_the_latest_runs(web, settings, monkeypatch):
    old = timezone.now() - datetime.timedelta(days=400)
    user = demo_user("gd.supervisor")
    AuditView.objects.bulk_create(
        AuditView(user=user, path=f"/oversight/exports/old-{i}/", at=old + datetime.timedelta(minutes=i))
        for i in range(3)
    )
    for i in range(2):
        AuditRun.objects.create(started_at=old + datetime.timedelta(days=i), finished_at=old, cases=1, events=1)
    settings.LIST_PAGE_SIZE = 2
    monkeypatch.setattr(oversight_views, "AUDIT_RUNS_SHOWN", 1)
    client = web("gd.supervisor")
    first = client.get("/oversight/audit/").content.decode()
    assert total_on(first) == AuditView.objects.count()  # this visit included: it is recorded first
    assert f"仅显示前 1 条，共 {AuditRun.objects.count()} 条。" in first
    last = client.get("/oversight/audit/?page=99").content.decode()  # the last page, whatever its number
    assert "/oversight/exports/old-0/" in last and "/oversight/exports/old-0/" not in first


def test_the_public_typical_cases_page(client, settings):
    supervisor = demo_user("guangzhou.supervisor")
    for i in range(3):
        TypicalCase.objects.create(
            case=CaseFactory(status="closed"), title=f"典型案例{i}", summary="摘要", marked_by=supervisor
        )
    settings.LIST_PAGE_SIZE = 2
    pages = walk(client, "/public/typical/")
    titles = [t for p in pages for t in re.findall(r"<h2>(典型案例\d)</h2>", p)]
    assert sorted(titles) == ["典型案例0", "典型案例1", "典型案例2"] and total_on(pages[0]) == 3


def test_the_failed_rows_of_a_roster_page_and_each_keeps_its_row_for_a_lead(web, settings):
    results = [
        {"number": f"T{i:04d}", "name": f"持证人{i}", "status": "not_found" if i % 2 else "valid"} for i in range(10)
    ]
    saved = RosterCheck.objects.create(user=demo_user("guangzhou.officer1"), filename="名单.xlsx", results=results)
    settings.LIST_PAGE_SIZE = 2
    pages = walk(web("guangzhou.officer1"), f"/certificates/roster/{saved.pk}/")
    assert total_on(pages[0]) == 5 and len(pages) == 3
    leads = [
        (number, int(row))
        for p in pages
        for number, row in re.findall(r"<td>(T\d{4})</td>.*?/lead/(\d+)/", p.replace("\n", " "))
    ]
    assert leads == [(f"T{i:04d}", i) for i in (1, 3, 5, 7, 9)]
