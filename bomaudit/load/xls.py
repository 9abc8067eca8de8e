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
from collections.abc import Callable, Iterator
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


#: streams of fewer bytes live in the mini stream (calamine uses this figure, whatever the header says)
_MINI_CUTOFF = 4096


@dataclass(frozen=True, slots=True)
class _Ole:
    """An OLE compound file read the way calamine reads it (its ``cfb.rs``), so that the bytes
    checked here are the bytes calamine parses: the root is the first directory entry, a stream
    is the first entry of its name, and a name ends at its first NUL."""

    data: bytes
    shift: int
    fat: list[int]
    #: (name, start sector, size) of each directory entry, in order
    entries: list[tuple[str, int, int]]
    mini_fat: list[int]
    mini_stream: bytes

    def names(self) -> set[str]:
        return {name for name, _, _ in self.entries}

    def stream(self, name: str) -> bytes:
        start, size = next((st, sz) for n, st, sz in self.entries if n == name)
        if size < _MINI_CUTOFF:
            return _join(self.mini_stream, _chain(self.mini_fat, start, len(self.mini_stream) >> 6), 6, size, 0)
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
    """The container, refused (``_Damaged``) wherever what it declares is not there or would make
    calamine allocate without bound: FAT and DIFAT sizes beyond the file, chains that loop or run
    off the table, streams longer than their chains."""
    if len(data) < 512:
        raise _Damaged
    shift, mini_shift = struct.unpack_from("<HH", data, 0x1E)
    if shift not in (9, 12) or mini_shift != 6:
        raise _Damaged
    n = 1 << shift
    sectors = (len(data) - 1) // n  # the header takes the first sector's place
    n_fat, first_dir = struct.unpack_from("<II", data, 0x2C)
    first_mini, n_mini, first_difat, n_difat = struct.unpack_from("<IIII", data, 0x3C)
    # calamine reserves room for as many DIFAT entries as bytes 62-65 say (a misread field): bound it
    if n_fat > sectors or n_difat > sectors or n_mini > sectors or struct.unpack_from("<I", data, 62)[0] > 1 << 26:
        raise _Damaged
    difat = [s for s in struct.unpack_from("<109I", data, 0x4C) if s not in (_FREE, _END)]
    sector = first_difat
    for _ in range(n_difat):
        if sector >= sectors:
            raise _Damaged
        words = struct.unpack_from(f"<{n // 4}I", data, (sector + 1) * n)
        difat.extend(s for s in words[:-1] if s not in (_FREE, _END))
        sector = words[-1]
    if len(difat) < n_fat or any(s >= sectors for s in difat):
        raise _Damaged
    fat = [w for s in difat[:n_fat] for w in struct.unpack_from(f"<{n // 4}I", data, (s + 1) * n)]
    chain = _chain(fat, first_dir, sectors)
    directory = _join(data, chain, shift, len(chain) * n, 1)
    entries = []
    for at in range(0, len(directory) - 127, 128):
        name = directory[at : at + 64].decode("utf-16-le", "replace").split("\0", 1)[0]
        start = struct.unpack_from("<I", directory, at + 0x74)[0]
        size = struct.unpack_from("<Q" if shift == 12 else "<I", directory, at + 0x78)[0]
        entries.append((name, start, size))
    if not entries:
        raise _Damaged
    mini_fat: list[int] = []
    mini_stream = b""
    if n_mini:
        raw = _join(data, _chain(fat, first_mini, sectors), shift, n_mini * n, 1)
        mini_fat = list(struct.unpack(f"<{len(raw) // 4}I", raw))
        _, root_start, root_size = entries[0]
        mini_stream = _join(data, _chain(fat, root_start, sectors), shift, root_size, 1)
    return _Ole(data, shift, fat, entries, mini_fat, mini_stream)


def is_workbook(data: bytes) -> bool:
    """Whether an OLE compound file holds an Excel workbook stream (BIFF8's ``Workbook``, or
    Excel 5/95's ``Book``); a damaged container is taken for one, so that the reader names the damage."""
    try:
        names = _ole(data).names()
    except (_Damaged, struct.error):
        names = {name for name in ("Workbook", "Book") if name.encode("utf-16-le") in data[: 1 << 20] + data[-(1 << 20) :]}
    return bool(names & {"Workbook", "Book", "WORKBOOK", "BOOK"})


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
    """What the records of one sheet say: where calamine will put cells, error cells and percentage cells."""

    rows: list[int] = field(default_factory=list)
    columns: list[int] = field(default_factory=list)
    errors: list[tuple[int, int, str]] = field(default_factory=list)
    #: (row, column, stored number, text with %); rows and columns numbered from 1
    percents: list[tuple[int, int, str, str]] = field(default_factory=list)
    #: cells the sheet's DIMENSIONS records make calamine reserve room for
    declared: int = 0

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


def _declared(body: bytes) -> int:
    """The cells calamine reserves for a DIMENSIONS record, computed as it does (``parse_dimensions``,
    with 32-bit wrap-around): a hostile record must be refused before calamine allocates it."""
    if len(body) == 10:
        rf, rl, cf, cl = struct.unpack_from("<HHHH", body)
    elif len(body) == 14:
        rf, rl, cf, cl = struct.unpack_from("<IIHH", body)
    else:
        return 0  # calamine refuses the record
    if cf > 0xFF or cl < cf:
        cf = 0
    end_r, end_c = (rl - 1, cl - 1) if rl >= 1 and cl >= 1 else (rf, cf)
    return ((end_r - rf + 1) & 0xFFFFFFFF) * ((end_c - cf + 1) & 0xFFFFFFFF)


def _scan_sheet(stream: bytes, start: int, percent_xf: frozenset[int]) -> _SheetScan:
    """The cells calamine makes of a sheet's records (``xls.rs``: NUMBER, LABEL, RSTRING, BOOLERR,
    STRING at the last formula's place, RK, LABELSST, MULRK, FORMULA unless its string result
    follows), up to its EOF."""
    scan = _SheetScan()
    formula = (0, 0)

    def cell(row: int, col: int, xf: int = -1, number: float | None = None) -> None:
        scan.rows.append(row)
        scan.columns.append(col)
        if number is not None and xf in percent_xf and (shown := as_shown(repr(number))) is not None:
            scan.percents.append((row + 1, col + 1, repr(number), shown))

    for _, kind, body in _records(stream, start):
        if kind == 0x0200:  # DIMENSIONS
            scan.declared += _declared(body)
        elif kind in (0x0203, 0x0204, 0x00D6, 0x00FD, 0x0205, 0x027E, 0x0006) and len(body) >= 6:
            row, col, xf = struct.unpack_from("<HHH", body)
            if kind == 0x0006:
                formula = (row, col)
            if kind == 0x0203 and len(body) >= 14:
                cell(row, col, xf, struct.unpack_from("<d", body, 6)[0])
            elif kind == 0x027E and len(body) >= 10:
                cell(row, col, xf, _rk(struct.unpack_from("<I", body, 6)[0]))
            elif kind in (0x0205, 0x0006):
                _result(scan, kind, body, cell)
            elif kind in (0x0204, 0x00D6, 0x00FD):
                cell(row, col)
        elif kind == 0x0207:  # STRING: the value of the formula before it
            cell(*formula)
        elif kind == 0x00BD and len(body) >= 6:  # MULRK: row, first column, (xf, rk)…, last column
            row, first = struct.unpack_from("<HH", body)
            for i in range((len(body) - 6) // 6):
                xf, rk = struct.unpack_from("<HI", body, 4 + 6 * i)
                cell(row, first + i, xf, _rk(rk))
    return scan


def _result(scan: _SheetScan, kind: int, body: bytes, cell: Callable[..., None]) -> None:
    """A BOOLERR cell, or a FORMULA's cached result: a number, a boolean, an error, an empty string
    (a string result comes in the STRING record that follows)."""
    row, col, xf = struct.unpack_from("<HHH", body)
    if kind == 0x0205:
        if len(body) >= 8:
            cell(row, col)
            if body[7]:
                scan.errors.append((row + 1, col + 1, ERROR_TEXT.get(body[6], "#N/A")))
        return
    if len(body) < 14:
        return
    if body[12:14] != b"\xff\xff":
        cell(row, col, xf, struct.unpack_from("<d", body, 6)[0])
    elif body[6] != 0:
        cell(row, col)
        if body[6] == 2:  # a cached error result
            scan.errors.append((row + 1, col + 1, ERROR_TEXT.get(body[8], "#N/A")))


@dataclass(frozen=True, slots=True)
class _Globals:
    #: every BOUNDSHEET, in order, as calamine lists the sheets: (offset of its BOF, hidden, a worksheet, name as written)
    sheets: list[tuple[int, bool, bool, str]]
    percent_xf: frozenset[int]


def _short_string(body: bytes, at: int, width: int) -> str:
    """A BIFF8 string at ``at`` whose character count takes ``width`` bytes, then a flags byte."""
    count = int.from_bytes(body[at : at + width], "little")
    wide = body[at + width] & 1
    raw = body[at + width + 1 : at + width + 1 + count * (2 if wide else 1)]
    return raw.decode("utf-16-le", "replace") if wide else raw.decode("latin-1")


def _encrypted(path: str) -> BomauditError:
    return BomauditError.at(
        "encrypted",
        "is a password-protected (encrypted) Excel workbook: it cannot be read without the password",
        "open it in Excel, remove the password (File › Info › Protect Workbook › Encrypt with Password, clear it) and save, or export the BOM as CSV",
        file=path,
    )


def _globals(stream: bytes, path: str) -> _Globals:
    sheets: list[tuple[int, bool, bool, str]] = []
    formats: dict[int, str] = {}
    xf_formats: list[int] = []
    for at, kind, body in _records(stream, 0):
        if at == 0 and (kind != 0x0809 or len(body) < 4 or struct.unpack_from("<H", body)[0] != 0x0600):
            raise _Damaged
        if kind == 0x002F:  # FILEPASS: the workbook is encrypted (or XOR-obfuscated, which calamine would read as garbage)
            raise _encrypted(path)
        if kind == 0x0085:  # BOUNDSHEET
            if len(body) < 8:
                raise _Damaged
            offset, state, dt = struct.unpack_from("<IBB", body)
            if offset >= len(stream):  # calamine would slice past the stream's end
                raise _Damaged
            sheets.append((offset, bool(state & 0x3F), dt == 0, _short_string(body, 6, 1).replace("\0", "")))
        elif kind == 0x041E and len(body) >= 5:  # FORMAT
            formats[struct.unpack_from("<H", body)[0]] = _short_string(body, 2, 2)
        elif kind == 0x00E0 and len(body) >= 4:  # XF, in order
            xf_formats.append(struct.unpack_from("<H", body, 2)[0])
    percent = BUILTIN_PERCENT | {i for i, code in formats.items() if is_percent_code(code)}
    return _Globals(sheets, frozenset(i for i, f in enumerate(xf_formats) if f in percent))


# --- the workbook ----------------------------------------------------------------------------


def read_xls(path: str, data: bytes, digest: str, options: ReadOptions) -> list[RawTable]:
    """A :class:`~bomaudit.load.interface.Reader` for ``.xls``: the sheets as :func:`~bomaudit.load.sheets.read_book` chooses them.

    Everything calamine would allocate or index by what the file declares is checked first (the
    container, the sheets' offsets, their DIMENSIONS); calamine then parses the whole workbook once."""
    try:
        ole = _ole(data)
        if "Workbook" not in ole.names():
            if "Book" in ole.names():
                raise BomauditError.at(
                    "legacy-xls",
                    "is an Excel 5.0/95 workbook (BIFF5), which bomaudit does not read",
                    "open it in Excel or LibreOffice and save it as .xlsx or CSV",
                    file=path,
                )
            raise BomauditError.at(
                "not-a-table", "is an OLE compound file without an Excel workbook in it (not an .xls)", "export the BOM as .xlsx or CSV", file=path
            )
        stream = ole.stream("Workbook")
        book = _globals(stream, path)
        scans = [_scan_sheet(stream, offset, book.percent_xf) for offset, _, _, _ in book.sheets]
    except (_Damaged, struct.error, StopIteration):
        raise BomauditError.at("bad-xls", "is not a readable Excel 97–2003 workbook (damaged or truncated)", _HINT, file=path) from None
    _check_declared(book, scans, path, options.limits.max_cells)
    names = _sheet_names(data, path, len(book.sheets))
    sheets = {name: (hidden, scan) for name, (_, hidden, work, _), scan in zip(names, book.sheets, scans, strict=True) if work}
    if not sheets:
        raise BomauditError.at("bad-xls", "is an Excel 97–2003 workbook without worksheets", _HINT, file=path)
    return read_book(_XlsBook(path, digest, sheets, options.limits.max_cells, names.reader), options)


def _check_declared(book: _Globals, scans: list[_SheetScan], path: str, limit: int) -> None:
    """Refuse a sheet (or the sheets together) whose DIMENSIONS records declare more cells than
    ``--max-cells``: calamine reserves room for them all when it opens the workbook."""
    hint = "raise it with --max-cells if the workbook is genuine, or export the BOM sheet as CSV"
    for (_, _, _, name), scan in zip(book.sheets, scans, strict=True):
        if scan.declared > limit:
            raise BomauditError.at(
                "too-many-cells",
                f"the sheet declares {scan.declared:,} cells (its DIMENSIONS record), over the limit of {limit:,}",
                hint,
                file=path,
                sheet=name,
            )
    declared = sum(s.declared for s in scans)
    if declared > limit:
        raise BomauditError.at(
            "too-many-cells", f"the workbook's sheets declare {declared:,} cells (their DIMENSIONS records), over the limit of {limit:,}", hint, file=path
        )


class _Names(list[str]):
    reader: Any


def _sheet_names(data: bytes, path: str, count: int) -> _Names:
    """The sheets' names as calamine decodes them (the code page decides), with its reader."""
    try:
        import fastexcel

        reader = fastexcel.read_excel(data)
        names = _Names(reader.sheet_names)
    except BaseException as exc:
        raise _calamine_failed(exc, path, None) from None
    if len(names) != count:
        raise BomauditError.at("bad-xls", f"is not a readable Excel 97–2003 workbook ({len(names)} sheets named for {count} declared)", _HINT, file=path)
    names.reader = reader
    return names


def _calamine_failed(exc: BaseException, path: str, sheet: str | None) -> BomauditError:
    """The error for what calamine raised; a Rust panic (pyo3's PanicException is no Exception) too."""
    if isinstance(exc, KeyboardInterrupt | SystemExit | GeneratorExit):
        raise exc
    message = f"cannot read the {'sheet' if sheet else 'workbook'} ({type(exc).__name__}: {exc})".splitlines()[0]
    return BomauditError.at("bad-xls", message, _HINT, file=path, sheet=sheet)


@dataclass(slots=True)
class _XlsBook:
    """An ``.xls`` workbook as :class:`~bomaudit.load.sheets.Book`."""

    path: str
    digest: str
    #: worksheet name → (hidden, what its records say)
    sheets: dict[str, tuple[bool, _SheetScan]]
    max_cells: int
    reader: Any  # fastexcel's ExcelReader
    fmt: str = "xls"

    @property
    def names(self) -> list[str]:
        return list(self.sheets)

    @property
    def hidden(self) -> frozenset[str]:
        return frozenset(n for n, (hidden, _) in self.sheets.items() if hidden)

    def has_values(self, name: str) -> bool:
        return bool(self.sheets[name][1].rows)

    def read(self, name: str) -> pl.DataFrame:
        extent = self.sheets[name][1].extent()
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
            frame = self.reader.load_sheet(name, header_row=None, dtypes="string").to_polars()
        except BaseException as exc:
            raise _calamine_failed(exc, self.path, name) from None
        if extent.count and (frame.height, frame.width) != (rows, columns):
            # the rows and columns calamine read are not where the records put them: no cell can be placed with certainty
            raise BomauditError.at(
                "bad-xls",
                f"the sheet's cells are not where its records put them ({frame.height:,} × {frame.width:,} read for {rows:,} × {columns:,})",
                _HINT,
                file=self.path,
                sheet=name,
            )
        return frame

    def place(self, name: str, frame: pl.DataFrame) -> tuple[pl.DataFrame, int]:
        scan = self.sheets[name][1]
        extent = scan.extent()
        if scan.errors:
            frame = put_back_errors(frame, extent, extent.first_row, self.path, name)
        if scan.percents:
            frame = show_percents(frame, scan.percents, extent.first_row, extent.first_column, (self.path, name))
        return frame, extent.first_row
