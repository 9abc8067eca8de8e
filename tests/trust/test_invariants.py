"""Invariants of the roll-up on random BOM DAGs (hypothesis).

The CI profile runs a bounded number of examples; set HYPOTHESIS_PROFILE=long for a local run
with many more (see README, "Testing").
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import random
import tempfile
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bomaudit.audit import AuditOptions, audit
from bomaudit.render import View, as_text
from bomaudit.render.json import render_json

from .strategies import RandomBom, random_boms

settings.register_profile("ci", max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("deep", max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("long", max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

AS_OF = dt.date(2026, 11, 28)


def write_csv(path: Path, rows: list[list[str]]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_text(buf.getvalue())
    return str(path)


def run(bom_files: list[str], parts_files: list[str], **kw) -> tuple[dict, str]:
    result = audit(AuditOptions(files=tuple(bom_files), parts=tuple(parts_files), as_of=AS_OF, **kw))
    text = as_text(render_json(result, View()))
    return json.loads(text), text


def scan_bom(bom: RandomBom, unit: str = "g", **kw) -> dict:
    with tempfile.TemporaryDirectory() as d:
        b = write_csv(Path(d) / "bom.csv", bom.bom_rows())
        p = write_csv(Path(d) / "parts.csv", bom.parts_rows(unit))
        return run([b], [p], **kw)[0]


def by_sku(report: dict) -> dict[str, dict]:
    return {s["sku"]: s for s in report["skus"]}


def comparable(report: dict) -> dict:
    """The report without what legitimately differs between equivalent inputs."""
    return {k: v for k, v in report.items() if k not in ("inputs", "issues")}


@given(random_boms())
def test_conservation(bom: RandomBom):
    skus = by_sku(scan_bom(bom))
    children: dict[str, list[tuple[str, float]]] = {}
    for p, c, q in bom.edges:
        children.setdefault(p, []).append((c, q))
    for parent, kids in children.items():
        for key in ("mass_g", "controlled_g", "cn_controlled_g"):
            expected = sum(q * skus[c][key] for c, q in kids)
            assert skus[parent][key] == pytest.approx(expected, rel=1e-9, abs=1e-12), (parent, key)
        for el in ("Dy", "Tb"):
            for part in ("g", "cn_g"):
                expected = sum(q * skus[c]["elements"].get(el, {}).get(part, 0.0) for c, q in kids)
                got = skus[parent]["elements"].get(el, {}).get(part, 0.0)
                assert got == pytest.approx(expected, rel=1e-9, abs=1e-12)
        assert skus[parent]["cn_tech"] == any(skus[c]["cn_tech"] for c, _ in kids)


@given(random_boms(), st.sampled_from(["kg", "mg"]))
def test_unit_invariance(bom: RandomBom, unit: str):
    grams = by_sku(scan_bom(bom, "g"))
    other = by_sku(scan_bom(bom, unit))
    assert grams.keys() == other.keys()
    for sku, rec in grams.items():
        for key in ("mass_g", "controlled_g", "cn_controlled_g"):
            assert other[sku][key] == pytest.approx(rec[key], rel=1e-9, abs=1e-12)
        if rec["cn_fraction"] is not None and abs(rec["cn_fraction"] - 0.001) > 1e-9:
            assert other[sku]["verdict"] == rec["verdict"]


@given(random_boms(), st.randoms(use_true_random=False))
def test_order_invariance(bom: RandomBom, rnd: random.Random):
    with tempfile.TemporaryDirectory() as d:
        rows, parts = bom.bom_rows(), bom.parts_rows()
        body, pbody = rows[1:], parts[1:]
        rnd.shuffle(body)
        rnd.shuffle(pbody)
        a = run([write_csv(Path(d) / "a.csv", rows)], [write_csv(Path(d) / "p.csv", parts)])[0]
        b = run([write_csv(Path(d) / "b.csv", [rows[0], *body])], [write_csv(Path(d) / "q.csv", [parts[0], *pbody])])[0]
    assert comparable(a) == comparable(b)


@given(random_boms(max_nodes=8))
@settings(max_examples=15)
def test_format_invariance(bom: RandomBom):
    with tempfile.TemporaryDirectory() as d:
        parts = write_csv(Path(d) / "parts.csv", bom.parts_rows())
        rows = bom.bom_rows()
        bom_csv = write_csv(Path(d) / "bom.csv", rows)
        from_csv = run([bom_csv], [parts])[0]
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.append(rows[0])
        for p, c, q in bom.edges:
            ws.append([p, c, q])
        for t in bom.tops:
            ws.append([None, t, None])
        wb.save(Path(d) / "bom.xlsx")
        from_xlsx = run([str(Path(d) / "bom.xlsx")], [parts])[0]
        frame = pl.DataFrame(
            {
                "parent": [p for p, _, _ in bom.edges] + [None] * len(bom.tops),
                "sku": [c for _, c, _ in bom.edges] + list(bom.tops),
                "qty": [q for _, _, q in bom.edges] + [None] * len(bom.tops),
            },
            schema={"parent": pl.String, "sku": pl.String, "qty": pl.Float64},
        )
        frame.write_parquet(Path(d) / "bom.parquet")
        from_parquet = run([str(Path(d) / "bom.parquet")], [parts])[0]
        # the lazy readers of big files, made to read these small ones
        csv_lazily = run([bom_csv], [parts], lazy_bytes=1)[0]
        parquet_lazily = run([str(Path(d) / "bom.parquet")], [parts], lazy_bytes=1)[0]
    assert comparable(from_csv) == comparable(from_xlsx) == comparable(from_parquet)
    assert csv_lazily == from_csv
    assert parquet_lazily == from_parquet


@given(random_boms(), st.integers(1, 50))
def test_split_invariance(bom: RandomBom, cut: int):
    with tempfile.TemporaryDirectory() as d:
        rows = bom.bom_rows()
        one = run([write_csv(Path(d) / "all.csv", rows)], [write_csv(Path(d) / "p.csv", bom.parts_rows())])[0]
        if len(rows) < 3:
            return
        k = 2 + cut % (len(rows) - 2)  # each file keeps at least one data row
        first = write_csv(Path(d) / "first.csv", rows[:k])
        second = write_csv(Path(d) / "second.csv", [rows[0], *rows[k:]])
        two = run([first, second], [str(Path(d) / "p.csv")])[0]
    assert comparable(one) == comparable(two)


@given(random_boms(), st.data())
def test_monotonicity(bom: RandomBom, data: st.DataObject):
    candidates = [i for i, leaf in enumerate(bom.leaves) if leaf.mass_g]
    if not candidates:
        return
    i = data.draw(st.sampled_from(candidates))
    leaf = bom.leaves[i]
    raised_dy = min(100.0, (leaf.dy_pct or 0) + data.draw(st.floats(0.1, 20)))
    if leaf.tb_g is not None and raised_dy / 100 * leaf.mass_g + leaf.tb_g > leaf.mass_g:
        raised_dy = leaf.dy_pct or 0
    raised = RandomBom(
        bom.edges, (*bom.leaves[:i], type(leaf)(leaf.sku, leaf.mass_g, raised_dy, leaf.tb_g, "CN", leaf.cn_tech), *bom.leaves[i + 1 :]), bom.tops
    )
    before, after = by_sku(scan_bom(bom)), by_sku(scan_bom(raised))
    for sku, rec in before.items():
        if rec["cn_fraction"] is not None:
            assert after[sku]["cn_fraction"] >= rec["cn_fraction"] * (1 - 1e-12), sku


@given(random_boms())
@settings(max_examples=10)
def test_determinism(bom: RandomBom):
    with tempfile.TemporaryDirectory() as d:
        b = write_csv(Path(d) / "bom.csv", bom.bom_rows())
        p = write_csv(Path(d) / "parts.csv", bom.parts_rows())
        assert run([b], [p])[1] == run([b], [p])[1]


@given(random_boms())
@settings(max_examples=15)
def test_fast_json_equals_record_json(bom: RandomBom):
    """The Polars-encoded SKU array says exactly what the per-record dicts say."""
    from bomaudit.render import report

    with tempfile.TemporaryDirectory() as d:
        b = write_csv(Path(d) / "bom.csv", bom.bom_rows())
        p = write_csv(Path(d) / "parts.csv", bom.parts_rows())
        result = audit(AuditOptions(files=(b,), parts=(p,), as_of=AS_OF))
    assert json.loads(as_text(report.build_json(result))) == json.loads(json.dumps(report.build(result)))
