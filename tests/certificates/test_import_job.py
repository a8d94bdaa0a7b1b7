"""The certificate registry's import from the web, as a job: for the registry keepers only, the
upload checked in the request, the rows imported batch by batch with the job's progress, a run
killed half-way resumed without doubling anything — in-process, and on the real broker with a
worker killed by SIGKILL in the middle of 200,000 rows."""

import datetime
import re
import signal
import tempfile
import time
import zipfile

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import timezone

from certificates import importer
from certificates.models import Certificate
from demo.sample_cases import make_id_number
from jobs import runner
from jobs.models import Job, RejectedRow
from tests.factories import demo_user

pytestmark = pytest.mark.django_db

HEADER = ",".join(importer.HEADER)
GOOD_ID = make_id_number("440103", datetime.date(1990, 5, 6), 3)
KEEPER = "guangzhou.head"  # demo.data.REGISTRY_KEEPER


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    # The messages are read in English here (the offices' language set to it, as a deployment in
    # English would); test_the_messages_are_chinese_by_default reads them in Chinese.
    settings.LANGUAGE_CODE = "en"
    cache.clear()
    settings.MEDIA_ROOT = tmp_path / "media"
    yield
    cache.clear()


def good(number: str, name: str = "李雷") -> str:
    return f"{number},{name},{GOOD_ID},焊接与热切割作业,熔化焊接,2022-01-01,,,广州市应急管理局,valid"


# Ten lines after the header: four good, one blank, four bad and G001 again (rejected: line 2 has it).
ROWS = [
    good("G001"),
    good("G002"),
    "B004,坏行,440103199005060001,electrical,低压电工,2021-05-01,,,x,valid",  # check digit
    f"B005,坏行,{GOOD_ID},木工作业,x,2021-05-01,,,x,valid",  # no such category
    good("G003"),
    "",
    f"B008,坏行,{GOOD_ID},electrical,x,May 2021,,,x,valid",  # not a date
    good("G004"),
    f"B010,坏行,{GOOD_ID},electrical,x,2021-05-01,,,x,lost",  # no such status
    good("G001", "李雷雷"),
]
BAD_LINES = [4, 5, 8, 10, 11]
# Every reason for a cell: its column as in the header, what it holds, then what is wrong.
REASON = re.compile(r"^[a-z_]+ \([^)]+\): .+")


def registry(rows=ROWS, header=HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


def upload(content: bytes, name: str = "证书库.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def keeper_client(client):
    client.force_login(demo_user(KEEPER))
    return client


# --- who ------------------------------------------------------------------------------------------


def test_the_page_and_the_api_are_for_the_registry_keepers_only(client, api):
    assert demo_user(KEEPER).has_perm("certificates.import_certificates")
    officer = demo_user("guangzhou.officer1")
    assert not officer.has_perm("certificates.import_certificates")
    client.force_login(officer)
    assert client.get("/certificates/import/").status_code == 403
    assert client.post("/certificates/import/", {"file": upload(registry())}).status_code == 403
    # The menu of an officer has no import; the keeper's has.
    assert "/certificates/import/" not in client.get("/certificates/check/").content.decode()
    r = api("guangzhou.officer1").post(
        "/api/v1/certificates/imports/", {"file": upload(registry())}, format="multipart"
    )
    assert r.status_code == 403
    assert api().post("/api/v1/certificates/imports/", {"file": upload(registry())}).status_code == 401
    assert not Job.objects.exists()

    keeper = keeper_client(client)
    page = keeper.get("/certificates/import/")
    assert page.status_code == 200
    text = page.content.decode()
    assert HEADER in text and importer.SAMPLE in text  # the header and a line as an example
    assert "/certificates/import/" in keeper.get("/certificates/check/").content.decode()


def test_the_keeper_starts_a_job_from_the_page_and_from_the_api(client, api, monkeypatch):
    started = []
    monkeypatch.setattr(runner, "enqueue", started.append)  # queued, not run: this test is about the start
    r = keeper_client(client).post("/certificates/import/", {"file": upload(registry())})
    job = Job.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/jobs/{job.pk}/"
    assert (job.kind, job.owner.username, job.source_name, job.status) == (
        "certificate_import",
        KEEPER,
        "证书库.csv",
        "queued",
    )
    assert job.source.read() == registry() and started == [job.pk]
    r = api(KEEPER).post("/api/v1/certificates/imports/", {"file": upload(registry())}, format="multipart")
    assert r.status_code == 202
    body = r.json()
    assert body["kind"] == "certificate_import" and body["page_url"] == f"/jobs/{body['id']}/"
    assert r["Location"] == f"/api/v1/jobs/{body['id']}/" and started == [job.pk, body["id"]]


def test_a_superuser_may_import_through_the_api(api, monkeypatch):
    monkeypatch.setattr(runner, "enqueue", lambda pk: None)
    r = api("admin").post("/api/v1/certificates/imports/", {"file": upload(registry())}, format="multipart")
    assert r.status_code == 202


# --- bad uploads ---------------------------------------------------------------------------------


def _zip_without_a_workbook() -> bytes:
    import io

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    return buffer.getvalue()


BAD_UPLOADS = [
    ("图片.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "neither a CSV file in UTF-8 nor an XLSX workbook"),
    ("gbk.csv", HEADER.encode() + "\nG1,李雷\n".encode("gbk"), "neither a CSV file in UTF-8 nor an XLSX workbook"),
    ("archive.xlsx", _zip_without_a_workbook(), "neither a CSV file in UTF-8 nor an XLSX workbook"),
    ("empty.csv", b"", None),  # an empty file: Django's own message (API) or ours (page)
]


@pytest.mark.parametrize("name, content, message", BAD_UPLOADS)
def test_a_bad_upload_is_the_form_again_with_its_message(client, name, content, message):
    r = keeper_client(client).post("/certificates/import/", {"file": upload(content, name)})
    assert r.status_code == 400
    errors = r.context["errors"]
    assert set(errors) == {"file"} and (message is None or message in errors["file"])
    assert 'data-testid="file-error"' in r.content.decode()
    assert not Job.objects.exists()


def _xlsx(header: list[str]) -> bytes:
    import io

    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(header)
    wb.active.append(["X1", "张三"])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


WRONG_HEADERS = [
    ("registry.csv", registry(header="number,name,id,category")),
    ("registry.csv", registry(header="")),
    ("registry.xlsx", _xlsx(["number", "name", "id"])),
]


@pytest.mark.parametrize("name, content", WRONG_HEADERS)
def test_a_wrong_header_is_refused_at_the_upload(client, api, name, content, monkeypatch):
    started = []
    monkeypatch.setattr(runner, "enqueue", started.append)
    r = keeper_client(client).post("/certificates/import/", {"file": upload(content, name)})
    assert r.status_code == 400
    assert r.context["errors"] == {"file": "The first line must be the header " + HEADER + "."}
    assert 'data-testid="file-error"' in r.content.decode()
    r = api(KEEPER).post("/api/v1/certificates/imports/", {"file": upload(content, name)}, format="multipart")
    assert r.status_code == 400 and r.json() == {"file": ["The first line must be the header " + HEADER + "."]}
    assert not Job.objects.exists() and not started
    # The right header in a workbook passes the upload.
    r = api(KEEPER).post(
        "/api/v1/certificates/imports/", {"file": upload(_xlsx(importer.HEADER), "ok.xlsx")}, format="multipart"
    )
    assert r.status_code == 202 and Job.objects.count() == 1


def test_the_form_without_a_file_and_with_a_file_too_large(client, settings):
    keeper = keeper_client(client)
    r = keeper.post("/certificates/import/", {})
    assert r.status_code == 400 and "Choose the registry file" in r.context["errors"]["file"]
    settings.IMPORT_MAX_BYTES = 100
    r = keeper.post("/certificates/import/", {"file": upload(registry())})
    assert r.status_code == 400 and "too large" in r.context["errors"]["file"]
    assert not Job.objects.exists()


@pytest.mark.parametrize("name, content, message", BAD_UPLOADS)
def test_a_bad_upload_to_the_api_is_a_400_on_its_file(api, name, content, message):
    r = api(KEEPER).post("/api/v1/certificates/imports/", {"file": upload(content, name)}, format="multipart")
    assert r.status_code == 400 and list(r.json()) == ["file"]
    assert message is None or message in r.json()["file"][0]
    assert not Job.objects.exists()


def test_the_api_without_a_file_and_with_a_file_too_large(api, settings):
    r = api(KEEPER).post("/api/v1/certificates/imports/", {}, format="multipart")
    assert r.status_code == 400 and list(r.json()) == ["file"]
    settings.IMPORT_MAX_BYTES = 100
    r = api(KEEPER).post("/api/v1/certificates/imports/", {"file": upload(registry())}, format="multipart")
    assert r.status_code == 400 and "too large" in r.json()["file"][0]
    assert not Job.objects.exists()


def test_the_import_is_documented_in_the_openapi_schema(api):
    operation = api().get("/api/schema/?format=json").json()["paths"]["/api/v1/certificates/imports/"]["post"]
    assert {"202", "400", "401", "403"} <= set(operation["responses"])
    assert "multipart/form-data" in operation["requestBody"]["content"]


# --- the run -------------------------------------------------------------------------------------


def test_an_eager_run_imports_the_good_rows_and_lists_the_bad_ones(client, api, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # no broker: the job runs in-process at the commit
        r = keeper_client(client).post("/certificates/import/", {"file": upload(registry())})
    job = Job.objects.get()
    assert r["Location"] == f"/jobs/{job.pk}/"
    assert job.status == "done" and job.total == len(ROWS) and job.done == job.total and job.percent == 100
    assert sorted(Certificate.objects.values_list("number", flat=True)) == ["G001", "G002", "G003", "G004"]
    g1 = Certificate.objects.get(number="G001")
    # The first row of G001 is kept: a later row of the same number does not replace its holder.
    assert g1.holder_name == "李雷" and g1.id_masked == "440***********" + GOOD_ID[-4:]
    assert g1.expires_on == datetime.date(2028, 1, 1)  # six years after the issue
    rejected = dict(RejectedRow.objects.filter(job=job).values_list("line", "reason"))
    assert sorted(rejected) == BAD_LINES and job.error_count == 5
    assert rejected[4].startswith("id_number (resident ID number): ") and "check digit" in rejected[4]
    assert rejected[5] == "category (category): '木工作业' is not one of the 11 categories"
    assert rejected[8] == "issued_on (date of issue): 'May 2021' is not a date (YYYY-MM-DD)"
    assert rejected[10] == "status (status): 'lost' is not valid or revoked"
    assert rejected[11] == "number (certificate number): the same as line 2"
    assert all(REASON.match(reason) for reason in rejected.values()), rejected
    assert job.checkpoint == {"line": len(ROWS) + 1, "read": 9, "imported": 4}
    # Every row read is imported or rejected, in the sentence and in the counts beside it.
    assert job.summary["counts"] == {"read": 9, "imported": 4, "rejected": 5}
    assert job.summary["lines"] == ["9 rows read: 4 certificates imported or updated, 5 rows rejected."]
    assert api(KEEPER).get(f"/api/v1/jobs/{job.pk}/").json()["summary"] == job.summary
    assert not job.source  # the upload, with its full ID numbers, is not kept
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "木工作业" in page and 'data-testid="job-rejected-csv"' in page


def test_an_xlsx_registry_is_imported_as_a_job(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(importer.HEADER)
    ws.append(["X1", "张三", GOOD_ID, "高处作业", "登高架设", datetime.date(2020, 1, 1), None, None, "省厅", "valid"])
    ws.append(["X2", "", GOOD_ID, "高处作业", "登高架设", datetime.date(2020, 1, 1), None, None, "省厅", "valid"])
    wb.save(tmp_path / "registry.xlsx")
    job = queued((tmp_path / "registry.xlsx").read_bytes())
    assert runner.run(job.pk)
    job.refresh_from_db()
    assert job.status == "done" and (job.done, job.total, job.error_count) == (2, 2, 1)
    assert Certificate.objects.get().expires_on == datetime.date(2026, 1, 1)
    assert list(job.rejected_rows.values_list("line", flat=True)) == [3]


def queued(content: bytes, **fields) -> Job:
    """A job as runner.start leaves it, without its task sent."""
    job = Job(kind="certificate_import", owner=demo_user(KEEPER), source_name="证书库.csv", **fields)
    job.source.save("upload", ContentFile(content), save=False)
    job.save()
    return job


class Killed(BaseException):
    """The worker dies: nothing of the run catches it, as nothing catches SIGKILL."""


def test_a_run_killed_half_way_is_resumed_without_doubling_anything(monkeypatch):
    """BATCH of 2: the run stores two batches and is killed in the third (rolled back). The
    checkpoint is then set back one batch, as if the second batch had been stored but its report
    lost: the resumed run reads lines 4–5 again, and nothing is doubled."""
    monkeypatch.setattr(importer, "BATCH", 2)
    checkpoints: list[dict] = []
    advance = runner.Run.advance

    def dying(self, done, checkpoint, rejected=()):
        if len(checkpoints) == 2:
            raise Killed
        advance(self, done, checkpoint, rejected)
        checkpoints.append(checkpoint)

    job = queued(registry())
    monkeypatch.setattr(runner.Run, "advance", dying)
    with pytest.raises(Killed):
        runner.run(job.pk)
    job.refresh_from_db()
    assert job.status == "running" and (job.done, job.total) == (4, len(ROWS))
    assert sorted(Certificate.objects.values_list("number", flat=True)) == ["G001", "G002"]
    assert sorted(job.rejected_rows.values_list("line", flat=True)) == [4, 5]
    # The second batch read twice: its certificates and its rejected row are already stored.
    Job.objects.filter(pk=job.pk).update(
        checkpoint=checkpoints[0], done=2, heartbeat_at=timezone.now() - datetime.timedelta(hours=1)
    )
    monkeypatch.setattr(runner.Run, "advance", advance)
    assert runner.run(job.pk)  # the stale claim is taken over
    job.refresh_from_db()
    assert job.status == "done" and job.attempts == 2 and job.done == job.total == len(ROWS)
    numbers = list(Certificate.objects.values_list("number", flat=True))
    assert (
        sorted(numbers) == ["G001", "G002", "G003", "G004"]
        and Certificate.objects.get(number="G001").holder_name == "李雷"
    )
    assert sorted(job.rejected_rows.values_list("line", flat=True)) == BAD_LINES and job.error_count == 5
    # G001 of line 2 was stored by the first run, before the checkpoint: the resumed run, which
    # skips that line, still knows its number and rejects line 11 naming it.
    assert job.rejected_rows.get(line=11).reason == "number (certificate number): the same as line 2"
    assert job.checkpoint == {"line": len(ROWS) + 1, "read": 9, "imported": 4}
    assert job.summary["counts"] == {"read": 9, "imported": 4, "rejected": 5}


def test_a_checkpoint_at_the_end_finishes_without_reading_again():
    job = queued(registry(), checkpoint={"line": len(ROWS) + 1, "read": 9, "imported": 5}, done=len(ROWS))
    assert runner.run(job.pk)
    job.refresh_from_db()
    assert job.status == "done" and job.done == job.total and not Certificate.objects.exists()


@pytest.mark.parametrize(
    "content, max_rows, message",
    [
        (registry(header="number,name,id,category"), None, "The first line must be the header " + HEADER),
        (b"", None, "The file is empty"),
        (registry(rows=[]), None, "The file has no data rows"),
        (registry(rows=["", " , ,"]), None, "The file has no data rows"),
        (registry(), 3, "more than 3 rows"),
    ],
)
def test_a_file_refused_as_a_whole_fails_the_job_and_imports_nothing(settings, content, max_rows, message):
    if max_rows:
        settings.IMPORT_MAX_ROWS = max_rows
    job = queued(content)
    assert runner.run(job.pk)
    job.refresh_from_db()
    assert job.status == "failed" and message in job.message and job.finished_at
    assert not Certificate.objects.exists() and not job.rejected_rows.exists() and job.total is None
    assert not job.source


def test_the_command_keeps_its_rules(tmp_path, capsys):
    path = tmp_path / "registry.csv"
    path.write_bytes(registry())
    with pytest.raises(SystemExit):
        call_command("import_certificates", str(path))
    out = capsys.readouterr()
    assert "4 certificates imported, 5 rows rejected of 9" in out.out
    assert "line 11: number (certificate number): the same as line 2" in out.err
    assert Certificate.objects.count() == 4 and Certificate.objects.get(number="G001").holder_name == "李雷"


def test_the_command_refuses_a_file_with_the_header_only(tmp_path):
    path = tmp_path / "registry.csv"
    path.write_bytes(registry(rows=[]))
    with pytest.raises(CommandError, match="no data rows"):
        call_command("import_certificates", str(path))


def run_rows(rows: list[str]) -> tuple[Job, dict[int, str]]:
    job = queued(registry(rows))
    assert runner.run(job.pk)
    job.refresh_from_db()
    return job, dict(job.rejected_rows.values_list("line", "reason"))


def test_a_date_of_issue_or_review_after_today_is_rejected():
    today = timezone.localdate()
    tomorrow = (today + datetime.timedelta(days=1)).isoformat()
    job, rejected = run_rows(
        [
            f"F1,李雷,{GOOD_ID},焊接与热切割作业,熔化焊接,{tomorrow},,,广州市应急管理局,valid",
            f"F2,李雷,{GOOD_ID},焊接与热切割作业,熔化焊接,2022-01-01,,{tomorrow},广州市应急管理局,valid",
            f"F3,李雷,{GOOD_ID},焊接与热切割作业,熔化焊接,{today.isoformat()},,{today.isoformat()},广州市应急管理局,",
            f"F4,李雷,{GOOD_ID},焊接与热切割作业,熔化焊接,2022-01-01,2099-01-01,,广州市应急管理局,valid",
        ]
    )
    assert rejected == {
        2: f"issued_on (date of issue): {tomorrow} is after today ({today.isoformat()})",
        3: f"reviewed_on (date of the last review): {tomorrow} is after today ({today.isoformat()})",
    }
    # Today is not the future, and an expiry date is meant to be in it.
    assert sorted(Certificate.objects.values_list("number", flat=True)) == ["F3", "F4"]
    assert job.summary["counts"] == {"read": 4, "imported": 2, "rejected": 2}


def test_a_row_with_too_few_columns_says_how_many_it_has():
    job, rejected = run_rows([f"S1,李雷,{GOOD_ID},焊接与热切割作业,熔化焊接,2022-01-01", "S2", good("S3")])
    assert rejected == {
        2: "The row has 6 columns where 10 are expected.",
        3: "The row has 1 columns where 10 are expected.",
    }
    assert list(Certificate.objects.values_list("number", flat=True)) == ["S3"]
    assert job.summary["counts"] == {"read": 3, "imported": 1, "rejected": 2}


def test_an_id_number_stored_as_a_number_is_to_be_formatted_as_text(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(importer.HEADER)
    rest = ["高处作业", "登高架设", datetime.date(2020, 1, 1), None, None, "省厅", "valid"]
    ws.append(["N1", "张三", 440103199005060000, *rest])  # an int: its text even looks like an ID number
    ws.append(["N2", "张三", 4.40103199005e17, *rest])
    ws.append(["N3", "张三", GOOD_ID, *rest])
    ws.append(["N4", "张三", int(GOOD_ID), *rest])  # the digits of a good number, but kept as a number
    wb.save(tmp_path / "registry.xlsx")
    job = queued((tmp_path / "registry.xlsx").read_bytes())
    assert runner.run(job.pk)
    job.refresh_from_db()
    rejected = dict(job.rejected_rows.values_list("line", "reason"))
    assert sorted(rejected) == [2, 3, 5]
    for reason in rejected.values():
        assert reason.startswith("id_number (resident ID number): ") and "format the id_number column as text" in reason
    assert "e+17 was stored as a number" in rejected[2]  # the value as the workbook keeps it
    assert list(Certificate.objects.values_list("number", flat=True)) == ["N3"]
    # A CSV saved from such a sheet writes the number as the spreadsheet shows it.
    _job, rejected = run_rows([good("C1").replace(GOOD_ID, "4.40103E+17")])
    assert "format the id_number column as text" in rejected[2]


def test_a_number_twice_across_batches_is_rejected_on_its_later_line(monkeypatch):
    monkeypatch.setattr(importer, "BATCH", 2)
    job, rejected = run_rows([good("D1"), good("D2"), good("D3"), good("D1", "韩梅梅"), "", good("D2", "王五")])
    assert rejected == {
        5: "number (certificate number): the same as line 2",
        7: "number (certificate number): the same as line 3",
    }
    assert set(Certificate.objects.values_list("holder_name", flat=True)) == {"李雷"}
    assert job.summary["counts"] == {"read": 5, "imported": 3, "rejected": 2}


# --- on the real broker: a worker killed by SIGKILL in the middle -----------------------------------

BIG = 200_000
BIG_BAD = {17, 40_001, 99_999, 150_000, 199_998}  # indexes of rows with no such category


def big_registry() -> bytes:
    ids = [make_id_number("440106", datetime.date(1970 + i % 30, 1 + i % 12, 1 + i % 28), i) for i in range(997)]
    lines = [HEADER]
    for i in range(BIG):
        category = "木工作业" if i in BIG_BAD else "电工作业"
        lines.append(f"R{i:07d},工人{i},{ids[i % 997]},{category},低压电工作业,2021-03-01,,,广州市应急管理局,valid")
    return ("\n".join(lines) + "\n").encode()


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_in_the_middle_of_200000_rows_is_resumed_by_another(api, settings, tmp_path):
    from tests.celery_workers import broker, kill, start_worker, until

    call_command("seed_demo", verbosity=0)  # an earlier transactional test may have emptied the tables
    settings.MEDIA_ROOT = media = tmp_path / "media"
    env = {"JOB_STALE_SECONDS": "5", "MEDIA_ROOT": str(media)}
    content = big_registry()
    began = time.monotonic()
    with broker(), tempfile.NamedTemporaryFile("w+b") as log:
        first = start_worker("import1", log=log, **env)
        second = None
        try:
            r = api(KEEPER).post("/api/v1/certificates/imports/", {"file": upload(content)}, format="multipart")
            assert r.status_code == 202, r.content
            job = Job.objects.get(pk=r.json()["id"])
            until(lambda: Job.objects.get(pk=job.pk).done > BIG // 5, timeout=60, what="a fifth of the rows")
            kill(first, signal.SIGKILL)
            job.refresh_from_db()
            assert job.status == "running" and job.total == BIG and 0 < job.done < BIG, (job.status, job.done)
            killed_at = job.done
            second = start_worker("import2", log=log, **env)
            # The sweep (beat's resume-jobs) hands the job to the new worker once it has gone quiet.
            until(
                lambda: Job.objects.get(pk=job.pk).heartbeat_at < timezone.now() - datetime.timedelta(seconds=5.5),
                timeout=20,
                what="the killed run to go stale",
            )
            from jobs.tasks import resume_stale_jobs

            resume_stale_jobs.delay()
            until(lambda: Job.objects.get(pk=job.pk).finished, timeout=90, what="the job to finish")
        except BaseException:
            log.seek(0)
            print(log.read().decode(errors="replace")[-5000:])
            raise
        finally:
            kill(first, signal.SIGKILL)
            if second is not None:
                kill(second)
    elapsed = time.monotonic() - began
    job.refresh_from_db()
    print(f"200,000 rows imported in {elapsed:.1f} s (killed at {killed_at:,}); attempts {job.attempts}")
    assert job.status == "done", job.message
    assert job.done == job.total == BIG and job.attempts == 2
    assert Certificate.objects.count() == BIG - len(BIG_BAD)
    assert Certificate.objects.values("number").distinct().count() == BIG - len(BIG_BAD)
    assert RejectedRow.objects.filter(job=job).count() == len(BIG_BAD) == job.error_count
    assert sorted(RejectedRow.objects.filter(job=job).values_list("line", flat=True)) == sorted(i + 2 for i in BIG_BAD)
    assert job.checkpoint == {"line": BIG + 1, "read": BIG, "imported": BIG - len(BIG_BAD)}
    assert not job.source


def test_the_messages_are_chinese_by_default(client, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    r = keeper_client(client).post("/certificates/import/", {})
    assert r.status_code == 400
    message = r.context["errors"]["file"][0]
    assert message and not message.isascii(), message
