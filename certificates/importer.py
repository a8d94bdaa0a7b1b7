"""The certificate registry's import, one set of rules for its two ways in: `manage.py
import_certificates` (a file on the server, in one transaction) and the registry keepers' upload
(a job, certificates.import_job, batch by batch). A file is read as CSV (UTF-8) or XLSX by its
content, whatever its name says; each row is parsed by `parse` and upserted by number; bad rows are
reported by line and the good ones kept, a number given again later in the file among them (Reader). A file refused as a whole (its size, kind, header or
number of rows) imports nothing."""

import codecs
import datetime
import io
import re
import zipfile
from collections.abc import Generator, Iterator
from contextlib import closing, suppress
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO, Literal, NamedTuple, cast, overload

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connections, router, transaction
from django.db.models import Field
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy
from openpyxl import load_workbook

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


def rows(handle: IO[bytes], kind: str) -> Generator[tuple[int, list[str]]]:
    """(line number, cells) of the file, header first, streamed; Refused once more than
    IMPORT_MAX_ROWS rows follow the header, or at a byte that is not UTF-8 in a CSV."""
    handle.seek(0)
    limit = settings.IMPORT_MAX_ROWS + 1  # and the header
    try:
        if kind == XLSX:
            yield from enumerate(_xlsx_rows(handle, limit), start=1)
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


def _text(value: object) -> str:
    """A cell's text, as sheets reads it: a date as YYYY-MM-DD, nothing as empty."""
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()[:10]
    return str(value)


def _xlsx_rows(handle: IO[bytes], limit: int) -> Iterator[list[str]]:
    """The first sheet's rows as sheets.xlsx_rows reads them, streamed, each padded to the header's
    columns (a workbook has empty cells, not missing ones), and an ID number the workbook stores as
    a number given as Numeric (its text alone may look like an ID number)."""
    id_column = HEADER.index("id_number")
    workbook = load_workbook(handle, read_only=True, data_only=True)
    try:
        sheet = workbook.active
        if sheet is None:
            return
        for count, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if count > limit:
                raise sheets.TooLarge(f"rows:{count}")
            cells = [_text(v) for v in values]
            cells += [""] * (len(HEADER) - len(cells))
            if len(values) > id_column and isinstance(values[id_column], int | float | Decimal):
                cells[id_column] = Numeric(cells[id_column])
            yield cells
    finally:
        workbook.close()


def check_header(first: tuple[int, list[str]] | None) -> None:
    if first is None or [c.strip().lower() for c in first[1][: len(HEADER)]] != HEADER:
        raise Refused(_("The first line must be the header %(header)s.") % {"header": ",".join(HEADER)})


def check_upload_header(handle: IO[bytes], kind: str) -> None:
    """check_header on the file's first row only, read as the import will read it: an upload with
    the wrong header is refused in the request, before a job is queued for it."""
    with closing(rows(handle, kind)) as lines:
        check_header(next(lines, None))
    handle.seek(0)


def no_data_rows() -> Refused:
    return Refused(_("The file has no data rows: it holds the header only. Nothing was imported."))


def data_rows(handle: IO[bytes], kind: str) -> Iterator[tuple[int, list[str]]]:
    """The rows after the header (Refused without it), blank ones included: a job counts them."""
    lines = rows(handle, kind)
    check_header(next(lines, None))
    yield from lines


def is_blank(cells: list[str]) -> bool:
    return not any(c.strip() for c in cells)


# What each column holds, named once after the column in a reason: "id_number (resident ID
# number): …" — the keeper finds the column by its name in the header, and reads what it is.
MEANINGS = {
    "number": pgettext_lazy("registry column", "certificate number"),
    "name": pgettext_lazy("registry column", "holder's name"),
    "id_number": pgettext_lazy("registry column", "resident ID number"),
    "category": pgettext_lazy("registry column", "category"),
    "item": pgettext_lazy("registry column", "operation item"),
    "issued_on": pgettext_lazy("registry column", "date of issue"),
    "expires_on": pgettext_lazy("registry column", "expiry date"),
    "reviewed_on": pgettext_lazy("registry column", "date of the last review"),
    "authority": pgettext_lazy("registry column", "issuing authority"),
    "status": pgettext_lazy("registry column", "status"),
}


def label(column: str) -> str:
    return _("%(column)s (%(meaning)s)") % {"column": column, "meaning": MEANINGS[column]}


def bad(column: str, problem: str) -> ValueError:
    """The reason a row is rejected for one of its cells, in one style for every column."""
    return ValueError(
        pgettext("import reason", "%(label)s: %(problem)s") % {"label": label(column), "problem": problem}
    )


class Numeric(str):
    """The text of a cell that the workbook stores as a number: an 18-digit ID number kept so has
    already lost its last digits (a spreadsheet keeps 15), whatever the text now reads."""


# An ID number as a CSV saved from a spreadsheet writes a number: 4.40103199005E+17.
_SCIENTIFIC = re.compile(r"^\d+(\.\d*)?[eE][+]?\d+$")


@overload
def _date(value: str, name: str, today: datetime.date, required: Literal[True] = True) -> datetime.date: ...
@overload
def _date(value: str, name: str, today: datetime.date, required: Literal[False]) -> datetime.date | None: ...
def _date(value: str, name: str, today: datetime.date, required: bool = True) -> datetime.date | None:
    value = (value or "").strip()
    if not value:
        if required:
            raise bad(name, _("empty"))
        return None
    try:
        day = datetime.date.fromisoformat(value[:10])
    except ValueError:
        raise bad(name, _("%(value)s is not a date (YYYY-MM-DD)") % {"value": repr(value)}) from None
    if day > today:
        # A certificate issued or reviewed tomorrow would be shown as valid today.
        raise bad(name, _("%(day)s is after today (%(today)s)") % {"day": day.isoformat(), "today": today.isoformat()})
    return day


def parse(cells: list[str], today: datetime.date | None = None) -> Entry:
    """The certificate of one row; ValueError saying what is wrong with it. `today` (the day the
    file is read) bounds the issue and review dates and the birth dates of ID numbers."""
    today = today or timezone.localdate()
    if len(cells) < len(HEADER):
        raise ValueError(
            _("The row has %(count)s columns where %(expected)s are expected.")
            % {"count": len(cells), "expected": len(HEADER)}
        )
    values = dict(zip(HEADER, [c.strip() for c in cells], strict=False))
    values["number"] = plain(values["number"])  # one spelling, as verification looks it up
    if not values["number"] or len(values["number"]) > 40:
        raise bad("number", _("empty or longer than %(max)s characters") % {"max": 40})
    if not values["name"] or len(values["name"]) > 100:
        raise bad("name", _("empty or longer than %(max)s characters") % {"max": 100})
    if isinstance(cells[2], Numeric) or _SCIENTIFIC.match(values["id_number"]):
        raise bad(
            "id_number",
            _(
                "%(value)s was stored as a number, which loses the last digits of an ID number: "
                "format the id_number column as text and enter the ID numbers again."
            )
            % {"value": values["id_number"]},
        )
    try:
        id_number = normalize_id_number(values["id_number"], today=today)
    except ValidationError as exc:
        raise bad("id_number", exc.messages[0]) from None
    category = CATEGORY_BY_NAME.get(values["category"])
    if category is None:
        raise bad("category", _("%(value)s is not one of the 11 categories") % {"value": repr(values["category"])})
    issued = _date(values["issued_on"], "issued_on", today)
    expires = _date_any(values["expires_on"], "expires_on") or add_years(issued, VALIDITY_YEARS)
    if expires < issued:
        raise bad("expires_on", _("before issued_on (%(day)s)") % {"day": issued.isoformat()})
    reviewed = _date(values["reviewed_on"], "reviewed_on", today, required=False)
    status = values["status"] or Certificate.Status.VALID
    if status not in STATUSES:
        raise bad("status", _("%(value)s is not valid or revoked") % {"value": repr(status)})
    return Entry(
        number=values["number"],
        holder_name=values["name"],
        id_hash=id_hash(id_number),
        id_masked=mask_id_number(id_number),
        category=category,
        item=values["item"][:100],
        issued_on=issued,
        expires_on=expires,
        reviewed_on=reviewed,
        authority=values["authority"][:100],
        status=status,
    )


def _date_any(value: str, name: str) -> datetime.date | None:
    """An expiry date: empty or any day, the future included."""
    return _date(value, name, datetime.date.max, required=False)


class Reader:
    """The rows of one file as one run reads them, with the numbers seen so far (number → line): a
    number given again later in the same file is rejected, naming the line that gave it first, so
    that no row silently replaces another and every row read is either imported or rejected. A run
    resumed after a checkpoint rebuilds the numbers from the lines before it (`skip`)."""

    def __init__(self, today: datetime.date | None = None) -> None:
        self.today = today or timezone.localdate()
        self.seen: dict[str, int] = {}

    def read(self, line: int, cells: list[str]) -> Entry:
        entry = parse(cells, self.today)
        first = self.seen.setdefault(entry.number, line)
        if first != line:
            raise bad("number", _("the same as line %(line)s") % {"line": first})
        return entry

    def skip(self, line: int, cells: list[str]) -> None:
        """A line a previous run of the file read: its number is remembered if the row parses."""
        if not is_blank(cells):
            with suppress(ValueError):
                self.read(line, cells)


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
    reader = Reader()
    batch: dict[str, Entry] = {}  # by number, each number once (Reader)
    for line, cells in data_rows(handle, kind):
        if is_blank(cells):
            continue
        report.read += 1
        try:
            cert = reader.read(line, cells)
        except ValueError as exc:
            report.rejected.append((line, str(exc)))
            continue
        batch[cert.number] = cert
        if len(batch) >= BATCH:
            report.imported += store(batch)
            batch = {}
            if progress:
                progress(report)
    if not report.read:
        raise no_data_rows()
    report.imported += store(batch)
    if progress:
        progress(report)
    return report
