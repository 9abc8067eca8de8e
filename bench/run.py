"""The benchmark: bomaudit against Polars reading the same files and a naive pandas roll-up.

    python bench/run.py                      # sizes 10k,100k,1M; 3 repeats
    python bench/run.py --sizes 1M,5M --repeat 5

Everything runs side by side in one process tree, alternating, so a busy shared machine slows
all contenders alike; the table reports medians and the ratios the targets are stated in.
Before any time is reported, bomaudit's JSON must agree with the reference on every SKU.
Peak memory is each child's maximum resident set size (os.wait4).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import DATA, SIZES, write  # noqa: E402

PY = sys.executable
BOMAUDIT = [PY, "-m", "bomaudit"]
REFERENCE_LIMIT = 2_000_000  # lines; beyond this the naive reference takes too long to repeat


def timed(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        raise SystemExit(f"failed ({code}): {' '.join(cmd)}\n{proc.stderr.read().decode()}")
    return elapsed, usage.ru_maxrss / 1024


def check_agreement(files: dict[str, Path], tmp: Path) -> int:
    ours, ref = tmp / "ours.json", tmp / "ref.json"
    subprocess.run([*BOMAUDIT, "scan", str(files["csv"]), "--parts", str(files["parts"]), "-f", "json", "-o", str(ours), "-q"], check=False)
    subprocess.run([PY, str(HERE / "reference.py"), str(files["csv"]), str(files["parts"]), str(ref)], check=True)
    mine = {s["sku"]: s for s in json.loads(ours.read_text())["skus"]}
    theirs = json.loads(ref.read_text())
    if mine.keys() != theirs.keys():
        raise SystemExit(f"SKU sets differ: {len(mine)} vs {len(theirs)}")
    for sku, r in theirs.items():
        for key in ("mass_g", "cn_controlled_g"):
            if not math.isclose(mine[sku][key], r[key], rel_tol=1e-9, abs_tol=1e-12):
                raise SystemExit(f"DISAGREEMENT on {sku} {key}: bomaudit {mine[sku][key]!r}, reference {r[key]!r}")
    return len(theirs)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10k,100k,1M")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    sizes = args.sizes.split(",")
    tmp = Path(tempfile.mkdtemp(prefix="bomaudit-bench-"))
    rows: list[dict[str, object]] = []
    try:
        for size in sizes:
            lines = SIZES[size]
            files = (
                write(size, xlsx=lines <= 100_000)
                if not (DATA / f"bom_{size}.csv").exists() or (lines <= 100_000 and not (DATA / f"bom_{size}_indented.xlsx").exists())
                else {
                    "csv": DATA / f"bom_{size}.csv",
                    "parquet": DATA / f"bom_{size}.parquet",
                    "parts": DATA / f"parts_{size}.csv",
                    **({"xlsx": DATA / f"bom_{size}_indented.xlsx"} if lines <= 100_000 else {}),
                }
            )
            with_ref = lines <= REFERENCE_LIMIT
            skus = check_agreement(files, tmp) if with_ref else None
            contenders = {
                "read_csv": [PY, "-c", f"import polars as pl; pl.read_csv({str(files['csv'])!r}); pl.read_csv({str(files['parts'])!r})"],
                "scan json": [*BOMAUDIT, "scan", str(files["csv"]), "--parts", str(files["parts"]), "-f", "json", "-o", str(tmp / "o.json"), "-q"],
                "scan csv": [*BOMAUDIT, "scan", str(files["csv"]), "--parts", str(files["parts"]), "-f", "csv", "-o", str(tmp / "o.csv"), "-q"],
                "scan parquet→json": [*BOMAUDIT, "scan", str(files["parquet"]), "--parts", str(files["parts"]), "-f", "json", "-o", str(tmp / "p.json"), "-q"],
            }
            if with_ref:
                contenders["reference"] = [PY, str(HERE / "reference.py"), str(files["csv"]), str(files["parts"]), str(tmp / "r.json")]
            if "xlsx" in files:
                contenders["read_excel"] = [PY, "-c", f"import polars as pl; pl.read_excel({str(files['xlsx'])!r}, engine='calamine')"]
                contenders["scan xlsx"] = [*BOMAUDIT, "scan", str(files["xlsx"]), "--parts", str(files["parts"]), "-f", "json", "-o", str(tmp / "x.json"), "-q"]
            samples: dict[str, list[tuple[float, float]]] = {k: [] for k in contenders}
            for _ in range(args.repeat):
                for name, cmd in contenders.items():
                    samples[name].append(timed(cmd))
            med = {k: (statistics.median(t for t, _ in v), max(m for _, m in v)) for k, v in samples.items()}
            rows.append({"size": size, "lines": lines, "skus": skus, "med": med})
            print(f"{size}: " + ", ".join(f"{k} {t:.2f}s/{m:.0f}MB" for k, (t, m) in med.items()), flush=True)
        startup = {
            "typer --help": [PY, str(HERE / "typer_app.py"), "--help"],
            "bomaudit --help": [*BOMAUDIT, "--help"],
            "bomaudit --version": [*BOMAUDIT, "--version"],
        }
        st: dict[str, list[float]] = {k: [] for k in startup}
        for _ in range(max(5, args.repeat)):
            for name, cmd in startup.items():
                st[name].append(timed(cmd)[0])
        start_med = {k: statistics.median(v) for k, v in st.items()}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    report = render(rows, start_med)
    print(report)
    (HERE / "results.md").write_text(report)


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def render(rows: list[dict], start: dict[str, float]) -> str:
    out = [
        "| size | lines | read_csv s | scan→json s | ×read | scan→csv s | ×read | reference s | ref/scan | peak MB (json) | xlsx: read_excel s | scan s | ×read |",
        "|" + "---|" * 13,
    ]
    for r in rows:
        m = r["med"]
        rc = m["read_csv"][0]
        ref = m.get("reference")
        xl = m.get("read_excel")
        out.append(
            f"| {r['size']} | {r['lines']:,} | {rc:.2f} | {m['scan json'][0]:.2f} | {m['scan json'][0] / rc:.1f} | {m['scan csv'][0]:.2f} | {m['scan csv'][0] / rc:.1f} | "
            + (f"{ref[0]:.2f} | {ref[0] / m['scan json'][0]:.1f} | " if ref else "— | — | ")
            + f"{m['scan json'][1]:.0f} | "
            + (f"{xl[0]:.2f} | {m['scan xlsx'][0]:.2f} | {m['scan xlsx'][0] / xl[0]:.1f} |" if xl else "— | — | — |")
        )
    out.append("")
    out.append("| target | measured | |")
    out.append("|---|---|---|")
    big = next((r for r in rows if r["size"] == "1M"), rows[-1])
    m = big["med"]
    out.append(
        f"| scan→json ≤ 4× read_csv ({big['size']}) | {m['scan json'][0] / m['read_csv'][0]:.1f}× | {verdict(m['scan json'][0] / m['read_csv'][0] <= 4)} |"
    )
    out.append(f"| scan→csv ≤ 3× read_csv ({big['size']}) | {m['scan csv'][0] / m['read_csv'][0]:.1f}× | {verdict(m['scan csv'][0] / m['read_csv'][0] <= 3)} |")
    if "reference" in m:
        ratio = m["reference"][0] / m["scan json"][0]
        out.append(f"| ≥ 30× faster than the naive reference ({big['size']}) | {ratio:.1f}× | {verdict(ratio >= 30)} |")
    xl = next((r for r in rows if "read_excel" in r["med"] and r["lines"] == 100_000), None)
    if xl:
        ratio = xl["med"]["scan xlsx"][0] / xl["med"]["read_excel"][0]
        out.append(f"| 100k indented XLSX ≤ 1.5× read_excel | {ratio:.1f}× | {verdict(ratio <= 1.5)} |")
    by = {r["size"]: r for r in rows}
    for a, b in (("100k", "1M"), ("1M", "5M")):
        if a in by and b in by:
            # growth per 10x more lines: (ratio) ** (1 / log10(size ratio))
            span = math.log10(by[b]["lines"] / by[a]["lines"])
            t = (by[b]["med"]["scan json"][0] / by[a]["med"]["scan json"][0]) ** (1 / span)
            mem = (by[b]["med"]["scan json"][1] / by[a]["med"]["scan json"][1]) ** (1 / span)
            out.append(f"| growth {a}→{b}, per 10× lines: time, memory ≤ 11× | {t:.1f}×, {mem:.1f}× | {verdict(t <= 11 and mem <= 11)} |")
    if "5M" in by:
        peak = by["5M"]["med"]["scan json"][1]
        out.append(f"| peak memory 5M ≤ 3 GB | {peak / 1024:.2f} GB | {verdict(peak <= 3072)} |")
    ratio_h = start["bomaudit --help"] / start["typer --help"]
    ratio_v = start["bomaudit --version"] / start["typer --help"]
    out.append(
        f"| --help, --version ≤ 1.2× a one-command Typer app ({start['typer --help'] * 1000:.0f} ms) | {ratio_h:.2f}×, {ratio_v:.2f}× | {verdict(ratio_h <= 1.2 and ratio_v <= 1.2)} |"
    )
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    main()
