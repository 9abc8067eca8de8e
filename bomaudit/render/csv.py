"""CSV: one row per SKU with the scalar fields (lists joined with ``; ``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bomaudit.render.fields import FLAT_FIELDS, SkuField
from bomaudit.render.safe import FORMULA_START

if TYPE_CHECKING:
    from bomaudit.audit import Audit
    from bomaudit.render.interface import View


def render_csv(result: Audit, view: View) -> str:
    import polars as pl

    del view

    def column(f: SkuField) -> pl.Expr:
        col = pl.col(f.source)
        if f.kind == "list":
            return col.list.join("; ").alias(f.key)
        if f.kind == "contributors":
            return col.list.eval(pl.element().struct.field("sku")).list.join("; ").fill_null("").alias(f.key)
        return col.alias(f.key)

    frame = result.skus.select([column(f) for f in FLAT_FIELDS])
    text_cols = [c for c, t in frame.schema.items() if t == pl.String]
    pattern = "^[" + "".join("\\" + c if c in "-+" else c for c in FORMULA_START) + "]"
    frame = frame.with_columns([pl.when(pl.col(c).str.contains(pattern)).then("'" + pl.col(c)).otherwise(pl.col(c)).alias(c) for c in text_cols])
    return frame.write_csv(float_precision=None)
