"""The same worker tier on RabbitMQ, the other broker CI runs (RABBITMQ_URL, guest/guest on
127.0.0.1:5672 by default): a registry import sent through the API is taken by a worker consuming
from RabbitMQ and finished, with its rejected rows."""

import socket
import tempfile
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command

from certificates.models import Certificate
from jobs.models import Job, RejectedRow
from tests.celery_workers import RABBITMQ_URL, broker, kill, start_worker, until
from tests.certificates.test_import_job import BAD_LINES, KEEPER, registry, upload

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def rabbitmq_listening() -> bool:
    parts = urlsplit(RABBITMQ_URL)
    try:
        socket.create_connection((parts.hostname, parts.port or 5672), timeout=2).close()
    except OSError:
        return False
    return True


def test_an_import_runs_on_a_worker_of_rabbitmq(api, settings, tmp_path):
    if not rabbitmq_listening():
        pytest.skip(f"needs RabbitMQ at {RABBITMQ_URL} (RABBITMQ_URL)")
    call_command("seed_demo", verbosity=0)  # an earlier transactional test may have emptied the tables
    settings.MEDIA_ROOT = media = tmp_path / "media"
    with broker(RABBITMQ_URL), tempfile.NamedTemporaryFile("w+b") as log:
        worker = start_worker("rabbit", log=log, MEDIA_ROOT=str(media))
        try:
            r = api(KEEPER).post("/api/v1/certificates/imports/", {"file": upload(registry())}, format="multipart")
            assert r.status_code == 202, r.content
            job_id = r.json()["id"]
            until(lambda: Job.objects.get(pk=job_id).finished, timeout=60, what="the job on RabbitMQ to finish")
        except BaseException:
            log.seek(0)
            print(log.read().decode(errors="replace")[-5000:])
            raise
        finally:
            kill(worker)
    job = Job.objects.get(pk=job_id)
    assert job.status == "done", job.message
    assert job.done == job.total == 10
    assert sorted(RejectedRow.objects.filter(job=job).values_list("line", flat=True)) == BAD_LINES
    assert set(Certificate.objects.filter(number__startswith="G").values_list("number", flat=True)) == {
        "G001",
        "G002",
        "G003",
        "G004",
    }
    assert api(KEEPER).get(f"/api/v1/jobs/{job_id}/").json()["percent"] == 100
