"""The monthly form on paper: XLSX laid out like the notice's 统计表, and a printable PDF."""

import io
from itertools import groupby

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from core.pdf import FONT, PLAIN
from core.pdf import TITLE as TITLE_STYLE

TITLE = "广东省打击假冒特种作业操作证专项治理情况统计表"
CATEGORY = {"自查自纠": "自查自纠情况", "执法": "执法情况"}


def _layout(rows):
    """[(category, [(unit, [row, …]), …]), …] in paper order."""
    out = []
    for category, in_category in groupby(rows, key=lambda r: r["section"].split("·")[0]):
        units = [(unit, list(group)) for unit, group in groupby(in_category, key=lambda r: r["section"].split("·")[1])]
        out.append((CATEGORY.get(category, category), units))
    return out


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
    ws["A2"] = f"单位：{report['region_name']}（{report['region']}）    月份：{report['month']}"
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
    ws.cell(line, 1, f"填表人：{report.get('filled_by') or ''}")
    ws.cell(line, 4, f"联系电话：{report.get('phone') or ''}")
    for row in ws.iter_rows(min_row=3, max_row=line - 1, max_col=5):
        for cell in row:
            cell.border = box
            cell.alignment = center
    for letter, width in zip("ABCDE", (12, 14, 34, 14, 14), strict=True):
        ws.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def pdf(report: dict) -> bytes:

    data = [["类别", "", "项目", "本月数据", "累计数据"]]
    spans = [("SPAN", (0, 0), (1, 0))]
    for category, units in _layout(report["rows"]):
        first_of_category = len(data)
        for unit, rows in units:
            first_of_unit = len(data)
            for i, row in enumerate(rows):
                data.append(
                    [
                        category if not data[first_of_category:] else "",
                        unit if i == 0 else "",
                        row["row"],
                        str(row["month"]),
                        str(row["cumulative"]),
                    ]
                )
            spans.append(("SPAN", (1, first_of_unit), (1, len(data) - 1)))
        spans.append(("SPAN", (0, first_of_category), (0, len(data) - 1)))
    table = Table(data, colWidths=[22 * mm, 28 * mm, 62 * mm, 26 * mm, 26 * mm])
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
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=18 * mm, bottomMargin=18 * mm
    )
    doc.build(
        [
            Paragraph(TITLE, TITLE_STYLE),
            Paragraph(f"单位：{report['region_name']}　　月份：{report['month']}", PLAIN),
            Spacer(1, 4 * mm),
            table,
            Spacer(1, 6 * mm),
            Paragraph(f"填表人：{report.get('filled_by') or ''}　　联系电话：{report.get('phone') or ''}", PLAIN),
        ]
    )
    return buffer.getvalue()
