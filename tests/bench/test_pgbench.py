"""bench/pgbench.py and bench/run.py's figures: pgbench's rate read from its output, and a reference
row (no target of its own) beside the ratios of the others."""

import pytest

from bench import run
from bench.pgbench import parse

PG15 = """pgbench (15.20 (Debian 15.20-0+deb12u1))
transaction type: <builtin: TPC-B (sort of)>
scaling factor: 20
query mode: simple
number of clients: 8
number of threads: 2
duration: 30 s
number of transactions actually processed: 44301
latency average = 5.418 ms
initial connection time = 9.934 ms
tps = 1476.612345 (without initial connection time)
"""

PG13 = """latency average = 6.100 ms
tps = 1300.500000 (including connections establishing)
tps = 1311.250000 (excluding connections establishing)
"""


def test_parse_reads_tps_without_connection_time():
    assert parse(PG15) == {"tps": 1476.612345, "latency_ms": 5.418}
    # Before PostgreSQL 14 two rates were printed: the one without the connections is taken.
    assert parse(PG13) == {"tps": 1311.25, "latency_ms": 6.1}


def test_parse_refuses_output_without_a_rate():
    with pytest.raises(RuntimeError, match="no tps"):
        parse("pgbench: error: connection to server failed\n")


def test_record_keeps_small_shares_and_reference_rows(monkeypatch):
    monkeypatch.setattr(run, "RESULTS", {})
    run.record("pgbench", 1476.6, None, "reference for B1", None, unit="tps")
    run.record("B1 actions/s", 31.0, 1476.6, "≥ 2 % of pgbench TPC-B tps", True, unit="actions/s", baseline_unit="tps")
    assert run.RESULTS["pgbench"]["met"] is None and run.RESULTS["pgbench"]["ratio"] is None
    share = run.RESULTS["B1 actions/s"]
    # Three significant digits: a share of 2 % is not rounded away to 0.02 or 0.0.
    assert share["ratio"] == 0.021 and share["unit"] == "actions/s" and share["baseline_unit"] == "tps"
    assert run.scale_label(1_000_000) == "1M" and run.scale_label(30_000) == "30k"
