"""The naive reference roll-up: what a competent engineer writes in an afternoon.

pandas reads the parent-child BOM and the parts file; a recursive Python function with
memoisation (functools.cache, an unbounded lru_cache) walks the DAG. For every SKU in the BOM (parents, children
and declared top items), per one unit:

* mass_g: a part's mass; an assembly's is sum(qty * mass_g(child)) over its lines
  (a child listed twice under one parent counts twice);
* cn_controlled_g: for a part, (sum of its Sm, Gd, Tb, Dy, Lu, Sc, Y percentages) / 100 * mass,
  when its re_origin is China (CN, CHN, China, PRC) or blank - blank counts as China, like
  bomaudit's default `--unknown-origin china`; otherwise 0. Assemblies sum qty * child.

    python bench/reference.py BOM.csv PARTS.csv OUT.json

OUT.json: {"SKU": {"mass_g": ..., "cn_controlled_g": ...}, ...}. Needs pandas (the `bench` extra).
"""

from __future__ import annotations

import json
import math
import sys
from functools import cache

import pandas as pd

CONTROLLED = ("Sm", "Gd", "Tb", "Dy", "Lu", "Sc", "Y")
CHINA = {"CN", "CHN", "CHINA", "PRC"}


def main(bom_path: str, parts_path: str, out_path: str) -> None:
    bom = pd.read_csv(bom_path, dtype={"parent": str, "sku": str})
    parts = pd.read_csv(parts_path, dtype={"sku": str, "re_origin": str}).set_index("sku")
    part_info = parts.to_dict("index")  # sku -> {column: value}
    pct_columns = [f"{el}_pct" for el in CONTROLLED if f"{el}_pct" in parts.columns]

    children: dict[str, list[tuple[str, float]]] = {}
    for parent, sku, qty in zip(bom["parent"], bom["sku"], bom["qty"], strict=True):
        if isinstance(parent, str):  # a row without a parent only declares a top item
            children.setdefault(parent, []).append((sku, 1.0 if math.isnan(qty) else float(qty)))

    @cache
    def rollup(sku: str) -> tuple[float, float]:
        if sku in children:
            mass = cn = 0.0
            for child, qty in children[sku]:
                m, c = rollup(child)
                mass += qty * m
                cn += qty * c
            return mass, cn
        part = part_info[sku]  # a leaf missing from the parts file is an error here
        mass = float(part["mass_g"])
        pct = sum(part[col] for col in pct_columns if not pd.isna(part[col]))
        origin = part.get("re_origin")
        chinese = pd.isna(origin) or str(origin).strip().upper() in CHINA
        return mass, pct / 100 * mass if chinese else 0.0

    sys.setrecursionlimit(100_000)
    skus = set(bom["sku"]) | set(bom["parent"].dropna())
    result = {}
    for sku in sorted(skus):
        mass, cn = rollup(sku)
        result[sku] = {"mass_g": mass, "cn_controlled_g": cn}
    with open(out_path, "w") as fh:
        json.dump(result, fh)


if __name__ == "__main__":
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    main(*sys.argv[1:4])
