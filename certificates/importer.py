"""The certificate registry's import, one set of rules for its two ways in: `manage.py
import_certificates` (a file on the server, in one transaction) and the registry keepers' upload
(a job, certificates.import_job, batch by batch). A file is read as CSV (UTF-8) or XLSX by its
content, whatever its name says; each row is parsed by `parse` and upserted by number; bad rows are
reported by line and the good ones kept. A file refused as a whole (its size, kind, header or
number of rows) imports nothing."""

import codecs
import datetime
import io
import zipfile
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Literal, NamedTuple, cast, overload

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connections, router, transaction
from django.db.models import Field
from django.utils import timezone
from django.utils.translation import gettext as _

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
# A line the import page shows under the header.
SAMPLE = (
    "T440106198001020014,张伟,440106198001020014,焊接与热切割作业,熔化焊接与热切割作业,"
    "2020-03-10,2026-03-10,2023-03-01,广州市应急管理局,valid"
)
BATCH = 2_000
STATUSES = frozenset(Certificate.Status.values)


class Entry(NamedTuple):
    """A certificate as a row gives it: the fields of Certificate stored by `store`."""

    number: str
    holder_name: str
    id_hash: str
    id_masked: str
    category: str
    item: str
    issued_on: datetime.date
    expires_on: datetime.date
    reviewed_on: datetime.date | None
    authority: str
    status: str


XLSX, CSV = "xlsx", "csv"
SNIFF = 64 * 1024  # bytes read to tell a CSV from anything else


class Refused(ValueError):
    """The file as a whole is refused — too large, not a CSV or XLSX, without the header, too many
    rows — and nothing of it is imported; the message says why, in the active language."""


@dataclass
class Report:
    read: int = 0
    imported: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)


def too_large() -> Refused:
    return Refused(
        _("The file is too large: at most %(mb)s MB, and an XLSX may unpack to at most %(unpacked)s MB.")
        % {
            "mb": f"{settings.IMPORT_MAX_BYTES // 2**20:,}",
            "unpacked": f"{settings.IMPORT_MAX_UNPACKED_BYTES // 2**20:,}",
        }
    )


def too_many_rows() -> Refused:
    return Refused(
        _("The file has more than %(max)s rows; split it. Nothing was imported.")
        % {"max": f"{settings.IMPORT_MAX_ROWS:,}"}
    )


def not_csv_or_xlsx() -> Refused:
    return Refused(_("This is neither a CSV file in UTF-8 nor an XLSX workbook: save it as one of them."))


def _is_utf8_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)  # a character cut at the end is fine
    except UnicodeDecodeError:
        return False
    return True


def check_file(handle: IO[bytes], size: int | None) -> str:
    """XLSX or CSV, told by the content; Refused for a file over IMPORT_MAX_BYTES, an XLSX that
    unpacks to more than IMPORT_MAX_UNPACKED_BYTES, an empty file and anything else. Reads the
    file's first bytes (and an XLSX's zip directory) only; the handle is left at its start."""
    if size is not None and size > settings.IMPORT_MAX_BYTES:
        raise too_large()
    handle.seek(0)
    head = handle.read(SNIFF)
    handle.seek(0)
    if not head:
        raise Refused(_("The file is empty."))
    if not head.startswith(b"PK\x03\x04"):
        if not _is_utf8_text(head):
            raise not_csv_or_xlsx()
        return CSV
    try:
        with zipfile.ZipFile(handle) as archive:
            workbook = "xl/workbook.xml" in archive.namelist()
        sheets.check_unpacked(handle, settings.IMPORT_MAX_UNPACKED_BYTES)
    except sheets.TooLarge:
        raise too_large() from None
    except (ValueError, zipfile.BadZipFile, OSError):
        raise not_csv_or_xlsx() from None
    finally:
        handle.seek(0)
    if not workbook:
        raise not_csv_or_xlsx()
    return XLSX


def rows(handle: IO[bytes], kind: str) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) of the file, header first, streamed; Refused once more than
    IMPORT_MAX_ROWS rows follow the header, or at a byte that is not UTF-8 in a CSV."""
    handle.seek(0)
    limit = settings.IMPORT_MAX_ROWS + 1  # and the header
    try:
        if kind == XLSX:
            yield from enumerate(sheets.xlsx_rows(handle, limit), start=1)
            return
        text = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="")
        try:
            yield from enumerate(sheets.csv_rows(text, limit), start=1)
        finally:
            with suppress(ValueError):  # already closed by its owner when the rows were left half-read
                text.detach()  # the caller closes its own file, not this wrapper
    except sheets.TooLarge:
        raise too_many_rows() from None
    except UnicodeDecodeError:
        raise not_csv_or_xlsx() from None


def check_header(first: tuple[int, list[str]] | None) -> None:
    if first is None or [c.strip().lower() for c in first[1][: len(HEADER)]] != HEADER:
        raise Refused(_("The first line must be the header %(header)s.") % {"header": ",".join(HEADER)})


def data_rows(handle: IO[bytes], kind: str) -> Iterator[tuple[int, list[str]]]:
    """The rows after the header (Refused without it), blank ones included: a job counts them."""
    lines = rows(handle, kind)
    check_header(next(lines, None))
    yield from lines


def is_blank(cells: list[str]) -> bool:
    return not any(c.strip() for c in cells)


@overload
def _date(value: str, name: str, required: Literal[True] = True) -> datetime.date: ...
@overload
def _date(value: str, name: str, required: Literal[False]) -> datetime.date | None: ...
def _date(value: str, name: str, required: bool = True) -> datetime.date | None:
    value = (value or "").strip()
    if not value:
        if required:
            raise ValueError(_("%(column)s is empty") % {"column": name})
        return None
    try:
        return datetime.date.fromisoformat(value[:10])
    except ValueError:
        raise ValueError(
            _("%(column)s %(value)s is not a date (YYYY-MM-DD)") % {"column": name, "value": repr(value)}
        ) from None


def parse(cells: list[str], today: datetime.date | None = None) -> Entry:
    """The certificate of one row; ValueError saying what is wrong with it. `today` (the day the
    file is read) bounds the birth dates of ID numbers."""
    values = dict(zip(HEADER, [c.strip() for c in cells] + [""] * (len(HEADER) - len(cells)), strict=False))
    values["number"] = plain(values["number"])  # one spelling, as verification looks it up
    if not values["number"] or len(values["number"]) > 40:
        raise ValueError(_("number is empty or longer than 40 characters"))
    if not values["name"] or len(values["name"]) > 100:
        raise ValueError(_("name is empty or longer than 100 characters"))
    try:
        id_number = normalize_id_number(values["id_number"], today=today or timezone.localdate())
    except ValidationError as exc:
        raise ValueError(f"id_number: {exc.messages[0]}") from None
    category = CATEGORY_BY_NAME.get(values["category"])
    if category is None:
        raise ValueError(_("category %(value)s is not one of the 11 categories") % {"value": repr(values["category"])})
    issued = _date(values["issued_on"], "issued_on")
    expires = _date(values["expires_on"], "expires_on", required=False) or add_years(issued, VALIDITY_YEARS)
    if expires < issued:
        raise ValueError(_("expires_on is before issued_on"))
    status = values["status"] or Certificate.Status.VALID
    if status not in STATUSES:
        raise ValueError(_("status %(value)s is not valid or revoked") % {"value": repr(status)})
    return Entry(
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


def store(batch: dict[str, Entry]) -> int:
    """Upsert a batch (one certificate a number) by number; how many were written. Writing a row
    again writes the same values: a batch read twice stores each certificate once.

    One INSERT … ON CONFLICT (number) DO UPDATE a chunk, as bulk_create(update_conflicts=True)
    writes it, without building a model instance and preparing each of its values a row: for a
    registry of millions of rows that preparation, not the database, was most of the time."""
    if not batch:
        return 0
    connection = connections[router.db_for_write(Certificate)]
    ops = connection.ops
    meta = Certificate._meta
    names = [*Entry._fields, "updated_at"]
    now = ops.adapt_datetimefield_value(timezone.now())
    day = ops.adapt_datefield_value
    rows = [
        (*e[:6], day(e.issued_on), day(e.expires_on), day(e.reviewed_on), e.authority, e.status, now)
        for e in batch.values()
    ]
    columns = [ops.quote_name(cast(Field, meta.get_field(name)).column) for name in names]
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in columns[1:])
    size = max(1, ops.bulk_batch_size(names, rows))  # SQLite's limit of parameters a statement
    with connection.cursor() as cursor:
        for start in range(0, len(rows), size):
            chunk = rows[start : start + size]
            values = ", ".join(["(" + ", ".join(["%s"] * len(names)) + ")"] * len(chunk))
            cursor.execute(
                f"INSERT INTO {ops.quote_name(meta.db_table)} ({', '.join(columns)}) VALUES {values} "  # noqa: S608 - the model's own names
                f"ON CONFLICT ({columns[0]}) DO UPDATE SET {updates}",
                [value for row in chunk for value in row],
            )
    return len(rows)


def import_file(path: Path, progress=None) -> Report:
    """All or nothing as to the file's limits: a file refused half way (too many rows) leaves the
    registry as it was. Bad rows are reported and skipped, the good ones kept."""
    with open(path, "rb") as handle, transaction.atomic():
        return _import(handle, path.stat().st_size, progress)


def _import(handle: IO[bytes], size: int, progress=None) -> Report:
    report = Report()
    kind = check_file(handle, size)
    today = timezone.localdate()
    batch: dict[str, Entry] = {}  # by number: the last row of a number in a batch wins
    for line, cells in data_rows(handle, kind):
        if is_blank(cells):
            continue
        report.read += 1
        try:
            cert = parse(cells, today)
        except ValueError as exc:
            report.rejected.append((line, str(exc)))
            continue
        batch[cert.number] = cert
        if len(batch) >= BATCH:
            report.imported += store(batch)
            batch = {}
            if progress:
                progress(report)
    report.imported += store(batch)
    if progress:
        progress(report)
    return report
