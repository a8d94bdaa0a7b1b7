"""The browser fixtures for every test in tests/web, and a screenshot of each open desk when a
browser test fails (before its browser is closed)."""

import re

import pytest

from .browser import chromium, server, shoot_open_desks

__all__ = ["chromium", "server"]


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.failed and call.when == "call" and "chromium" in getattr(item, "fixturenames", ()):
        shoot_open_desks(re.sub(r"[^\w.-]+", "_", item.name))
    return report
