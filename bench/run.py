"""make bench: each figure beside its baseline, measured in one run (issue 8).

Needs PostgreSQL and Redis (DATABASE_URL, REDIS_URL). Writes bench/results.json and
bench/results.md.
"""

import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS: dict[str, dict] = {}


def p(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q / 100 * (len(values) - 1))))]


def record(name, value, baseline, target, met, unit="ms", note=""):
    RESULTS[name] = {
        "value": round(value, 3),
        "baseline": round(baseline, 3) if baseline is not None else None,
        "ratio": round(value / baseline, 2) if baseline else None,
        "target": target,
        "met": bool(met),
        "unit": unit,
        "note": note,
    }
    print(
        f"  {name}: {value:.1f} {unit} (baseline {baseline if baseline is None else round(baseline, 1)}) target {target} → {'met' if met else 'NOT met'}  {note}",
        flush=True,
    )


def setup():
    if not os.environ.get("DATABASE_URL", "").startswith("postgres") or not os.environ.get("REDIS_URL"):
        sys.exit("make bench needs PostgreSQL and Redis: set DATABASE_URL=postgres://… and REDIS_URL=redis://…")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # Production settings (no DEBUG query log growing through a million inserts), served over
    # plain HTTP on this machine: no redirect to HTTPS.
    os.environ.update(
        DEBUG="0",
        EMAIL_URL="dummy://",
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        SECURE_COOKIES="0",
        SECURE_SSL_REDIRECT="0",
        SECURE_HSTS_SECONDS="0",
    )
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 40)
    os.environ.setdefault("ID_HASH_KEY", "bench-only-id-" + "x" * 40)
    import django

    django.setup()


def settle():
    """The loader's objects are not the server's: freeze them out of the garbage collector's way,
    or its full collections land as pauses in the figures measured in this process. And vacuum
    what was loaded, as autovacuum would soon after, rather than have it run during the figures."""
    import gc

    from django.db import connection

    gc.collect()
    gc.freeze()
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    print(f"  VACUUM (ANALYZE) in {time.perf_counter() - started:.0f} s", flush=True)


def step(title):
    print(f"== {title}", flush=True)


def timed_requests(client, path, n=40, method="get", body=None):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        getattr(client, method)(path, body, content_type="application/json") if body is not None else getattr(
            client, method
        )(path)
    times, queries = [], []
    for _ in range(n):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            r = (
                getattr(client, method)(path, body, content_type="application/json")
                if body is not None
                else getattr(client, method)(path)
            )
            times.append((time.perf_counter() - start) * 1000)
        assert r.status_code == 200, (path, r.status_code, r.content[:200])
        queries.append(len(ctx.captured_queries))
    return p(times, 95), statistics.median(queries)


def pages():
    """B2: p95 of the pages officials use most, in-process through the whole middleware stack."""
    from django.test import Client

    from cases.models import Case, Referral

    client = Client()
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="guangzhou.head"))
    case = (
        Case.objects.filter(agency__slug="guangzhou-safety", referrals__isnull=False).order_by("-id").first()
        or Case.objects.filter(agency__slug="guangzhou-safety").first()
    )
    out = {}
    for name, path in (
        # Pages of 20, full at 10k as at 1M (guangzhou.head has 21 tasks at 10k): both figures
        # serialise the same rows and differ only by what is stored.
        ("case list", "/api/v1/cases/?page_size=20"),
        ("inbox", "/api/v1/tasks/?page_size=20"),
        ("referral list", "/api/v1/referrals/?page_size=20"),
        ("case page", f"/api/v1/cases/{case.pk}/"),
    ):
        body = client.get(path).json()
        out[name] = (*timed_requests(client, path, n=200), len(body["results"]) if "results" in body else 1)
    assert Referral.objects.exists()
    return out


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def clear_channel_layer():
    """Group members left by an earlier run (clients killed with their server) would each take a
    share of every push, slowing B1's actions and B4's pushes: start and end with none."""
    import redis

    r = redis.Redis.from_url(os.environ["REDIS_URL"])
    for key in r.scan_iter("asgi*"):
        r.delete(key)


def stop(proc):
    """Ask a server to stop; one still closing a thousand sockets after 10 s is killed."""
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def start_daphne():
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "config.asgi:application"],
        cwd=ROOT,
        env=os.environ,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(300):
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return proc, port
        time.sleep(0.1)
    raise RuntimeError("daphne did not start")


def b1_actions():
    """B1: concurrent API clients running case actions, beside GET /api/v1/me/ in the same run."""
    import http.client

    from django.contrib.auth import get_user_model

    from accounts.tokens import issue as issue_token
    from demo.sample_cases import make_credit_code, make_id_number

    User = get_user_model()
    cities = ["guangzhou", "shenzhen", "foshan", "dongguan", "zhuhai", "shantou", "huizhou", "jiangmen"]
    tokens = {c: issue_token(User.objects.get(username=f"{c}.officer1"))[1] for c in cities}
    heads = {c: issue_token(User.objects.get(username=f"{c}.head"))[1] for c in cities}
    codes = {
        "guangzhou": "440100",
        "shenzhen": "440300",
        "foshan": "440600",
        "dongguan": "441900",
        "zhuhai": "440400",
        "shantou": "440500",
        "huizhou": "441300",
        "jiangmen": "440700",
    }
    proc, port = start_daphne()
    action_times, me_times, errors = [], [], []
    lock = threading.Lock()

    def call(conn, method, path, token, body=None):
        start = time.perf_counter()
        conn.request(
            method,
            path,
            body=json.dumps(body) if body is not None else None,
            headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
        )
        response = conn.getresponse()
        data = response.read()
        elapsed = (time.perf_counter() - start) * 1000
        if response.status >= 400:
            with lock:
                errors.append((path, response.status, data[:200]))
        return elapsed, json.loads(data) if data else None

    def worker(i, city, rounds):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        officer, head = tokens[city], heads[city]
        for r in range(rounds):
            seq = i * 10_000 + r
            t, case = call(
                conn,
                "POST",
                "/api/v1/cases/",
                officer,
                {
                    "source": "inspection",
                    "region": codes[city],
                    "party": {
                        "kind": "employer",
                        "name": f"基准{seq}",
                        "credit_code": make_credit_code(codes[city], 900_000 + seq),
                    },
                    "summary": "基准测试",
                },
            )
            steps = [t]
            cid = case["id"]
            t, _ = call(
                conn,
                "POST",
                f"/api/v1/cases/{cid}/actions/open/",
                officer,
                {"handlers": [f"{city}.officer1", f"{city}.officer2"]},
            )
            steps.append(t)
            t, case = call(
                conn,
                "POST",
                f"/api/v1/cases/{cid}/actions/add_person/",
                officer,
                {
                    "name": "基准人员",
                    "id_number": make_id_number(codes[city], __import__("datetime").date(1980, 1, 1), seq % 997),
                    "role": "holder",
                },
            )
            steps.append(t)
            t, case = call(
                conn,
                "POST",
                f"/api/v1/cases/{cid}/actions/record_finding/",
                officer,
                {"kind": "forged_certificate", "person": case["persons"][0]["id"]},
            )
            steps.append(t)
            t, case = call(
                conn,
                "POST",
                f"/api/v1/cases/{cid}/actions/propose_referral/",
                officer,
                {"persons": [case["persons"][0]["id"]], "report": "基准"},
            )
            steps.append(t)
            t, _ = call(conn, "POST", f"/api/v1/referrals/{case['referrals'][0]['id']}/actions/approve/", head, {})
            steps.append(t)
            mine = [call(conn, "GET", "/api/v1/me/", officer)[0] for _ in range(6)]
            with lock:
                action_times.extend(steps)
                me_times.extend(mine)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(i, cities[i % len(cities)], 10)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    stop(proc)
    if errors:
        print("  errors:", errors[:3])
    action_p95, me_p95 = p(action_times, 95), p(me_times, 95)
    record(
        "B1 action p95 (8 clients)",
        action_p95,
        me_p95,
        "≤ 4× GET /api/v1/me/",
        action_p95 <= 4 * me_p95 and not errors,
        note=f"p50 {p(action_times, 50):.1f} ms vs {p(me_times, 50):.1f} ms; {len(action_times) / wall:.0f} actions/s, {len(errors)} errors",
    )


def b3_statistics():
    import datetime

    from django.utils import timezone

    from agencies.models import Region
    from oversight import reports
    from oversight.models import Campaign

    today = timezone.localdate()
    campaign, _ = Campaign.objects.update_or_create(
        slug="bench",
        defaults={
            "title": "基准",
            "starts_on": today - datetime.timedelta(days=1000),
            "ends_on": today + datetime.timedelta(days=30),
        },
    )
    month = today.replace(day=1)
    for code, target in (("440100", 500), ("440000", 2000)):
        region = Region.objects.get(code=code)
        reports.monthly_report(region, month, campaign)
        times = []
        for _ in range(3):
            start = time.perf_counter()
            reports.monthly_report(region, month, campaign)
            times.append((time.perf_counter() - start) * 1000)
        value = statistics.median(times)
        record(
            f"B3 monthly form {'city' if code != '440000' else 'province'}",
            value,
            None,
            f"≤ {target} ms",
            value <= target,
        )


def b5_verification():
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    from certificates.models import Certificate

    numbers = list(Certificate.objects.order_by("?").values_list("number", "holder_name")[:9_000])
    items = [{"number": n, "name": name} for n, name in numbers] + [
        {"number": f"NONE{i}", "name": "无"} for i in range(1_000)
    ]
    client = Client()
    client.force_login(get_user_model().objects.get(username="guangzhou.officer1"))
    body = json.dumps({"items": items})
    times = []
    for _ in range(4):
        start = time.perf_counter()
        r = client.post("/api/v1/certificates/verify/", body, content_type="application/json")
        times.append((time.perf_counter() - start) * 1000)
        assert r.status_code == 200
    bare = []
    for _ in range(4):
        start = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT number, holder_name, status, expires_on, reviewed_on, issued_on FROM certificates_certificate WHERE number = ANY(%s)",
                [[i["number"] for i in items]],
            )
            cursor.fetchall()
        bare.append((time.perf_counter() - start) * 1000)
    value, base = statistics.median(times[1:]), statistics.median(bare[1:])
    record(
        "B5 verify 10,000 vs 1M registry",
        value,
        base,
        "≤ 1000 ms and ≤ 3× bare SQL",
        value <= 1000 and value <= 3 * base,
    )


def b6_sweep(total: int, label: str):
    import datetime
    import io

    from django.db import connection
    from django.utils import timezone

    from workflows.models import Deadline
    from workflows.sweep import sweep

    have = Deadline.objects.filter(step="bench").count()
    now = timezone.now()
    with connection.cursor() as cursor:
        case_ids = [
            row[0] for row in cursor.execute("SELECT id FROM cases_case ORDER BY id LIMIT 50000") or cursor.fetchall()
        ]
        rows = io.StringIO()
        for i in range(have, total - 1000):
            due = now + datetime.timedelta(days=30 + i % 300)
            rows.write(f"{case_ids[i % len(case_ids)]}\tbench\t{now.isoformat()}\t{due.isoformat()}\n")
        for i in range(1000):
            rows.write(
                f"{case_ids[(i * 37) % len(case_ids)]}\tpropose_referral\t{now.isoformat()}\t{(now - datetime.timedelta(minutes=5)).isoformat()}\n"
            )
        rows.seek(0)
        cursor.copy_expert("COPY workflows_deadline (case_id, step, starts_at, due_at) FROM STDIN", rows)
        cursor.execute("ANALYZE workflows_deadline")
    start = time.perf_counter()
    escalated = sweep()
    elapsed = (time.perf_counter() - start) * 1000
    print(f"  sweep over {total:,} stored deadlines escalated {escalated}", flush=True)
    return elapsed


def b4_push():
    import redis
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from accounts.tokens import issue as issue_token
    from notifications.outbox import notify

    User = get_user_model()
    users = list(User.objects.filter(username__contains=".").order_by("id")[:200])
    tokens = [issue_token(u)[1] for u in users]
    # Two ASGI processes sharing Redis, 500 clients each, as production runs several behind a proxy.
    servers = [start_daphne(), start_daphne()]
    port = ",".join(str(port) for _proc, port in servers)
    clients = subprocess.Popen(
        [sys.executable, "-m", "bench.ws_clients", str(port), "60"],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    clients.stdin.write("\n".join(tokens * 5))
    clients.stdin.close()
    report = json.loads(clients.stdout.readline())
    connected, failed = report.get("ready", 0), report.get("failed_attempts", {})
    sent = {}
    for user in users:
        with transaction.atomic():
            row = notify([user], kind="bench", title="基准")[0]
            sent[row.pk] = time.time()
        time.sleep(0.01)
    latencies = []
    deadline = time.time() + 15
    while len(latencies) < 1000 and time.time() < deadline:
        line = clients.stdout.readline()
        if not line:
            break
        got = json.loads(line)
        if got.get("id") in sent:
            latencies.append((got["at"] - sent[got["id"]]) * 1000)
    clients.kill()
    for proc, _port in servers:
        stop(proc)
    clear_channel_layer()
    # Baseline: a bare Redis publish → subscribe round trip.
    r = redis.Redis.from_url(os.environ["REDIS_URL"])
    sub = r.pubsub()
    sub.subscribe("bench-baseline")
    sub.get_message(timeout=1)
    bare = []
    for _ in range(200):
        start = time.time()
        r.publish("bench-baseline", "x")
        while sub.get_message(timeout=1) is None:
            pass
        bare.append((time.time() - start) * 1000)
    value = p(latencies, 99) if latencies else float("inf")
    record(
        "B4 push p99 (1,000 clients, 2 ASGI processes)",
        value,
        p(bare, 99),
        "≤ 100 ms",
        value <= 100 and connected == 1000 and len(latencies) >= 950,
        note=f"p50 {p(latencies, 50) if latencies else 0:.1f} ms; {connected} of 1,000 clients connected (handshakes tried again: {failed or 'none'}), {len(latencies)} receipts; bare Redis p50 {p(bare, 50):.2f} ms",
    )


def write():
    out = ROOT / "bench"
    (out / "results.json").write_text(json.dumps(RESULTS, ensure_ascii=False, indent=2))
    lines = ["| figure | value | baseline | ratio | target | met | note |", "|---|---|---|---|---|---|---|"]
    for name, r in RESULTS.items():
        base = "—" if r["baseline"] is None else f"{r['baseline']} {r['unit']}"
        lines.append(
            f"| {name} | {r['value']} {r['unit']} | {base} | {r['ratio'] or '—'} | {r['target']} | {'yes' if r['met'] else '**no**'} | {r['note']} |"
        )
    (out / "results.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


def main():
    setup()
    from django.core.management import call_command

    started = time.monotonic()
    clear_channel_layer()
    step("migrate and seed")
    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0)
    step("load 10,000 cases")
    # Enough referrals that guangzhou.head's pages of B2 are full at 10k as they are at 1M.
    call_command("generate_load", cases=10_000, referral_share=0.12)
    settle()
    small = pages()
    step("B1 action throughput")
    b1_actions()
    step("B6 sweep at 100,000 deadlines")
    sweep_100k = b6_sweep(100_000, "100k")
    large_n = int(os.environ.get("BENCH_CASES", "1000000"))
    step(f"load {large_n:,} cases and {large_n:,} certificates")
    call_command("generate_load", cases=large_n, certificates=large_n, referral_share=0.002)
    settle()
    large = pages()
    for name in small:
        (p10, q10, rows10), (p1m, q1m, rows1m) = small[name], large[name]
        record(
            f"B2 {name} p95 at 1M",
            p1m,
            p10,
            "≤ 2× the 10k figure, same queries",
            p1m <= 2 * p10 and q1m == q10,
            note=f"queries {q10:g} → {q1m:g}, rows on the page {rows10} → {rows1m}",
        )
    step("B3 statistics")
    b3_statistics()
    step("B5 verification")
    b5_verification()
    step("B6 sweep at 1,000,000 deadlines")
    sweep_1m = b6_sweep(int(os.environ.get("BENCH_DEADLINES", "1000000")), "1M")
    record(
        "B6 sweep, 1,000 due of 1M",
        sweep_1m,
        sweep_100k,
        "≤ 2000 ms and ≤ 1.5× the 100k run",
        sweep_1m <= 2000 and sweep_1m <= 1.5 * sweep_100k,
    )
    step("B4 push latency")
    b4_push()
    write()
    print(f"bench: {time.monotonic() - started:.0f} s", flush=True)


if __name__ == "__main__":
    main()
