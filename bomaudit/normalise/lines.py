"""An empty result is not a clear: BOM tables whose lines are all lost are errors, not empty products.

Per BOM table: no line with a part number at all, while lines carry data, means the part-number
column is the wrong one (a FreeCAD export whose ``Part Number`` is blank on every row). Across
the run: no line of any BOM table used, or no line under the top items while lines were left out
(all DNP, all out of effect), means there is nothing to audit; saying ``clear`` for it would be a
false clear.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import TYPE_CHECKING

from bomaudit.fields import interpret_header
from bomaudit.normalise.columns import likely_sku_header
from bomaudit.normalise.context import text

if TYPE_CHECKING:
    import polars as pl

    from bomaudit.errors import Collector
    from bomaudit.normalise.columns import Columns
    from bomaudit.normalise.context import TableContext
    from bomaudit.normalise.model import NormaliseOptions, TableInfo
    from bomaudit.normalise.rows import RowClasses


@dataclass(frozen=True, slots=True)
class LineCounts:
    """What became of a BOM table's lines (rows with content that are not footers)."""

    lines: int
    used: int
    dnp: int
    not_in_force: int
    no_sku: int


def line_counts(t: TableContext, rows: RowClasses) -> LineCounts:
    lines = t.raw.row_has_content() & ~rows.footer
    return LineCounts(
        lines=int(lines.sum()),
        used=int(rows.used.sum()),
        dnp=int((rows.dnp & lines).sum()) if rows.dnp is not None else 0,
        not_in_force=int((rows.out_of_force & lines).sum()),
        no_sku=int((rows.no_sku & lines).sum()),
    )


def check_part_numbers(t: TableContext, cols: Columns, rows: RowClasses) -> None:
    """A BOM table none of whose lines has a part number, though lines carry data: an error naming a better column."""
    if not rows.synthetic.any() or (rows.sku.is_not_null() & ~rows.synthetic & ~rows.footer).any():
        return
    header = cols.fields["sku"]
    n = int(rows.synthetic.sum())
    t.issues.error(
        "no-part-numbers",
        f"no line has a value in {header!r}, though {n} line(s) carry data: nothing could be traced to a part",
        f'name the column that identifies the parts with --map sku="{sku_candidate(t, cols, rows.synthetic)}"',
        **t.where(row=t.raw.header_row, column=header),
    )


def sku_candidate(t: TableContext, cols: Columns, lines: pl.Series) -> str:
    """The column most likely to identify parts: another part-number-like column with values on
    ``lines`` (the most distinct), else the description, else the first column bomaudit does not
    recognise (not a line counter). Judged on the columns every reader reads and on header names,
    so the hint is the same however the file was read."""
    chosen = cols.fields["sku"]

    def distinct(h: str) -> int:
        return text(t.frame.filter(lines), h).drop_nulls().n_unique()

    for wanted in ("sku", "description"):
        found = [h for h in cols.data if h != chosen and (m := interpret_header(h)) is not None and m.field == wanted and distinct(h)]
        if found:
            return max(found, key=distinct)
    return likely_sku_header([h for h in t.raw.headers if interpret_header(h) is None], frozenset(cols.data)) or "HEADER"


def check_lines_used(tables: list[tuple[TableInfo, LineCounts]], has_edges: bool, options: NormaliseOptions, issues: Collector) -> None:
    """No BOM line used, or none under the top items while lines were left out: an error saying why
    and what would read them (a product with nothing in it would otherwise come out clear)."""
    if not tables:
        return
    total = LineCounts(*(sum(getattr(c, f.name) for _, c in tables) for f in fields(LineCounts)))
    where = {"file": tables[0][0].path, "sheet": tables[0][0].sheet} if len(tables) == 1 else {}
    why, hints = _reasons(total, options)
    if not total.used:
        issues.error(
            "no-product",
            f"the BOM gives no product: none of its {total.lines} line(s) is used ({why})" if total.lines else "the BOM gives no product: it has no lines",
            hints if total.lines else "export the BOM again with its lines",
            **where,
        )
    elif not has_edges and total.dnp + total.not_in_force + total.no_sku:
        issues.error(
            "no-line-used",
            f"no line under the BOM's top item(s) is used ({why}): an empty product is not a clear",
            hints,
            **where,
        )


def _reasons(total: LineCounts, options: NormaliseOptions) -> tuple[str, str]:
    why: list[str] = []
    hints: list[str] = []
    if total.dnp:
        why.append(f"{total.dnp} marked do-not-populate")
        hints.append("clear the DNP marks, or pass --map dnp= to read every line")
    if total.not_in_force:
        why.append(f"{total.not_in_force} not in effect on {options.as_of.isoformat()}")
        hints.append("pass --as-of with a date the lines are in effect on")
    if total.no_sku:
        why.append(f"{total.no_sku} without a part number")
        hints.append("name the part-number column with --map sku=HEADER")
    return ", ".join(why) or "every row is blank, a footer or metadata", "; ".join(hints) or "export the BOM again with its lines"
