"""The monthly form's export as a job: the province's button (and POST /api/v1/reports/monthly/export/)
start it, it makes the very file the download gives, for whoever may see the region's form when it
starts and still when it runs; the city's links and the GET download stay as they were."""

import datetime
import html
import io

import pytest
import time_machine
from django.test import Client
from openpyxl import load_workbook
from pdfminer.high_level import extract_text

from agencies.models import Membership
from cases import actions
from core.calendar import LEGAL_TZ
from jobs import runner
from jobs.models import Job
from tests.factories import CaseFactory, add_person, demo_user

pytestmark = pytest.mark.django_db
U = demo_user
PAGE = "/oversight/monthly/?region={region}&month=2018-09"
SIGNED = {"filled_by": "张填表", "reviewer": "李审核", "phone": "020-12345678"}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def submitted(api):
    """Guangzhou's September: a forged certificate found, and the month submitted."""
    with time_machine.travel(datetime.datetime(2018, 9, 5, 10, tzinfo=LEGAL_TZ), tick=False):
        case = CaseFactory(status="open")
        person = add_person(case, name="甲")
        actions.record_finding(case, actor=U("guangzhou.officer1"), kind="forged_certificate", person=person.pk)
        body = {"region": "440100", "month": "2018-09", "narrative": "本月工作情况", "reviewer": "王审核"}
        r = api("guangzhou.supervisor").post("/api/v1/reports/monthly/submit/", body, format="json")
        assert r.status_code == 200, r.content


def web(username: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(U(username))
    return client


def download(client: Client, query: dict) -> bytes:
    r = client.get("/api/v1/reports/monthly/", query)
    assert r.status_code == 200, r.content
    return r.content


def result_of(client: Client, job: Job) -> bytes:
    r = client.get(f"/jobs/{job.pk}/result/")
    assert r.status_code == 200
    assert f'filename="{job.result_name}"' in r["Content-Disposition"]
    return b"".join(r.streaming_content)


def sheet(body: bytes) -> list[tuple]:
    ws = load_workbook(io.BytesIO(body)).active
    return [tuple(c.value for c in row) for row in ws.iter_rows()]


def text(body: bytes) -> str:
    return extract_text(io.BytesIO(body))


def test_the_province_button_starts_a_job_whose_file_is_the_download(submitted, django_capture_on_commit_callbacks):
    client = web("gd.supervisor")
    page = client.get(PAGE.format(region="440000")).content.decode()
    assert 'data-testid="province-export"' in page and 'method="post"' in page and 'name="form" value="export"' in page
    for kind in ("xlsx", "pdf"):
        with django_capture_on_commit_callbacks(execute=True):
            r = client.post(PAGE.format(region="440000"), {"form": "export", "format": kind} | SIGNED)
        job = Job.objects.get(owner=U("gd.supervisor"), params__format=kind)
        assert r.status_code == 302 and r["Location"] == f"/jobs/{job.pk}/"
        job.refresh_from_db()
        assert job.kind == "monthly_export" and job.status == Job.Status.DONE, job.message
        assert (
            job.params
            == {"region": "440000", "month": "2018-09", "campaign": job.params["campaign"]} | {"format": kind} | SIGNED
        )
        assert job.result_name == f"monthly-440000-2018-09.{kind}" and (job.done, job.total) == (
            1,
            1,
        )  # whole when done
        made = result_of(client, job)
        direct = download(client, {"region": "440000", "month": "2018-09", "format": kind} | SIGNED)
        if kind == "xlsx":
            assert sheet(made) == sheet(direct)
            cells = [v for row in sheet(made) for v in row]
            assert "张填表" in cells and "李审核" in cells and "020-12345678" in cells
        else:
            assert made.startswith(b"%PDF-") and text(made) == text(direct)
            assert "广东省" in text(made) and "张填表" in text(made)
        first, counted = job.summary["lines"]
        assert job.summary["link"] == "/oversight/monthly/?region=440000&month=2018-09"
        assert "2018-09" in first and kind.upper() in first and "1" in counted and "21" in counted
        shown = html.unescape(client.get(f"/jobs/{job.pk}/").content.decode())
        assert f"monthly-440000-2018-09.{kind}" in shown and counted in shown, shown[shown.find('data-testid="job"') :]


def test_the_city_keeps_its_direct_links_and_may_start_a_job_too(submitted, django_capture_on_commit_callbacks):
    client = web("guangzhou.supervisor")
    page = client.get(PAGE.format(region="440100")).content.decode()
    assert "/api/v1/reports/monthly/?region=440100&month=2018-09&format=xlsx" in page
    assert 'data-testid="province-export"' not in page
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(PAGE.format(region="440100"), {"form": "export", "format": "xlsx"})
    job = Job.objects.get(owner=U("guangzhou.supervisor"))
    assert r.status_code == 302
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.result_name == "monthly-440100-2018-09.xlsx"
    made = sheet(result_of(client, job))
    assert made == sheet(download(client, {"region": "440100", "month": "2018-09", "format": "xlsx"}))
    assert made[0][0] == "广东省打击假冒特种作业操作证专项治理情况统计表"  # submitted: the record, not a draft


def test_the_api_answers_202_and_the_job_says_where_its_file_is(api, submitted, django_capture_on_commit_callbacks):
    client = api("gd.supervisor")
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(
            "/api/v1/reports/monthly/export/", {"region": "440000", "month": "2018-09", "format": "pdf"}, format="json"
        )
    assert r.status_code == 202, r.content
    job_id = r.json()["id"]
    assert r["Location"] == f"/api/v1/jobs/{job_id}/" and r.json()["kind"] == "monthly_export"
    shown = client.get(f"/api/v1/jobs/{job_id}/").json()
    assert shown["status"] == "done" and shown["result_name"] == "monthly-440000-2018-09.pdf"
    assert shown["result_url"] == f"/api/v1/jobs/{job_id}/result/" and shown["percent"] == 100
    assert any("2018-09" in line for line in shown["summary"]["lines"])
    browser = web("gd.supervisor")
    made = client.get(shown["result_url"])  # the token is enough
    body = b"".join(made.streaming_content)
    assert text(body) == text(download(browser, {"region": "440000", "month": "2018-09", "format": "pdf"}))
    # Someone else's job is not theirs to read.
    assert api("guangzhou.supervisor").get(f"/api/v1/jobs/{job_id}/").status_code == 404
    assert api("guangzhou.supervisor").get(shown["result_url"]).status_code == 404
    assert web("guangzhou.supervisor").get(f"/jobs/{job_id}/result/").status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"region": "440000", "month": "2018-09", "format": "csv"}, "format"),
        ({"region": "440000", "month": "2018-09"}, "format"),
        ({"region": "440000", "month": "Sept", "format": "xlsx"}, "month"),
        ({"region": "4400", "month": "2018-09", "format": "xlsx"}, "region"),
        ({"region": "440000", "month": "2018-09", "format": "xlsx", "phone": "call me"}, "phone"),
        ({"region": "440000", "month": "2026-01", "format": "xlsx"}, "campaign"),  # no campaign that month
        ({"region": "440000", "month": "2018-09", "format": "xlsx", "campaign": "no-such"}, "campaign"),
    ],
)
def test_bad_input_is_400_with_the_field_and_starts_nothing(api, body, field):
    r = api("gd.supervisor").post("/api/v1/reports/monthly/export/", body, format="json")
    assert r.status_code == 400 and field in r.json(), r.content
    assert not Job.objects.exists()


def test_the_page_refuses_a_bad_export_with_its_message(submitted):
    client = web("gd.supervisor")
    r = client.post(PAGE.format(region="440000"), {"form": "export", "format": "docx", "phone": "call me"})
    assert r.status_code == 400 and 'data-testid="export-errors"' in r.content.decode()
    assert 'value="call me"' in r.content.decode()
    assert not Job.objects.exists()


def test_who_may_not_see_the_region_starts_nothing(api):
    body = {"region": "440100", "month": "2018-09", "format": "xlsx"}
    assert api("shenzhen.supervisor").post("/api/v1/reports/monthly/export/", body, format="json").status_code == 404
    assert api("guangzhou.head").post("/api/v1/reports/monthly/export/", body, format="json").status_code == 404
    province = body | {"region": "440000"}
    assert (
        api("guangzhou.supervisor").post("/api/v1/reports/monthly/export/", province, format="json").status_code == 404
    )
    assert api().post("/api/v1/reports/monthly/export/", body, format="json").status_code == 401
    export = {"form": "export", "format": "xlsx"}
    assert web("shenzhen.supervisor").post(PAGE.format(region="440100"), export).status_code == 404
    assert web("guangzhou.supervisor").post(PAGE.format(region="440000"), export).status_code == 404
    assert web("guangzhou.head").post(PAGE.format(region="440100"), export).status_code == 403
    assert not Job.objects.exists()


def test_the_job_fails_with_a_message_when_its_owner_lost_the_region_before_it_ran(api, submitted):
    r = api("guangzhou.supervisor").post(
        "/api/v1/reports/monthly/export/", {"region": "440100", "month": "2018-09", "format": "xlsx"}, format="json"
    )
    assert r.status_code == 202  # queued: on_commit has not run it
    job = Job.objects.get(pk=r.json()["id"])
    assert job.status == Job.Status.QUEUED
    Membership.objects.filter(user=U("guangzhou.supervisor")).delete()
    assert runner.run(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and not job.result
    assert "440100" in job.message


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_makes_the_province_form(api, settings, tmp_path):
    from django.core.management import call_command

    from tests.celery_workers import broker, until, workers

    call_command("seed_demo", verbosity=0)  # an earlier transactional test may have emptied the tables
    settings.MEDIA_ROOT = media = tmp_path / "media"
    with broker(), workers(1, MEDIA_ROOT=str(media)):
        from config.celery import app

        app.amqp._producer_pool = None  # one made before broker() would publish through its closed pool
        body = {"region": "440000", "month": "2018-09", "format": "xlsx"} | SIGNED
        r = api("gd.supervisor").post("/api/v1/reports/monthly/export/", body, format="json")
        assert r.status_code == 202 and r.json()["status"] == "queued", r.content
        job_id = r.json()["id"]
        until(lambda: Job.objects.get(pk=job_id).finished, timeout=90, what="the export job to finish")
    shown = api("gd.supervisor").get(f"/api/v1/jobs/{job_id}/").json()
    assert shown["status"] == "done" and shown["result_url"] == f"/api/v1/jobs/{job_id}/result/", shown
    client = web("gd.supervisor")
    query = {"region": "440000", "month": "2018-09", "format": "xlsx"} | SIGNED
    assert sheet(result_of(client, Job.objects.get(pk=job_id))) == sheet(download(client, query))
