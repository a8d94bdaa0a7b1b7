"""Every text a user typed that goes into a spreadsheet cell, XLSX or CSV, goes through safe_cell (or
safe_row for a whole row): a cell that starts like a formula is written as text, so opening the file
never runs what someone typed (CSV/formula injection, OWASP).

Formula starts: = + - @, a tab or a carriage return, and the full-width ＝ ＋ － ＠ that some
spreadsheets (WPS among them) read as their ASCII forms. Such a text is written with a leading
apostrophe — the mark spreadsheets themselves use for "text, not a formula" — which openpyxl also
stores as a string cell (never a formula) and which a CSV reader shows as typed.
"""

from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def formula_like(value: Any) -> bool:
    """Would a spreadsheet read this text as (the start of) a formula?"""
    return isinstance(value, str) and value.lstrip(" ").startswith(FORMULA_STARTS)


def safe_cell(value: Any) -> Any:
    """The value to write into one cell: a formula-like text as text, anything else unchanged."""
    if formula_like(value):
        return "'" + value
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    """A row for `worksheet.append(...)` or `csv.writer.writerow(...)`, each cell through safe_cell."""
    return [safe_cell(value) for value in values]
