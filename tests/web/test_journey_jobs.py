"""A long roster in Chromium, run by a real Celery worker: an officer uploads 1,500 rows (a few
without a name, many that do not verify), is taken to the job's page, watches its progress bar
follow the worker over the WebSocket up to 100 %, downloads the results and reads them."""

import datetime
import io
import time

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone
from openpyxl import load_workbook

from certificates.models import Certificate, RosterCheck, VerificationBatch
from jobs.models import Job
from tests.celery_workers import broker, broker_url, kill, start_worker

from .browser import FOREIGN, PASSWORD, REFUSED, Desk

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

ROWS = 1500
REGISTERED = 400


@pytest.fixture
def served(request, monkeypatch, tmp_path):
    """The browser tests' server, publishing its tasks to the broker (not running them itself),
    with an upload folder the worker reads too."""
    monkeypatch.setenv("CELERY_BROKER_URL", broker_url())
    monkeypatch.setenv("MEDIA_ROOT", str(tmp_path / "media"))
    return request.getfixturevalue("server")


def roster() -> tuple[bytes, dict[str, int], int]:
    """The file, the statuses its verified rows should get, and how many rows lack a name."""
    today = timezone.localdate()
    Certificate.objects.bulk_create(
        Certificate(
            number=f"JOB{i:05d}",
            holder_name=f"工人{i}",
            id_hash=f"{i:064d}",
            id_masked="440106********0011",
            category="welding",
            item="焊接",
            issued_on=today - datetime.timedelta(days=400),
            expires_on=today + datetime.timedelta(days=365),
            reviewed_on=today - datetime.timedelta(days=30),
            authority="广东省应急管理厅",
        )
        for i in range(REGISTERED)
    )
    lines, expected, nameless = ["number,name"], {"valid": 0, "no_match": 0}, 0
    for i in range(ROWS):
        if i % 100 == 99:
            lines.append(f"JOB{i % REGISTERED:05d},")  # no name: not verified, listed as rejected
            nameless += 1
        elif i % 3 == 0:
            lines.append(f"JOB{i % REGISTERED:05d},工人{i % REGISTERED}")
            expected["valid"] += 1
        elif i % 3 == 1:
            lines.append(f"JOB{i % REGISTERED:05d},冒名{i}")  # a wrong name
            expected["no_match"] += 1
        else:
            lines.append(f"FAKE{i:05d},无证{i}")  # an unknown number
            expected["no_match"] += 1
    return ("\n".join(lines) + "\n").encode(), expected, nameless


def test_an_officer_follows_a_long_roster_to_its_results(served, chromium, settings, tmp_path):
    from django.conf import global_settings

    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS  # the server checks with the real ones
    call_command("seed_demo", password=PASSWORD, verbosity=0)
    cache.clear()  # the quotas (in Redis, shared with the server) start unused
    content, expected, nameless = roster()
    verified = ROWS - nameless
    assert verified > settings.ROSTER_JOB_ROWS and verified <= settings.VERIFY_ITEMS_PER_USER_HOUR
    FOREIGN.clear()
    REFUSED.clear()

    with broker():
        officer = Desk(chromium, served, "guangzhou.officer1")
        page = officer.page
        officer.go("/certificates/roster/")
        page.fill("#id_employer", "某建筑工程有限公司")
        page.set_input_files("#id_roster", files=[{"name": "名册.csv", "mimeType": "text/csv", "buffer": content}])
        # What the sockets opened from here on (the job page's) receive; the roster page's is not heard.
        frames: list = []
        page.on("websocket", lambda socket: socket.on("framereceived", lambda frame: frames.append(frame)))
        page.click("form.xj-form button[type=submit]")
        page.wait_for_url(lambda url: "/jobs/" in url)
        job = Job.objects.get()
        assert page.url == f"{served}/jobs/{job.pk}/"
        # No worker yet: the job waits on the broker, the page at 0.
        assert job.status == "queued" and job.source_name == "名册.csv"
        assert page.get_attribute("[data-testid=job]", "data-job-status") == "queued"
        assert page.get_attribute("[data-testid=job-progress]", "value") == "0"
        # The socket of this page is up before work starts: its first message (the unread count) is
        # sent once it has joined the officer's group. Playwright delivers events while it waits.
        deadline = time.monotonic() + 30
        while not frames:
            assert time.monotonic() < deadline, "the job page's WebSocket never answered"
            page.wait_for_timeout(100)
        # Every value the bar takes, kept on the window (the page is replaced when the job ends).
        page.evaluate(
            """() => {
                window.jobBar = [];
                const bar = document.querySelector('[data-testid=job-progress]');
                new MutationObserver(() => window.jobBar.push(Number(bar.value)))
                    .observe(bar, {attributes: true, attributeFilter: ['value']});
            }"""
        )
        officer.shot("jobs-queued")

        log = open(tmp_path / "worker.log", "w+b")  # noqa: SIM115  # closed in the finally below
        worker = start_worker("roster", log=log, MEDIA_ROOT=str(tmp_path / "media"))
        try:
            page.wait_for_function(
                """() => document.querySelector('[data-testid=job]').dataset.jobStatus === 'done'
                    && document.querySelector('[data-testid=job-result]') !== null""",
                timeout=120_000,
            )
        except BaseException:
            log.seek(0)
            print(log.read().decode(errors="replace")[-5000:])
            raise
        finally:
            kill(worker)
            log.close()

    seen = page.evaluate("window.jobBar")
    assert seen and seen[-1] == 100 and seen == sorted(seen), seen  # it moved forward, up to the end
    assert page.get_attribute("[data-testid=job-progress]", "value") == "100"
    assert page.inner_text("[data-job-field=percent]").strip() == "100"
    assert page.inner_text("[data-job-field=done]").strip() == str(verified)
    assert page.inner_text("[data-job-field=rejected]").strip() == str(nameless)
    assert page.locator("[data-testid=job-rejected] tbody tr").count() == nameless
    officer.shot("jobs-done")

    job.refresh_from_db()
    saved = RosterCheck.objects.get()
    assert (job.status, job.done, job.total, job.error_count) == ("done", verified, verified, nameless)
    batch = VerificationBatch.objects.get()
    assert (batch.purpose, batch.items, batch.counts, batch.employer) == (
        "roster",
        verified,
        expected,
        "某建筑工程有限公司",
    )

    with page.expect_download() as download:
        page.click("[data-testid=job-result]")
    assert download.value.suggested_filename == f"roster-{saved.pk}-results.xlsx"
    sheet = load_workbook(io.BytesIO(open(download.value.path(), "rb").read())).worksheets[0]  # noqa: SIM115
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("证书编号", "姓名", "核验结果", "结果代码")
    assert len(rows) == verified + 1
    assert rows[1][:2] == ("JOB00000", "工人0") and rows[1][3] == "valid"
    assert {status: sum(1 for row in rows[1:] if row[3] == status) for status in expected} == expected

    # The summary links to the roster's own page: its failed rows, ready for a lead.
    page.click("[data-testid=job-link]")
    page.wait_for_url(f"{served}/certificates/roster/{saved.pk}/")
    assert "冒名1" in page.content()
    assert not FOREIGN, FOREIGN
    assert not REFUSED, REFUSED
