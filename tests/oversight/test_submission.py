"""A city submits its monthly return (frozen: the record); the province sees who is late or missing
and returns a month for correction; the reporting month closes on the 25th, so every event counts
in exactly one; reminders on the 23rd and escalations after the 25th, each once, from August on;
the stamped scan, the work plan and the final summary (LEGAL.md §4, the seed notice)."""

import datetime
import io
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from openpyxl import load_workbook
from pdfminer.high_level import extract_text

from core.calendar import LEGAL_TZ
from notifications.models import Notification
from oversight.models import MonthlySubmission
from tests.factories import CaseFactory, demo_user, fine_of

pytestmark = pytest.mark.django_db

SUBMIT = "/api/v1/reports/monthly/submit/"
WORK = "本月检查用人单位120家，发现无证上岗3人，均已责令整改。"


def at(*args):
    return time_machine.travel(datetime.datetime(*args, tzinfo=LEGAL_TZ), tick=False)


def submit(api, user="guangzhou.supervisor", region="440100", month="2018-09", **extra):
    return api(user).post(
        SUBMIT, {"region": region, "month": month, "narrative": WORK, "reviewer": "李审核"} | extra, format="json"
    )


def report(api, user="guangzhou.supervisor", region="440100", month="2018-09", **extra):
    r = api(user).get("/api/v1/reports/monthly/", {"region": region, "month": month} | extra)
    assert r.status_code == 200, r.content
    return r


def fines(rows):
    return next(r for r in rows if r["section"] == "执法·用人单位" and r["row"] == "行政罚款（元）")


def test_submit_freezes_the_month_and_the_province_sees_the_status(api):
    with at(2018, 9, 24, 10):
        silent = api("guangzhou.supervisor").post(SUBMIT, {"region": "440100", "month": "2018-09"}, format="json")
        assert silent.status_code == 400 and silent.json()["narrative"]  # the month's work goes with the form
        r = submit(api, reviewer="李审核")
        assert r.status_code == 200 and r.json()["submission"]["late"] is False
        assert r.json()["submission"]["by_name"] == "广州安委办督查人员"
        assert r.json()["submission"]["submitted_at_local"] == "2018-09-24 10:00"  # local time, not UTC
        assert r.json()["reviewer"] == "李审核" and r.json()["unit"] == "广州市安全生产委员会办公室"
        assert submit(api).status_code == 409
        r = api("guangzhou.supervisor").put(
            "/api/v1/reports/self-inspection/", {"region": "440100", "month": "2018-09", "employers": 3}, format="json"
        )
        assert r.status_code == 409
        assert submit(api, user="gd.supervisor").status_code == 403
    with at(2018, 9, 27, 10):
        submit(api, user="shenzhen.supervisor", region="440300")
        status = {
            s["region"]: s["status"]
            for s in api("gd.supervisor").get("/api/v1/reports/submissions/", {"month": "2018-09"}).json()["results"]
        }
    assert status["440100"] == "submitted" and status["440300"] == "late" and status["440400"] == "missing"
    assert MonthlySubmission.objects.get(region="440300").late is True
    assert api("guangzhou.supervisor").get("/api/v1/reports/submissions/", {"month": "2018-09"}).status_code == 404


def test_a_fine_after_the_cut_off_counts_in_the_next_month_and_the_submitted_month_stays_as_submitted(api):
    """LEGAL.md §4: September (08-26 to 09-25) was submitted on 9-25 with 43,000; a 50,000 fine on 9-27
    is October's; September's page, XLSX, PDF and the province's total are what was submitted."""
    with at(2018, 9, 10, 10):
        fine_of(CaseFactory(status="open"), amount="43000.00")
        late = CaseFactory(status="open")
    with at(2018, 9, 25, 10):
        assert submit(api).status_code == 200
    with at(2018, 9, 27, 10):
        fine_of(CaseFactory(status="open"), amount="50000.00")
    with at(2018, 9, 28, 10):
        september = report(api).json()
        assert fines(september["rows"]) == {**fines(september["rows"]), "month": "43000.00", "cumulative": "43000.00"}
        assert september["since_submission"] == []  # 9-27 is not September's
        october = report(api, month="2018-10").json()
        assert fines(october["rows"])["month"] == "50000.00" and fines(october["rows"])["cumulative"] == "93000.00"
        assert october["period"] == {"from": "2018-09-26", "to": "2018-10-25"}
    # A fine decided on September's last day after the city submitted: the record stays, the live
    # figure is beside it (the city may ask the province to return the month).
    with at(2018, 9, 25, 16):
        fine_of(late, amount="7000.00")
    with at(2018, 9, 28, 12):
        september = report(api).json()
        assert fines(september["rows"])["month"] == "43000.00"
        changed = next(c for c in september["since_submission"] if c["row"] == "行政罚款（元）")
        assert changed["submitted"] == ["43000.00", "43000.00"] and changed["now"] == ["50000.00", "50000.00"]
        xlsx = load_workbook(io.BytesIO(report(api, format="xlsx").content)).active
        fine_row = next(r for r in range(4, xlsx.max_row) if xlsx.cell(r, 3).value == "行政罚款（元）")
        assert xlsx.cell(fine_row, 4).value == 43000
        pdf = extract_text(io.BytesIO(report(api, format="pdf").content))
        assert "43000.00" in pdf and "50000.00" not in pdf
        province = report(api, user="gd.supervisor", region="440000").json()
        assert Decimal(fines(province["rows"])["month"]) == Decimal("43000.00")  # Guangzhou as submitted
        assert {c["region"]: c["figures"] for c in province["cities"]}["440100"] == "submitted"


def test_the_province_returns_a_month_and_the_city_submits_again_with_both_on_record(api):
    with at(2018, 9, 24, 10):
        assert submit(api).status_code == 200
        returned = "/api/v1/reports/monthly/return/"
        body = {"region": "440100", "month": "2018-09", "reason": "自查自纠数据与上月不衔接，请核实"}
        assert api("guangzhou.supervisor").post(returned, body, format="json").status_code == 403
        assert api("gd.supervisor").post(returned, body | {"reason": ""}, format="json").status_code == 400
        r = api("gd.supervisor").post(returned, body, format="json")
        assert r.status_code == 200, r.content
        told = Notification.objects.get(kind="monthly_returned")
        assert told.recipient.username == "guangzhou.supervisor" and "2018-09" in told.title
        r = api("guangzhou.supervisor").put(
            "/api/v1/reports/self-inspection/", {"region": "440100", "month": "2018-09", "employers": 5}, format="json"
        )
        assert r.status_code == 200  # open again for correction
        assert submit(api).status_code == 400  # what was corrected, please
        r = submit(api, reason="更正用人单位数为5家")
        assert r.status_code == 200, r.content
        back = Notification.objects.get(kind="monthly_resubmitted", recipient__username="gd.supervisor")
        assert back.title == "广州市已更正并重新报送2018-09的月度报表" and back.body == "更正用人单位数为5家"
    history = r.json()["history"]
    assert [h["status"] for h in history] == ["returned", "submitted"]
    assert (
        history[0]["return_reason"] == "自查自纠数据与上月不衔接，请核实"
        and history[1]["reason"] == "更正用人单位数为5家"
    )
    status = {
        s["region"]: s
        for s in api("gd.supervisor").get("/api/v1/reports/submissions/", {"month": "2018-09"}).json()["results"]
    }
    assert status["440100"]["status"] == "submitted"


def test_the_stamped_scan_is_a_pdf_kept_once_and_read_back_by_the_province(api):
    with at(2018, 9, 24, 10):
        scan = "/api/v1/reports/monthly/scan/"
        pdf = SimpleUploadedFile("盖章扫描件.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
        early = api("guangzhou.supervisor").post(scan, {"region": "440100", "month": "2018-09", "file": pdf})
        assert early.status_code == 409  # the scan is of the submitted form
        assert submit(api).status_code == 200
        image = SimpleUploadedFile("x.pdf", b"GIF89a....", content_type="application/pdf")
        bad = api("guangzhou.supervisor").post(scan, {"region": "440100", "month": "2018-09", "file": image})
        assert bad.status_code == 400 and bad.json()["file"]
        pdf.seek(0)
        r = api("guangzhou.supervisor").post(scan, {"region": "440100", "month": "2018-09", "file": pdf})
        assert r.status_code == 200 and r.json()["submission"]["scan"] is True
        assert len(r.json()["submission"]["scan_sha256"]) == 64
        pdf.seek(0)
        again = api("guangzhou.supervisor").post(scan, {"region": "440100", "month": "2018-09", "file": pdf})
        assert again.status_code == 409
        got = api("gd.supervisor").get(scan, {"region": "440100", "month": "2018-09"})
        assert got.status_code == 200 and got.content.startswith(b"%PDF")
        assert api("shenzhen.supervisor").get(scan, {"region": "440100", "month": "2018-09"}).status_code == 404


def test_the_web_asks_to_confirm_before_submitting_and_says_submitted(client):
    client.force_login(demo_user("guangzhou.supervisor"))
    url = "/oversight/monthly/?region=440100&month=2018-09"
    with at(2018, 9, 24, 10):
        page = client.get(url).content.decode()
        assert 'data-testid="confirm"' in page and "2018-08-26" in page and "2018-09-25" in page
        r = client.post(url, {"form": "submit", "narrative": WORK})
        assert r.status_code == 400 and not MonthlySubmission.objects.exists()
        r = client.post(url, {"form": "submit", "narrative": WORK, "reviewer": "李审核", "confirm": "on"}, follow=True)
        page = r.content.decode()
        assert "已报送" in page and "2018-09-24 10:00" in page and "广州安委办督查人员" in page


def test_a_month_can_open_with_no_month_given_and_never_on_an_error(client):
    client.force_login(demo_user("gd.supervisor"))
    with at(2026, 12, 7, 10):  # long after the 2018 campaign: its last month
        page = client.get("/oversight/monthly/")
    assert page.status_code == 200 and "2018-12" in page.content.decode()
    with at(2018, 9, 27, 10):  # during it: the reporting month of today (09-26 … 10-25 is October)
        page = client.get("/oversight/monthly/")
        assert page.status_code == 200 and 'value="2018-10" selected' in page.content.decode()
        assert client.get("/oversight/monthly/?month=2018-07").status_code == 400  # reporting starts in August


def sweep():
    """The sweep as it runs: the command sends the monthly reminders with the deadline sweep."""
    call_command("sweep_deadlines", stdout=io.StringIO())


def test_a_reminder_on_the_23rd_and_an_escalation_after_the_25th_each_once():
    with at(2018, 8, 26, 9):
        sweep()  # August, the first reporting month, missed by every city
    assert Notification.objects.filter(kind="monthly_escalation").count() == 21
    Notification.objects.all().delete()
    with at(2018, 9, 22, 23, 59):
        sweep()
    assert not Notification.objects.filter(kind__startswith="monthly").exists()
    with at(2018, 9, 23, 8, 0):
        sweep()
        sweep()
    reminders = Notification.objects.filter(kind="monthly_reminder")
    assert reminders.count() == 21 and reminders.filter(recipient__username="guangzhou.supervisor").count() == 1
    with at(2018, 9, 25, 23, 59):
        sweep()
    assert not Notification.objects.filter(kind="monthly_escalation").exists()
    with at(2018, 9, 26, 0, 1):
        sweep()
        sweep()
    escalations = Notification.objects.filter(kind="monthly_escalation")
    assert escalations.count() == 21 and set(escalations.values_list("recipient__username", flat=True)) == {
        "gd.supervisor"
    }


def test_no_alarm_for_july_the_campaign_reports_from_august():
    with at(2018, 7, 26, 10):
        sweep()
    assert not Notification.objects.filter(kind__startswith="monthly").exists()


def test_the_work_plan_and_the_final_summary_are_returns_with_their_due_days(api):
    returns = "/api/v1/reports/returns/"
    with at(2018, 7, 29, 9):
        sweep()  # two days before the plan's due day (7月底前): a reminder to each city
    assert Notification.objects.filter(kind="return_reminder", recipient__username="guangzhou.supervisor").exists()
    with at(2018, 7, 30, 10):
        body = {"region": "440100", "kind": "plan", "text": "广州市专项治理行动实施方案"}
        r = api("guangzhou.supervisor").post(returns, body, format="json")
        assert r.status_code == 201 and r.json()["late"] is False
        assert api("guangzhou.supervisor").post(returns, body, format="json").status_code == 409
    with at(2018, 8, 1, 9):
        sweep()  # the others are late: the province hears of each once
        sweep()
    escalated = Notification.objects.filter(kind="return_escalation")
    assert escalated.count() == 20 and "广州" not in " ".join(escalated.values_list("title", flat=True))
    with at(2018, 8, 2, 9):
        status = {r["region"]: r["returns"] for r in api("gd.supervisor").get(returns).json()["results"]}
    plan = status["440100"][0]
    assert (plan["what"], plan["status"], plan["scan"], plan["resubmitted"]) == ("plan", "submitted", False, False)
    assert (plan["submitted_at_local"], plan["due_at_local"]) == ("2018-07-30 10:00", "2018-07-31 24:00")
    assert status["440300"][0]["status"] == "missing" and status["440300"][-1]["status"] == "pending"
    assert [c["what"] for c in status["440100"][1:-1]] == ["2018-08", "2018-09", "2018-10", "2018-11", "2018-12"]
    # A city reads its own row, never another city's.
    with at(2018, 8, 2, 9):
        own = api("guangzhou.supervisor").get(returns).json()["results"]
    assert [r["region"] for r in own] == ["440100"] and own[0]["returns"][0]["status"] == "submitted"
    assert api("guangzhou.supervisor").get(returns, {"region": "440300"}).status_code == 404


@pytest.mark.parametrize(
    "markup", ['<img src="/etc/passwd"/>', "<b>王五", "A & B", '<a href="http://x.example/">x</a>']
)
def test_a_name_signed_on_the_form_is_a_name_and_text_reaches_the_pdf_as_text(api, markup):
    """填表人 and 审核人 are signed on the official form: markup or symbols there are refused at every
    door (the self-inspection, the submission, the province's export); what a PDF prints is text."""
    from reportlab.platypus import SimpleDocTemplate

    from core.pdf import PLAIN, Text

    with at(2018, 9, 24, 10):
        entry = {"region": "440100", "month": "2018-09", "filled_by": markup[:50], "phone": markup[:30]}
        refused = api("guangzhou.supervisor").put("/api/v1/reports/self-inspection/", entry, format="json")
        assert refused.status_code == 400 and refused.json()["filled_by"]
        r = submit(api, reviewer=markup[:50])
        assert r.status_code == 400 and r.json()["reviewer"] == ["请只填写人员姓名，不要含有符号或标记。"]
        province = api("gd.supervisor").get(
            "/api/v1/reports/monthly/",
            {"region": "440000", "month": "2018-09", "format": "pdf", "filled_by": markup[:50], "reviewer": "李四"},
        )
        assert province.status_code == 400 and province.json()["filled_by"]
        assert submit(api, reviewer="欧阳·娜娜").status_code == 200
    out = io.BytesIO()
    SimpleDocTemplate(out).build([Text(markup, PLAIN)])
    assert markup in extract_text(io.BytesIO(out.getvalue())).replace("\n", "")


def test_every_pdf_writes_text_through_the_one_escaping_helper():
    """core.pdf.Text escapes what it is given; no module builds a reportlab Paragraph of its own."""
    import pathlib

    root = pathlib.Path(__file__).resolve().parents[2]
    users = [
        str(path.relative_to(root))
        for path in root.glob("*/**/*.py")
        if ".venv" not in path.parts and "tests" not in path.parts and "Paragraph(" in path.read_text(encoding="utf-8")
    ]
    assert users == []  # core/pdf.py subclasses it (Text), never builds one from raw text


RETURNS = "/api/v1/reports/returns/"


def test_the_province_reads_a_work_plan_returns_it_and_the_city_submits_it_again(api, client):
    plan = f"{RETURNS}440100/plan/"
    pdf = SimpleUploadedFile("实施方案.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    with at(2018, 7, 30, 10):
        body = {"region": "440100", "kind": "plan", "text": "广州市实施方案：各部门分工……", "file": pdf}
        assert api("guangzhou.supervisor").post(RETURNS, body).status_code == 201
        read = api("gd.supervisor").get(plan).json()
        assert (
            read["current"]["text"].startswith("广州市实施方案") and read["current"]["by_name"] == "广州安委办督查人员"
        )
        assert (
            read["current"]["submitted_at_local"] == "2018-07-30 10:00" and read["due_at_local"] == "2018-07-31 24:00"
        )
        got = api("gd.supervisor").get(f"{plan}file/")
        assert got.status_code == 200 and got.content.startswith(b"%PDF")
        # Another city reads nothing of it; a city does not return; a return gives its reason.
        assert api("shenzhen.supervisor").get(plan).status_code == 404
        assert api("guangzhou.supervisor").post(f"{plan}return/", {"reason": "x"}, format="json").status_code == 403
        assert api("gd.supervisor").post(f"{plan}return/", {"reason": ""}, format="json").status_code == 400
        r = api("gd.supervisor").post(f"{plan}return/", {"reason": "未明确各部门职责分工"}, format="json")
        assert r.status_code == 200 and r.json()["current"] is None
        told = Notification.objects.get(kind="campaign_return_returned")
        assert told.recipient.username == "guangzhou.supervisor" and "广州市" in told.title
        assert api("gd.supervisor").post(f"{plan}return/", {"reason": "再退"}, format="json").status_code == 409
    with at(2018, 8, 3, 9):  # after the due day: a correction of a plan that came in on time is not late
        again = {"region": "440100", "kind": "plan", "text": "广州市实施方案（修订）"}
        refused = api("guangzhou.supervisor").post(RETURNS, again, format="json")
        assert refused.status_code == 400 and refused.json()["reason"]
        r = api("guangzhou.supervisor").post(RETURNS, again | {"reason": "补充职责分工"}, format="json")
        assert r.status_code == 201 and r.json()["late"] is False
        # The province is told that what it returned came back, with what was corrected.
        back = Notification.objects.get(kind="campaign_return_resubmitted", recipient__username="gd.supervisor")
        assert back.title == "广州市已更正并重新报送实施方案" and back.body == "补充职责分工"
        detail = api("guangzhou.supervisor").get(plan).json()
        cell = api("gd.supervisor").get(RETURNS).json()["results"][0]["returns"][0]
    assert [h["status"] for h in detail["history"]] == ["returned", "submitted"]
    assert detail["history"][0]["return_reason"] == "未明确各部门职责分工"
    assert detail["history"][1]["reason"] == "补充职责分工" and detail["current"]["text"].endswith("（修订）")
    assert cell["status"] == "submitted" and cell["resubmitted"] is True
    # The province's web page: the grid links each city's plan; the plan's page shows its text.
    client.force_login(demo_user("gd.supervisor"))
    grid = client.get("/oversight/returns/").content.decode()
    assert "/oversight/returns/440100/plan/" in grid and 'data-testid="resubmitted"' in grid
    page = client.get("/oversight/returns/440100/plan/").content.decode()
    assert "广州市实施方案（修订）" in page and "未明确各部门职责分工" in page and "补充职责分工" in page
    assert "广州市实施方案：各部门分工" in page  # the returned text stays on record in the history
    # The city's notification of the return opens the returns, where its cell is.
    client.force_login(demo_user("guangzhou.supervisor"))
    notices = client.get("/notices/list/").content.decode()
    assert f'<a href="/notices/{told.pk}/open/" data-testid="notice-link">{told.title}</a>' in notices
    opened = client.get(f"/notices/{told.pk}/open/")
    assert opened.status_code == 302 and opened["Location"] == "/oversight/returns/"


def test_a_city_submits_its_summary_on_the_web_after_confirming(client):
    client.force_login(demo_user("guangzhou.supervisor"))
    url = "/oversight/returns/440100/summary/"
    with at(2018, 12, 20, 10):
        assert 'data-testid="confirm"' in client.get(url).content.decode()
        assert client.post(url, {"text": "工作总结"}).status_code == 400  # not confirmed
        r = client.post(url, {"text": "广州市工作总结", "confirm": "on"}, follow=True)
        assert r.status_code == 200 and "广州市工作总结" in r.content.decode()
        assert client.get("/oversight/returns/440300/summary/").status_code == 404
    client.force_login(demo_user("shenzhen.supervisor"))
    with at(2018, 12, 27, 10):  # past its due day (12-25), not in: the page says so
        assert 'data-testid="overdue"' in client.get("/oversight/returns/440300/summary/").content.decode()


def test_the_last_month_is_due_when_its_period_ends():
    """December runs to the campaign's end (12-31): its return is due then, not on the 25th."""
    from oversight import periods, reports
    from oversight.models import Campaign

    campaign = Campaign.objects.get(slug="gd-2018-cert")
    december = datetime.date(2018, 12, 1)
    start, end = periods.period(campaign, december)
    assert reports.due_at(campaign, december) == end  # 24:00 of 12-31
    assert reports.due_at(campaign, datetime.date(2018, 9, 1)) == datetime.datetime(2018, 9, 26, tzinfo=LEGAL_TZ)
    with at(2018, 12, 27, 9):
        sweep()
    assert not Notification.objects.filter(kind="monthly_escalation", title__contains="2018-12").exists()
    with at(2019, 1, 1, 9):  # the next day, outside the campaign: December's escalation still goes
        sweep()
    assert Notification.objects.filter(kind="monthly_escalation", title__contains="2018-12").count() == 21


def test_self_inspection_figures_left_out_keep_their_value_and_the_month_is_strict(api):
    entry = "/api/v1/reports/self-inspection/"
    with at(2018, 11, 20, 10):
        first = {"region": "442000", "month": "2018-11", "employers": 10, "employer_fake_found": 1}
        assert api("zhongshan.supervisor").put(entry, first, format="json").status_code == 200
        r = api("zhongshan.supervisor").put(
            entry, {"region": "442000", "month": "2018-11", "phone": "０７６０-８８８８８８８"}, format="json"
        )
        assert r.status_code == 200, r.content
        rows = {(x["section"], x["row"]): x["month"] for x in r.json()["rows"]}
        assert rows[("自查自纠·用人单位", "用人单位（家）")] == 10 and r.json()["phone"] == "0760-8888888"
        bad = api("zhongshan.supervisor").put(entry, {"region": "442000", "month": "2018-9"}, format="json")
        assert bad.status_code == 400 and bad.json()["month"]


def test_the_monthly_page_says_when_it_is_due_and_a_draft_is_a_draft(client, api):
    client.force_login(demo_user("guangzhou.supervisor"))
    url = "/oversight/monthly/?region=440100&month=2018-09"
    with at(2018, 9, 27, 10):
        page = client.get(url).content.decode()
        assert "2018-09-25 24:00" in page and 'data-testid="draft"' in page and "xj-overdue" in page
        assert submit(api, reviewer="李审核").status_code == 200
        body = {"region": "440100", "month": "2018-09", "reason": "请核实"}
        assert api("gd.supervisor").post("/api/v1/reports/monthly/return/", body, format="json").status_code == 200
        # After a return, the narrative and the reviewer are there to correct, not to retype.
        page = client.get(url).content.decode()
        assert WORK in page and 'value="李审核"' in page
    client.force_login(demo_user("gd.supervisor"))
    with at(2018, 9, 28, 10):
        page = client.get("/oversight/monthly/?region=440000&month=2018-09").content.decode()
    assert "<thead><tr><th>城市</th>" in page or "<thead><tr><th>city</th>" in page
    assert 'data-testid="province-export"' in page and "未报送" in page


def test_the_chart_counts_a_missed_deadline_in_the_month_it_was_missed(client):
    from cases import actions
    from workflows.models import Deadline

    case = CaseFactory(status="open")
    with at(2018, 9, 3, 10):
        actions.order_rectification(
            case, actor=demo_user("guangzhou.officer1"), deadline=datetime.date(2018, 9, 10), items="整改"
        )
    with at(2026, 12, 7, 10):  # the sweep first sees it years later
        sweep()
        client.force_login(demo_user("guangzhou.supervisor"))
        page = client.get("/oversight/dashboard/").content.decode()
    deadline = Deadline.objects.get(case=case, step="reinspect")
    assert deadline.escalated_at is not None
    missed_by_day = (deadline.due_at - datetime.timedelta(seconds=1)).astimezone(LEGAL_TZ)
    chart = page.split('class="xj-chart"')[4].split("</svg>")[0]  # the fourth chart: missed per month
    assert f"{missed_by_day:%Y-%m}: 1" in chart and "2026-12" not in chart
