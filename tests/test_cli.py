"""The command line through Typer's CliRunner: exit codes, error lines, formats, output files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bomaudit import __version__
from bomaudit.cli import app

runner = CliRunner()

# ROTOR: 48 magnets of 10 g with 4 % Dy (0.4 g, China) = 19.2 g Dy in 480 g of magnets + 500 g shaft
# MOTOR: ROTOR + HOUSING 5000 g → 19.2 / 5980 = 0.3211 %, over 0.1 %.
BOM = """parent,sku,qty,description,mass_g,Dy_pct,re_origin
,MOTOR,,Motor,,,
MOTOR,ROTOR,1,Rotor,,,
MOTOR,HOUSING,1,Housing,5000,,
ROTOR,MAG,48,Magnet,10,4,CN
ROTOR,SHAFT,1,Shaft,500,,
"""
# a blank Dy_pct cell in a present column is a declared zero (SPEC §2): every part has composition data
CLEAN = """parent,sku,qty,description,mass_g,Dy_pct
,PUMP,,Pump,,
PUMP,BODY,1,Body,900,
PUMP,BOLT,8,Bolt,12.5,
"""


def scan(*args: str, input: str | None = None):
    return runner.invoke(app, ["scan", *args], input=input)


def test_version():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output == f"bomaudit {__version__}\n"


def test_exit_1_when_a_product_needs_a_licence(write):
    result = scan(write("bom.csv", BOM), "--as-of", "2026-11-28")
    assert result.exit_code == 1, result.output
    assert "license-required" in result.output
    assert "0.3211 %" in result.output


def test_exit_0_when_clear(write):
    result = scan(write("bom.csv", CLEAN), "--as-of", "2026-11-28")
    assert result.exit_code == 0, result.output
    assert "1 product(s), 3 SKU(s): 3 clear" in result.output


def test_fail_on_never_and_fail_scope(write):
    path = write("bom.csv", BOM)
    assert scan(path, "--fail-on", "never").exit_code == 0
    # a part of a clear product that is unknown: products scope ignores it, all scope does not
    bom = CLEAN + "PUMP,SEAL,1,Seal,\n"
    p2 = write("b2.csv", bom)
    assert scan(p2, "--fail-on", "unknown").exit_code == 1  # PUMP itself is unknown
    assert scan(p2, "--fail-on", "license-required").exit_code == 0
    assert scan(p2, "--fail-on", "license-required", "--fail-scope", "all").exit_code == 0


def test_threshold_forms_and_range(write):
    path = write("bom.csv", BOM)
    # 0.3211 % is below 0.5 %: the motor is clear, the magnet (4 %) is not
    result = scan(path, "--threshold", "0.5%", "-f", "json")
    data = json.loads(result.stdout)
    assert data["rules"]["threshold"] == 0.005
    verdicts = {s["sku"]: s["verdict"] for s in data["skus"]}
    assert verdicts["MOTOR"] == "clear" and verdicts["MAG"] == "license-required"
    assert result.exit_code == 0
    bad = scan(path, "--threshold", "150%")
    assert bad.exit_code == 2
    assert "error: --threshold '150%' is out of range" in bad.output


def test_json_report_shape_and_determinism(write):
    path = write("bom.csv", BOM)
    first = scan(path, "-f", "json", "--as-of", "2026-11-28")
    second = scan(path, "-f", "json", "--as-of", "2026-11-28")
    assert first.stdout == second.stdout
    data = json.loads(first.stdout)
    assert data["schema"] == "bomaudit.report/1"
    assert data["summary"] == {
        "skus": 5,
        "products": 1,
        "over_threshold": 3,
        "verdicts": {"license-required": 3, "clear": 2},
        "products_by_verdict": {"license-required": 1},
    }
    motor = next(s for s in data["skus"] if s["sku"] == "MOTOR")
    assert motor["mass_g"] == 5980.0
    assert motor["cn_controlled_g"] == pytest.approx(19.2)
    assert motor["elements"] == {"Dy": {"g": pytest.approx(19.2), "cn_g": pytest.approx(19.2)}}
    assert motor["contributors"] == [{"sku": "MAG", "qty": 48.0, "cn_controlled_g": pytest.approx(19.2), "share": 1.0}]
    assert [s["sku"] for s in data["skus"]] == ["MAG", "ROTOR", "MOTOR", "HOUSING", "SHAFT"]
    assert data["inputs"][0]["rows"] == 5 and len(data["inputs"][0]["sha256"]) == 64


def test_jsonl_and_csv(write):
    path = write("bom.csv", BOM)
    lines = scan(path, "-f", "jsonl").stdout.splitlines()
    assert [json.loads(x)["sku"] for x in lines] == ["MAG", "ROTOR", "MOTOR", "HOUSING", "SHAFT"]
    csv_out = scan(path, "-f", "csv").stdout.splitlines()
    assert csv_out[0].startswith("sku,description,kind,verdict,over_threshold,cn_fraction,mass_g")
    assert csv_out[3].startswith("MOTOR,Motor,product,license-required,true,0.00321070234113712")


def test_output_file_atomic_and_suffix_picks_format(write, tmp_path: Path):
    path = write("bom.csv", BOM)
    out = tmp_path / "r.json"
    result = scan(path, "-o", str(out))
    assert result.exit_code == 1
    assert json.loads(out.read_text())["schema"] == "bomaudit.report/1"
    assert "report written to" in result.stderr
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_failed_run_writes_nothing(write, tmp_path: Path):
    bad = write("bad.csv", "parent,sku,qty\n,TOP,\nTOP,A,1_0\n")
    out = tmp_path / "r.json"
    result = scan(bad, "-o", str(out))
    assert result.exit_code == 2
    assert not out.exists()
    assert list(tmp_path.glob(".r.json*")) == []
    assert result.stderr.strip().splitlines() == [
        f"error: {bad}, row 3, column 'qty': quantity is not a number: '1_0' — write how many are used per assembly, "
        "a number greater than 0 (for decimal commas such as 1,5 pass --decimal-comma)"
    ]


def test_output_may_not_be_an_input(write):
    path = write("bom.csv", BOM)
    result = scan(path, "-o", path)
    assert result.exit_code == 2
    assert "is one of the input files" in result.stderr
    assert Path(path).read_text() == BOM


def test_missing_sku_column_suggests_map(write):
    path = write("x.csv", "Spec,Count\nleft bracket,1\n")
    result = scan(path)
    assert result.exit_code == 2
    assert "no part-number column found; the headers are 'Spec', 'Count'" in result.stderr
    assert """--map sku="Spec" (values 'left bracket')""" in result.stderr
    fixed = scan(path, "--map", "sku=Spec", "--fail-on", "never")
    assert fixed.exit_code == 0, fixed.output


def test_stdin_flat_bom(write):
    parts = write("parts.csv", "sku,mass_g,Tb_mg,re_origin\nSPK,2,5,CN\nPCB,40,,\n")
    result = scan("-", "--parts", parts, "--assembly", "PHONE", "-f", "json", input="sku,qty\nSPK,2\nPCB,1\n")
    data = json.loads(result.stdout)
    phone = next(s for s in data["skus"] if s["sku"] == "PHONE")
    # 2 × 5 mg Tb = 0.01 g over 2·2 + 40 = 44 g
    assert phone["cn_controlled_g"] == pytest.approx(0.01)
    assert phone["cn_fraction"] == pytest.approx(0.01 / 44)
    assert data["inputs"][0]["path"] == "-"


def test_no_traceback_on_missing_file():
    result = scan("does-not-exist.csv")
    assert result.exit_code == 2
    assert result.stderr == "error: does-not-exist.csv: file not found — check the path\n"


def test_no_colour_when_piped(write):
    result = scan(write("bom.csv", BOM))
    assert "\x1b[" not in result.output


def test_validate_reports_columns_and_shape(write):
    result = runner.invoke(app, ["validate", write("bom.csv", BOM)])
    assert result.exit_code == 0, result.output
    assert "bom, parent-child shape, header on row 1, 5 data rows read, 5 used" in result.stdout
    assert "'mass_g' → mass (g)" in result.stdout
    assert "'Dy_pct' → element Dy (concentration, pct)" in result.stdout
    assert "graph: 5 SKUs (1 assembly(s), 3 part(s), 1 product(s)), 4 parent→child links, no cycles" in result.stdout


def test_help_does_not_import_polars_or_openpyxl():
    code = "import sys, bomaudit.cli; print('polars' in sys.modules, 'openpyxl' in sys.modules, 'numpy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False", "False"]


def test_every_command_has_help():
    for command in ("scan", "validate"):
        result = runner.invoke(app, [command, "--help"])
        assert result.exit_code == 0
        assert "Exit status" in result.output
