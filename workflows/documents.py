"""The 涉嫌犯罪案件移送书 and its 回执 as PDF (reportlab, built-in CJK font STSong-Light)."""

import datetime
import io

from django.utils import timezone
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from cases.models import Referral
from core.pdf import BODY, FONT, PLAIN, RIGHT, TITLE, escape


def _date(value: datetime.datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y年%m月%d日") if value else "____年__月__日"


def _build(flowables: list[Flowable]) -> bytes:
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=25 * mm, rightMargin=25 * mm, topMargin=25 * mm, bottomMargin=25 * mm
    )
    doc.build(flowables)
    return buffer.getvalue()


def _persons_table(referral: Referral) -> Table:
    rows: list[list[str]] = [["姓名", "身份证号码", "涉案身份"]]
    for person in referral.persons.all():
        rows.append([person.name, person.id_masked, person.get_role_display()])
    if referral.includes_party:
        rows.append([referral.case.party_name, referral.case.party_credit_code or "—", "当事人"])
    table = Table(rows, colWidths=[40 * mm, 70 * mm, 50 * mm])
    table.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), FONT, 11), ("GRID", (0, 0), (-1, -1), 0.5, "#333333")]))
    return table


def transfer_letter(referral: Referral) -> bytes:
    """涉嫌犯罪案件移送书 (国务院令第310号第六条)."""
    case = referral.case
    flow: list[Flowable] = [
        Paragraph(escape(referral.referring_agency.name), TITLE),
        Paragraph("涉嫌犯罪案件移送书", TITLE),
        Paragraph(f"编号：{escape(referral.number)}", RIGHT),
        Paragraph(f"{escape(referral.police_agency.name)}：", PLAIN),
        Paragraph(
            f"本机关在查处{escape(case.party_name)}一案（案件编号 {escape(case.number)}）中，发现下列人员涉嫌犯罪，"
            "依据《行政执法机关移送涉嫌犯罪案件的规定》（国务院令第310号）之规定，现将该案移送你局。",
            BODY,
        ),
        Spacer(1, 4 * mm),
        _persons_table(referral),
        Spacer(1, 4 * mm),
        Paragraph(f"案情：{escape(referral.report)}", BODY),
        Paragraph("附件：", PLAIN),
    ]
    flow += [Paragraph(f"{i}. {escape(d.title)}", PLAIN) for i, d in enumerate(referral.documents.all(), 1)]
    flow += [
        Spacer(1, 12 * mm),
        Paragraph(f"{escape(referral.referring_agency.name)}（印章）", RIGHT),
        Paragraph(_date(referral.transmitted_at or referral.updated_at), RIGHT),
        Paragraph("抄送：同级人民检察院", PLAIN),
    ]
    return _build(flow)


def receipt(referral: Referral) -> bytes:
    """涉嫌犯罪案件移送回执: signed by the police on receipt."""
    flow = [
        Paragraph(escape(referral.police_agency.name), TITLE),
        Paragraph("涉嫌犯罪案件移送回执", TITLE),
        Paragraph(f"{escape(referral.referring_agency.name)}：", PLAIN),
        Paragraph(
            f"你单位于{_date(referral.transmitted_at)}移送的涉嫌犯罪案件（移送书编号 {escape(referral.number)}）"
            f"及有关材料{referral.documents.count()}份，本机关已于{_date(referral.received_at)}收到。",
            BODY,
        ),
        Spacer(1, 12 * mm),
        Paragraph(f"{escape(referral.police_agency.name)}（印章）", RIGHT),
        Paragraph(_date(referral.received_at), RIGHT),
    ]
    return _build(flow)
