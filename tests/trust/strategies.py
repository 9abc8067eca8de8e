"""Random BOM DAGs for property tests: shared sub-assemblies, quantities, units, missing data."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import strategies as st

ORIGINS = ("CN", "JP", "DE", None)


@dataclass(frozen=True)
class Leaf:
    sku: str
    mass_g: float | None
    dy_pct: float | None
    tb_g: float | None
    origin: str | None
    cn_tech: bool


@dataclass(frozen=True)
class RandomBom:
    """Edges go from a higher-numbered node to a lower-numbered one, so the graph is a DAG."""

    edges: tuple[tuple[str, str, float], ...]  # parent, child, qty
    leaves: tuple[Leaf, ...]
    tops: tuple[str, ...]

    def bom_rows(self) -> list[list[str]]:
        rows = [["parent", "sku", "qty"]]
        rows += [["", t, ""] for t in self.tops]
        rows += [[p, c, repr(q)] for p, c, q in self.edges]
        return rows

    def parts_rows(self, unit: str = "g") -> list[list[str]]:
        factor = {"g": 1.0, "kg": 1000.0, "mg": 0.001}[unit]
        rows = [["sku", f"mass_{unit}", "Dy_pct", f"Tb_{unit}", "re_origin", "cn_tech"]]
        for leaf in self.leaves:
            rows.append(
                [
                    leaf.sku,
                    "" if leaf.mass_g is None else repr(leaf.mass_g / factor),
                    "" if leaf.dy_pct is None else repr(leaf.dy_pct),
                    "" if leaf.tb_g is None else repr(leaf.tb_g / factor),
                    leaf.origin or "",
                    "yes" if leaf.cn_tech else "",
                ]
            )
        return rows


quantities = st.one_of(st.integers(1, 12).map(float), st.sampled_from([0.5, 0.25, 1.5, 2.5]))


@st.composite
def random_boms(draw: st.DrawFn, max_nodes: int = 12) -> RandomBom:
    n = draw(st.integers(3, max_nodes))
    names = [f"N{i:02d}" for i in range(n)]
    n_leaves = draw(st.integers(1, max(1, n - 2)))
    edges: dict[tuple[str, str], float] = {}
    for i in range(n_leaves, n):
        children = draw(st.lists(st.integers(0, i - 1), min_size=1, max_size=4, unique=True))
        for c in children:
            edges[(names[i], names[c])] = draw(quantities)
    used = {c for _, c in edges}
    parents = {p for p, _ in edges}
    leaves = []
    for i in range(n_leaves):
        if names[i] not in used:
            continue
        mass = draw(st.one_of(st.none(), st.floats(0.5, 2000, allow_nan=False).map(lambda x: round(x, 3))))
        mass = mass if draw(st.integers(0, 9)) else None  # some missing masses
        if mass is None and draw(st.booleans()):
            mass = 10.0
        dy = draw(st.one_of(st.none(), st.floats(0, 10).map(lambda x: round(x, 2))))
        tb = draw(st.one_of(st.none(), st.floats(0, 0.05).map(lambda x: round(x, 4))))
        if mass is not None and tb is not None and tb + (dy or 0) / 100 * mass > mass:
            tb = None
        leaves.append(Leaf(names[i], mass, dy, tb, draw(st.sampled_from(ORIGINS)), draw(st.integers(0, 9)) == 0))
    tops = tuple(sorted(p for p in parents if p not in used))
    return RandomBom(tuple((p, c, q) for (p, c), q in sorted(edges.items())), tuple(leaves), tops)
