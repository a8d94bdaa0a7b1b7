"""The papers of the referral road (LEGAL.md §2) are generated from the case as PDF, for those
who see the referral: read back out of the file, not trusted from the code that wrote it."""

import io
import re

import pytest
from pdfminer.high_level import extract_pages, extract_text
from pdfminer.layout import LTChar, LTTextContainer, LTTextLine
from reportlab.lib.pagesizes import A4

from cases import actions
from cases.models import IdNumberView
from core.pdf import NOT_AT_LINE_END, NOT_AT_LINE_START, break_lines
from demo.sample_cases import make_credit_code
from tests.factories import CaseFactory, add_person, demo_user
from tests.workflows.helpers import DOCS, referable_case
from workflows import actions as referrals
from workflows.documents import MARGIN

pytestmark = pytest.mark.django_db
U = demo_user
PACKAGE = [*DOCS, {"kind": "inspection_report", "title": "证件真伪鉴定意见书"}]


def pdf_text(body: bytes) -> str:
    """The text of a PDF without its line breaks and spaces: what a wrapped line says, whole."""
    return re.sub(r"\s+", "", extract_text(io.BytesIO(body)))


def text_lines(body: bytes):
    """Every line of text with its characters' right edge: (text, x0, x1, page width)."""
    for page in extract_pages(io.BytesIO(body)):
        for box in page:
            if isinstance(box, LTTextContainer):
                for line in box:
                    if isinstance(line, LTTextLine):
                        chars = [c for c in line if isinstance(c, LTChar)]
                        if chars:
                            yield (
                                line.get_text().strip(),
                                min(c.x0 for c in chars),
                                max(c.x1 for c in chars),
                                page.width,
                            )


def sent(case, persons, kind=None, kind_reason=""):
    r = referrals.propose_referral(
        case,
        actor=U("guangzhou.officer1"),
        persons=[p.pk for p in persons],
        report="查获伪造的特种作业操作证，涉嫌伪造、买卖国家机关证件。",
        kind=kind,
        kind_reason=kind_reason,
    )
    r = referrals.approve(r, actor=U("guangzhou.head"))
    return referrals.transmit(r, actor=U("guangzhou.officer1"), documents=PACKAGE)


@pytest.fixture
def two_suspects():
    """A seller (伪造、买卖) and a worker who used the certificate, sent together as a crime (the holder
    bought it: the proposer says why)."""
    case, seller = referable_case(name="李建国")
    holder = add_person(case, name="陈小明")
    actions.record_finding(case, actor=U("guangzhou.officer1"), kind="forged_certificate", person=holder.pk)
    return case, seller, holder


def test_the_transfer_letter_names_each_suspect_in_full_with_offence_and_article(api, two_suspects):
    case, seller, holder = two_suspects
    referral = sent(case, [seller, holder], kind="criminal", kind_reason="陈小明系向李建国购买伪造证件")
    before = IdNumberView.objects.filter(user__username="guangzhou.police", case=case).count()
    r = api("guangzhou.police").get(f"/api/v1/referrals/{referral.pk}/letter.pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    text = pdf_text(r.content)
    assert "涉嫌犯罪案件移送书" in text
    assert seller.id_number in text and holder.id_number in text  # the police cannot act on a masked number
    assert "涉嫌伪造、买卖国家机关证件罪" in text and "刑法第280条第一款" in text
    # The holder goes as a crime with the reason on record: the letter names what that makes it.
    assert "涉嫌买卖国家机关证件罪（购买、使用伪造的特种作业操作证）" in text
    assert "治安管理处罚法" not in text
    # Each finding as the officers recorded it.
    assert "查明的违法事实" in text and "T440100197001010011" in text
    assert "陈小明系向李建国购买伪造证件" in text
    assert "抄送：广州市人民检察院" in text
    assert case.number in text and referral.number in text
    # The attachments of 310号令 第6条, without the letter itself.
    attachments = text.split("附件：")[1].split("（印章）")[0]
    assert "1.涉嫌犯罪案件调查报告" in attachments and "证件真伪鉴定意见书" in attachments
    assert "移送书" not in attachments
    # Each rendering in full is recorded.
    assert IdNumberView.objects.filter(user__username="guangzhou.police", case=case, via="pdf").count() == before + 1


def test_a_supervisor_prints_the_letter_with_masked_numbers(api, two_suspects):
    case, seller, holder = two_suspects
    referral = sent(case, [seller], kind="criminal")
    text = pdf_text(api("guangzhou.supervisor").get(f"/api/v1/referrals/{referral.pk}/letter.pdf").content)
    assert seller.id_number not in text and seller.id_masked in text


def test_the_font_is_embedded(api):
    case, person = referable_case()
    referral = sent(case, [person])
    body = api("guangzhou.police").get(f"/api/v1/referrals/{referral.pk}/letter.pdf").content
    assert b"/FontFile2" in body and b"WenQuanYiMicroHei" in body
    assert b"STSong-Light" not in body  # no longer a font the reader's machine must have


def test_a_public_security_matter_goes_with_a_transfer_letter_not_as_a_crime(api):
    case, person = referable_case(kind="forged_certificate", name="黄大力")
    referral = sent(case, [person])
    assert referral.kind == "public_security"
    text = pdf_text(api("guangzhou.police").get(f"/api/v1/referrals/{referral.pk}/letter.pdf").content)
    assert "案件移送函" in text and "涉嫌犯罪案件移送书" not in text
    assert "依法处理" in text and person.id_number in text and "第52条第(二)项" in text


LONG_PARTY = "广东省广州市番禺区" + "某某特种设备安装维修与建筑劳务分包" * 6 + "有限责任公司"
LONG_PERSON = "阿卜杜热西提·买买提艾力" * 4


def test_long_names_wrap_inside_the_page_and_no_number_is_broken(api):
    """Whatever the length of a name, every line stays inside the margins (no overprinting) and the
    case number, the letter's number and each ID number stand whole on one line."""
    code = make_credit_code("440100", 991)
    case = CaseFactory(status="open", party={"kind": "intermediary", "name": LONG_PARTY, "credit_code": code})
    person = add_person(case, name=LONG_PERSON[:100])
    actions.record_finding(case, actor=U("guangzhou.officer1"), kind="certificate_trading", person=person.pk)
    actions.record_finding(case, actor=U("guangzhou.officer1"), kind="illegal_intermediary")
    referral = referrals.propose_referral(
        case, actor=U("guangzhou.officer1"), persons=[person.pk], report="出售伪造证件。" * 40, include_party=True
    )
    referral = referrals.transmit(
        referrals.approve(referral, actor=U("guangzhou.head")), actor=U("guangzhou.officer1"), documents=PACKAGE
    )
    referrals.acknowledge(referral, actor=U("guangzhou.police"))
    for paper in ("letter", "receipt"):
        body = api("guangzhou.officer1").get(f"/api/v1/referrals/{referral.pk}/{paper}.pdf").content
        lines = list(text_lines(body))
        assert lines, paper
        for text, x0, x1, width in lines:
            assert x0 >= MARGIN - 1 and x1 <= width - MARGIN + 1, (paper, text, x0, x1)
        joined = [t.replace(" ", "") for t, *_ in lines]
        # 禁则: no line opens with a closing mark or ends with an opening one; no date or count is cut.
        for before, after in zip(joined, joined[1:], strict=False):
            assert after[0] not in NOT_AT_LINE_START, (paper, before, after)
            assert before[-1] not in NOT_AT_LINE_END, (paper, before, after)
            assert not (before[-1].isdigit() and after[0] in "年月日时分号份人"), (paper, before, after)
        assert any(referral.number in t for t in joined), paper
        if paper == "letter":
            assert any(case.number in t for t in joined)
            assert any(person.id_number in t for t in joined)
            assert any(code in t for t in joined)
    assert A4[0] > 2 * MARGIN


def test_the_papers_exist_once_their_fact_does(api):
    case, person = referable_case()
    referral = sent(case, [person])
    police = api("guangzhou.police")
    for paper in ("receipt", "supplement_notice", "rejection_notice", "forward_notice", "decline_notice"):
        r = police.get(f"/api/v1/referrals/{referral.pk}/{paper}.pdf")
        assert r.status_code == 409 and r.json()["code"] == "invalid_transition", paper
    assert api("shenzhen.police").get(f"/api/v1/referrals/{referral.pk}/letter.pdf").status_code == 404
    assert api().get(f"/api/v1/referrals/{referral.pk}/letter.pdf").status_code == 401
    referral = referrals.acknowledge(referral, actor=U("guangzhou.police"))
    assert police.get(f"/api/v1/referrals/{referral.pk}/receipt.pdf").status_code == 200
    referrals.reject(referral, actor=U("guangzhou.police_head"), reason="证据不足")
    text = pdf_text(police.get(f"/api/v1/referrals/{referral.pk}/rejection_notice.pdf").content)
    assert re.search(r"3日内提请本机关复议", text) and "证据不足" in text


@pytest.mark.parametrize("width", [60, 100, 150, 200, 420])
def test_chinese_lines_break_by_the_rules_and_lose_nothing(width):
    from core.pdf import FONT

    text = (
        "你单位于2026年12月3日移送的涉嫌犯罪案件（移送书编号：440100-2026-00003-R01），请依法审查，"
        "立案编号：穗公刑立字〔2026〕1234号。“假冒网站”http://fake.example.com/path/to/page，涉案材料5份。"
    )
    lines = break_lines(text, FONT, 12, width)
    assert "".join(lines) == text.replace(" ", "")
    for before, after in zip(lines, lines[1:], strict=False):
        # A mark may open a line only after a number that filled the line before it.
        assert after[0] not in NOT_AT_LINE_START or before[-1].isascii(), (before, after)
        assert before[-1] not in NOT_AT_LINE_END, (before, after)
    if width >= 150:  # wide enough for each number: none is cut
        for number in ("440100-2026-00003-R01", "2026年12月3日", "〔2026〕1234号"):
            assert any(number in line for line in lines), (number, lines)
