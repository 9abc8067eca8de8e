"""A second table under the first in one CSV: a new header row below the first table's lines.

Exports sometimes hold two tables one under the other (a parts list, a blank line or a title such
as "Mechanical parts", then ``Part Number,Description,Qty`` again with other columns; a KiCad BOM
and its "Summary"). A row below the header is a second table's header when none of its cells is a
number, at least two of them and at least half are column names (a field's synonym, a name
column, or a common header: ``Notes``, ``Supplier``, ``Tool``…) and it is not the first header
written again (that is a repeated header, skipped by ``normalise``). Then:

* a table naming a part number (or a quantity and a name column) is a BOM of its own: it is read
  as another table of the same file, its lines more lines of the same product (a flat table's
  parent is the file's assembly either way), with a warning saying whether its columns are the
  first table's;
* a table with no column that names or counts parts (``Tool,Notes``, a summary) is not part of
  the BOM: its rows are not read, with a warning naming them, when a blank row or a title sets it
  apart; without that evidence, or when its columns count something (a quantity, a mass, a
  rare-earth content) but nothing names its parts, it is refused, naming its row: its lines could
  be in the product.

The title rows just above a second header (rows of one cell) belong to the table below them.
Candidates are found by exact comparisons, one ``is_in`` per text column, so a million-line table
costs milliseconds; only rows that pass are looked at cell by cell.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from bomaudit.errors import BomauditError, Location, Problem, warning
from bomaudit.fields import COMMON_HEADERS, ELEMENTS, NAME_HEADERS, SYNONYMS, interpret_header, norm_header
from bomaudit.load.header import unique_headers
from bomaudit.load.interface import ROW

if TYPE_CHECKING:
    import polars as pl

#: rows checked one by one at most: past that, the table is one list with header words in it
MAX_CANDIDATES = 200
_COMMON = frozenset(norm_header(h) for h in (*COMMON_HEADERS, *NAME_HEADERS))
_NUMBER = re.compile(r"^[-+]?[$€£¥]?\s*\d[\d.,]*\s*\S{0,4}$")
#: fields that count or weigh a table's lines: without a column naming its parts, whether its
#: lines are in the product cannot be told
_COUNTING = frozenset({"qty", "qty_total", "mass", "element", "designator", "level", "parent"})
_NAMING = frozenset({"description", "value"})


@cache
def _spellings() -> tuple[str, ...]:
    names = {s for names in SYNONYMS.values() for s in names} | set(COMMON_HEADERS) | set(NAME_HEADERS)
    names |= {f"{e.symbol}{sep}{u}" for e in ELEMENTS for sep in ("_", " ", " (") for u in ("pct", "%", "g", "ppm", "mg", "%)", "g)")}
    names |= {"mass_g", "mass (g)", "weight (g)", "weight_g", "mass g", "weight (kg)", "mass (kg)"}
    out: set[str] = set()
    for s in names:
        out |= {s, s.upper(), s.title(), s.capitalize(), s.replace(" ", "_"), s.upper().replace(" ", "_")}
    return tuple(sorted(out))


@dataclass(slots=True)
class Piece:
    """One table of the file: its rows (columns named after its header), header row and title rows."""

    frame: pl.DataFrame
    header_row: int | None
    above: list[tuple[int, list[str]]]


def split_tables(table: pl.DataFrame, first_header: list[str], path: str, sheet: str | None) -> tuple[list[Piece], list[Problem]]:
    """``table`` (data rows under the first header, blank rows dropped) cut at each second header."""
    import polars as pl

    values = [c for c in table.columns if c != ROW and table[c].dtype == pl.String]
    if len(values) < 2 or table.height < 2:
        return [Piece(table, None, [])], []
    hits = header_words(table, values)
    if not hits.any():
        return [Piece(table, None, [])], []
    at = hits.arg_true().head(MAX_CANDIDATES).to_list()
    heads = [i for i in at if _is_header(_cells(table, i), table.columns)]
    if not heads:
        return [Piece(table, None, [])], []
    return _cut(table, heads, first_header, path, sheet)


def header_words(table: pl.DataFrame, columns: list[str]) -> pl.Series:
    """Per row: whether two cells of ``columns`` at least are written like column names, exactly
    (the first test of a second table's header: one ``is_in`` per column)."""
    import polars as pl

    spellings = pl.Series(list(_spellings()), dtype=pl.String).implode()
    return table.select(pl.sum_horizontal([pl.col(c).is_in(spellings).cast(pl.Int32) for c in columns]) >= 2).to_series()


def _cells(table: pl.DataFrame, i: int) -> list[str | None]:
    return [None if v is None or not str(v).strip() else " ".join(str(v).split()) for c, v in zip(table.columns, table.row(i), strict=True) if c != ROW]


def _is_header(cells: list[str | None], names: list[str]) -> bool:
    filled = [c for c in cells if c is not None]
    if len(filled) < 2 or any(_NUMBER.match(c) for c in filled):
        return False
    known = [norm_header(c) for c in filled if interpret_header(c) is not None or norm_header(c) in _COMMON]
    # two different names at least ('C117, DNP, DNP' is a line not fitted)
    if len(set(known)) < 2 or 2 * len(known) < len(filled):
        return False
    # the first header written again (in any case) is a repeated header: normalise skips it
    own = [norm_header(c) == norm_header(n) for c, n in zip(cells, [n for n in names if n != ROW], strict=True) if c is not None]
    return not all(own)


def _cut(table: pl.DataFrame, heads: list[int], first_header: list[str], path: str, sheet: str | None) -> tuple[list[Piece], list[Problem]]:
    rows = table[ROW].to_list()
    pieces: list[Piece] = []
    problems: list[Problem] = []
    starts = [0, *heads]
    ends = [*heads, table.height]
    first_meanings = _meanings(first_header)
    titles_next: list[tuple[int, list[str]]] = []
    header_cells: list[str | None] | None = None
    for n, (start, end) in enumerate(zip(starts, ends, strict=True)):
        # title rows just above the next header belong to the next table
        cut = end
        while n + 1 < len(starts) and cut - 1 > start and sum(c is not None for c in _cells(table, cut - 1)) <= 1:
            cut -= 1
        titles = [(rows[i], [c for c in _cells(table, i) if c]) for i in range(cut, end)]
        body_start = start if n == 0 else start + 1
        body = table.slice(body_start, cut - body_start)
        if n == 0:
            pieces.append(Piece(body, None, []))
        else:
            assert header_cells is not None
            row = rows[start]
            gap = bool(titles_next) or (start > 0 and rows[start] - rows[start - 1] > 1)
            kept, problem = _classify(_Second(header_cells, row, body, titles_next, gap), first_meanings, path, sheet)
            problems.append(problem)
            if kept:
                names = unique_headers(list(header_cells))
                renamed = body.rename(dict(zip([c for c in body.columns if c != ROW], names, strict=True)))
                pieces.append(Piece(renamed, row, titles_next))
        titles_next = titles
        header_cells = _cells(table, end) if end < table.height else None
    return pieces, problems


def _meanings(cells: list[str | None]) -> set[tuple[str, str | None, str | None]]:
    out = set()
    for c in cells:
        m = interpret_header(c) if c else None
        if m is not None:
            out.add((m.field, m.element, m.unit))
    return out


@dataclass(slots=True)
class _Second:
    """A second table: its header's cells and row, its rows, the title rows above it, and whether a
    blank row or a title sets it apart from the lines above."""

    cells: list[str | None]
    row: int
    body: pl.DataFrame
    titles: list[tuple[int, list[str]]]
    gap: bool


def _classify(second: _Second, first: set[tuple[str, str | None, str | None]], path: str, sheet: str | None) -> tuple[bool, Problem]:
    """Whether the second table is read (a BOM) and the warning saying what it is; an error when it
    cannot be told whether its lines are in the product."""
    cells, row, body, titles, gap = second.cells, second.row, second.body, second.titles, second.gap
    meanings = _meanings(cells)
    fields = {m[0] for m in meanings}
    names = ", ".join(repr(c) for c in cells if c)
    where = Location(file=path, sheet=sheet, row=row)
    title = f" under the title {' '.join(titles[-1][1])!r}" if titles else ""
    lines = body[ROW].to_list()
    span = f"rows {lines[0]}–{lines[-1]}" if len(lines) > 1 else f"row {lines[0]}" if lines else "no rows"
    if "sku" in fields or (fields & {"qty", "designator"} and (fields & _NAMING or any(norm_header(c) in _COMMON for c in cells if c))):
        same = meanings == first
        what = "the same fields as the first" if same else "fields of its own"
        return True, warning(
            "second-table",
            f"a second table starts on this row{title} ({names}), with {what}: its lines ({span}) are read as more lines of the same product",
            hint="if they are not part of the product, delete that table or move it to a file of its own",
            where=where,
        )
    if fields & _COUNTING or not gap:
        why = "its columns count or weigh something" if fields & _COUNTING else "no blank row or title sets it apart from the lines above"
        raise BomauditError.at(
            "second-table",
            f"a second table seems to start on this row ({names}) with no column naming its parts, and {why}: cannot tell whether its lines are in the product",
            "give it a part-number column, move it to a file of its own, or delete it if it is not part of the BOM",
            file=path,
            sheet=sheet,
            row=row,
        )
    return False, warning(
        "second-table",
        f"a second table starts on this row{title} ({names}) with no column naming or counting parts: not part of the BOM, {span} not read",
        hint="if its lines are parts, give it a part-number column and a quantity column",
        where=where,
    )
