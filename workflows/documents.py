"""The papers of the referral road as PDF (LEGAL.md §2), in the house style of core.pdf:

- 涉嫌犯罪案件移送书 (criminal, 国务院令第310号 第6条) or 案件移送函 (治安), with the suspects' full
  names and ID numbers, the suspected offence and its article per person, the attachments of 第6条
  (the letter does not list itself) and, for a crime, the 抄送 to the same-level procuratorate;
- the 回执 with the time of receipt and the signer (第7条);
- the police's notices to the agency: 补充材料通知书 (程序规定 第180条), 立案通知书 and 不予立案通知书
  (第8条; for 治安: 受理通知书, 不予受理告知书, 案件处理结果告知书), 复议决定书 (第9条), the 转送告知书
  of a forward (第7条) and the notice that the matter is not police business (第180条);
- 立案监督 (刑事诉讼法 第113条; 程序规定 第182条): the procuratorate's 要求说明不立案理由通知书 and
  通知立案书, and the police's 不立案理由说明书.

Who sees ID numbers in full is decided by the caller (cases.access.identities_shown); every
number in a table cell or a line wraps as a whole and never runs over its column.
"""

import datetime
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from agencies.jurisdiction import same_city_agency
from agencies.models import Agency
from cases.access import Identities
from cases.kinds import FINDING_RULES, Offence
from cases.models import Person, Referral, ReferralDocument
from core.pdf import BODY, CELL, FONT, PLAIN, RIGHT, TITLE, Text

from .models import ReferralFile, ReferralRecord

MARGIN = 25 * mm
WIDTH = A4[0] - 2 * MARGIN


def cn_date(value: datetime.datetime | None) -> str:
    if value is None:
        return "____年__月__日"
    local = timezone.localtime(value)
    return f"{local.year}年{local.month}月{local.day}日"


def cn_time(value: datetime.datetime | None) -> str:
    if value is None:
        return "____年__月__日__时__分"
    local = timezone.localtime(value)
    return f"{local.year}年{local.month}月{local.day}日{local.hour}时{local.minute:02d}分"


def para(text: str, style=PLAIN) -> Paragraph:  # type: ignore[no-untyped-def]
    return Text(text, style)


def build(flowables: list[Flowable]) -> bytes:
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN, bottomMargin=MARGIN
    )
    doc.build(flowables)
    return buffer.getvalue()


Cell = str | tuple[str, ...]  # a cell's text, or its lines


def _cell(cell: Cell) -> Paragraph:
    lines = (cell,) if isinstance(cell, str) else cell
    return Text("\n".join(lines), CELL)


def grid(rows: list[list[Cell]], widths: list[float]) -> Table:
    """A ruled table whose every cell is a wrapping paragraph (no text runs over its cell)."""
    table = Table([[_cell(cell) for cell in row] for row in rows], colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 10.5),
                ("GRID", (0, 0), (-1, -1), 0.5, "#333333"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, 0), "#eeeeee"),
            ]
        )
    )
    return table


def offences_of(referral: Referral, person: Person | None) -> list[Offence]:
    """The suspected offences of a person (None: the party) by their referable findings, as the
    referral's kind names them."""
    seen: list[Offence] = []
    for finding in referral.case.findings.all():
        offence = FINDING_RULES[finding.kind].offence_for(referral.kind)
        if offence and finding.person_id == (person.pk if person else None) and offence not in seen:
            seen.append(offence)
    return seen


def _facts(referral: Referral, shown: Identities) -> list[str]:
    """Each referred subject's findings as recorded: what, the certificate, the officer's note."""
    subjects = {p.pk: p.name for p in referral.persons.all()}
    lines = []
    for finding in referral.case.findings.all():
        if not FINDING_RULES[finding.kind].referable:
            continue
        if finding.person_id in subjects or (finding.person_id is None and referral.includes_party):
            who = subjects.get(finding.person_id or 0, referral.case.party_name)
            detail = "".join(
                [
                    f"（证书编号 {shown.certificate(finding.certificate_number, finding.person_id)}）"
                    if finding.certificate_number
                    else "",
                    f"：{finding.note}" if finding.note else "",
                ]
            )
            lines.append(f"{who}：{finding.get_kind_display()}{detail}")
    return lines


def prior_penalties(referral: Referral) -> list[str]:
    """The administrative penalties decided on the referred subjects before the referral left
    (310号令 第11条): warnings and 停产停业 go on; a fine paid is offset against a criminal fine
    (依法折抵相应罚金). As of the transmission, so the letter stays as it was sent."""
    case = referral.case
    until = timezone.localdate(referral.transmitted_at) if referral.transmitted_at else timezone.localdate()
    subjects = {p.pk: p.name for p in referral.persons.all()}
    lines = []
    for fine in case.fines.all().order_by("decided_on", "pk"):
        if fine.decided_on > until or not (
            fine.person_id in subjects or (fine.person_id is None and referral.includes_party)
        ):
            continue
        who = subjects.get(fine.person_id or 0, case.party_name)
        paid = (
            f"，已于{fine.paid_on.year}年{fine.paid_on.month}月{fine.paid_on.day}日缴纳{fine.paid_amount:,.2f}元，"
            "人民法院判处罚金时依法折抵相应罚金"
            if fine.paid_on and fine.paid_on <= until and fine.paid_amount
            else "，尚未缴纳"
        )
        number = f"（{fine.decision_number}）" if fine.decision_number else ""
        warning = "警告、" if fine.warning else ""
        lines.append(f"{who}：{warning}罚款人民币{fine.amount:,.2f}元{number}{paid}")
    if referral.includes_party:
        for order in case.suspensions.all().order_by("starts_on", "pk"):
            if order.starts_on <= until:
                lines.append(
                    f"{case.party_name}：责令停产停业整顿（自{order.starts_on.year}年{order.starts_on.month}月{order.starts_on.day}日起），不停止执行"
                )
    return lines


def _subjects_table(referral: Referral, shown: Identities) -> Table:
    case = referral.case
    # An identity number stands on a line of its own, in a column wide enough for 18 characters.
    rows: list[list[Cell]] = [["姓名/名称", "证件类型及号码", "涉案身份", "涉嫌违法犯罪事实", "法律依据"]]
    for person in referral.persons.all():
        offences = offences_of(referral, person)
        rows.append(
            [
                person.name,
                (person.id_label, shown.of(person)),
                str(person.get_role_display()),
                "；".join(o.name for o in offences) or "—",
                "；".join(o.article for o in offences) or "—",
            ]
        )
    if referral.includes_party:
        offences = offences_of(referral, None)
        identity: Cell = (
            ("统一社会信用代码", case.party_credit_code)
            if case.party_credit_code
            else (("居民身份证", shown.of_party(case)) if case.party_id_number else (case.party_url or "—"))
        )
        rows.append(
            [
                case.party_name,
                identity,
                "当事人",
                "；".join(o.name for o in offences) or "—",
                "；".join(o.article for o in offences) or "—",
            ]
        )
    return grid(rows, [24 * mm, 44 * mm, 18 * mm, 38 * mm, WIDTH - 124 * mm])


def addressee(referral: Referral) -> Agency:
    """The police the 移送书 was addressed to: the first, also after a forward."""
    return referral.forwarded_from or referral.police_agency


def same_level_procuratorate(referral: Referral, police: Agency | None = None) -> Agency | None:
    """The procuratorate of the police agency's level, copied on the 移送书 (应急〔2019〕54号 第8条)."""
    return same_city_agency((police or referral.police_agency).region, Agency.Kind.PROCURATORATE)


def attachments(referral: Referral, until: datetime.datetime | None = None) -> list[str]:
    """The package of 310号令 第6条 as it stood at `until` (the transmission by default): every
    document but the letter itself. Materials supplemented later (补正) are not rewritten into
    the letter or into a receipt signed before them."""
    until = until or referral.transmitted_at
    return [
        _attachment(d)
        for d in referral.documents.all()
        if d.kind != ReferralDocument.Kind.TRANSFER_LETTER and (until is None or d.added_at <= until)
    ]


def _attachment(document: ReferralDocument) -> str:
    """A document named; a file sent as a document by what it stands for, then its file's name."""
    try:
        evidence = document.file.evidence
    except ReferralFile.DoesNotExist:
        return document.title
    return f"{ReferralDocument.Kind(document.kind).label}：{document.title}（{evidence.size // 1024 or 1} KB）"


def _record(referral: Referral) -> ReferralRecord | None:
    try:
        return referral.record
    except ReferralRecord.DoesNotExist:
        return None


def cn_day(value: datetime.date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def _paper_name(referral: Referral) -> str:
    return "移送书" if referral.criminal else "移送函"


def _subjects_count(referral: Referral) -> str:
    persons = f"涉案人员{referral.persons.count()}人"
    return persons + ("、单位1个" if referral.includes_party else "")


def transfer_letter(referral: Referral, shown: Identities) -> bytes:
    """涉嫌犯罪案件移送书 (国务院令第310号 第6条), or the 案件移送函 of a public-security matter,
    addressed to the police it was first sent to."""
    case = referral.case
    criminal = referral.criminal
    police = addressee(referral)
    flow: list[Flowable] = [
        para(referral.referring_agency.name, TITLE),
        para("涉嫌犯罪案件移送书" if criminal else "案件移送函", TITLE),
        para(f"编号：{referral.number}", RIGHT),
        para(f"{police.name}："),
    ]
    if criminal:
        body = (
            f"本机关在查处{case.party_name}一案（案件编号：{case.number}）中，发现下列人员涉嫌犯罪。"
            "依据《行政执法机关移送涉嫌犯罪案件的规定》（国务院令第310号）第三条、第六条的规定，现将该案移送你局，"
            "请依法审查，自接受移送之日起3日内作出立案或者不予立案的决定，并书面告知本机关（第八条）。"
        )
    else:
        body = (
            f"本机关在查处{case.party_name}一案（案件编号：{case.number}）中，发现下列人员有应当由公安机关依法处理的"
            "违反治安管理行为。现将该案移送你局依法处理，请在受理后将处理结果书面告知本机关。"
        )
    flow += [para(body, BODY), Spacer(1, 3 * mm), _subjects_table(referral, shown), Spacer(1, 3 * mm)]
    facts = _facts(referral, shown)
    if facts:
        flow.append(para("查明的违法事实：", PLAIN))
        flow += [para(f"{i}. {line}", BODY) for i, line in enumerate(facts, 1)]
    flow.append(para(f"案件情况：{referral.report}", BODY))
    prior = prior_penalties(referral) if criminal else []
    if prior:
        flow.append(para("移送前已作出的行政处罚（《行政执法机关移送涉嫌犯罪案件的规定》第十一条）：", PLAIN))
        flow += [para(f"{i}. {line}", BODY) for i, line in enumerate(prior, 1)]
    if referral.kind_reason:
        flow.append(para(f"移送方式说明：{referral.kind_reason}", BODY))
    flow.append(para("附件：" if criminal else "随附材料："))
    listed = attachments(referral)
    if listed:
        flow += [para(f"{i}. {title}") for i, title in enumerate(listed, 1)]
    else:
        flow.append(
            para("（移送时随附：涉嫌犯罪案件情况的调查报告；涉案物品清单；有关检验报告或者鉴定结论；其他有关材料）")
        )
    flow += [
        Spacer(1, 10 * mm),
        para(f"{referral.referring_agency.name}（印章）", RIGHT),
        para(cn_date(referral.transmitted_at), RIGHT),
    ]
    copy = same_level_procuratorate(referral, police) if criminal else None
    if copy is not None:
        flow += [Spacer(1, 6 * mm), para(f"抄送：{copy.name}")]
    return build(flow)


def signer(user: Any) -> str:
    return (user.get_full_name() or user.username) if user else "________"


def _receipt_page(referral: Referral, police: Agency, at: datetime.datetime | None, by: Any) -> list[Flowable]:
    kind = "涉嫌犯罪案件" if referral.criminal else "案件"
    return [
        para(police.name, TITLE),
        para(f"{kind}移送回执", TITLE),
        para(f"{referral.referring_agency.name}："),
        para(
            f"你单位于{cn_date(referral.transmitted_at)}移送的{kind}（{_paper_name(referral)}编号：{referral.number}，"
            f"{_subjects_count(referral)}）及所附材料{len(attachments(referral, at))}份，"
            f"本机关已于{cn_time(at)}收到。",
            BODY,
        ),
        Spacer(1, 4 * mm),
        para(f"签收人：{signer(by)}　　签收时间：{cn_time(at)}"),
        Spacer(1, 10 * mm),
        para(f"{police.name}（印章）", RIGHT),
        para(cn_date(at), RIGHT),
    ]


def receipt(referral: Referral, shown: Identities) -> bytes:
    """移送回执 (310号令 第7条): signed by the police on receipt, with the time and the signer; after
    a forward, the receipt of the police that forwarded it stays, on the first page."""
    flow: list[Flowable] = []
    if referral.forwarded_from is not None and referral.first_received_at is not None:
        flow += _receipt_page(referral, referral.forwarded_from, referral.first_received_at, referral.first_received_by)
        flow.append(PageBreak())
    if referral.received_at is not None:
        flow += _receipt_page(referral, referral.police_agency, referral.received_at, referral.received_by)
    return build(flow)


def _notice(
    referral: Referral,
    title: str,
    body: list[str],
    issued: datetime.datetime | None,
    *,
    by: Agency,
    to: Agency | None = None,
    suffix: str,
    copy: Agency | list[Agency | None] | None = None,
) -> bytes:
    """One written notice of the road: from `by` to `to` (the referring agency unless named)."""
    return build(_notice_flow(referral, title, body, issued, by=by, to=to, suffix=suffix, copy=copy))


def _notice_flow(
    referral: Referral,
    title: str,
    body: list[str],
    issued: datetime.datetime | None,
    *,
    by: Agency,
    to: Agency | None = None,
    suffix: str,
    copy: Agency | list[Agency | None] | None = None,
) -> list[Flowable]:
    flow: list[Flowable] = [
        para(by.name, TITLE),
        para(title, TITLE),
        para(f"编号：{referral.number}-{suffix}", RIGHT),
        para(f"{(to or referral.referring_agency).name}："),
    ]
    flow += [para(text, BODY) for text in body if text]
    flow += [Spacer(1, 10 * mm), para(f"{by.name}（印章）", RIGHT), para(cn_date(issued), RIGHT)]
    copies = [a for a in (copy if isinstance(copy, list) else [copy]) if a is not None]
    if copies:
        flow += [Spacer(1, 6 * mm), para("抄送：" + "、".join(dict.fromkeys(a.name for a in copies)))]
    return flow


def _sent(referral: Referral) -> str:
    kind = "涉嫌犯罪案件" if referral.criminal else "案件"
    return f"你单位于{cn_date(referral.transmitted_at)}移送的{kind}（{_paper_name(referral)}编号：{referral.number}）"


def supplement_notice(referral: Referral, shown: Identities) -> bytes:
    """补充材料通知书 (程序规定 第180条): within 24 hours of receipt; never a refusal. Every notice
    issued stays as issued, one a page, numbered 补正, 补正-2, … in the order of the requests."""
    requests = referral.case.events.filter(referral=referral, action="request_supplement").select_related("agency")
    flow: list[Flowable] = []
    for n, event in enumerate(requests.order_by("seq"), 1):
        if flow:
            flow.append(PageBreak())
        flow += _notice_flow(
            referral,
            "补充材料通知书",
            [
                f"{_sent(referral)}，本机关已于{cn_time(referral.received_at)}接受。经审查，移送材料不全。根据《公安机关办理"
                "刑事案件程序规定》第一百八十条的规定，请于收到本通知之日起3日内补充下列材料：",
                event.data.get("items", ""),
            ],
            event.at,
            by=event.agency or referral.police_agency,
            suffix="补正" if n == 1 else f"补正-{n}",
        )
    return build(flow)


def rejection_notice(referral: Referral, shown: Identities) -> bytes:
    """不予立案通知书 (310号令 第8条), or 不予受理 of a public-security matter, with its own reasons
    (a later reconsideration has its own decision); copied to the same-level procuratorate."""
    if referral.criminal:
        return _notice(
            referral,
            "不予立案通知书",
            [
                f"{_sent(referral)}，经审查，本机关决定不予立案。理由：{referral.rejection_reason}",
                "你单位如有异议，可以自接到本通知书之日起3日内提请本机关复议，也可以建议人民检察院依法进行立案监督"
                "（《行政执法机关移送涉嫌犯罪案件的规定》第九条）。",
            ],
            referral.rejected_at,
            by=referral.police_agency,
            suffix="不立",
            copy=same_level_procuratorate(referral),
        )
    return _notice(
        referral,
        "不予受理告知书",
        [f"{_sent(referral)}，经审查，本机关不予受理。理由：{referral.rejection_reason}"],
        referral.rejected_at,
        by=referral.police_agency,
        suffix="不受",
    )


def acceptance_notice(referral: Referral, shown: Identities) -> bytes:
    """立案通知书 (310号令 第8条: written notice of the filing), or the 受理 of a 治安 matter; copied
    to the procuratorate that supervised it (程序规定 第182条) or to the same-level one."""
    if referral.criminal:
        after = (
            "依照人民检察院的立案通知，"
            if referral.filing_ordered_at
            else (
                "经人民检察院要求说明不立案理由，本机关认为原不立案理由不能成立，"
                if referral.explanation_requested_at
                else ""
            )
        )
        record = _record(referral)
        if record is not None and record.filed_on is not None:
            charge = f"以涉嫌{record.charge}" if record.charge else "决定"
            filed = f"本机关已于{cn_day(record.filed_on)}{charge}立案侦查"
        else:
            filed = "本机关已决定立案侦查"
        body = f"{_sent(referral)}，{after}{filed}，立案编号：{referral.police_case_number}。"
        body += "请你单位自接到本通知之日起3日内移交涉案物品和与案件有关的其他材料（国务院令第310号 第十二条）。"
        title, suffix = "立案通知书", "立案"
    else:
        record = _record(referral)
        day = f"于{cn_day(record.filed_on)}" if record is not None and record.filed_on is not None else ""
        cause = f"案由：{record.charge}，" if record is not None and record.charge else ""
        body = (
            f"{_sent(referral)}，本机关已{day}受理，{cause}受案编号：{referral.police_case_number}。"
            "处理结果将书面告知你单位。"
        )
        title, suffix = "受理通知书", "受理"
    # The same-level procuratorate (310号令 第8条; 应急〔2019〕54号) and the one that supervised it.
    copy = [same_level_procuratorate(referral) if referral.criminal else None, referral.procuratorate]
    return _notice(referral, title, [body], referral.accepted_at, by=referral.police_agency, suffix=suffix, copy=copy)


def reconsideration_decision(referral: Referral, shown: Identities) -> bytes:
    """复议决定书 (310号令 第9条; 程序规定 第181条)."""
    changed = referral.accepted_at is not None and referral.accepted_at == referral.reconsidered_at
    decision = (
        f"本机关经复议，决定撤销原不予立案决定，予以立案，立案编号：{referral.police_case_number}。"
        if changed
        else "本机关经复议，决定维持原不予立案决定。"
    )
    return _notice(
        referral,
        "复议决定书",
        [
            f"{_sent(referral)}，本机关于{cn_date(referral.rejected_at)}作出不予立案决定，你单位提请复议。{decision}",
            f"理由：{referral.reconsideration_reason}",
            ""
            if changed
            else "你单位对本复议决定仍有异议的，应当自收到本决定书之日起3日内建议人民检察院依法进行立案监督（国务院令第310号 第九条第二款）。",
        ],
        referral.reconsidered_at,
        by=referral.police_agency,
        suffix="复议",
        copy=same_level_procuratorate(referral),
    )


def explanation_request(referral: Referral, shown: Identities) -> bytes:
    """要求说明不立案理由通知书 (刑事诉讼法 第113条; 程序规定 第182条): to the police, 7 days."""
    assert referral.procuratorate is not None
    return _notice(
        referral,
        "要求说明不立案理由通知书",
        [
            f"{referral.referring_agency.name}移送的涉嫌犯罪案件（移送书编号：{referral.number}），你局决定不予立案。"
            "根据《中华人民共和国刑事诉讼法》第一百一十三条的规定，请你局在收到本通知书后七日以内，"
            "书面说明不立案的情况、依据和理由，回复本院。",
        ],
        referral.explanation_requested_at,
        by=referral.procuratorate,
        to=referral.police_agency,
        suffix="要求说明",
    )


def explanation(referral: Referral, shown: Identities) -> bytes:
    """不立案理由说明书: the police's written answer to the procuratorate (程序规定 第182条)."""
    assert referral.procuratorate is not None
    return _notice(
        referral,
        "不立案理由说明书",
        [
            f"{referral.referring_agency.name}移送的涉嫌犯罪案件（移送书编号：{referral.number}），本局不予立案的情况、"
            f"依据和理由如下：{referral.explanation}"
        ],
        referral.explained_at,
        by=referral.police_agency,
        to=referral.procuratorate,
        suffix="说明",
    )


def filing_order(referral: Referral, shown: Identities) -> bytes:
    """通知立案书 (刑事诉讼法 第113条): the police file within 15 days (程序规定 第182条)."""
    assert referral.procuratorate is not None
    return _notice(
        referral,
        "通知立案书",
        [
            f"{referral.referring_agency.name}移送的涉嫌犯罪案件（移送书编号：{referral.number}），你局不立案的理由"
            "不能成立。根据《中华人民共和国刑事诉讼法》第一百一十三条的规定，通知你局立案，并在收到本通知书后"
            "十五日以内立案，将立案决定书复印件送达本院。",
            f"理由：{referral.supervision_note}",
        ],
        referral.supervision_decided_at,
        by=referral.procuratorate,
        to=referral.police_agency,
        suffix="通知立案",
        copy=referral.referring_agency,
    )


def outcome_notice(referral: Referral, shown: Identities) -> bytes:
    """案件处理结果告知书: what the police decided on a public-security matter."""
    return _notice(
        referral,
        "案件处理结果告知书",
        [f"{_sent(referral)}，本机关已依法处理。处理结果：{referral.outcome}"],
        referral.outcome_at,
        by=referral.police_agency,
        suffix="结果",
    )


def forward_notice(referral: Referral, shown: Identities) -> bytes:
    """转送告知书 (310号令 第7条): the police not competent tell the agency in writing where it went."""
    previous = referral.forwarded_from
    assert previous is not None
    return _notice(
        referral,
        "移送案件转送告知书",
        [
            f"{_sent(referral)}，经审查不属于本机关管辖。根据《行政执法机关移送涉嫌犯罪案件的规定》第七条的规定，"
            f"本机关已于{cn_time(referral.forwarded_at)}将该案转送{referral.police_agency.name}。",
            f"理由：{referral.forward_reason}",
        ],
        referral.forwarded_at,
        by=previous,
        suffix="转送",
    )


def decline_notice(referral: Referral, shown: Identities) -> bytes:
    """Not police business (程序规定 第180条): the agency is told to hand it to the competent body."""
    target = f"请依法移送{referral.competent_body}处理。" if referral.competent_body else "请依法移送有关主管机关处理。"
    received = f"，本机关于{cn_time(referral.received_at)}接受" if referral.received_at else ""
    return _notice(
        referral,
        "不属于公安机关职责范围告知书",
        [
            f"{_sent(referral)}{received}。经审查，所涉事项不属于公安机关职责范围。根据《公安机关办理刑事案件程序规定》"
            f"第一百八十条的规定，{target}",
            f"理由：{referral.decline_reason}",
        ],
        referral.declined_at,
        by=referral.police_agency,
        suffix="不属职责",
    )


@dataclass(frozen=True)
class Paper:
    """One printable paper of a referral: how it is drawn, when it exists, and whether it names the
    subjects by their ID numbers (a rendering in full is then recorded)."""

    render: Callable[[Referral, Identities], bytes]
    exists: Callable[[Referral], bool]
    missing: Promise | str  # why it does not exist yet, for the 409
    title: Callable[[Referral], str]  # its official name, as printed on it
    names_subjects: bool = False


def _named(criminal: str, public_security: str = "") -> Callable[[Referral], str]:
    return lambda r: criminal if r.criminal or not public_security else public_security


PAPERS: dict[str, Paper] = {
    "letter": Paper(
        transfer_letter, lambda r: True, "", _named("涉嫌犯罪案件移送书", "案件移送函"), names_subjects=True
    ),
    "receipt": Paper(
        receipt,
        lambda r: r.received_at is not None or r.first_received_at is not None,
        _("The police have not signed the receipt yet."),
        _named("涉嫌犯罪案件移送回执", "案件移送回执"),
    ),
    "acceptance_notice": Paper(
        acceptance_notice,
        lambda r: r.accepted_at is not None,
        _("The police have not accepted the referral."),
        _named("立案通知书", "受理通知书"),
    ),
    "reconsideration_decision": Paper(
        reconsideration_decision,
        lambda r: r.reconsidered_at is not None,
        _("No reconsideration has been decided."),
        _named("复议决定书"),
    ),
    "explanation_request": Paper(
        explanation_request,
        lambda r: r.explanation_requested_at is not None,
        _("The procuratorate has not asked the police to explain."),
        _named("要求说明不立案理由通知书"),
    ),
    "explanation": Paper(
        explanation,
        lambda r: r.explained_at is not None,
        _("The police have not explained."),
        _named("不立案理由说明书"),
    ),
    "filing_order": Paper(
        filing_order,
        lambda r: r.filing_ordered_at is not None,
        _("The procuratorate has not ordered the filing."),
        _named("通知立案书"),
    ),
    "outcome_notice": Paper(
        outcome_notice,
        lambda r: r.outcome_at is not None,
        _("The police have not recorded the outcome."),
        _named("案件处理结果告知书"),
    ),
    "supplement_notice": Paper(
        supplement_notice,
        lambda r: r.supplement_requested_at is not None,
        _("The police have not asked for materials."),
        _named("补充材料通知书"),
    ),
    "rejection_notice": Paper(
        rejection_notice,
        lambda r: r.rejected_at is not None,
        _("The police have not rejected the referral."),
        _named("不予立案通知书", "不予受理告知书"),
    ),
    "forward_notice": Paper(
        forward_notice,
        lambda r: r.forwarded_from_id is not None,
        _("The referral has not been forwarded."),
        _named("移送案件转送告知书"),
    ),
    "decline_notice": Paper(
        decline_notice,
        lambda r: r.declined_at is not None,
        _("The police have not declined the referral."),
        _named("不属于公安机关职责范围告知书"),
    ),
}
