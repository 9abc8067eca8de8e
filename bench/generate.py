"""Deterministic generator of realistic multi-level bills of materials for the benchmark.

    python bench/generate.py 1M              # bench/data/bom_1M.csv, bom_1M.parquet, parts_1M.csv
    python bench/generate.py 10k,100k        # and bom_SIZE_indented.xlsx (default for 10k and 100k)
    python bench/generate.py all --if-stale  # every size, unless this version's files are there

The same size always gives byte-identical files (fixed seed, no clock, no hash order).

Shape (SIZE = number of BOM lines, within a few per cent):

* Assemblies on levels 0 (products) to 6; every assembly lists about ten lines:
  - each sub-assembly of level k >= 1 hangs under one "home" parent on level k-1 (so nothing
    is orphaned), and assemblies on levels 0-5 add on average one more line re-using a random
    sub-assembly one to three levels deeper: sub-assemblies are shared by many parents and
    paths have different depths (a DAG, not a tree);
  - two to seven ordinary part lines, drawn with a skewed popularity (a few parts are common);
  - standard fasteners: six SKUs; the M3 screw and M3 washer sit under ~85 % of all
    assemblies (~10^5 parents at 1M lines, ~4*10^5 at 5M), the others under 10-50 %;
  - assemblies on levels 3-6 (motors, actuators, sensors) take a magnet line half of the time
    from a small pool of magnet SKUs (8 at 10k ... 30 at 5M lines): thousands of parents each
    at 1M lines and above.
  The longest path is product (level 0) -> six assembly levels -> part: 8 levels.
* Parts file (`parts_SIZE.csv`, only the SKUs the BOM uses): sku, description, mass_g,
  Nd_pct, Dy_pct, Tb_pct, Sm_pct, re_origin.
  - NdFeB magnets: Nd ~28-31 %, Dy 0-9 % (some none at all), Tb 0-1.5 %; SmCo magnets: Sm
    ~23-26 %. Origin CN (~55 %), JP, DE, or blank (unknown; bomaudit's default counts it as
    China).
  - ~2 % of ordinary parts (sensors, small motors) carry a little Dy/Tb with an origin; all
    other parts and the fasteners have no rare-earth content (blank cells).
* `bom_SIZE.csv` / `.parquet`: columns parent, sku, qty. One row with an empty parent and qty
  per product declares the top items. A parent may list the same child twice (two position
  lines: quantities add).
* `bom_SIZE_indented.xlsx` (10k and 100k only; openpyxl write-only): sheet "BOM", columns
  Level, Part Number, Qty. It is a consistent sub-tree of the same size's parent-child BOM:
  the depth-first explosion (children in file order, shared sub-assemblies repeated at every
  use, as an ERP prints a multi-level BOM) of whole products, taken in order while they fit in
  about SIZE rows; if products alone leave room, whole assemblies of the next levels are added
  as further top items. Every item in it is exploded completely, so each SKU it contains rolls
  up to the same mass and China-origin content as in the parent-child file (run.py checks this).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import polars as pl

DATA = Path(__file__).resolve().with_name("data")
SIZES = {"10k": 10_000, "100k": 100_000, "1M": 1_000_000, "5M": 5_000_000, "20M": 20_000_000, "50M": 50_000_000}
#: what `all` means: the benchmark's sizes (20M and 50M are for capacity runs, asked by name)
BENCH_SIZES = ("10k", "100k", "1M", "5M")
XLSX_SIZES = ("10k", "100k")
SEED = 20251009
#: bump when the generated data changes, so run.py regenerates stale files
VERSION = 2

ASM_LEVELS = 7  # assembly levels 0 (products) .. 6; parts add the 8th level
LEVEL_SHARE = np.array([0.01, 0.03, 0.06, 0.11, 0.17, 0.25, 0.37])
EXPECTED_LINES_PER_ASSEMBLY = 9.68  # calibrated: keeps the line count within a few % of SIZE
STANDARD = [  # sku, description, mass_g, share of assemblies using it, qty range
    ("STD-SCREW-M3X8", "Screw ISO 7380 M3x8 A2", 0.9, 0.85, (2, 17)),
    ("STD-WASHER-M3", "Washer ISO 7089 M3 A2", 0.12, 0.85, (2, 17)),
    ("STD-SCREW-M4X10", "Screw ISO 4762 M4x10 8.8", 1.9, 0.5, (2, 13)),
    ("STD-WASHER-M4", "Washer ISO 7089 M4", 0.3, 0.5, (2, 13)),
    ("STD-NUT-M4", "Hex nut ISO 4032 M4", 1.1, 0.3, (1, 9)),
    ("STD-RIVET-4", "Blind rivet 4x8 Al", 0.5, 0.1, (4, 25)),
]
PART_NOUNS = ["Bracket", "Housing", "Cover", "Shaft", "Bearing", "Spring", "Gasket", "Cable", "PCB", "Connector", "Seal", "Plate", "Clip", "Sensor", "Motor"]
PART_MATERIALS = ["steel", "aluminium", "PA66", "brass", "copper", "PBT", "EPDM", "stainless", "FR4", "zinc"]


def paths(size: str) -> dict[str, Path]:
    out = {"csv": DATA / f"bom_{size}.csv", "parquet": DATA / f"bom_{size}.parquet", "parts": DATA / f"parts_{size}.csv"}
    if size in XLSX_SIZES:
        out["xlsx"] = DATA / f"bom_{size}_indented.xlsx"
    return out


def generate(lines: int, seed: int = SEED) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(bom, parts) for about ``lines`` BOM lines."""
    rng = np.random.default_rng(seed)
    n_asm = max(ASM_LEVELS * 3, round(lines / EXPECTED_LINES_PER_ASSEMBLY))
    per_level = np.maximum(2, np.round(LEVEL_SHARE / LEVEL_SHARE.sum() * n_asm).astype(np.int64))
    first = np.concatenate([[0], np.cumsum(per_level)])  # global id of the first assembly of each level
    n_asm = int(first[-1])
    asm_level = np.repeat(np.arange(ASM_LEVELS), per_level)
    asm_local = np.arange(n_asm) - first[asm_level]
    n_parts = max(100, lines // 25)
    n_magnets = max(8, round(8 * np.log10(lines / 1000)))

    # edges as (parent global id, child kind, child index, qty); kinds: 0 assembly, 1 part, 2 standard, 3 magnet
    par, kind, cidx, qty = [], [], [], []

    def add(p: np.ndarray, k: int, c: np.ndarray, q: np.ndarray) -> None:
        par.append(p)
        kind.append(np.full(p.size, k, dtype=np.int8))
        cidx.append(c)
        qty.append(q.astype(np.float64))

    # home parent of every assembly below level 0 (nothing orphaned)
    sub = np.arange(first[1], n_asm)
    lv = asm_level[sub]
    home = first[lv - 1] + rng.integers(0, per_level[lv - 1])
    add(home, 0, sub, np.where(rng.random(sub.size) < 0.85, 1, rng.integers(2, 5, sub.size)))
    # re-use: on average one more sub-assembly line per assembly of levels 0-5, one to three levels deeper
    upper = np.flatnonzero(asm_level < ASM_LEVELS - 1)
    extra = np.repeat(upper, rng.poisson(1.0, upper.size))
    depth = np.minimum(asm_level[extra] + rng.choice([1, 1, 1, 2, 3], extra.size), ASM_LEVELS - 1)
    add(extra, 0, first[depth] + rng.integers(0, per_level[depth]), np.where(rng.random(extra.size) < 0.8, 1, rng.integers(2, 5, extra.size)))
    # ordinary parts: 2-7 lines per assembly, popularity skewed towards low part numbers
    count = rng.integers(2, 8, n_asm)
    owner = np.repeat(np.arange(n_asm), count)
    pick = np.minimum((n_parts * rng.random(owner.size) ** 2.5).astype(np.int64), n_parts - 1)
    pq = rng.integers(1, 5, owner.size).astype(np.float64)
    pq[rng.random(owner.size) < 0.05] = 0.5
    add(owner, 1, pick, pq)
    # standard fasteners
    for i, (*_, share, (lo, hi)) in enumerate(STANDARD):
        users = np.flatnonzero(rng.random(n_asm) < share)
        add(users, 2, np.full(users.size, i), rng.integers(lo, hi, users.size))
    # magnets under motors, actuators, sensors (levels 3-6)
    users = np.flatnonzero((asm_level >= 3) & (rng.random(n_asm) < 0.5))
    add(users, 3, rng.integers(0, n_magnets, users.size), rng.choice([1, 2, 4, 6, 8, 12, 16, 24, 48], users.size))

    e = pl.DataFrame({"p": np.concatenate(par), "k": np.concatenate(kind), "c": np.concatenate(cidx), "qty": np.concatenate(qty)})
    # group the lines by parent, as an export lists them; the order within a parent is shuffled (seeded)
    e = e.with_columns(r=pl.Series(rng.random(e.height))).sort("p", "r").drop("r")
    magnets = _magnets(rng, n_magnets)
    std_names = pl.Series([s[0] for s in STANDARD])
    p_level = asm_level[e["p"].to_numpy()]
    c_asm = e["c"].to_numpy()
    c_level = np.where(e["k"].to_numpy() == 0, asm_level[np.minimum(c_asm, n_asm - 1)], 0)
    c_local = np.where(e["k"].to_numpy() == 0, c_asm - first[c_level], c_asm)
    e = e.with_columns(pl.Series("pl", p_level), pl.Series("pll", asm_local[e["p"].to_numpy()]), pl.Series("cl", c_level), pl.Series("cll", c_local))
    bom_lines = e.select(
        parent=pl.format("A{}-{}", "pl", pl.col("pll").cast(pl.String).str.zfill(7)),
        sku=pl.when(pl.col("k") == 0)
        .then(pl.format("A{}-{}", "cl", pl.col("cll").cast(pl.String).str.zfill(7)))
        .when(pl.col("k") == 1)
        .then(pl.lit("PRT-") + pl.col("c").cast(pl.String).str.zfill(7))
        .when(pl.col("k") == 2)
        .then(pl.col("c").cast(pl.UInt32).replace_strict(pl.Series(range(len(STANDARD)), dtype=pl.UInt32), std_names, return_dtype=pl.String))
        .otherwise(pl.col("c").cast(pl.UInt32).replace_strict(pl.Series(range(n_magnets), dtype=pl.UInt32), magnets["sku"], return_dtype=pl.String)),
        qty=pl.col("qty"),
    )
    tops = pl.DataFrame({"sku": [f"A0-{i:07d}" for i in range(per_level[0])]}).select(
        parent=pl.lit(None, pl.String), sku=pl.col("sku"), qty=pl.lit(None, pl.Float64)
    )
    bom = pl.concat([tops, bom_lines])

    used = e.filter(pl.col("k") == 1)["c"].unique().sort().to_numpy()
    parts = pl.concat([_ordinary_parts(rng, n_parts).filter(pl.col("i").is_in(used)).drop("i"), _standard(), magnets], how="vertical_relaxed")
    return bom, parts


def _ordinary_parts(rng: np.random.Generator, n: int) -> pl.DataFrame:
    mass = np.round(np.clip(rng.lognormal(2.0, 1.6, n), 0.05, 20_000), 3)
    noun = rng.integers(0, len(PART_NOUNS), n)
    material = rng.integers(0, len(PART_MATERIALS), n)
    # ~2 % sensors/motors with a little Dy/Tb (voice coils, encoders) and a declared origin
    re = rng.random(n) < 0.02
    dy = np.where(re, np.round(rng.uniform(0.01, 0.6, n), 3), np.nan)
    tb = np.where(re & (rng.random(n) < 0.4), np.round(rng.uniform(0.005, 0.1, n), 3), np.nan)
    origin = np.where(re, rng.choice(np.array(["CN", "CN", "JP", "DE", "VN"]), n), "")
    return pl.DataFrame(
        {
            "i": np.arange(n),
            "noun": noun,
            "material": material,
            "mass_g": mass,
            "Nd_pct": np.full(n, np.nan),
            "Dy_pct": dy,
            "Tb_pct": tb,
            "Sm_pct": np.full(n, np.nan),
            "re_origin": origin,
        }
    ).select(
        "i",
        sku=pl.lit("PRT-") + pl.col("i").cast(pl.String).str.zfill(7),
        description=pl.format(
            "{}, {}",
            pl.col("noun").replace_strict(list(range(len(PART_NOUNS))), PART_NOUNS, return_dtype=pl.String),
            pl.col("material").replace_strict(list(range(len(PART_MATERIALS))), PART_MATERIALS, return_dtype=pl.String),
        ),
        mass_g="mass_g",
        Nd_pct=pl.col("Nd_pct").fill_nan(None),
        Dy_pct=pl.col("Dy_pct").fill_nan(None),
        Tb_pct=pl.col("Tb_pct").fill_nan(None),
        Sm_pct=pl.col("Sm_pct").fill_nan(None),
        re_origin=pl.col("re_origin").replace("", None),
    )


def _standard() -> pl.DataFrame:
    return pl.DataFrame(
        {"sku": [s[0] for s in STANDARD], "description": [s[1] for s in STANDARD], "mass_g": [s[2] for s in STANDARD]},
    ).with_columns(
        Nd_pct=pl.lit(None, pl.Float64),
        Dy_pct=pl.lit(None, pl.Float64),
        Tb_pct=pl.lit(None, pl.Float64),
        Sm_pct=pl.lit(None, pl.Float64),
        re_origin=pl.lit(None, pl.String),
    )


def _magnets(rng: np.random.Generator, n: int) -> pl.DataFrame:
    smco = rng.random(n) < 0.15
    no_dy = ~smco & (rng.random(n) < 0.2)  # grain-boundary-free NdFeB grades without Dy
    origin = rng.choice(np.array(["CN"] * 11 + ["JP"] * 4 + ["DE"] * 2 + [""] * 3), n)
    return pl.DataFrame(
        {
            "sku": [f"MAG-{'SMCO' if s else 'NDFEB'}-{i:04d}" for i, s in enumerate(smco)],
            "description": ["SmCo magnet" if s else "Sintered NdFeB magnet" for s in smco],
            "mass_g": np.round(rng.uniform(0.5, 60, n), 3),
            "Nd_pct": np.where(smco, np.nan, np.round(rng.uniform(28, 31, n), 2)),
            "Dy_pct": np.where(smco | no_dy, np.nan, np.round(rng.uniform(0.5, 9, n), 2)),
            "Tb_pct": np.where(smco | (rng.random(n) < 0.5), np.nan, np.round(rng.uniform(0.1, 1.5, n), 2)),
            "Sm_pct": np.where(smco, np.round(rng.uniform(23, 26, n), 2), np.nan),
            "re_origin": origin,
        }
    ).with_columns(pl.col(["Nd_pct", "Dy_pct", "Tb_pct", "Sm_pct"]).fill_nan(None), pl.col("re_origin").replace("", None))


def explosion_rows(bom: pl.DataFrame) -> dict[str, float]:
    """Rows of each SKU's depth-first explosion (itself included), counted without expanding."""
    lines = bom.filter(pl.col("parent").is_not_null())
    # children always sit on a deeper level than their parent: process assemblies deepest first
    level = pl.col("parent").str.slice(1, 1).cast(pl.Int32)
    lines = lines.with_columns(level=level)
    rows: dict[str, float] = {}
    for lv in range(ASM_LEVELS - 1, -1, -1):
        part = lines.filter(pl.col("level") == lv)
        child_rows = part["sku"].replace_strict(rows, default=1.0, return_dtype=pl.Float64) if rows else pl.Series([1.0] * part.height)
        agg = part.with_columns(child_rows.alias("n")).group_by("parent").agg(pl.col("n").sum() + 1)
        rows.update(zip(agg["parent"].to_list(), agg["n"].to_list(), strict=True))
    return rows


def indented(bom: pl.DataFrame, target: int) -> tuple[list[tuple[int, str, float]], list[str]]:
    """Rows (level, sku, qty) of whole explosions totalling about ``target`` rows, and the tops."""
    sizes = explosion_rows(bom)
    candidates = [s for s in bom.filter(pl.col("parent").is_null())["sku"].to_list()]
    candidates += sorted((s for s in sizes if not s.startswith("A0-")), key=lambda s: (s[:3], s))  # then level 1, 2, ... assemblies
    chosen: list[str] = []
    total = 0.0
    for sku in candidates:
        n = sizes.get(sku, 1.0)
        if total + n <= target:
            chosen.append(sku)
            total += n
        if total >= 0.97 * target:
            break
    children: dict[str, list[tuple[str, float]]] = {}
    for p, c, q in bom.filter(pl.col("parent").is_not_null()).iter_rows():
        children.setdefault(p, []).append((c, q))
    rows: list[tuple[int, str, float]] = []
    for top in chosen:
        stack = [(0, top, 1.0)]
        while stack:
            level, sku, q = stack.pop()
            rows.append((level, sku, q))
            stack.extend((level + 1, c, cq) for c, cq in reversed(children.get(sku, ())))
    return rows, chosen


def write_xlsx(bom: pl.DataFrame, size: str, path: Path) -> dict[str, object]:
    import openpyxl

    rows, tops = indented(bom, SIZES[size])
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("BOM")
    ws.append(["Level", "Part Number", "Qty"])
    for row in rows:
        ws.append(row)
    tmp = path.with_suffix(".tmp.xlsx")
    wb.save(tmp)
    _pin_timestamps(tmp, path)
    tmp.unlink()
    return {"rows": len(rows), "tops": len(tops), "products": sum(t.startswith("A0-") for t in tops), "max_level": max(r[0] for r in rows)}


def _pin_timestamps(src: Path, dst: Path) -> None:
    """Copy an XLSX with fixed zip entry times and document dates, so the file is byte-identical."""
    import re
    import zipfile

    stamp = "2025-10-09T00:00:00Z"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", lambda m: m.group(1) + stamp.encode(), data)
            zout.writestr(zipfile.ZipInfo(info.filename, date_time=(2025, 10, 9, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)


def write(size: str, xlsx: bool | None = None) -> dict[str, object]:
    """Write the files of one size (XLSX by default for 10k and 100k) and its manifest; return the manifest."""
    DATA.mkdir(exist_ok=True)
    out = paths(size)
    if xlsx is None:
        xlsx = size in XLSX_SIZES
    out["xlsx"] = DATA / f"bom_{size}_indented.xlsx"
    if not xlsx:
        out.pop("xlsx")
    started = time.perf_counter()
    bom, parts = generate(SIZES[size])
    bom.write_csv(out["csv"])
    bom.write_parquet(out["parquet"])
    parts.write_csv(out["parts"])
    manifest: dict[str, object] = {"version": VERSION, "seed": SEED, "size": size, "lines": bom.height, "parts": parts.height}
    manifest["generate_s"] = round(time.perf_counter() - started, 2)
    if xlsx:
        manifest["xlsx"] = write_xlsx(bom, size, out["xlsx"])
        manifest["xlsx_s"] = round(time.perf_counter() - started - manifest["generate_s"], 2)
    manifest["files"] = {kind: path.name for kind, path in out.items()}
    (DATA / f"manifest_{size}.json").write_text(json.dumps(manifest, indent=1) + "\n")
    return manifest


def current(size: str) -> dict[str, object] | None:
    """The manifest of a size if its files exist and were made by this generator version, else None."""
    path = DATA / f"manifest_{size}.json"
    if not path.exists():
        return None
    manifest = json.loads(path.read_text())
    files = manifest.get("files", {})
    if manifest.get("version") != VERSION or not files or (size in XLSX_SIZES and "xlsx" not in files):
        return None
    if not all((DATA / name).exists() for name in files.values()):
        return None
    return manifest


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("sizes", help=f"comma-separated sizes among {', '.join(SIZES)}, or all ({', '.join(BENCH_SIZES)})")
    ap.add_argument("--xlsx", action="store_true", default=None, help="also write the indented XLSX (default: for 10k and 100k only)")
    ap.add_argument("--if-stale", action="store_true", help="leave a size alone when bench/data holds its files from this generator version")
    args = ap.parse_args()
    sizes = list(BENCH_SIZES) if args.sizes == "all" else args.sizes.split(",")
    if any(s not in SIZES for s in sizes):
        ap.error(f"sizes must be among {', '.join(SIZES)} or all")
    for size in sizes:
        if args.if_stale and current(size) is not None:
            print(f"{size}: up to date in {DATA}", flush=True)
            continue
        started = time.perf_counter()
        manifest = write(size, args.xlsx)
        print(f"{size}: {manifest['lines']:,} lines, {manifest['parts']:,} parts in {time.perf_counter() - started:.1f} s", flush=True)
        for kind, name in manifest["files"].items():
            print(f"  {kind:8} {DATA / name}  {(DATA / name).stat().st_size / 1e6:.1f} MB")
        if "xlsx" in manifest:
            print(f"  indented XLSX: {manifest['xlsx']}")


if __name__ == "__main__":
    main()
