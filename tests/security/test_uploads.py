"""Issue 17: uploads that cannot hurt (§7), the roster results without live formulas (§8),
the evidence upload's errors (§9) and no evidence added to a concluded case (§13)."""

import io
import time

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet import _reader

from certificates import views as certificate_views
from certificates.models import Certificate, Evidence, RosterCheck, VerificationBatch
from certificates.verify import MAX_ITEMS
from tests.factories import CaseFactory, demo_user

pytestmark = pytest.mark.django_db
BOMB_ROWS = 400_000
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _fresh(settings, tmp_path):
    cache.clear()
    settings.MEDIA_ROOT = tmp_path / "media"
    yield
    cache.clear()


@pytest.fixture(scope="module")
def bomb(tmp_path_factory) -> bytes:
    """A small XLSX (a write-only workbook, deflated) that unpacks to 400,000 rows."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet()
    for _i in range(BOMB_ROWS):
        ws.append(["T1", "A"])
    path = tmp_path_factory.mktemp("bomb") / "bomb.xlsx"
    wb.save(path)
    return path.read_bytes()


@pytest.fixture
def rows_parsed(monkeypatch):
    """How many worksheet rows openpyxl parsed."""
    counted = {"rows": 0}
    parse_row = _reader.WorkSheetParser.parse_row

    def counting(self, row):
        counted["rows"] += 1
        return parse_row(self, row)

    monkeypatch.setattr(_reader.WorkSheetParser, "parse_row", counting)
    return counted


def post_roster(client, name, content):
    client.force_login(demo_user("guangzhou.officer1"))
    r = client.post(
        "/certificates/roster/", {"roster": SimpleUploadedFile(name, content)}, follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )
    return r, r.content.decode()


def test_a_zip_bomb_roster_is_refused_before_it_is_unpacked(client, bomb, rows_parsed, settings):
    assert len(bomb) < settings.ROSTER_MAX_BYTES  # within the upload limit: refused for what it unpacks to
    started = time.monotonic()
    r, page = post_roster(client, "bomb.xlsx", bomb)
    assert "The roster file is too large" in page
    assert rows_parsed["rows"] == 0 and time.monotonic() - started < 10
    assert not RosterCheck.objects.exists() and not VerificationBatch.objects.exists()


def test_a_roster_that_unpacks_within_limits_is_read_only_to_the_cap(client, bomb, rows_parsed, settings):
    settings.ROSTER_MAX_UNPACKED_BYTES = 10**9  # let openpyxl stream it: reading must stop at the cap
    r, page = post_roster(client, "bomb.xlsx", bomb)
    assert f"At most {MAX_ITEMS:,} rows a roster" in page
    assert rows_parsed["rows"] <= MAX_ITEMS + 2  # the header, then one row past the cap
    assert not RosterCheck.objects.exists() and not VerificationBatch.objects.exists()


def test_a_roster_file_over_the_byte_limit_is_refused_before_reading(client, settings, monkeypatch):
    settings.ROSTER_MAX_BYTES = 1024
    opened = []
    monkeypatch.setattr(certificate_views.sheets, "csv_rows", lambda *a, **k: opened.append(1) or iter(()))
    r, page = post_roster(client, "big.csv", b"number,name\n" + b"T1,A\n" * 400)
    assert "The roster file is too large" in page and not opened
    r, page = post_roster(client, "roster.txt", b"T1,A\n")
    assert "Upload the roster as .xlsx or .csv" in page
    r, page = post_roster(client, "broken.xlsx", b"PK\x03\x04 not a zip")
    assert "Upload the roster as .xlsx or .csv" in page and r.status_code == 400


def test_a_csv_roster_is_streamed_and_stops_at_the_cap(client, monkeypatch):
    monkeypatch.setattr(certificate_views, "MAX_ITEMS", 5)
    r, page = post_roster(client, "r.csv", b"number,name\n" + b"T1,A\n" * 50)
    assert "At most 5 rows a roster" in page and not RosterCheck.objects.exists()
    r, page = post_roster(client, "r.csv", b"number,name\n" + b"T1,A\n" * 5)
    assert RosterCheck.objects.count() == 1


def test_the_roster_results_never_carry_a_live_formula(client):
    roster = b'number,name\n"=HYPERLINK(""http://x"",""y"")",=1+2\n+T2,@SUM(A1)\n'
    client.force_login(demo_user("guangzhou.officer1"))
    r = client.post("/certificates/roster/", {"roster": SimpleUploadedFile("r.csv", roster)})
    assert r.status_code == 302
    download = client.get(r["Location"] + "results.xlsx")
    ws = load_workbook(io.BytesIO(download.content)).active
    cells = [c for row in ws.iter_rows(min_row=2, max_col=2) for c in row]
    assert [c.value for c in cells] == ['\'=HYPERLINK("http://x","y")', "'=1+2", "'+T2", "'@SUM(A1)"]
    assert all(c.data_type == "s" for c in cells)  # text, not a formula


HEADER = "number,name,id_number,category,item,issued_on,expires_on,reviewed_on,authority,status"


def test_the_import_refuses_a_file_over_its_row_cap_and_imports_nothing(tmp_path, settings):
    settings.IMPORT_MAX_ROWS = 3
    path = tmp_path / "registry.csv"
    path.write_text(HEADER + "\n" + "".join(f"G{i},李雷,,electrical,x,2022-01-01,,,x,valid\n" for i in range(5)))
    with pytest.raises(CommandError, match="more than 3 rows"):
        call_command("import_certificates", str(path))
    assert not Certificate.objects.exists()


def test_the_import_refuses_a_zip_bomb_and_a_file_over_its_byte_cap(tmp_path, settings, bomb, rows_parsed):
    path = tmp_path / "registry.xlsx"
    path.write_bytes(bomb)
    settings.IMPORT_MAX_UNPACKED_BYTES = 20 * 1024 * 1024
    with pytest.raises(CommandError, match="too large"):
        call_command("import_certificates", str(path))
    assert rows_parsed["rows"] == 0
    settings.IMPORT_MAX_UNPACKED_BYTES = 10**10
    settings.IMPORT_MAX_ROWS = 100
    with pytest.raises(CommandError):  # streamed: stops at the header (not the expected one)
        call_command("import_certificates", str(path))
    assert rows_parsed["rows"] <= 101
    settings.IMPORT_MAX_BYTES = 1024
    with pytest.raises(CommandError, match="too large"):
        call_command("import_certificates", str(path))
    assert not Certificate.objects.exists()


def test_an_evidence_upload_without_a_file_is_a_json_400(api):
    case = CaseFactory(status="open")
    officer = api("guangzhou.officer1")
    for body in ({}, {"note": "no file"}, {"file": ""}):
        r = officer.post(f"/api/v1/cases/{case.pk}/evidence/", body, format="multipart")
        assert r.status_code == 400 and r["Content-Type"] == "application/json"
        assert isinstance(r.json()["file"], list) and r.json()["file"]
    r = officer.generic(
        "POST", f"/api/v1/cases/{case.pk}/evidence/", b"", content_type="multipart/form-data; boundary=xx"
    )
    assert r.status_code == 400 and r["Content-Type"] == "application/json" and "file" in r.json()
    assert not Evidence.objects.exists()


@pytest.mark.parametrize("status", ["closed", "declined"])
def test_no_evidence_is_added_to_a_concluded_case(api, client, status):
    case = CaseFactory(status=status)
    who = "guangzhou.officer1" if status == "closed" else "guangzhou.head"
    r = api(who).post(
        f"/api/v1/cases/{case.pk}/evidence/", {"file": SimpleUploadedFile("s.pdf", PDF)}, format="multipart"
    )
    assert r.status_code == 409 and r.json()["code"] == "invalid_transition"
    client.force_login(demo_user(who))
    r = client.post(f"/cases/case/{case.pk}/files/upload/", {"file": SimpleUploadedFile("s.pdf", PDF)})
    assert r.status_code == 302
    assert not Evidence.objects.filter(case=case).exists()
