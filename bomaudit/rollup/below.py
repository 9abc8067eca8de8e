"""Roll-up step 4: which parts below each SKU matter: its top contributors, the parts with data
missing and the parts whose origin was assumed.

Built from the closure over the leaves that matter only (those with China-origin controlled
content, missing data or an assumed origin), so its size follows them, not the whole DAG.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bomaudit.rollup.dag import closure
from bomaudit.vocab import Provenance

if TYPE_CHECKING:
    import numpy as np
    import polars as pl

    from bomaudit.rollup.graph import Graph
    from bomaudit.rollup.leaves import Leaves
    from bomaudit.rollup.totals import Totals

MAX_CONTRIBUTORS = 5


def with_parts_below(skus: pl.DataFrame, graph: Graph, leaves: Leaves, totals: Totals, on_value: bool) -> pl.DataFrame:
    """``skus`` with ``contributors`` (null where none), ``unknown`` and ``assumed`` (``[]``
    where none). ``on_value``: the value basis, where parts missing value data count as unknown too."""
    import polars as pl

    contributors, requests, *lists = _parts_below(graph, leaves, totals, on_value)
    skus = skus.join(contributors.rename({"node": "id"}), on="id", how="left")
    skus = skus.join(requests.rename({"node": "id"}), on="id", how="left")
    empty = pl.lit([], dtype=pl.List(pl.String))
    for frame in lists:
        (name,) = (c for c in frame.columns if c != "node")
        skus = skus.join(frame.rename({"node": "id"}), on="id", how="left").with_columns(pl.col(name).fill_null(empty))
    return skus


def _parts_below(graph: Graph, leaves: Leaves, totals: Totals, on_value: bool) -> tuple[pl.DataFrame, ...]:
    """(contributors, requests, unknown, assumed, no_data, missing_other, assumed_free, loose_matched, units_assumed, recognised), each keyed by ``node``."""
    import numpy as np

    leaf, value = graph.leaf, leaves.value
    value_missing_leaf = leaf & np.isnan(value)
    cn_value_missing_leaf = leaf & np.isnan(leaves.cn_value)
    unknown_leaf, origin_assumed = leaves.unknown, leaves.assumed
    free = leaves.provenance[Provenance.assumed]
    interesting = leaf & (
        (totals.cn_controlled_g > 0)
        | (totals.sums["cn_controlled_hi_g"] > 0)
        | unknown_leaf
        | origin_assumed
        | free
        | leaves.loose
        | leaves.units_assumed
        | (on_value & (value_missing_leaf | cn_value_missing_leaf))
    )
    node, leaf_of, count = closure(graph.parent, graph.child, graph.qty, graph.levels, graph.n, np.flatnonzero(interesting))
    contributors = _contributors(graph.names, node, leaf_of, count, totals.cn_controlled_g)
    recognised_leaf = _recognised(leaves, graph.n)
    requests = _requests(graph, leaves, recognised_leaf, node, leaf_of, count)
    # missing data and assumed origins: the closure lists each node's leaves sorted by id, i.e. by SKU
    # a declared assembly price stands in for its parts' prices, not for their China content
    priced = ~leaf & ~np.isnan(value)
    leaf_unknown = unknown_leaf | (on_value & cn_value_missing_leaf)
    missing = leaf_unknown[leaf_of] | ((on_value & value_missing_leaf)[leaf_of] & ~priced[node])
    unknown = _lists(graph.names, node[missing], leaf_of[missing], "unknown")
    is_assumed = origin_assumed[leaf_of]
    assumed = _lists(graph.names, node[is_assumed], leaf_of[is_assumed], "assumed")
    no_data = leaves.provenance[Provenance.none][leaf_of]
    other = missing & ~no_data  # missing for another reason: no mass, an element marked unknown, …
    free = leaves.provenance[Provenance.assumed][leaf_of]
    loose = leaves.loose[leaf_of]
    guessed = leaves.units_assumed[leaf_of]
    recognised = recognised_leaf[leaf_of]
    return (
        contributors,
        requests,
        unknown,
        assumed,
        _lists(graph.names, node[no_data], leaf_of[no_data], "no_data"),
        _lists(graph.names, node[other], leaf_of[other], "missing_other"),
        _lists(graph.names, node[free], leaf_of[free], "assumed_free"),
        _lists(graph.names, node[loose], leaf_of[loose], "loose_matched"),
        _lists(graph.names, node[guessed], leaf_of[guessed], "units_assumed"),
        _lists(graph.names, node[recognised], leaf_of[recognised], "recognised"),
    )


MAX_REQUESTS = 5


def _recognised(leaves: Leaves, n: int) -> np.ndarray:
    """Leaves the materials library recognised as rare-earth-bearing but could not estimate (no mass, no magnet mass)."""
    import numpy as np

    if leaves.estimates is None:
        return np.zeros(n, dtype=bool)
    e = leaves.estimates
    return ((e["est_kind"] != "free") & e["est_missing"].is_not_null()).fill_null(False).to_numpy() & leaves.provenance[Provenance.none]


def _requests(graph: Graph, leaves: Leaves, recognised: np.ndarray, node: np.ndarray, leaf_of: np.ndarray, count: np.ndarray) -> pl.DataFrame:
    """product node -> the parts whose declared data would settle its verdict, at most MAX_REQUESTS (the
    supplier request list): first parts recognised as rare-earth-bearing that could not be
    estimated, then estimated parts by the width of their range (count × (high − low) China-origin
    controlled grams), then parts with no data at all, by count; ties by SKU."""
    import numpy as np
    import polars as pl

    lo, hi = leaves.sums["cn_controlled_lo_g"], leaves.sums["cn_controlled_hi_g"]
    ranged = leaves.provenance[Provenance.estimated] & (hi > lo)
    none = leaves.provenance[Provenance.none] & ~recognised
    # per product only (the request list is what to ask for a product): a fraction of the closure
    pick = (recognised | ranged | none)[leaf_of] & ~graph.has_parent[node]
    r_node, r_leaf, r_count = node[pick], leaf_of[pick], count[pick]
    tier = np.where(recognised[r_leaf], 0, np.where(ranged[r_leaf], 1, 2))
    width = r_count * (hi[r_leaf] - lo[r_leaf])
    score = np.where(tier == 1, width, r_count)
    empty = pl.DataFrame(
        schema={
            "node": pl.Int64,
            "requests": pl.List(pl.Struct({"sku": pl.String, "qty": pl.Float64, "why": pl.String, "low_g": pl.Float64, "high_g": pl.Float64})),
        }
    )
    if not r_node.size:
        return empty
    frame = pl.DataFrame(
        {
            "node": r_node.astype(np.int64),
            "leaf": r_leaf,
            "tier": tier,
            "score": score,
            "qty": r_count,
            "low_g": r_count * lo[r_leaf],
            "high_g": r_count * hi[r_leaf],
        }
    )
    frame = frame.sort(["node", "tier", "score", "leaf"], descending=[False, False, True, False]).group_by("node", maintain_order=True).head(MAX_REQUESTS)
    est = leaves.estimates
    why_text = {0: "recognised as rare-earth-bearing, not estimable", 1: "estimated", 2: "no composition data"}
    frame = frame.with_columns(sku=graph.names.gather(frame["leaf"]), why=pl.col("tier").replace_strict(why_text, return_dtype=pl.String))
    if est is not None:
        info = est.select(pl.col("id").alias("leaf"), "est_class", "est_missing", "est_grade")
        frame = frame.join(info, on="leaf", how="left").with_columns(
            why=pl.when(pl.col("tier") == 0)
            .then(pl.format("recognised as {}: {}; ask for its mass and rare-earth content", "est_class", "est_missing"))
            .when(pl.col("tier") == 1)
            .then(
                pl.format(
                    "estimated as {}{}: its declared content settles the range",
                    "est_class",
                    pl.when(pl.col("est_grade").is_not_null()).then(pl.format(" {}", "est_grade")).otherwise(pl.lit("")),
                )
            )
            .otherwise(pl.lit("no composition data, and the materials library does not recognise it"))
        )
    frame = frame.with_columns(low_g=pl.when(pl.col("tier") == 1).then("low_g"), high_g=pl.when(pl.col("tier") == 1).then("high_g"))
    return frame.group_by("node", maintain_order=True).agg(pl.struct("sku", "qty", "why", "low_g", "high_g").alias("requests"))


def _contributors(names: pl.Series, node: np.ndarray, leaf_of: np.ndarray, count: np.ndarray, cn_controlled_g: np.ndarray) -> pl.DataFrame:
    """node -> list of struct(sku, qty, cn_controlled_g, share): the largest China-origin
    controlled masses first, ties by SKU (ids follow the sorted SKU names), at most MAX_CONTRIBUTORS."""
    import numpy as np
    import polars as pl

    has_cn = cn_controlled_g[leaf_of] > 0
    c_node, c_leaf = node[has_cn], leaf_of[has_cn]
    c_qty = count[has_cn]
    c_cn = c_qty * cn_controlled_g[c_leaf]
    # Polars' parallel sort: ten times NumPy's lexsort on millions of rows
    order = pl.DataFrame({"n": c_node, "c": c_cn, "l": c_leaf}).select(pl.arg_sort_by(["n", "c", "l"], descending=[False, True, False]))["n"].to_numpy()
    c_node, c_leaf, c_qty, c_cn = c_node[order], c_leaf[order], c_qty[order], c_cn[order]
    # place within its node's rows: index minus the index of the node's first row
    top = np.arange(c_node.size) - np.searchsorted(c_node, c_node) < MAX_CONTRIBUTORS
    return (
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


def _lists(names: pl.Series, node: np.ndarray, leaf: np.ndarray, alias: str) -> pl.DataFrame:
    """node -> list of the leaves' SKUs, in the given order."""
    import polars as pl

    return pl.DataFrame({"node": node, "sku": names.gather(leaf)}).group_by("node", maintain_order=True).agg(pl.col("sku").alias(alias))
