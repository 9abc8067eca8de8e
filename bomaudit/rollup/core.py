"""The roll-up: per one unit of every SKU, mass and element masses summed through the DAG.

Polars builds the integer graph and the closure tables; NumPy walks it once in topological
order (leaves first), so a part shared by many assemblies is computed once and the cost grows
linearly with the number of edges, however deep the BOM. Loops run over levels, never over the
rows of a wide one; thin levels (a deep chain) are done in plain Python, with the same sums.

Units: grams. A SKU with children is described entirely by them (SPEC §3).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bomaudit.errors import Collector
from bomaudit.rollup.below import with_parts_below
from bomaudit.rollup.graph import build_graph
from bomaudit.rollup.leaves import leaf_values
from bomaudit.rollup.model import Rollup, RollupOptions
from bomaudit.rollup.totals import check_declared_mass, propagate, sku_frame, with_value_fraction
from bomaudit.vocab import Basis

if TYPE_CHECKING:
    from bomaudit.normalise import Bom


def rollup(bom: Bom, options: RollupOptions) -> Rollup:
    """Raises BomauditError on a cycle or on a part with more rare earth than mass.

    With alternates (lines joined by "OR"), twice: with all of them, then with the one per group
    that :func:`~bomaudit.rollup.alternates.choose` keeps."""
    rolled = _rollup(bom, options)
    if bom.alternates is None:
        return rolled
    import dataclasses

    from bomaudit.rollup.alternates import choose

    drop, chosen = choose(bom.alternates, rolled.skus, options.threshold, worst=options.alternates == "worst")
    key = ["_file", "_sheet", "_row", "child"]
    edges = bom.edges.join(drop, on=key, how="anti", nulls_equal=True)
    # an alternate left out and used nowhere else is not in the BOM (not a product of its own)
    gone = set(bom.edges.join(drop, on=key, how="semi", nulls_equal=True)["child"].to_list()) - set(edges["child"].to_list())
    again = _rollup(dataclasses.replace(bom, edges=edges, retired=bom.retired | gone), options)
    again.warnings[:0] = chosen
    return again


def _rollup(bom: Bom, options: RollupOptions) -> Rollup:
    issues = Collector()
    graph = build_graph(bom, issues)
    leaves = leaf_values(bom, graph, options, issues)
    totals = propagate(graph, leaves, options.controlled)
    check_declared_mass(graph, leaves, totals, issues)
    skus = sku_frame(graph, leaves, totals)
    skus = with_parts_below(skus, graph, leaves, totals, on_value=options.basis is Basis.value)
    skus = with_value_fraction(skus)
    return Rollup(skus, leaves.elements, list(issues.warnings), links=int(graph.parent.size))
