"""Graph algorithms on the BOM as integer arrays: node ids, heights, levels, cycles, closure.

Nodes are the positions of the sorted SKU names; an edge is ``parent[i] → child[i]``. Everything
here is NumPy (and Polars for the large sorts) over those arrays, level by level, and a level
costs time in proportion to its own edges only, so the whole walk is linear in the edges however
deep the BOM is. A thin level (a chain 100,000 deep is all thin levels) is done in plain Python,
in the same order as the vectorised path, so both give the same bits: there NumPy's cost per
call, not the data, would be the time. Nothing here knows what a SKU's attributes mean.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import polars as pl

#: a level (or a frontier, or a parent's closure rows) of at most this many edges is done in plain
#: Python: a vectorised step costs tens of NumPy calls, each a microsecond or more
THIN = 64
#: at most this many thin levels' edges (or pending closure rows) are held as Python lists at once
CHUNK = 1 << 16


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
    """Height of every node (0 for leaves, else 1 + max over children); -1 left on cycles.

    Leaves first, one frontier per height; a frontier costs time in proportion to its nodes and
    their edges (never to ``n``), so a chain 100,000 deep is linear. A small frontier is walked
    in plain Python: there NumPy's per-call cost would be most of the time.
    """
    import numpy as np
    import polars as pl

    height = np.full(n, -1, dtype=np.int64)
    remaining = np.bincount(parent, minlength=n)
    # edges grouped by child; the order inside a group does not matter, so Polars' parallel sort
    users = parent[pl.Series(child).arg_sort().to_numpy()]
    ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(child, minlength=n), out=ptr[1:])
    frontier = np.flatnonzero(remaining == 0)
    level = 0
    while frontier.size:
        if frontier.size <= THIN:
            frontier, level = _few_levels(frontier, level, users, ptr, remaining, height)
            continue
        height[frontier] = level
        parents = users[expand(ptr[frontier], ptr[frontier + 1] - ptr[frontier])]
        uniq, times = np.unique(parents, return_counts=True)
        remaining[uniq] -= times
        frontier = uniq[remaining[uniq] == 0]
        level += 1
    return height


def _few_levels(frontier: np.ndarray, level: int, users: np.ndarray, ptr: np.ndarray, remaining: np.ndarray, height: np.ndarray) -> tuple[np.ndarray, int]:
    """The heights of small frontiers, in plain Python, until one has more than THIN nodes (or
    none): that frontier and its height are returned."""
    import numpy as np

    nodes = frontier.tolist()
    while nodes and len(nodes) <= THIN:
        ready: list[int] = []
        for node in nodes:
            height[node] = level
            lo, hi = ptr.item(node), ptr.item(node + 1)
            if hi - lo > THIN:  # a part used by many assemblies: its users (distinct) at once
                ups = users[lo:hi]
                remaining[ups] -= 1
                ready.extend(ups[remaining[ups] == 0].tolist())
                continue
            for p in users[lo:hi].tolist():
                left = remaining.item(p) - 1
                remaining[p] = left
                if not left:
                    ready.append(p)
        nodes, level = ready, level + 1
    return np.array(nodes, dtype=np.int64), level


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
    #: levels 1 … top as (lo, hi, thin) ranges lo … hi - 1, leaves first: a wide level alone,
    #: consecutive thin ones (at most THIN edges each) together, up to CHUNK edges at a time
    runs: list[tuple[int, int, bool]]

    @classmethod
    def of(cls, height: np.ndarray, parent: np.ndarray) -> Levels:
        import numpy as np

        top = int(height.max(initial=0))
        edge_h = height[parent].astype(np.int16 if top < 2**15 else np.int64)
        order = np.argsort(edge_h, kind="stable")  # a radix sort for 16-bit keys
        bounds = np.searchsorted(edge_h[order], np.arange(1, top + 2))
        return cls(order, bounds, _runs(np.diff(bounds).tolist()))

    @property
    def top(self) -> int:
        return self.bounds.size - 1

    def span(self, lo: int, hi: int) -> np.ndarray:
        """The edges of levels lo … hi - 1, level after level."""
        return self.order[self.bounds[lo - 1] : self.bounds[hi - 1]]


def _runs(sizes: list[int]) -> list[tuple[int, int, bool]]:
    runs: list[tuple[int, int, bool]] = []
    lv, top = 1, len(sizes)
    while lv <= top:
        if sizes[lv - 1] > THIN:
            runs.append((lv, lv + 1, False))
            lv += 1
            continue
        hi, edges = lv, 0
        while hi <= top and sizes[hi - 1] <= THIN and (hi == lv or edges + sizes[hi - 1] <= CHUNK):
            edges += sizes[hi - 1]
            hi += 1
        runs.append((lv, hi, True))
        lv = hi
    return runs


def sum_up(levels: Levels, parent: np.ndarray, child: np.ndarray, sums: list[tuple[np.ndarray, np.ndarray]], flags: list[np.ndarray]) -> None:
    """In place, leaves first: ``column[p] += Σ column[c] · weight[e]`` over the edges e = p → c,
    added in edge order, for every (column, weight) of ``sums``; ``flag[p] |= any flag[c]``.

    A wide level adds with bincount; thin levels add in plain Python, in the same order, so the
    two give the same bits and the cost is linear in the edges however deep the BOM is.
    """
    for lo, hi, thin in levels.runs:
        (_sum_thin if thin else _sum_wide)(levels.span(lo, hi), parent, child, sums, flags)


def _sum_wide(sel: np.ndarray, parent: np.ndarray, child: np.ndarray, sums: list[tuple[np.ndarray, np.ndarray]], flags: list[np.ndarray]) -> None:
    """:func:`sum_up` over one level's edges ``sel``, sorted by parent."""
    import numpy as np

    p_sel, c_sel = parent[sel], child[sel]
    first = np.concatenate(([True], p_sel[1:] != p_sel[:-1]))
    local, up = np.cumsum(first) - 1, p_sel[first]
    weights: dict[int, np.ndarray] = {}
    for col, w in sums:
        w_sel = weights.setdefault(id(w), w[sel])
        # bincount adds each parent's terms in edge order (reduceat on a matrix adds in another)
        col[up] += np.bincount(local, weights=col[c_sel] * w_sel, minlength=up.size)
    starts = np.flatnonzero(first)
    for flag in flags:
        flag[up] |= np.logical_or.reduceat(flag[c_sel], starts)


def _sum_thin(sel: np.ndarray, parent: np.ndarray, child: np.ndarray, sums: list[tuple[np.ndarray, np.ndarray]], flags: list[np.ndarray]) -> None:
    """:func:`sum_up` over thin levels' edges ``sel`` (level after level, each sorted by parent), in Python."""
    import numpy as np

    p_sel, c_sel = parent[sel], child[sel]
    nodes = np.unique(np.concatenate((p_sel, c_sel)))  # the run's nodes, numbered 0, 1, … here
    p, c = np.searchsorted(nodes, p_sel).tolist(), np.searchsorted(nodes, c_sel).tolist()
    ups = np.unique(p_sel)
    up_at = np.searchsorted(nodes, ups)
    weights: dict[int, list[float]] = {}
    for col, w in sums:
        v = col[nodes].tolist()
        cur, acc = p[0], 0.0
        for pi, ci, wi in zip(p, c, weights.setdefault(id(w), w[sel].tolist()), strict=True):
            if pi != cur:  # a parent's edges are together, its children are done
                v[cur] += acc
                cur, acc = pi, 0.0
            acc += v[ci] * wi
        v[cur] += acc
        col[ups] = np.array(v)[up_at]
    for flag in flags:
        v = flag[nodes].tolist()
        for pi, ci in zip(p, c, strict=True):
            if v[ci]:
                v[pi] = True
        flag[ups] = np.array(v)[up_at]


def spread_down(levels: Levels, parent: np.ndarray, child: np.ndarray, mark: np.ndarray) -> None:
    """In place, top level first: ``mark[c] |= mark[p]`` over every edge p → c, so a mark reaches everything below it."""
    import numpy as np

    for lo, hi, thin in reversed(levels.runs):
        sel = levels.span(lo, hi)
        if not thin:
            mark[child[sel[mark[parent[sel]]]]] = True
            continue
        p_sel, c_sel = parent[sel[::-1]], child[sel[::-1]]  # the upper levels first
        nodes = np.unique(np.concatenate((p_sel, c_sel)))
        v = mark[nodes].tolist()
        for pi, ci in zip(np.searchsorted(nodes, p_sel).tolist(), np.searchsorted(nodes, c_sel).tolist(), strict=True):
            if v[pi]:
                v[ci] = True
        mark[nodes] = v


def find_cycle(parent: np.ndarray, child: np.ndarray, stuck: np.ndarray) -> list[int]:
    """One cycle among the nodes that never became ready (error path only), as node ids, its
    first node repeated at the end: from the smallest stuck node, always to the smallest stuck
    child (ids follow the sorted names). Linear in the edges, without recursion."""
    import numpy as np

    is_stuck = np.zeros(max(int(parent.max(initial=0)), int(child.max(initial=0))) + 1, dtype=bool)
    is_stuck[stuck] = True
    inside = is_stuck[parent] & is_stuck[child]
    # edges are sorted by (parent, child): a parent's first edge inside leads to its smallest child
    ps, first = np.unique(parent[inside], return_index=True)
    step = np.full(is_stuck.size, -1, dtype=np.int64)
    step[ps] = child[inside][first]
    seen: dict[int, int] = {}
    path: list[int] = []
    node = int(stuck.min())
    while node not in seen:  # every stuck node has a stuck child: the walk must come back
        seen[node] = len(path)
        path.append(node)
        node = step.item(node)
    return [*path[seen[node] :], node]


class _Grow:
    """A 1-d array grown by doubling: appending k items costs O(k), amortised."""

    def __init__(self, first: np.ndarray) -> None:
        self.data = first.copy()
        self.size = first.size

    def extend(self, more: object) -> None:
        import numpy as np

        more = np.asarray(more, dtype=self.data.dtype)
        end = self.size + more.size
        if end > self.data.size:
            grown = np.empty(max(end, 2 * self.data.size), dtype=self.data.dtype)
            grown[: self.size] = self.data[: self.size]
            self.data = grown
        self.data[self.size : end] = more
        self.size = end

    @property
    def view(self) -> np.ndarray:
        return self.data[: self.size]


class _Closure:
    """The closure's rows so far (node, leaf, count), each node's together and sorted by leaf,
    with where every node's rows start and how many there are. Rows made in Python wait, per
    node, until :meth:`flush` appends them; the vectorised step flushes first."""

    def __init__(self, n: int, leaves: np.ndarray) -> None:
        import numpy as np

        self.n = n
        self.start = np.zeros(n, dtype=np.int64)
        self.length = np.zeros(n, dtype=np.int64)
        self.start[leaves] = np.arange(leaves.size)
        self.length[leaves] = 1
        ids = leaves.astype(np.int64)
        self.node, self.leaf, self.amount = _Grow(ids), _Grow(ids), _Grow(np.ones(leaves.size))
        self.pending: dict[int, tuple[list[int], list[float]]] = {}  # node -> its rows, in the order made
        self.pending_rows = 0

    def flush(self) -> None:
        import numpy as np

        if not self.pending:
            return
        nodes = np.fromiter(self.pending, dtype=np.int64, count=len(self.pending))
        lengths = np.fromiter((len(leaves) for leaves, _ in self.pending.values()), dtype=np.int64, count=nodes.size)
        self.start[nodes] = self.leaf.size + np.cumsum(lengths) - lengths
        self.length[nodes] = lengths
        self.node.extend(np.repeat(nodes, lengths))
        self.leaf.extend([leaf for leaves, _ in self.pending.values() for leaf in leaves])
        self.amount.extend([a for _, amounts in self.pending.values() for a in amounts])
        self.pending.clear()
        self.pending_rows = 0

    def count(self, node: int) -> int:
        rows = self.pending.get(node)
        return len(rows[0]) if rows is not None else self.length.item(node)

    def rows_of(self, node: int) -> tuple[list[int], list[float]]:
        """The (leaf, count) rows of a node that has them all."""
        rows = self.pending.get(node)
        if rows is not None:
            return rows
        s, k = self.start.item(node), self.length.item(node)
        return self.leaf.data[s : s + k].tolist(), self.amount.data[s : s + k].tolist()

    def add_wide(self, sel: np.ndarray, parent: np.ndarray, child: np.ndarray, qty: np.ndarray) -> None:
        """The rows of the parents of edges ``sel`` (every edge of each, sorted by parent; their children done), vectorised."""
        import numpy as np

        self.flush()
        counts = self.length[child[sel]]
        if not counts.any():
            return
        rows = expand(self.start[child[sel]], counts)
        edge_of_row = np.repeat(sel, counts)
        keys = parent[edge_of_row] * self.n + self.leaf.view[rows]
        uniq, inv = np.unique(keys, return_inverse=True)
        sums = np.bincount(inv, weights=qty[edge_of_row] * self.amount.view[rows], minlength=uniq.size)
        new_node, new_leaf = uniq // self.n, uniq % self.n
        first = np.flatnonzero(np.concatenate(([True], new_node[1:] != new_node[:-1])))
        self.start[new_node[first]] = self.leaf.size + first
        self.length[new_node[first]] = np.diff(np.append(first, uniq.size))
        self.node.extend(new_node)
        self.leaf.extend(new_leaf)
        self.amount.extend(sums)

    def add_thin(self, sel: np.ndarray, parent: np.ndarray, child: np.ndarray, qty: np.ndarray) -> None:
        """:meth:`add_wide` in Python, adding in the same order: one parent at a time, a parent
        with many rows below it still vectorised."""
        p, c, q = parent[sel].tolist(), child[sel].tolist(), qty[sel].tolist()
        i, end = 0, len(p)
        while i < end:
            j = i + 1
            while j < end and p[j] == p[i]:
                j += 1
            if sum(map(self.count, c[i:j])) > THIN:
                self.add_wide(sel[i:j], parent, child, qty)
            else:
                self._add_parent(p[i], c[i:j], q[i:j])
            i = j
        self.flush()

    def _add_parent(self, node: int, children: list[int], qty: list[float]) -> None:
        if len(children) == 1:  # one child's rows are already one per leaf, sorted: scaled only
            leaves, amounts = self.rows_of(children[0])
            q = qty[0]
            # 0.0 + …: what bincount adds to, so the bits are the same (-0.0 becomes 0.0)
            keys, sums = leaves, [0.0 + q * a for a in amounts]
        else:
            acc: dict[int, float] = {}
            for ci, qi in zip(children, qty, strict=True):
                leaves, amounts = self.rows_of(ci)
                for leaf, amount in zip(leaves, amounts, strict=True):
                    acc[leaf] = acc.get(leaf, 0.0) + qi * amount
            keys = sorted(acc)
            sums = [acc[k] for k in keys]
        if keys:
            self.pending[node] = (keys, sums)
            self.pending_rows += len(keys)
            if self.pending_rows >= CHUNK:
                self.flush()


def closure(parent: np.ndarray, child: np.ndarray, qty: np.ndarray, levels: Levels, n: int, leaves: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(node, leaf, count): total count of ``leaf`` per one unit of ``node``, summed over every
    path, for the given leaves only, each node's rows together and sorted by leaf.

    Built level by level, leaves first: a parent's rows come from its children's rows, found
    through a per-node (start, length) index, so no path is materialised and nothing is sorted
    but each level's new rows, appended to buffers that grow by doubling. Sums run in a fixed
    order (edges by parent and child, then each child's rows), so the result is the same on
    every run, and the same whether a level went through NumPy or (a thin one) through Python.
    """
    rows = _Closure(n, leaves)
    for lo, hi, thin in levels.runs:
        (rows.add_thin if thin else rows.add_wide)(levels.span(lo, hi), parent, child, qty)
    rows.flush()
    return rows.node.view, rows.leaf.view, rows.amount.view
