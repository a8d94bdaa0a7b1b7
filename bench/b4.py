"""B4: a push to 1,000 WebSocket clients held through nginx (config.stack: nginx in front of
gunicorn's uvicorn workers, one per core), each push's arrival against a bare Redis publish →
subscribe round trip measured in the same run.

    python -m bench.b4 [--noise]      # alone, on DATABASE_URL (migrated, seed_demo) and REDIS_URL

bench.run calls b4_push(record, noise) with its record().
"""

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLIENTS = 1000
USERS = 200  # each user's notification reaches its 5 open sockets
HOLD_SECONDS = 60


def p(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q / 100 * (len(values) - 1))))]


def clear_channel_layer():
    """Group members left by an earlier run would each take a share of every push: start with none."""
    import redis

    r = redis.Redis.from_url(os.environ["REDIS_URL"])
    for key in r.scan_iter("asgi*"):
        r.delete(key)


def bare_redis(n=200):
    """A bare Redis publish → subscribe round trip, n times: the floor any push stands on."""
    import redis

    r = redis.Redis.from_url(os.environ["REDIS_URL"])
    sub = r.pubsub()
    sub.subscribe("bench-baseline")
    sub.get_message(timeout=1)
    times = []
    for _ in range(n):
        start = time.perf_counter()
        r.publish("bench-baseline", "x")
        while sub.get_message(timeout=1) is None:
            pass
        times.append((time.perf_counter() - start) * 1000)
    sub.close()
    return times


def b4_push(record, noise: bool) -> None:
    """The B4 figure. noise: measured with a CPU-bound process beside the stack; one is started
    here for the figure unless BENCH_NOISE=1 says the caller keeps one running already."""
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from accounts.tokens import issue as issue_token
    from config.stack import Stack
    from notifications.outbox import notify

    users = list(get_user_model().objects.filter(username__contains=".").order_by("id")[:USERS])
    tokens = [issue_token(u)[1] for u in users]
    clear_channel_layer()
    spinner = None
    if noise and os.environ.get("BENCH_NOISE") != "1":
        spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        with Stack() as stack:
            clients = subprocess.Popen(
                [sys.executable, "-m", "bench.ws_clients", str(stack.port), str(HOLD_SECONDS)],
                cwd=ROOT,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
            assert clients.stdin is not None and clients.stdout is not None
            clients.stdin.write("\n".join((tokens * (CLIENTS // len(tokens) + 1))[:CLIENTS]))
            clients.stdin.close()
            early: list[dict] = []  # sockets closed before all had connected
            while "ready" not in (report := json.loads(clients.stdout.readline() or '{"ready": 0}')):
                early.append(report)
            connected, failed = report.get("ready", 0), report.get("failed_attempts", {})
            connect_seconds = report.get("seconds", 0)
            # Arrivals are read as they come, beside the sending: the pipe never fills.
            arrivals: list[dict] = list(early)
            reader = threading.Thread(
                target=lambda: arrivals.extend(json.loads(line) for line in clients.stdout), daemon=True
            )
            reader.start()
            sent = {}
            for user in users:
                with transaction.atomic():
                    row = notify([user], kind="bench", title="基准")[0]
                    sent[row.pk] = time.time()  # before the commit: the figure includes it
                time.sleep(0.01)
            expected = CLIENTS  # every push reaches each of its user's open sockets
            deadline = time.time() + 15
            while time.time() < deadline and sum(1 for a in list(arrivals) if a.get("id") in sent) < connected:
                time.sleep(0.1)
            clients.kill()
            clients.wait()
            closed = [a for a in arrivals if "closed" in a]
            if closed or len([a for a in arrivals if a.get("id") in sent]) < connected:  # the logs say why
                sys.stderr.write(f"sockets closed early: {closed[:10]}\n")
                sys.stderr.write(
                    "nginx:\n"
                    + stack.log("error.log")[-3000:]
                    + "\ngunicorn:\n"
                    + stack.log("gunicorn.log")[-3000:]
                    + "\n"
                )
            bare = bare_redis()  # in the same run, beside the same neighbour
    finally:
        if spinner is not None:
            spinner.kill()
            spinner.wait()
        clear_channel_layer()
    latencies = [(a["at"] - sent[a["id"]]) * 1000 for a in arrivals if a.get("id") in sent]
    value = p(latencies, 99) if latencies else float("inf")
    bare99 = p(bare, 99)
    neighbour = ", CPU-bound neighbour" if noise else ""
    record(
        f"B4 push p99 (1,000 clients through nginx{neighbour})",
        value,
        bare99,
        "≤ 20× bare Redis p99",
        value <= 20 * bare99 and connected == CLIENTS and len(latencies) >= expected,
        note=(
            f"p50 {p(latencies, 50) if latencies else 0:.1f} ms; {connected} of {CLIENTS:,} clients connected in "
            f"{connect_seconds:.0f} s (failed handshakes: {failed or 'none'}); {len(latencies)} of {expected:,} "
            f"pushes received; {len(closed)} sockets closed early; bare Redis p50 {p(bare, 50):.2f} ms; nginx → gunicorn, {os.cpu_count()} uvicorn workers"
        ),
    )


if __name__ == "__main__":
    from bench.run import record, setup

    setup()
    b4_push(record, noise="--noise" in sys.argv)
