"""Jobs: only their owner sees them (pages and API), the rejected rows as a formula-safe CSV, the
progress pushed on the owner's group, and the runner's claim, failure and takeover rules."""

import csv
import datetime
import io

import pytest
import time_machine
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from jobs import runner
from jobs.kinds import RUNNERS, Kind
from jobs.models import Job, RejectedRow
from notifications.groups import group_name
from tests.factories import demo_user

pytestmark = pytest.mark.django_db

OWNER, OTHER = "guangzhou.officer1", "guangzhou.officer2"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def finished_job(owner="guangzhou.officer1", **fields) -> Job:
    job = Job.objects.create(
        kind=Kind.ROSTER_VERIFICATION,
        owner=demo_user(owner),
        status=Job.Status.DONE,
        source_name="名册.xlsx",
        done=3,
        total=3,
        error_count=2,
        summary={"lines": ["3 行已核验"], "link": "/certificates/roster/", "link_text": "查看"},
        **fields,
    )
    job.result.save("x", ContentFile(b"PK-result"), save=False)
    job.result_name = "roster-1-results.xlsx"
    job.save()
    RejectedRow.objects.create(job=job, line=4, reason='=HYPERLINK("http://x","点我")')
    RejectedRow.objects.create(job=job, line=7, reason="没有姓名")
    return job


def logged_in(client, username):
    client.force_login(demo_user(username))
    return client


def test_only_the_owner_sees_a_job_its_result_its_rejected_rows_and_its_api(client, api):
    job = finished_job()
    urls = [f"/jobs/{job.pk}/", f"/jobs/{job.pk}/result/", f"/jobs/{job.pk}/rejected.csv"]
    owner = logged_in(client, OWNER)
    page = owner.get(urls[0])
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="job-progress"' in html and 'value="100"' in html and "没有姓名" in html
    assert "3 行已核验" in html and f"/jobs/{job.pk}/result/" in html
    result = owner.get(urls[1])
    assert result.status_code == 200 and b"".join(result.streaming_content) == b"PK-result"
    assert "roster-1-results.xlsx" in result["Content-Disposition"]
    assert owner.get(urls[2]).status_code == 200
    body = api(OWNER).get(f"/api/v1/jobs/{job.pk}/")
    assert body.status_code == 200
    data = body.json()
    assert (data["id"], data["status"], data["percent"], data["error_count"]) == (job.pk, "done", 100, 2)
    # The files through the API, for a client with a token only (no session).
    assert data["result_url"] == f"/api/v1/jobs/{job.pk}/result/"
    assert data["rejected_url"] == f"/api/v1/jobs/{job.pk}/rejected/"
    made = api(OWNER).get(data["result_url"])
    assert made.status_code == 200 and b"".join(made.streaming_content) == b"PK-result"
    rows = api(OWNER).get(data["rejected_url"]).content.decode("utf-8-sig").splitlines()
    assert rows == ["行号,原因", '4,"\'=HYPERLINK(""http://x"",""点我"")"', "7,没有姓名"]

    for name in (OTHER, "guangzhou.head", "shenzhen.officer1", "guangzhou.supervisor"):
        other = logged_in(client, name)
        assert [other.get(url).status_code for url in urls] == [404, 404, 404], name
        assert api(name).get(f"/api/v1/jobs/{job.pk}/").status_code == 404, name
        assert api(name).get(f"/api/v1/jobs/{job.pk}/result/").status_code == 404, name
        assert api(name).get(f"/api/v1/jobs/{job.pk}/rejected/").status_code == 404, name
    client.logout()
    assert client.get(urls[0]).status_code == 302  # to the login page
    assert api(OWNER).get("/api/v1/jobs/999999/").status_code == 404


def test_a_job_without_a_result_has_no_result_to_download(client):
    job = Job.objects.create(kind=Kind.CASEFILE, owner=demo_user(OWNER))
    assert logged_in(client, OWNER).get(f"/jobs/{job.pk}/result/").status_code == 404
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert 'data-job-status="queued"' in page and 'value="0"' in page


def test_the_list_shows_the_callers_jobs_only(client, api):
    mine = finished_job()
    finished_job(OTHER)
    Job.objects.filter(owner__username=OTHER).update(source_name="别人的名册.xlsx")
    page = logged_in(client, OWNER).get("/jobs/").content.decode()
    assert f"/jobs/{mine.pk}/" in page and "名册.xlsx" in page and "别人的名册.xlsx" not in page
    listed = api(OWNER).get("/api/v1/jobs/").json()
    ids = [row["id"] for row in listed["results"]]
    assert ids == [mine.pk]
    empty = logged_in(client, "guangzhou.head").get("/jobs/")
    assert empty.status_code == 200 and 'data-testid="jobs"' in empty.content.decode()
    assert api("guangzhou.head").get("/api/v1/jobs/").json()["results"] == []


def test_the_rejected_rows_csv_is_formula_safe(client):
    job = finished_job()
    response = logged_in(client, OWNER).get(f"/jobs/{job.pk}/rejected.csv")
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows == [["行号", "原因"], ["4", '\'=HYPERLINK("http://x","点我")'], ["7", "没有姓名"]]


def test_progress_is_pushed_on_the_owners_group(settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    layer = get_channel_layer()
    owner = demo_user(OWNER)
    mine = async_to_sync(layer.new_channel)()
    theirs = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(group_name(owner.pk), mine)
    async_to_sync(layer.group_add)(group_name(demo_user(OTHER).pk), theirs)
    job = Job.objects.create(kind=Kind.ROSTER_VERIFICATION, owner=owner, status=Job.Status.RUNNING, done=30, total=120)
    RejectedRow.objects.create(job=job, line=2, reason="x")
    job.error_count = 1
    runner.push(job)
    event = async_to_sync(layer.receive)(mine)
    assert event == {
        "type": "notify",
        "message": {
            "type": "job",
            "id": job.pk,
            "kind": "roster_verification",
            "status": "running",
            "done": 30,
            "total": 120,
            "percent": 25,
            "rejected": 1,
        },
    }
    assert runner.message(job) == event["message"]

    async def nothing_for(channel):
        import asyncio

        try:
            await asyncio.wait_for(layer.receive(channel), 0.2)
        except TimeoutError:
            return True
        return False

    assert async_to_sync(nothing_for)(theirs)


def test_a_second_claim_of_a_running_fresh_job_gets_nothing_a_stale_one_is_taken_over(settings):
    settings.JOB_STALE_SECONDS = 120
    job = Job.objects.create(kind=Kind.ROSTER_VERIFICATION, owner=demo_user(OWNER))
    first = runner.claim(job.pk)
    assert first is not None
    job.refresh_from_db()
    assert (job.status, job.runner, job.attempts) == ("running", first, 1) and job.started_at
    assert runner.claim(job.pk) is None  # held, and its run reported just now
    old = runner.Run(job, first)
    with transaction.atomic():
        old.advance(5, {"next": 5})
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=60), tick=False):
        assert runner.claim(job.pk) is None  # quiet, not yet stale
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=121), tick=False):
        second = runner.claim(job.pk)
    assert second is not None and second != first
    job.refresh_from_db()
    assert (job.runner, job.attempts, job.done, job.checkpoint) == (second, 2, 5, {"next": 5})
    with pytest.raises(runner.Superseded), transaction.atomic():
        old.advance(10, {"next": 10}, rejected=[(3, "gone")])
    job.refresh_from_db()
    assert job.done == 5 and not job.rejected_rows.exists()  # the superseded batch rolled back
    with pytest.raises(runner.Superseded):
        old.finish(summary={"lines": ["x"]})
    assert Job.objects.get(pk=job.pk).status == "running"
    Job.objects.filter(pk=job.pk).update(status=Job.Status.DONE)
    assert runner.claim(job.pk) is None  # over


def refuses(run):
    raise runner.JobError("文件没有表头")


def breaks(run):
    raise ZeroDivisionError("division by zero")


def test_a_job_error_fails_the_job_with_its_message(client, monkeypatch):
    monkeypatch.setitem(RUNNERS, Kind.CASEFILE, "tests.jobs.test_jobs.refuses")
    job = Job.objects.create(kind=Kind.CASEFILE, owner=demo_user(OWNER))
    assert runner.run(job.pk) is True
    job.refresh_from_db()
    assert (job.status, job.message) == ("failed", "文件没有表头") and job.finished_at
    page = logged_in(client, OWNER).get(f"/jobs/{job.pk}/")
    assert page.status_code == 200 and "文件没有表头" in page.content.decode()
    assert runner.run(job.pk) is False  # over: a second delivery does nothing


def test_an_unexpected_error_fails_the_job_and_its_page_still_answers(client, monkeypatch):
    monkeypatch.setitem(RUNNERS, Kind.CASEFILE, "tests.jobs.test_jobs.breaks")
    job = Job.objects.create(kind=Kind.CASEFILE, owner=demo_user(OWNER))
    assert runner.run(job.pk) is True
    job.refresh_from_db()
    assert job.status == "failed" and "ZeroDivisionError" in job.message
    page = logged_in(client, OWNER).get(f"/jobs/{job.pk}/")
    assert page.status_code == 200 and 'data-job-status="failed"' in page.content.decode()


def test_a_superseded_run_stops_without_failing_the_job(monkeypatch):
    job = Job.objects.create(kind=Kind.CASEFILE, owner=demo_user(OWNER))

    def taken_over(run):
        Job.objects.filter(pk=run.job.pk).update(runner=None)
        with transaction.atomic():
            run.advance(1, {})

    monkeypatch.setattr(runner, "import_string", lambda path: taken_over)
    assert runner.run(job.pk) is False
    job.refresh_from_db()
    assert job.status == "running" and job.done == 0
