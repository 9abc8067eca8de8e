"""Roll-up step 1: the BOM's lines as one integer graph, checked for cycles, with its products.

Edges come out in a fixed order (parent, child) with repeated lines added, so every float sum
of the later steps runs in the same order on every run and for every input order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bomaudit.errors import BomauditError, Collector
from bomaudit.rollup.dag import Levels, find_cycle, node_ids, spread_down, topological_heights

if TYPE_CHECKING:
    import numpy as np
    import polars as pl

    from bomaudit.normalise import Bom


#: a cycle of more members is named by this many of its first, its last and its length
CYCLE_SHOWN = 6


@dataclass(frozen=True, slots=True)
class Graph:
    """Nodes are positions in ``names``; edge i is ``parent[i] → child[i]``, sorted by (parent, child)."""

    names: pl.Series  # every SKU, sorted
    parent: np.ndarray
    child: np.ndarray
    qty: np.ndarray  # per one parent, repeated lines added
    bulk: np.ndarray  # per edge: a bulk line (its child's unit is one gram)
    #: per edge: the measure of a line used by one ("length", "area", "volume": its child's unit is
    #: one metre, square metre or litre), or "" for a count or a bulk line
    measure: np.ndarray
    height: np.ndarray  # per node: 0 for leaves, else 1 + max over children
    levels: Levels
    leaf: np.ndarray  # per node: no children
    has_parent: np.ndarray  # per node: used by some assembly
    reach: np.ndarray  # per node: a product not retired, or below one

    @property
    def n(self) -> int:
        return self.names.len()


def build_graph(bom: Bom, issues: Collector) -> Graph:
    import numpy as np

    names, parent, child, qty, bulk, measure = _distinct_edges(bom.edges, bom.declared_tops, issues)
    height = topological_heights(names.len(), parent, child)
    if (height < 0).any():
        raise _cycle_error(names, bom.edges, find_cycle(parent, child, np.flatnonzero(height < 0)))
    levels = Levels.of(height, parent)
    has_parent, reach = _reach(names, bom.retired, parent, child, levels)
    return Graph(names, parent, child, qty, bulk, measure, height, levels, height == 0, has_parent, reach)


def _distinct_edges(edges: pl.DataFrame, tops: list[str], issues: Collector) -> tuple[pl.Series, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(names, parent, child, qty, bulk, measure): one edge per distinct link, sorted by (parent, child).

    A child on several lines under one parent (ERP position lines) has its quantities added,
    smallest first, and is warned about.
    """
    import numpy as np

    names, parent, child = node_ids(edges, tops)
    n = names.len()
    qty = edges["qty"].to_numpy().astype(np.float64)
    # a fixed edge order (parent, child, quantity) makes every float sum below the same on every
    # run and input order; sorting by quantity makes repeated lines add up in the same order too
    order = np.argsort(parent * n + child, kind="stable")
    parent, child, qty = parent[order], child[order], qty[order]
    bulk_edge = edges["bulk"].to_numpy().astype(bool)[order]
    measure = edges["measure"].fill_null("").to_numpy().astype(str)[order] if "measure" in edges.columns else np.full(order.size, "", dtype=str)
    # a child on several lines under one parent: quantities added (ERP position lines)
    repeated = (parent[1:] == parent[:-1]) & (child[1:] == child[:-1])
    if repeated.any():
        in_group = np.flatnonzero(np.concatenate(([False], repeated)) | np.concatenate((repeated, [False])))
        by_qty = in_group[np.lexsort((qty[in_group], parent[in_group] * n + child[in_group]))]
        order[in_group], qty[in_group], bulk_edge[in_group], measure[in_group] = order[by_qty], qty[by_qty], bulk_edge[by_qty], measure[by_qty]
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
        parent, child, bulk_edge, measure = parent[starts], child[starts], bulk_edge[starts], measure[starts]
    return names, parent, child, qty, bulk_edge, measure


def _reach(names: pl.Series, retired: set[str], parent: np.ndarray, child: np.ndarray, levels: Levels) -> tuple[np.ndarray, np.ndarray]:
    """(has_parent, reach). Products are the nodes nobody uses; SKUs dropped by effectivity
    are not products, and what only they used is left out with them."""
    import numpy as np

    n = names.len()
    has_parent = np.zeros(n, dtype=bool)
    has_parent[child] = True
    is_retired = names.is_in(sorted(retired)).to_numpy() if retired else np.zeros(n, dtype=bool)
    reach = ~has_parent & ~is_retired
    spread_down(levels, parent, child, reach)
    return has_parent, reach


def _cycle_error(names: pl.Series, edges: pl.DataFrame, cycle: list[int]) -> BomauditError:
    """The cycle, at the row of its closing link: every member of a short one; of a long one its
    length, its first members and its last (a message listing 50,000 SKUs helps no one)."""
    import polars as pl

    members = len(cycle) - 1
    last, first = names[cycle[-2]], names[cycle[0]]
    if members <= CYCLE_SHOWN + 1:  # eliding would hide no member
        what = f"the BOM has a cycle: {' → '.join(names[i] for i in cycle)}"
    else:
        shown = " → ".join(names[i] for i in cycle[:CYCLE_SHOWN])
        what = f"the BOM has a cycle of {members:,} SKUs: {shown} → … → {last} → {first}"
    link = edges.filter((pl.col("parent") == last) & (pl.col("child") == first)).row(0, named=True)
    return BomauditError.at(
        "cycle",
        f"{what} (this row: {last} → {first})",
        "an assembly cannot contain itself; fix the parent or part number of one of its rows",
        file=link["_file"],
        sheet=link["_sheet"],
        row=link["_row"],
    )
