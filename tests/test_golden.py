"""Golden reports for the sample BOMs.

The golden files were written once with the command in each case and reviewed by hand; the
product figures below were computed independently of bomaudit (with exact fractions, in
sample_boms/README.md, "Hand-computed results") and are asserted here on their own so that a
changed golden file cannot hide a changed number. Do not regenerate the goldens blindly: a diff
in them is a change in what users see.
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from bomaudit.cli import app

from .conftest import REPO

runner = CliRunner()
GOLDEN = REPO / "tests" / "fixtures" / "golden"

# name: (arguments, product, mass_g, cn_controlled_g, verdict, exit status) — hand-computed, see module docstring
SAMPLES = {
    "ev_traction_motor": (["sample_boms/ev_traction_motor.xlsx"], "EM-150", 59838, 72, "license-required", 1),
    "wind_generator": (["sample_boms/wind_generator_pc.csv"], "WTG-3MW-DD", 89541520, 30000, "clear", 0),
    "smartphone": (
        ["sample_boms/smartphone_flat.csv", "--parts", "sample_boms/smartphone_parts.csv", "--assembly", "PHONE-X1"],
        "PHONE-X1",
        197.401,
        0.056449,
        "clear",
        0,
    ),
    "hard_disk_drive": (["sample_boms/hard_disk_drive.tsv"], "HDD-35-8T", 648.8, 0.03, "clear", 0),
    "fin_actuator": (["sample_boms/fin_actuator_smco.csv"], "CAS-4F", 2782.6, 10.66, "denied", 1),
    "european_export": (["sample_boms/european_export_semicolon.csv", "--decimal-comma"], "SRV-140", 11197, 23.4, "license-required", 1),
}


def run_json(args: list[str], monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(REPO)
    return runner.invoke(app, ["scan", *args, "-f", "json", "--as-of", "2026-11-28"])


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_sample_matches_hand_computation(name: str, monkeypatch: pytest.MonkeyPatch):
    args, product, mass, cn, verdict, code = SAMPLES[name]
    result = run_json(args, monkeypatch)
    assert result.exit_code == code, result.output
    report = json.loads(result.stdout)
    rec = next(s for s in report["skus"] if s["sku"] == product)
    assert rec["kind"] == "product"
    assert rec["mass_g"] == pytest.approx(mass, rel=1e-12)
    assert rec["cn_controlled_g"] == pytest.approx(cn, rel=1e-12)
    assert rec["cn_fraction"] == pytest.approx(cn / mass, rel=1e-12)
    assert rec["verdict"] == verdict
    assert [i for i in report["issues"] if i["severity"] == "error"] == []


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_sample_matches_golden_report(name: str, monkeypatch: pytest.MonkeyPatch):
    result = run_json(SAMPLES[name][0], monkeypatch)
    golden = json.loads((GOLDEN / f"{name}.json").read_text())
    assert json.loads(result.stdout) == golden


def test_rotor_reproduces_the_spec_example(monkeypatch: pytest.MonkeyPatch):
    # SPEC §4's example SKU: ROT-10, 16 440 g, Dy 64.8 g + Tb 7.2 g = 72 g, MAG-N42SH × 48
    report = json.loads(run_json(SAMPLES["ev_traction_motor"][0], monkeypatch).stdout)
    rotor = next(s for s in report["skus"] if s["sku"] == "ROT-10")
    assert rotor["mass_g"] == pytest.approx(16440)
    assert rotor["elements"]["Dy"]["g"] == pytest.approx(64.8)
    assert rotor["elements"]["Tb"]["g"] == pytest.approx(7.2)
    assert rotor["cn_fraction"] == pytest.approx(72 / 16440)
    assert [(c["sku"], c["qty"]) for c in rotor["contributors"]] == [("MAG-N42SH", 48.0)]
    assert rotor["contributors"][0]["share"] == pytest.approx(1.0)


def test_table_golden(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(REPO)
    result = runner.invoke(app, ["scan", "sample_boms/fin_actuator_smco.csv", "--as-of", "2026-11-28"])
    assert result.stdout == (GOLDEN / "fin_actuator_table.txt").read_text()
