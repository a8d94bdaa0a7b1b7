"""Lists people can work through (issue 18, core.lists): the total, page numbers, sorting by a
whitelist of columns (any other sort is a 400 with its message), the referral list's filters (an
ID number never in the address), saved filters that only their owner sees, opens and deletes, and
the XLSX export of exactly what is filtered, every page of it, capped with a word."""

import datetime
import io
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone, translation
from openpyxl import load_workbook

from accounts.models import SavedFilter
from cases.access import cases_visible_to
from core import lists
from oversight.models import AuditView
from tests.factories import CaseFactory, add_person, demo_user
from tests.workflows.helpers import referable_case
from workflows import actions as referrals
from workflows.access import referrals_visible_to
from workflows.models import Deadline

pytestmark = pytest.mark.django_db
EN = {"accept-language": "en"}


@pytest.fixture
def web(client):
    def as_user(username):
        client.force_login(demo_user(username))
        return client

    return as_user


def page_of(client, url, status=200):
    r = client.get(url, headers=EN)
    assert r.status_code == status, (url, r.status_code)
    return r.content.decode()


def total(page):
    return int(re.search(r'data-testid="total">(\d+) in all<', page).group(1))


def referral_ids(page):
    return [int(pk) for pk in re.findall(r'href="/referrals/referral/(\d+)/"', page)]


def case_numbers(page):
    table = page[page.index('data-testid="case-table"') :]
    return re.findall(r'<a href="/cases/case/\d+/">([^<]+)</a>', table)


def sheet(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return [list(row) for row in load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)]


@pytest.fixture
def proposals():
    """Three proposals of Guangzhou with their own parties and persons (officer1 proposes)."""
    officer = demo_user("guangzhou.officer1")
    made = []
    for i, name in enumerate(["列表甲", "列表乙", "列表丙"]):
        case, person = referable_case(name=name)
        case.party_name = f"=列表公司{i}"  # a formula-like name: exported as text
        case.save(update_fields=["party_name"])
        made.append(referrals.propose_referral(case, actor=officer, persons=[person.pk], report="移送"))
    return made


# --- total, page numbers, sorting -----------------------------------------------------------


def test_the_case_list_says_how_many_in_all_and_numbers_its_pages(web, monkeypatch):
    for _i in range(3):
        CaseFactory(status="open")
    monkeypatch.setattr(lists, "PAGE_SIZE", 2)
    client = web("guangzhou.head")
    expected = cases_visible_to(demo_user("guangzhou.head")).count()
    pages = -(-expected // 2)
    first = page_of(client, "/cases/case/")
    assert total(first) == expected >= 3
    assert f"Page 1 of {pages}, {expected} in all" in first
    assert len(case_numbers(first)) == 2
    assert re.search(rf'rel="last" href="\?page={pages}"', first)
    numbers = first[first.index('data-testid="page-numbers"') :].split("</div>")[0]
    assert 'aria-current="page">1<' in numbers and 'href="?page=2">2<' in numbers
    last = page_of(client, f"/cases/case/?page={pages}")
    assert len(case_numbers(last)) == expected - 2 * (pages - 1)
    assert 'rel="first" href="?page=1"' in last and 'rel="next"' not in last


def test_the_case_list_sorts_by_a_column_both_ways_keeping_the_filters(web):
    for _i in range(3):
        CaseFactory(status="open")
    client = web("guangzhou.head")
    visible = cases_visible_to(demo_user("guangzhou.head")).filter(status="open")
    expected = sorted(visible.values_list("number", flat=True))[:25]
    up = page_of(client, "/cases/case/?status=open&sort=number")
    assert case_numbers(up) == expected
    down = page_of(client, "/cases/case/?status=open&sort=-number")
    assert case_numbers(down) == sorted(visible.values_list("number", flat=True), reverse=True)[:25]
    # The header links keep the filter; the sorted column's link turns the order round.
    assert 'href="?status=open&amp;sort=-number"' in up and 'aria-sort="ascending"' in up
    assert 'href="?status=open&amp;sort=number"' in down and 'aria-sort="descending"' in down


@pytest.mark.parametrize(
    "url", ["/cases/case/?sort=password", "/referrals/referral/?sort=-case__agency__secret", "/cases/listings/?sort=x"]
)
def test_an_unknown_sort_is_refused_with_its_message_not_an_error(web, url):
    page = page_of(web("guangzhou.supervisor"), url, status=400)
    assert 'data-testid="form-errors"' in page and "cannot be sorted by" in page


def test_an_unknown_export_format_is_refused(web):
    page = page_of(web("guangzhou.head"), "/cases/case/?export=csv", status=400)
    assert "XLSX only" in page


# --- the referral list's filters ------------------------------------------------------------


def test_the_referral_list_filters_by_status_party_person_and_overdue(web, proposals):
    client = web("guangzhou.head")
    seen = referrals_visible_to(demo_user("guangzhou.head"))
    page = page_of(client, "/referrals/referral/?status=proposed")
    assert total(page) == seen.filter(status="proposed").count() >= 3
    # Party and person are posted: the address carries a search token, never the name.
    r = client.post("/referrals/referral/", {"person": "列表乙", "status": "proposed"})
    assert r.status_code == 302 and "列表乙" not in r.url and "%E5" not in r.url
    assert parse_qs(urlsplit(r.url).query)["status"] == ["proposed"] and "search=" in r.url
    assert referral_ids(page_of(client, r.url)) == [proposals[1].pk]
    r = client.post("/referrals/referral/", {"party": "列表公司2"})
    assert referral_ids(page_of(client, r.url)) == [proposals[2].pk]
    # Overdue: a duty's deadline missed.
    Deadline.objects.filter(referral=proposals[0]).update(due_at=timezone.now() - datetime.timedelta(days=1))
    overdue = referral_ids(page_of(client, "/referrals/referral/?overdue=true&status=proposed"))
    assert proposals[0].pk in overdue and proposals[1].pk not in overdue
    assert total(page_of(client, "/referrals/referral/?region=440100")) == seen.count()
    assert "Nothing here." in page_of(client, "/referrals/referral/?region=440300")


def test_the_referral_list_is_never_searched_by_an_id_number(web, proposals):
    client = web("guangzhou.head")
    number = proposals[0].persons.get().id_number
    r = client.post("/referrals/referral/", {"person": number}, headers=EN)
    assert r.status_code == 400 and "not searched by ID number" in r.content.decode()
    assert client.get(f"/referrals/referral/?person={number}", headers=EN).status_code == 400
    assert client.get("/referrals/referral/?status=nonsense", headers=EN).status_code == 400
    assert client.get("/referrals/referral/?search=forged", headers=EN).status_code == 400


def test_the_referral_list_shows_only_what_the_user_sees(web, proposals):
    page = page_of(web("shenzhen.officer1"), "/referrals/referral/?region=440100")
    assert not set(referral_ids(page)) & {p.pk for p in proposals}
    # The police see no proposal before it is transmitted to them.
    police = page_of(web("guangzhou.police"), "/referrals/referral/")
    assert not set(referral_ids(police)) & {p.pk for p in proposals}


# --- saved filters --------------------------------------------------------------------------


def test_a_saved_filter_is_its_owners_alone(web, proposals):
    client = web("guangzhou.officer1")
    r = client.post("/referrals/referral/", {"person": "列表丙", "status": "proposed"})
    query = urlsplit(r.url).query
    saved = client.post("/cases/filters/?" + f"list=referrals&query={query.replace('&', '%26')}", {"name": "丙的移送"})
    assert saved.status_code == 302
    mine = SavedFilter.objects.get(user=demo_user("guangzhou.officer1"), title="丙的移送")
    assert parse_qs(mine.query) == {"status": ["proposed"], "person": ["列表丙"]} and mine.list_name == "referrals"
    listed = page_of(client, "/referrals/referral/")
    assert f'href="/cases/filters/{mine.pk}/">丙的移送</a>' in listed
    opened = client.get(f"/cases/filters/{mine.pk}/")
    assert opened.status_code == 302 and "列表丙" not in opened.url
    assert referral_ids(page_of(client, opened.url)) == [proposals[2].pk]

    other = web("guangzhou.officer2")
    assert "丙的移送" not in page_of(other, "/referrals/referral/")
    assert other.get(f"/cases/filters/{mine.pk}/").status_code == 404
    assert other.post(f"/cases/filters/{mine.pk}/delete/").status_code == 404
    assert SavedFilter.objects.filter(pk=mine.pk).exists()

    owner = web("guangzhou.officer1")
    assert owner.get(f"/cases/filters/{mine.pk}/delete/").status_code == 405
    assert owner.post(f"/cases/filters/{mine.pk}/delete/").status_code == 302
    assert not SavedFilter.objects.filter(pk=mine.pk).exists()


def test_a_saved_filter_needs_a_name_and_never_keeps_an_id_number(web):
    client = web("guangzhou.officer1")
    case = CaseFactory(status="open")
    person = add_person(case, name="身份证号搜索")
    assert client.post("/cases/filters/?list=cases&query=status%3Dopen", {"name": ""}, headers=EN).status_code == 400
    assert client.post("/cases/filters/?list=nonsense&query=", {"name": "x"}).status_code == 404
    r = client.post("/cases/case/", {"q": person.id_number})
    query = urlsplit(r.url).query
    refused = client.post(f"/cases/filters/?list=cases&query={query}", {"name": "按证件号"}, headers=EN)
    assert refused.status_code == 400 and "not saved" in refused.content.decode()
    assert not SavedFilter.objects.filter(title="按证件号").exists()
    # A search by name is kept with its text, and opens again under a new token.
    r = client.post("/cases/case/", {"q": "身份证号搜索", "status": "open"})
    query = urlsplit(r.url).query.replace("&", "%26")
    assert client.post(f"/cases/filters/?list=cases&query={query}", {"name": "按姓名"}).status_code == 302
    saved = SavedFilter.objects.get(title="按姓名")
    assert parse_qs(saved.query) == {"status": ["open"], "q": ["身份证号搜索"]}
    opened = client.get(f"/cases/filters/{saved.pk}/")
    assert case.number in case_numbers(page_of(client, opened.url))


# --- export ---------------------------------------------------------------------------------


def test_the_export_holds_every_filtered_row_in_words_masked_and_is_recorded(web, monkeypatch, proposals):
    monkeypatch.setattr(lists, "PAGE_SIZE", 2)
    client = web("guangzhou.head")
    expected = referrals_visible_to(demo_user("guangzhou.head")).filter(status="proposed")
    rows = sheet(client.get("/referrals/referral/?status=proposed&sort=number&export=xlsx", headers=EN))
    assert rows[0][:3] == ["number", "kind", "status"]
    assert [r[0] for r in rows[1:]] == sorted(expected.values_list("number", flat=True))  # all pages, in order
    assert len(rows) - 1 == expected.count() > lists.PAGE_SIZE
    mine = {r[0]: r for r in rows[1:]}
    row = mine[proposals[1].number]
    with translation.override("en"):
        assert row[1] == proposals[1].get_kind_display() and row[2] == proposals[1].status_label
    assert row[3] == "'=列表公司1"  # formula-like text written as text
    person = proposals[1].persons.get()
    assert row[4] == f"列表乙（{person.id_masked}）" and person.id_number not in str(row)
    assert row[5] == proposals[1].referring_agency.name and row[6] == proposals[1].police_agency.name
    recorded = AuditView.objects.filter(user=demo_user("guangzhou.head"), path__contains="export=xlsx").get()
    assert recorded.path.startswith("/referrals/referral/?status=proposed")


def test_the_export_is_capped_and_says_so(web, monkeypatch, proposals):
    monkeypatch.setattr(lists, "EXPORT_MAX", 2)
    client = web("guangzhou.head")
    count = referrals_visible_to(demo_user("guangzhou.head")).count()
    assert 'data-testid="export-cut"' in page_of(client, "/referrals/referral/")
    rows = sheet(client.get("/referrals/referral/?export=xlsx", headers=EN))
    assert len(rows) == 1 + 2 + 1
    assert rows[-1][0] == f"Only the first 2 of {count} rows are exported: narrow the filter to export the rest."
    monkeypatch.setattr(lists, "EXPORT_MAX", 5000)
    assert 'data-testid="export-cut"' not in page_of(client, "/referrals/referral/")


def test_the_case_and_listing_exports_are_in_words(web):
    client = web("guangzhou.supervisor")
    case = CaseFactory(status="open")
    deadline = (timezone.localdate() + datetime.timedelta(days=7)).isoformat()
    assert (
        client.post(f"/cases/listings/new/{case.pk}/", {"deadline": deadline, "instructions": "限期查清"}).status_code
        == 302
    )
    rows = sheet(client.get(f"/cases/case/?q={case.number}&export=xlsx", headers=EN))
    assert rows[1][0] == case.number and rows[1][3] == case.get_status_display() and rows[1][6] == case.agency.name
    rows = sheet(client.get("/cases/listings/?sort=-created&export=xlsx", headers=EN))
    assert rows[1][:2] == [case.number, case.party_name] and rows[1][3] == deadline and rows[1][4] == "限期查清"
