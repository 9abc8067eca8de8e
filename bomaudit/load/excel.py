"""XLSX/XLSM through Polars' calamine engine (fastexcel); formula cells give cached values.

Calamine returns a sheet's used range, which starts at its first non-empty cell; the row
number of that cell is read from the sheet XML so that reported rows match what Excel shows.

Two things calamine does not say are read from the workbook's XML: which sheets are hidden
(``state="hidden"``/``"veryHidden"`` in ``xl/workbook.xml``: skipped when choosing the sheet, with a
warning), and which cells hold an error value (``<c t="e"><v>#DIV/0!</v></c>``, which calamine
reads as empty): their text is put back, so that they are refused like ``#DIV/0!`` in a CSV.
Date- and time-formatted cells come from calamine as ``2026-01-05 00:00:00`` and are refused by
the number parser wherever a number is expected.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from dataclasses import dataclass
from typing import TYPE_CHECKING
from xml.etree import ElementTree

from bomaudit.errors import BomauditError
from bomaudit.load.errorcells import ErrorCells, column_letters, error_cells, put_back_errors, readable_by_calamine
from bomaudit.load.guard import EXCEL_COLUMNS, EXCEL_ROWS, Limits, PartScan, scan_workbook
from bomaudit.load.interface import RawTable, ReadOptions
from bomaudit.load.percentcells import percent_cells, percent_styles, show_percents
from bomaudit.load.sheets import read_book

if TYPE_CHECKING:
    import polars as pl

_NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
}
#: what a damaged or truncated zip raises while its parts are read
_BROKEN = (
    zipfile.BadZipFile,
    zlib.error,
    KeyError,
    ValueError,
    EOFError,
    OSError,
    ElementTree.ParseError,
    UnicodeDecodeError,
    RuntimeError,
    NotImplementedError,
)
_CELL = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="[A-Z]+(\d+)"[^>]*?(/?)>')


def _parse_xml(data: bytes) -> ElementTree.Element:
    """A part the guard has read (:func:`~bomaudit.load.guard.scan_workbook`, which refuses any with a
    document type declaration), so no entity can be expanded here."""
    return ElementTree.fromstring(data)


def sheet_layout(zf: zipfile.ZipFile) -> tuple[dict[str, str], frozenset[str]]:
    """Sheet name → path of its XML part inside the workbook zip, in workbook order; and the
    names of the hidden sheets (``state="hidden"`` or ``"veryHidden"``)."""
    wb = _parse_xml(zf.read("xl/workbook.xml"))
    rels = _parse_xml(zf.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target", "") for r in rels.findall("rel:Relationship", _NS)}
    out: dict[str, str] = {}
    hidden: set[str] = set()
    for sheet in wb.findall("m:sheets/m:sheet", _NS):
        target = targets.get(sheet.get(f"{{{_NS['r']}}}id"), "")
        target = target.lstrip("/")
        name = sheet.get("name", "")
        out[name] = target if target.startswith("xl/") else f"xl/{target}"
        if (sheet.get("state") or "visible").lower() in ("hidden", "veryhidden"):
            hidden.add(name)
    return out, frozenset(hidden)


def first_value_row(zf: zipfile.ZipFile, part: str) -> int:
    """Row number of the first cell holding a value in a sheet part (1 when unknown)."""
    with zf.open(part) as fh:
        chunk = b""
        while True:
            block = fh.read(1 << 16)
            if not block:
                return 1
            chunk = chunk[-4096:] + block
            for m in _CELL.finditer(chunk):
                if m.group(2) == b"/":
                    continue  # <c r="A1" s="3"/>: styled, empty
                rest = chunk[m.end() : m.end() + 400]
                close = rest.find(b"</c>")
                if close < 0 or b"<v" in rest[:close] or b"<is" in rest[:close] or b"<f" in rest[:close]:
                    return int(m.group(1))


def read_excel(path: str, data: bytes, digest: str, options: ReadOptions) -> list[RawTable]:
    """A :class:`~bomaudit.load.interface.Reader`: the workbook's BOM sheets, chosen by
    :func:`~bomaudit.load.sheets.read_book` once the guard has inflated and checked every part."""
    with _open(data, path) as zf:
        scans = scan_workbook(zf, data, path, options.limits)
        try:
            layout, hidden = sheet_layout(zf)
        except _BROKEN:
            raise BomauditError.at(
                "bad-xlsx", "is not a readable Excel workbook (damaged or not an .xlsx)", "open it in Excel and save it again as .xlsx", file=path
            ) from None
        return read_book(_Workbook(path, data, digest, layout, hidden, zf, scans, options.limits), options)


def _open(data: bytes, path: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, RuntimeError, NotImplementedError):
        raise BomauditError.at(
            "bad-xlsx", "is not a readable Excel workbook (damaged or truncated zip)", "open it in Excel and save it again as .xlsx", file=path
        ) from None


@dataclass(frozen=True, slots=True)
class _Workbook:
    """The workbook being read: its path (for messages), bytes, SHA-256, and each sheet's XML part."""

    path: str
    data: bytes
    digest: str
    #: sheet name → path of its XML part (:func:`sheet_layout`)
    layout: dict[str, str]
    #: names of the hidden sheets
    hidden: frozenset[str]
    #: the workbook's zip, open while it is read
    zf: zipfile.ZipFile
    #: what each part really holds (:func:`~bomaudit.load.guard.scan_workbook`)
    scans: dict[str, PartScan]
    limits: Limits
    fmt: str = "xlsx"

    @property
    def names(self) -> list[str]:
        return list(self.layout)

    def has_values(self, name: str) -> bool:
        return self.scan(name).values

    def read(self, name: str) -> pl.DataFrame:
        return _read_sheet(self, name)

    def place(self, name: str, frame: pl.DataFrame) -> tuple[pl.DataFrame, int]:
        return _placed(self, name, frame)

    def part(self, name: str) -> str:
        return self.layout[name]

    def scan(self, name: str) -> PartScan:
        """What the guard found in the sheet's part (a part the zip lacks: as if it held values,
        so that calamine names the damage)."""
        return self.scans.get(self.layout[name]) or PartScan(0)


def _read_sheet(book: _Workbook, name: str) -> pl.DataFrame:
    """Every cell of a sheet's used range, as text; an error naming the sheet when calamine cannot read it."""
    import polars as pl

    _check_extent(book, name)
    data = book.data
    while True:
        try:
            return pl.read_excel(
                io.BytesIO(data),
                sheet_name=name,
                engine="calamine",
                has_header=False,
                drop_empty_rows=False,
                drop_empty_cols=False,
                infer_schema_length=0,
                raise_if_empty=False,
            )
        except BaseException as exc:  # a Rust panic in calamine is pyo3's PanicException, no Exception
            if isinstance(exc, KeyboardInterrupt | SystemExit | GeneratorExit):
                raise
            # error values newer than calamine (#SPILL!, #CALC!…) fail the sheet: read it with them as #N/A
            patched = _without_new_errors(book, name) if data is book.data and "error value" in str(exc) else None
            if patched is None:
                raise BomauditError.at(
                    "bad-xlsx",
                    f"cannot read the sheet ({type(exc).__name__}: {exc})".splitlines()[0],
                    "open it in Excel and save it again",
                    file=book.path,
                    sheet=name,
                ) from None
            data = patched


def _check_extent(book: _Workbook, name: str) -> None:
    """Refuse a sheet whose used range a reader could not allocate: a stray value far from the
    table (``XFD1048576``) makes it rows × columns cells, most of them empty. Only a sheet with a
    far cell reference (:class:`~bomaudit.load.guard.PartScan`) is measured exactly."""
    if not book.scan(name).far:
        return
    try:
        extent = error_cells(book.zf, book.part(name))
    except _BROKEN:
        return  # the reader names the damage
    if extent.count == 0:
        return
    rows = extent.last_row - extent.first_row + 1
    columns = extent.last_column - extent.first_column + 1
    used = f"{column_letters(extent.first_column)}{extent.first_row}:{column_letters(extent.last_column)}{extent.last_row}"
    where = {"file": book.path, "sheet": name}
    if extent.last_row > EXCEL_ROWS or extent.last_column > EXCEL_COLUMNS:
        raise BomauditError.at(
            "hostile-xlsx",
            f"the sheet's cells reach {used}, beyond Excel's last cell XFD{EXCEL_ROWS}: no workbook Excel writes has these",
            "open it in Excel and save it again, or export the BOM sheet as CSV",
            **where,
        )
    if rows * columns <= book.limits.max_cells:
        return
    if rows * columns > 10 * extent.count:
        raise BomauditError.at(
            "far-cell",
            f"a value lies far outside the table: the sheet's used range {used} is {rows * columns:,} cells for {extent.count:,} values, "
            f"over the limit of {book.limits.max_cells:,}",
            f"in Excel, Ctrl+End goes to {_farthest(extent)}: delete the stray values at the sheet's far edge and save, or export the BOM sheet as CSV",
            **where,
        )
    raise BomauditError.at(
        "too-many-cells",
        f"the sheet's used range {used} is {rows * columns:,} cells, over the limit of {book.limits.max_cells:,}",
        "raise it with --max-cells if the workbook is genuine, or export the BOM sheet as CSV",
        **where,
    )


def _farthest(extent: ErrorCells) -> str:
    return f"{column_letters(extent.last_column)}{extent.last_row}"


def _without_new_errors(book: _Workbook, name: str) -> bytes | None:
    try:
        return readable_by_calamine(book.zf, book.layout[name])
    except _BROKEN:
        return None


def _percents_as_shown(book: _Workbook, name: str, frame: pl.DataFrame, first: int) -> pl.DataFrame:
    """Cells formatted as percentages read as Excel shows them (``5%``), not as stored (0.05)."""
    cells = percent_cells(book.zf, book.layout[name], percent_styles(book.zf))
    if not cells:
        return frame
    extent = error_cells(book.zf, book.layout[name])  # the extent of the cells holding values
    if not extent.positioned or extent.first_row != first or frame.width != extent.last_column - extent.first_column + 1:
        frame = frame.clear()  # the cells cannot be placed with certainty: each is refused
    return show_percents(frame, cells, first, extent.first_column, (book.path, name))


def _placed(book: _Workbook, name: str, frame: pl.DataFrame) -> tuple[pl.DataFrame, int]:
    """The sheet's frame with its error cells' text and its percentages as Excel shows them, and
    the row number of its first row (see :meth:`~bomaudit.load.sheets.Book.place`)."""
    try:
        first = first_value_row(book.zf, book.layout[name])
        if book.scan(name).errors:
            frame = put_back_errors(frame, error_cells(book.zf, book.layout[name]), first, book.path, name)
        return _percents_as_shown(book, name, frame, first), first
    except _BROKEN:
        raise BomauditError.at(
            "bad-xlsx", "is damaged: a part of the workbook cannot be unpacked", "open it in Excel and save it again", file=book.path, sheet=name
        ) from None
