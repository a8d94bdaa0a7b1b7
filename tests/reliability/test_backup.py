"""Backups: a pg_dump of a working database restores into a fresh database that holds every case,
event and referral, whose chains verify and whose chain digest equals the original's.

The procedure is the README's: pg_dump -Fc, createdb, pg_restore --no-owner, verify_events.
"""

import glob
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from demo.sample_cases import create_sample_cases
from tests.factories import demo_user
from tests.workflows.helpers import DOCS, referable_case
from workflows import actions as referrals

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
TABLES = ["cases_case", "cases_person", "cases_finding", "cases_event", "cases_referral", "cases_referral_persons"]


def tool(name: str) -> str:
    """The PostgreSQL client program on the PATH, else the newest one installed by the packages."""
    found = shutil.which(name) or max(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), default=None)
    assert found, f"{name} not found: install the PostgreSQL client programs"
    return found


@pytest.fixture
def pg():
    """The connection settings of the test database as libpq environment variables."""
    db = settings.DATABASES["default"]
    env = os.environ | {"PGHOST": db["HOST"] or "127.0.0.1", "PGPORT": str(db["PORT"] or 5432), "PGUSER": db["USER"]}
    return env | {"PGPASSWORD": db["PASSWORD"] or ""}, db["NAME"]


@pytest.fixture
def fresh_database(pg):
    env, name = pg
    fresh = f"{name}_restored"
    run = [tool("psql"), "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-q", "-c"]
    subprocess.run([*run, f'DROP DATABASE IF EXISTS "{fresh}" WITH (FORCE)'], env=env, check=True)
    subprocess.run([*run, f'CREATE DATABASE "{fresh}"'], env=env, check=True)
    yield fresh
    subprocess.run([*run, f'DROP DATABASE "{fresh}" WITH (FORCE)'], env=env, check=True)


def rows(cursor, table: str) -> list[str]:
    """Every row of the table as PostgreSQL prints it, sorted."""
    cursor.execute(f'SELECT t::text FROM "{table}" t ORDER BY 1')  # noqa: S608 - fixed table names
    return [row for (row,) in cursor.fetchall()]


def counts(cursor) -> dict[str, int]:
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
    tables = [t for (t,) in cursor.fetchall()]
    result = {}
    for table in tables:
        cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 - names from the catalog
        result[table] = cursor.fetchone()[0]
    return result


def manage(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.fixture(autouse=True)
def seeded():
    call_command("seed_demo", verbosity=0, stdout=io.StringIO())


def test_a_dump_restores_into_a_fresh_database_with_every_case_event_and_referral(pg, fresh_database, tmp_path):
    assert connection.vendor == "postgresql"
    create_sample_cases(60)
    case, person = referable_case()
    r = referrals.propose_referral(case, actor=demo_user("guangzhou.officer1"), persons=[person.pk], report="持假证")
    r = referrals.approve(r, actor=demo_user("guangzhou.head"))
    r = referrals.transmit(r, actor=demo_user("guangzhou.officer1"), documents=DOCS)
    referrals.acknowledge(r, actor=demo_user("guangzhou.police"))

    env, name = pg
    dump = tmp_path / "xianjie.dump"
    subprocess.run([tool("pg_dump"), "-Fc", "-f", str(dump), name], env=env, check=True)
    restore = [tool("pg_restore"), "--no-owner", "--exit-on-error", "-d", fresh_database, str(dump)]
    subprocess.run(restore, env=env, check=True)

    restored = psycopg2.connect(dbname=fresh_database, host=env["PGHOST"], port=env["PGPORT"], user=env["PGUSER"])
    try:
        with connection.cursor() as original, restored.cursor() as copy:
            before = counts(original)
            assert counts(copy) == before
            assert before["cases_case"] >= 60 and before["cases_event"] >= 200 and before["cases_referral"] >= 10
            for table in TABLES:
                assert rows(copy, table) == rows(original, table), table
    finally:
        restored.close()

    today = str(timezone.localdate())
    kept = io.StringIO()
    call_command("chain_digest", date=today, stdout=kept)
    # The restored database as the application sees it (the password, if any, from PGPASSWORD).
    env |= {
        "DEBUG": "1",
        "DATABASE_URL": f"postgres://{env['PGUSER']}@{env['PGHOST']}:{env['PGPORT']}/{fresh_database}",
    }
    digest = manage(env, "chain_digest", "--date", today)
    assert digest.returncode == 0, digest.stderr
    assert digest.stdout == kept.getvalue()
    digest_file = tmp_path / "digest.txt"
    digest_file.write_text(kept.getvalue())
    check = manage(env, "verify_events", "--digest", str(digest_file))
    assert check.returncode == 0, check.stderr
    assert f"OK: {before['cases_case']} cases, {before['cases_event']} events, every chain intact." in check.stdout
