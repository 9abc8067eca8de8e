"""Deterministic generator of realistic multi-level BOMs for the benchmark.

    python bench/generate.py 1M            # bench/data/bom_1M.csv, .parquet, parts_1M.csv
    python bench/generate.py 100k --xlsx   # also bench/data/bom_100k_indented.xlsx

Shape: products -> assemblies -> sub-assemblies (levels 1-6) -> parts, so the deepest path has 8
levels. Every assembly lists ten lines: four sub-assemblies of the next level (chosen at random,
so sub-assemblies are shared by many parents), four ordinary parts, one of five standard
fasteners (each used under ~10^5 parents at 1M lines) and, three times in ten, a magnet (each of
the magnet SKUs used under thousands of parents). Fixed seed: the same size gives the same files.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import polars as pl

DATA = Path(__file__).with_name("data")
SIZES = {"10k": 10_000, "100k": 100_000, "1M": 1_000_000, "5M": 5_000_000}
LEVELS = 7  # assembly levels 0 (products) .. 6
FANOUT = 10
# share of assemblies on each level, products first
LEVEL_SHARE = np.array([0.005, 0.02, 0.05, 0.1, 0.175, 0.25, 0.4])


def generate(lines: int, seed: int = 20251009) -> tuple[pl.DataFrame, pl.DataFrame]:
    rng = np.random.default_rng(seed)
    assemblies = max(LEVELS, lines // FANOUT)
    per_level = np.maximum(1, (LEVEL_SHARE * assemblies).astype(int))
    n_parts = max(50, lines // 40)
    n_magnets = max(5, lines // 5000)
    frames = []
    for level, count in enumerate(per_level):
        parent = np.repeat(np.arange(count), FANOUT)
        slot = np.tile(np.arange(FANOUT), count)
        kind = np.where(slot < 4, "sub", np.where(slot < 8, "part", np.where(slot == 8, "std", "mag")))
        if level == LEVELS - 1:
            kind = np.where(kind == "sub", "part", kind)
        mag_here = rng.random(parent.size) < 0.3
        kind = np.where((kind == "mag") & ~mag_here, "part", kind)
        child_idx = np.where(
            kind == "sub",
            rng.integers(0, per_level[min(level + 1, LEVELS - 1)], parent.size),
            np.where(
                kind == "std",
                rng.integers(0, 5, parent.size),
                np.where(kind == "mag", rng.integers(0, n_magnets, parent.size), rng.integers(0, n_parts, parent.size)),
            ),
        )
        qty = np.where(kind == "std", rng.integers(2, 13, parent.size), rng.integers(1, 5, parent.size)).astype(float)
        qty = np.where((kind == "part") & (rng.random(parent.size) < 0.05), 0.5, qty)
        frame = pl.DataFrame({"p": parent, "kind": kind, "c": child_idx, "qty": qty})
        frames.append(
            frame.select(
                parent=pl.lit(f"A{level}-") + pl.col("p").cast(pl.String).str.zfill(7),
                sku=pl.when(pl.col("kind") == "sub")
                .then(pl.lit(f"A{level + 1}-") + pl.col("c").cast(pl.String).str.zfill(7))
                .when(pl.col("kind") == "std")
                .then(pl.lit("STD-") + pl.col("c").cast(pl.String))
                .when(pl.col("kind") == "mag")
                .then(pl.lit("MAG-") + pl.col("c").cast(pl.String).str.zfill(5))
                .otherwise(pl.lit("PRT-") + pl.col("c").cast(pl.String).str.zfill(7)),
                qty=pl.col("qty"),
            )
        )
    tops = pl.DataFrame(
        {"parent": [None] * int(per_level[0]), "sku": [f"A0-{i:07d}" for i in range(per_level[0])], "qty": [None] * int(per_level[0])},
        schema={"parent": pl.String, "sku": pl.String, "qty": pl.Float64},
    )
    bom = pl.concat([tops, *frames])
    parts = pl.DataFrame(
        {
            "sku": [f"PRT-{i:07d}" for i in range(n_parts)] + [f"STD-{i}" for i in range(5)] + [f"MAG-{i:05d}" for i in range(n_magnets)],
            "mass_g": np.round(np.concatenate([rng.uniform(0.2, 400, n_parts), rng.uniform(0.5, 8, 5), rng.uniform(1, 60, n_magnets)]), 3),
            "Dy_pct": [None] * (n_parts + 5) + list(np.round(rng.uniform(0, 8, n_magnets), 2)),
            "Tb_pct": [None] * (n_parts + 5) + list(np.round(rng.uniform(0, 1, n_magnets), 2)),
            "re_origin": [None] * (n_parts + 5) + list(rng.choice(["CN", "CN", "JP", "DE", ""], n_magnets)),
        }
    ).with_columns(pl.col("re_origin").replace("", None))
    return bom, parts


def indented(bom: pl.DataFrame, max_lines: int) -> list[tuple[int, str, float]]:
    """Depth-first expansion of products until max_lines rows (shared sub-assemblies repeat)."""
    children: dict[str, list[tuple[str, float]]] = {}
    for p, c, q in bom.filter(pl.col("parent").is_not_null()).iter_rows():
        children.setdefault(p, []).append((c, q))
    rows: list[tuple[int, str, float]] = []
    tops = bom.filter(pl.col("parent").is_null())["sku"].to_list()
    for top in tops:
        stack = [(0, top, 1.0)]
        block: list[tuple[int, str, float]] = []
        while stack:
            level, sku, qty = stack.pop()
            block.append((level, sku, qty))
            for c, q in reversed(children.get(sku, [])):
                stack.append((level + 1, c, q))
        if rows and len(rows) + len(block) > max_lines * 1.2:
            break
        rows.extend(block)
    return rows


def write(size: str, xlsx: bool = False) -> dict[str, Path]:
    DATA.mkdir(exist_ok=True)
    bom, parts = generate(SIZES[size])
    out = {"csv": DATA / f"bom_{size}.csv", "parquet": DATA / f"bom_{size}.parquet", "parts": DATA / f"parts_{size}.csv"}
    bom.write_csv(out["csv"])
    bom.write_parquet(out["parquet"])
    parts.write_csv(out["parts"])
    if xlsx:
        import openpyxl

        out["xlsx"] = DATA / f"bom_{size}_indented.xlsx"
        wb = openpyxl.Workbook(write_only=True)
        ws = wb.create_sheet("BOM")
        ws.append(["Level", "Part Number", "Qty"])
        for level, sku, qty in indented(bom, SIZES[size]):
            ws.append([level, sku, qty])
        wb.save(out["xlsx"])
    return out


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("size", choices=list(SIZES))
    ap.add_argument("--xlsx", action="store_true", help="also write an indented XLSX (sizes up to 100k)")
    args = ap.parse_args()
    for kind, path in write(args.size, args.xlsx).items():
        print(kind, path, f"{path.stat().st_size / 1e6:.1f} MB")
