"""What the browser tests share: a served Xianjie on the test database, Debian's Chromium driven
by Playwright, and a Desk (one official, logged in). A failed browser test leaves a screenshot of
each open desk in test-artifacts/browser/ (kept by CI)."""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection, connections

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "browser"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
PASSWORD = "xianjie-demo"
FOREIGN: list[str] = []
# What the Content-Security-Policy refused, as the browser reports it on the console.
REFUSED: list[str] = []
# The desks of the running test, for the screenshots of a failure.
OPEN_DESKS: list["Desk"] = []


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
        OPEN_DESKS.clear()
        yield browser
        OPEN_DESKS.clear()
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
        OPEN_DESKS.append(self)
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


def shoot_open_desks(test_name: str) -> None:
    """A screenshot of every desk still open, named after the failed test."""
    for n, desk in enumerate(OPEN_DESKS):
        with contextlib.suppress(Exception):  # a closed page or browser: nothing to show
            desk.shot(f"FAILED-{test_name}-{n}-{desk.username}")
