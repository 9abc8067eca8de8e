"""The roll-up: per one unit of every SKU, mass and element masses summed through the DAG.

Polars builds the integer graph and the closure tables; NumPy walks it once in topological
order (leaves first), so a part shared by many assemblies is computed once and the cost grows
linearly with the number of edges. No Python loop runs over rows: loops run over levels.

Units: grams. A SKU with children is described entirely by them (SPEC §3).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bomaudit.errors import BomauditError, Collector, Problem
from bomaudit.rollup.dag import Levels, closure, find_cycle, node_ids, topological_heights

if TYPE_CHECKING:
    import numpy as np
    import polars as pl

    from bomaudit.normalise import Bom

#: relative difference between a declared assembly mass and the roll-up that is warned about
MASS_TOLERANCE = 0.05
MAX_CONTRIBUTORS = 5


@dataclass(frozen=True, slots=True)
class RollupOptions:
    controlled: tuple[str, ...]  # element symbols the threshold rule counts
    unknown_origin: str = "china"  # "china" or "unknown"
    basis: str = "mass"  # "value" also lists parts missing value data as unknown


@dataclass(slots=True)
class Rollup:
    #: one row per SKU: sku, kind, description, mass_g, <El>_g, <El>_cn_g, controlled_g,
    #: cn_controlled_g, cn_fraction, value, cn_value, declared_value, cn_tech, end_use, category
    skus: pl.DataFrame
    #: sku -> list of struct(sku, qty, cn_controlled_g, share), top 5
    contributors: pl.DataFrame
    #: sku -> sorted list of SKUs with missing data below it (the SKU itself for a leaf)
    unknown: pl.DataFrame
    #: sku -> sorted list of parts whose origin was assumed China
    assumed: pl.DataFrame
    elements: list[str]
    warnings: list[Problem] = field(default_factory=list)
    #: distinct parent → child links after repeated lines were added
    links: int = 0


def rollup(bom: Bom, options: RollupOptions) -> Rollup:
    import numpy as np
    import polars as pl

    issues = Collector()
    edges = bom.edges
    names, parent, child = node_ids(edges, bom.declared_tops)
    nodes = names.to_frame("sku").with_row_index("id")
    n = names.len()
    qty = edges["qty"].to_numpy().astype(np.float64)
    # a fixed edge order (parent, child, quantity) makes every float sum below the same on every
    # run and input order; sorting by quantity makes repeated lines add up in the same order too
    order = np.argsort(parent * n + child, kind="stable")
    parent, child, qty = parent[order], child[order], qty[order]
    bulk_edge = edges["bulk"].to_numpy().astype(bool)[order]
    # a child on several lines under one parent: quantities added (ERP position lines)
    repeated = (parent[1:] == parent[:-1]) & (child[1:] == child[:-1])
    if repeated.any():
        in_group = np.flatnonzero(np.concatenate(([False], repeated)) | np.concatenate((repeated, [False])))
        by_qty = in_group[np.lexsort((qty[in_group], parent[in_group] * n + child[in_group]))]
        order[in_group], qty[in_group], bulk_edge[in_group] = order[by_qty], qty[by_qty], bulk_edge[by_qty]
        rec = edges.row(int(order[np.flatnonzero(repeated)[0]]), named=True)
        issues.warn(
            "repeated-line",
            f"{int(repeated.sum())} line(s) repeat a child already listed under the same parent (e.g. {rec['child']!r} under {rec['parent']!r}): quantities added",
            file=rec["_file"],
            sheet=rec["_sheet"],
            row=rec["_row"],
        )
        starts = np.flatnonzero(np.concatenate(([True], ~repeated)))
        qty = np.add.reduceat(qty, starts)
        parent, child, bulk_edge = parent[starts], child[starts], bulk_edge[starts]

    height = topological_heights(n, parent, child)
    if (height < 0).any():
        cycle = find_cycle(names, parent, child, np.flatnonzero(height < 0))
        raise BomauditError.at(
            "cycle",
            f"the BOM has a cycle: {' → '.join(cycle)}",
            "an assembly cannot contain itself; fix the parent of one of these rows",
        )

    # products: nodes nobody uses; SKUs dropped by effectivity are not products, and what
    # only they used is left out with them
    has_parent = np.zeros(n, dtype=bool)
    has_parent[child] = True
    retired = names.is_in(sorted(bom.retired)).to_numpy() if bom.retired else np.zeros(n, dtype=bool)
    reach = ~has_parent & ~retired
    levels = Levels.of(height, parent)
    for lv in range(levels.top, 0, -1):
        sel = levels.edges(lv)
        ok = sel[reach[parent[sel]]]
        reach[child[ok]] = True
    leaf = height == 0

    # leaf attributes aligned to node ids
    elements = [e for e in bom.elements]
    a = nodes.join(bom.attrs, on="sku", how="left").sort("id")
    bulk_node = np.zeros(n, dtype=bool)
    bulk_node[child[bulk_edge]] = True
    mass = a["mass_g"].to_numpy().astype(np.float64)
    declared_mass = mass.copy()
    mass = np.where(bulk_node, 1.0, mass)  # a bulk material's unit is one gram
    mass_missing = leaf & np.isnan(mass)
    is_cn = (a["re_origin"] == "CN").fill_null(False).to_numpy()
    no_origin = a["re_origin"].is_null().to_numpy()

    cols: dict[str, np.ndarray] = {}
    unknown_leaf = mass_missing.copy()
    total_re = np.zeros(n)
    for el in elements:
        g = a[f"{el}_g"].to_numpy().astype(np.float64)
        frac = a[f"{el}_frac"].to_numpy().astype(np.float64)
        unk = a[f"{el}_unk"].fill_null(False).to_numpy().astype(bool)
        from_frac = frac * np.where(bulk_node, 1.0, mass)
        if bulk_node.any():
            # a bulk material given by element mass and mass: per gram
            g = np.where(bulk_node & ~np.isnan(g), g / declared_mass, g)
        value = np.where(~np.isnan(g), g, from_frac)
        missing = np.isnan(value) & (~np.isnan(frac) | unk)
        unknown_leaf |= leaf & missing
        value = np.where(np.isnan(value), 0.0, value)
        cols[f"{el}_g"] = np.where(leaf, value, 0.0)
        total_re += cols[f"{el}_g"]
    over = leaf & ~np.isnan(mass) & (total_re > mass * (1 + 1e-9))
    for i in np.flatnonzero(over)[:20]:
        issues.error(
            "content-over-mass",
            f"rare-earth content of {names[int(i)]!r} ({total_re[i]:g} g) is more than its mass ({mass[i]:g} g)",
            "check the element and mass units",
        )
    issues.raise_if_errors()
    origin_assumed = leaf & no_origin & (total_re > 0) & (options.unknown_origin == "china")
    origin_unknown = leaf & no_origin & (total_re > 0) & (options.unknown_origin != "china")
    unknown_leaf |= origin_unknown
    cn_share = np.where(is_cn | origin_assumed, 1.0, 0.0)
    for el in elements:
        cols[f"{el}_cn_g"] = cols[f"{el}_g"] * cn_share
    cols["mass_g"] = np.where(leaf, np.nan_to_num(mass), 0.0)
    value = a["unit_value"].to_numpy().astype(np.float64)
    cn_value = a["cn_re_value"].to_numpy().astype(np.float64)
    # a part without China-origin controlled content has none of its value either
    leaf_cn_controlled = sum((cols[f"{e}_cn_g"] for e in elements if e in options.controlled), np.zeros(n))
    cn_value = np.where(np.isnan(cn_value) & (leaf_cn_controlled == 0), 0.0, cn_value)
    cols["value"] = np.where(leaf, np.nan_to_num(value), 0.0)
    cols["cn_value"] = np.where(leaf, np.nan_to_num(cn_value), 0.0)
    # flags propagated as "any below"
    flags = {
        "cn_tech": a["cn_tech"].fill_null(False).to_numpy().astype(bool),
        "unknown_n": unknown_leaf,
        "value_missing": leaf & np.isnan(value),
        "cn_value_missing": leaf & np.isnan(cn_value),
    }

    # one pass, leaves first: a parent's sums are complete once every lower level is done. A
    # level's edges are sorted by parent; bincount over the level's parents adds each column in
    # edge order (reduceat on a matrix is slower and adds in another order)
    out = {k: v.astype(np.float64) for k, v in cols.items()}  # copies: the leaves' values stay
    fl = {k: v.copy() for k, v in flags.items()}
    for lv in range(1, levels.top + 1):
        sel = levels.edges(lv)
        if sel.size == 0:
            continue
        p_sel, c_sel, q_sel = parent[sel], child[sel], qty[sel]
        first = np.concatenate(([True], p_sel[1:] != p_sel[:-1]))
        local = np.cumsum(first) - 1
        up = p_sel[first]
        for col in out.values():
            col[up] += np.bincount(local, weights=col[c_sel] * q_sel, minlength=up.size)
        starts = np.flatnonzero(first)
        for flag in fl.values():
            flag[up] |= np.logical_or.reduceat(flag[c_sel], starts)

    controlled = [e for e in elements if e in options.controlled]
    controlled_g = sum((out[f"{e}_g"] for e in controlled), np.zeros(n))
    cn_controlled_g = sum((out[f"{e}_cn_g"] for e in controlled), np.zeros(n))
    mass_g = out["mass_g"]
    with np.errstate(divide="ignore", invalid="ignore"):
        cn_fraction = np.where(mass_g > 0, cn_controlled_g / mass_g, np.nan)

    kind = np.where(~has_parent, "product", np.where(leaf, "part", "assembly"))
    # declared assembly masses are a cross-check, not added
    check = ~leaf & ~np.isnan(declared_mass) & (mass_g > 0) & ~fl["unknown_n"]
    diff = np.abs(declared_mass - mass_g) > MASS_TOLERANCE * mass_g
    for i in np.flatnonzero(check & diff & reach):
        issues.warn(
            "mass-mismatch",
            f"declared mass {declared_mass[i]:g} g of {names[int(i)]!r} differs from its parts' total {mass_g[i]:g} g by more than 5 %: the parts' total is used",
            "update the declared mass or check the parts' masses",
            sku=names[int(i)],
        )
    declared_value = np.where(leaf, np.nan, value)

    data: dict[str, object] = {
        "id": np.arange(n),
        "sku": names,
        "kind": kind,
        "height": height,
        "description": a["description"],
        "category": a["category"],
        "end_use": a["end_use"],
        "mass_g": mass_g,
        "controlled_g": controlled_g,
        "cn_controlled_g": cn_controlled_g,
        "cn_fraction": cn_fraction,
        "value": np.where(fl["value_missing"], np.nan, out["value"]),
        "declared_value": declared_value,
        "cn_value": np.where(fl["cn_value_missing"], np.nan, out["cn_value"]),
        "cn_tech": fl["cn_tech"],
        "has_unknown": fl["unknown_n"],
    }
    for el in elements:
        data[f"{el}_g"] = out[f"{el}_g"]
        data[f"{el}_cn_g"] = out[f"{el}_cn_g"]
    skus = pl.DataFrame(data).with_columns(pl.col("cn_fraction", "value", "cn_value", "declared_value").fill_nan(None))
    keep_ids = np.flatnonzero(reach)
    skus = skus.filter(pl.col("id").is_in(keep_ids.tolist()) if keep_ids.size < n else pl.lit(True))

    # closure over the leaves that matter: who contributes, who is missing data
    value_missing_leaf = leaf & np.isnan(value)
    cn_value_missing_leaf = leaf & np.isnan(cn_value)
    on_value = options.basis == "value"
    interesting = leaf & ((cn_controlled_g > 0) | unknown_leaf | origin_assumed | (on_value & (value_missing_leaf | cn_value_missing_leaf)))
    node, leaf_of, count = closure(parent, child, qty, levels, n, np.flatnonzero(interesting))
    priced = ~leaf & ~np.isnan(value)

    # contributors: per node, the largest China-origin controlled masses first, ties by SKU
    # (ids follow the sorted SKU names), at most MAX_CONTRIBUTORS
    has_cn = cn_controlled_g[leaf_of] > 0
    c_node, c_leaf = node[has_cn], leaf_of[has_cn]
    c_qty = count[has_cn]
    c_cn = c_qty * cn_controlled_g[c_leaf]
    # Polars' parallel sort: ten times NumPy's lexsort on millions of rows
    order = pl.DataFrame({"n": c_node, "c": c_cn, "l": c_leaf}).select(pl.arg_sort_by(["n", "c", "l"], descending=[False, True, False]))["n"].to_numpy()
    c_node, c_leaf, c_qty, c_cn = c_node[order], c_leaf[order], c_qty[order], c_cn[order]
    # place within its node's rows: index minus the index of the node's first row
    top = np.arange(c_node.size) - np.searchsorted(c_node, c_node) < MAX_CONTRIBUTORS
    contributors = (
        pl.DataFrame(
            {
                "node": c_node[top],
                "sku": names.gather(c_leaf[top]),
                "qty": c_qty[top],
                "cn_controlled_g": c_cn[top],
                "share": c_cn[top] / cn_controlled_g[c_node[top]],
            }
        )
        .group_by("node", maintain_order=True)
        .agg(pl.struct("sku", "qty", "cn_controlled_g", "share").alias("contributors"))
    )

    # missing data and assumed origins: the closure lists each node's leaves sorted by id, i.e. by SKU
    # a declared assembly price stands in for its parts' prices, not for their China content
    leaf_unknown = unknown_leaf | (on_value & cn_value_missing_leaf)
    missing = leaf_unknown[leaf_of] | ((on_value & value_missing_leaf)[leaf_of] & ~priced[node])
    unknown = _lists(names, node[missing], leaf_of[missing], "unknown")
    is_assumed = origin_assumed[leaf_of]
    assumed = _lists(names, node[is_assumed], leaf_of[is_assumed], "assumed")
    warnings = list(issues.warnings)
    return Rollup(skus, contributors, unknown, assumed, elements, warnings, links=int(parent.size))


def _lists(names: pl.Series, node: np.ndarray, leaf: np.ndarray, alias: str) -> pl.DataFrame:
    """node -> list of the leaves' SKUs, in the given order."""
    import polars as pl

    return pl.DataFrame({"node": node, "sku": names.gather(leaf)}).group_by("node", maintain_order=True).agg(pl.col("sku").alias(alias))
