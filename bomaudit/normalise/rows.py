"""Which rows are parts: part-number text, placeholders, footers, do-not-populate, effectivity."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from bomaudit.load import CONTENT, ROW
from bomaudit.normalise.context import MAX_LISTED

if TYPE_CHECKING:
    import polars as pl

    from bomaudit.normalise.context import TableContext

#: cells that stand for "no part number" in exports; never one SKU shared by unrelated parts
PLACEHOLDER_SKUS = frozenset({"n/a", "na", "-", "--", "~", "none", "tbd", "?", "#n/a"})
FOOTER = r"(?i)^\s*(total|totals|grand total|sum|subtotal|sub-total)\b|:\s*$"
PLACEHOLDER = "(?i)^(?:" + "|".join(re.escape(p) for p in sorted(PLACEHOLDER_SKUS)) + ")$"


def sku_text(s: pl.Series) -> pl.Series:
    """SKU cells as text; integers read from typed files lose no precision."""
    import polars as pl

    if s.dtype.is_float():
        whole = (s == s.round(0)).fill_null(False)
        as_int = s.cast(pl.Int64, strict=False).cast(pl.String)
        return pl.select(pl.when(whole).then(as_int).otherwise(s.cast(pl.String))).to_series()
    return s.cast(pl.String).str.strip_chars()


def skip_rows(t: TableContext, mask: pl.Series, code: str, what: str) -> None:
    import polars as pl

    if not mask.any():
        return
    values = [c for c in t.frame.columns if c != ROW]
    if CONTENT in values:  # read lazily: the reader looked at the columns not read
        has_content = t.frame[CONTENT]
    else:
        has_content = t.frame.select(pl.any_horizontal([pl.col(c).is_not_null() for c in values])).to_series() if values else mask
    rows = t.frame.filter(mask & has_content)[ROW].to_list()
    if not rows:
        return
    if len(rows) == 1:
        t.issues.warn(code, what, **t.where(row=rows[0]))
        return
    listed = ", ".join(map(str, rows[:MAX_LISTED])) + (f" and {len(rows) - MAX_LISTED} more" if len(rows) > MAX_LISTED else "")
    t.issues.warn(code, f"rows {listed}: {what}", **t.where())
