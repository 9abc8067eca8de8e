"""One part number on several lines of a flat BOM that do not agree: two parts, not one.

Hand-made lists reuse a name for different parts (``Screw`` at $5.69 and at $6.59; two inductors
sharing a part number with different descriptions). Merging them would add their quantities
under one part and then refuse the conflict; reading them as one would be wrong either way. A
line whose attributes (description, mass, price, composition, origin…) differ from those of the
first line with its part number becomes a part of its own, ``<part> (row N)``, with a warning
naming both rows; lines that agree stay one part and their quantities are added, as before.
Multi-level BOMs and parts files keep the conflict error: there a part number names one part.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bomaudit.errors import MAX_LISTED, listed
from bomaudit.load import ROW
from bomaudit.normalise.context import text

if TYPE_CHECKING:
    from bomaudit.normalise.columns import Columns
    from bomaudit.normalise.context import TableContext
    from bomaudit.normalise.rows import RowClasses

#: fields whose cells say what a part is, compared between lines sharing a part number
ATTRIBUTE_FIELDS = ("description", "value", "mass", "unit_value", "cn_re_value", "re_origin", "cn_tech", "category", "end_use", "mass_unit")


#: share of part-number cells that are part codes for the parts to count as named by them
CODED = 0.8


def _part_codes(t: TableContext, header: str) -> bool:
    """Whether the part-number column holds manufacturer part codes (``GRM155R71C104KA88D``) under
    a header naming a part number or none at all (``Field2``): then a line's value is the
    schematic's label of that part (``LED1`` and ``USBLED1``, ``475`` for a 470 Ω resistor), not
    another part, and is not compared (it is no attribute of the part). Under a name header
    (EAGLE's ``Device``: ``R-US_M0805`` at 10k and at 1k) the value tells parts apart."""
    from bomaudit.fields import CELL_CODE
    from bomaudit.normalise.identify import tier_of

    if tier_of(header) == 1:
        return False
    values = [str(v).strip() for v in t.frame[header].head(2000).to_list() if v is not None and str(v).strip()]
    return bool(values) and sum(bool(CELL_CODE.match(v)) for v in values) >= CODED * len(values)


def split_disagreeing(t: TableContext, cols: Columns, rows: RowClasses) -> None:
    """Give each line of a flat BOM whose attributes differ from the first line with its part
    number a part number of its own (``rows.sku`` is changed in place), with one warning."""
    import polars as pl

    if "parent" in cols.fields or "level" in cols.fields:
        return
    compared = [fld for fld in ATTRIBUTE_FIELDS if fld != "value" or not _part_codes(t, cols.fields["sku"])]
    headers = [h for fld in compared for h in cols.headers_for(fld)] + [h for h, _, _ in cols.elements]
    # text and number columns only: a typed Parquet column of dates or durations is refused elsewhere
    headers = [h for h in headers if h in t.frame.columns and (t.frame[h].dtype in (pl.String, pl.Boolean) or t.frame[h].dtype.is_numeric())]
    if not headers:
        return
    cells = pl.DataFrame(
        {
            "sku": rows.sku,
            "row": t.frame[ROW],
            "line": rows.keep & ~rows.synthetic & rows.sku.is_not_null(),
            "what": pl.select(pl.concat_str([text(t.frame, h).fill_null("") for h in headers], separator="\x1f")).to_series(),
        }
    )
    first = cells.filter("line").group_by("sku", maintain_order=True).agg(pl.col("what").first().alias("first_what"), pl.col("row").first().alias("first_row"))
    marked = cells.join(first, on="sku", how="left", maintain_order="left")
    differs = (marked["line"] & (marked["what"] != marked["first_what"])).fill_null(False)
    if not differs.any():
        return
    renamed = marked.select(pl.concat_str([pl.col("sku"), pl.lit(" (row "), pl.col("row").cast(pl.String), pl.lit(")")])).to_series()
    rows.sku = pl.select(pl.when(differs).then(renamed).otherwise(marked["sku"])).to_series().alias(rows.sku.name)
    split = marked.filter(differs)
    example = split.row(0, named=True)
    t.issues.warn(
        "split-sku",
        f"row(s) {listed(split['row'].to_list(), MAX_LISTED)} repeat a part number of an earlier row with other attributes "
        f"(e.g. {example['sku']!r} on rows {example['first_row']} and {example['row']}): read as separate parts named '<part> (row N)'",
        "give different parts different part numbers, or make the rows agree",
        **t.where(row=example["row"], column=cols.fields["sku"]),
    )
