"""Deep BOMs (issue #11): the cost grows with the lines, never with lines × depth.

A chain 100,000 levels deep used to take twenty minutes (every level did work in proportion to
the whole graph); it must now finish in seconds and little memory, give the totals a plain
reference computes, and give the same bits whether a level is summed by NumPy or, thin, in Python.
"""

from __future__ import annotations

import csv
import json
import random
from collections import defaultdict
from pathlib import Path

import pytest

from bomaudit.audit import AuditOptions, audit, load_bom
from bomaudit.rollup import dag

from .conftest import AS_OF
from .hostile import run_bounded

DEPTH = 100_000
HEADER = "parent,sku,qty,mass_g,Dy_pct,re_origin\n"


def chain(depth: int = DEPTH, doubled_every: int = 10_000, extra: tuple[str, ...] = ()) -> str:
    """L0 → L1 → … → L(depth-1) → LEAF (2 g, 5 % Dy, China); L0 → L1, L10000 → L10001, … have qty 2."""
    lines = [f"L{i},L{i + 1},{2 if i % doubled_every == 0 else 1},,,\n" for i in range(depth - 1)]
    return HEADER + "".join(lines) + f"L{depth - 1},LEAF,1,2,5,CN\n" + "".join(extra)


def reference_masses(text: str) -> dict[str, float]:
    """Mass per one unit of every SKU, summed over every path: leaves first (Kahn), no recursion."""
    children: dict[str, list[tuple[str, float]]] = defaultdict(list)
    users: dict[str, list[str]] = defaultdict(list)
    mass: dict[str, float] = {}
    for row in csv.DictReader(text.splitlines()):
        children[row["parent"]].append((row["sku"], float(row["qty"])))
        users[row["sku"]].append(row["parent"])
        if row["mass_g"]:
            mass[row["sku"]] = float(row["mass_g"])
    left = {p: len(c) for p, c in children.items()}
    ready = [s for s in users if s not in children]
    while ready:
        sku = ready.pop()
        if sku in children:
            mass[sku] = sum(q * mass[c] for c, q in children[sku])
        for p in users[sku]:
            left[p] -= 1
            if not left[p]:
                ready.append(p)
    return mass


def test_a_chain_100000_deep_takes_seconds_and_gives_the_totals(tmp_path: Path):
    path = tmp_path / "chain.csv"
    path.write_text(chain())
    out = tmp_path / "chain.json"
    run = run_bounded(["scan", str(path), "-f", "json", "-o", str(out), "--as-of", AS_OF.isoformat()])
    assert run.rc == 1, run  # over the threshold: license required
    assert run.within(), run
    skus = {r["sku"]: r for r in json.loads(out.read_text())["skus"]}
    assert len(skus) == DEPTH + 1
    # ten lines of qty 2 on the way down: 1024 leaves of 2 g, 0.1 g Dy each
    top = skus["L0"]
    assert top["kind"] == "product"
    assert top["mass_g"] == 2048
    assert top["cn_controlled_g"] == pytest.approx(102.4, rel=1e-12)
    assert [(c["sku"], c["qty"]) for c in top["contributors"]] == [("LEAF", 1024)]
    assert skus["L50000"]["mass_g"] == 2 * 2**5
    assert skus[f"L{DEPTH - 1}"]["mass_g"] == 2


@pytest.mark.parametrize("args", [["scan", "-f", "csv"], ["validate"]], ids=["csv", "validate"])
def test_a_chain_100000_deep_in_other_outputs(tmp_path: Path, args: list[str]):
    path = tmp_path / "chain.csv"
    path.write_text(chain())
    run = run_bounded([args[0], str(path), *args[1:], "-o", str(tmp_path / "out"), "--as-of", AS_OF.isoformat()])
    assert run.rc in (0, 1), run
    assert run.within(), run
    if args[0] == "validate":
        assert f"{DEPTH + 1} SKUs" in (tmp_path / "out").read_text()
    else:
        rows = {r["sku"]: r for r in csv.DictReader((tmp_path / "out").read_text().splitlines())}
        assert float(rows["L0"]["mass_g"]) == 2048


def test_a_chain_100000_deep_with_diamonds_adds_every_path(tmp_path: Path):
    # L30002 reaches L30007 twice (directly and through D1); L70003 reaches L70005 four times
    extra = ("L30002,D1,1,,,\n", "D1,L30007,1,,,\n", "L70003,D2,3,,,\n", "D2,L70005,1,,,\n")
    text = chain(extra=extra)
    path = tmp_path / "diamonds.csv"
    path.write_text(text)
    out = tmp_path / "out.csv"
    run = run_bounded(["scan", str(path), "-f", "csv", "-o", str(out), "--as-of", AS_OF.isoformat()])
    assert run.rc == 1, run
    assert run.within(), run
    rows = {r["sku"]: r for r in csv.DictReader(out.read_text().splitlines())}
    expected = reference_masses(text)
    assert expected["L0"] == 2 * 1024 * 2 * 4
    assert len(rows) == len(expected)
    assert all(float(rows[s]["mass_g"]) == pytest.approx(m, rel=1e-12) for s, m in expected.items())
    assert float(rows["L0"]["cn_controlled_g"]) == pytest.approx(0.1 * 1024 * 8, rel=1e-12)


def wide_and_deep(chains: int = 1000, depth: int = 100) -> str:
    """TOP → 1,000 chains of 100 levels, each ending in one of ten magnets."""
    lines = [HEADER]
    for c in range(chains):
        lines.append(f"TOP,C{c}_0,{c % 3 + 1},,,\n")
        lines.extend(f"C{c}_{k},C{c}_{k + 1},{(c + k) % 2 + 1},,,\n" for k in range(depth - 1))
        m = c % 10
        lines.append(f"C{c}_{depth - 1},M{m},1,{1 + m},{m % 5},{'CN' if m % 2 else 'JP'}\n")
    return "".join(lines)


def test_a_thousand_chains_a_hundred_deep(write):
    text = wide_and_deep()
    result = audit(AuditOptions(files=(write("wide.csv", text),), as_of=AS_OF))
    got = dict(zip(result.skus["sku"].to_list(), result.skus["mass_g"].to_list(), strict=True))
    expected = reference_masses(text)
    assert len(got) == len(expected) == 1 + 1000 * 100 + 10
    assert all(got[s] == pytest.approx(m, rel=1e-12) for s, m in expected.items())


def mixed(seed: int, assemblies: int = 1500, parts: int = 120) -> tuple[str, str]:
    """A random DAG whose levels are thin (chains) and wide (fans of shared sub-assemblies), with
    repeated lines, bulk lines, parts without mass or composition, origins and values."""
    rnd = random.Random(seed)
    bom = ["parent,sku,qty,uom\n", ",A0,,\n", f",A{assemblies // 2},,\n"]
    for i in range(assemblies):
        kids = [f"A{i + 1}"] if i + 1 < assemblies and rnd.random() < 0.6 else []
        if i + 1 < assemblies and rnd.random() < 0.3:
            kids += [f"A{rnd.randint(i + 1, min(assemblies - 1, i + 150))}" for _ in range(rnd.randint(1, 8))]
        kids += [f"P{rnd.randrange(parts)}" for _ in range(rnd.randint(0 if kids else 1, 5))]
        bom += [f"A{i},{k},{rnd.choice(['1', '2', '3', '0.5', '7'])},EA\n" for k in kids]
        if rnd.random() < 0.1:
            bom.append(f"A{i},STEEL,{rnd.choice(['0.1', '0.25'])},kg\n")
        if rnd.random() < 0.05:
            bom.append(f"A{i},{kids[-1]},2,EA\n")  # a repeated line: quantities added
    rows = ["sku,mass_g,Dy_pct,Tb_g,re_origin,unit_value\n", "STEEL,,,,,0.002\n"]
    for p in range(parts):
        if rnd.random() < 0.05:
            continue  # no composition data
        mass = "" if rnd.random() < 0.05 else f"{rnd.uniform(0.1, 50):.4f}"
        dy = f"{rnd.uniform(0, 9):.3f}" if rnd.random() < 0.3 else ""
        tb = f"{rnd.uniform(0, 0.01):.5f}" if rnd.random() < 0.1 else ""
        value = f"{rnd.uniform(0.01, 30):.2f}" if rnd.random() < 0.9 else ""
        rows.append(f"P{p},{mass},{dy},{tb},{rnd.choice(['CN', 'JP', '', 'DE'])},{value}\n")
    return "".join(bom), "".join(rows)


@pytest.mark.parametrize("seed", [1, 2])
def test_thin_and_wide_levels_give_the_same_bits(write, monkeypatch: pytest.MonkeyPatch, seed: int):
    """Every level through NumPy, every level through Python (in runs of five edges), and the mix
    the defaults choose: the same SKU frame to the last bit, lists and contributors included."""
    bom_text, parts_text = mixed(seed)
    options = AuditOptions(files=(write("bom.csv", bom_text),), parts=(write("parts.csv", parts_text),), as_of=AS_OF, basis="value")

    def frame(thin: int, chunk: int) -> str:
        monkeypatch.setattr(dag, "THIN", thin)
        monkeypatch.setattr(dag, "CHUNK", chunk)
        return repr(audit(options).skus.to_dicts())

    default = frame(dag.THIN, dag.CHUNK)
    assert frame(0, 1) == default
    assert frame(10**9, 5) == default
    assert "contributors" in default and "'P" in default


def test_an_indented_table_100000_deep(tmp_path: Path):
    """Each line's parent is the nearest line above one level up, found without a column (or a
    pass) per level; a line out of effect drops its subtree, however deep."""
    rows = [f"{i},L{i},{2 if i % 10_000 == 1 else 1},,\n" for i in range(DEPTH)]
    rows += [f"{DEPTH},LEAF,1,2,\n", f"{DEPTH - 5},OLD,1,,2020-01-01\n", f"{DEPTH - 4},UNDER_OLD,1,3,\n"]
    path = tmp_path / "indented.csv"
    path.write_text("level,sku,qty,mass_g,valid_to\n" + "".join(rows))
    out = tmp_path / "out.csv"
    run = run_bounded(["scan", str(path), "-f", "csv", "-o", str(out), "--as-of", AS_OF.isoformat()])
    assert run.rc == 1, run  # no composition data: unknown
    assert run.within(), run
    got = {r["sku"]: r for r in csv.DictReader(out.read_text().splitlines())}
    assert len(got) == DEPTH + 1  # OLD and what only it used are left out
    assert "OLD" not in got and "UNDER_OLD" not in got
    assert float(got["L0"]["mass_g"]) == 2 * 2**10
    assert float(got["L50000"]["mass_g"]) == 2 * 2**5


def test_indented_parents_and_effect_match_a_stack_walk(write):
    rnd = random.Random(3)
    lines, level = [], 0
    for k in range(3000):
        level = rnd.randint(1, level + 1) if k else 0  # one step deeper at most, any number up
        lines.append((level, f"S{k}", "2020-01-01" if rnd.random() < 0.03 else ""))
    text = "level,sku,qty,valid_to\n" + "".join(f"{lv},{sku},1,{to}\n" for lv, sku, to in lines)
    # the reference: a stack of the open lines, one per level
    expected, stack = set(), []
    for lv, sku, to in lines:
        del stack[lv:]
        live = not to and (not stack or stack[-1][1])
        if stack and live:
            expected.add((stack[-1][0], sku))
        stack.append((sku, live))
    bom = load_bom(AuditOptions(files=(write("ind.csv", text),), as_of=AS_OF))
    assert set(bom.edges.select("parent", "child").iter_rows()) == expected
    assert len(expected) > 2000


def test_a_cycle_of_50000_skus_is_named_by_its_length_and_one_row(tmp_path: Path):
    """Not a 439 KB line listing every member, and not without a place: its first members, its
    length, and the file and row of the link that closes it."""
    n = 50_000
    path = tmp_path / "cycle.csv"
    path.write_text("parent,sku,qty\n" + "".join(f"A{k},A{k + 1},1\n" for k in range(1, n)) + f"A{n},A1,1\n")
    run = run_bounded(["scan", str(path)])
    assert run.rc == 2, run
    assert run.within(), run
    assert run.stderr == (
        f"error: {path}, row {n + 1}: the BOM has a cycle of 50,000 SKUs: A1 → A2 → A3 → A4 → A5 → A6 → … → A50000 → A1 "
        "(this row: A50000 → A1) — an assembly cannot contain itself; fix the parent or part number of one of its rows\n"
    )
    assert len(run.stderr) - len(str(path)) < 250
