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

from bomaudit.errors import MAX_LISTED, BomauditError, Location, Problem, warning
from bomaudit.load.cleanup import drop_empty, header_warnings, no_header_error, split_footer
from bomaudit.load.errorcells import ErrorCells, column_letters, error_cells, put_back_errors, readable_by_calamine
from bomaudit.load.guard import EXCEL_COLUMNS, EXCEL_ROWS, Limits, PartScan, check_rows, scan_workbook
from bomaudit.load.header import SCAN_ROWS, apply_header, find_header, looks_like_data, rows_above
from bomaudit.load.interface import ROW, RawTable, ReadOptions
from bomaudit.load.percentcells import percent_cells, percent_styles, show_percents

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


def read_excel(path: str, data: bytes, digest: str, options: ReadOptions) -> RawTable:
    """A :class:`~bomaudit.load.interface.Reader`: the ``--sheet`` named, else the first visible sheet
    whose header names a SKU column, else the first visible sheet with rows. Hidden sheets passed
    over are named in a warning. Sheets with no values are passed over without being parsed, and at
    most MAX_TRIED sheets are parsed looking for a part-number header."""
    with _open(data, path) as zf:
        scans = scan_workbook(zf, data, path, options.limits)
        try:
            layout, hidden = sheet_layout(zf)
        except _BROKEN:
            raise BomauditError.at(
                "bad-xlsx", "is not a readable Excel workbook (damaged or not an .xlsx)", "open it in Excel and save it again as .xlsx", file=path
            ) from None
        book = _Workbook(path, data, digest, layout, hidden, zf, scans, options.limits)
        return _choose_sheet(book, options)


def _open(data: bytes, path: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, RuntimeError, NotImplementedError):
        raise BomauditError.at(
            "bad-xlsx", "is not a readable Excel workbook (damaged or truncated zip)", "open it in Excel and save it again as .xlsx", file=path
        ) from None


#: sheets parsed, at most, while looking for the one whose header names a part-number column
MAX_TRIED = 50


def _choose_sheet(book: _Workbook, options: ReadOptions) -> RawTable:
    fallback: tuple[str, pl.DataFrame, int | None] | None = None
    tried = 0
    for name in _candidates(book, options):
        if options.sheet is None and not book.scan(name).values:
            continue
        if tried == MAX_TRIED:
            raise _too_many_sheets(book)
        tried += 1
        frame = _read_sheet(book, name)
        if frame.width == 0 or frame.height == 0:
            continue
        frame = frame.rename({c: f"c{i}" for i, c in enumerate(frame.columns)})
        head = [list(r) for r in frame.head(SCAN_ROWS).rows()]
        index = None if options.no_header else find_header(head, options.mapped_headers)
        if options.no_header or options.sheet is not None or _has_sku(head, index, options):
            return _finish(book, name, frame, index, options)
        if fallback is None:
            fallback = (name, frame, index)
    if fallback is None:
        raise BomauditError.at("empty-file", "the workbook has no rows", "check that you exported the right file", file=book.path)
    name, frame, index = fallback
    return _finish(book, name, frame, index, options, fallback=True)


def _too_many_sheets(book: _Workbook) -> BomauditError:
    with_values = [n for n in book.layout if n not in book.hidden and book.scan(n).values]
    return BomauditError.at(
        "no-bom-sheet",
        f"none of the first {MAX_TRIED} sheets with values has a part-number header, and the workbook has {len(with_values):,} such sheets: "
        "bomaudit stops looking there",
        f"pass --sheet NAME to name the BOM sheet (the last one is {with_values[-1]!r})",
        file=book.path,
    )


def _candidates(book: _Workbook, options: ReadOptions) -> list[str]:
    """The sheets to try, in order: the one ``--sheet`` names (hidden or not), else the visible ones."""
    names = list(book.layout)
    if options.sheet is not None:
        if options.sheet not in book.layout:
            raise BomauditError.at(
                "no-such-sheet",
                f"has no sheet named {options.sheet!r}; its sheets are {', '.join(map(repr, names))}",
                "pass one of those to --sheet",
                file=book.path,
            )
        return [options.sheet]
    visible = [n for n in names if n not in book.hidden]
    if not visible:
        raise BomauditError.at(
            "all-sheets-hidden",
            f"every sheet of the workbook is hidden ({', '.join(map(repr, names))}): there is no sheet to choose",
            f"unhide the BOM sheet in Excel, or pass --sheet {names[0]!r} to read a hidden one",
            file=book.path,
        )
    return visible


def _hidden_warnings(book: _Workbook, chosen: str, options: ReadOptions, fallback: bool) -> list[Problem]:
    """A warning for each hidden sheet passed over while choosing ``chosen``: those before it in the
    workbook (all of them when no sheet had a part-number header); none when ``--sheet`` chose."""
    if options.sheet is not None:
        return []
    names = list(book.layout)
    passed = names if fallback else names[: names.index(chosen)]
    skipped = [name for name in passed if name in book.hidden]
    out = [
        warning("hidden-sheet", f"sheet {name!r} is hidden: skipped", hint=f"pass --sheet {name!r} to read it", where=Location(file=book.path))
        for name in skipped[:MAX_LISTED]
    ]
    if len(skipped) > MAX_LISTED:
        more = f"{len(skipped) - MAX_LISTED:,} more hidden sheets skipped"
        out.append(warning("hidden-sheet", more, hint="pass --sheet NAME to read one", where=Location(file=book.path)))
    return out


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
        except Exception as exc:
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


def _has_sku(head: list[list[str | None]], index: int | None, options: ReadOptions) -> bool:
    from bomaudit.fields import interpret_header, norm_header

    if index is None:
        return False
    wanted = {norm_header(h) for h in options.mapped_headers}
    cells = [c for c in head[index] if c]
    return any(((m := interpret_header(c)) is not None and m.field == "sku") or norm_header(c) in wanted for c in cells)


def _percents_as_shown(book: _Workbook, name: str, frame: pl.DataFrame, first: int) -> pl.DataFrame:
    """Cells formatted as percentages read as Excel shows them (``5%``), not as stored (0.05)."""
    cells = percent_cells(book.zf, book.layout[name], percent_styles(book.zf))
    if not cells:
        return frame
    extent = error_cells(book.zf, book.layout[name])  # the extent of the cells holding values
    if not extent.positioned or extent.first_row != first or frame.width != extent.last_column - extent.first_column + 1:
        frame = frame.clear()  # the cells cannot be placed with certainty: each is refused
    return show_percents(frame, cells, first, extent.first_column, (book.path, name))


def _finish(book: _Workbook, name: str, frame: pl.DataFrame, index: int | None, options: ReadOptions, fallback: bool = False) -> RawTable:
    """The table of sheet ``name``, whose header is row ``index`` of ``frame`` (None: not found);
    ``fallback``: no sheet had a part-number header and this is the first with rows."""
    path = book.path
    try:
        first = first_value_row(book.zf, book.layout[name])
        if book.scan(name).errors:
            frame = put_back_errors(frame, error_cells(book.zf, book.layout[name]), first, path, name)
        frame = _percents_as_shown(book, name, frame, first)
    except _BROKEN:
        raise BomauditError.at(
            "bad-xlsx", "is damaged: a part of the workbook cannot be unpacked", "open it in Excel and save it again", file=path, sheet=name
        ) from None
    check_rows(frame.height, path, name, options.limits)
    if index is not None and not options.no_header and looks_like_data(list(frame.row(index)), options.mapped_headers):
        raise no_header_error(path, name, first + index)
    table, header_row = apply_header(frame, index, first, options.no_header)
    warnings = (
        header_warnings(list(frame.row(index)), [c for c in table.columns if c != ROW], path, name, header_row)
        if index is not None and not options.no_header
        else []
    )
    table, footer = split_footer(drop_empty(table), path, name)
    hidden = _hidden_warnings(book, name, options, fallback)
    above = [] if options.no_header else rows_above(frame, index, first)
    return RawTable(path, name, book.digest, table, header_row, [*hidden, *warnings, *footer], {"format": "xlsx", "sheet": name}, above=above)
