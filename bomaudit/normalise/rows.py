"""Which rows are parts: part-number text, placeholders, footers, do-not-populate, effectivity."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from bomaudit.errors import listed
from bomaudit.fields import FOOTER_LABEL
from bomaudit.load import ROW

if TYPE_CHECKING:
    import polars as pl

    from bomaudit.normalise.context import TableContext

#: cells that stand for "no part number" in exports; never one SKU shared by unrelated parts
PLACEHOLDER_SKUS = frozenset({"n/a", "na", "-", "--", "~", "none", "tbd", "?", "#n/a"})
#: a footer or metadata line: a total label ("Total", "Subtotal: 12"), or a first cell ending in a colon ("BoM Date:")
FOOTER = FOOTER_LABEL + r"|:\s*$"
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
    if not mask.any():
        return
    rows = t.frame.filter(mask & t.raw.row_has_content())[ROW].to_list()
    if not rows:
        return
    if len(rows) == 1:
        t.issues.warn(code, what, **t.where(row=rows[0]))
        return
    t.issues.warn(code, f"rows {listed(rows)}: {what}", **t.where())
