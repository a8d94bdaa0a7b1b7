"""bench/sizes.py: the rows and bytes of the growing tables, and their table across scales."""

import pytest
from django.core.management import call_command
from django.db import connection

from bench.sizes import DATABASE, OTHER, sizes_table_md, table_sizes
from cases.models import Case, Event

pytestmark = pytest.mark.django_db


def test_table_sizes_counts_what_was_loaded():
    before = table_sizes()
    call_command("generate_load", cases=60, referral_share=0.0)
    after = table_sizes()
    assert after["cases_case"]["rows"] - before["cases_case"]["rows"] == 60
    assert after["cases_event"]["rows"] == Event.objects.count() > before["cases_event"]["rows"]
    assert after["cases_case"]["label"] == "cases"
    # Every table is somewhere: the growing ones by name, the rest together.
    assert after[OTHER]["tables"] + len(after) - 2 == len(connection.introspection.table_names())
    if connection.vendor == "postgresql":
        assert after["cases_case"]["bytes"] > 0 and after["cases_event"]["bytes"] >= before["cases_event"]["bytes"]
        assert after[DATABASE]["bytes"] > sum(v["bytes"] for k, v in after.items() if k != DATABASE)
    else:
        assert after["cases_case"]["bytes"] is None and after[DATABASE]["bytes"] is None
    assert Case.objects.count() == after["cases_case"]["rows"]


def test_sizes_table_md_shows_growth_per_thousand_cases():
    small = {
        "cases_case": {"label": "cases", "rows": 10_000, "bytes": 5_000_000},
        "cases_event": {"label": "events", "rows": 45_000, "bytes": 20_000_000},
        "jobs_job": {"label": "jobs", "rows": 0, "bytes": 16_384},
        OTHER: {"label": "other tables", "tables": 40, "rows": None, "bytes": 1_000_000},
        DATABASE: {"label": "whole database", "rows": None, "bytes": 30_000_000},
    }
    large = {
        "cases_case": {"label": "cases", "rows": 1_000_000, "bytes": 500_000_000},
        "cases_event": {"label": "events", "rows": 4_500_000, "bytes": 2_000_000_000},
        "jobs_job": {"label": "jobs", "rows": 0, "bytes": 16_384},
        OTHER: {"label": "other tables", "tables": 40, "rows": None, "bytes": 1_000_000},
        DATABASE: {"label": "whole database", "rows": None, "bytes": 2_600_000_000},
    }
    md = sizes_table_md({"10k": small, "1M": large})
    lines = md.splitlines()
    assert lines[0].startswith("| Table | What | rows 10k | rows 1M | MB 10k | MB 1M |")
    # 990,000 cases added: 4,455,000 events, 1,980 MB → 4,500 events and 2 MB per 1,000 cases.
    assert "| `cases_event` | events | 45,000 | 4,500,000 | 20.0 | 2,000.0 | 4,500.0 | 2.000 |" in lines
    assert "| `cases_case` | cases | 10,000 | 1,000,000 | 5.0 | 500.0 | 1,000.0 | 0.500 |" in lines
    assert not any("jobs_job" in line for line in lines)  # no row at any scale
    assert "| (database) | whole database | — | — | 30.0 | 2,600.0 | — | 2.596 |" in lines
    assert sizes_table_md({}) == ""
