"""Faults survived (issue 9 §3), each injected into real processes on PostgreSQL + Redis.

1. Redis stopped while actions run through the API: the actions succeed, pushes resume once
   Redis is back, and a client reconnecting with ?since= gets every notification, once.
2. The database connection of an action dropped inside its transaction, at its first write, its
   last write and its commit: nothing half written, a 503 `database_unavailable` JSON answer
   with Retry-After, and the retry succeeds. The same answer to every call while the database
   is out of reach.
3. A sweeper SIGKILLed in its second batch, then restarted: every missed deadline escalated
   exactly once. A sweeper running `--every` that loses its database keeps running and catches
   up once the database is back.
4. Two sweepers at once: tests/workflows/test_sweep_concurrency.py, held to the same checks as 3.
5. A burst of 200 actions on 20 cases through two live servers: no lost update, the losers get
   409 `stale` or `invalid_transition`, every chain intact.

A PostgreSQL trigger that sleeps (`stall`) holds a statement still, so that the fault lands at
a chosen point, and a TCP proxy (`Outage`) cuts the database off; the application knows of
neither.
"""

import asyncio
import json
import random
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from io import StringIO

import pytest
import websockets
from django.core.management import call_command
from django.db import connection

from accounts.tokens import issue as issue_token
from cases.events import verify_case_chain
from cases.models import Case
from notifications.models import Notification
from tests.factories import CaseFactory, demo_user
from tests.notifications.test_live_redis import PrivateRedis, daphne
from tests.workflows.helpers import DOCS, referable_case
from tests.workflows.test_sweep_concurrency import (
    SUPERVISORS_TOLD,
    assert_each_escalated_exactly_once,
    escalated_by,
    escalations_per_deadline,
    missed_deadlines,
    sweeper,
)
from workflows import actions as referrals
from workflows.models import Deadline, TaskRoute
from workflows.sweep import BATCH

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def call(port: int, path: str, token: str, body: dict | None = None) -> tuple[int, dict, dict]:
    """POST `body` (or GET without one) to a live server: status, JSON answer, headers. Every
    answer, errors included, must be JSON."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json", "Accept-Language": "en"},
        method="GET" if body is None else "POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - loopback only
            return response.status, json.loads(response.read()), dict(response.headers)
    except urllib.error.HTTPError as error:
        raw = error.read()
        assert error.headers.get_content_type() == "application/json", (error.code, raw[:500])
        return error.code, json.loads(raw), dict(error.headers)


def token(username: str) -> str:
    return issue_token(demo_user(username))[1]


@contextmanager
def stall(trigger: str, table: str, seconds: float = 60):
    """Make every statement that fires `trigger` (a CREATE TRIGGER clause on `table`) sleep
    `seconds` inside the database, in its transaction."""
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION fault_stall() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN PERFORM pg_sleep({float(seconds)}); RETURN NEW; END $$"
        )
        cursor.execute(f"CREATE {trigger} EXECUTE FUNCTION fault_stall()")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TRIGGER fault_stall ON {table}")
            cursor.execute("DROP FUNCTION fault_stall()")


def stalled_backend(timeout: float = 30) -> tuple[int, str]:
    """The backend (pid, statement) that sleeps in fault_stall, once it does."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT pid, query FROM pg_stat_activity WHERE datname = current_database()"
                " AND wait_event = 'PgSleep' AND pid <> pg_backend_pid()"
            )
            rows = cursor.fetchall()
            if rows:
                assert len(rows) == 1, rows
                return rows[0]
            time.sleep(0.02)
    raise TimeoutError("no backend stalled in fault_stall")


class Outage:
    """A TCP proxy in front of PostgreSQL: `cut()` drops every connection through it and refuses
    new ones until `restore()`, as a database restart or a network partition would."""

    def __init__(self):
        db = connection.settings_dict
        self.target = (db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432))
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"postgres://{db['USER']}@127.0.0.1:{self.listener.getsockname()[1]}/{db['NAME']}"
        self.up = True
        self.open: set[socket.socket] = set()
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.up:
                client.close()
                continue
            server = socket.create_connection(self.target)
            with self.lock:
                self.open |= {client, server}
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            self._drop(source, sink)

    def _drop(self, *sockets: socket.socket) -> None:
        for s in sockets:
            with suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()
        with self.lock:
            self.open -= set(sockets)

    def cut(self) -> None:
        self.up = False
        with self.lock:
            doomed = list(self.open)
        self._drop(*doomed)

    def restore(self) -> None:
        self.up = True

    def close(self) -> None:
        self.listener.close()
        self.cut()


@pytest.fixture
def outage():
    proxy = Outage()
    yield proxy
    proxy.close()


def wait_until(done, proc: subprocess.Popen, timeout: float = 60) -> None:
    """Poll `done()` while `proc` keeps running."""
    deadline = time.monotonic() + timeout
    while not done():
        assert proc.poll() is None, f"the process exited with {proc.returncode}"
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def terminate(pid: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        assert cursor.fetchone() == (True,)


# --- 1. Redis stopped while actions run -------------------------------------------------------


@pytest.fixture
def redis_of_our_own():
    with PrivateRedis.running() as redis:
        yield redis


async def reconnect(url: str, within: float = 15) -> tuple[websockets.ClientConnection, int]:
    """Connect as static/xianjie/live.js does after a close: try again shortly until it works.
    Returns the connection and how many attempts failed first."""
    deadline, failed = time.monotonic() + within, 0
    while True:
        try:
            return await websockets.connect(url, open_timeout=10), failed
        except (OSError, websockets.InvalidHandshake, TimeoutError):
            failed += 1
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.2)


def test_redis_stopped_while_actions_run_loses_no_notification(redis_of_our_own):
    call_command("seed_demo", verbosity=0)
    pending = []
    for i in range(5):
        case, person = referable_case(name=f"当事人{i}")
        referral = referrals.propose_referral(
            case, actor=demo_user("guangzhou.officer1"), persons=[person.pk], report="移送"
        )
        pending.append(referrals.approve(referral, actor=demo_user("guangzhou.head")))
    police, officer = token("guangzhou.police"), token("guangzhou.officer1")
    start_id = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    with daphne(2, REDIS_URL=redis_of_our_own.url) as (listen, act):
        url = f"ws://127.0.0.1:{listen}/ws/notifications/?token={police}"

        def transmit(referral) -> None:
            status, body, _ = call(
                act, f"/api/v1/referrals/{referral.pk}/actions/transmit/", officer, {"documents": DOCS}
            )
            assert (status, body["status"]) == (200, "transmitted"), body

        async def scenario() -> tuple[list[dict], int, int]:
            loop = asyncio.get_running_loop()
            received: list[dict] = []
            async with websockets.connect(f"{url}&since={start_id}") as ws:
                assert json.loads(await ws.recv())["type"] == "unread"
                await loop.run_in_executor(None, transmit, pending[0])
                received.append(json.loads(await asyncio.wait_for(ws.recv(), timeout=2)))

                redis_of_our_own.stop()
                began = time.monotonic()
                for referral in pending[1:4]:  # the actions succeed with Redis down, unslowed
                    await loop.run_in_executor(None, transmit, referral)
                assert time.monotonic() - began < 10
                # The server closes the socket, so the client knows to reconnect with ?since=.
                with pytest.raises(websockets.ConnectionClosedError):
                    await asyncio.wait_for(ws.recv(), timeout=5)

            redis_of_our_own.start()
            ws, failed = await reconnect(f"{url}&since={received[-1]['id']}")
            async with ws:
                while (message := json.loads(await asyncio.wait_for(ws.recv(), timeout=5)))["type"] != "unread":
                    received.append(message)
                caught_up = len(received) - 1
                await loop.run_in_executor(None, transmit, pending[4])  # and pushes resume
                received.append(json.loads(await asyncio.wait_for(ws.recv(), timeout=2)))
            return received, caught_up, failed

        received, caught_up, failed = asyncio.run(scenario())

    rows = list(
        Notification.objects.filter(recipient__username="guangzhou.police", pk__gt=start_id)
        .order_by("pk")
        .values_list("pk", "referral_id")
    )
    assert [(m["id"], m["referral"]) for m in received] == rows  # every one, once, in order
    assert [referral for _pk, referral in rows] == [r.pk for r in pending]
    assert caught_up == 3
    # A pooled connection to the Redis that died is replaced at once (retry_on_error in settings):
    # the first WebSocket after the restart connects.
    assert failed == 0


# --- 2. The database connection dropped mid-action ----------------------------------------------


@dataclass(frozen=True)
class Drop:
    action: str
    trigger: str  # CREATE … TRIGGER fault_stall …, without EXECUTE FUNCTION
    table: str
    running: str  # the statement the server's backend runs when it is terminated


DROPS = {
    "propose_referral at its first write": Drop(
        "propose_referral",
        "TRIGGER fault_stall BEFORE INSERT ON cases_referral FOR EACH ROW",
        "cases_referral",
        'INSERT INTO "cases_referral"',
    ),
    "propose_referral at its last write": Drop(
        "propose_referral",
        "TRIGGER fault_stall BEFORE INSERT ON notifications_notification FOR EACH ROW",
        "notifications_notification",
        'INSERT INTO "notifications_notification"',
    ),
    "propose_referral at its commit": Drop(
        "propose_referral",
        "CONSTRAINT TRIGGER fault_stall AFTER INSERT ON cases_event DEFERRABLE INITIALLY DEFERRED FOR EACH ROW",
        "cases_event",
        "COMMIT",
    ),
    "open after the status changed, at its event": Drop(
        "open",
        "TRIGGER fault_stall BEFORE INSERT ON cases_event FOR EACH ROW",
        "cases_event",
        'INSERT INTO "cases_event"',
    ),
}


def state(case_id: int) -> dict:
    """Everything an action on the case writes, in one comparable value."""
    case = Case.objects.get(pk=case_id)
    return {
        "status": case.status,
        "version": case.version,
        "events": list(case.events.order_by("seq").values_list("action", flat=True)),
        "chain intact": verify_case_chain(case) is None,
        "handlers": case.handlers.count(),
        "referrals": list(case.referrals.values_list("status", flat=True)),
        "deadlines": sorted((d.step, d.met_at is None) for d in case.deadlines.all()),
        "tasks": TaskRoute.objects.filter(case_id=case_id).count(),
        "notifications": Notification.objects.filter(case_id=case_id).count(),
    }


@pytest.mark.parametrize("where", DROPS)
def test_a_connection_dropped_mid_action_leaves_nothing_half_written_and_the_retry_succeeds(where):
    drop = DROPS[where]
    call_command("seed_demo", verbosity=0)
    if drop.action == "propose_referral":
        case, person = referable_case()
        body = {"persons": [person.pk], "report": "持伪造操作证上岗，涉嫌使用伪造的国家机关证件。"}
    else:
        case = CaseFactory(status="lead")
        body = {"handlers": ["guangzhou.officer1", "guangzhou.officer2"]}
    path, officer = f"/api/v1/cases/{case.pk}/actions/{drop.action}/", token("guangzhou.officer1")
    before = state(case.pk)

    with daphne(1) as (port,), ThreadPoolExecutor(1) as pool:
        with stall(drop.trigger, drop.table):
            answer = pool.submit(call, port, path, officer, body)
            pid, running = stalled_backend()
            assert running.startswith(drop.running), running
            terminate(pid)
            status, error, headers = answer.result(timeout=30)
        assert status == 503, error
        assert error["code"] == "database_unavailable" and "try again" in error["detail"], error
        assert headers["Retry-After"].isdigit()
        assert state(case.pk) == before  # nothing half written

        status, _, _ = call(port, path, officer, body)
        assert status == 200

    after = state(case.pk)
    assert after["chain intact"] and after["version"] == before["version"] + 1
    assert after["events"] == [*before["events"], drop.action]
    assert after["notifications"] > before["notifications"]
    if drop.action == "propose_referral":
        assert after["referrals"] == ["proposed"] and after["tasks"] == before["tasks"] + 1
        # The finding's 3-day clock stopped and the head's began, in the same transaction.
        assert before["deadlines"] == [("decide_penalty", True), ("propose_referral", True)]
        assert after["deadlines"] == [("decide", True), ("decide_penalty", True), ("propose_referral", False)]
    else:
        assert (after["status"], after["handlers"]) == ("open", 2)


def test_with_the_database_unreachable_every_api_call_answers_503_and_the_retry_succeeds(outage):
    call_command("seed_demo", verbosity=0)
    case, person = referable_case()
    officer = token("guangzhou.officer1")
    propose = f"/api/v1/cases/{case.pk}/actions/propose_referral/"
    body = {"persons": [person.pk], "report": "持伪造操作证上岗，涉嫌使用伪造的国家机关证件。"}
    before = state(case.pk)
    with daphne(1, DATABASE_URL=outage.url) as (port,):
        assert call(port, f"/api/v1/cases/{case.pk}/", officer)[0] == 200
        outage.cut()
        for path, data in (
            (f"/api/v1/cases/{case.pk}/", None),
            ("/api/v1/cases/", None),
            (propose, body),
            ("/api/v1/auth/token/", {"username": "guangzhou.officer1", "password": "xianjie-demo"}),
        ):
            status, answer, headers = call(port, path, officer, data)
            assert (status, answer["code"]) == (503, "database_unavailable"), (path, status, answer)
            assert headers["Retry-After"].isdigit()
        assert state(case.pk) == before
        outage.restore()
        assert call(port, propose, officer, body)[0] == 200
    assert state(case.pk)["referrals"] == ["proposed"]


# --- 3. A sweeper killed mid-sweep and restarted ------------------------------------------------


def test_a_sweeper_killed_in_its_second_batch_and_restarted_escalates_each_deadline_once():
    call_command("seed_demo", verbosity=0)
    missed = missed_deadlines(cases=20, per_case=50)
    assert len(missed) == 5 * BATCH
    escalated = Deadline.objects.filter(escalated_at__isnull=False)

    # Each batch sleeps 2 s after marking its deadlines, inside its transaction.
    with stall("TRIGGER fault_stall AFTER UPDATE ON workflows_deadline FOR EACH STATEMENT", "workflows_deadline", 2):
        first = sweeper(stdout=subprocess.DEVNULL)
        wait_until(lambda: escalated.count() >= BATCH, first)  # the first batch committed
        stalled_backend()  # the second has marked its deadlines
        first.kill()
        first.wait(10)
        assert first.returncode == -9
        # The database rolls the second batch back when it finds its client gone.
    assert escalated.count() == BATCH
    assert escalations_per_deadline().total() == BATCH
    assert Notification.objects.filter(kind="escalation").count() == SUPERVISORS_TOLD * BATCH

    again = sweeper()
    out, err = again.communicate(timeout=180)
    assert again.returncode == 0, err
    assert escalated_by(out) == len(missed) - BATCH
    assert_each_escalated_exactly_once(missed)


def test_a_sweeper_that_loses_its_database_keeps_running_and_escalates_once_it_is_back(outage, tmp_path):
    call_command("seed_demo", verbosity=0)
    early = missed_deadlines(cases=2, per_case=5)
    pending = Deadline.objects.filter(escalated_at__isnull=True)
    with open(tmp_path / "sweeper.log", "w+") as log:
        proc = sweeper("--every", "1", database=outage.url, stdout=subprocess.DEVNULL, stderr=log)
        try:
            wait_until(lambda: not pending.exists(), proc)
            outage.cut()
            late = missed_deadlines(cases=2, per_case=5)  # missed while the sweeper cannot see them
            time.sleep(3)
            assert pending.count() == len(late)
            outage.restore()
            wait_until(lambda: not pending.exists(), proc)
        finally:
            proc.terminate()
            proc.wait(10)
        log.seek(0)
        assert "the database is unavailable; trying again" in log.read()
    assert_each_escalated_exactly_once(early + late)


# --- 5. A burst of 200 concurrent actions on 20 cases -------------------------------------------

IN_FLIGHT = 24  # requests open at once: well under PostgreSQL's connection limit


def test_a_burst_of_200_actions_on_20_cases_loses_no_update():
    call_command("seed_demo", verbosity=0)
    cities = ("guangzhou", "shenzhen")
    cases = [CaseFactory(city=cities[i % 2], status="open") for i in range(20)]
    start = {c.pk: (c.version, c.event_count) for c in cases}

    # Per case: 5 findings without a version (each lands unless the case is closed by then),
    # 4 with the version read before the burst (at most one can land), and the close.
    plan = []  # (case, user, action, body)
    for i, case in enumerate(cases):
        city, version = cities[i % 2], start[case.pk][0]
        work = [
            (f"{city}.officer{1 + n % 2}", "record_finding", {"kind": "unlicensed_operation"} | stale)
            for n, stale in enumerate([{}] * 5 + [{"version": version}] * 4)
        ]
        work.append((f"{city}.head", "close", {"summary": "整改完毕，结案"}))
        random.Random(i).shuffle(work)  # noqa: S311 - an order, not a secret
        plan += [(case.pk, user, action, body) for user, action, body in work]
    for n, (_case, _user, action, body) in enumerate(plan):
        if action == "record_finding":
            body["note"] = f"第{n}次检查"  # so that each success can be found afterwards
    assert len(plan) == 200
    tokens = {user: token(user) for user in {user for _case, user, _action, _body in plan}}

    def run(n: int) -> tuple[int, str | None]:
        case, user, action, body = plan[n]
        status, answer, _ = call(ports[n % 2], f"/api/v1/cases/{case}/actions/{action}/", tokens[user], body)
        return status, answer.get("code") if status != 200 else None

    with daphne(2) as ports, ThreadPoolExecutor(IN_FLIGHT) as pool:
        started = time.monotonic()
        results = list(pool.map(run, range(len(plan))))
        elapsed = time.monotonic() - started

    outcomes = Counter(results)
    assert set(outcomes) <= {(200, None), (409, "stale"), (409, "invalid_transition")}, outcomes
    assert outcomes[409, "stale"] >= 20 * 3  # of each case's 4 versioned findings, 3 or 4 lose
    for case in Case.objects.filter(pk__in=start):
        wins = [plan[n] for n, (status, _code) in enumerate(results) if plan[n][0] == case.pk and status == 200]
        version, events = start[case.pk]
        assert case.status == "closed"
        assert case.version == version + len(wins) and case.event_count == events + len(wins)
        assert sum("version" in body for *_, body in wins) <= 1
        landed = list(case.events.filter(seq__gt=events).order_by("seq").values_list("action", flat=True))
        assert sorted(landed) == sorted(action for _case, _user, action, _body in wins)
        assert landed[-1] == "close"  # nothing after the close
        # Every finding that was answered 200 is there, and nothing else.
        assert sorted(case.findings.values_list("note", flat=True)) == sorted(
            body["note"] for _case, _user, action, body in wins if action == "record_finding"
        )
    report = StringIO()
    call_command("verify_events", stdout=report)
    print(
        f"\nburst: {len(plan)} actions, {IN_FLIGHT} in flight, {elapsed:.1f} s, {dict(outcomes)}; {report.getvalue()}"
    )
