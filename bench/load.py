"""make load: a working day of users (bench/locustfile.py) against the production topology, in steps.

Needs PostgreSQL and Redis (DATABASE_URL, REDIS_URL), and runs on the database `make bench` leaves
(1,000,000 cases; on a smaller one it runs all the same and says how many cases it had). Starts the
production stack (config.stack: nginx in front of the ASGI workers), then Locust in a process of its
own for each step of users (LOAD_STEPS, default 25,50,100,200,300,400), each measured for
LOAD_STEP_SECONDS (60) once every user is running; stops after the first step that misses a target
(LOAD_ALL_STEPS=1 runs every step all the same, to see the curve past it).

A step holds when it has no errors (a 5xx, or a 4xx not expected; a 409 because another user took
the same referral first is a conflict, counted apart), page p95 ≤ 300 ms and action p95 ≤ 500 ms.
Writes bench/load.json and bench/load.md.
"""

import contextlib
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOCUSTFILE = ROOT / "bench" / "locustfile.py"
PAGE_P95_MS = 300
ACTION_P95_MS = 500
PASSWORD = "xianjie-demo"  # noqa: S105 - the demo accounts' (seed_demo), public in the README
ACCOUNTS = ("officer1", "officer2", "head", "police", "police_head")
# The server's settings for the run: production (no DEBUG), plain HTTP on this machine, and the
# public check's per-address quota out of the way, since every simulated visitor comes from 127.0.0.1.
SERVER_ENV = {
    "DEBUG": "0",
    "EMAIL_URL": "dummy://",
    "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    "SECURE_COOKIES": "0",
    "SECURE_SSL_REDIRECT": "0",
    "SECURE_HSTS_SECONDS": "0",
    "OTP_REQUIRED_ROLES": "",
    "PUBLIC_CHECKS_PER_HOUR": "1000000",
}


# -- the figures -------------------------------------------------------------------------------


def kind_of(name: str) -> str:
    """A request's kind by its name: the sign-in, an action (a POST that changes something), or a
    page (everything read, HTML or JSON, and the public check, which only looks up)."""
    if name == "POST login":
        return "login"
    if name.startswith("POST ") and name != "POST public check":
        return "action"
    return "page"


def percentile(histogram: dict, q: float) -> float | None:
    """The q-th percentile (nearest rank) of a histogram {milliseconds: count}."""
    items = sorted((float(ms), n) for ms, n in histogram.items() if n)
    total = sum(n for _, n in items)
    if not total:
        return None
    rank, seen = max(1, math.ceil(q / 100 * total)), 0
    for ms, n in items:
        seen += n
        if seen >= rank:
            return ms
    return items[-1][0]


def merged(histograms: list[dict]) -> dict:
    out: dict[str, int] = {}
    for histogram in histograms:
        for ms, n in histogram.items():
            out[str(ms)] = out.get(str(ms), 0) + n
    return out


def latency(histogram: dict) -> dict:
    return {f"p{q}": percentile(histogram, q) for q in (50, 95, 99)}


def judge(users: int, seconds: float, raw: dict) -> dict:
    """One step's figures from what the locustfile wrote: per request kind, per class (page,
    action), and whether it held (no errors, page p95 ≤ 300 ms, action p95 ≤ 500 ms)."""
    entries = [e for e in raw["entries"] if e["name"] != "Aggregated"]
    kinds = {
        e["name"]: {
            "kind": kind_of(e["name"]),
            "requests": e["requests"],
            "errors": e["failures"],
            "conflicts": e["conflicts"],
            **latency(e["histogram"]),
        }
        for e in sorted(entries, key=lambda e: e["name"])
    }
    classes = {
        cls: {
            "requests": sum(e["requests"] for e in entries if kind_of(e["name"]) == cls),
            **latency(merged([e["histogram"] for e in entries if kind_of(e["name"]) == cls])),
        }
        for cls in ("page", "action")
    }
    requests = sum(e["requests"] for e in entries)
    errors = sum(e["failures"] for e in entries)
    why = []
    if not requests:
        why.append("no requests")
    if errors:
        why.append(f"{errors} errors")
    for cls, limit in (("page", PAGE_P95_MS), ("action", ACTION_P95_MS)):
        p95 = classes[cls]["p95"]
        if p95 is not None and p95 > limit:
            why.append(f"{cls} p95 {p95:g} ms > {limit} ms")
    return {
        "users": users,
        "seconds": seconds,
        "requests": requests,
        "rps": round(requests / seconds, 1) if seconds else None,
        "errors": errors,
        "conflicts": sum(e["conflicts"] for e in entries),
        "page": classes["page"],
        "action": classes["action"],
        "kinds": kinds,
        "error_samples": sorted(raw.get("errors", []), key=lambda e: -e["occurrences"])[:10],
        "held": not why,
        "why": "; ".join(why),
    }


def held_users(steps: list[dict]) -> int:
    """The most users held: the last step of the unbroken run of steps that held from the first."""
    held = 0
    for step in steps:
        if not step["held"]:
            break
        held = step["users"]
    return held


# -- the run -----------------------------------------------------------------------------------


def setup() -> None:
    if not os.environ.get("DATABASE_URL", "").startswith("postgres") or not os.environ.get("REDIS_URL"):
        sys.exit("make load needs PostgreSQL and Redis: set DATABASE_URL=postgres://… and REDIS_URL=redis://…")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.update(SERVER_ENV)
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 40)
    os.environ.setdefault("ID_HASH_KEY", "bench-only-id-" + "x" * 40)
    import django

    django.setup()


def prepare(path: Path, slugs: list[str] | None = None) -> tuple[dict, list[int]]:
    """The locustfile's configuration, written to `path`: per city (all 21, or those of `slugs`) its
    code, slug and a token of each account the simulated users share; the supervisors' password; the
    month of the monthly form; some certificates of the registry. Returns it and the ids of the
    tokens issued (deleted after)."""
    from django.contrib.auth import get_user_model

    from accounts.tokens import issue
    from certificates.models import Certificate
    from demo.data import CITIES
    from oversight import reports

    User = get_user_model()
    found = reports.default_month()
    if found is None:  # a database without a campaign (make bench's has one): the one B3 uses
        import datetime

        from django.utils import timezone

        from oversight.models import Campaign

        today = timezone.localdate()
        Campaign.objects.update_or_create(
            slug="bench",
            defaults={
                "title": "基准",
                "starts_on": today - datetime.timedelta(days=1000),
                "ends_on": today + datetime.timedelta(days=30),
            },
        )
        found = reports.default_month()
        assert found is not None
    cities, issued = [], []
    for code, _name, slug in CITIES:
        if slugs is not None and slug not in slugs:
            continue
        tokens = {}
        for account in ACCOUNTS:
            row, key = issue(User.objects.get(username=f"{slug}.{account}"), second_factor=True)
            issued.append(row.pk)
            tokens[account] = key
        supervisor = User.objects.get(username=f"{slug}.supervisor")
        if not supervisor.check_password(PASSWORD):
            supervisor.set_password(PASSWORD)
            supervisor.save(update_fields=["password"])
        cities.append({"code": code, "slug": slug, "tokens": tokens})
    certificates = [
        {"number": n, "name": name} for n, name in Certificate.objects.values_list("number", "holder_name")[:500]
    ]
    config = {"cities": cities, "password": PASSWORD, "month": f"{found[1]:%Y-%m}", "certificates": certificates}
    path.write_text(json.dumps(config, ensure_ascii=False))
    return config, issued


@contextlib.contextmanager
def serve() -> Iterator[tuple[str, str]]:
    """The production topology (config.stack: nginx in front of gunicorn's uvicorn workers, one a
    core); yields its address and a description."""
    from config.stack import Stack

    with Stack(env=dict(os.environ)) as stack:
        yield stack.url, f"nginx in front of gunicorn with {stack.workers} uvicorn workers (config.stack)"


def cpu_groups(locust_pid: int, database: str) -> dict[str, float]:
    """CPU seconds used so far by what shares the machine: PostgreSQL (the backends of this
    database, and the server's own background processes), Redis, this run's nginx and web workers,
    Locust, and the machine in all (the rest is other work on the machine)."""
    import psutil  # type: ignore[import-untyped]

    me = psutil.Process()
    locust_tree = set()
    with contextlib.suppress(psutil.NoSuchProcess):
        parent = psutil.Process(locust_pid)
        locust_tree = {parent.pid, *(c.pid for c in parent.children(recursive=True))}
    mine = {c.pid for c in me.children(recursive=True)} - locust_tree
    groups = dict.fromkeys(("postgres", "redis", "nginx", "web", "locust"), 0.0)
    for proc in psutil.process_iter(["name", "cmdline"]):
        try:
            name = proc.info["name"] or ""
            title = " ".join(proc.info["cmdline"] or [])
            t = proc.cpu_times()
            used = t.user + t.system
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        if proc.pid in locust_tree:
            groups["locust"] += used
        elif name.startswith("postgres"):
            # A backend's title: "postgres: 15/main: <user> <database> <client> <state>".
            words = title.split()
            backend = len(words) >= 5 and ("(" in words[4] or words[4] == "[local]")
            if not backend or words[3] == database:
                groups["postgres"] += used
        elif name.startswith("redis"):
            groups["redis"] += used
        elif proc.pid in mine:
            groups["nginx" if name.startswith("nginx") else "web"] += used
    total = psutil.cpu_times()
    groups["machine"] = (
        total.user + total.system + getattr(total, "nice", 0) + getattr(total, "irq", 0) + getattr(total, "softirq", 0)
    )
    return groups


def run_step(url: str, users: int, seconds: int, config_path: Path, workdir: Path) -> tuple[dict, dict]:
    """One step: Locust headless in its own process, `users` spawned within ~10 s, the figures
    reset once all run, then `seconds` measured. Returns what the locustfile wrote and the CPU
    (cores used, by group) over the measured part."""
    rate = max(5.0, users / 10)
    ramp = math.ceil(users / rate) + 1
    out = workdir / f"stats-{users}.json"
    env = os.environ | {"LOAD_CONFIG": str(config_path), "LOAD_STATS_OUT": str(out)}
    log = (workdir / f"locust-{users}.log").open("w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "locust",
            "-f",
            str(LOCUSTFILE),
            "--headless",
            "--host",
            url,
            "-u",
            str(users),
            "-r",
            f"{rate:g}",
            "-t",
            f"{ramp + seconds}s",
            "--reset-stats",
            "--only-summary",
            "--loglevel",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    from django.db import connection

    database = connection.settings_dict["NAME"]
    time.sleep(ramp)
    before, started = cpu_groups(proc.pid, database), time.monotonic()
    time.sleep(max(1, seconds - 1))
    after, elapsed = cpu_groups(proc.pid, database), time.monotonic() - started
    try:
        proc.wait(seconds + 120)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    log.close()
    if not out.exists():
        raise RuntimeError(
            f"Locust wrote no figures for {users} users: see {log.name}\n" + Path(log.name).read_text()[-3000:]
        )
    cpu = {k: round((after[k] - before[k]) / elapsed, 2) for k in after}
    cpu["other"] = round(cpu["machine"] - sum(v for k, v in cpu.items() if k != "machine"), 2)
    return json.loads(out.read_text()), cpu


def database_size() -> dict:
    from django.db import connection

    from cases.models import Case, Referral
    from certificates.models import Certificate

    size = {
        "cases": Case.objects.count(),
        "referrals": Referral.objects.count(),
        "certificates": Certificate.objects.count(),
    }
    connection.close()
    return size


def steps_wanted() -> list[int]:
    return [int(n) for n in os.environ.get("LOAD_STEPS", "25,50,100,200,300,400").split(",") if n.strip()]


def main() -> None:
    setup()
    from django.contrib.auth import get_user_model  # noqa: F401 - Django is set up
    from knox.models import AuthToken

    seconds = int(os.environ.get("LOAD_STEP_SECONDS", "60"))
    size = database_size()
    if size["cases"] < 1_000_000:
        print(f"load: the database has {size['cases']:,} cases (make bench leaves 1,000,000)", flush=True)
    steps: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="xianjie-load-") as tmp:
        workdir = Path(tmp)
        config_path = workdir / "config.json"
        _config, issued = prepare(config_path)
        from django.db import connection

        connection.close()
        try:
            with serve() as (url, topology):
                print(f"load: {topology} at {url}", flush=True)
                for users in steps_wanted():
                    print(f"== {users} users for {seconds} s", flush=True)
                    raw, cpu = run_step(url, users, seconds, config_path, workdir)
                    step = judge(users, seconds, raw) | {"cpu": cpu}
                    # What one request costs, whatever else runs on the machine: the ceiling on
                    # an idle one is about the cores free for the web workers over this.
                    step["cpu_ms_per_request"] = {
                        k: round(cpu[k] * 1000 / step["rps"], 1) if step["rps"] else None for k in ("web", "postgres")
                    }
                    steps.append(step)
                    report_step(step)
                    if not step["held"] and os.environ.get("LOAD_ALL_STEPS") != "1":
                        break
        finally:
            AuthToken.objects.filter(pk__in=issued).delete()
    result = {
        "database": size,
        "topology": topology,
        "cores": os.cpu_count(),
        "targets": {"errors": 0, "page_p95_ms": PAGE_P95_MS, "action_p95_ms": ACTION_P95_MS},
        "step_seconds": seconds,
        "held_users": held_users(steps),
        "steps": steps,
    }
    write(result)


def report_step(step: dict) -> None:
    page, action = step["page"], step["action"]
    print(
        f"  {step['requests']} requests ({step['rps']}/s), {step['errors']} errors, {step['conflicts']} conflicts; "
        f"page p95 {page['p95']} ms, action p95 {action['p95']} ms → {'held' if step['held'] else 'NOT held: ' + step['why']}",
        flush=True,
    )
    print(f"  CPU (cores): {step['cpu']}", flush=True)
    for sample in step["error_samples"][:3]:
        print(
            f"  error: {sample['occurrences']}× {sample['method']} {sample['name']}: {sample['error'][:160]}",
            flush=True,
        )


def write(result: dict) -> None:
    out = ROOT / "bench"
    (out / "load.json").write_text(json.dumps(result, ensure_ascii=False, indent=2))
    (out / "load.md").write_text(markdown(result))
    print(markdown(result))


def ms(value: float | None) -> str:
    return "—" if value is None else f"{value:g}"


def markdown(result: dict) -> str:
    size = result["database"]
    lines = [
        f"Database: {size['cases']:,} cases, {size['referrals']:,} referrals, {size['certificates']:,} certificates. "
        f"Served by {result['topology']} on {result['cores']} cores; {result['step_seconds']} s a step.",
        "",
        f"**Held: {result['held_users']} users** (0 errors, page p95 ≤ {PAGE_P95_MS} ms, action p95 ≤ {ACTION_P95_MS} ms).",
        "",
        "| users | requests/s | errors | conflicts | page p50 / p95 / p99 ms | action p50 / p95 / p99 ms | CPU cores: postgres, web, locust, redis, nginx, other | CPU ms a request: web, postgres | held |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for s in result["steps"]:
        c = s["cpu"]
        lines.append(
            f"| {s['users']} | {s['rps']} | {s['errors']} | {s['conflicts']} "
            f"| {ms(s['page']['p50'])} / {ms(s['page']['p95'])} / {ms(s['page']['p99'])} "
            f"| {ms(s['action']['p50'])} / {ms(s['action']['p95'])} / {ms(s['action']['p99'])} "
            f"| {c['postgres']}, {c['web']}, {c['locust']}, {c['redis']}, {c['nginx']}, {c['other']} "
            f"| {s['cpu_ms_per_request']['web']}, {s['cpu_ms_per_request']['postgres']} "
            f"| {'yes' if s['held'] else '**no**: ' + s['why']} |"
        )
    for s in result["steps"][-2:]:
        lines += [
            "",
            f"By request at {s['users']} users:",
            "",
            "| request | kind | count | errors | conflicts | p50 ms | p95 ms | p99 ms |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for name, k in s["kinds"].items():
            lines.append(
                f"| {name} | {k['kind']} | {k['requests']} | {k['errors']} | {k['conflicts']} | {ms(k['p50'])} | {ms(k['p95'])} | {ms(k['p99'])} |"
            )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
