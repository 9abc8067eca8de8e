"""Roll-up step 3: the leaves' values summed up the DAG, level by level, and the SKU frame."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bomaudit.errors import Collector
from bomaudit.rollup.dag import sum_up
from bomaudit.vocab import Kind, Provenance

if TYPE_CHECKING:
    import numpy as np
    import polars as pl

    from bomaudit.rollup.graph import Graph
    from bomaudit.rollup.leaves import Leaves

#: relative difference between a declared assembly mass and the roll-up that is warned about
MASS_TOLERANCE = 0.05


@dataclass(frozen=True, slots=True)
class Totals:
    """Per node, per one unit: the leaves' sums and flags over everything below it."""

    sums: dict[str, np.ndarray]
    flags: dict[str, np.ndarray]
    controlled_g: np.ndarray
    cn_controlled_g: np.ndarray
    #: per provenance: part units (a bulk line counts once per use) and their grams, per one unit
    coverage_parts: dict[Provenance, np.ndarray]
    coverage_g: dict[Provenance, np.ndarray]


def propagate(graph: Graph, leaves: Leaves, controlled: tuple[str, ...]) -> Totals:
    """One pass, leaves first: a parent's sums are complete once every lower level is done.

    Each column is added in edge order (:func:`~bomaudit.rollup.dag.sum_up`), the same on every run.
    """
    import numpy as np

    out = {k: v.astype(np.float64) for k, v in leaves.sums.items()}  # copies: the leaves' values stay
    fl = {k: v.copy() for k, v in leaves.flags.items()}
    # a line whose quantity is unknown ("A lot", "1 meter"): what it adds is unknown (NaN), and so
    # is every assembly above it
    fl["qty_unknown"] = np.zeros(graph.n, dtype=bool)
    fl["qty_unknown"][graph.parent[np.isnan(graph.qty)]] = True
    sum_up(graph.levels, graph.parent, graph.child, [(col, graph.qty) for col in out.values()], list(fl.values()))
    counted = [e for e in leaves.elements if e in controlled]
    controlled_g = sum((out[f"{e}_g"] for e in counted), np.zeros(graph.n))
    cn_controlled_g = sum((out[f"{e}_cn_g"] for e in counted), np.zeros(graph.n))
    parts, grams = _coverage(graph, leaves)
    return Totals(out, fl, controlled_g, cn_controlled_g, parts, grams)


def _coverage(graph: Graph, leaves: Leaves) -> tuple[dict[Provenance, np.ndarray], dict[Provenance, np.ndarray]]:
    """Per provenance, summed like the masses: how many part units below each node and their grams."""
    import numpy as np

    mass = leaves.sums["mass_g"]
    grams = {p: np.where(is_p, mass, 0.0) for p, is_p in leaves.provenance.items()}
    parts = {p: is_p.astype(np.float64) for p, is_p in leaves.provenance.items()}
    # a provenance no part has stays zero everywhere: only the others are summed
    summed = [p for p, is_p in leaves.provenance.items() if is_p.any()]
    # a bulk line's quantity is grams, a measured line's metres (m², L): it is one part
    units = np.where(graph.bulk | (graph.measure != ""), 1.0, graph.qty)
    sums = [pair for p in summed for pair in ((grams[p], graph.qty), (parts[p], units))]
    sum_up(graph.levels, graph.parent, graph.child, sums, [])
    return parts, grams


def check_declared_mass(graph: Graph, leaves: Leaves, totals: Totals, issues: Collector) -> None:
    """Declared assembly masses are a cross-check, not added: warns where they differ by more than the tolerance."""
    import numpy as np

    declared_mass, mass_g = leaves.declared_mass, totals.sums["mass_g"]
    check = ~graph.leaf & ~np.isnan(declared_mass) & (mass_g > 0) & ~totals.flags["unknown_n"]
    diff = np.abs(declared_mass - mass_g) > MASS_TOLERANCE * mass_g
    for i in np.flatnonzero(check & diff & graph.reach):
        issues.warn(
            "mass-mismatch",
            f"declared mass {declared_mass[i]:g} g of {graph.names[int(i)]!r} differs from its parts' total {mass_g[i]:g} g by more than 5 %: the parts' total is used",
            "update the declared mass or check the parts' masses",
            sku=graph.names[int(i)],
        )


def sku_frame(graph: Graph, leaves: Leaves, totals: Totals) -> pl.DataFrame:
    """One row per SKU below a product (ids in name order): kind, attributes, totals and flags."""
    import numpy as np
    import polars as pl

    n, leaf, a, out, fl = graph.n, graph.leaf, leaves.attrs, totals.sums, totals.flags
    mass_g = out["mass_g"]
    with np.errstate(divide="ignore", invalid="ignore"):
        cn_fraction = np.where(mass_g > 0, totals.cn_controlled_g / mass_g, np.nan)
    kind = np.where(~graph.has_parent, Kind.product.value, np.where(leaf, Kind.part.value, Kind.assembly.value))
    data: dict[str, object] = {
        "id": np.arange(n),
        "sku": graph.names,
        "kind": kind,
        "height": graph.height,
        "description": a["description"],
        "category": a["category"],
        "end_use": a["end_use"],
        "mass_g": mass_g,
        "controlled_g": totals.controlled_g,
        "cn_controlled_g": totals.cn_controlled_g,
        "cn_fraction": cn_fraction,
        "value": np.where(fl["value_missing"], np.nan, out["value"]),
        "declared_value": np.where(leaf, np.nan, leaves.value),
        "cn_value": np.where(fl["cn_value_missing"], np.nan, out["cn_value"]),
        "cn_tech": fl["cn_tech"],
        "has_unknown": fl["unknown_n"] | fl["qty_unknown"],
        "qty_unknown": fl["qty_unknown"],
        # the materials library's range: China-origin controlled grams at its low and high figures
        "cn_controlled_lo_g": out["cn_controlled_lo_g"],
        "cn_controlled_hi_g": out["cn_controlled_hi_g"],
        "has_estimate": fl["estimated"],
        "free_no_mass": fl["free_no_mass"],
    }
    for el in leaves.elements:
        data[f"{el}_g"] = out[f"{el}_g"]
        data[f"{el}_cn_g"] = out[f"{el}_cn_g"]
    for p in Provenance:
        data[f"cov_{p.value}_parts"] = totals.coverage_parts[p]
        data[f"cov_{p.value}_g"] = totals.coverage_g[p]
    # NaN (unknown: a mass or a quantity missing below) is null in every report
    skus = pl.DataFrame(data).with_columns(pl.col(pl.Float64).fill_nan(None))
    if leaves.estimates is not None:
        # what the library made of each part (null on assemblies and parts it was not asked about)
        skus = skus.join(leaves.estimates.with_columns(pl.col(pl.Float64).fill_nan(None)), on="id", how="left")
    keep_ids = np.flatnonzero(graph.reach)
    return skus.filter(pl.col("id").is_in(keep_ids.tolist()) if keep_ids.size < n else pl.lit(True))


def with_value_fraction(skus: pl.DataFrame) -> pl.DataFrame:
    """``denominator``: an assembly's declared price, else its parts' total value;
    ``cn_value_fraction``: China-origin rare-earth value over it (null without a positive one)."""
    import polars as pl

    return skus.with_columns(denominator=pl.coalesce("declared_value", "value")).with_columns(
        cn_value_fraction=pl.when(pl.col("denominator") > 0).then(pl.col("cn_value") / pl.col("denominator"))
    )
