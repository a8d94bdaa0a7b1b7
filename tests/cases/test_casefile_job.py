"""The case file (案卷) made by a job: the case page's button starts it, it makes the PDF the download
gives, as its owner may read the case (ID numbers masked or not alike), recorded as a printing; for
whoever sees the case when it starts and still when it runs. The GET download stays."""

import io
import re

import pytest
from django.test import Client
from pdfminer.high_level import extract_text

from agencies.models import Membership
from cases.models import IdNumberView
from jobs import runner
from jobs.models import Job
from oversight.models import AuditView
from tests.factories import demo_user
from tests.workflows.helpers import DOCS, referable_case
from workflows import actions as referrals

pytestmark = pytest.mark.django_db
U = demo_user


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def case():
    """A case whose person was sent to the police: the transfer papers print the ID number."""
    found, person = referable_case(name="张伟")
    referral = referrals.propose_referral(found, actor=U("guangzhou.officer1"), persons=[person.pk], report="报告")
    referral = referrals.approve(referral, actor=U("guangzhou.head"))
    referrals.transmit(referral, actor=U("guangzhou.officer1"), documents=DOCS)
    return found


def web(username: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(U(username))
    return client


def url(case) -> str:
    return f"/cases/case/{case.pk}/casefile.pdf"


def words(body: bytes) -> str:
    """The PDF's text without spaces and line breaks (a wrapped line reads whole)."""
    return re.sub(r"\s+", "", extract_text(io.BytesIO(body)))


def start(client: Client, case, capture) -> tuple:
    with capture(execute=True):
        r = client.post(url(case))
    job = Job.objects.filter(kind="casefile").latest("pk")
    assert r.status_code == 302 and r["Location"] == f"/jobs/{job.pk}/"
    job.refresh_from_db()
    return job, r


def result_of(client: Client, job: Job) -> bytes:
    r = client.get(f"/jobs/{job.pk}/result/")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    return b"".join(r.streaming_content)


@pytest.mark.parametrize("username", ["guangzhou.officer1", "guangzhou.supervisor"])
def test_the_button_starts_a_job_whose_pdf_is_the_download(case, username, django_capture_on_commit_callbacks):
    client = web(username)
    page = client.get(f"/cases/case/{case.pk}/").content.decode()
    assert f'action="{url(case)}"' in page and 'data-testid="casefile-form"' in page and "csrfmiddlewaretoken" in page
    job, _r = start(client, case, django_capture_on_commit_callbacks)
    assert job.status == Job.Status.DONE, job.message
    assert job.params == {"case": case.pk} and job.owner == U(username)
    assert job.result_name == f"{case.number}-案卷.pdf" and (job.done, job.total) == (1, 1)
    assert job.summary["link"] == f"/cases/case/{case.pk}/" and case.number in job.summary["lines"][0]
    made = result_of(client, job)
    direct = client.get(url(case))
    assert direct.status_code == 200 and made.startswith(b"%PDF-")
    # The same file: its text word for word, the case number on it, the ID number as the reader sees it.
    assert words(made) == words(direct.content)
    assert case.number in words(made) and "张伟" in words(made)
    job_page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert f"{case.number}-案卷.pdf" in job_page and case.number in job_page


def test_the_job_records_the_printing_as_the_download_does(case, django_capture_on_commit_callbacks):
    officer = U("guangzhou.officer1")
    client = web("guangzhou.officer1")
    client.get(url(case))
    direct_views = AuditView.objects.filter(user=officer, case=case, path=url(case)).count()
    direct_ids = list(IdNumberView.objects.filter(user=officer, case=case).values_list("via", "numbers"))
    assert direct_views == 1 and direct_ids and direct_ids[0][0] == IdNumberView.Via.PDF
    start(client, case, django_capture_on_commit_callbacks)
    assert AuditView.objects.filter(user=officer, case=case, path=url(case)).count() == 2
    assert list(IdNumberView.objects.filter(user=officer, case=case).values_list("via", "numbers")) == direct_ids * 2


def test_id_numbers_are_as_the_owner_reads_them(case, django_capture_on_commit_callbacks):
    """A handler's file prints the person's ID number in full; a supervisor's, masked, as on the case page."""
    person = case.persons.get()
    officer_client, supervisor_client = web("guangzhou.officer1"), web("guangzhou.supervisor")
    officer = words(result_of(officer_client, start(officer_client, case, django_capture_on_commit_callbacks)[0]))
    supervisor = words(
        result_of(supervisor_client, start(supervisor_client, case, django_capture_on_commit_callbacks)[0])
    )
    assert person.id_number in officer
    assert person.id_number not in supervisor and person.id_masked in supervisor and "*" in person.id_masked


def test_who_may_not_see_the_case_starts_nothing(case):
    for username, status in (("guangzhou.cyber", 404), ("shenzhen.officer1", 404), ("guangzhou.market", 404)):
        assert web(username).post(url(case)).status_code == status, username
    assert Client().post(url(case)).status_code == 302  # to the login page
    assert not Job.objects.exists()


def test_the_job_fails_with_a_message_when_its_owner_lost_the_case_before_it_ran(case):
    r = web("guangzhou.officer2").post(url(case))  # not run: on_commit never comes in this test
    job = Job.objects.get()
    assert r.status_code == 302 and job.status == Job.Status.QUEUED
    Membership.objects.filter(user=U("guangzhou.officer2")).delete()
    assert runner.run(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.message and not job.result
    assert not AuditView.objects.filter(case=case, path=url(case)).exists()


def test_the_get_download_stays(case):
    r = web("guangzhou.officer1").get(url(case))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf" and "inline" in r["Content-Disposition"]
    assert web("guangzhou.officer1").put(url(case)).status_code == 405
