"""Reading an uploaded or imported CSV/XLSX file without letting it hurt (issue 17, §7): the size is
checked before a byte is parsed, an XLSX's unpacked size before openpyxl opens it (a 121 KB file can
unpack to 400,000 rows), and the rows are streamed — openpyxl's read-only mode, one row at a time —
so that reading stops as soon as the cap is passed instead of after the last row."""

import codecs
import csv
import datetime
import zipfile
from collections.abc import Iterable, Iterator
from typing import IO

from openpyxl import load_workbook

XLSX_SUFFIXES = (".xlsx", ".xlsm")


class TooLarge(ValueError):
    """The file is refused before or while reading: too many bytes, unpacked bytes or rows."""


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()[:10]
    return str(value)


def check_size(size: int | None, limit: int) -> None:
    if size is not None and size > limit:
        raise TooLarge(f"size:{size}")


def check_unpacked(file: IO[bytes], limit: int) -> None:
    """Refuse an XLSX whose parts unpack to more than `limit` bytes. The sizes are those its zip
    directory declares; Python's zipfile never reads past a part's declared size (and checks its
    CRC), so a lying directory only shortens what is read."""
    try:
        with zipfile.ZipFile(file) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise ValueError("not an xlsx file") from exc
    finally:
        file.seek(0)
    if unpacked > limit:
        raise TooLarge(f"unpacked:{unpacked}")


def xlsx_rows(file: IO[bytes] | str, max_rows: int | None = None) -> Iterator[list[str]]:
    """The rows of the first sheet as lists of text, streamed; TooLarge once more than `max_rows`
    rows (counting the header and blank rows) have been read."""
    wb = load_workbook(file, read_only=True, data_only=True)
    try:
        sheet = wb.active
        if sheet is None:
            return
        for count, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            if max_rows is not None and count > max_rows:
                raise TooLarge(f"rows:{count}")
            yield [_cell(v) for v in cells]
    finally:
        wb.close()


def csv_rows(handle: Iterable[str], max_rows: int | None = None) -> Iterator[list[str]]:
    for count, cells in enumerate(csv.reader(handle), start=1):
        if max_rows is not None and count > max_rows:
            raise TooLarge(f"rows:{count}")
        yield cells


def upload_rows(upload, *, max_bytes: int, max_unpacked: int, max_rows: int | None) -> Iterator[list[str]]:
    """The rows of an uploaded CSV or XLSX (Django UploadedFile), checked and streamed."""
    check_size(upload.size, max_bytes)
    name = (upload.name or "").lower()
    if name.endswith(XLSX_SUFFIXES):
        check_unpacked(upload, max_unpacked)
        return xlsx_rows(upload, max_rows)
    if name.endswith(".csv"):
        upload.seek(0)
        # Line by line (Django's File iterates lines), decoded as it goes.
        return csv_rows(codecs.iterdecode(upload, "utf-8-sig", errors="replace"), max_rows)
    raise ValueError("suffix")
