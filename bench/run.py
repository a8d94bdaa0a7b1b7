"""make bench: each figure beside its baseline, measured in one run (issues 8 and 20).

Needs PostgreSQL, Redis (DATABASE_URL, REDIS_URL), nginx and pgbench. Writes bench/results.json
and bench/results.md. BENCH_NOISE=1 keeps a CPU-bound process running beside the whole run.
"""

import json
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from bench.b4 import b4_push, clear_channel_layer, p

ROOT = Path(__file__).resolve().parents[1]
RESULTS: dict[str, dict] = {}
SIZES: dict[str, dict] = {}
RUN: dict[str, object] = {}
CLIENTS = 8  # B1's API clients, and pgbench's


def record(name, value, baseline, target, met, unit="ms", note="", baseline_unit=None):
    """One figure beside its baseline; met None for a reference figure with no target of its own."""
    RESULTS[name] = {
        "value": round(value, 3),
        "baseline": round(baseline, 3) if baseline is not None else None,
        "ratio": float(f"{value / baseline:.3g}") if baseline else None,
        "target": target,
        "met": None if met is None else bool(met),
        "unit": unit,
        "baseline_unit": baseline_unit or unit,
        "note": note,
    }
    verdict = "reference" if met is None else "met" if met else "NOT met"
    print(
        f"  {name}: {value:.1f} {unit} (baseline {baseline if baseline is None else round(baseline, 1)}) target {target} → {verdict}  {note}",
        flush=True,
    )


def setup():
    if not os.environ.get("DATABASE_URL", "").startswith("postgres") or not os.environ.get("REDIS_URL"):
        sys.exit("make bench needs PostgreSQL and Redis: set DATABASE_URL=postgres://… and REDIS_URL=redis://…")
    if not shutil.which("pgbench"):
        sys.exit("make bench needs pgbench (PostgreSQL's client tools, e.g. apt install postgresql-client)")
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
        # B5 verifies a 10,000-row roster four times as one officer: above the production quotas
        # of verified certificates per user and agency, which are not what B5 measures.
        VERIFY_ITEMS_PER_USER_HOUR="1000000",
        VERIFY_ITEMS_PER_USER_DAY="1000000",
        VERIFY_ITEMS_PER_AGENCY_DAY="1000000",
    )
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 40)
    os.environ.setdefault("ID_HASH_KEY", "bench-only-id-" + "x" * 40)
    # As production runs: e-mails (escalations, proposals) are queued for the Celery workers, not
    # sent inside the action or the sweep being measured. No worker runs here; the queued
    # messages are emptied at the start and the end (clear_broker).
    os.environ.setdefault("CELERY_BROKER_URL", os.environ["REDIS_URL"])
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


def clear_broker():
    """The messages queued for workers that this bench never starts."""
    from config.celery import app

    with app.connection_for_write() as connection:
        for queue in ("mail", "jobs", "sweep", "celery"):
            connection.default_channel.queue_purge(queue)


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


class StepFailed(Exception):
    pass


def pgbench_reference():
    """pgbench's TPC-B-like rate on the same server, the same number of clients, just before B1."""
    from bench.pgbench import tpcb

    got = tpcb(
        clients=CLIENTS,
        threads=2,
        seconds=int(os.environ.get("BENCH_PGBENCH_SECONDS", "30")),
        scale=int(os.environ.get("BENCH_PGBENCH_SCALE", "20")),
    )
    record(
        f"pgbench TPC-B tps ({CLIENTS} clients)",
        got["tps"],
        None,
        "reference for B1",
        None,
        unit="tps",
        note=f"scale {got['scale']}, {got['threads']} threads, {got['seconds']} s, simple protocol, "
        f"tps without connection time; latency average {got['latency_ms']} ms",
    )
    return got["tps"]


def b1_actions(pgbench_tps: float):
    """B1: concurrent API clients running case actions through nginx and the application's workers,
    beside GET /api/v1/me/ in the same run; the throughput beside pgbench's on the same server."""
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
            raise StepFailed(path)
        return elapsed, json.loads(data) if data else None

    def worker(i, city, rounds):
        conn = http.client.HTTPConnection("127.0.0.1", stack.port, timeout=60)
        officer, head = tokens[city], heads[city]
        for r in range(rounds):
            try:
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
            except StepFailed:
                continue  # counted in errors; the next round starts a new case

    from config.stack import Stack

    # The production topology (config/stack.py): nginx in front of gunicorn's uvicorn workers.
    with Stack() as stack:
        served_by = f"nginx + {stack.workers} workers"
        started = time.perf_counter()
        threads = [threading.Thread(target=worker, args=(i, cities[i % len(cities)], 10)) for i in range(CLIENTS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - started
    if errors:
        print("  errors:", errors[:3])
    if not action_times or not me_times:
        sys.exit(f"B1: no round completed; errors: {errors[:3]}")
    action_p95, me_p95 = p(action_times, 95), p(me_times, 95)
    per_second = len(action_times) / wall
    noise = ", CPU noise on" if RUN.get("noise") else ""
    record(
        f"B1 action p95 ({CLIENTS} clients)",
        action_p95,
        me_p95,
        "≤ 3× GET /api/v1/me/",
        action_p95 <= 3 * me_p95 and not errors,
        note=f"{served_by}{noise}; p50 {p(action_times, 50):.1f} ms vs {p(me_times, 50):.1f} ms; {len(errors)} errors",
    )
    record(
        f"B1 actions/s ({CLIENTS} clients)",
        per_second,
        pgbench_tps,
        "≥ 2 % of pgbench TPC-B tps",
        per_second >= 0.02 * pgbench_tps and not errors,
        unit="actions/s",
        baseline_unit="tps",
        note=f"{per_second / pgbench_tps:.1%} of pgbench's rate; {len(action_times)} actions in {wall:.1f} s, "
        f"each client's six actions then six GET /api/v1/me/",
    )


FORMS = (("440100", "city"), ("440000", "province"))


def b3_forms() -> dict[str, tuple[float, float]]:
    """B3: the monthly form of a city and of the province (the bench campaign spans 1,000 days, so
    累计 covers everything): the median of three after a first call, and that first call."""
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
    out = {}
    for code, level in FORMS:
        region = Region.objects.get(code=code)
        times = []
        for _ in range(4):
            start = time.perf_counter()
            reports.monthly_report(region, month, campaign)
            times.append((time.perf_counter() - start) * 1000)
        out[level] = (statistics.median(times[1:]), times[0])
        print(f"  {level} form: {out[level][0]:.1f} ms (first call {times[0]:.1f} ms)", flush=True)
    return out


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
            rows.write(f"{case_ids[i % len(case_ids)]}\tbench\t{now.isoformat()}\t{due.isoformat()}\t\n")
        for i in range(1000):
            rows.write(
                f"{case_ids[(i * 37) % len(case_ids)]}\tpropose_referral\t{now.isoformat()}\t{(now - datetime.timedelta(minutes=5)).isoformat()}\t\n"
            )
        rows.seek(0)
        # met_by: an empty field is an empty string in COPY's text format (NULL is \N).
        cursor.copy_expert("COPY workflows_deadline (case_id, step, starts_at, due_at, met_by) FROM STDIN", rows)
        cursor.execute("ANALYZE workflows_deadline")
    start = time.perf_counter()
    escalated = sweep()
    elapsed = (time.perf_counter() - start) * 1000
    print(f"  sweep over {total:,} stored deadlines escalated {escalated} in {elapsed:.0f} ms", flush=True)
    return elapsed


def table_sizes(label: str):
    """Rows and bytes of the tables at this scale (bench/sizes.py), into results.json's "sizes"."""
    try:
        from bench.sizes import table_sizes as sizes
    except ImportError:
        return
    SIZES[label] = sizes()


def scale_label(n: int) -> str:
    return f"{n // 1_000_000}M" if n % 1_000_000 == 0 else f"{n // 1000}k"


def write():
    out = ROOT / "bench"
    (out / "results.json").write_text(
        json.dumps({"run": RUN, "figures": RESULTS, "sizes": SIZES}, ensure_ascii=False, indent=2)
    )
    lines = [
        f"CPU noise {'on (a busy process beside the run)' if RUN.get('noise') else 'off'}; "
        f"{RUN.get('cases', 0):,} cases at the large scale.",
        "",
        "| figure | value | baseline | ratio | target | met | note |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, r in RESULTS.items():
        base = "—" if r["baseline"] is None else f"{r['baseline']} {r['baseline_unit']}"
        met = "—" if r["met"] is None else "yes" if r["met"] else "**no**"
        lines.append(
            f"| {name} | {r['value']} {r['unit']} | {base} | {r['ratio'] or '—'} | {r['target']} | {met} | {r['note']} |"
        )
    try:
        from bench.sizes import sizes_table_md
    except ImportError:
        pass
    else:
        if SIZES:
            lines += ["", "Rows and bytes of the tables at each scale:", "", sizes_table_md(SIZES).rstrip()]
    (out / "results.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


def main():
    setup()
    from django.core.management import call_command

    started = time.monotonic()
    large_n = int(os.environ.get("BENCH_CASES", "1000000"))
    RUN.update(noise=os.environ.get("BENCH_NOISE", "0") == "1", cases=large_n)
    # BENCH_NOISE=1: a process spinning on a core for the whole run, as another tenant would.
    noise = subprocess.Popen([sys.executable, "-c", "while True: pass"]) if RUN["noise"] else None
    clear_broker()
    try:
        measure(call_command, large_n)
    finally:
        clear_broker()
        if noise is not None:
            noise.kill()
            noise.wait()
    RUN["seconds"] = round(time.monotonic() - started)
    write()
    print(f"bench: {RUN['seconds']} s", flush=True)


def measure(call_command, large_n: int):
    clear_channel_layer()
    step("migrate and seed")
    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0)
    step("load 10,000 cases")
    # Enough referrals that guangzhou.head's pages of B2 are full at 10k as they are at 1M.
    call_command("generate_load", cases=10_000, referral_share=0.12)
    settle()
    table_sizes("10k")
    small = pages()
    step("B3 statistics at 10,000 cases")
    forms_10k = b3_forms()
    step("pgbench TPC-B on the same server")
    pgbench_tps = pgbench_reference()
    step("B1 action throughput")
    b1_actions(pgbench_tps)
    step("B6 sweep at 100,000 deadlines")
    sweep_100k = b6_sweep(100_000, "100k")
    step(f"load {large_n:,} cases and {large_n:,} certificates")
    call_command("generate_load", cases=large_n, certificates=large_n, referral_share=0.002)
    settle()
    table_sizes(scale_label(large_n))
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
    for level, (value, first) in b3_forms().items():
        base, base_first = forms_10k[level]
        record(
            f"B3 monthly form {level} at 1M",
            value,
            base,
            "≤ 2× the 10k figure",
            value <= 2 * base,
            note=f"first call {first:.0f} ms (at 10k {base_first:.0f} ms)",
        )
    step("B5 verification")
    b5_verification()
    step("B6 sweep at 1,000,000 deadlines")
    sweep_1m = b6_sweep(int(os.environ.get("BENCH_DEADLINES", "1000000")), "1M")
    record(
        "B6 sweep, 1,000 due of 1M",
        sweep_1m,
        sweep_100k,
        "≤ 1.5× the 100k run",
        sweep_1m <= 1.5 * sweep_100k,
    )
    step("B4 push latency")
    b4_push(record, RUN["noise"])


if __name__ == "__main__":
    main()
