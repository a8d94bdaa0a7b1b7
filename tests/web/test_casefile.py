"""The case file (案卷) as one PDF (issue 18, item 10): 封面, 卷内文件目录 with page numbers, the papers
of the case drawn in, the evidence list and the timeline; ID numbers as the reader sees them on the
case page; for whoever may see the case, and nobody else."""

import io
import re

import pytest
from django.test import Client
from pdfminer.high_level import extract_text
from pdfminer.pdfdocument import PDFDocument
from pdfminer.pdfpage import PDFPage
from pdfminer.pdfparser import PDFParser

from cases import actions
from cases.models import IdNumberView
from oversight.models import AuditView
from tests.factories import demo_user, fine_of
from tests.workflows.helpers import DOCS, referable_case
from workflows import actions as referrals

pytestmark = pytest.mark.django_db
U = demo_user


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def case_file():
    """A case with a person sent to the police (received) and a fine decided and served on the party."""
    case, person = referable_case(name="张伟")
    referral = referrals.propose_referral(case, actor=U("guangzhou.officer1"), persons=[person.pk], report="报告")
    referral = referrals.approve(referral, actor=U("guangzhou.head"))
    referral = referrals.transmit(referral, actor=U("guangzhou.officer1"), documents=DOCS)
    referral = referrals.acknowledge(referral, actor=U("guangzhou.police"))
    actions.record_finding(case, actor=U("guangzhou.officer1"), kind="unlicensed_operation")  # the party's act
    fine_of(case, served=True)
    return case, person, referral


def web(username):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(U(username))
    return client


def url(case):
    return f"/cases/case/{case.pk}/casefile.pdf"


def pages_of(body: bytes) -> list[str]:
    """Each page's text without spaces and line breaks (a wrapped line reads whole)."""
    document = PDFDocument(PDFParser(io.BytesIO(body)))
    count = sum(1 for _ in PDFPage.create_pages(document))
    return [re.sub(r"\s+", "", extract_text(io.BytesIO(body), page_numbers=[n])) for n in range(count)]


def outline(body: bytes) -> list[tuple[str, int]]:
    """The PDF's bookmarks: (title, 1-based page)."""
    document = PDFDocument(PDFParser(io.BytesIO(body)))
    numbers = {page.pageid: n for n, page in enumerate(PDFPage.create_pages(document), 1)}
    marks = []
    for _level, title, dest, _action, _se in document.get_outlines():
        target = document.get_dest(dest.name if hasattr(dest, "name") else dest) if not isinstance(dest, list) else dest
        target = target.resolve() if hasattr(target, "resolve") else target
        if isinstance(target, dict):
            target = target["D"]
        marks.append((title, numbers[target[0].objid]))
    return marks


def test_the_case_file_has_a_cover_contents_the_papers_and_the_timeline_with_their_pages(case_file):
    case, person, referral = case_file
    r = web("guangzhou.officer1").get(url(case))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert "inline" in r["Content-Disposition"]
    pages = pages_of(r.content)
    assert len(pages) >= 6
    cover, contents = pages[0], pages[1]
    assert "行政执法案卷" in cover and case.number in cover and case.party_name in cover
    assert "广州市应急管理局" in cover and "立卷人" in cover and "归档日期" in cover
    assert f"本卷共{len(pages)}页" in cover
    assert "卷内文件目录" in contents and case.number in contents  # the footer names the case
    titles = [
        "行政处罚事先告知书",
        "行政处罚决定书",
        "涉嫌犯罪案件移送书",
        "涉嫌犯罪案件移送回执",
        "证据材料清单",
        "办案记录",
    ]
    for title in titles:
        assert title in contents, title
    # Every paper begins on the page the contents and the bookmarks give, and says what it is there.
    marks = dict(outline(r.content))
    assert set(titles) <= set(marks)
    for title, page in marks.items():
        assert title.split("（")[0] in pages[page - 1], (title, page)  # 送达回证（事先告知书）: 送达回证
        assert f"第{page}页共{len(pages)}页" in pages[page - 1]
        assert str(page) in contents
    assert marks["行政处罚事先告知书"] == 3  # after the cover and one page of contents
    # The papers are the papers: the letter's number, the decision's number, the timeline's events.
    penalty = case.penalties.get()
    assert referral.number in pages[marks["涉嫌犯罪案件移送书"] - 1]
    assert penalty.decision_number in pages[marks["行政处罚决定书"] - 1]
    assert "现场检查笔录.pdf" in pages[marks["证据材料清单"] - 1]
    assert f"{case.number}办案记录" in pages[marks["办案记录"] - 1]


def test_a_handler_sees_the_id_numbers_in_full_and_the_printing_is_recorded(case_file):
    case, person, _referral = case_file
    before = IdNumberView.objects.filter(case=case, via=IdNumberView.Via.PDF).count()
    r = web("guangzhou.officer1").get(url(case))
    text = "".join(pages_of(r.content))
    assert person.id_number in text
    assert IdNumberView.objects.filter(case=case, via=IdNumberView.Via.PDF).count() == before + 1
    assert AuditView.objects.filter(case=case, path=url(case), user__username="guangzhou.officer1").exists()


def test_a_supervisor_who_is_no_handler_sees_them_masked(case_file):
    case, person, _referral = case_file
    r = web("guangzhou.supervisor").get(url(case))
    assert r.status_code == 200
    text = "".join(pages_of(r.content))
    assert person.id_number not in text
    assert person.id_masked in text and "*" in person.id_masked
    assert case.number in text


def test_the_police_see_what_was_sent_to_them_and_no_penalty_of_the_party(case_file):
    case, person, referral = case_file
    r = web("guangzhou.police").get(url(case))
    assert r.status_code == 200
    pages = pages_of(r.content)
    text = "".join(pages)
    assert person.id_number in text  # sent to them: they cannot act on a masked number
    assert referral.number in text and "涉嫌犯罪案件移送书" in pages[1]
    assert "行政处罚决定书" not in text  # the party was not sent to them


@pytest.mark.parametrize(
    ("username", "status"),
    [("shenzhen.officer1", 404), ("guangzhou.market", 404), ("guangzhou.cyber", 404), ("admin", 403)],
)
def test_outsiders_get_nothing(case_file, username, status):
    case, _person, _referral = case_file
    assert web(username).get(url(case)).status_code == status


def test_anonymous_visitors_are_sent_to_the_login_page(case_file):
    case, _person, _referral = case_file
    r = Client().get(url(case))
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]


def test_a_missing_case_is_404():
    assert web("guangzhou.officer1").get("/cases/case/999999/casefile.pdf").status_code == 404


def test_drawing_the_papers_into_the_file_leaves_the_single_downloads_as_they_were(case_file):
    case, _person, referral = case_file
    client = web("guangzhou.officer1")
    assert client.get(url(case)).status_code == 200
    letter = client.get(f"/api/v1/referrals/{referral.pk}/letter.pdf")
    assert letter.status_code == 200 and letter.content.startswith(b"%PDF")
    assert "涉嫌犯罪案件移送书" in "".join(pages_of(letter.content))


def test_the_case_page_links_to_the_case_file_and_has_a_way_back_to_the_list(case_file):
    case, _person, _referral = case_file
    page = web("guangzhou.officer1").get(f"/cases/case/{case.pk}/").content.decode()
    assert f'<form method="post" action="{url(case)}"' in page  # the file made by a job (cases.jobs)
    assert 'data-testid="breadcrumbs"' in page and 'href="/cases/case/"' in page
