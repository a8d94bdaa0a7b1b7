"""pgbench's TPC-B-like run on the bench's own database server: the yardstick of B1's throughput.

A database of its own beside the bench's (`<name>_pgbench`, dropped afterwards), initialised at a
scale whose data stays in memory as the bench's does, and run with B1's client count over the
default simple query protocol (the one the application's driver speaks: psycopg2 sends each
statement as text, without server-side prepared statements).
"""

import os
import re
import shutil
import subprocess

TPS = re.compile(r"^tps = ([\d.]+) \((?:without initial connection time|excluding connections establishing)\)", re.M)
LATENCY = re.compile(r"^latency average = ([\d.]+) ms", re.M)


def parse(output: str) -> dict:
    """tps without the connections' setup (PostgreSQL 14+ and older wordings) and the average latency."""
    tps, latency = TPS.search(output), LATENCY.search(output)
    if tps is None:
        raise RuntimeError(f"no tps in pgbench's output: {output[-500:]}")
    return {"tps": float(tps.group(1)), "latency_ms": float(latency.group(1)) if latency else None}


def tpcb(clients: int, threads: int, seconds: int, scale: int) -> dict:
    from django.conf import settings
    from django.db import connection

    db = settings.DATABASES["default"]
    name = f"{db['NAME']}_pgbench"
    env = os.environ | {
        "PGHOST": str(db.get("HOST") or "127.0.0.1"),
        "PGPORT": str(db.get("PORT") or 5432),
        "PGUSER": str(db.get("USER") or "postgres"),
        "PGPASSWORD": str(db.get("PASSWORD") or ""),
        "PGDATABASE": name,
    }
    pgbench = shutil.which("pgbench")
    if pgbench is None:
        raise RuntimeError("pgbench is not on the PATH (PostgreSQL's client tools)")
    quoted = connection.ops.quote_name(name)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")
        cursor.execute(f"CREATE DATABASE {quoted}")
    try:
        subprocess.run(
            [pgbench, "--initialize", "--quiet", f"--scale={scale}"], env=env, check=True, capture_output=True
        )
        run = subprocess.run(
            [
                pgbench,
                f"--client={clients}",
                f"--jobs={threads}",
                f"--time={seconds}",
                "--protocol=simple",
            ],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
    finally:
        # Dropping the database checkpoints: what follows starts without pgbench's dirty pages.
        with connection.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")
    return parse(run.stdout) | {
        "clients": clients,
        "threads": threads,
        "seconds": seconds,
        "scale": scale,
    }
