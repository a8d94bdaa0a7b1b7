"""The three journeys in Debian's Chromium, driven by Playwright, against a real ASGI server
(daphne, with WebSockets) on the test database. Screenshots go to test-artifacts/browser/."""

import datetime
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection, connections

from cases.models import Case, Referral
from demo.sample_cases import make_credit_code, make_id_number

pytestmark = [pytest.mark.postgres, pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "browser"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
PASSWORD = "xianjie-demo"
FOREIGN: list[str] = []
# What the Content-Security-Policy refused, as the browser reports it on the console.
REFUSED: list[str] = []


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server():
    """`manage.py runserver` (daphne: HTTP, WebSocket and static files) on the test database."""
    s = connection.settings_dict
    url = f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    port = free_port()
    env = os.environ | {"DATABASE_URL": url, "DEBUG": "1"}
    proc = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.2)
    else:
        proc.kill()
        raise RuntimeError(proc.stderr.read().decode())
    yield f"http://127.0.0.1:{port}"
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


@pytest.fixture
def chromium(monkeypatch):
    # Playwright's sync API keeps an event loop on this thread; the test's own ORM calls are
    # still plain synchronous code.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    if not (shutil.which(CHROMIUM) or Path(CHROMIUM).exists()):
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(f"REQUIRE_BROWSER is set but there is no Chromium at {CHROMIUM}")
        pytest.skip(f"needs Chromium at {CHROMIUM} (apt install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()
        # The ORM connections opened while Playwright's loop ran belong to that context: close
        # them here, or the test database cannot be dropped at the end of the session.
        connections.close_all()


class Desk:
    """One official at a desk: a browser context logged in as a demo user."""

    def __init__(self, browser, base: str, username: str):
        self.base, self.username = base, username
        self.context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
        self.page = self.context.new_page()
        self.page.set_default_timeout(15000)
        # Every request the page makes must stay on this server (no CDN, no fonts from elsewhere).
        self.page.on(
            "request",
            lambda request: None if request.url.startswith((base, "data:", "blob:")) else FOREIGN.append(request.url),
        )
        self.page.on(
            "console",
            lambda message: REFUSED.append(message.text) if "Content Security Policy" in message.text else None,
        )
        self.page.goto(f"{base}/accounts/login/")
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", PASSWORD)
        self.page.click("button[type=submit]")
        # Until the login has landed on the next page: a load state the login page has already
        # reached does not wait for it, and a page opened while the POST is on its way aborts it.
        self.page.wait_for_url(lambda url: "/accounts/login/" not in url)
        self.page.wait_for_load_state("networkidle")
        self.shot(f"login-{username}")

    def go(self, path: str):
        return self.page.goto(self.base + path)

    def act(self, name: str, fill: dict | None = None, check: tuple = (), select: dict | None = None):
        """Open an action's short form from the current page, fill it in and submit it."""
        self.page.click(f"[data-action={name}]")
        self.page.wait_for_selector("[data-testid=submit]")
        for field, value in (fill or {}).items():
            self.page.fill(f"#id_{field}", value)
        for field, value in (select or {}).items():
            self.page.select_option(f"#id_{field}", value)
        for selector in check:
            self.page.check(selector)
        self.page.click("[data-testid=submit]")
        # Turbo submits in the background: wait until the form is gone or shows its errors.
        self.page.wait_for_function(
            "() => !document.querySelector('[data-testid=submit]') || document.querySelector('.xj-error, [data-testid=form-errors]')"
        )
        self.page.wait_for_load_state("networkidle")
        errors = self.page.locator(".xj-error, [data-testid=form-errors]")
        if errors.count():
            self.shot(f"error-{name}")
            raise AssertionError(f"{name}: " + " | ".join(errors.all_inner_texts()))

    def shot(self, name: str):
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_regulator_police_and_supervisor_journeys(server, chromium, settings):
    from django.conf import global_settings

    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS  # the server checks with the real ones
    call_command("seed_demo", password=PASSWORD, verbosity=0)

    # (a) A Guangzhou officer creates and opens a case, adds a person, records a forged
    # certificate and proposes a referral.
    officer = Desk(chromium, server, "guangzhou.officer1")
    assert "广州市应急管理局 · 执法人员" in officer.page.inner_text("[data-testid=who]")
    officer.go("/cases/case/new/")
    officer.page.select_option("#id_source", "inspection")
    officer.page.select_option("#id_region", "440100")
    officer.page.select_option("#id_party_kind", "employer")
    officer.page.fill("#id_party_name", "广州市某建筑工程有限公司")
    officer.page.fill("#id_party_credit_code", make_credit_code("440100", 99))
    officer.page.fill("#id_summary", "检查发现电焊工持伪造特种作业操作证上岗")
    officer.page.click("[data-testid=submit]")
    officer.page.wait_for_selector("[data-testid=case-status]")
    case = Case.objects.get(party_name="广州市某建筑工程有限公司")
    assert officer.page.inner_text("[data-testid=case-status]") == "线索"
    officer.act(
        "open",
        check=("input[name=handlers][value='guangzhou.officer1']", "input[name=handlers][value='guangzhou.officer2']"),
    )
    assert officer.page.inner_text("[data-testid=case-status]") == "已立案"
    id_number = make_id_number("440106", datetime.date(1986, 4, 12), 31)
    officer.act("add_person", fill={"name": "王建军", "id_number": id_number}, select={"role": "holder"})
    assert id_number in officer.page.inner_text("[data-testid=persons]")  # a handler sees it in full
    person = case.persons.get()
    officer.act(
        "record_finding",
        select={"kind": "forged_certificate", "person": str(person.pk)},
        fill={"certificate_number": "T440106198604120031"},
    )
    assert "应移送" in officer.page.inner_text("[data-testid=findings]")
    officer.act(
        "propose_referral", fill={"report": "王建军持伪造的特种作业操作证从事电焊作业，涉嫌使用伪造的国家机关证件。"}
    )
    officer.shot("a-officer-proposed")
    referral = Referral.objects.get(case=case)
    assert referral.status == "proposed"

    # The police officer is already at the desk, on the task list, before anything is sent.
    police = Desk(chromium, server, "guangzhou.police")
    police.go("/tasks/mine/")
    police.page.wait_for_function("() => window.__xjLive === true")
    time.sleep(1.0)  # let the WebSocket open

    # (b) The head approves; the officer transmits.
    head = Desk(chromium, server, "guangzhou.head")
    head.go("/tasks/mine/")
    head.page.click("[data-testid=tasks] a >> nth=0")
    head.page.wait_for_selector("[data-testid=referral-status]")
    head.act("approve")
    assert head.page.inner_text("[data-testid=referral-status]") == "已批准移送"
    head.shot("b-head-approved")
    officer.go(f"/referrals/referral/{referral.pk}/")
    officer.act("transmit")
    assert officer.page.inner_text("[data-testid=referral-status]") == "已移送"
    officer.shot("b-officer-transmitted")

    # (c) The police officer sees the toast without reloading, opens the referral, signs the
    # receipt; the police head accepts it.
    toast = police.page.wait_for_selector(".xj-toast", timeout=10000)
    assert referral.number in toast.inner_text()
    police.shot("c-police-toast")
    police.page.click(".xj-toast a")
    police.page.wait_for_selector("[data-testid=referral-status]")
    assert re.search(r"剩余|已超期", police.page.inner_text("[data-testid=countdown]"))
    police.act("acknowledge")
    assert police.page.inner_text("[data-testid=referral-status]") == "已签收"
    police_head = Desk(chromium, server, "guangzhou.police_head")
    police_head.go(f"/referrals/referral/{referral.pk}/")
    # Using a forged certificate goes to the police as a 治安 matter (治安管理处罚法 第52条): 受理.
    assert referral.kind == "public_security"
    police_head.act("accept", fill={"police_case_number": "穗公（治）受字〔2026〕0001号"})
    assert police_head.page.inner_text("[data-testid=referral-status]") == "已受理"
    police_head.shot("c-police-head-accepted")
    referral.refresh_from_db()
    assert referral.status == "accepted" and referral.police_case_number == "穗公（治）受字〔2026〕0001号"

    # (d) The supervisor's dashboard lists the case.
    supervisor = Desk(chromium, server, "guangzhou.supervisor")
    supervisor.go("/oversight/dashboard/")
    assert case.number in supervisor.page.inner_text("[data-testid=in-progress]")
    assert "广州市" in supervisor.page.inner_text("[data-testid=by-city]")
    supervisor.shot("d-supervisor-dashboard")
    # The language menu submits itself when changed (by attribute: the CSP allows no inline handler).
    supervisor.page.select_option("select[name=language]", "en")
    supervisor.page.wait_for_function("() => document.documentElement.lang === 'en'")
    assert case.number in supervisor.page.inner_text("[data-testid=in-progress]")

    # (e) A Shenzhen officer gets 404 on the case URL.
    outsider = Desk(chromium, server, "shenzhen.officer1")
    response = outsider.go(f"/cases/case/{case.pk}/")
    assert response.status == 404
    outsider.shot("e-shenzhen-404")

    # The API documentation runs under the same policy (its script is served as a file).
    supervisor.go("/api/docs/")
    supervisor.page.wait_for_selector(".swagger-ui .info .title")
    assert "Xianjie API" in supervisor.page.inner_text(".swagger-ui .info .title")

    assert FOREIGN == [], FOREIGN
    assert REFUSED == [], REFUSED

    # The PDF letter is there for the police.
    response = police.page.request.get(f"{server}/api/v1/referrals/{referral.pk}/letter.pdf")
    assert response.status == 200 and response.body().startswith(b"%PDF-")
