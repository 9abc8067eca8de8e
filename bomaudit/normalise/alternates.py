"""Alternates named in a column (an AML: ``Alt MPN``, ``Second source``, ``替代料``): the line is
built with its part or with any part the cell names (several split at ``;`` or ``,``). Each
becomes a line of its own, with the line's parent, quantity and row, and the group of the line's
row, so that the roll-up counts one of them (:mod:`bomaudit.rollup.alternates`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bomaudit.errors import listed
from bomaudit.normalise.context import text

if TYPE_CHECKING:
    import polars as pl

    from bomaudit.normalise.columns import Columns
    from bomaudit.normalise.context import TableContext


def alternate_lines(t: TableContext, cols: Columns, edges: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame] | None:
    """(the alternates' edges, in the edges' columns; ``_row``, ``group`` of every line in a group),
    or None when the table has no alternate column or it is empty on every line used."""
    import polars as pl

    header = cols.fields.get("alternate")
    if header is None or edges.height == 0:
        return None
    from bomaudit.load import ROW

    cells = pl.DataFrame({"_row": t.frame[ROW], "alt": text(t.frame, header)}).drop_nulls("alt")
    named = cells.with_columns(pl.col("alt").str.replace_all(r"\s*[;,]\s*", ";").str.split(";")).explode("alt")
    named = named.with_columns(pl.col("alt").str.strip_chars().str.replace_all(r"\s+", " ")).filter(pl.col("alt") != "")
    extra = edges.join(named, on="_row", how="inner").filter(pl.col("alt") != pl.col("child"))
    if extra.height == 0:
        return None
    extra = extra.with_columns(child=pl.col("alt")).drop("alt").select(edges.columns)
    rows = sorted(set(extra["_row"].to_list()))
    t.issues.warn(
        "alternate-column",
        f"column {header!r} names alternates of the line's part on row(s) {listed(rows)}: each is read as a line of the group, and one counted (--alternates)",
        "leave the cell empty if the part has no second source",
        **t.where(row=rows[0], column=header),
    )
    groups = pl.DataFrame({"_row": rows, "group": rows}, schema={"_row": pl.Int64, "group": pl.Int64})
    return extra, groups
