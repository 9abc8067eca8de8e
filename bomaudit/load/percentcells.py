"""XLSX cells formatted as a percentage: Excel shows ``5%`` but stores 0.05, and calamine reads
``0.05``. Read as stored, a ``Dy_pct`` column formatted as percentages would say 0.05 % where the
engineer sees 5 %: a hundred times too little, and a false clear. Such cells are read as Excel
shows them (``5%``), so that the unit travels with the number: a concentration column reads them
as the percentage they are, and any other numeric column refuses them.

The styles part says which cell formats are percentages (built-in formats 9 and 10, and any
custom format with an unquoted ``%``); the sheet is scanned for cells only when some are.
"""

from __future__ import annotations

import re
import zipfile
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from bomaudit.errors import MAX_LISTED, BomauditError, Location, Problem
from bomaudit.load.errorcells import column_letters, column_number

if TYPE_CHECKING:
    import polars as pl

#: built-in number formats that are percentages (ECMA-376 Part 1, 18.8.30)
BUILTIN_PERCENT = frozenset({9, 10})
_NUMFMT = re.compile(rb"""<(?:\w+:)?numFmt\b[^>]*?\bnumFmtId\s*=\s*["'](\d+)["'][^>]*?\bformatCode\s*=\s*["']([^"']*)["']""")
_CELLXFS = re.compile(rb"<(?:\w+:)?cellXfs\b[^>]*>(.*?)</(?:\w+:)?cellXfs>", re.S)
_XF = re.compile(rb"<(?:\w+:)?xf\b([^>]*)")
_XF_NUMFMT = re.compile(rb"""\bnumFmtId\s*=\s*["'](\d+)["']""")
_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_REF = re.compile(rb"""\br\s*=\s*["']([A-Z]{1,3})(\d+)["']""")
_STYLE = re.compile(rb"""\bs\s*=\s*["'](\d+)["']""")
_TYPE = re.compile(rb"""\bt\s*=\s*["'](\w+)["']""")
_VALUE = re.compile(rb"<(?:\w+:)?v>(.*?)</(?:\w+:)?v>", re.S)
_QUOTED = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')


def is_percent_code(code: str) -> bool:
    """Whether a number format code shows a percentage (an unquoted, unescaped ``%``)."""
    return "%" in _QUOTED.sub("", code)


def as_shown(stored: str) -> str | None:
    """A stored number as a percentage format shows it (``0.05`` → ``5%``), or None if it is no number."""
    try:
        return f"{format((Decimal(stored) * 100).normalize(), 'f')}%"
    except InvalidOperation:
        return None


def percent_styles(zf: zipfile.ZipFile) -> frozenset[int]:
    """Indexes of the workbook's cell formats (``s="N"`` on a cell) that show a percentage."""
    if "xl/styles.xml" not in zf.NameToInfo:
        return frozenset()
    xml = zf.read("xl/styles.xml")
    custom = {int(i) for i, code in _NUMFMT.findall(xml) if is_percent_code(code.decode("utf-8", "replace"))}
    block = _CELLXFS.search(xml)
    if block is None:
        return frozenset()
    out = set()
    for index, attrs in enumerate(_XF.findall(block.group(1))):
        fmt = _XF_NUMFMT.search(attrs)
        if fmt is not None and int(fmt.group(1)) in BUILTIN_PERCENT | custom:
            out.add(index)
    return frozenset(out)


def percent_cells(zf: zipfile.ZipFile, part: str, styles: frozenset[int]) -> list[tuple[int, int, str, str]]:
    """(row, column, stored value, value as shown with ``%``) of every numeric cell of the sheet
    part whose format is one of ``styles``; columns are numbered from 1 (A)."""
    if not styles:
        return []
    xml = zf.read(part)
    out = []
    for m in _CELL.finditer(xml):
        attrs, body = m.group(1), m.group(2)
        style = _STYLE.search(attrs)
        if not body or style is None or int(style.group(1)) not in styles:
            continue
        kind = _TYPE.search(attrs)
        value = _VALUE.search(body)
        ref = _REF.search(attrs)
        if value is None or ref is None or (kind is not None and kind.group(1) != b"n"):
            continue
        stored = value.group(1).decode("ascii", "replace").strip()
        shown = as_shown(stored)
        if shown is not None:
            out.append((int(ref.group(2)), column_number(ref.group(1)), stored, shown))
    return out


def show_percents(frame: pl.DataFrame, cells: list[tuple[int, int, str, str]], first_row: int, first_column: int, where: tuple[str, str]) -> pl.DataFrame:
    """``frame`` (the sheet as calamine read it, from row ``first_row`` and column ``first_column``)
    with each percent-formatted cell's text as Excel shows it. A cell that cannot be found where
    the XML puts it is refused by its reference: a percentage read as a plain number is 100 × off."""
    placed: dict[int, tuple[list[int], list[str]]] = {}
    lost = []
    for row, column, stored, shown in cells:
        i, j = row - first_row, column - first_column
        here = frame[i, j] if 0 <= i < frame.height and 0 <= j < frame.width else None
        if here is None or not _same_number(here, stored):
            lost.append((row, column, shown))
            continue
        rows, texts = placed.setdefault(j, ([], []))
        rows.append(i)
        texts.append(shown)
    if lost:
        raise _unplaced(lost, *where)
    for j, (rows, texts) in placed.items():
        name = frame.columns[j]
        frame = frame.with_columns(frame[name].clone().scatter(rows, texts))
    return frame


def _same_number(cell: object, stored: str) -> bool:
    try:
        return float(str(cell)) == float(stored)
    except ValueError:
        return False


def _unplaced(cells: list[tuple[int, int, str]], path: str, sheet: str) -> BomauditError:
    hint = "give the cells a number format (not a percentage) and write the percentage as a number, or save the sheet as CSV"
    problems = [
        Problem(
            "percent-cell", f"cell {column_letters(c)}{r} is formatted as a percentage ({shown}) and could not be read as one", hint, Location(path, sheet, r)
        )
        for r, c, shown in cells[:MAX_LISTED]
    ]
    if len(cells) > MAX_LISTED:
        problems.append(Problem("percent-cell", f"{len(cells) - MAX_LISTED} more cells like these", hint, Location(path, sheet)))
    return BomauditError(problems)
