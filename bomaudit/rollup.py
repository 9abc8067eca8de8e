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


def _topological_heights(n: int, parent: np.ndarray, child: np.ndarray) -> np.ndarray:
    """Height of every node (0 for leaves, else 1 + max over children); -1 left on cycles."""
    import numpy as np

    height = np.full(n, -1, dtype=np.int64)
    remaining = np.bincount(parent, minlength=n)
    order = np.argsort(child, kind="stable")
    ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(child, minlength=n), out=ptr[1:])
    frontier = np.flatnonzero(remaining == 0)
    level = 0
    while frontier.size:
        height[frontier] = level
        starts, ends = ptr[frontier], ptr[frontier + 1]
        counts = ends - starts
        total = int(counts.sum())
        if total == 0:
            break
        # indices of the edges whose child is in the frontier, without a Python loop
        offsets = np.repeat(starts - np.cumsum(counts) + counts, counts) + np.arange(total)
        parents = parent[order[offsets]]
        remaining -= np.bincount(parents, minlength=n)
        touched = np.zeros(n, dtype=bool)
        touched[parents] = True
        frontier = np.flatnonzero(touched & (remaining == 0))
        level += 1
    return height


def _find_cycle(names: pl.Series, parent: np.ndarray, child: np.ndarray, stuck: np.ndarray) -> list[str]:
    """One cycle among the nodes that never became ready (error path only)."""
    stuck_set = set(stuck.tolist())
    children: dict[int, list[int]] = {}
    for p, c in zip(parent.tolist(), child.tolist(), strict=True):
        if p in stuck_set and c in stuck_set:
            children.setdefault(p, []).append(c)
    start = min(stuck_set, key=lambda i: names[int(i)])
    path: list[int] = []
    seen: dict[int, int] = {}
    node = start
    while node not in seen:
        seen[node] = len(path)
        path.append(node)
        node = min(children[node], key=lambda i: names[int(i)])
    cycle = [*path[seen[node] :], node]
    return [names[int(i)] for i in cycle]


def rollup(bom: Bom, options: RollupOptions) -> Rollup:
    import numpy as np
    import polars as pl

    issues = Collector()
    edges = bom.edges
    nodes = pl.concat([edges["parent"], edges["child"], pl.Series(bom.declared_tops, dtype=pl.String)]).unique().sort().to_frame("sku").with_row_index("id")
    names = nodes["sku"]
    n = names.len()
    # a fixed edge order makes every float sum below the same on every run and input order
    # node ids by an Enum over the sorted names: one hash per cell, cheaper than two joins;
    # sorting by quantity too makes repeated lines add up in the same order whatever the input order
    ids_of = pl.Enum(names)
    ids = edges.with_columns(p=pl.col("parent").cast(ids_of).to_physical(), c=pl.col("child").cast(ids_of).to_physical()).sort(
        "p", "c", "qty", maintain_order=True
    )
    parent = ids["p"].to_numpy().astype(np.int64)
    child = ids["c"].to_numpy().astype(np.int64)
    qty = ids["qty"].to_numpy().astype(np.float64)
    bulk_edge = ids["bulk"].to_numpy().astype(bool)
    # a child on several lines under one parent: quantities added (ERP position lines)
    repeated = (parent[1:] == parent[:-1]) & (child[1:] == child[:-1])
    if repeated.any():
        first = int(np.flatnonzero(repeated)[0])
        rec = ids.row(first, named=True)
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

    height = _topological_heights(n, parent, child)
    if (height < 0).any():
        cycle = _find_cycle(names, parent, child, np.flatnonzero(height < 0))
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
    edge_h = height[parent]
    by_level = np.argsort(-edge_h, kind="stable")
    for lv in np.unique(edge_h)[::-1]:
        sel = by_level[edge_h[by_level] == lv]
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
    # flags propagated as "any below": 1.0 / 0.0
    cn_tech_own = a["cn_tech"].fill_null(False).to_numpy().astype(bool)
    flags = {
        "cn_tech": cn_tech_own.astype(np.float64),
        "unknown_n": unknown_leaf.astype(np.float64),
        "value_missing": (leaf & np.isnan(value)).astype(np.float64),
        "cn_value_missing": (leaf & np.isnan(cn_value)).astype(np.float64),
    }

    # one pass, leaves first: a parent's sums are complete once every lower level is done
    names_sum = list(cols)
    matrix = np.column_stack([cols[k] for k in names_sum]) if names_sum else np.zeros((n, 0))
    flag_matrix = np.column_stack(list(flags.values()))
    order = np.argsort(edge_h, kind="stable")
    sorted_h = edge_h[order]
    bounds = np.searchsorted(sorted_h, np.arange(1, int(height.max(initial=0)) + 2))
    for lv in range(1, int(height.max(initial=0)) + 1):
        sel = order[bounds[lv - 1] : bounds[lv]]
        if sel.size == 0:
            continue
        p_sel, c_sel, q_sel = parent[sel], child[sel], qty[sel]
        # bincount over all n nodes is O(n) per column but needs no sort of the level's edges
        for j in range(matrix.shape[1]):
            matrix[:, j] += np.bincount(p_sel, weights=matrix[c_sel, j] * q_sel, minlength=n)
        for j in range(flag_matrix.shape[1]):
            hit = np.bincount(p_sel, weights=flag_matrix[c_sel, j], minlength=n) > 0
            flag_matrix[:, j] = np.maximum(flag_matrix[:, j], hit)
    out = {k: matrix[:, j] for j, k in enumerate(names_sum)}
    fl = {k: flag_matrix[:, j] > 0 for j, k in enumerate(flags)}

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
    closure = _closure(parent, child, qty, height, np.flatnonzero(interesting))
    leaf_info = pl.DataFrame(
        {
            "leaf": np.arange(n),
            "leaf_sku": names,
            "leaf_cn": cn_controlled_g,
            "leaf_unknown": unknown_leaf | (on_value & cn_value_missing_leaf),
            "leaf_value_missing": on_value & value_missing_leaf,
            "leaf_assumed": origin_assumed,
        }
    )
    closure = closure.join(leaf_info, on="leaf").join(
        skus.select(pl.col("id").alias("node"), pl.col("cn_controlled_g").alias("node_cn"), pl.col("declared_value").is_not_null().alias("priced")),
        on="node",
    )
    contributors = (
        closure.filter(pl.col("leaf_cn") > 0)
        .with_columns(cn=pl.col("qty") * pl.col("leaf_cn"))
        .sort(["node", "cn", "leaf_sku"], descending=[False, True, False])
        .group_by("node", maintain_order=True)
        .head(MAX_CONTRIBUTORS)
        .group_by("node", maintain_order=True)
        .agg(
            pl.struct(
                pl.col("leaf_sku").alias("sku"),
                pl.col("qty"),
                pl.col("cn").alias("cn_controlled_g"),
                (pl.col("cn") / pl.col("node_cn")).alias("share"),
            ).alias("contributors")
        )
    )
    # a declared assembly price stands in for its parts' prices, not for their China content
    missing = pl.col("leaf_unknown") | (pl.col("leaf_value_missing") & ~pl.col("priced"))
    unknown = closure.filter(missing).group_by("node").agg(pl.col("leaf_sku").sort().alias("unknown"))
    assumed = closure.filter(pl.col("leaf_assumed")).group_by("node").agg(pl.col("leaf_sku").sort().alias("assumed"))
    warnings = list(issues.warnings)
    return Rollup(skus, contributors, unknown, assumed, elements, warnings, links=int(parent.size))


def _closure(parent: np.ndarray, child: np.ndarray, qty: np.ndarray, height: np.ndarray, leaves: np.ndarray) -> pl.DataFrame:
    """(node, leaf, qty): total count of ``leaf`` per one unit of ``node``, summed over every path,
    for the given leaves only. Built level by level, so no path is materialised; sums run in a
    fixed order (edges sorted by parent and child), so the result is the same on every run."""
    import numpy as np
    import polars as pl

    n = height.size
    node = leaves.astype(np.int64)
    leaf = leaves.astype(np.int64)
    amount = np.ones(leaves.size)
    edge_h = height[parent]
    for lv in range(1, int(height.max(initial=0)) + 1):
        sel = np.flatnonzero(edge_h == lv)
        if sel.size == 0 or node.size == 0:
            continue
        order = np.argsort(node, kind="stable")
        sorted_nodes = node[order]
        starts = np.searchsorted(sorted_nodes, child[sel], side="left")
        ends = np.searchsorted(sorted_nodes, child[sel], side="right")
        counts = ends - starts
        total = int(counts.sum())
        if total == 0:
            continue
        rows = order[np.repeat(starts - np.cumsum(counts) + counts, counts) + np.arange(total)]
        edge_of_row = np.repeat(sel, counts)
        keys = parent[edge_of_row] * n + leaf[rows]
        uniq, inv = np.unique(keys, return_inverse=True)
        sums = np.bincount(inv, weights=qty[edge_of_row] * amount[rows], minlength=uniq.size)
        node = np.concatenate([node, uniq // n])
        leaf = np.concatenate([leaf, uniq % n])
        amount = np.concatenate([amount, sums])
    return pl.DataFrame({"node": node, "leaf": leaf, "qty": amount})
