"""The naive reference roll-up: what a competent engineer writes in an afternoon.

pandas reads the two files; a recursive Python function with memoisation walks the tree.
Per SKU: total mass (g) and China-origin controlled grams (Sm, Gd, Tb, Dy, Lu, Sc, Y; origin
CN, or none given, as bomaudit's default --unknown-origin china counts it).

    python bench/reference.py BOM.csv PARTS.csv OUT.json
"""

from __future__ import annotations

import json
import sys
from functools import cache

import pandas as pd

CONTROLLED = ("Sm", "Gd", "Tb", "Dy", "Lu", "Sc", "Y")


def main(bom_path: str, parts_path: str, out_path: str) -> None:
    bom = pd.read_csv(bom_path, dtype={"parent": str, "sku": str})
    parts = pd.read_csv(parts_path, dtype={"sku": str}).set_index("sku")
    sys.setrecursionlimit(10_000)
    children: dict[str, list[tuple[str, float]]] = {}
    for row in bom.itertuples(index=False):
        if isinstance(row.parent, str):
            children.setdefault(row.parent, []).append((row.sku, float(row.qty)))

    @cache
    def rollup(sku: str) -> tuple[float, float]:
        if sku in children:
            mass = cn = 0.0
            for child, qty in children[sku]:
                m, c = rollup(child)
                mass += qty * m
                cn += qty * c
            return mass, cn
        part = parts.loc[sku]
        mass = float(part["mass_g"])
        content = sum(float(part[f"{el}_pct"]) / 100 * mass for el in CONTROLLED if f"{el}_pct" in part and pd.notna(part[f"{el}_pct"]))
        origin = part.get("re_origin")
        chinese = pd.isna(origin) or origin == "CN"
        return mass, content if chinese else 0.0

    skus = set(bom["sku"]) | set(bom["parent"].dropna())
    result = {sku: rollup(sku) for sku in sorted(skus)}
    with open(out_path, "w") as fh:
        json.dump({sku: {"mass_g": m, "cn_controlled_g": c} for sku, (m, c) in result.items()}, fh)


if __name__ == "__main__":
    main(*sys.argv[1:4])
