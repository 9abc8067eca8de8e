"""Which rows are parts: part-number text, placeholders, footers, do-not-populate, effectivity."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bomaudit.errors import listed
from bomaudit.fields import FALSE_WORDS, FOOTER_LABEL
from bomaudit.load import ROW
from bomaudit.normalise.context import text
from bomaudit.normalise.model import MAX_SKIPPED, SkippedRow
from bomaudit.parse import constant, parse_dates

if TYPE_CHECKING:
    import polars as pl

    from bomaudit.normalise.columns import Columns
    from bomaudit.normalise.context import TableContext

#: cells that stand for "no part number" in exports; never one SKU shared by unrelated parts
PLACEHOLDER_SKUS = frozenset({"n/a", "na", "-", "--", "~", "none", "tbd", "?", "#n/a"})
#: a footer or metadata line: a total label ("Total", "Subtotal: 12"), or a first cell ending in a colon ("BoM Date:")
FOOTER = FOOTER_LABEL + r"|:\s*$"
PLACEHOLDER = "(?i)^(?:" + "|".join(re.escape(p) for p in sorted(PLACEHOLDER_SKUS)) + ")$"


@dataclass(slots=True)
class RowClasses:
    """What each row of a table is: Series with one value per row (Boolean unless said)."""

    sku: pl.Series  # String: the part number; null when blank or a placeholder
    footer: pl.Series  # a total or metadata line
    no_sku: pl.Series  # no part number (and not a footer)
    dnp: pl.Series | None  # marked do-not-populate (and neither of the above); None without a DNP column
    keep: pl.Series  # a part: none of footer, no_sku, dnp
    in_force: pl.Series  # in effect on the as-of date (rows without dates, or with unreadable ones, are)
    out_of_force: pl.Series  # a part, but not in effect
    used: pl.Series  # a part in effect: keep & in_force


def check_not_empty(t: TableContext) -> None:
    raw = t.raw
    if raw.frame.height == 0:
        t.issues.error(
            "no-rows",
            "has a header but no data rows" if raw.header_row else "has no rows",
            "export the BOM again with its lines",
            **t.where(row=raw.header_row),
        )


def sku_text(s: pl.Series) -> pl.Series:
    """SKU cells as text; integers read from typed files lose no precision."""
    import polars as pl

    if s.dtype.is_float():
        whole = (s == s.round(0)).fill_null(False)
        as_int = s.cast(pl.Int64, strict=False).cast(pl.String)
        return pl.select(pl.when(whole).then(as_int).otherwise(s.cast(pl.String))).to_series()
    return s.cast(pl.String).str.strip_chars()


def classify_rows(t: TableContext, cols: Columns) -> RowClasses:
    """Which rows are parts and in effect; warns about the rows skipped (the table has a sku column)."""
    import polars as pl

    f = cols.fields
    frame = t.frame
    keep = constant(True, frame.height, pl.Boolean)
    sku = sku_text(frame[f["sku"]])
    # placeholders by an anchored case-blind pattern: no lower-cased copy of every cell
    placeholder = sku.str.contains(PLACEHOLDER)
    sku = pl.select(pl.when((sku == "") | placeholder).then(None).otherwise(sku)).to_series()

    # rows that are not parts: blank part number, footers ("Total", "key:,value"), DNP
    footer = sku.str.contains(FOOTER).fill_null(False)
    skip_rows(t, footer, "footer", "footer or metadata, not a part: skipped")
    keep &= ~footer
    no_sku = sku.is_null() & keep
    skip_rows(t, no_sku, "no-sku", f"no value in {f['sku']!r}: skipped")
    keep &= ~no_sku
    dnp = None
    if "dnp" in f:
        dnp_text = text(frame, f["dnp"]).str.to_lowercase()
        dnp = (dnp_text.is_not_null() & ~dnp_text.is_in(list(FALSE_WORDS))).fill_null(False) & keep
        skip_rows(t, dnp, "dnp", "marked do-not-populate: left out")
        keep &= ~dnp
    in_force = _in_force(t, f, keep)
    return RowClasses(sku, footer, no_sku, dnp, keep, in_force, keep & ~in_force, keep & in_force)


def _in_force(t: TableContext, f: dict[str, str], keep: pl.Series) -> pl.Series:
    """Effectivity: in effect on the as-of date by the valid_from and valid_to columns."""
    import polars as pl

    in_force = constant(True, t.frame.height, pl.Boolean)
    for fld, cmp in (("valid_from", "from"), ("valid_to", "to")):
        if fld in f:
            dates, bad = parse_dates(t.frame[f[fld]])
            t.report_bad(bad & keep, f[fld], "bad-date", "date not understood", "write it as YYYY-MM-DD")
            if cmp == "from":
                in_force &= (dates <= t.options.as_of).fill_null(True)
            else:
                in_force &= (dates >= t.options.as_of).fill_null(True)
    return in_force


def skip_rows(t: TableContext, mask: pl.Series, code: str, what: str) -> None:
    """Warn about rows left out, naming those with any content (blank lines go without saying)."""
    if not mask.any():
        return
    rows = t.frame.filter(mask & t.raw.row_has_content())[ROW].to_list()
    if not rows:
        return
    if len(rows) == 1:
        t.issues.warn(code, what, **t.where(row=rows[0]))
        return
    t.issues.warn(code, f"rows {listed(rows)}: {what}", **t.where())


def skipped_rows(t: TableContext, rows: RowClasses) -> list[SkippedRow]:
    """The rows read but not used, in row order, at most MAX_SKIPPED, each with the code of why."""
    import polars as pl

    n = t.frame.height
    picked = (
        pl.DataFrame(
            {
                "row": t.frame[ROW],
                "footer": rows.footer,
                "no_sku": rows.no_sku,
                "dnp": rows.dnp if rows.dnp is not None else constant(False, n, pl.Boolean),
                "used": rows.used,
            }
        )
        .filter(~pl.col("used"))
        .head(MAX_SKIPPED)
    )
    return [
        SkippedRow(row, "footer" if footer else "no-sku" if no_sku else "dnp" if dnp else "not-in-force")
        for row, footer, no_sku, dnp in picked.select("row", "footer", "no_sku", "dnp").iter_rows()
    ]


def all_skipped(t: TableContext) -> list[SkippedRow]:
    """A table without a part-number column uses none of its rows: each counts as having no part number."""
    return [SkippedRow(row, "no-sku") for row in t.frame[ROW].head(MAX_SKIPPED).to_list()]


def warn_not_in_force(t: TableContext, rows: RowClasses) -> None:
    if rows.out_of_force.any():
        t.issues.warn(
            "not-in-force",
            f"{int(rows.out_of_force.sum())} row(s) not in effect on {t.options.as_of.isoformat()} left out (valid_from/valid_to)",
            **t.where(),
        )
