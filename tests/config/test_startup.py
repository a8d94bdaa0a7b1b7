"""Start-up as a newcomer sees it (issue 18 §11): the banner names the real address, each log
line is printed once, the embedded SQLite default raises no warning to act on, and every Python
that Django 5.2 supports is accepted."""

import io
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.config.test_settings import CLEAN, ROOT

pytestmark = pytest.mark.django_db


def test_the_demo_logins_name_the_address_the_server_listens_on():
    out = io.StringIO()
    call_command("demo_logins", address="http://0.0.0.0:8080", stdout=out)
    text = out.getvalue()
    assert "web: http://0.0.0.0:8080/" in text and "http://0.0.0.0:8080/api/docs/" in text
    assert "8000" not in text


def test_make_run_passes_host_and_port_to_the_banner():
    make = shutil.which("make")
    if make is None:
        pytest.skip("needs make")
    r = subprocess.run([make, "-n", "run", "HOST=0.0.0.0", "PORT=9001"], cwd=ROOT, capture_output=True, text=True)
    assert "demo_logins --address http://0.0.0.0:9001" in r.stdout
    assert "runserver 0.0.0.0:9001" in r.stdout


# How many handlers a record of each logger reaches (each prints it once), as the served process
# configures logging (pytest adds its own capture handlers to the root in this process).
COUNT = """
import logging, django
django.setup()
def reached(name):
    logger, count = logging.getLogger(name), 0
    while logger is not None:
        count += len(logger.handlers)
        logger = logger.parent if logger.propagate else None
    return count
print(*(reached(n) for n in ("django", "django.request", "django.server", "django.channels.server", "cases")))
"""


def test_each_log_line_is_printed_once():
    env = CLEAN | {"DEBUG": "1", "DJANGO_SETTINGS_MODULE": "config.settings"}
    r = subprocess.run([sys.executable, "-c", COUNT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["1", "1", "1", "1", "1"]


def test_the_embedded_sqlite_default_migrates_without_warnings(tmp_path):
    env = CLEAN | {"DEBUG": "1", "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"}
    r = subprocess.run(
        [sys.executable, "manage.py", "check", "--database", "default"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    assert "W040" not in r.stdout + r.stderr


def test_every_python_django_supports_is_accepted():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["requires-python"] == ">=3.11,<3.14"
    makefile = (Path(ROOT) / "Makefile").read_text()
    assert "python3.11 python3.12 python3.13 python3" in makefile
