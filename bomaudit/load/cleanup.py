"""Clean-up every reader applies to its table: blank rows and columns, footers, header checks,
and cells that hold no value at all.

The text, Excel and lazy readers share these so that a file reads the same whichever reader
takes it: the same rows dropped, the same warnings, word for word.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING

from bomaudit.errors import MAX_LISTED, BomauditError, Location, Problem, listed, warning
from bomaudit.fields import FOOTER_LABEL
from bomaudit.load.header import SCAN_ROWS, renamed_headers, wanted_columns
from bomaudit.load.interface import INTERNAL, ROW, RawTable
from bomaudit.parse import ERROR_VALUE

if TYPE_CHECKING:
    import polars as pl

_FOOTER_LABEL = re.compile(FOOTER_LABEL)


# --- blanks -----------------------------------------------------------------------------


def blank(column: str) -> pl.Expr:
    """A cell with nothing in it: null, or only white space."""
    import polars as pl

    return pl.col(column).is_null() | (pl.col(column).str.strip_chars() == "")


def row_cells(columns: list[str]) -> tuple[pl.Expr, pl.Expr]:
    """Per row: how many of ``columns`` are not blank, and the first such cell, stripped."""
    import polars as pl

    return (
        pl.sum_horizontal([~blank(c) for c in columns]),
        pl.coalesce([pl.when(~blank(c)).then(pl.col(c).str.strip_chars()) for c in columns]),
    )


def drop_empty(table: pl.DataFrame) -> pl.DataFrame:
    """Drop data rows and unnamed columns that are entirely empty (trailing blanks of exports)."""
    import polars as pl

    values = [c for c in table.columns if c != ROW]
    if values:
        empty = table.select(pl.all_horizontal([blank(c) for c in values])).to_series()
        if empty.any():  # filtering copies every column: only when there is something to drop
            table = table.filter(~empty)
    keep = [c for c in values if not (c.startswith("column ") and table[c].null_count() == table.height)]
    return table.select([*keep, ROW])


# --- footers ----------------------------------------------------------------------------


def split_footer(table: pl.DataFrame, path: str, sheet: str | None) -> tuple[pl.DataFrame, list[Problem]]:
    """Drop the rows after the last part that are a footer: a ``Total`` line, or ``key:,value``
    metadata (KiBoM writes eleven such lines). Returns the table and a warning naming them."""
    values = [c for c in table.columns if c != ROW]
    if not values or table.height == 0:
        return table, []
    cut = footer_start(table, *row_cells(values), len(values))
    if cut == table.height:
        return table, []
    return table.head(cut), [footer_warning(table[ROW].to_list()[cut:], path, sheet)]


def footer_start(table: pl.DataFrame, cells: pl.Expr, first: pl.Expr, width: int) -> int:
    """Index of the first footer row of ``table``. ``cells`` and ``first`` give a row's number of
    non-blank cells and its first one (:func:`row_cells`); ``width`` is the table's columns. Rows
    are cut from the end while each is blank, a ``Total`` line or ``key:`` metadata, looking at
    only as many rows as needed."""
    size = 64
    while True:
        tail = table.tail(size).select(cells.alias("cells"), first.alias("first"))
        firsts, counts = tail["first"].to_list(), tail["cells"].to_list()
        cut = len(firsts)
        for index in range(len(firsts) - 1, -1, -1):
            first, count = firsts[index], counts[index]
            if count and first is not None:
                total = bool(_FOOTER_LABEL.match(first)) and count <= max(2, width // 2)
                meta = first.endswith(":") and count <= 2 and width > 2
                if not (total or meta):
                    break
            cut = index
        if cut > 0 or tail.height == table.height:
            return table.height - tail.height + cut
        size *= 16


def footer_warning(rows: list[int], path: str, sheet: str | None) -> Problem:
    """The warning for footer rows ``rows`` (row numbers as a person sees them) that were skipped."""
    return warning(
        "footer",
        (f"rows {listed(rows)}: " if len(rows) > 1 else "") + "footer or metadata, not a part: skipped",
        where=Location(file=path, sheet=sheet, row=rows[0]),
    )


# --- the header row ---------------------------------------------------------------------


def no_header_error(path: str, sheet: str | None, row: int) -> BomauditError:
    """The error for a would-be header row at ``row`` that holds data (see ``header.looks_like_data``)."""
    return BomauditError.at(
        "no-header-row",
        "the first row looks like data, not a header (numbers and dates, no column names)",
        "if the file has no header row, pass --no-header and name the columns by number, e.g. --map sku=3",
        file=path,
        sheet=sheet,
        row=row,
    )


def header_not_found(path: str, sheet: str | None) -> BomauditError:
    """The error for a table none of whose first rows is a header naming the part number, when the
    row that would be taken instead is a title or the rows below it are wider: the columns would be
    misread (a title above the real header, prose, a header further down)."""
    return BomauditError.at(
        "no-header-found",
        f"no header row with a part-number column found in the first {SCAN_ROWS} rows",
        "name the part-number column with --map sku=HEADER (the header must be within those rows), "
        "or pass --no-header and name the columns by number, e.g. --map sku=1",
        file=path,
        sheet=sheet,
    )


def header_warnings(cells: list[str | None], names: list[str], path: str, sheet: str | None, header_row: int | None) -> list[Problem]:
    """A warning for each repeated header that was renamed (``VALUE`` after ``Value``)."""
    return [
        warning(
            "duplicate-header",
            f"header {text!r} repeats an earlier one (case and punctuation ignored): its column is called {name!r}",
            hint=f"pass --map FIELD={name!r} to use it",
            where=Location(file=path, sheet=sheet, row=header_row, column=name),
        )
        for text, name in renamed_headers(cells, names)
    ]


# --- cells that hold no value -----------------------------------------------------------


def check_cells(table: RawTable, mapped: tuple[str, ...]) -> None:
    """Refuse the cells, in the columns normalise may use (recognised, or named by ``--map``), that
    hold no value of any kind: spreadsheet error values (``#DIV/0!``, ``#N/A``…, written as text or
    read from XLSX error cells), NaN and infinities in typed float columns, and list, struct or
    binary columns. Each problem names its row and column. A ``#N/A`` part number is refused too:
    it is a lookup that failed, not a row without a part."""
    frame = table.frame
    names = [c for c in frame.columns if c not in INTERNAL]
    problems: list[Problem] = []
    for i in wanted_columns(names, mapped):
        problems.extend(_cell_problems(frame, names[i], Location(file=table.path, sheet=table.sheet, column=names[i])))
    if problems:
        raise BomauditError(problems)


def _cell_problems(frame: pl.DataFrame, column: str, where: Location) -> list[Problem]:
    import polars as pl

    cells = frame[column]
    dtype = cells.dtype
    if dtype.is_nested() or dtype in (pl.Binary, pl.Object):
        kind = "structs" if dtype == pl.Struct else "binary data" if dtype in (pl.Binary, pl.Object) else "lists"
        hint = "export it with one number or text per cell"
        return [Problem("not-a-value", f"the column holds {kind} ({dtype}), not one value per cell", hint=hint, where=where)]
    if dtype.is_float():
        bad = ~cells.is_finite().fill_null(True)
        if not bad.any():
            return []
        hint = "enter the real value: NaN and infinity are not amounts"
        return _per_cell(frame.filter(bad), column, "not-finite", "cell holds {}, not a finite number", hint, where)
    if dtype == pl.String or dtype in (pl.Categorical, pl.Enum):
        text = cells.cast(pl.String)
        if not text.str.contains("#", literal=True).any():  # memchr-fast: almost every file stops here
            return []
        bad = text.str.strip_chars().str.contains(ERROR_VALUE).fill_null(False)
        if not bad.any():
            return []
        hint = "fix the formula or enter the value"
        found = frame.filter(bad).with_columns(pl.col(column).cast(pl.String).str.strip_chars())
        return _per_cell(found, column, "spreadsheet-error", "cell holds the spreadsheet error {}", hint, where)
    return []


def _per_cell(found: pl.DataFrame, column: str, code: str, message: str, hint: str, where: Location) -> list[Problem]:
    """One problem per row of ``found`` (``message`` formatted with the cell's value), up to MAX_LISTED."""
    out = [
        Problem(code, message.format(_shown(value)), hint=hint, where=Location(where.file, where.sheet, row, column))
        for row, value in found.select(ROW, column).head(MAX_LISTED).iter_rows()
    ]
    if found.height > MAX_LISTED:
        out.append(Problem(code, f"{found.height - MAX_LISTED} more cells like these in this column", hint=hint, where=where))
    return out


def _shown(value: object) -> str:
    if isinstance(value, float):
        return "NaN" if math.isnan(value) else "-inf" if value < 0 else "inf"
    return str(value)
