"""XLSX cells that hold an error value (``#DIV/0!``, ``#N/A``…), which calamine reads as empty.

Left empty, a ``#DIV/0!`` quantity would count as 1 and a ``#N/A`` mass as unknown. The sheet's
XML says which cells are errors (``<c r="B7" t="e"><v>#DIV/0!</v></c>``); their text is put back
into the sheet as calamine read it, so that they are refused like the same text in a CSV (see
``cleanup.check_cells``). The XML is read in full only when a quick pass finds an error cell.
"""

from __future__ import annotations

import copy
import html
import io
import re
import zipfile
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bomaudit.errors import MAX_LISTED, BomauditError, Location, Problem

if TYPE_CHECKING:
    import polars as pl

#: a cell element, self-closing or with its content (group 1: attributes, group 2: content)
_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_REF = re.compile(rb"""\br\s*=\s*["']([A-Z]+)(\d+)["']""")
_ERROR_TYPE = re.compile(rb"""\bt\s*=\s*["']e["']""")
_VALUE = re.compile(rb"<(?:\w+:)?v>(.*?)</(?:\w+:)?v>", re.S)
_HINT = "fix the formula or enter the value"


@dataclass(frozen=True, slots=True)
class ErrorCells:
    """The error cells of a sheet, and the extent of its cells holding values (calamine's range)."""

    #: (row, column, error text); columns are numbered from 1 (A)
    cells: list[tuple[int, int, str]]
    first_row: int
    first_column: int
    last_column: int
    last_row: int
    #: cells holding a value
    count: int
    #: every cell holding a value had a position (``r="B7"``); if not, the range is not known
    positioned: bool


def holds_error_cell(xml: bytes) -> bool:
    """Whether this stretch of sheet XML has a cell of type ``e`` (the guard asks it of every block
    it inflates, so the sheet is never inflated again just to know)."""
    # the literal tests are memchr-fast; the pattern runs only where "e" is quoted
    return (b'"e"' in xml or b"'e'" in xml) and _ERROR_TYPE.search(xml) is not None


def error_cells(zf: zipfile.ZipFile, part: str) -> ErrorCells:
    """Every error cell of the sheet part, with the extent and number of the cells that hold a value."""
    xml = zf.read(part)
    cells: list[tuple[int, int, str]] = []
    rows: list[int] = []
    columns: list[int] = []
    positioned = True
    for m in _CELL.finditer(xml):
        attrs, body = m.group(1), m.group(2)
        if not body or (b"<v" not in body and b"<is" not in body):
            continue  # styled but empty, or a formula without a cached value: calamine skips these
        ref = _REF.search(attrs)
        if ref is None:
            positioned = False
            continue
        row, column = int(ref.group(2)), column_number(ref.group(1))
        rows.append(row)
        columns.append(column)
        if _ERROR_TYPE.search(attrs):
            value = _VALUE.search(body)
            text = html.unescape(value.group(1).decode("utf-8", "replace")).strip() if value else ""
            cells.append((row, column, text or "#N/A"))
    if not rows:
        return ErrorCells(cells, 1, 1, 0, 0, 0, positioned)
    return ErrorCells(cells, min(rows), min(columns), max(columns), max(rows), len(rows), positioned)


def put_back_errors(frame: pl.DataFrame, found: ErrorCells, first_row: int, path: str, sheet: str) -> pl.DataFrame:
    """``frame`` (the sheet as calamine read it, starting at row ``first_row``) with the error cells'
    text in place of the empty cells calamine gave. When the cells cannot be placed with certainty
    (the sheet's extent is not what calamine's frame shows), every error cell is an error, named by
    its cell reference: refusing is safer than placing an error in the wrong cell."""
    placed: dict[int, tuple[list[int], list[str]]] = {}
    certain = found.positioned and found.first_row == first_row and frame.width == found.last_column - found.first_column + 1
    for row, column, text in found.cells:
        i, j = row - found.first_row, column - found.first_column
        if not certain or not (0 <= i < frame.height and 0 <= j < frame.width) or frame[i, j] is not None:
            raise _unplaced(found, path, sheet)
        rows, texts = placed.setdefault(j, ([], []))
        rows.append(i)
        texts.append(text)
    for j, (rows, texts) in placed.items():
        name = frame.columns[j]
        frame = frame.with_columns(frame[name].clone().scatter(rows, texts))
    return frame


#: the error values calamine reads (as empty cells); a sheet holding any other fails to load
CALAMINE_ERRORS = frozenset({"#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!"})
_ERROR_VALUE_CELL = re.compile(rb"""(<(?:\w+:)?c\b[^>]*?\bt\s*=\s*["']e["'][^>]*>.*?<(?:\w+:)?v>)(.*?)(</(?:\w+:)?v>)""", re.S)


def readable_by_calamine(zf: zipfile.ZipFile, part: str) -> bytes | None:
    """The workbook with the error values calamine does not know (``#SPILL!``, ``#CALC!``,
    ``#GETTING_DATA``…) in sheet ``part`` written as ``#N/A``, which it reads as an empty cell (the
    original text is put back afterwards from ``data``); None when the sheet has none."""
    xml = zf.read(part)
    changed = _ERROR_VALUE_CELL.sub(lambda m: m.group(0) if m.group(2).strip() in CALAMINE_ERRORS else m.group(1) + b"#N/A" + m.group(3), xml)
    if changed == xml:
        return None
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new:
        for info in zf.infolist():
            # writestr fills in the sizes and CRC of the ZipInfo it is given: a copy, so that the
            # workbook being read keeps its own
            new.writestr(copy.copy(info), changed if info.filename == part else zf.read(info))
    return out.getvalue()


def _unplaced(found: ErrorCells, path: str, sheet: str) -> BomauditError:
    problems = [
        Problem("spreadsheet-error", f"cell {column_letters(column)}{row} holds the spreadsheet error {text}", hint=_HINT, where=Location(path, sheet, row))
        for row, column, text in found.cells[:MAX_LISTED]
    ]
    if len(found.cells) > MAX_LISTED:
        problems.append(Problem("spreadsheet-error", f"{len(found.cells) - MAX_LISTED} more cells like these", hint=_HINT, where=Location(path, sheet)))
    return BomauditError(problems)


def column_number(letters: bytes) -> int:
    number = 0
    for c in letters:
        number = number * 26 + (c - 64)
    return number


def column_letters(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
