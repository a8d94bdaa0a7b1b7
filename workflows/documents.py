"""The 涉嫌犯罪案件移送书 and its 回执 as PDF (reportlab, built-in CJK font STSong-Light)."""

import io

from django.utils import timezone
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))

_TITLE = ParagraphStyle("title", fontName=FONT, fontSize=20, leading=28, alignment=1, spaceAfter=6 * mm)
_BODY = ParagraphStyle("body", fontName=FONT, fontSize=12, leading=22, firstLineIndent=24)
_PLAIN = ParagraphStyle("plain", fontName=FONT, fontSize=12, leading=22)
_RIGHT = ParagraphStyle("right", fontName=FONT, fontSize=12, leading=22, alignment=2)


def _esc(text: str) -> str:
    return (text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _date(value) -> str:
    return timezone.localtime(value).strftime("%Y年%m月%d日") if value else "____年__月__日"


def _build(flowables) -> bytes:
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=25 * mm, rightMargin=25 * mm, topMargin=25 * mm, bottomMargin=25 * mm
    )
    doc.build(flowables)
    return buffer.getvalue()


def _persons_table(referral):
    rows = [["姓名", "身份证号码", "涉案身份"]]
    for person in referral.persons.all():
        rows.append([person.name, person.id_masked, person.get_role_display()])
    if referral.includes_party:
        rows.append([referral.case.party_name, referral.case.party_credit_code or "—", "当事人"])
    table = Table(rows, colWidths=[40 * mm, 70 * mm, 50 * mm])
    table.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), FONT, 11), ("GRID", (0, 0), (-1, -1), 0.5, "#333333")]))
    return table


def transfer_letter(referral) -> bytes:
    """涉嫌犯罪案件移送书 (国务院令第310号第六条)."""
    case = referral.case
    flow = [
        Paragraph(_esc(referral.referring_agency.name), _TITLE),
        Paragraph("涉嫌犯罪案件移送书", _TITLE),
        Paragraph(f"编号：{_esc(referral.number)}", _RIGHT),
        Paragraph(f"{_esc(referral.police_agency.name)}：", _PLAIN),
        Paragraph(
            f"本机关在查处{_esc(case.party_name)}一案（案件编号 {_esc(case.number)}）中，发现下列人员涉嫌犯罪，"
            "依据《行政执法机关移送涉嫌犯罪案件的规定》（国务院令第310号）之规定，现将该案移送你局。",
            _BODY,
        ),
        Spacer(1, 4 * mm),
        _persons_table(referral),
        Spacer(1, 4 * mm),
        Paragraph(f"案情：{_esc(referral.report)}", _BODY),
        Paragraph("附件：", _PLAIN),
    ]
    flow += [Paragraph(f"{i}. {_esc(d.title)}", _PLAIN) for i, d in enumerate(referral.documents.all(), 1)]
    flow += [
        Spacer(1, 12 * mm),
        Paragraph(f"{_esc(referral.referring_agency.name)}（印章）", _RIGHT),
        Paragraph(_date(referral.transmitted_at or referral.updated_at), _RIGHT),
        Paragraph("抄送：同级人民检察院", _PLAIN),
    ]
    return _build(flow)


def receipt(referral) -> bytes:
    """涉嫌犯罪案件移送回执: signed by the police on receipt."""
    flow = [
        Paragraph(_esc(referral.police_agency.name), _TITLE),
        Paragraph("涉嫌犯罪案件移送回执", _TITLE),
        Paragraph(f"{_esc(referral.referring_agency.name)}：", _PLAIN),
        Paragraph(
            f"你单位于{_date(referral.transmitted_at)}移送的涉嫌犯罪案件（移送书编号 {_esc(referral.number)}）"
            f"及有关材料{referral.documents.count()}份，本机关已于{_date(referral.received_at)}收到。",
            _BODY,
        ),
        Spacer(1, 12 * mm),
        Paragraph(f"{_esc(referral.police_agency.name)}（印章）", _RIGHT),
        Paragraph(_date(referral.received_at), _RIGHT),
    ]
    return _build(flow)
