"""import_certificates: stream a CSV or XLSX registry file into the database, batch by batch,
upserting by number; bad rows are reported by line and the good ones kept."""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, overload

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from core.identity import id_hash, mask_id_number, normalize_id_number, plain

from . import sheets
from .models import CATEGORY_BY_NAME, VALIDITY_YEARS, Certificate, add_years

HEADER = [
    "number",
    "name",
    "id_number",
    "category",
    "item",
    "issued_on",
    "expires_on",
    "reviewed_on",
    "authority",
    "status",
]
BATCH = 2_000
UPDATE_FIELDS = [
    "holder_name",
    "id_hash",
    "id_masked",
    "category",
    "item",
    "issued_on",
    "expires_on",
    "reviewed_on",
    "authority",
    "status",
]


@dataclass
class Report:
    read: int = 0
    imported: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)


def rows_of(path: Path) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) of a CSV or XLSX file, one at a time, header first, streamed. A file
    larger than IMPORT_MAX_BYTES, an XLSX unpacking to more than IMPORT_MAX_UNPACKED_BYTES and a
    file of more than IMPORT_MAX_ROWS rows (after the header) are refused: ValueError, nothing
    imported (issue 17, §7)."""
    limit_rows = settings.IMPORT_MAX_ROWS + 1  # and the header
    try:
        sheets.check_size(path.stat().st_size, settings.IMPORT_MAX_BYTES)
        if path.suffix.lower() in sheets.XLSX_SUFFIXES:
            with open(path, "rb") as handle:
                sheets.check_unpacked(handle, settings.IMPORT_MAX_UNPACKED_BYTES)
            rows = sheets.xlsx_rows(str(path), limit_rows)
            yield from enumerate(rows, start=1)
            return
        with open(path, encoding="utf-8-sig", newline="") as handle:
            yield from enumerate(sheets.csv_rows(handle, limit_rows), start=1)
    except sheets.TooLarge as exc:
        what = str(exc).split(":", 1)[0]
        if what == "rows":
            raise ValueError(
                f"{path.name} has more than {settings.IMPORT_MAX_ROWS:,} rows (IMPORT_MAX_ROWS); "
                "split it — nothing was imported"
            ) from None
        raise ValueError(
            f"{path.name} is too large (at most {settings.IMPORT_MAX_BYTES // 2**20:,} MB, IMPORT_MAX_MB, "
            f"unpacking to at most {settings.IMPORT_MAX_UNPACKED_BYTES // 2**20:,} MB, IMPORT_MAX_UNPACKED_MB)"
        ) from None


@overload
def _date(value: str, name: str, required: Literal[True] = True) -> datetime.date: ...
@overload
def _date(value: str, name: str, required: Literal[False]) -> datetime.date | None: ...
def _date(value: str, name: str, required: bool = True) -> datetime.date | None:
    value = (value or "").strip()
    if not value:
        if required:
            raise ValueError(f"{name} is empty")
        return None
    try:
        return datetime.date.fromisoformat(value[:10])
    except ValueError:
        raise ValueError(f"{name} {value!r} is not a date (YYYY-MM-DD)") from None


def parse(cells: list[str]) -> Certificate:
    values = dict(zip(HEADER, [c.strip() for c in cells] + [""] * (len(HEADER) - len(cells)), strict=False))
    values["number"] = plain(values["number"])  # one spelling, as verification looks it up
    if not values["number"] or len(values["number"]) > 40:
        raise ValueError("number is empty or longer than 40 characters")
    if not values["name"] or len(values["name"]) > 100:
        raise ValueError("name is empty or longer than 100 characters")
    try:
        id_number = normalize_id_number(values["id_number"])
    except ValidationError as exc:
        raise ValueError(f"id_number: {exc.messages[0]}") from None
    category = CATEGORY_BY_NAME.get(values["category"])
    if category is None:
        raise ValueError(f"category {values['category']!r} is not one of the 11 categories")
    issued = _date(values["issued_on"], "issued_on")
    expires = _date(values["expires_on"], "expires_on", required=False) or add_years(issued, VALIDITY_YEARS)
    if expires < issued:
        raise ValueError("expires_on is before issued_on")
    status = values["status"] or Certificate.Status.VALID
    if status not in Certificate.Status.values:
        raise ValueError(f"status {status!r} is not valid or revoked")
    return Certificate(
        number=values["number"],
        holder_name=values["name"],
        id_hash=id_hash(id_number),
        id_masked=mask_id_number(id_number),
        category=category,
        item=values["item"][:100],
        issued_on=issued,
        expires_on=expires,
        reviewed_on=_date(values["reviewed_on"], "reviewed_on", required=False),
        authority=values["authority"][:100],
        status=status,
    )


def _flush(batch: dict[str, Certificate]) -> int:
    if batch:
        Certificate.objects.bulk_create(
            batch.values(), update_conflicts=True, unique_fields=["number"], update_fields=UPDATE_FIELDS
        )
    return len(batch)


def import_file(path: Path, progress=None) -> Report:
    """All or nothing as to the file's limits: a file refused half way (too many rows) leaves the
    registry as it was. Bad rows are reported and skipped, the good ones kept."""
    with transaction.atomic():
        return _import(path, progress)


def _import(path: Path, progress=None) -> Report:
    report = Report()
    rows = rows_of(path)
    first = next(rows, None)
    if first is None or [c.strip().lower() for c in first[1][: len(HEADER)]] != HEADER:
        raise ValueError(f"the first line must be the header {','.join(HEADER)}")
    batch: dict[str, Certificate] = {}  # by number: the last row of a number in a batch wins
    for line, cells in rows:
        if not any(c.strip() for c in cells):
            continue
        report.read += 1
        try:
            cert = parse(cells)
        except ValueError as exc:
            report.rejected.append((line, str(exc)))
            continue
        batch[cert.number] = cert
        if len(batch) >= BATCH:
            report.imported += _flush(batch)
            batch = {}
            if progress:
                progress(report)
    report.imported += _flush(batch)
    if progress:
        progress(report)
    return report
