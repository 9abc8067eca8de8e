"""A labelled corpus of real BOM exports from public hardware projects (issue #12: "read right,
the same part list a person writes down, with no options").

Each ``tests/corpus/<kind>/<name>.expected.toml`` says what a careful person reading the file
writes down, worked out by reading the file, not by running bomaudit (sources and licences in
``tests/corpus/SOURCES.md``). Every file is read the way a user would: ``bomaudit validate FILE -f
json`` and ``bomaudit scan FILE -f json`` with no options but a fixed ``--as-of``; the part list and
the quantities come from the graph the scan is computed on (``load_bom`` with default options).

Files bomaudit reads wrong today are marked ``xfail = "<class of failure>"`` in their
expected.toml, strictly: the suite stays green and a fix flips them.

expected.toml keys:

- ``file`` (or ``files``, several BOM files read together), ``kind`` (``flat``/``multilevel``),
  ``exporter``, ``notes``, ``identifier``: the header a person would pick as the part identifier,
  optionally ``quantity``: the header a person reads the count from
- flat: ``[[part]]`` with ``id`` (the identifier cell; ``""`` when the line has none), ``qty`` (total
  per one product), optionally its ``unit`` (``in``, ``mm``, ``ft``, ``m``: a length of stock, which
  the graph holds in metres) and ``rows`` (the spreadsheet rows of its lines)
- multilevel: ``[[product]]`` with ``name`` and ``parts`` (leaf → total quantity per one product),
  optionally ``units`` (leaf → ``in``, ``mm``…: a length of stock, held in metres by the graph) and
  ``assemblies`` (SKUs that are sub-assemblies)
- ``[[not_part]]`` (``row``, ``text``, ``why``) and ``[[odd_qty]]`` (``row``, ``text``, ``meaning``):
  documentation of what a person leaves out or reads as something other than a count
"""

from __future__ import annotations

import datetime as dt
import json
import re
import tomllib
from collections import defaultdict
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bomaudit.audit import AuditOptions, load_bom
from bomaudit.cli import app

CORPUS = Path(__file__).resolve().parent / "corpus"
AS_OF = dt.date(2026, 11, 28)
runner = CliRunner()

ROW_SUFFIX = re.compile(r" \(row \d+\)$")
#: metres per unit of a labelled length (the graph holds lengths in metres); written out here, not
#: taken from bomaudit, so that a wrong factor there fails
METRES = {"m": 1.0, "mm": 0.001, "cm": 0.01, "in": 0.0254, "ft": 0.3048}


def _case(path: Path):
    spec = tomllib.loads(path.read_text(encoding="utf-8"))
    xfail = pytest.mark.xfail(strict=True, raises=AssertionError, reason=spec.get("xfail", ""))
    marks = [xfail] if spec.get("xfail") else []
    name = path.name.removesuffix(".expected.toml")
    return pytest.param(path, spec, marks=marks, id=f"{path.parent.name}/{name}")


CASES = [_case(p) for p in sorted(CORPUS.glob("*/*.expected.toml"))]


def _inputs(path: Path, spec: dict) -> list[Path]:
    files = [path.parent / name for name in spec.get("files", [spec.get("file")]) if name]
    missing = [f for f in files if not f.is_file()]
    if not files or missing:
        pytest.skip(f"corpus file absent: {', '.join(str(f) for f in missing) or path}")
    return files


def _cli(*args: str) -> tuple[int, dict | None, str]:
    result = runner.invoke(app, [*args, "-f", "json", "--as-of", AS_OF.isoformat()])
    assert "Traceback" not in result.output, result.output
    try:
        data = json.loads(result.stdout) if result.exit_code != 2 else None
    except json.JSONDecodeError:
        data = None
    return result.exit_code, data, result.stderr


def _header(text: str | None) -> str | None:
    """a header as a person reads it: blanks and line breaks inside it are one space"""
    return " ".join(text.split()) if text is not None else None


def _base(sku: str) -> str:
    """the identifier a SKU was named after: 'Screw (row 7)' → 'Screw' (same identifier, other part)"""
    return ROW_SUFFIX.sub("", sku)


def _some(items: list[str], n: int = 8) -> str:
    """the first n items and how many more: failure messages stay readable"""
    more = f" and {len(items) - n} more" if len(items) > n else ""
    return ", ".join(items[:n]) + more


def _leaf_totals(edges: list[dict], top: str) -> dict[str, float]:
    children = defaultdict(list)
    for e in edges:
        children[e["parent"]].append((e["child"], e["qty"]))
    totals: dict[str, float] = defaultdict(float)
    stack = [(top, 1.0)]
    while stack:
        node, mult = stack.pop()
        for child, qty in children[node]:
            if children.get(child):
                stack.append((child, mult * qty))
            else:
                totals[child] += mult * qty
    return dict(totals)


@pytest.mark.parametrize(("path", "spec"), CASES)
def test_real_export_read_as_a_person_reads_it(path: Path, spec: dict):
    files = [str(f) for f in _inputs(path, spec)]

    code, check, stderr = _cli("validate", *files)
    assert code == 0, f"validate refused the file (exit {code}): {stderr.strip()}"
    code, report, stderr = _cli("scan", *files)
    assert code in (0, 1), f"scan refused the file (exit {code}): {stderr.strip()}"

    problems = []
    chosen = {Path(i["path"]).name: _header(i["columns"].get("sku")) for i in check["inputs"]}
    qty_cols = {Path(i["path"]).name: _header(i["columns"].get("qty")) for i in check["inputs"]}
    if set(chosen.values()) != {_header(spec["identifier"])}:
        problems.append(f"part-number column chosen: {chosen}, a person picks {spec['identifier']!r}")
    if spec.get("quantity") and set(qty_cols.values()) != {_header(spec["quantity"])}:
        problems.append(f"quantity column chosen: {qty_cols}, a person reads {spec['quantity']!r}")
    products = {s["sku"]: s for s in report["skus"] if s["kind"] == "product"}
    edges = load_bom(AuditOptions(files=tuple(files), as_of=AS_OF)).edges.to_dicts()
    if spec["kind"] == "flat":
        problems += _check_flat(spec, products, edges, {s["sku"] for s in report["skus"] if s["kind"] == "part"})
    else:
        problems += _check_multilevel(spec, products, report, edges)
    assert not problems, "; ".join(problems)


def _check_flat(spec: dict, products: dict, edges: list[dict], report_parts: set[str]) -> list[str]:
    if len(products) != 1:
        return [f"a flat BOM is one product; read as {sorted(products)}"]
    (_top,) = products
    by_row = {e["_row"]: (e["child"], e["qty"]) for e in edges}
    parts = spec["part"]
    want_rows = {r for p in parts for r in p["rows"]}
    problems = []
    extra = [f"{r}: {by_row[r][0]!r}" for r in sorted(set(by_row) - want_rows)]
    if extra:
        problems.append(f"{len(extra)} rows read as parts that are not parts ({_some(extra)})")
    missing = sorted(set(want_rows) - set(by_row))
    if missing:
        problems.append(f"part lines left out, rows {missing}")
    names, split, renamed, miscounted = [], [], [], []
    for p in parts:
        read = [by_row[r] for r in p["rows"] if r in by_row]
        if not read:
            continue
        skus = sorted({sku for sku, _ in read})
        names.append(skus[0])
        qty = sum(q for _, q in read)
        if len(skus) != 1:
            split.append(f"{p['id']!r} rows {p['rows']} as {skus}")
        # (a run of blanks inside an identifier is one space, as a person reads it)
        if p["id"] and _base(skus[0]) != " ".join(p["id"].split()):
            renamed.append(f"row {p['rows'][0]} {p['id']!r} as {skus[0]!r}")
        want = p["qty"] * METRES[p["unit"]] if "unit" in p else p["qty"]
        if qty != pytest.approx(want):
            miscounted.append(f"{p['id'] or skus[0]!r} ×{qty:g} not ×{want:g}" + (f" m ({p['qty']:g} {p['unit']})" if "unit" in p else ""))
    if split:
        problems.append(f"one part read as several ({_some(split, 4)})")
    if renamed:
        problems.append(f"{len(renamed)} of {len(parts)} parts named from another column ({_some(renamed, 4)})")
    if miscounted:
        problems.append(f"{len(miscounted)} quantities wrong ({_some(miscounted, 6)})")
    merged = sorted({n for n in names if names.count(n) > 1})
    if merged:
        problems.append(f"different parts merged into one SKU: {_some(merged)}")
    # the scan report's parts (estimated or without data) are the graph's leaves
    if report_parts != {sku for sku, _ in by_row.values()}:
        problems.append("the scan report's leaves differ from the graph's")
    return problems


def _check_multilevel(spec: dict, products: dict, report: dict, edges: list[dict]) -> list[str]:
    want = {p["name"]: p for p in spec["product"]}
    problems = []
    read_as = {name: name for name in want}
    if set(products) != set(want):
        problems.append(f"top products read as {sorted(products)}, a person sees {sorted(want)}")
        if len(products) != 1 or len(want) != 1:
            return problems
        # one product either way: named differently, its structure can still be compared
        read_as = {next(iter(want)): next(iter(products))}
    kinds = {s["sku"]: s["kind"] for s in report["skus"]}
    for name, p in want.items():
        got = _leaf_totals(edges, read_as[name])
        units = p.get("units", {})
        exp = {k: float(v) * METRES[units[k]] if k in units else float(v) for k, v in p["parts"].items()}
        for leaf in sorted(set(got) | set(exp)):
            g, e = got.get(leaf), exp.get(leaf)
            if g is None:
                problems.append(f"{name}: leaf {leaf!r} ×{e:g} missing")
            elif e is None:
                problems.append(f"{name}: {leaf!r} ×{g:g} read as a leaf part, not one")
            elif g != pytest.approx(e):
                problems.append(f"{name}: {leaf!r} ×{g:g} per product, a person counts ×{e:g}")
        for asm in p.get("assemblies", []):
            if kinds.get(asm) != "assembly":
                problems.append(f"{name}: {asm!r} is a sub-assembly, read as {kinds.get(asm)}")
    return problems


def test_every_corpus_file_is_labelled_and_sourced():
    """no file in the corpus without an expected.toml naming it and a line of SOURCES.md"""
    if not CORPUS.is_dir():
        pytest.skip("corpus absent")
    labelled = set()
    for path in CORPUS.glob("*/*.expected.toml"):
        spec = tomllib.loads(path.read_text(encoding="utf-8"))
        labelled |= {(path.parent / name).resolve() for name in spec.get("files", [spec.get("file")]) if name}
    data = {p.resolve() for p in CORPUS.glob("*/**/*") if p.is_file() and not p.name.endswith(".expected.toml")}
    assert data <= labelled, sorted(str(p.relative_to(CORPUS)) for p in data - labelled)
    sources = (CORPUS / "SOURCES.md").read_text(encoding="utf-8")
    unsourced = [p for p in labelled if p.name not in sources and p.parent.name not in sources]
    assert not unsourced, sorted(str(p.relative_to(CORPUS)) for p in unsourced)
