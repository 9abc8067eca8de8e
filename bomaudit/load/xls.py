"""Excel 97–2003 workbooks (``.xls``, BIFF8 in an OLE compound file) through calamine (fastexcel).

Calamine reads the cells; what it does not say is read here from the workbook's records, in one
pass over the ``Workbook`` stream: which sheets are hidden (``BOUNDSHEET``), where each sheet's used
range starts (so that reported rows match what Excel shows), which cells hold an error value
(``BOOLERR`` and cached formula results: calamine reads them as empty, so a ``#N/A`` quantity
would count 1), and which numbers are formatted as percentages (``XF`` → ``FORMAT``: calamine reads
5 % as 0.05). A ``.xls`` is no zip, so the zip guard does not apply: the file is held to
``--max-input-mb`` (it is read whole), and a sheet to ``--max-cells`` from its records before
calamine allocates it (the format itself stops at 65,536 rows × 256 columns).

The OLE container is read with bounds on everything it declares (sectors, chains, sizes): a
damaged or hostile file is refused in one line, never a traceback.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bomaudit.errors import BomauditError
from bomaudit.load.errorcells import ErrorCells, column_letters, put_back_errors
from bomaudit.load.interface import RawTable, ReadOptions
from bomaudit.load.percentcells import BUILTIN_PERCENT, as_shown, is_percent_code, show_percents
from bomaudit.load.sheets import read_book

if TYPE_CHECKING:
    import polars as pl

_FREE, _END = 0xFFFFFFFF, 0xFFFFFFFE
_HINT = "open it in Excel or LibreOffice and save it again (as .xlsx), or export the BOM as CSV"
#: BIFF error codes → the text Excel shows
ERROR_TEXT = {0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!", 0x1D: "#NAME?", 0x24: "#NUM!", 0x2A: "#N/A", 0x2B: "#GETTING_DATA"}


class _Damaged(Exception):
    """The container or its records are not what they declare."""


# --- the OLE container -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Ole:
    data: bytes
    shift: int
    fat: list[int]
    #: name → (start sector, size, type)
    entries: dict[str, tuple[int, int, int]]
    mini_fat: list[int]
    mini_stream: bytes
    mini_shift: int
    cutoff: int

    def stream(self, name: str) -> bytes:
        start, size, _ = self.entries[name]
        if size < self.cutoff:
            return _join(self.mini_stream, _chain(self.mini_fat, start, len(self.mini_stream) >> self.mini_shift), self.mini_shift, size, 0)
        return _join(self.data, _chain(self.fat, start, len(self.fat)), self.shift, size, 1)


def _chain(fat: list[int], start: int, most: int) -> list[int]:
    """The sectors of a chain, refused when it loops, runs off the table or is longer than ``most``."""
    out: list[int] = []
    sector = start
    while sector != _END:
        if sector >= len(fat) or len(out) > most:
            raise _Damaged
        out.append(sector)
        sector = fat[sector]
    return out


def _join(data: bytes, sectors: list[int], shift: int, size: int, skip: int) -> bytes:
    """The bytes of ``sectors`` (each ``1 << shift`` long, sector 0 ``skip`` sectors in), cut to ``size``."""
    n = 1 << shift
    if size > len(sectors) * n:
        raise _Damaged
    out = b"".join(data[(s + skip) * n : (s + skip + 1) * n] for s in sectors)[:size]
    if len(out) < size:
        raise _Damaged
    return out


def _ole(data: bytes) -> _Ole:
    if len(data) < 512:
        raise _Damaged
    shift, mini_shift = struct.unpack_from("<HH", data, 0x1E)
    if shift not in (9, 12) or mini_shift != 6:
        raise _Damaged
    n = 1 << shift
    sectors = (len(data) - 1) // n  # the header takes the first sector's place
    n_fat, first_dir = struct.unpack_from("<II", data, 0x2C)
    cutoff, first_mini, n_mini, first_difat, n_difat = struct.unpack_from("<IIIII", data, 0x38)
    if n_fat > sectors or n_difat > sectors or n_mini > sectors:
        raise _Damaged
    difat = [s for s in struct.unpack_from("<109I", data, 0x4C) if s not in (_FREE, _END)]
    sector = first_difat
    for _ in range(n_difat):
        if sector >= sectors:
            raise _Damaged
        words = struct.unpack_from(f"<{n // 4}I", data, (sector + 1) * n)
        difat.extend(s for s in words[:-1] if s not in (_FREE, _END))
        sector = words[-1]
    if len(difat) < n_fat or any(s >= sectors for s in difat[:n_fat]):
        raise _Damaged
    fat = [w for s in difat[:n_fat] for w in struct.unpack_from(f"<{n // 4}I", data, (s + 1) * n)]
    directory = _join(data, _chain(fat, first_dir, sectors), shift, len(_chain(fat, first_dir, sectors)) * n, 1)
    entries: dict[str, tuple[int, int, int]] = {}
    root: tuple[int, int, int] | None = None
    for at in range(0, len(directory) - 127, 128):
        length, kind = struct.unpack_from("<HB", directory, at + 0x40)
        start, size = struct.unpack_from("<II", directory, at + 0x74)
        if kind == 5 and root is None:
            root = (start, size, kind)
        elif kind == 2 and 2 <= length <= 64:
            entries.setdefault(directory[at : at + length - 2].decode("utf-16-le", "replace"), (start, size, kind))
    if root is None:
        raise _Damaged
    mini_fat: list[int] = []
    if n_mini and first_mini != _END:
        raw = _join(data, _chain(fat, first_mini, sectors), shift, n_mini * n, 1)
        mini_fat = list(struct.unpack(f"<{len(raw) // 4}I", raw))
    mini_stream = _join(data, _chain(fat, root[0], sectors), shift, root[1], 1) if root[1] else b""
    return _Ole(data, shift, fat, entries, mini_fat, mini_stream, mini_shift, cutoff)


def is_workbook(data: bytes) -> bool:
    """Whether an OLE compound file holds an Excel workbook stream (BIFF8's ``Workbook``, or
    Excel 5/95's ``Book``); a damaged container is taken for one, so that the reader names the damage."""
    try:
        entries = list(_ole(data).entries)
    except (_Damaged, struct.error):
        entries = [name for name in ("Workbook", "Book") if name.encode("utf-16-le") in data[: 1 << 20] + data[-(1 << 20) :]]
    return "Workbook" in entries or "Book" in entries


# --- the BIFF records ----------------------------------------------------------------------


def _records(stream: bytes, start: int) -> Iterator[tuple[int, int, bytes]]:
    """(offset, type, data) of each record from ``start`` to the end of its substream (EOF)."""
    at = start
    while at + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, at)
        body = stream[at + 4 : at + 4 + length]
        if len(body) < length:
            raise _Damaged
        yield at, kind, body
        if kind == 0x000A:  # EOF
            return
        at += 4 + length


@dataclass(slots=True)
class _SheetScan:
    """What the records of one sheet say: its used range, error cells and percentage cells."""

    rows: list[int] = field(default_factory=list)
    columns: list[int] = field(default_factory=list)
    errors: list[tuple[int, int, str]] = field(default_factory=list)
    #: (row, column, stored number, text with %); rows and columns numbered from 1
    percents: list[tuple[int, int, str, str]] = field(default_factory=list)

    def extent(self) -> ErrorCells:
        if not self.rows:
            return ErrorCells([], 1, 1, 0, 0, 0, True)
        return ErrorCells(self.errors, min(self.rows) + 1, min(self.columns) + 1, max(self.columns) + 1, max(self.rows) + 1, len(self.rows), True)


def _rk(value: int) -> float:
    """An RK number: a 30-bit signed integer or the high bits of a double, divided by 100 when flagged."""
    if value & 2:
        number = float(struct.unpack("<i", struct.pack("<I", value))[0] >> 2)
    else:
        number = struct.unpack("<d", struct.pack("<Q", (value & 0xFFFFFFFC) << 32))[0]
    return number / 100 if value & 1 else number


def _scan_sheet(stream: bytes, start: int, percent_xf: frozenset[int]) -> _SheetScan:
    scan = _SheetScan()

    def cell(row: int, col: int, xf: int, number: float | None = None, error: int | None = None) -> None:
        scan.rows.append(row)
        scan.columns.append(col)
        if error is not None:
            scan.errors.append((row + 1, col + 1, ERROR_TEXT.get(error, "#N/A")))
        elif number is not None and xf in percent_xf:
            stored = repr(number)
            shown = as_shown(stored)
            if shown is not None:
                scan.percents.append((row + 1, col + 1, stored, shown))

    for _, kind, body in _records(stream, start):
        if kind in (0x0203, 0x027E, 0x00FD, 0x0204, 0x0205, 0x0006, 0x00D6) and len(body) >= 6:
            row, col, xf = struct.unpack_from("<HHH", body)
            if kind == 0x0203 and len(body) >= 14:
                cell(row, col, xf, number=struct.unpack_from("<d", body, 6)[0])
            elif kind == 0x027E and len(body) >= 10:
                cell(row, col, xf, number=_rk(struct.unpack_from("<I", body, 6)[0]))
            elif kind == 0x0205 and len(body) >= 8:
                cell(row, col, xf, error=body[6] if body[7] else None)
            elif kind == 0x0006 and len(body) >= 14:
                if body[12:14] == b"\xff\xff":
                    cell(row, col, xf, error=body[8] if body[6] == 2 else None)
                else:
                    cell(row, col, xf, number=struct.unpack_from("<d", body, 6)[0])
            else:
                cell(row, col, xf)
        elif kind == 0x00BD and len(body) >= 6:  # MULRK: row, first column, (xf, rk)…, last column
            row, first = struct.unpack_from("<HH", body)
            for i in range((len(body) - 6) // 6):
                xf, rk = struct.unpack_from("<HI", body, 4 + 6 * i)
                cell(row, first + i, xf, number=_rk(rk))
    return scan


@dataclass(frozen=True, slots=True)
class _Globals:
    #: sheet name → (offset of its BOF in the stream, visibility: 0 visible, 1 hidden, 2 very hidden)
    sheets: dict[str, tuple[int, int]]
    percent_xf: frozenset[int]


def _short_string(body: bytes, at: int, width: int) -> str:
    """A BIFF8 string at ``at`` whose character count takes ``width`` bytes, then a flags byte."""
    count = int.from_bytes(body[at : at + width], "little")
    wide = body[at + width] & 1
    raw = body[at + width + 1 : at + width + 1 + count * (2 if wide else 1)]
    return raw.decode("utf-16-le", "replace") if wide else raw.decode("latin-1")


def _globals(stream: bytes, path: str) -> _Globals:
    sheets: dict[str, tuple[int, int]] = {}
    formats: dict[int, str] = {}
    xf_formats: list[int] = []
    for at, kind, body in _records(stream, 0):
        if at == 0 and (kind != 0x0809 or len(body) < 4 or struct.unpack_from("<H", body)[0] != 0x0600):
            raise _Damaged
        if kind == 0x002F:  # FILEPASS: the workbook is encrypted
            raise BomauditError.at(
                "encrypted",
                "is a password-protected (encrypted) Excel workbook: it cannot be read without the password",
                "open it in Excel, remove the password (File › Info › Protect Workbook › Encrypt with Password, clear it) and save, or export the BOM as CSV",
                file=path,
            )
        if kind == 0x0085 and len(body) >= 8 and body[5] == 0:  # BOUNDSHEET of a worksheet
            offset, state = struct.unpack_from("<IB", body)
            sheets.setdefault(_short_string(body, 6, 1), (offset, state & 3))
        elif kind == 0x041E and len(body) >= 5:  # FORMAT
            formats[struct.unpack_from("<H", body)[0]] = _short_string(body, 2, 2)
        elif kind == 0x00E0 and len(body) >= 4:  # XF, in order
            xf_formats.append(struct.unpack_from("<H", body, 2)[0])
    percent = BUILTIN_PERCENT | {i for i, code in formats.items() if is_percent_code(code)}
    return _Globals(sheets, frozenset(i for i, f in enumerate(xf_formats) if f in percent))


# --- the workbook ----------------------------------------------------------------------------


def read_xls(path: str, data: bytes, digest: str, options: ReadOptions) -> list[RawTable]:
    """A :class:`~bomaudit.load.interface.Reader` for ``.xls``: the sheets as :func:`~bomaudit.load.sheets.read_book` chooses them."""
    try:
        ole = _ole(data)
        if "Workbook" not in ole.entries and "Book" in ole.entries:
            raise BomauditError.at(
                "legacy-xls",
                "is an Excel 5.0/95 workbook (BIFF5), which bomaudit does not read",
                "open it in Excel or LibreOffice and save it as .xlsx or CSV",
                file=path,
            )
        if "Workbook" not in ole.entries:
            raise BomauditError.at(
                "not-a-table", "is an OLE compound file without an Excel workbook in it (not an .xls)", "export the BOM as .xlsx or CSV", file=path
            )
        stream = ole.stream("Workbook")
        book = _globals(stream, path)
        scans = {name: _scan_sheet(stream, offset, book.percent_xf) for name, (offset, _) in book.sheets.items()}
    except (_Damaged, struct.error, KeyError):
        raise BomauditError.at("bad-xls", "is not a readable Excel 97–2003 workbook (damaged or truncated)", _HINT, file=path) from None
    if not book.sheets:
        raise BomauditError.at("bad-xls", "is an Excel 97–2003 workbook without worksheets", _HINT, file=path)
    return read_book(_XlsBook(path, data, digest, book, scans, options.limits.max_cells), options)


@dataclass(slots=True)
class _XlsBook:
    """An ``.xls`` workbook as :class:`~bomaudit.load.sheets.Book`."""

    path: str
    data: bytes
    digest: str
    book: _Globals
    scans: dict[str, _SheetScan]
    max_cells: int
    fmt: str = "xls"
    reader: Any = None  # fastexcel's ExcelReader, opened at the first sheet read

    @property
    def names(self) -> list[str]:
        return list(self.book.sheets)

    @property
    def hidden(self) -> frozenset[str]:
        return frozenset(n for n, (_, state) in self.book.sheets.items() if state)

    def has_values(self, name: str) -> bool:
        return bool(self.scans[name].rows)

    def read(self, name: str) -> pl.DataFrame:
        extent = self.scans[name].extent()
        rows, columns = extent.last_row - extent.first_row + 1, extent.last_column - extent.first_column + 1
        if extent.count and rows * columns > self.max_cells:
            used = f"{column_letters(extent.first_column)}{extent.first_row}:{column_letters(extent.last_column)}{extent.last_row}"
            raise BomauditError.at(
                "too-many-cells",
                f"the sheet's used range {used} is {rows * columns:,} cells, over the limit of {self.max_cells:,}",
                "raise it with --max-cells if the workbook is genuine, or export the BOM sheet as CSV",
                file=self.path,
                sheet=name,
            )
        try:
            import fastexcel

            if self.reader is None:
                self.reader = fastexcel.read_excel(self.data)
            sheet = self.reader.load_sheet(name, header_row=None, dtypes="string")
            return sheet.to_polars()
        except Exception as exc:
            message = f"cannot read the sheet ({type(exc).__name__}: {exc})".splitlines()[0]
            raise BomauditError.at("bad-xls", message, _HINT, file=self.path, sheet=name) from None

    def place(self, name: str, frame: pl.DataFrame) -> tuple[pl.DataFrame, int]:
        scan = self.scans[name]
        extent = scan.extent()
        if scan.errors:
            frame = put_back_errors(frame, extent, extent.first_row, self.path, name)
        if scan.percents:
            if frame.width != extent.last_column - extent.first_column + 1:
                frame = frame.clear()  # the cells cannot be placed with certainty: each is refused
            frame = show_percents(frame, scan.percents, extent.first_row, extent.first_column, (self.path, name))
        return frame, extent.first_row
