"""Alternates: lines joined by "OR" are one position of the BOM, built with one of them. The roll-up
is run with every alternate in, then again with one per group: the worst case (``--alternates
worst``) or the first line (``first``).

The worst case, per group, from the first run's per-unit figures: the alternate with which the
group's assembly is over the threshold (the highest such fraction), else one whose content is
unknown, else the one giving the assembly the highest China-origin controlled fraction; ties go
to the first line. The fraction is the assembly's with the group's lines replaced by that one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bomaudit.errors import Location, Problem, warning

if TYPE_CHECKING:
    import polars as pl


def choose(alternates: pl.DataFrame, skus: pl.DataFrame, threshold: float, worst: bool) -> tuple[pl.DataFrame, list[Problem]]:
    """(the edges to leave out: _file, _sheet, _row, child; a warning per group naming what was counted)."""
    import polars as pl

    per_unit = skus.select("sku", "mass_g", "cn_controlled_g", "has_unknown")
    members = (
        alternates.join(per_unit.rename({"sku": "child", "mass_g": "m", "cn_controlled_g": "c", "has_unknown": "u"}), on="child", how="left")
        .join(per_unit.rename({"sku": "parent", "mass_g": "pm", "cn_controlled_g": "pc", "has_unknown": "pu"}).drop("pu"), on="parent", how="left")
        .with_columns(qm=pl.col("qty") * pl.col("m"), qc=pl.col("qty") * pl.col("c"))
    )
    key = ["_file", "_sheet", "group", "parent"]
    members = members.with_columns(
        rest_m=pl.col("pm") - pl.col("qm").sum().over(key),
        rest_c=pl.col("pc") - pl.col("qc").sum().over(key),
    ).with_columns(
        f=(pl.col("rest_c") + pl.col("qc")) / (pl.col("rest_m") + pl.col("qm")),
        unknown=pl.col("u").fill_null(True) | pl.col("qc").is_nan() | pl.col("qm").is_nan(),
    )
    f = pl.col("f").fill_nan(None)
    # a group's first line is the one on its first row; of lines sharing a row (an alternate
    # column), the line's own part, which comes first in the edges
    members = members.with_row_index("_at").with_columns(
        over=(f >= threshold).fill_null(False),
        rank_f=pl.coalesce(f, pl.col("qc").fill_nan(None), pl.lit(0.0)),
        first=(pl.col("_row") == pl.col("group")) & (pl.col("_at") == pl.col("_at").filter(pl.col("_row") == pl.col("group")).min().over(key)),
    )
    if worst:
        order = members.sort(
            [*key, "over", "unknown", "rank_f", "_row", "_at"], descending=[False] * len(key) + [True, True, True, False, False], nulls_last=True
        )
    else:
        order = members.sort([*key, "first"], descending=[False] * len(key) + [True])
    chosen = order.group_by(key, maintain_order=True).first()
    drop = members.join(chosen.select(*key, pl.col("_at").alias("kept")), on=key, nulls_equal=True).filter(pl.col("_at") != pl.col("kept"))
    # each group's lines in row order, gathered once (not one filter per group)
    lines = members.sort("_row", "_at").group_by(key, maintain_order=True).agg(pl.col("child").alias("lines"), pl.col("_row").alias("rows"))
    told = chosen.join(lines, on=key, how="left", nulls_equal=True, maintain_order="left")
    problems = [_warning(g, worst) for g in told.iter_rows(named=True)]
    return drop.select("_file", "_sheet", "_row", "child"), problems


def _warning(kept: dict, worst: bool) -> Problem:
    names = " | ".join(f"{c!r} (row {r})" for c, r in zip(kept["lines"], kept["rows"], strict=True))
    if worst:
        why = "over the threshold with it" if kept["over"] else "its content is unknown" if kept["unknown"] else "the highest China-origin controlled share"
        how = f"the worst case ({why})"
        hint = "pass --alternates first to count the first line of each group"
    else:
        how = "the first line (--alternates first)"
        hint = "the default, --alternates worst, counts the worst case"
    return warning(
        "alternates",
        f"alternates under {kept['parent']!r}: {names}: {kept['child']!r} counted, {how}",
        hint=hint,
        where=Location(file=kept["_file"], sheet=kept["_sheet"], row=kept["_row"]),
    )
