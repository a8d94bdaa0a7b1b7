"""A roster longer than ROSTER_JOB_ROWS is verified as a job: the same quotas, the same one
verification record, the same saved roster (its results page, download and leads), resumable."""

import datetime
import io

import pytest
import time_machine
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation
from django.utils.translation import gettext
from openpyxl import load_workbook

from certificates import roster_job
from certificates.models import Certificate, RosterCheck, VerificationBatch
from certificates.verify import status_labels
from core import ratelimit
from core.identity import id_hash, mask_id_number
from demo.sample_cases import make_id_number
from jobs import runner
from jobs.models import Job
from tests.factories import demo_user

pytestmark = pytest.mark.django_db
ID = make_id_number("440106", datetime.date(1980, 1, 2), 11)
NUMBER = "T440106198001020011"


@pytest.fixture(autouse=True)
def _setup(settings, tmp_path):
    cache.clear()
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.ROSTER_JOB_ROWS = 3
    yield
    cache.clear()


@pytest.fixture
def registered():
    return Certificate.objects.create(
        number=NUMBER,
        holder_name="张伟",
        id_hash=id_hash(ID),
        id_masked=mask_id_number(ID),
        category="welding",
        item="焊接",
        issued_on=datetime.date(2022, 1, 1),
        expires_on=timezone.localdate() + datetime.timedelta(days=365),
        reviewed_on=timezone.localdate(),
        authority="广东省应急管理厅",
    )


ROSTER = f"number,name\n{NUMBER},张伟\nFAKE-1,赵六\n{NUMBER},王五\nFAKE-2,\n=1+2,@SUM(A1)\n{NUMBER},张 伟\n"
EXPECTED = ["valid", "no_match", "no_match", "no_match", "valid"]


def used(user, kind="verify-user-hour"):
    now = timezone.localtime()
    key = f"{user.pk}:{now:%Y%m%d%H}" if kind.endswith("hour") else f"{user.pk}:{now:%Y%m%d}"
    return ratelimit.used(kind, key)


def post(client, django_capture_on_commit_callbacks, text=ROSTER, name="名册.csv"):
    client.force_login(demo_user("guangzhou.officer1"))
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(
            "/certificates/roster/", {"employer": "某建筑公司", "roster": SimpleUploadedFile(name, text.encode())}
        )


def test_a_long_roster_runs_as_a_job_and_leaves_what_the_page_would(
    client, registered, settings, django_capture_on_commit_callbacks
):
    officer = demo_user("guangzhou.officer1")
    r = post(client, django_capture_on_commit_callbacks)
    job = Job.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/jobs/{job.pk}/"
    assert (job.kind, job.owner, job.source_name, job.status) == ("roster_verification", officer, "名册.csv", "done")
    assert (job.done, job.total, job.error_count) == (5, 5, 1)
    assert list(job.rejected_rows.values_list("line", flat=True)) == [5]  # FAKE-2 has no name
    saved = RosterCheck.objects.get()
    assert (saved.user, saved.filename, saved.employer) == (officer, "名册.csv", "某建筑公司")
    assert [row["status"] for row in saved.results] == EXPECTED
    batch = VerificationBatch.objects.get()  # one record for the roster, not one a batch
    assert (
        batch.purpose,
        batch.items,
        batch.filename,
        batch.employer,
        getattr(batch.agency, "slug", None),
        batch.via_api,
    ) == (
        "roster",
        5,
        "名册.csv",
        "某建筑公司",
        "guangzhou-safety",
        False,
    )
    assert batch.counts == {"valid": 2, "no_match": 3}
    assert used(officer) == 5 and used(officer, "verify-user-day") == 5
    # The result is the roster's download, byte for byte the same sheet; the summary links to its page.
    download = client.get(f"/certificates/roster/{saved.pk}/results.xlsx")
    assert job.result_name == f"roster-{saved.pk}-results.xlsx"
    result = client.get(f"/jobs/{job.pk}/result/")
    from_job = load_workbook(io.BytesIO(b"".join(result.streaming_content))).worksheets[0]
    from_page = load_workbook(io.BytesIO(download.content)).worksheets[0]
    rows = list(from_job.iter_rows(values_only=True))
    assert rows == list(from_page.iter_rows(values_only=True))
    assert rows[0] == ("证书编号", "姓名", "核验结果", "结果代码")  # the codes stay, under a Chinese head
    assert [row[3] for row in rows[1:]] == EXPECTED and rows[4][:2] == ("'=1+2", "'@SUM(A1)")
    assert job.summary["link"] == f"/certificates/roster/{saved.pk}/"
    with translation.override(settings.LANGUAGE_CODE):  # written in the offices' language
        verified = gettext("Rows verified: %(n)s") % {"n": 5}
        valid = gettext("%(label)s: %(count)s") % {"label": status_labels()["valid"], "count": 2}
    # The page's form, full-width colon and all.
    assert job.summary["lines"] == [
        "已核验行数：5",
        "有效：2",
        "无此编号与姓名相符的证书：3",
        "缺少证书编号或姓名、未核验的行数：1",
    ]
    assert job.summary["lines"][:2] == [verified, valid]
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert verified in page and f'href="/certificates/roster/{saved.pk}/"' in page
    # The roster's own pages work unchanged: its result, and a lead from a failed row.
    assert "赵六" in client.get(job.summary["link"]).content.decode()
    assert client.post(f"/certificates/roster/{saved.pk}/lead/1/").status_code == 302


def test_a_roster_up_to_the_limit_stays_in_the_request(client, registered, django_capture_on_commit_callbacks):
    r = post(client, django_capture_on_commit_callbacks, text=f"number,name\n{NUMBER},张伟\nX,李四\nY,王五\n")
    saved = RosterCheck.objects.get()
    assert r["Location"] == f"/certificates/roster/{saved.pk}/"
    assert not Job.objects.exists() and VerificationBatch.objects.get().items == 3


def test_a_refused_quota_refuses_at_once_and_uses_nothing(client, settings, django_capture_on_commit_callbacks):
    settings.VERIFY_ITEMS_PER_USER_HOUR = 4
    r = post(client, django_capture_on_commit_callbacks)
    assert r.status_code == 429 and r["Retry-After"]
    assert "4" in r.content.decode()
    assert not Job.objects.exists() and not RosterCheck.objects.exists() and not VerificationBatch.objects.exists()
    assert used(demo_user("guangzhou.officer1")) == 0


def test_a_run_killed_between_batches_resumes_from_its_checkpoint(
    client, registered, monkeypatch, settings, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(roster_job, "BATCH", 2)
    real_verify = roster_job.verify
    calls: list[int] = []

    class Killed(BaseException):
        pass

    def verify_then_die(items, *args, **kwargs):
        calls.append(len(items))
        if len(calls) == 2:
            raise Killed
        return real_verify(items, *args, **kwargs)

    monkeypatch.setattr(roster_job, "verify", verify_then_die)
    with pytest.raises(Killed):
        post(client, django_capture_on_commit_callbacks)
    job = Job.objects.get()
    assert (job.status, job.done, job.total, len(job.checkpoint["results"])) == ("running", 2, 5, 2)
    assert job.error_count == 1 and not RosterCheck.objects.exists() and not VerificationBatch.objects.exists()
    assert runner.run(job.pk) is False  # the dead run's claim is still fresh
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=settings.JOB_STALE_SECONDS + 1)):
        assert runner.stale_jobs() == [job.pk]
        assert runner.run(job.pk) is True
    assert calls == [2, 2, 2, 1]  # the first two rows were not verified again
    job.refresh_from_db()
    assert (job.status, job.done, job.attempts, job.error_count) == ("done", 5, 2, 1)
    assert [row["status"] for row in RosterCheck.objects.get().results] == EXPECTED
    assert VerificationBatch.objects.get().items == 5
    assert used(demo_user("guangzhou.officer1")) == 5  # the quota was taken once, when the file came


def test_a_run_killed_after_saving_the_roster_only_finishes(client, registered, monkeypatch, settings):
    monkeypatch.setattr(runner.Run, "finish", lambda self, **kw: (_ for _ in ()).throw(KeyboardInterrupt))
    client.force_login(demo_user("guangzhou.officer1"))
    job = roster_job.start(
        demo_user("guangzhou.officer1"), SimpleUploadedFile("r.csv", ROSTER.encode()), [{}] * 5, "某建筑公司"
    )
    with pytest.raises(KeyboardInterrupt):
        runner.run(job.pk)
    monkeypatch.undo()
    job.refresh_from_db()
    assert job.checkpoint == {"roster": RosterCheck.objects.get().pk}
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=settings.JOB_STALE_SECONDS + 1)):
        assert runner.run(job.pk) is True
    job.refresh_from_db()
    assert job.status == "done" and job.result
    assert RosterCheck.objects.count() == 1 and VerificationBatch.objects.count() == 1


def test_a_roster_file_no_longer_readable_fails_the_job_with_a_message(client, registered):
    officer = demo_user("guangzhou.officer1")
    job = roster_job.start(officer, SimpleUploadedFile("r.csv", b"number,name\n,\n"), [{}] * 5, "")
    runner.run(job.pk)
    job.refresh_from_db()
    assert job.status == "failed" and "没有" in job.message
    assert not RosterCheck.objects.exists() and not VerificationBatch.objects.exists()


def test_a_long_gbk_roster_with_its_columns_anywhere_is_read_by_the_job_as_by_the_page(
    client, registered, django_capture_on_commit_callbacks
):
    """The worker reads the kept file with the page's reader: GBK, a header among other columns."""
    roster = f"序号,工种,姓名,证书编号\n1,焊工,张伟,{NUMBER}\n2,电工,赵六,FAKE-1\n3,焊工,,FAKE-2\n4,电工,王五,{NUMBER}\n5,焊工,张伟,{NUMBER}\n"
    client.force_login(demo_user("guangzhou.officer1"))
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post("/certificates/roster/", {"roster": SimpleUploadedFile("名册.csv", roster.encode("gbk"))})
    job = Job.objects.get()
    assert r["Location"] == f"/jobs/{job.pk}/" and job.status == "done"
    assert (job.done, job.error_count) == (4, 1)
    assert list(job.rejected_rows.values_list("line", flat=True)) == [4]
    saved = RosterCheck.objects.get()
    assert [(row["name"], row["status"]) for row in saved.results] == [
        ("张伟", "valid"),
        ("赵六", "no_match"),
        ("王五", "no_match"),
        ("张伟", "valid"),
    ]
    assert job.summary["lines"] == [
        "已核验行数：4",
        "有效：2",
        "无此编号与姓名相符的证书：2",
        "缺少证书编号或姓名、未核验的行数：1",
    ]
