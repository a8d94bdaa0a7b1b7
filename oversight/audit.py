"""Audit: chain verification runs, who viewed audit pages, case timelines exported (with who was
shown full ID numbers), typical cases."""

import io

from django.utils import timezone, translation
from openpyxl import Workbook
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import SimpleDocTemplate, Table, TableStyle

from agencies import jurisdiction
from cases import titles
from cases.access import Identities
from cases.events import Digest, compare_digest, verify_case_chain
from cases.kinds import PartyKind
from cases.models import Case
from core.identity import pseudonym, redact
from core.pdf import SMALL, TITLE, Text
from core.xlsx import safe_row

from .models import AuditRun, AuditView


def verify_all(case_number: str | None = None, kept: Digest | None = None) -> AuditRun:
    """Walk every chain (or one case's); then, given a digest kept off the system, compare the
    chains' heads up to its day with it, which catches a cut tail the chains alone cannot show."""
    started = timezone.now()
    cases = Case.objects.order_by("id").only("id", "number", "event_count", "last_event_hash")
    if case_number:
        cases = cases.filter(number=case_number)
    checked = events = 0
    broken = None
    for case in cases.iterator(chunk_size=1000):
        broken = verify_case_chain(case)
        if broken:
            break
        checked += 1
        events += case.event_count
    if kept is not None and broken is None:
        broken = compare_digest(kept)
    return AuditRun.objects.create(
        started_at=started,
        finished_at=timezone.now(),
        cases=checked,
        events=events,
        broken_case=broken.case_number if broken else "",
        broken_seq=broken.seq if broken else None,
        reason=broken.reason[:200] if broken else "",
    )


def record_view(user, path: str, case=None) -> None:
    AuditView.objects.create(user=user, path=path[:300], case=case)


def is_province_supervisor(user) -> bool:
    return any(path.count("/") == 1 for path in jurisdiction.supervised_paths(user))


def timeline_rows(case, events, shown=None) -> list[list]:
    """`events`: the case's events the reader may see (cases.access.events_visible_to); `shown`: whose
    ID numbers the reader sees in full (cases.access.identities_shown) — certificate numbers in the
    data are masked as their holder's ID number is (issue 17 §3); without it, masked throughout.

    Written in Chinese whatever the reader's language (an official record): each event by its
    title, its actor by name, the statuses and its data in words, never the codes of the API."""
    shown = shown if shown is not None else Identities()
    rows = [["#", "时间", "操作", "操作人", "机关", "原状态", "新状态", "内容", "哈希"]]
    events = list(events.select_related("actor", "agency").order_by("seq"))
    with translation.override("zh-hans"):
        datas = [shown.data(e.data) for e in events]
        names = titles.user_names(*datas)
        measures = titles.measure_labels(case)
        for e, data in zip(events, datas, strict=True):
            referral = bool(e.referral_id)
            rows.append(
                [
                    e.seq,
                    timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S"),
                    titles.event_title(e.action),
                    (e.actor.get_full_name() or e.actor.username) if e.actor else "系统",
                    e.agency.name if e.agency else "",
                    titles.status_label(e.from_status, referral),
                    titles.status_label(e.to_status, referral),
                    titles.data_text(data, names, e.action, measures),
                    e.hash[:16],
                ]
            )
    return rows


def id_number_view_rows(case) -> list[list]:
    """Who was shown the case's ID numbers in full, and when (cases.IdNumberView)."""
    rows = [["时间", "查看人", "途径", "完整身份证号（个）"]]
    with translation.override("zh-hans"):
        return _id_number_view_rows(case, rows)


def _id_number_view_rows(case, rows: list[list]) -> list[list]:
    for v in case.id_number_views.select_related("user").order_by("at", "id"):
        rows.append(
            [
                timezone.localtime(v.at).strftime("%Y-%m-%d %H:%M:%S"),
                f"{v.user.get_full_name()}（{v.user.username}）" if v.user.get_full_name() else v.user.username,
                v.get_via_display(),
                v.numbers,
            ]
        )
    return rows


def timeline_xlsx(case, events, shown=None) -> bytes:
    """Every cell through safe_row: event texts are typed by users and never become formulas."""
    wb = Workbook()
    ws = wb.worksheets[0]  # a new workbook's one sheet, the active one
    ws.title = case.number
    ws.append(safe_row([f"{case.number} {case.party_name} 办案记录"]))
    for row in timeline_rows(case, events, shown):
        ws.append(safe_row(row))
    views = wb.create_sheet("身份证号查看记录")
    for row in id_number_view_rows(case):
        views.append(safe_row(row))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# A table cell's padding left and right (reportlab's default, 6 points each side) and a little air.
_CELL_PADDING = 12 + 2


def _widths(rows: list[list], shares: list[float], whole: set[int], width: float) -> list[float]:
    """Column widths: the columns in `whole` (a time, a hash, a number) as wide as their longest
    text on one line, never cut or broken; the others share the rest by `shares`."""
    fixed = {
        i: max(pdfmetrics.stringWidth(str(row[i]), SMALL.fontName, SMALL.fontSize) for row in rows) + _CELL_PADDING
        for i in whole
    }
    rest = width - sum(fixed.values())
    total = sum(share for i, share in enumerate(shares) if i not in fixed)
    return [fixed[i] if i in fixed else rest * share / total for i, share in enumerate(shares)]


def timeline_pdf(case, events, shown=None) -> bytes:
    width = landscape(A4)[0] - 20 * mm

    def table(rows, shares, whole):
        # Every cell wraps inside its column, whole (nothing cut off): the content column takes the rest.
        t = Table(
            [[Text(str(cell), SMALL) for cell in row] for row in rows],
            colWidths=_widths(rows, shares, whole, width),
            repeatRows=1,
        )
        t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.3, "#555555"), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        return t

    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=landscape(A4), leftMargin=10 * mm, rightMargin=10 * mm).build(
        [
            Text(f"{case.number} 办案记录", TITLE),
            table(timeline_rows(case, events, shown), [3, 9, 12, 9, 11, 7, 7, 36, 9], {0, 1, 8}),
            Text("身份证号查看记录", TITLE),
            table(id_number_view_rows(case), [2, 2, 1, 1], {0}),
        ]
    )
    return buffer.getvalue()


def public_names(case) -> dict[str, str]:
    """What a published text calls each person and the party: 张某, and 某用人单位 for an organisation."""
    names = {p.name: pseudonym(p.name) for p in case.persons.all()}
    if case.party_kind == PartyKind.INDIVIDUAL:
        names[case.party_name] = pseudonym(case.party_name)
    else:
        with translation.override("zh-hans"):  # published texts are in Chinese, whoever marks them
            names[case.party_name] = f"某{case.get_party_kind_display()}"
    return names


def public_text(case, text: str) -> str:
    """A text about the case fit for anyone: names as above, ID numbers and credit codes removed."""
    return redact(text, public=True, names=public_names(case))


def public_summary(case) -> str:
    # Agency names already carry their place (广州市应急管理局); the region is said only when not.
    where = "" if case.agency.name.startswith(case.region.name) else case.region.name
    parts = [f"{where}{case.agency.name}查处{case.party_name}一案。"]
    if case.summary:
        parts.append(case.summary)
    findings = [
        f"{(f.person.name if f.person_id else case.party_name)}{f.get_kind_display()}" for f in case.findings.all()
    ]
    if findings:
        parts.append("经查：" + "；".join(findings) + "。")
    measures = [f"责令限期整改{len(case.rectifications.all())}次" if case.rectifications.all() else ""]
    measures += [f"责令停产整顿{len(case.suspensions.all())}次" if case.suspensions.all() else ""]
    measures += [f"罚款{f.amount:,.2f}元" for f in case.fines.all()]
    measures = [m for m in measures if m]
    if measures:
        parts.append("处理：" + "，".join(measures) + "。")
    for referral in case.referrals.all():
        persons = "、".join(p.name for p in referral.persons.all())
        parts.append(f"{persons}涉嫌犯罪移送{referral.police_agency.name}（{referral.get_status_display()}）。")
    if case.close_summary:
        parts.append(case.close_summary)
    return public_text(case, "".join(parts))
