"""The monthly form on paper: XLSX laid out like the notice's 统计表, and a printable PDF — the
figures of the record (the city's submission, or the province's sum of them), the reporting office,
and the block the stamped copy is signed in (填报单位、填表人、审核人、联系电话、日期、盖章)."""

import io
from itertools import groupby

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, SimpleDocTemplate, Spacer, Table, TableStyle

from core.pdf import CELL, FONT, PLAIN, Text
from core.pdf import TITLE as TITLE_STYLE
from core.xlsx import safe_cell

TITLE = "广东省打击假冒特种作业操作证专项治理情况统计表"
# The form's cells a size smaller than the papers' text, so the 24 rows, the note and the signing
# block fit on the one A4 page that is stamped.
FORM_CELL = ParagraphStyle("form-cell", parent=CELL, fontSize=9.5, leading=12.5)
CATEGORY = {"自查自纠": "自查自纠情况", "执法": "执法情况"}


def _layout(rows):
    """[(category, [(unit, [row, …]), …]), …] in paper order."""
    out = []
    for category, in_category in groupby(rows, key=lambda r: r["section"].split("·")[0]):
        units = [(unit, list(group)) for unit, group in groupby(in_category, key=lambda r: r["section"].split("·")[1])]
        out.append((CATEGORY.get(category, category), units))
    return out


def _signed(report: dict) -> list[tuple[str, str]]:
    """The block under the form: who reports, who filled it in and checked it, when, and the stamp."""
    submission = report.get("submission") or {}
    day = (submission.get("submitted_at_local") or "")[:10]
    return [
        ("填报单位（盖章）", report.get("unit") or report["region_name"]),
        ("填表人", report.get("filled_by") or ""),
        ("审核人", report.get("reviewer") or ""),
        ("联系电话", report.get("phone") or ""),
        ("填报日期", day),
    ]


def _heading(report: dict) -> str:
    period = report.get("period") or {}
    span = f"（{period['from']}至{period['to']}）" if period else ""
    return f"单位：{report.get('unit') or report['region_name']}    月份：{report['month']}{span}"


def _title(report: dict) -> str:
    """A city's month not yet submitted prints as a draft: it is not the record."""
    draft = "cities" not in report and not report.get("submission")
    return TITLE + ("（草稿·未报送）" if draft else "")


def _note(report: dict) -> str:
    """Whose figures the sheet holds: a draft's live figures, or the cities the province's sum counts."""
    if "cities" in report:
        counted = [c["name"] for c in report["cities"] if c["figures"] == "submitted"]
        missing = report.get("not_submitted") or []
        text = f"说明：本表为已报送的{len(counted)}个地市报送数据之和"
        text += f"；未报送、本月未计入：{'、'.join(missing)}" if missing else ""
        carried = report.get("carried") or []
        if carried:
            text += "；其累计数沿用最近一次报送：" + "、".join(f"{c['name']}（{c['month']}）" for c in carried)
        return text + "。"
    if not report.get("submission"):
        return "说明：本月尚未报送，表中为当前实时数据，仅供核对，不作为报送数据。"
    return ""


def xlsx(report: dict) -> bytes:
    wb = Workbook()
    ws = wb.worksheets[0]  # a new workbook's one sheet, the active one
    ws.title = report["month"]
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.merge_cells("A1:E1")
    ws["A1"] = _title(report)
    ws["A1"].font = Font(size=14, bold=True)
    ws["A1"].alignment = center
    ws.merge_cells("A2:E2")
    ws["A2"] = safe_cell(_heading(report))
    ws.append(["类别", "", "项目", "本月数据", "累计数据"])
    ws.merge_cells("A3:B3")
    line = 4
    for category, units in _layout(report["rows"]):
        first_of_category = line
        for unit, rows in units:
            first_of_unit = line
            for row in rows:
                ws.cell(line, 3, row["row"])
                for column, key in ((4, "month"), (5, "cumulative")):
                    value = row[key]
                    written = ws.cell(line, column, float(value) if "元" in row["row"] else value)
                    if "元" in row["row"]:
                        written.number_format = "#,##0.00"
                line += 1
            ws.cell(first_of_unit, 2, unit)
            if line - 1 > first_of_unit:
                ws.merge_cells(start_row=first_of_unit, start_column=2, end_row=line - 1, end_column=2)
        ws.cell(first_of_category, 1, category)
        ws.merge_cells(start_row=first_of_category, start_column=1, end_row=line - 1, end_column=1)
    for row in ws.iter_rows(min_row=3, max_row=line - 1, max_col=5):
        for cell in row:
            cell.border = box
            cell.alignment = center
    line += 1
    if _note(report):
        ws.merge_cells(start_row=line, start_column=1, end_row=line, end_column=5)
        ws.cell(line, 1, safe_cell(_note(report))).alignment = Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[line].height = 32
        line += 2
    for label, value in _signed(report):
        ws.cell(line, 1, label)
        ws.merge_cells(start_row=line, start_column=2, end_row=line, end_column=5)
        ws.cell(line, 2, safe_cell(value))
        line += 1
    for letter, width in zip("ABCDE", (16, 14, 34, 14, 14), strict=True):
        ws.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def pdf(report: dict) -> bytes:
    """The form as printed for its stamp: every cell a wrapped paragraph of escaped text, so no
    label runs over its column and nothing a user typed is read as markup."""

    def cell(text: object) -> Text:
        return Text(str(text), FORM_CELL)

    data: list[list[Text | str]] = [[cell("类别"), "", cell("项目"), cell("本月数据"), cell("累计数据")]]
    spans = [("SPAN", (0, 0), (1, 0))]
    for category, units in _layout(report["rows"]):
        first_of_category = len(data)
        for unit, rows in units:
            first_of_unit = len(data)
            for i, row in enumerate(rows):
                data.append(
                    [
                        cell(category) if len(data) == first_of_category else "",
                        cell(unit) if i == 0 else "",
                        cell(row["row"]),
                        cell(row["month"]),
                        cell(row["cumulative"]),
                    ]
                )
            spans.append(("SPAN", (1, first_of_unit), (1, len(data) - 1)))
        spans.append(("SPAN", (0, first_of_category), (0, len(data) - 1)))
    table = Table(data, colWidths=[20 * mm, 30 * mm, 62 * mm, 30 * mm, 30 * mm])
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 10),
                ("GRID", (0, 0), (-1, -1), 0.5, "#333333"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                *spans,
            ]
        )
    )
    # The signing block, two pairs to a line, so the form and its block fit on one A4 page.
    (unit, office), *pairs = _signed(report)
    lines: list[list[Text | str]] = [[cell(unit), cell(office), "", ""]]
    for first, second in zip(pairs[::2], pairs[1::2], strict=True):
        lines.append([cell(first[0]), cell(first[1]), cell(second[0]), cell(second[1])])
    signed = Table(lines, colWidths=[30 * mm, 56 * mm, 30 * mm, 56 * mm])
    signed.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, "#333333"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("SPAN", (1, 0), (3, 0)),
            ]
        )
    )
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=14 * mm, bottomMargin=14 * mm
    )
    note = _note(report)
    doc.build(
        [
            Text(_title(report), TITLE_STYLE),
            Text(_heading(report), PLAIN),
            Spacer(1, 3 * mm),
            table,
            *([Spacer(1, 2 * mm), Text(note, PLAIN)] if note else []),
            Spacer(1, 4 * mm),
            KeepTogether(signed),
        ]
    )
    return buffer.getvalue()
