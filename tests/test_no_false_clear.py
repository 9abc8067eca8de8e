"""A product is ``clear`` only when the data proves it (issue #10): provenance and coverage, the
default gate, the threshold boundary, an ambiguous --threshold, and the value basis."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from bomaudit.cli import app

runner = CliRunner()
AS_OF = "2026-11-28"

NO_COMPOSITION = """Part Number,Description,Qty,Mass (g)
MAG-1,Sintered NdFeB magnet N42SH,8,30
HSG-1,Aluminium housing,1,900
"""


def scan(*args: str):
    # these tests are about data missing: without the materials library's estimates (which
    # recognise "NdFeB magnet"); test_estimates_never_clear_what_they_recognise runs with them
    return runner.invoke(app, ["scan", *args, "--as-of", AS_OF, *(() if "--estimates" in args else ("--estimates", "off"))])


def report(*args: str) -> tuple[dict, int]:
    result = scan(*args, "-f", "json")
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout), result.exit_code


def by_sku(rep: dict) -> dict[str, dict]:
    return {s["sku"]: s for s in rep["skus"]}


# --- provenance and coverage ------------------------------------------------------------


def test_no_composition_at_all_is_unknown_never_clear(write):
    rep, code = report(write("motor.csv", NO_COMPOSITION), "--assembly", "MOTOR")
    skus = by_sku(rep)
    assert code == 1
    assert {s["verdict"] for s in rep["skus"]} == {"unknown"}
    motor = skus["MOTOR"]
    assert motor["no_data"] == ["HSG-1", "MAG-1"]
    assert motor["coverage"]["none"] == {"parts": 9.0, "mass_g": 1140.0}  # 8 magnets + 1 housing; 8 × 30 + 900 g
    assert motor["coverage"]["declared"] == {"parts": 0.0, "mass_g": 0.0}
    assert any("no composition data for 2 part(s) (HSG-1, MAG-1)" in r for r in motor["reasons"])
    assert any("--assume-free-unlisted" in r for r in motor["reasons"])


def test_estimates_never_clear_what_they_recognise(write):
    """With the materials library (the default), the N42SH magnets are estimated and over, the
    housing it does not recognise stays without data: never clear, and said to be an estimate."""
    rep, code = report(write("motor.csv", NO_COMPOSITION), "--assembly", "MOTOR", "--estimates", "on")
    skus = by_sku(rep)
    assert code == 1
    assert skus["MAG-1"]["verdict"] == "license-required" and skus["MAG-1"]["estimated_from"]["grade"] == "N42SH"
    assert skus["MAG-1"]["coverage"]["estimated"] == {"parts": 1.0, "mass_g": 30.0}
    assert skus["MOTOR"]["verdict"] == "license-required"
    assert any(r.startswith("estimated (") for r in skus["MOTOR"]["reasons"])
    assert skus["MOTOR"]["no_data"] == ["HSG-1"]


@pytest.mark.parametrize("suffix", ["csv", "parquet", "xlsx"])
def test_no_composition_is_unknown_through_every_reader(tmp_path: Path, suffix: str):
    frame = pl.DataFrame({"Part Number": ["MAG-1", "HSG-1"], "Description": ["NdFeB magnet", "Housing"], "Qty": [8, 1], "Mass (g)": [30.0, 900.0]})
    path = tmp_path / f"motor.{suffix}"
    if suffix == "xlsx":
        import openpyxl

        wb = openpyxl.Workbook()
        wb.active.append(frame.columns)
        for row in frame.iter_rows():
            wb.active.append(list(row))
        wb.save(path)
    else:
        {"csv": frame.write_csv, "parquet": frame.write_parquet}[suffix](path)
    rep, code = report(str(path), "--assembly", "MOTOR")
    assert code == 1
    assert by_sku(rep)["MOTOR"]["verdict"] == "unknown"


def test_stdin_without_composition_is_unknown():
    result = runner.invoke(app, ["scan", "-", "--assembly", "MOTOR", "--as-of", AS_OF, "-f", "json", "--estimates", "off"], input=NO_COMPOSITION)
    assert result.exit_code == 1
    assert by_sku(json.loads(result.stdout))["MOTOR"]["verdict"] == "unknown"


def test_assume_free_unlisted_is_an_assumption_on_every_sku_it_touches(write):
    rep, code = report(write("motor.csv", NO_COMPOSITION), "--assembly", "MOTOR", "--assume-free-unlisted")
    assert code == 0
    for s in rep["skus"]:
        assert s["verdict"] == "clear"
        assert any("counted as free of controlled rare earths (--assume-free-unlisted)" in a for a in s["assumptions"]), s["sku"]
        assert s["coverage"]["none"]["parts"] == 0.0
    assert by_sku(rep)["MOTOR"]["coverage"]["assumed"] == {"parts": 9.0, "mass_g": 1140.0}


def test_a_part_missing_from_the_parts_file_is_unknown(write):
    bom = write("bom.csv", "sku,qty\nMAG,4\nSCREW,2\n")
    parts = write("parts.csv", "sku,mass_g,Dy_pct,re_origin\nMAG,10,0.01,CN\n")  # 0.0001 %: under the threshold
    rep, code = report(bom, "--parts", parts, "--assembly", "KIT")
    kit = by_sku(rep)["KIT"]
    assert code == 1
    assert kit["verdict"] == "unknown"
    assert kit["no_data"] == ["SCREW"]
    assert kit["coverage"]["declared"]["parts"] == 4.0
    assert kit["coverage"]["none"]["parts"] == 2.0


def test_over_on_what_is_known_is_not_unknown(write):
    bom = write("bom.csv", "sku,qty\nMAG,4\nSCREW,2\n")
    parts = write("parts.csv", "sku,mass_g,Dy_pct,re_origin\nMAG,10,4,CN\nSCREW,1,,\n")
    rep, _ = report(bom, "--parts", parts, "--assembly", "KIT")
    assert by_sku(rep)["KIT"]["verdict"] == "license-required"


def test_a_blank_cell_in_a_present_element_column_is_a_declared_zero(write):
    rep, code = report(write("bom.csv", "sku,qty,mass_g,Dy_pct\nHSG,1,900,\n"), "--assembly", "KIT")
    assert code == 0
    assert by_sku(rep)["KIT"]["coverage"]["declared"] == {"parts": 1.0, "mass_g": 900.0}


def test_coverage_adds_up_to_the_mass(write):
    text = "parent,sku,qty,mass_g,Dy_pct,uom\n,TOP,,,,\nTOP,SUB,3,,,\nSUB,MAG,2,10,3,\nSUB,GLUE,4,,,g\nTOP,BOLT,5,2,,\n"
    parts = write("p.csv", "sku,Tb_pct\nMAG,1\n")
    rep, _ = report(write("b.csv", text), "--parts", parts)
    top = by_sku(rep)["TOP"]
    total = sum(c["mass_g"] for c in top["coverage"].values())
    assert total == pytest.approx(top["mass_g"])
    # 3 × (2 magnets + 1 glue line) + 5 bolts: a bulk line counts once per use
    assert sum(c["parts"] for c in top["coverage"].values()) == 14.0


# --- the gate ---------------------------------------------------------------------------


def test_the_default_gate_fails_on_unknown(write):
    path = write("motor.csv", NO_COMPOSITION)
    result = scan(path, "--assembly", "MOTOR")
    assert result.exit_code == 1
    assert "1 product(s) unknown" in result.stdout
    assert "--fail-on license-required accepts them" in result.stdout
    assert scan(path, "--assembly", "MOTOR", "--fail-on", "license-required").exit_code == 0


# --- the threshold boundary -------------------------------------------------------------


def test_seven_tenths_of_a_gram_at_exactly_the_threshold_is_over(write):
    # 7 × 0.1 g at 0.1 % Dy: exactly 0.1 %, though the float sums give 0.0009999999999999998
    rep, code = report(write("b.csv", "sku,qty,mass_g,Dy_pct,re_origin\nM,7,0.1,0.1,CN\n"), "--assembly", "P")
    assert code == 1
    assert by_sku(rep)["P"]["over_threshold"] is True
    assert by_sku(rep)["P"]["verdict"] == "license-required"


@settings(max_examples=60, deadline=None)
@given(
    lines=st.lists(
        st.tuples(st.integers(1, 60), st.decimals(min_value=Decimal("0.001"), max_value=Decimal("500"), places=3)),
        min_size=1,
        max_size=8,
    ),
)
def test_exactly_at_the_threshold_is_always_over(tmp_path_factory: pytest.TempPathFactory, lines: list[tuple[int, Decimal]]):
    """Parts of any count and mass, each with exactly 0.1 % China-origin Dy: the product's fraction
    is exactly the threshold, so it must be over, whatever floating point makes of the sums."""
    path = tmp_path_factory.mktemp("b") / "b.csv"
    rows = [f"P{i},{q},{m},0.1,CN" for i, (q, m) in enumerate(lines)]
    path.write_text("sku,qty,mass_g,Dy_pct,re_origin\n" + "\n".join(rows) + "\n")
    rep, _ = report(str(path), "--assembly", "TOP")
    assert all(s["over_threshold"] for s in rep["skus"]), [(s["sku"], s["cn_fraction"]) for s in rep["skus"]]


# --- an ambiguous --threshold -------------------------------------------------------------


@pytest.mark.parametrize("bare", ["0.1", "0.01", "0.5", "1", "5", "0.25"])
def test_a_bare_threshold_of_one_percent_or_more_is_refused(write, bare: str):
    result = scan(write("b.csv", "sku,qty\nA,1\n"), "--threshold", bare)
    assert result.exit_code == 2
    assert f"--threshold '{bare}' is ambiguous" in result.stderr
    assert f"write {bare}% for a percentage, or 0.001 for 0.1 %" in result.stderr


@pytest.mark.parametrize(("text", "value"), [("0.1%", 0.001), ("0.001", 0.001), ("1e-3", 0.001), ("0.009", 0.009), ("5 %", 0.05), ("0.05%", 0.0005)])
def test_unambiguous_thresholds_are_read(write, text: str, value: float):
    rep, _ = report(write("b.csv", "sku,qty,mass_g,Dy_pct\nA,1,1,\n"), "--assembly", "T", "--threshold", text)
    assert rep["rules"]["threshold"] == pytest.approx(value)


@pytest.mark.parametrize("bad", ["nan", "inf", "1_000%", "-0.1%", "abc"])
def test_a_threshold_that_is_not_a_fraction_is_refused(write, bad: str):
    assert scan(write("b.csv", "sku,qty\nA,1\n"), "--threshold", bad).exit_code == 2


# --- the value basis --------------------------------------------------------------------

VALUE_BOM = "parent,sku,qty,unit_price,cn_re_value,mass_g,Dy_pct,re_origin\n,KIT,1,200,,,,\nKIT,MAG,2,20,1,10,5,CN\nKIT,PCB,1,2,,5,0,\n"


def test_value_is_the_denominator_used_and_the_roll_up_beside_it(write):
    rep, _ = report(write("v.csv", VALUE_BOM), "--basis", "value")
    kit = by_sku(rep)["KIT"]
    assert kit["value"] == 200.0  # the declared price is the denominator
    assert kit["parts_value"] == 42.0  # 2 × 20 + 2
    assert kit["cn_value"] == 2.0
    for s in rep["skus"]:
        if s["cn_value_fraction"] is not None:
            assert s["cn_value"] / s["value"] == pytest.approx(s["cn_value_fraction"])


def test_the_table_fraction_follows_the_basis(write):
    path = write("v.csv", VALUE_BOM)
    value = scan(path, "--basis", "value", "--all").stdout
    assert "CN value fraction" in value
    assert "1 %" in value  # KIT: 2 / 200
    assert "CN value fraction" not in scan(path, "--all").stdout


def test_json_never_holds_nan_or_infinity(write):
    """Whatever reaches the renderer, an unknown number is written as null (json.loads would
    otherwise accept the bare NaN/Infinity tokens that other JSON readers refuse)."""
    import dataclasses

    from bomaudit.audit import AuditOptions, audit
    from bomaudit.render import as_text, report

    result = audit(AuditOptions(files=(write("b.csv", "sku,qty,mass_g,Dy_g,re_origin\nM,1,10,1,CN\n"),), assembly="P"))
    poisoned = dataclasses.replace(result, skus=result.skus.with_columns(Dy_g=pl.lit(float("inf")), Dy_cn_g=pl.lit(float("nan"))))

    def refuse(token: str) -> None:
        raise AssertionError(f"bare {token} in the JSON report")

    text = as_text(report.build_json(poisoned))
    rep = json.loads(text, parse_constant=refuse)
    assert rep["skus"][0]["elements"]["Dy"] == {"g": None, "cn_g": None}


def test_a_loose_sku_match_is_an_assumption_on_every_sku_above_it(write):
    bom = write("bom.csv", "parent,sku,qty\n,TOP,\nTOP,SUB,2\nSUB,MAG-N52-10x5,4\nTOP,HSG,1\n")
    parts = write("parts.csv", "sku,mass_g,Dy_pct,re_origin\nMAG-N52-10X5,10,4,CN\nHSG,500,,\nSUB,,,\n")
    strict = scan(bom, "--parts", parts)
    assert strict.exit_code == 2
    assert "MAG-N52-10X5" in strict.stderr and "MAG-N52-10x5" in strict.stderr
    rep, _ = report(bom, "--parts", parts, "--sku-match", "loose")
    skus = by_sku(rep)
    for name in ("TOP", "SUB", "MAG-N52-10x5"):
        assert any("(--sku-match loose)" in a and "MAG-N52-10x5" in a for a in skus[name]["assumptions"]), name
    assert not any("--sku-match" in a for a in skus["HSG"]["assumptions"])
    assert skus["TOP"]["verdict"] == "license-required"  # the joined magnet data counts
