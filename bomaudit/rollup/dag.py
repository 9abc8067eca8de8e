"""Graph algorithms on the BOM as integer arrays: node ids, heights, levels, cycles, closure.

Nodes are the positions of the sorted SKU names; an edge is ``parent[i] → child[i]``. Everything
here is NumPy (and Polars for the large sorts) over those arrays: loops run over levels, never
over rows. Nothing here knows what a SKU's attributes mean.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import polars as pl


def node_ids(edges: pl.DataFrame, tops: list[str]) -> tuple[pl.Series, np.ndarray, np.ndarray]:
    """Every SKU name, sorted, and the parent and child of each edge as indices into it.

    One categorical cast hashes each cell once (both columns in parallel); only the distinct
    names are sorted, and the codes are mapped to positions in that order. Polars' categories
    are process-wide, so codes need not start at 0 or be dense: ``position`` spans the largest.
    """
    import numpy as np
    import polars as pl

    cat = edges.select(pl.col("parent").cast(pl.Categorical), pl.col("child").cast(pl.Categorical))
    distinct = pl.concat([cat["parent"], cat["child"], pl.Series(tops, dtype=pl.String).cast(pl.Categorical)]).unique()
    text = distinct.cast(pl.String)
    order = text.arg_sort().to_numpy()
    codes = distinct.to_physical().to_numpy().astype(np.int64)
    position = np.zeros(int(codes.max(initial=0)) + 1, dtype=np.int64)
    position[codes[order]] = np.arange(codes.size)
    parent = position[cat["parent"].to_physical().to_numpy()]
    child = position[cat["child"].to_physical().to_numpy()]
    return text.gather(order), parent, child


def topological_heights(n: int, parent: np.ndarray, child: np.ndarray) -> np.ndarray:
    """Height of every node (0 for leaves, else 1 + max over children); -1 left on cycles."""
    import numpy as np
    import polars as pl

    height = np.full(n, -1, dtype=np.int64)
    remaining = np.bincount(parent, minlength=n)
    # edges grouped by child; the order inside a group does not matter, so Polars' parallel sort
    order = pl.Series(child).arg_sort().to_numpy()
    ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(child, minlength=n), out=ptr[1:])
    frontier = np.flatnonzero(remaining == 0)
    level = 0
    while frontier.size:
        height[frontier] = level
        parents = parent[order[expand(ptr[frontier], ptr[frontier + 1] - ptr[frontier])]]
        if parents.size == 0:
            break
        remaining -= np.bincount(parents, minlength=n)
        touched = np.zeros(n, dtype=bool)
        touched[parents] = True
        frontier = np.flatnonzero(touched & (remaining == 0))
        level += 1
    return height


def expand(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """The indices ``starts[i] .. starts[i] + counts[i] - 1`` for every i, concatenated."""
    import numpy as np

    total = int(counts.sum())
    return np.repeat(starts - np.cumsum(counts) + counts, counts) + np.arange(total)


@dataclass(frozen=True, slots=True)
class Levels:
    """Edges grouped by the height of their parent (1, 2, …), each group still sorted by parent."""

    order: np.ndarray
    bounds: np.ndarray  # edges of level lv: order[bounds[lv - 1] : bounds[lv]]

    @classmethod
    def of(cls, height: np.ndarray, parent: np.ndarray) -> Levels:
        import numpy as np

        top = int(height.max(initial=0))
        edge_h = height[parent].astype(np.int16 if top < 2**15 else np.int64)
        order = np.argsort(edge_h, kind="stable")  # a radix sort for 16-bit keys
        return cls(order, np.searchsorted(edge_h[order], np.arange(1, top + 2)))

    @property
    def top(self) -> int:
        return self.bounds.size - 1

    def edges(self, lv: int) -> np.ndarray:
        return self.order[self.bounds[lv - 1] : self.bounds[lv]]


def find_cycle(names: pl.Series, parent: np.ndarray, child: np.ndarray, stuck: np.ndarray) -> list[str]:
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


def closure(parent: np.ndarray, child: np.ndarray, qty: np.ndarray, levels: Levels, n: int, leaves: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(node, leaf, count): total count of ``leaf`` per one unit of ``node``, summed over every
    path, for the given leaves only, each node's rows together and sorted by leaf.

    Built level by level, leaves first: a parent's rows come from its children's rows, found
    through a per-node (start, length) index, so no path is materialised and nothing is sorted
    but each level's new rows. Sums run in a fixed order (edges by parent and child), so the
    result is the same on every run.
    """
    import numpy as np

    start = np.zeros(n, dtype=np.int64)
    length = np.zeros(n, dtype=np.int64)
    start[leaves] = np.arange(leaves.size)
    length[leaves] = 1
    nodes, leaf_parts, amounts = [leaves.astype(np.int64)], [leaves.astype(np.int64)], [np.ones(leaves.size)]
    all_leaf, all_amount = nodes[0], amounts[0]
    size = leaves.size
    for lv in range(1, levels.top + 1):
        sel = levels.edges(lv)
        counts = length[child[sel]]
        if not counts.any():
            continue
        rows = expand(start[child[sel]], counts)
        edge_of_row = np.repeat(sel, counts)
        keys = parent[edge_of_row] * n + all_leaf[rows]
        uniq, inv = np.unique(keys, return_inverse=True)
        sums = np.bincount(inv, weights=qty[edge_of_row] * all_amount[rows], minlength=uniq.size)
        new_node, new_leaf = uniq // n, uniq % n
        first = np.flatnonzero(np.concatenate(([True], new_node[1:] != new_node[:-1])))
        start[new_node[first]] = size + first
        length[new_node[first]] = np.diff(np.append(first, uniq.size))
        size += uniq.size
        nodes.append(new_node)
        leaf_parts.append(new_leaf)
        amounts.append(sums)
        # the next levels read rows of any lower level: one array, grown once per level
        all_leaf = np.concatenate(leaf_parts) if len(leaf_parts) > 1 else leaf_parts[0]
        all_amount = np.concatenate(amounts) if len(amounts) > 1 else amounts[0]
    return np.concatenate(nodes), all_leaf, all_amount
