"""The papers of the penalty procedure as PDF (行政处罚法 2021, LEGAL.md §3), in the house style:

- 行政处罚事先告知书 (第44条): the facts, the basis, the penalty intended, and the party's rights —
  to state its case (第45条) and, where 第63条 gives it, to ask for a hearing within 5 working days;
- 听证通知书 (第64条): the time and place, the presiding officer, the right to ask for recusal;
- 行政处罚决定书 (第59条): the party, the facts and the evidence, what the party said and whether it
  was heard, the basis, the penalty, how and by when to pay (第67条, 第72条), and the remedies;
- 送达回证 (第61条) of the notice and of the decision, with the day and the manner of service.

Each carries its formal number (穗应急罚告〔2018〕3号, 穗应急罚〔2018〕101号). Who sees ID numbers in
full is decided by the caller (cases.access.identities_shown), as for the referral's papers.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from cases.access import Identities
from cases.kinds import HEARING_NOTICE_WORKING_DAYS, PENALTY_PAPER_TITLES, STATEMENT_PERIOD
from cases.models import Penalty
from core.calendar import legal_time
from core.identity import mask_id_number
from core.pdf import BODY, PLAIN, RIGHT, TITLE

from .documents import WIDTH, Cell, build, cn_date, grid, para, signer
from .penalties import PRIVATE_HEARING, addressee_of

CN_NUMBERS = "〇一二三四五六七八九十"


def _day(day: datetime.date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else "____年__月__日"


def _cn(n: int) -> str:
    return CN_NUMBERS[n] if n <= 10 else str(n)


def _party(penalty: Penalty, paper: str) -> dict[str, str]:
    """The party or person as the paper named it when it was served (a later correction never
    rewrites a served paper), or as the records read now before that."""
    served: dict[str, str] = (penalty.as_served or {}).get(paper, {})
    return served or addressee_of(penalty)


def _addressee(penalty: Penalty, paper: str = "notice") -> str:
    return _party(penalty, paper)["name"]


def _you(penalty: Penalty) -> str:
    organisation = penalty.person is None and penalty.case.party_kind != "individual"
    return "你单位" if organisation else "你"


def _identity(penalty: Penalty, shown: Identities, paper: str) -> list[str]:
    """The lines naming the party (第59条第一项): its identity number, address and representative."""
    party = _party(penalty, paper)
    lines = []
    if penalty.person is not None:
        number = party.get("id_number", "")
        full = "*" not in shown.of(penalty.person)
        lines.append(f"{party.get('id_label', '身份证件')}号码：{number if full else mask_id_number(number)}")
    else:
        if party.get("credit_code"):
            lines.append(f"统一社会信用代码：{party['credit_code']}")
        elif party.get("id_number"):
            full = "*" not in shown.of_party(penalty.case)
            number = party["id_number"]
            lines.append(f"身份证件号码：{number if full else mask_id_number(number)}")
        if party.get("representative"):
            lines.append(f"法定代表人（负责人）：{party['representative']}")
        if party.get("address"):
            lines.append(f"地址：{party['address']}")
    return lines


def intended(penalty: Penalty) -> str:
    """The penalty in words: 警告、罚款人民币贰万元整 … as the papers state it."""
    parts = []
    if penalty.warning:
        parts.append("警告")
    if penalty.amount is not None:
        parts.append(f"罚款人民币{penalty.amount:,.2f}元")
    if penalty.suspension:
        starts = penalty.suspension_order.starts_on if penalty.suspension_order else penalty.suspension_starts_on
        parts.append(f"责令停产停业整顿（自{_day(starts)}起）")
    return "、".join(parts)


def _basis(penalty: Penalty) -> str:
    basis = penalty.legal_basis
    assert basis is not None  # every penalty has its basis (行政处罚法 第38条)
    return basis.citation or basis.title


def _violated(penalty: Penalty) -> str:
    basis = penalty.legal_basis
    if basis is not None and basis.violated:
        return f"违反了{basis.violated}的规定"
    return "违反了安全生产法律、法规、规章的有关规定"


def _when(penalty: Penalty) -> str:
    if penalty.violation_date_stated:
        return f"违法行为发生于{_day(penalty.violation_date)}"
    return f"于{_day(penalty.violation_date)}检查发现"


def _contact(penalty: Penalty) -> str:
    handlers = "、".join(signer(u) for u in penalty.case.handlers.all().order_by("username"))
    return f"承办人员：{handlers}" if handlers else ""


def _head(penalty: Penalty, title: str, number: str) -> list[Flowable]:
    return [para(penalty.case.agency.name, TITLE), para(title, TITLE), para(number or "（未编号）", RIGHT)]


def _seal(penalty: Penalty, day: datetime.date | None) -> list[Flowable]:
    return [Spacer(1, 10 * mm), para(f"{penalty.case.agency.name}（印章）", RIGHT), para(_day(day), RIGHT)]


def advance_notice(penalty: Penalty, shown: Identities) -> bytes:
    """行政处罚事先告知书 (第44条): the facts, the reasons and basis, the penalty intended, the rights."""
    you = _you(penalty)
    flow = _head(penalty, "行政处罚事先告知书", penalty.notice_number)
    flow.append(para(f"{_addressee(penalty, 'notice')}：", PLAIN))
    days = _cn(STATEMENT_PERIOD.amount)
    body = [
        f"经查：{shown.data(penalty.facts)}（{_when(penalty)}，案件编号：{penalty.case.number}）。",
        f"上述行为{_violated(penalty)}。依据{_basis(penalty)}的规定，本机关拟对{you}作出{intended(penalty)}的行政处罚。",
        f"根据《中华人民共和国行政处罚法》第四十四条、第四十五条的规定，{you}有权进行陈述和申辩。"
        f"{you}可在收到本告知书之日起{days}个工作日内向本机关提出陈述、申辩；逾期未提出的，视为放弃此权利。",
    ]
    if penalty.hearing_right:
        body.append(
            f"根据《中华人民共和国行政处罚法》第六十三条、第六十四条的规定，{you}有权要求举行听证。"
            f"{you}要求听证的，应当在收到本告知书之日起五个工作日内向本机关提出；逾期未提出的，视为放弃听证。"
        )
    body.append("本机关不因当事人陈述、申辩而给予更重的处罚。")
    flow += [para(text, BODY) for text in body]
    contact = _contact(penalty)
    if contact:
        flow.append(para(contact, PLAIN))
    return build(flow + _seal(penalty, penalty.notice_served_on))


def hearing_notice(penalty: Penalty, shown: Identities) -> bytes:
    """听证通知书 (第64条)."""
    you = _you(penalty)
    at = legal_time(penalty.hearing_at, chinese=True) if penalty.hearing_at else "____年__月__日__时"
    flow = _head(penalty, "听证通知书", penalty.hearing_notice_number)
    flow.append(para(f"{_addressee(penalty, 'notice')}：", PLAIN))
    public = (
        "本次听证公开举行。"
        if penalty.hearing_public
        else f"本次听证因涉及{PRIVATE_HEARING.get(penalty.hearing_private_reason, '')}依法不公开举行。"
    )
    body = [
        f"根据{you}于{_day(penalty.hearing_requested_on)}提出的听证要求，本机关决定就拟对{you}作出"
        f"{intended(penalty)}的行政处罚（{penalty.notice_number}）举行听证。",
        f"听证时间：{at}；听证地点：{penalty.hearing_place}；听证主持人：{signer(penalty.hearing_officer)}。{public}",
        f"{you}可以亲自参加听证，也可以委托一至二人代理；委托代理人参加的，应当提交授权委托书。"
        f"{you}认为主持人与本案有直接利害关系的，有权申请回避。无正当理由拒不出席听证或者未经许可中途退出听证的，"
        "视为放弃听证权利（《中华人民共和国行政处罚法》第六十四条）。",
        f"本通知于举行听证{_cn(HEARING_NOTICE_WORKING_DAYS)}个工作日前送达。",
    ]
    flow += [para(text, BODY) for text in body]
    return build(flow + _seal(penalty, penalty.hearing_notified_on))


def _heard(penalty: Penalty, you: str) -> str:
    """What the party said, as the decision states it (第59条第二项 by way of 第45条)."""
    parts = []
    statements = list(penalty.statements.all())
    for st in statements:
        waived = "，".join(
            name for name, on in (("不再补充陈述、申辩", st.waives), ("放弃听证", st.waives_hearing)) if on
        )
        line = f"{you}于{_day(st.stated_on)}提出书面意见：“{st.text}”"
        parts.append(line + (f"，并表示{waived}。" if waived else "。"))
    if statements and penalty.decision_note:
        parts.append(f"对{you}的陈述、申辩，本机关复核认为：{penalty.decision_note}")
    if not parts:
        parts.append(
            f"本机关于{_day(penalty.notice_served_on)}送达{penalty.notice_number}，{you}在规定期限内未提出陈述、申辩。"
        )
    if penalty.heard_at is not None:
        parts.append(f"本机关于{cn_date(penalty.heard_at)}依法举行了听证。")
    return "".join(parts)


def _correction_order(penalty: Penalty, you: str) -> str:
    """行政处罚法 第28条: with the penalty, the party is ordered to correct the act."""
    orders = sorted(penalty.case.rectifications.all(), key=lambda r: r.issued_at)
    if orders:
        first = orders[0]
        return (
            f"本机关已于{_day(timezone.localdate(first.issued_at))}责令{you}限期改正（期限至{_day(first.deadline)}）；"
            f"{you}应当依法改正上述违法行为（《中华人民共和国行政处罚法》第二十八条）。"
        )
    return f"本机关责令{you}立即改正上述违法行为（《中华人民共和国行政处罚法》第二十八条）。"


def review_body(penalty: Penalty) -> str:
    """Where the party asks for 行政复议: the people's government of the agency's own level
    (行政复议法 2023 第24条)."""
    return f"{penalty.case.agency.region.name}人民政府"


def decision(penalty: Penalty, shown: Identities) -> bytes:
    """行政处罚决定书 (第59条): the party; the facts and the evidence; what it said; the provision
    violated and the basis; the penalty and how to carry it out; the remedies; the agency and date."""
    you = _you(penalty)
    case = penalty.case
    flow = _head(penalty, "行政处罚决定书", penalty.decision_number)
    flow.append(para(f"当事人：{_addressee(penalty, 'decision')}", PLAIN))
    flow += [para(line, PLAIN) for line in _identity(penalty, shown, "decision")]
    # The facts as found and the evidence on file (nothing the case does not hold).
    findings = [f for f in case.findings.all() if penalty.finding_id in (None, f.pk)]
    evidence = "；".join(
        [
            f"{f.get_kind_display()}"
            + (f"（证书编号{shown.certificate(f.certificate_number, f.person_id)}）" if f.certificate_number else "")
            for f in findings
        ]
        + [f"《{e.name}》" for e in case.evidence.all()]
    )
    body = [
        f"经查：{shown.data(penalty.facts)}（{_when(penalty)}，案件编号：{case.number}）。",
        f"以上事实有下列查明事项和证据证明：{evidence or '见案卷'}。",
        _heard(penalty, you),
        f"{you}的上述行为{_violated(penalty)}。依据{_basis(penalty)}的规定，本机关决定对{you}作出如下行政处罚：{intended(penalty)}。",
    ]
    if penalty.mitigation:
        body.append(f"依据《中华人民共和国行政处罚法》第三十二条的规定，{penalty.mitigation}，依法减轻处罚。")
    if penalty.decision_note and not penalty.statements.exists():
        body.append(f"理由说明：{penalty.decision_note}")
    body.append(_correction_order(penalty, you))
    if penalty.suspension:
        body.append(
            f"{you}应当在停产停业整顿期间消除违法行为，整改完毕后向本机关提出复查申请，经本机关复查合格后方可恢复生产经营。"
        )
    if penalty.amount is not None:
        where = case.agency.payment_instructions or "缴至本机关指定的银行或者通过电子支付系统缴纳"
        body.append(
            f"{you}应当自收到本决定书之日起十五日内缴纳罚款（{where}）。"
            "到期不缴纳罚款的，本机关每日按罚款数额的百分之三加处罚款，加处罚款的数额不超出罚款的数额"
            "（《中华人民共和国行政处罚法》第六十七条、第七十二条）。"
        )
    body.append(
        f"{you}如不服本处罚决定，可以在收到本决定书之日起六十日内向{review_body(penalty)}申请行政复议，或者在六个月内"
        "依法向人民法院提起行政诉讼。行政复议或者行政诉讼期间，本决定不停止执行。逾期不申请行政复议、不提起行政诉讼"
        "又不履行的，本机关将依法申请人民法院强制执行。"
    )
    flow += [para(text, BODY) for text in body]
    decided = timezone.localdate(penalty.decided_at) if penalty.decided_at else None
    return build(flow + _seal(penalty, decided))


_METHODS = {
    "in_person": "直接送达",
    "left": "留置送达",
    "post": "邮寄送达",
    "electronic": "电子送达",
    "entrusted": "委托送达",
    "public_notice": "公告送达",
}


def _receipt(penalty: Penalty, paper: str, number: str, served: datetime.date | None, method: str, named: str) -> bytes:
    party = _party(penalty, named)
    rows: list[list[Cell]] = [
        ["送达文书名称及文号", f"{paper}（{number}）"],
        ["受送达人", party["name"]],
        ["送达地点", party.get("address", "")],
        ["送达方式", _METHODS.get(method, "")],
        ["送达日期", _day(served)],
        ["受送达人签名或盖章", ""],
        ["送达人", "、".join(signer(u) for u in penalty.case.handlers.all().order_by("username"))],
        ["备注", "（留置送达的，注明见证人及情况；邮寄送达的，附回执）"],
    ]
    flow = [
        para(penalty.case.agency.name, TITLE),
        para("送达回证", TITLE),
        para(f"案件编号：{penalty.case.number}", RIGHT),
        grid(rows, [WIDTH * 0.3, WIDTH * 0.7]),
    ]
    return build(flow + _seal(penalty, served))


def notice_receipt(penalty: Penalty, shown: Identities) -> bytes:
    return _receipt(
        penalty, "行政处罚事先告知书", penalty.notice_number, penalty.notice_served_on, penalty.notice_method, "notice"
    )


def hearing_notice_receipt(penalty: Penalty, shown: Identities) -> bytes:
    return _receipt(penalty, "听证通知书", penalty.hearing_notice_number, penalty.hearing_notified_on, "", "notice")


def decision_receipt(penalty: Penalty, shown: Identities) -> bytes:
    return _receipt(
        penalty,
        "行政处罚决定书",
        penalty.decision_number,
        penalty.decision_served_on,
        penalty.decision_method,
        "decision",
    )


@dataclass(frozen=True)
class PenaltyPaper:
    render: Callable[[Penalty, Identities], bytes]
    title: str
    names_party: bool = False  # prints the party's or the person's identity number


_DRAWN = {
    "notice": (advance_notice, False),
    "notice_receipt": (notice_receipt, False),
    "hearing_notice": (hearing_notice, False),
    "hearing_notice_receipt": (hearing_notice_receipt, False),
    "decision": (decision, True),
    "decision_receipt": (decision_receipt, False),
}
PENALTY_PAPERS: dict[str, PenaltyPaper] = {
    name: PenaltyPaper(render, PENALTY_PAPER_TITLES[name], names_party)
    for name, (render, names_party) in _DRAWN.items()
}
