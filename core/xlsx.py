"""Every text a user typed that goes into a spreadsheet cell goes through safe_cell: a cell that
starts like a formula (=, +, -, @, a tab or a return) is written as text, so opening the file never
runs what someone typed (CSV/formula injection)."""

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
