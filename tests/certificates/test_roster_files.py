"""名册核验 as employers save their rosters: a CSV from Excel on Chinese Windows (GBK), a header
row naming the columns in any order among others, rows lacking a number or a name reported on the
page as the job reports them, an overdue review listed with the problems, and the results sheet
and summary in the offices' words."""

import datetime
import io

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from cases.models import Case
from certificates.models import Certificate, RosterCheck, VerificationBatch
from core.identity import id_hash, mask_id_number
from demo.sample_cases import make_id_number
from tests.factories import demo_user

pytestmark = pytest.mark.django_db

VALID, OVERDUE = "RF440106198001020011", "RF440106198101020012"
URL = "/certificates/roster/"


@pytest.fixture(autouse=True)
def _fresh_quotas():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def registered():
    today = timezone.localdate()

    def certificate(number, name, seq, reviewed_on):
        ident = make_id_number("440106", datetime.date(1980, 1, 2), seq)
        return Certificate.objects.create(
            number=number,
            holder_name=name,
            id_hash=id_hash(ident),
            id_masked=mask_id_number(ident),
            category="welding",
            item="焊接",
            issued_on=today - datetime.timedelta(days=5 * 365),
            expires_on=today + datetime.timedelta(days=365),
            reviewed_on=reviewed_on,
            authority="广东省应急管理厅",
        )

    certificate(VALID, "张伟", 11, today - datetime.timedelta(days=30))
    # Reviewed four years ago: three years a review, so no longer valid (逾期未复审).
    certificate(OVERDUE, "李强", 12, today - datetime.timedelta(days=4 * 365))


@pytest.fixture
def officer(client):
    client.force_login(demo_user("guangzhou.officer1"))
    return client


def post(client, name, content, **extra):
    return client.post(URL, {"employer": "某建筑公司", "roster": SimpleUploadedFile(name, content)}, **extra)


def xlsx(rows) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def statuses() -> list[tuple[str, str, str]]:
    return [(r["number"], r["name"], r["status"]) for r in RosterCheck.objects.get().results]


def refused(r) -> str:
    """The field error of a refused roster: 400, on the form, and nothing verified or kept."""
    assert r.status_code == 400
    page = r.content.decode()
    assert 'data-testid="roster-error"' in page and 'aria-invalid="true"' in page
    assert not RosterCheck.objects.exists() and not VerificationBatch.objects.exists()
    return page.split('data-testid="roster-error">')[1].split("</div>")[0]


# --- 1. encodings ------------------------------------------------------------------------------


GBK_ROSTER = f"序号,姓名,工种,证书编号\n1,张伟,焊工,{VALID}\n2,赵六,电工,FAKE-1\n"


@pytest.mark.parametrize(
    "content",
    [
        GBK_ROSTER.encode("gbk"),  # Excel on Chinese Windows, "CSV (逗号分隔)"
        GBK_ROSTER.encode("gb18030"),
        b"\xef\xbb\xbf" + GBK_ROSTER.encode(),  # Excel's "CSV UTF-8": with a BOM
        GBK_ROSTER.encode(),
    ],
    ids=["gbk", "gb18030", "utf-8-bom", "utf-8"],
)
def test_a_csv_in_gbk_or_utf8_is_read_as_written(officer, registered, content):
    r = post(officer, "名册.csv", content)
    assert r.status_code == 302
    # The header is no row; the names are the names, not mojibake.
    assert statuses() == [(VALID, "张伟", "valid"), ("FAKE-1", "赵六", "no_match")]
    assert VerificationBatch.objects.get().items == 2


def test_a_csv_that_is_neither_utf8_nor_gbk_is_refused_with_what_to_do(officer, registered):
    r = post(officer, "名册.csv", b"number,name\n\x80\x80,\xff\xfe\x81\n")
    error = refused(r)
    assert "既不是 UTF-8 也不是 GBK" in error and "CSV UTF-8" in error and "XLSX" in error
    r = post(officer, "名册.csv", b"number,name\n\x80\x80,\xff\n", HTTP_ACCEPT_LANGUAGE="en")
    assert "neither UTF-8 nor GBK" in refused(r)


def test_a_png_named_csv_is_no_roster(officer):
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    error = refused(post(officer, "名册.csv", png))
    assert "不是 CSV 或 XLSX 文件" in error and "证书编号和姓名" not in error
    assert "not a CSV or XLSX file" in refused(post(officer, "名册.csv", png, HTTP_ACCEPT_LANGUAGE="en"))
    # Nor is an old binary .xls renamed .xlsx.
    assert "not a CSV or XLSX file" in refused(
        post(officer, "名册.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, HTTP_ACCEPT_LANGUAGE="en")
    )


# --- 2. layouts ---------------------------------------------------------------------------------


def test_the_columns_are_found_by_their_headers_in_any_position(officer, registered):
    content = xlsx(
        [
            ["某建筑公司特种作业人员名册"],  # a title above the header is left alone
            [" 序号 ", "员工姓名", "工种", "身份证号", "特种作业操作证号"],
            [1, "张伟", "焊工", "", VALID],
            [2, "李强", "焊工", "", OVERDUE],
            [3, "赵六", "电工", "", "FAKE-1"],
        ]
    )
    assert post(officer, "名册.xlsx", content).status_code == 302
    assert statuses() == [(VALID, "张伟", "valid"), (OVERDUE, "李强", "review_overdue"), ("FAKE-1", "赵六", "no_match")]


@pytest.mark.parametrize("header", ["Name,Number", "姓 名,操作证编号", "NAME , NUMBER", "name,证书号"])
def test_the_headers_are_matched_without_case_or_spaces(officer, registered, header):
    assert post(officer, "r.csv", f"{header}\n张伟,{VALID}\n".encode()).status_code == 302
    assert statuses() == [(VALID, "张伟", "valid")]


def test_two_columns_without_a_header_are_number_and_name(officer, registered):
    assert post(officer, "r.csv", f"{VALID},张伟\nFAKE-1,赵六\n".encode()).status_code == 302
    assert statuses() == [(VALID, "张伟", "valid"), ("FAKE-1", "赵六", "no_match")]


@pytest.mark.parametrize(
    "content",
    [
        f"1,张伟,{VALID}\n2,赵六,FAKE-1\n",  # three columns, no header
        f"序号,姓名,工种\n1,张伟,{VALID}\n",  # a header without a number column
        f"{VALID},张伟\nFAKE-1,赵六,电工\n",  # "two columns" until a row has a third
    ],
    ids=["three-columns", "no-number-header", "third-column-later"],
)
def test_any_other_layout_is_refused_naming_the_headers_expected(officer, registered, content):
    error = refused(post(officer, "r.csv", content.encode()))
    for header in ("证书编号", "操作证号", "特种作业操作证号", "姓名", "员工姓名"):
        assert header in error
    assert "标题行" in error


def test_the_page_states_the_layout_with_a_sample(officer):
    page = officer.get(URL).content.decode()
    rule = page.split('data-testid="roster-layout"')[1].split("</div>")[0]
    for header in ("证书编号", "证书号", "操作证号", "操作证编号", "特种作业操作证号", "员工姓名", "姓名"):
        assert header in rule
    assert "序号,姓名,工种,证书编号" in rule and "GBK" in page


# --- 3. rows lacking a number or a name ---------------------------------------------------------


def test_rows_lacking_a_number_or_a_name_are_reported_on_the_page(officer, registered):
    roster = f"证书编号,姓名\n{VALID},张伟\nFAKE-2,\n,钱七\n,\nFAKE-1,赵六\n"
    r = post(officer, "r.csv", roster.encode())
    saved = RosterCheck.objects.get()
    assert r.status_code == 302 and statuses() == [(VALID, "张伟", "valid"), ("FAKE-1", "赵六", "no_match")]
    page = officer.get(r["Location"]).content.decode()
    counts = page.split('data-testid="counts"')[1].split("</ul>")[0]
    assert "<li>缺少证书编号或姓名、未核验的行数：2</li>" in counts  # the job's words, and the blank row is none
    assert "3, 4" in page.split('data-testid="skipped"')[1].split("</p>")[0]
    # A roster without such rows says nothing of them.
    post(officer, "r2.csv", f"{VALID},张伟\n".encode())
    other = RosterCheck.objects.exclude(pk=saved.pk).get()
    assert 'data-testid="skipped"' not in officer.get(f"{URL}{other.pk}/").content.decode()


# --- 4. 逾期未复审 -------------------------------------------------------------------------------


def test_an_overdue_review_is_listed_with_the_problems_and_opens_a_lead(officer, registered):
    r = post(officer, "r.csv", f"证书编号,姓名\n{VALID},张伟\n{OVERDUE},李强\n".encode())
    saved = RosterCheck.objects.get()
    page = officer.get(r["Location"]).content.decode()
    failed = page.split('data-testid="failed"')[1].split("</table>")[0]
    assert "李强" in failed and "逾期未复审" in failed and "张伟" not in failed
    assert f"/certificates/roster/{saved.pk}/lead/1/" in failed
    r = officer.post(f"/certificates/roster/{saved.pk}/lead/1/")
    case = Case.objects.get(source="verification")
    assert r.status_code == 302 and r["Location"] == f"/cases/case/{case.pk}/"
    # A certificate not reviewed in time is invalid: its holder works without a valid certificate.
    assert (case.lead_proposal.verification, case.lead_proposal.finding_kind) == (
        "review_overdue",
        "unlicensed_operation",
    )
    assert "逾期未复审" in case.summary


# --- 5. the results sheet and the summary ---------------------------------------------------------


def test_the_results_sheet_heads_its_codes_in_chinese_and_the_page_counts_with_a_full_width_colon(officer, registered):
    r = post(officer, "r.csv", f"证书编号,姓名\n{VALID},张伟\n{OVERDUE},李强\nFAKE-1,赵六\n".encode())
    for language in ("zh-hans", "en"):  # the offices' sheet, whoever downloads it
        download = officer.get(r["Location"] + "results.xlsx", HTTP_ACCEPT_LANGUAGE=language)
        rows = list(load_workbook(io.BytesIO(download.content)).active.iter_rows(values_only=True))
        assert rows[0] == ("证书编号", "姓名", "核验结果", "结果代码")
        assert [row[3] for row in rows[1:]] == ["valid", "review_overdue", "no_match"]
    counts = officer.get(r["Location"]).content.decode().split('data-testid="counts"')[1].split("</ul>")[0]
    for line in ("有效：1", "逾期未复审：1", "无此编号与姓名相符的证书：1", "已过期：0"):
        assert f"<li>{line}</li>" in counts, counts
