"""The certificate registry: verification at its boundaries, 10,000 items at once, the import."""

import datetime

import pytest
from django.core.cache import cache
from django.core.management import call_command
from openpyxl import Workbook

from certificates.models import Certificate
from certificates.verify import status_of, verify
from core.identity import id_hash, mask_id_number
from demo.sample_cases import make_id_number

pytestmark = pytest.mark.django_db
ID = make_id_number("440106", datetime.date(1980, 1, 2), 11)


@pytest.fixture(autouse=True)
def _fresh_quotas():
    """The verification quotas (issue 17) count in the cache: each test starts and leaves them unused."""
    cache.clear()
    yield
    cache.clear()


def cert(number="T001", name="张伟", issued="2020-03-10", expires="2026-03-10", reviewed=None, status="valid"):
    return Certificate.objects.create(
        number=number,
        holder_name=name,
        id_hash=id_hash(ID),
        id_masked=mask_id_number(ID),
        category="welding",
        item="熔化焊接与热切割作业",
        issued_on=datetime.date.fromisoformat(issued),
        expires_on=datetime.date.fromisoformat(expires),
        reviewed_on=datetime.date.fromisoformat(reviewed) if reviewed else None,
        authority="广东省应急管理厅",
        status=status,
    )


def on(day):
    return datetime.date.fromisoformat(day)


@pytest.mark.parametrize(
    "today, reviewed, expected",
    [
        ("2023-03-10", None, "valid"),  # three years to the day after issue: still in time
        ("2023-03-11", None, "review_overdue"),
        ("2023-03-11", "2023-03-01", "valid"),
        ("2026-03-01", "2023-03-01", "valid"),
        ("2026-03-02", "2023-03-01", "review_overdue"),
        ("2026-03-10", "2025-01-01", "valid"),  # the expiry day itself
        ("2026-03-11", "2025-01-01", "expired"),
    ],
)
def test_statuses_at_their_boundaries(today, reviewed, expected):
    cert(reviewed=reviewed)
    assert verify([{"number": "T001", "name": "张伟"}], today=on(today))[0]["status"] == expected


def test_revoked_mismatch_and_unknown():
    cert(status="revoked")
    sent = [
        {"number": "T001", "name": "张伟"},
        {"number": "T001", "name": "王五"},
        {"number": "NOPE", "name": "张伟"},
        {"number": "T001", "name": " 张 伟 "},
    ]
    # The full answers, as a case's staff get them ...
    results = verify(sent, today=on("2021-01-01"), full=True)
    assert [r["status"] for r in results] == ["revoked", "name_mismatch", "not_found", "revoked"]
    assert status_of(None, "x", on("2021-01-01")) == "not_found"
    # ... and without a case: whether the number exists is not told (issue 17, §1).
    results = verify(sent, today=on("2021-01-01"))
    assert [r["status"] for r in results] == ["revoked", "no_match", "no_match", "revoked"]


def test_ten_thousand_items_in_one_request(api):
    Certificate.objects.bulk_create(
        Certificate(
            number=f"C{i:06d}",
            holder_name=f"人员{i}",
            id_hash=str(i),
            id_masked="x",
            category="electrical",
            item="低压电工作业",
            issued_on=on("2024-06-01"),
            expires_on=on("2030-06-01"),
            authority="x",
            status="revoked" if i % 10 == 0 else "valid",
        )
        for i in range(9_000)
    )
    items = [{"number": f"C{i:06d}", "name": f"人员{i}" if i % 7 else "别人"} for i in range(9_000)] + [
        {"number": f"X{i}", "name": "无"} for i in range(1_000)
    ]
    r = api("guangzhou.officer1").post("/api/v1/certificates/verify/", {"items": items}, format="json")
    assert r.status_code == 200
    results = r.json()["results"]
    assert len(results) == 10_000 and [x["number"] for x in results] == [i["number"] for i in items]
    # Without a case a wrong name and an unknown number are one answer, no_match.
    expected = ["no_match" if i % 7 == 0 else "revoked" if i % 10 == 0 else "valid" for i in range(9_000)] + [
        "no_match"
    ] * 1_000
    assert [x["status"] for x in results] == expected
    r = api("guangzhou.officer1").post(
        "/api/v1/certificates/verify/", {"items": items + [{"number": "Y", "name": "Z"}]}, format="json"
    )
    assert r.status_code == 400 and "10,000" in r.json()["items"][0]
    r = api("guangzhou.officer1").post("/api/v1/certificates/verify/", {"items": [{"number": "T001"}]}, format="json")
    assert r.status_code == 400
    assert (
        api()
        .post("/api/v1/certificates/verify/", {"items": [{"number": "T001", "name": "x"}]}, format="json")
        .status_code
        == 401
    )


HEADER = "number,name,id_number,category,item,issued_on,expires_on,reviewed_on,authority,status"


def test_import_keeps_good_rows_and_reports_bad_ones_by_line(tmp_path, capsys):
    good = make_id_number("440103", datetime.date(1990, 5, 6), 3)
    rows = [
        HEADER,
        f"G001,李雷,{good},焊接与热切割作业,熔化焊接,2022-01-01,2028-01-01,,广州市应急管理局,valid",
        f"G002,韩梅梅,{good},electrical,低压电工,2021-05-01,,2024-05-01,广州市应急管理局,",
        "B003,坏行,440103199005060001,electrical,低压电工,2021-05-01,,,x,valid",
        "B004,坏行,,electrical,低压电工,2021-05-01,,,x,valid",
        f"B005,坏行,{good},木工作业,x,2021-05-01,,,x,valid",
        f"B006,坏行,{good},electrical,x,May 2021,,,x,valid",
        f"B007,坏行,{good},electrical,x,2021-05-01,,,x,lost",
        f"G001,李雷雷,{good},焊接与热切割作业,熔化焊接,2022-01-01,2028-01-01,,广州市应急管理局,revoked",
    ]
    path = tmp_path / "registry.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(SystemExit) as exit_:
        call_command("import_certificates", str(path))
    assert exit_.value.code == 2
    out = capsys.readouterr()
    assert "2 certificates imported, 6 rows rejected of 8" in out.out  # 8 read = 2 imported + 6 rejected
    for line in (4, 5, 6, 7, 8, 9):
        assert f"line {line}:" in out.err
    assert "line 5: id_number (resident ID number): " in out.err  # an empty ID number
    assert "line 9: number (certificate number): the same as line 2" in out.err
    assert "check digit" in out.err or "校验码" in out.err
    assert Certificate.objects.count() == 2
    g1 = Certificate.objects.get(number="G001")
    assert (g1.holder_name, g1.status) == ("李雷", "valid")  # a later row of a number is rejected, not stored
    g2 = Certificate.objects.get(number="G002")
    assert g2.expires_on == on("2027-05-01") and g2.id_masked == mask_id_number(good) and good not in str(g2.__dict__)


def test_import_an_xlsx_file_and_upsert(tmp_path, capsys):
    good = make_id_number("440103", datetime.date(1990, 5, 6), 3)
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER.split(","))
    ws.append(["X1", "张三", good, "高处作业", "登高架设", datetime.date(2020, 1, 1), None, None, "省厅", "valid"])
    path = tmp_path / "registry.xlsx"
    wb.save(path)
    call_command("import_certificates", str(path))
    call_command("import_certificates", str(path))
    assert Certificate.objects.get().expires_on == on("2026-01-01")
    assert "1 certificates imported, 0 rows rejected of 1" in capsys.readouterr().out


def test_a_future_date_of_issue_is_rejected_and_a_header_alone_refused(tmp_path, capsys):
    from django.core.management import CommandError

    good = make_id_number("440103", datetime.date(1990, 5, 6), 3)
    later = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()
    path = tmp_path / "registry.csv"
    path.write_text(f"{HEADER}\nF1,李雷,{good},高处作业,登高架设,{later},,,省厅,valid\n", encoding="utf-8")
    with pytest.raises(SystemExit):
        call_command("import_certificates", str(path))
    out = capsys.readouterr()
    assert "0 certificates imported, 1 rows rejected of 1" in out.out
    assert f"line 2: issued_on (date of issue): {later} is after today" in out.err
    assert not Certificate.objects.exists()
    path.write_text(HEADER + "\n\n", encoding="utf-8")
    with pytest.raises(CommandError, match="no data rows"):
        call_command("import_certificates", str(path))


def test_a_file_with_the_wrong_header_is_refused(tmp_path):
    from django.core.management import CommandError

    path = tmp_path / "bad.csv"
    path.write_text("a,b,c\n1,2,3\n", encoding="utf-8")
    with pytest.raises(CommandError, match="header"):
        call_command("import_certificates", str(path))
