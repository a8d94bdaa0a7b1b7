"""Personal data: resident ID numbers never reach logs, events, notifications, e-mails, error
messages or any screen but the handling officers' own case view; each full view is recorded.

A whole case runs through the API and the pages (individual party, persons, findings, a referral
proposed, approved, transmitted, signed for, escalated by the sweep and accepted by the police,
handed over), with bad input that carries ID numbers on the way, while every log record is
captured at DEBUG. Then every text and JSON column of every table, every log record, every
e-mail and every response is searched for each number used.
"""

import datetime
import io
import logging
import re

import pytest
import time_machine
from django.apps import apps
from django.conf import settings
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import models
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.test import APIClient

from cases.models import Case, IdNumberView
from demo.sample_cases import make_id_number
from notifications.models import Notification
from tests.factories import CaseFactory, demo_user
from tests.workflows.helpers import DOCS
from workflows.models import Deadline

pytestmark = pytest.mark.django_db

HANDLERS = ("guangzhou.officer1", "guangzhou.officer2")

# The only columns that may hold a full ID number; every other one is scanned.
ID_COLUMNS = {("cases", "case", "party_id_number"), ("cases", "person", "id_number")}


def _number(birth: datetime.date, *, check_x: bool = False) -> str:
    return next(n for s in range(900, 1000) if (n := make_id_number("440106", birth, s)).endswith("X") == check_x)


PARTY = _number(datetime.date(1979, 2, 3), check_x=True)  # typed in lower case with spaces around
HOLDER = _number(datetime.date(1986, 7, 14))
SELLER = _number(datetime.date(1990, 11, 30))
WRONG_CHECK = HOLDER[:17] + str((int(HOLDER[17]) + 1) % 10)
NO_SUCH_DAY = "440106" + "19870231" + "123" + "4"  # 31 February
USED = [PARTY, HOLDER, SELLER, WRONG_CHECK, NO_SUCH_DAY]


def needles() -> list[str]:
    # The first 17 characters: a number found with another check digit, or lower-case x, counts.
    return [n[:17] for n in USED]


def flatten(text: str) -> str:
    """Spaces, hyphens and case do not hide a number."""
    return re.sub(r"[\s\-]", "", text).upper()


def found_in(text: str) -> list[str]:
    flat = flatten(text)
    return [n for n in needles() if n in flat]


class Recorder:
    """Test clients that keep every response, with who asked and for what."""

    def __init__(self):
        self.responses = []

    def api(self, username):
        client = APIClient()
        client.force_authenticate(demo_user(username))
        return self._wrap(client, username, format="json")

    def web(self, username):
        client = Client()
        client.force_login(demo_user(username))
        return self._wrap(client, username)

    def _wrap(self, client, username, **defaults):
        recorder = self

        class Wrapped:
            def get(self, path, data=None):
                return recorder._keep(username, "GET", path, client.get(path, data))

            def post(self, path, data=None):
                return recorder._keep(username, "POST", path, client.post(path, data or {}, **defaults))

        return Wrapped()

    def _keep(self, username, method, path, response):
        self.responses.append((username, method, path, response))
        return response


def handler_case_view(username, method, path, response, case_pk) -> bool:
    """The handling officers' own view of the case and its referral: full numbers of their own case."""
    api_case = re.fullmatch(rf"/api/v1/cases/({case_pk}/|{case_pk}/actions/\w+/)", path) or re.fullmatch(
        r"/api/v1/referrals/\d+/(actions/\w+/)?", path
    )
    page = method == "GET" and (
        path == f"/cases/case/{case_pk}/" or bool(re.fullmatch(r"/referrals/referral/\d+/", path))
    )
    return username in HANDLERS and response.status_code in (200, 201) and bool(api_case or page)


def police_view(username, method, path, response, case_pk) -> bool:
    """The police's view of the case they were sent: the referred persons in full (LEGAL.md §2), never
    the others (the individual party here is not referred)."""
    pages = (f"/api/v1/cases/{case_pk}/", f"/cases/case/{case_pk}/")
    referral_page = re.fullmatch(r"/referrals/referral/\d+/", path) and method == "GET"
    referral_api = re.fullmatch(r"/api/v1/referrals/\d+/(actions/\w+/)?", path)
    return (
        username.startswith("guangzhou.police")
        and response.status_code == 200
        and ((method == "GET" and path in pages) or bool(referral_page) or bool(referral_api))
    )


def visible_text(response) -> str:
    """The response without what merely gives the user's own input back (form fields refilled)."""
    text = response.content.decode(errors="replace")
    if "html" in response.get("Content-Type", ""):
        text = re.sub(r'value="[^"]*"', "", text)
        text = re.sub(r"<textarea[^>]*>.*?</textarea>", "", text, flags=re.S)
    return text


# Loggers whose DEBUG records carry data: SQL with its parameters, template contexts with the
# values of a form. The settings keep them at INFO whatever LOG_LEVEL says (tested below).
PINNED = ("django.db.backends", "django.template")


@pytest.fixture
def logs(caplog):
    """Every other logger at DEBUG."""
    caplog.set_level(logging.DEBUG)
    for name, logger in list(logging.root.manager.loggerDict.items()):
        if isinstance(logger, logging.Logger) and name not in PINNED:
            caplog.set_level(logging.DEBUG, logger=name)
    for name in PINNED:
        caplog.set_level(logging.INFO, logger=name)
    return caplog


def run_scenario(rec: Recorder) -> Case:
    officer, officer2, head = rec.api("guangzhou.officer1"), rec.api("guangzhou.officer2"), rec.api("guangzhou.head")
    officer_web, head_web = rec.web("guangzhou.officer1"), rec.web("guangzhou.head")
    police, police_head = rec.api("guangzhou.police"), rec.api("guangzhou.police_head")
    supervisor = rec.api("guangzhou.supervisor")
    bad = []  # (response, expected status)

    def individual(id_number):
        return {
            "source": "inspection",
            "region": "440100",
            "party": {"kind": "individual", "name": "陈建国", "id_number": id_number},
            "summary": "个人承揽电焊作业，持证可疑",
        }

    bad.append((officer.post("/api/v1/cases/", individual(WRONG_CHECK)), 400))
    bad.append((officer.post("/api/v1/cases/", individual(NO_SUCH_DAY)), 400))
    employer = individual(HOLDER) | {"party": {"kind": "employer", "name": "某公司", "id_number": HOLDER}}
    bad.append((officer.post("/api/v1/cases/", employer), 400))
    form = {"source": "inspection", "region": "440100", "party_kind": "individual", "party_name": "陈建国"}
    bad.append((officer_web.post("/cases/case/new/", form | {"party_id_number": WRONG_CHECK, "summary": "x"}), 400))

    r = officer.post("/api/v1/cases/", individual(f"  {PARTY.lower()} "))
    assert r.status_code == 201, r.content
    case_pk = r.json()["id"]
    case = f"/api/v1/cases/{case_pk}"
    assert r.json()["party"]["id_number"] == PARTY[:3] + "*" * 11 + PARTY[-4:]  # a lead has no handlers yet
    assert officer.post(f"{case}/actions/open/", {"handlers": list(HANDLERS)}).status_code == 200

    r = officer.post(f"{case}/actions/add_person/", {"name": "张伟", "id_number": HOLDER, "role": "holder"})
    assert r.status_code == 200, r.content
    holder = next(p["id"] for p in r.json()["persons"] if p["id_number"] == HOLDER)
    r = officer_web.post(f"/cases/case/{case_pk}/add_person/", {"name": "李强", "id_number": SELLER, "role": "seller"})
    assert (r.status_code, r["Location"]) == (302, f"/cases/case/{case_pk}/"), r.content.decode()[:2000]
    seller = Case.objects.get(pk=case_pk).persons.get(name="李强").pk

    for body in (
        {"name": "张伟", "id_number": HOLDER, "role": "holder"},  # already in the case
        {"name": "张伟", "id_number": WRONG_CHECK, "role": "holder"},
        {"name": "张伟", "id_number": NO_SUCH_DAY, "role": "holder"},
        {"name": "张伟", "id_number": HOLDER + "0", "role": "holder"},
    ):
        bad.append((officer2.post(f"{case}/actions/add_person/", body), 400))
    page = f"/cases/case/{case_pk}/add_person/"
    bad.append((officer_web.post(page, {"name": "李强", "id_number": SELLER, "role": "seller"}), 400))
    bad.append((officer_web.post(page, {"name": "王五", "id_number": WRONG_CHECK, "role": "seller"}), 400))

    finding = {"kind": "forged_certificate", "person": holder, "certificate_number": "T4401062011000123"}
    assert officer.post(f"{case}/actions/record_finding/", finding).status_code == 200
    finding = {"kind": "certificate_trading", "person": seller, "note": "出售伪造操作证"}
    assert officer.post(f"{case}/actions/record_finding/", finding).status_code == 200

    r = officer.post(
        f"{case}/actions/propose_referral/",
        {
            "persons": [holder, seller],
            "report": "持、售伪造操作证",
            "kind": "criminal",
            "kind_reason": "持证人系向李强购买",
        },
    )
    assert r.status_code == 200, r.content
    referral = r.json()["referrals"][-1]["id"]
    act = f"/api/v1/referrals/{referral}/actions"
    r = head_web.post(f"/referrals/referral/{referral}/approve/")
    assert (r.status_code, r["Location"]) == (302, f"/referrals/referral/{referral}/")
    assert officer.post(f"{act}/transmit/", {"documents": DOCS}).status_code == 200
    assert police.post(f"{act}/acknowledge/").status_code == 200

    for client, username in ((officer, "officer"), (supervisor, "supervisor"), (police, "police")):
        assert client.post("/api/v1/cases/search/", {"q": HOLDER}).status_code == 200, username
    assert officer_web.post("/cases/case/", {"q": HOLDER}).status_code == 302
    for client in (officer, officer2, head, police_head, supervisor):
        for path in (f"{case}/", f"{case}/events/", f"/api/v1/referrals/{referral}/", "/api/v1/notifications/"):
            assert client.get(path).status_code == 200, path
    for username in ("guangzhou.officer1", "guangzhou.head", "guangzhou.police_head", "guangzhou.supervisor"):
        web = rec.web(username)
        assert web.get(f"/cases/case/{case_pk}/").status_code == 200, username
        assert web.get(f"/referrals/referral/{referral}/").status_code == 200, username
        assert web.get("/notices/list/").status_code == 200, username
    assert rec.web("shenzhen.officer1").get(f"/cases/case/{case_pk}/").status_code == 404
    assert rec.api("shenzhen.officer1").get(f"{case}/").status_code == 404

    # The police sit on it past the three days: the sweep escalates, then they accept.
    due = Deadline.objects.get(referral_id=referral, step="police_decision").due_at
    with time_machine.travel(due + datetime.timedelta(hours=1)):
        call_command("sweep_deadlines", stdout=io.StringIO())
        filing = {
            "police_case_number": "穗公刑立〔2024〕88号",
            "filed_on": timezone.localdate().isoformat(),
            "charge": "买卖国家机关证件罪",
            "filing_decision": SimpleUploadedFile("立案决定书.pdf", b"%PDF-1.4\n%%EOF\n"),
        }
        r = rec.web("guangzhou.police_head").post(f"/referrals/referral/{referral}/accept/", filing)
        assert (r.status_code, r["Location"]) == (302, f"/referrals/referral/{referral}/")
        r = officer.post(f"{act}/hand_over/", {"items": "伪造操作证2本"})
        assert r.status_code == 200, r.content.decode()

    for response, status in bad:
        assert response.status_code == status, response.content.decode()[:500]
    return Case.objects.get(pk=case_pk)


@pytest.fixture
def scenario(logs, django_capture_on_commit_callbacks):
    rec = Recorder()
    with django_capture_on_commit_callbacks(execute=True):  # pushes and e-mails go out as after a commit
        case = run_scenario(rec)
    return case, rec


def scan_database() -> tuple[dict, int]:
    """Every text and JSON value of every table but the two ID number columns: leaks, rows read."""
    leaks, rows = {}, 0
    for model in apps.get_models():
        meta = model._meta
        columns = [
            f.attname
            for f in meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
            and (meta.app_label, meta.model_name, f.attname) not in ID_COLUMNS
        ]
        if not columns or meta.proxy:
            continue
        for values in model.objects.values_list(*columns).iterator():
            rows += 1
            for column, value in zip(columns, values, strict=True):
                if value and (hits := found_in(str(value))):
                    leaks.setdefault(f"{meta.label}.{column}", set()).update(hits)
    return leaks, rows


def test_no_id_number_reaches_a_table_a_log_an_email_or_a_response(scenario, logs):
    case, rec = scenario
    assert case.party_id_number == PARTY and sorted(case.persons.values_list("id_number", flat=True)) == sorted(
        [HOLDER, SELLER]
    )
    assert case.referrals.get().status == "handed_over"

    leaks, rows = scan_database()
    assert leaks == {}
    assert case.events.count() >= 12 and rows > 1000

    kinds = set(Notification.objects.filter(case=case).values_list("kind", flat=True))
    assert {"referral_transmit", "escalation"} <= kinds
    assert len(mail.outbox) >= 2
    in_mail = [(m.subject, found_in(m.subject + m.body + str(getattr(m, "alternatives", "")))) for m in mail.outbox]
    assert [m for m in in_mail if m[1]] == []

    records = logs.get_records("setup")  # the scenario ran while the fixture was set up
    errors = [r for r in rec.responses if r[3].status_code >= 400]
    assert len(errors) >= 12 and len([r for r in records if r.name == "django.request"]) == len(errors)
    text = logging.Formatter()
    in_logs = [(r.name, r.getMessage()) for r in records if found_in(text.format(r) + str(vars(r)))]
    assert in_logs == []

    scanned = [r for r in rec.responses if not handler_case_view(*r, case.pk) and not police_view(*r, case.pk)]
    in_responses = [(u, m, p, r.status_code) for u, m, p, r in scanned if found_in(visible_text(r))]
    assert in_responses == []
    assert len(scanned) >= 40
    police = [r[3] for r in rec.responses if police_view(*r, case.pk)]
    assert len(police) >= 3
    for response in police:
        assert set(found_in(visible_text(response))) == {HOLDER[:17], SELLER[:17]}, response.request["PATH_INFO"]


def test_the_handlers_see_full_numbers_and_each_showing_is_recorded(scenario, django_user_model):
    case, rec = scenario
    shown = [r[3] for r in rec.responses if handler_case_view(*r, case.pk)]
    assert len(shown) >= 8 and all(PARTY in r.content.decode() or HOLDER in r.content.decode() for r in shown)
    police = [r for r in rec.responses if police_view(*r, case.pk)]
    views = IdNumberView.objects.filter(case=case)
    assert views.count() == len(shown) + len(police)
    assert set(views.values_list("user__username", flat=True)) == {
        *HANDLERS,
        "guangzhou.police_head",
        "guangzhou.police",
    }
    assert views.filter(user__username__startswith="guangzhou.police", numbers=2).count() == len(police)
    views = views.filter(user__username__in=HANDLERS)
    page = views.get(via="web", numbers=3)
    assert (page.user.username, page.numbers) == ("guangzhou.officer1", 3)
    assert views.filter(via="api", numbers=1).count() == 1  # the case opened: the party only

    supervisor = APIClient()
    supervisor.force_authenticate(demo_user("guangzhou.supervisor"))
    r = supervisor.get(f"/api/v1/cases/{case.pk}/timeline.xlsx")
    sheet = load_workbook(io.BytesIO(r.content))["身份证号查看记录"]
    listed = [row[1:] for row in sheet.iter_rows(min_row=2, values_only=True)]
    officer = demo_user("guangzhou.officer1")
    viewer = f"{officer.get_full_name()}（guangzhou.officer1）"
    assert len(listed) == len(shown) + len(police) and (viewer, "网页", 3) in listed

    admin = Client()
    admin.force_login(django_user_model.objects.get(username="admin"))
    page = admin.get("/admin/cases/idnumberview/").content.decode()
    assert case.number in page and "guangzhou.officer2" in page
    assert admin.get("/admin/cases/idnumberview/add/").status_code == 403
    assert admin.post(f"/admin/cases/idnumberview/{views.first().pk}/delete/", {"post": "yes"}).status_code == 403


@pytest.mark.parametrize("name", PINNED)
def test_the_settings_keep_the_loggers_that_carry_data_at_info(name):
    assert logging.getLevelName(settings.LOGGING["loggers"].get(name, {}).get("level", "NOTSET")) >= logging.INFO
    assert logging.getLogger(name).getEffectiveLevel() >= logging.INFO


# Each body carries the ID number in a field that does not take one; the error quotes the value.
WRONG_FIELD = [
    ("api", "actions/add_person/", {"name": "张伟", "id_number": "x", "role": HOLDER}),
    ("api", "actions/record_finding/", {"kind": "forged_certificate", "person": int(HOLDER)}),
    ("api", "actions/propose_referral/", {"persons": [int(HOLDER)], "report": "r"}),
    (
        "api",
        "/api/v1/cases/",
        {"source": HOLDER, "region": HOLDER, "party": {"kind": "x", "name": "x"}, "summary": "x"},
    ),
    ("web", "add_person/", {"name": "张伟", "id_number": "x", "role": HOLDER}),
]


@pytest.mark.parametrize(
    "who, path, body",
    [pytest.param(*row, id=f"{row[0]}-{row[1].strip('/').split('/')[-1]}") for row in WRONG_FIELD],
)
def test_a_number_given_in_the_wrong_field_is_not_repeated_in_the_error(who, path, body):
    case = CaseFactory(status="open")
    if who == "api":
        client = APIClient()
        client.force_authenticate(demo_user("guangzhou.officer1"))
        r = client.post(path if path.startswith("/") else f"/api/v1/cases/{case.pk}/{path}", body, format="json")
    else:
        client = Client()
        client.force_login(demo_user("guangzhou.officer1"))
        r = client.post(f"/cases/case/{case.pk}/{path}", body)
    assert r.status_code == 400
    assert found_in(visible_text(r)) == []
