"""The monthly form on paper: XLSX laid out like the notice's 统计表, and a printable PDF — the
figures of the record (the city's submission, or the province's sum of them), the reporting office,
and the block the stamped copy is signed in (填报单位、填表人、审核人、联系电话、日期、盖章)."""

import io
from itertools import groupby

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate, Spacer, Table, TableStyle

from core.pdf import CELL, FONT, PLAIN, Text
from core.pdf import TITLE as TITLE_STYLE
from core.xlsx import safe_cell

TITLE = "广东省打击假冒特种作业操作证专项治理情况统计表"
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


def xlsx(report: dict) -> bytes:
    wb = Workbook()
    ws = wb.worksheets[0]  # a new workbook's one sheet, the active one
    ws.title = report["month"]
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.merge_cells("A1:E1")
    ws["A1"] = TITLE
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
        return Text(str(text), CELL)

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
    signed = Table([[cell(label), cell(value)] for label, value in _signed(report)], colWidths=[40 * mm, 132 * mm])
    signed.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, "#333333"), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=18 * mm, bottomMargin=18 * mm
    )
    doc.build(
        [
            Text(TITLE, TITLE_STYLE),
            Text(_heading(report), PLAIN),
            Spacer(1, 4 * mm),
            table,
            Spacer(1, 6 * mm),
            signed,
        ]
    )
    return buffer.getvalue()
