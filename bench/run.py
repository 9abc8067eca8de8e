"""The benchmark: bomaudit side by side with Polars reading the same files and a naive pandas roll-up.

    python bench/run.py                                  # 10k,100k,1M lines; 3 repeats
    python bench/run.py --sizes 10k,100k,1M,5M --repeat 5

Run it with the Python of the environment bomaudit is installed in (it runs the `bomaudit`
script next to that interpreter, and Polars/pandas from it). Steps, per size:

1. make the inputs with bench/generate.py unless bench/data/ already holds this generator
   version's files;
2. correctness first: bomaudit's JSON report (from the CSV, the Parquet and, at 10k/100k, the
   indented XLSX) must agree with bench/reference.py on every SKU, mass_g and cn_controlled_g to a
   relative tolerance of 1e-9 (and the CSV report must list exactly the reference's SKUs). Any
   disagreement stops the run (exit 3) before a single time is reported, and is written to
   bench/data/disagreements_SIZE.tsv. If the reference does not finish within --ref-timeout it is
   skipped at that size and the table says so;
3. every contender runs as a child process, in an order that rotates each repeat, --repeat times;
   wall time from process start to exit and peak resident memory (ru_maxrss from os.wait4, that
   child alone). Medians are reported.

Then start-up: `bomaudit --help` / `--version` against a one-command Typer app (bench/typer_app.py).
The table goes to standard output and bench/results.md; raw samples to bench/data/samples.json.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import importlib.metadata
import itertools
import json
import math
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
SIZES = ("10k", "100k", "1M", "5M")  # as in generate.py
PY = sys.executable
TOLERANCE = 1e-9
ABS_TOLERANCE = 1e-12  # grams: where both sides are zero up to rounding noise
MB = 1024 * 1024

TARGETS = {
    "json": 4.0,  # scan -f json ≤ 4× read_csv
    "csv": 3.0,  # scan -f csv ≤ 3× read_csv
    "reference": 30.0,  # reference ≥ 30× scan -f json
    "xlsx": 1.5,  # scan of the indented XLSX ≤ 1.5× read_excel
    "growth": 11.0,  # time and memory per 10× lines
    "peak_gb_5M": 3.0,
    "startup": 1.2,  # --help, --version ≤ 1.2× a one-command Typer app's --help
}


class ChildFailed(SystemExit):
    pass


class ChildTimeout(Exception):
    pass


@dataclass
class Sample:
    wall: float  # seconds
    rss: float  # peak resident set, MB
    code: int


def bomaudit_exe() -> str:
    beside = Path(PY).with_name("bomaudit")
    found = str(beside) if beside.exists() else shutil.which("bomaudit")
    if not found:
        raise SystemExit("no `bomaudit` script next to this Python or on PATH: pip install -e '.[bench]' first")
    return found


def run_child(cmd: list[str], timeout: float, cwd: Path, ok: tuple[int, ...] = (0, 1)) -> Sample:
    """Run one child to exit: wall time, its own peak RSS (os.wait4), exit code. Killed past timeout."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, stdin=subprocess.DEVNULL, cwd=cwd, start_new_session=True)
        killed = threading.Event()

        def kill() -> None:
            killed.set()
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)

        timer = threading.Timer(timeout, kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        wall = time.perf_counter() - start
        code = os.waitstatus_to_exitcode(status)
        proc.returncode = code  # reaped by wait4; tell Popen
        if killed.is_set():
            raise ChildTimeout(f"timed out after {timeout:.0f} s: {' '.join(cmd)}")
        if code not in ok:
            err.seek(0)
            raise ChildFailed(f"FAILED (exit {code}): {' '.join(cmd)}\n{err.read().decode(errors='replace')[-4000:]}")
    return Sample(wall, usage.ru_maxrss / 1024, code)  # ru_maxrss is in KiB on Linux


# ---------------------------------------------------------------------------------------------
# correctness


def load_report(path: Path) -> dict[str, dict]:
    return {s["sku"]: s for s in json.loads(path.read_text())["skus"]}


def compare(label: str, ours: dict[str, dict], ref: dict[str, dict], *, same_skus: bool) -> list[tuple[str, str, object, object, str]]:
    """Disagreements (sku, field, bomaudit, reference, source) of every SKU of `ours` (and missing ones)."""
    bad: list[tuple[str, str, object, object, str]] = []
    if same_skus:
        bad += [(sku, "missing", None, "present", label) for sku in sorted(ref.keys() - ours.keys())]
    bad += [(sku, "extra", "present", None, label) for sku in sorted(ours.keys() - ref.keys())]
    for sku in sorted(ours.keys() & ref.keys()):
        for key in ("mass_g", "cn_controlled_g"):
            a, b = ours[sku].get(key), ref[sku][key]
            if not isinstance(a, int | float) or not math.isclose(a, b, rel_tol=TOLERANCE, abs_tol=ABS_TOLERANCE):
                bad.append((sku, key, a, b, label))
    return bad


def check_agreement(size: str, files: dict[str, Path], work: Path, timeout: float, ref_timeout: float) -> dict[str, object]:
    """Correctness gate (runs in a child process of its own, see main). Exits 3 on any disagreement."""
    ba = bomaudit_exe()
    out: dict[str, object] = {"notes": []}
    reports = {}
    for kind in ("csv", "parquet", "xlsx"):
        if kind in files:
            path = work / f"check_{kind}.json"
            run_child([ba, "scan", str(files[kind]), "--parts", str(files["parts"]), "-f", "json", "-o", str(path), "-q"], timeout, work)
            reports[kind] = load_report(path)
            path.unlink()
    ref_path = work / "check_ref.json"
    try:
        sample = run_child([PY, str(HERE / "reference.py"), str(files["csv"]), str(files["parts"]), str(ref_path)], ref_timeout, work, ok=(0,))
        ref = json.loads(ref_path.read_text())
        ref_path.unlink()
        out["reference_s"] = sample.wall
        out["reference"] = True
    except ChildTimeout:
        out["notes"].append(
            f"{size}: the naive reference did not finish within {ref_timeout:g} s and was skipped; "
            "bomaudit's Parquet and XLSX reports were checked against its CSV report only."
        )
        ref = {k: {"mass_g": v["mass_g"], "cn_controlled_g": v["cn_controlled_g"]} for k, v in reports["csv"].items()}
        out["reference"] = False
    bad: list[tuple[str, str, object, object, str]] = []
    if out["reference"]:
        bad += compare("csv", reports["csv"], ref, same_skus=True)
    bad += compare("parquet", reports["parquet"], ref, same_skus=True)
    if "xlsx" in reports:
        bad += compare("xlsx", reports["xlsx"], ref, same_skus=False)  # a sub-tree: its SKUs only
    if bad:
        dump = DATA / f"disagreements_{size}.tsv"
        dump.write_text("sku\tfield\tbomaudit\treference\tbomaudit input\n" + "".join("\t".join(map(str, row)) + "\n" for row in bad))
        lines = [f"  {sku}  {key}: bomaudit {a!r}  reference {b!r}  (bomaudit read the {src})" for sku, key, a, b, src in bad[:20]]
        sys.stderr.write(
            "\n" + "!" * 100 + f"\nDISAGREEMENT at {size}: {len(bad)} value(s) differ between bomaudit and the reference"
            f" (rel. tol. {TOLERANCE}); no times are reported.\n" + "\n".join(lines) + f"\nall of them: {dump}\n" + "!" * 100 + "\n"
        )
        raise SystemExit(3)
    out["skus"] = len(reports["csv"])
    out["xlsx_skus"] = len(reports.get("xlsx", {})) or None
    print(
        f"  agreement: bomaudit (csv, parquet{', xlsx' if 'xlsx' in reports else ''}) = "
        f"{'reference' if out['reference'] else 'bomaudit csv (reference skipped)'} on every SKU ({out['skus']:,} SKUs"
        + (f"; xlsx sub-tree {out['xlsx_skus']:,}" if out["xlsx_skus"] else "")
        + (f"; reference took {out['reference_s']:.1f} s" if out["reference"] else "")
        + ")",
        flush=True,
    )
    return out


def files_of(size: str) -> dict[str, Path]:
    manifest = json.loads((DATA / f"manifest_{size}.json").read_text())
    return {kind: DATA / name for kind, name in manifest["files"].items()}


# ---------------------------------------------------------------------------------------------
# timing


def contenders(files: dict[str, Path], work: Path, with_reference: bool) -> dict[str, list[str]]:
    ba = bomaudit_exe()
    bom, parts = str(files["csv"]), str(files["parts"])
    out = {
        "read_csv": [PY, "-c", f"import polars as pl; pl.read_csv({bom!r}); pl.read_csv({parts!r})"],
        "scan json": [ba, "scan", bom, "--parts", parts, "-f", "json", "-o", str(work / "t.json"), "-q"],
        "scan csv": [ba, "scan", bom, "--parts", parts, "-f", "csv", "-o", str(work / "t.csv"), "-q"],
        "scan parquet": [ba, "scan", str(files["parquet"]), "--parts", parts, "-f", "json", "-o", str(work / "tp.json"), "-q"],
    }
    if with_reference:
        out["reference"] = [PY, str(HERE / "reference.py"), bom, parts, str(work / "tr.json")]
    if "xlsx" in files:
        xlsx = str(files["xlsx"])
        out["read_excel"] = [PY, "-c", f"import polars as pl; pl.read_excel({xlsx!r}, engine='calamine')"]
        out["scan xlsx"] = [ba, "scan", xlsx, "--parts", parts, "-f", "json", "-o", str(work / "tx.json"), "-q"]
    return out


def measure(cmds: dict[str, list[str]], repeat: int, timeout: float, cwd: Path, raw: dict, key: str) -> dict[str, Sample]:
    """Alternate the contenders (the order rotates each round); median wall time and peak RSS."""
    names = list(cmds)
    samples: dict[str, list[Sample]] = {n: [] for n in names}
    for r in range(repeat):
        shift = r % len(names)
        for name in names[shift:] + names[:shift]:
            samples[name].append(run_child(cmds[name], timeout, cwd))
    raw[key] = {n: [[s.wall, s.rss] for s in v] for n, v in samples.items()}
    return {n: Sample(statistics.median(s.wall for s in v), statistics.median(s.rss for s in v), v[0].code) for n, v in samples.items()}


# ---------------------------------------------------------------------------------------------
# report


def fmt_s(x: float) -> str:
    return f"{x:.3f}" if x < 1 else f"{x:.2f}" if x < 100 else f"{x:.0f}"


def cell(s: Sample | None) -> str:
    return "—" if s is None else f"{fmt_s(s.wall)} s · {s.rss:,.0f} MB"


def pf(ok: bool) -> str:
    return "PASS" if ok else "**FAIL**"


def render(env: dict[str, str], rows: list[dict], start: dict[str, Sample] | None, notes: list[str]) -> str:
    out = ["# bomaudit benchmark results", ""]
    out.append(
        f"{env['when']} · {env['machine']} · Python {env['python']} · polars {env['polars']} · pandas {env['pandas']} · "
        f"bomaudit {env['bomaudit']} · medians of {env['repeat']} alternating runs · load average {env['load_before']} before, "
        f"{env['load_after']} after · total {env['total']}"
    )
    out += ["", "Whole processes, start to exit: median wall time · median peak resident memory (that process alone).", ""]
    out.append(
        "| size | BOM lines | SKUs | read_csv | scan → json | scan → csv | scan parquet → json | reference | XLSX rows (SKUs) | read_excel | scan xlsx → json |"
    )
    out.append("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
    for r in rows:
        m = r["med"]
        xl = f"{r['xlsx_rows']:,} ({r['xlsx_skus']:,})" if r.get("xlsx_rows") else "—"
        ref = cell(m.get("reference")) if r["reference"] else "skipped (timeout)"
        out.append(
            f"| {r['size']} | {r['lines']:,} | {r['skus']:,} | {cell(m['read_csv'])} | {cell(m['scan json'])} | {cell(m['scan csv'])} | "
            f"{cell(m['scan parquet'])} | {ref} | {xl} | {cell(m.get('read_excel'))} | {cell(m.get('scan xlsx'))} |"
        )
    out += ["", "| target | size | measured | |", "|---|---|--:|---|"]
    for r in rows:
        m = r["med"]
        rc = m["read_csv"].wall
        j, c = m["scan json"].wall / rc, m["scan csv"].wall / rc
        out.append(f"| scan → json ≤ {TARGETS['json']:g}× read_csv | {r['size']} | {j:.1f}× | {pf(j <= TARGETS['json'])} |")
        out.append(f"| scan → csv ≤ {TARGETS['csv']:g}× read_csv | {r['size']} | {c:.1f}× | {pf(c <= TARGETS['csv'])} |")
    for r in rows:
        if r["reference"]:
            x = r["med"]["reference"].wall / r["med"]["scan json"].wall
            out.append(f"| naive reference ≥ {TARGETS['reference']:g}× slower than scan → json | {r['size']} | {x:.1f}× | {pf(x >= TARGETS['reference'])} |")
        else:
            out.append(f"| naive reference ≥ {TARGETS['reference']:g}× slower than scan → json | {r['size']} | not run (reference > timeout) | — |")
    for r in rows:
        if "read_excel" in r["med"]:
            x = r["med"]["scan xlsx"].wall / r["med"]["read_excel"].wall
            out.append(f"| indented XLSX: scan ≤ {TARGETS['xlsx']:g}× read_excel | {r['size']} | {x:.1f}× | {pf(x <= TARGETS['xlsx'])} |")
    for a, b in itertools.pairwise(rows):
        span = math.log10(b["lines"] / a["lines"])
        if span <= 0:
            continue
        t = (b["med"]["scan json"].wall / a["med"]["scan json"].wall) ** (1 / span)
        mem = (b["med"]["scan json"].rss / a["med"]["scan json"].rss) ** (1 / span)
        out.append(
            f"| growth per 10× lines, time ≤ {TARGETS['growth']:g}× (scan → json) | {a['size']} → {b['size']} | {t:.1f}× | {pf(t <= TARGETS['growth'])} |"
        )
        out.append(
            f"| growth per 10× lines, memory ≤ {TARGETS['growth']:g}× (scan → json) | {a['size']} → {b['size']} | {mem:.1f}× | {pf(mem <= TARGETS['growth'])} |"
        )
    five = next((r for r in rows if r["size"] == "5M"), None)
    if five:
        peak = max(s.rss for n, s in five["med"].items() if n.startswith("scan")) / 1024
        out.append(f"| peak memory ≤ {TARGETS['peak_gb_5M']:g} GB (any bomaudit scan) | 5M | {peak:.2f} GB | {pf(peak <= TARGETS['peak_gb_5M'])} |")
    else:
        out.append(f"| peak memory ≤ {TARGETS['peak_gb_5M']:g} GB (any bomaudit scan) | 5M | not run (add 5M to --sizes) | — |")
    if start:
        base = start["typer --help"].wall
        for name in ("bomaudit --help", "bomaudit --version"):
            x = start[name].wall / base
            out.append(f"| `{name}` ≤ {TARGETS['startup']:g}× a one-command Typer app's --help | — | {x:.2f}× | {pf(x <= TARGETS['startup'])} |")
        out += ["", "Start-up (median wall · peak memory): " + " · ".join(f"{n} {s.wall * 1000:.0f} ms, {s.rss:.0f} MB" for n, s in start.items())]
    if notes:
        out += ["", *[f"- {n}" for n in notes]]
    return "\n".join(out) + "\n"


def environment(repeat: int) -> dict[str, str]:
    def version(dist: str) -> str:
        try:
            return importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            return "missing"

    ba = subprocess.run([bomaudit_exe(), "--version"], capture_output=True, text=True, check=False).stdout.strip().split()[-1:] or ["?"]
    cpu = ""
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name"))
    except (OSError, StopIteration):
        cpu = platform.processor()
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    return {
        "when": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB",
        "python": platform.python_version(),
        "polars": version("polars"),
        "pandas": version("pandas"),
        "bomaudit": ba[0],
        "repeat": str(repeat),
        "load_before": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10k,100k,1M", help=f"comma-separated, of {', '.join(SIZES)} (default 10k,100k,1M)")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each contender; at least 3 (default 3)")
    ap.add_argument("--timeout", type=float, default=900, help="seconds before a bomaudit or Polars child is killed (default 900)")
    ap.add_argument("--ref-timeout", type=float, default=600, help="seconds the naive reference may take before it is skipped at that size (default 600)")
    ap.add_argument("--no-startup", action="store_true", help="skip the --help/--version start-up comparison")
    ap.add_argument("--output", type=Path, default=HERE / "results.md", help="Markdown table (default bench/results.md)")
    ap.add_argument("--check-only", metavar="SIZE", help=argparse.SUPPRESS)  # internal: the correctness gate, in a process of its own
    ap.add_argument("--facts", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.check_only:
        with tempfile.TemporaryDirectory(prefix="bomaudit-check-") as tmp:
            facts = check_agreement(args.check_only, files_of(args.check_only), Path(tmp), args.timeout, args.ref_timeout)
        args.facts.write_text(json.dumps(facts))
        return
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    unknown = [s for s in sizes if s not in SIZES]
    if unknown or args.repeat < 3:
        ap.error(f"sizes must be among {', '.join(SIZES)}; --repeat at least 3")
    try:
        importlib.metadata.version("pandas")
    except importlib.metadata.PackageNotFoundError:
        raise SystemExit("the naive reference needs pandas: pip install -e '.[bench]'") from None

    # This process stays small on purpose: a child's ru_maxrss starts from the RSS of the process
    # that forked it (Linux carries the old address space's high-water mark across exec), so the
    # runner imports neither Polars nor pandas and loads no report; generation and the correctness
    # check run in child processes of their own.
    began = time.perf_counter()
    env = environment(args.repeat)
    print(f"bomaudit benchmark: sizes {', '.join(sizes)}; {args.repeat} repeats; {env['machine']}; load {env['load_before']}", flush=True)
    work = Path(tempfile.mkdtemp(prefix="bomaudit-bench-"))  # also the children's working directory: no stray bomaudit.toml
    rows: list[dict] = []
    notes: list[str] = []
    raw: dict[str, object] = {}
    start: dict[str, Sample] | None = None
    try:
        for size in sizes:
            t = time.perf_counter()
            subprocess.run([PY, str(HERE / "generate.py"), size, "--if-stale"], check=True, stdout=subprocess.DEVNULL, timeout=args.timeout)
            manifest = json.loads((DATA / f"manifest_{size}.json").read_text())
            files = files_of(size)
            print(f"{size}: {manifest['lines']:,} lines, {manifest['parts']:,} parts (data ready in {time.perf_counter() - t:.1f} s)", flush=True)
            facts_path = work / "facts.json"
            check = [PY, __file__, "--check-only", size, "--facts", str(facts_path), "--timeout", str(args.timeout), "--ref-timeout", str(args.ref_timeout)]
            code = subprocess.run(check, check=False).returncode
            if code:
                raise SystemExit(code if code == 3 else f"the correctness check failed (exit {code}); see above")
            facts = json.loads(facts_path.read_text())
            notes += facts.pop("notes")
            med = measure(contenders(files, work, bool(facts["reference"])), args.repeat, args.timeout, work, raw, size)
            rows.append({"size": size, "lines": manifest["lines"], **facts, "med": med, "xlsx_rows": manifest.get("xlsx", {}).get("rows")})
            print("  " + " | ".join(f"{n} {cell(s)}" for n, s in med.items()), flush=True)
        if not args.no_startup:
            ba = bomaudit_exe()
            cmds = {
                "typer --help": [PY, str(HERE / "typer_app.py"), "--help"],
                "bomaudit --help": [ba, "--help"],
                "bomaudit --version": [ba, "--version"],
                "python -c pass": [PY, "-c", "pass"],
            }
            start = measure(cmds, max(10, args.repeat), 120, work, raw, "startup")
            print("start-up: " + " | ".join(f"{n} {s.wall * 1000:.0f} ms" for n, s in start.items()), flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    env["load_after"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    env["total"] = f"{time.perf_counter() - began:.0f} s"
    report = render(env, rows, start, notes)
    print()
    print(report)
    args.output.write_text(report)
    (DATA / "samples.json").write_text(json.dumps({"env": env, "samples": raw}, indent=1) + "\n")
    print(f"written: {args.output}")


if __name__ == "__main__":
    main()
