"""What the database holds at a scale: rows and bytes of the tables that grow (README "Scaling").

table_sizes() reads the connected database; bench/run.py stores its answer at each scale of
`make bench` under "sizes", and sizes_table_md() renders those answers side by side.

Rows are exact (count(*) on each table, not the planner's reltuples estimate); bytes are
pg_total_relation_size: the table with its indexes and TOAST. On SQLite rows are counted and
bytes are None.
"""

from django.db import connection

# The tables that grow with use, in the order the Markdown table shows them: (table, what it is).
GROWING: tuple[tuple[str, str], ...] = (
    ("cases_case", "cases"),
    ("cases_case_handlers", "case handlers"),
    ("cases_caseuserobjectpermission", "per-case user rights"),
    ("cases_casegroupobjectpermission", "per-case group rights"),
    ("cases_person", "persons"),
    ("cases_finding", "findings"),
    ("cases_rectification", "rectification orders"),
    ("cases_fine", "fines"),
    ("cases_penalty", "penalty decisions"),
    ("cases_penaltystatement", "penalty statements"),
    ("cases_suspension", "suspensions"),
    ("cases_takedown", "takedowns"),
    ("cases_referral", "referrals"),
    ("cases_referral_persons", "referral persons"),
    ("cases_referraldocument", "referral documents"),
    ("workflows_referralrecord", "referral records"),
    ("workflows_referralfile", "referral files"),
    ("cases_event", "events (hash-chained)"),
    ("cases_casenote", "case notes"),
    ("cases_correction", "corrections"),
    ("cases_idnumberview", "ID number views"),
    ("notifications_notification", "notifications"),
    ("notifications_delivery", "e-mail deliveries"),
    ("workflows_deadline", "deadlines"),
    ("viewflow_process", "viewflow processes"),
    ("viewflow_task", "viewflow tasks"),
    ("viewflow_task_previous", "viewflow task links"),
    ("certificates_certificate", "certificates"),
    ("certificates_rostercheck", "roster checks"),
    ("certificates_verificationbatch", "verification batches"),
    ("certificates_evidence", "evidence files"),
    ("certificates_tip", "tips"),
    ("jobs_job", "jobs"),
    ("jobs_rejectedrow", "rejected import rows"),
    ("django_session", "sessions"),
    ("knox_authtoken", "API tokens"),
    ("accounts_tokeninfo", "API token details"),
    ("axes_accesslog", "sign-in log"),
    ("axes_accessattempt", "failed sign-ins"),
    ("oversight_formtally", "monthly form roll-up"),
    ("oversight_formchange", "monthly form change marks"),
    ("oversight_auditview", "audit log of views and exports"),
    ("django_admin_log", "admin log"),
)
OTHER, DATABASE = "(other tables)", "(database)"


def _count(cursor, table: str) -> int:
    cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608 - names from GROWING
    return cursor.fetchone()[0]


def table_sizes() -> dict[str, dict]:
    """{table: {"label", "rows", "bytes"}} for each growing table present, then OTHER (every other
    table of the database together: "tables", "bytes") and DATABASE (pg_database_size)."""
    present = set(connection.introspection.table_names())
    postgres = connection.vendor == "postgresql"
    out: dict[str, dict] = {}
    with connection.cursor() as cursor:
        for table, label in GROWING:
            if table not in present:
                continue
            size = None
            if postgres:
                cursor.execute("SELECT pg_total_relation_size(%s::regclass)", [connection.ops.quote_name(table)])
                size = cursor.fetchone()[0]
            out[table] = {"label": label, "rows": _count(cursor, table), "bytes": size}
        others = sorted(present - set(out))
        other_bytes = database_bytes = None
        if postgres:
            cursor.execute(
                "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c"
                " JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE c.relkind IN ('r', 'p') AND n.nspname = current_schema() AND c.relname = ANY(%s)",
                [others],
            )
            other_bytes = int(cursor.fetchone()[0])
            cursor.execute("SELECT pg_database_size(current_database())")
            database_bytes = cursor.fetchone()[0]
    out[OTHER] = {"label": "other tables", "tables": len(others), "rows": None, "bytes": other_bytes}
    out[DATABASE] = {"label": "whole database", "rows": None, "bytes": database_bytes}
    return out


def _mb(value: int | None) -> str:
    return "—" if value is None else f"{value / 1e6:,.1f}"


def _rows(value: int | None) -> str:
    return "—" if value is None else f"{value:,}"


def _per_thousand(first: int | None, last: int | None, cases: int) -> float | None:
    if first is None or last is None or cases <= 0:
        return None
    return (last - first) * 1000 / cases


def sizes_table_md(by_scale: dict[str, dict]) -> str:
    """A Markdown table of rows and MB (10^6 bytes) at each scale ({"10k": table_sizes(), "1M": …},
    in the order given), with the growth per 1,000 cases added between the first and the last."""
    scales = list(by_scale)
    if not scales:
        return ""
    first, last = by_scale[scales[0]], by_scale[scales[-1]]
    added = last.get("cases_case", {}).get("rows", 0) - first.get("cases_case", {}).get("rows", 0)
    tables = list(dict.fromkeys(t for s in scales for t in by_scale[s]))
    # Tables with no row at any scale are left out; the two totals always stay.
    tables = [t for t in tables if t in (OTHER, DATABASE) or any(by_scale[s].get(t, {}).get("rows") for s in scales)]
    span = f"{scales[0]} → {scales[-1]}"
    header = (
        ["Table", "What"]
        + [f"rows {s}" for s in scales]
        + [f"MB {s}" for s in scales]
        + [f"rows per 1,000 cases ({span})", f"MB per 1,000 cases ({span})"]
    )
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * 2 + "---:|" * (len(header) - 2)]
    for table in tables:
        entries = [by_scale[s].get(table, {}) for s in scales]
        label = next((e["label"] for e in entries if e.get("label")), "")
        rows_growth = _per_thousand(first.get(table, {}).get("rows"), last.get(table, {}).get("rows"), added)
        bytes_growth = _per_thousand(first.get(table, {}).get("bytes"), last.get(table, {}).get("bytes"), added)
        cells = (
            [f"`{table}`" if not table.startswith("(") else table, label]
            + [_rows(e.get("rows")) for e in entries]
            + [_mb(e.get("bytes")) for e in entries]
            + [
                "—" if rows_growth is None else f"{rows_growth:,.1f}",
                "—" if bytes_growth is None else f"{bytes_growth / 1e6:,.3f}",
            ]
        )
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
