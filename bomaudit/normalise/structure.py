"""The BOM's structure: quantities per parent, edges from parent-child, indented and flat tables."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bomaudit.errors import MAX_LISTED, listed
from bomaudit.fields import COUNT_UNITS, MASS_UNITS
from bomaudit.load import ROW
from bomaudit.normalise.context import text
from bomaudit.parse import constant

if TYPE_CHECKING:
    import polars as pl

    from bomaudit.errors import Collector
    from bomaudit.normalise.context import TableContext


def quantities(t: TableContext, f: dict[str, str], live: pl.Series) -> tuple[pl.Series, pl.Series]:
    """Quantity per parent (grams for bulk lines) and the bulk flag."""
    import polars as pl

    n = t.frame.height
    if "qty" in f:
        parsed = t.numbers(f["qty"], "quantity", "write how many are used per assembly, a number greater than 0")
        qty = parsed.values
        blank = qty.is_null() & ~parsed.bad & live
        if blank.any():
            rows = t.frame.filter(blank)[ROW].to_list()
            t.issues.warn("qty-blank", f"quantity is empty on row(s) {listed(rows)}: counted as 1", **t.where(row=rows[0], column=f["qty"]))
        qty = qty.fill_null(1.0)
        bad = (qty <= 0).fill_null(False) & live & ~parsed.bad
        t.report_bad(bad, f["qty"], "bad-qty", "quantity must be greater than 0", "remove the line or enter how many are used")
        cell_unit = parsed.units
    elif "designator" in f:
        # EDA exports without a quantity: one part per reference designator ("C1, C5, C25")
        refs = text(t.frame, f["designator"])
        qty = refs.str.replace_all(r"[,;\s]+", " ").str.strip_chars().str.split(" ").list.len().cast(pl.Float64)
        qty = pl.select(pl.when(refs.is_null()).then(None).otherwise(qty)).to_series()
        blank = qty.is_null() & live
        qty = qty.fill_null(1.0)
        cell_unit = constant(None, n, pl.String)
        if n:
            t.issues.warn(
                "qty-from-designators",
                f"no quantity column: each line counts one part per designator in {f['designator']!r}"
                + (f" ({int(blank.sum())} line(s) without designators count once)" if blank.any() else ""),
                "name a quantity column with --map qty=HEADER if there is one",
                **t.where(column=f["designator"]),
            )
    else:
        qty = constant(1.0, n, pl.Float64)
        cell_unit = constant(None, n, pl.String)
        if n:
            t.issues.warn("no-qty-column", "no quantity column: every line counts once", "name it with --map qty=HEADER", **t.where())
    uom = text(t.frame, f["uom"]).str.to_lowercase() if "uom" in f else constant(None, n, pl.String)
    uom = pl.select(pl.coalesce(uom, cell_unit)).to_series()
    if uom.null_count() == n:  # no units anywhere: every line a count
        return qty, constant(False, n, pl.Boolean)
    factor = uom.replace_strict(dict(MASS_UNITS), default=None, return_dtype=pl.Float64)
    bulk = factor.is_not_null()
    other = (uom.is_not_null() & ~bulk & ~uom.is_in(list(COUNT_UNITS))).fill_null(False) & live
    if other.any():
        header = f.get("uom", f.get("qty", ""))
        units = sorted(set(uom.filter(other).to_list()))
        rows = t.frame.filter(other)[ROW].to_list()
        t.issues.warn(
            "uom-not-count-or-mass",
            f"{len(rows)} line(s) in unit(s) {', '.join(map(repr, units))} (neither a count nor a mass): quantity used as a count",
            "give such lines a mass unit or a per-piece mass",
            **t.where(row=rows[0], column=header),
        )
    qty_g = pl.select(pl.when(bulk).then(qty * factor).otherwise(qty)).to_series()
    return qty_g, bulk


def indented(
    t: TableContext, header: str, sku: pl.Series, qty: pl.Series, bulk: pl.Series, keep: pl.Series, in_force: pl.Series
) -> tuple[pl.DataFrame, list[str], set[str]]:
    import polars as pl

    frame = t.frame
    cells = text(frame, header)
    level = (
        pl.select(
            pl.when(cells.str.contains(r"\d"))
            .then(cells.str.extract(r"(\d+)\s*$", 1).cast(pl.Int64, strict=False))
            .otherwise(cells.str.len_chars().cast(pl.Int64))
        ).to_series()
        if cells.dtype == pl.String
        else cells.cast(pl.Int64)
    )
    bad = (level.is_null() & keep) | (cells.is_not_null() & level.is_null())
    t.report_bad(bad & keep, header, "bad-level", "level not understood", "write 0, 1, 2… or .1, ..2")
    rows = pl.DataFrame(
        {
            "i": pl.int_range(frame.height, eager=True),
            "level": level,
            "sku": sku,
            "qty": qty,
            "bulk": bulk,
            "_row": frame[ROW],
            "live": keep & in_force,
            "keep": keep,
        }
    )
    rows = rows.filter(pl.col("keep") & pl.col("level").is_not_null())
    if rows.height == 0:
        return pl.DataFrame(schema={"parent": pl.String, "child": pl.String, "qty": pl.Float64, "bulk": pl.Boolean, "_row": pl.Int64}), [], set()
    top_level = rows["level"].min()
    jumps = rows.filter(pl.col("level") > pl.col("level").shift(1).fill_null(top_level) + 1)
    for r, lv in jumps.select("_row", "level").head(MAX_LISTED).iter_rows():
        t.issues.error(
            "level-jump",
            f"level {lv} follows a row of a lower level by more than one step",
            "a child's level is its parent's plus one; add the missing assembly row",
            **t.where(row=r, column=header),
        )
    max_level = rows["level"].max()
    # parent of a row at level L: the nearest row above at level L-1 (forward fill per level)
    last = {lv: pl.when(pl.col("level") == lv).then(pl.col("i")).otherwise(None).forward_fill() for lv in range(top_level, max_level)}
    rows = rows.with_columns([e.alias(f"last{lv}") for lv, e in last.items()])
    parent_i = pl.lit(None, dtype=pl.UInt32)
    for lv in range(top_level, max_level):
        parent_i = pl.when(pl.col("level") == lv + 1).then(pl.col(f"last{lv}")).otherwise(parent_i)
    rows = rows.with_columns(parent_i=parent_i.cast(pl.Int64))
    by_i = rows.select(pl.col("i").cast(pl.Int64).alias("parent_i"), pl.col("sku").alias("parent"), pl.col("_row").alias("parent_row"))
    rows = rows.join(by_i, on="parent_i", how="left")
    # a row is in effect only when its whole chain is; dropping a row drops its subtree
    live = rows.select("i", "parent_i", "live")
    for _ in range(0 if live["live"].all() else max_level - top_level):
        live = (
            live.join(live.select(pl.col("i").alias("parent_i"), pl.col("live").alias("pl")), on="parent_i", how="left")
            .with_columns(live=pl.col("live") & pl.col("pl").fill_null(True))
            .drop("pl")
        )
    rows = rows.drop("live").join(live.select("i", "live"), on="i", how="left")
    tops = rows.filter(pl.col("parent_i").is_null() & pl.col("live"))["sku"].unique().to_list()
    retired = set(rows.filter(~pl.col("live"))["sku"].to_list())
    children = rows.filter(pl.col("parent_i").is_not_null() & pl.col("live"))
    # repeated sub-assemblies must list the same children each time
    occ = children.group_by("parent", "parent_i").agg(
        pl.concat_str([pl.col("sku"), pl.col("qty").cast(pl.String)], separator="×").sort().str.join("|").alias("sig"),
        pl.col("parent_row").first(),
    )
    variants = occ.sort("parent_row").group_by("parent").agg(pl.col("sig").n_unique().alias("n"), pl.col("parent_row").alias("rows"), pl.col("sig"))
    for parent, rws, sigs in variants.filter(pl.col("n") > 1).select("parent", "rows", "sig").head(MAX_LISTED).iter_rows():
        other = next(r for r, s in zip(rws, sigs, strict=True) if s != sigs[0])
        t.issues.error(
            "subassembly-conflict",
            f"sub-assembly {parent!r} lists different children here than at row {rws[0]}",
            "make every occurrence list the same children, or give the variants different part numbers",
            **t.where(row=other, column=header),
        )
    first_occ = occ.group_by("parent").agg(pl.col("parent_i").min())
    edges = children.join(first_occ, on=["parent", "parent_i"], how="semi")
    return edges.select("parent", pl.col("sku").alias("child"), "qty", "bulk", "_row"), tops, retired


def repair_float_ids(edges: pl.DataFrame, attrs: pl.DataFrame, tops: list[str], issues: Collector) -> pl.DataFrame:
    """Parent IDs written as ``749.0`` by an export while components are ``749``: use ``749``."""
    import polars as pl

    if not edges["parent"].str.ends_with(".0").any():
        return edges  # the common case, decided without building the set of known IDs
    known = pl.concat([edges["child"], attrs["sku"], pl.Series(tops, dtype=pl.String)]).unique()
    fixable = edges.filter(
        pl.col("parent").str.contains(r"^\d+\.0+$")
        & ~pl.col("parent").is_in(known.implode())
        & pl.col("parent").str.replace(r"\.0+$", "").is_in(known.implode())
    )
    if fixable.height == 0:
        return edges
    example = fixable.row(0, named=True)
    issues.warn(
        "float-id",
        f"{fixable.height} parent ID(s) written like {example['parent']!r} match part {example['parent'].split('.')[0]!r}: read as whole numbers",
        "export IDs as text to avoid this",
        file=example["_file"],
        sheet=example["_sheet"],
        row=example["_row"],
    )
    return edges.with_columns(
        parent=pl.when(pl.col("parent").str.contains(r"^\d+\.0+$") & pl.col("parent").str.replace(r"\.0+$", "").is_in(known.implode()))
        .then(pl.col("parent").str.replace(r"\.0+$", ""))
        .otherwise(pl.col("parent"))
    )


def check_edges(edges: pl.DataFrame, issues: Collector) -> pl.DataFrame:
    """Check the edges across files: a self-reference, or a child used both by count and by mass, is an error."""
    import polars as pl

    if edges.height == 0:
        return edges
    self_ref = edges.filter(pl.col("parent") == pl.col("child"))
    for rec in self_ref.head(MAX_LISTED).iter_rows(named=True):
        issues.error(
            "self-reference", f"{rec['child']!r} is listed as its own child", "remove the row", file=rec["_file"], sheet=rec["_sheet"], row=rec["_row"]
        )
    mixed = (
        edges.group_by("child").agg(pl.col("bulk").n_unique().alias("n"), pl.col("_file").first(), pl.col("_row").first()).filter(pl.col("n") > 1)
        if edges["bulk"].any()
        else edges.head(0)
    )
    for rec in mixed.head(MAX_LISTED).iter_rows(named=True):
        issues.error(
            "bulk-and-count",
            f"{rec['child']!r} is used both by mass (bulk) and by count",
            "use one unit of measure for it everywhere",
            file=rec["_file"],
            row=rec["_row"],
        )
    # repeated lines are added up by the roll-up, which sorts the edges anyway
    return edges
