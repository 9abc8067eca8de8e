"""Golden cases, one folder each under ``tests/cases/``: adding a case is adding a folder.

A folder holds ``case.toml`` (the arguments, the as-of date, the exit status and the product's
figures computed by hand, not by bomaudit), any input files of its own, and the expected outputs:
``expected.json``, ``expected.csv``, ``expected.table.txt`` (standard output of ``scan -f FMT``)
and ``expected.stderr`` (standard error, the same for every format). The expected files were
written once and read by hand; the hand-computed figures are asserted on their own so that a
changed golden file cannot hide a changed number. Do not regenerate them blindly: a diff in them is
a change in what users see.
"""

from __future__ import annotations

import json
import tomllib
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bomaudit.cli import app

from .conftest import REPO

CASES = REPO / "tests" / "cases"
FORMATS = {"json": "expected.json", "csv": "expected.csv", "table": "expected.table.txt"}
runner = CliRunner()


def cases() -> list[Path]:
    return sorted(p for p in CASES.iterdir() if (p / "case.toml").is_file())


def load(case: Path) -> dict:
    return tomllib.loads((case / "case.toml").read_text("utf-8"))


def run(case: Path, fmt: str, monkeypatch: pytest.MonkeyPatch):
    spec = load(case)
    monkeypatch.chdir(REPO)
    return runner.invoke(app, ["scan", *spec["args"], "--as-of", spec["as-of"], "-f", fmt])


def test_every_case_folder_is_complete():
    assert len(cases()) >= 7
    for case in cases():
        missing = [f for f in [*FORMATS.values(), "expected.stderr"] if not (case / f).is_file()]
        assert missing == [], f"{case.name} lacks {missing}"


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@pytest.mark.parametrize("case", cases(), ids=lambda p: p.name)
def test_case_output_is_unchanged(case: Path, fmt: str, monkeypatch: pytest.MonkeyPatch):
    result = run(case, fmt, monkeypatch)
    assert result.exit_code == load(case)["exit"], result.output
    assert result.stdout == (case / FORMATS[fmt]).read_text("utf-8")
    assert result.stderr == (case / "expected.stderr").read_text("utf-8")


@pytest.mark.parametrize("case", cases(), ids=lambda p: p.name)
def test_case_matches_hand_computation(case: Path, monkeypatch: pytest.MonkeyPatch):
    expected = load(case)["product"]
    report = json.loads(run(case, "json", monkeypatch).stdout)
    rec = next(s for s in report["skus"] if s["sku"] == expected["sku"])
    mass, cn = Decimal(expected["mass_g"]), Decimal(expected["cn_controlled_g"])
    assert rec["kind"] == "product"
    assert rec["mass_g"] == pytest.approx(float(mass), rel=1e-12)
    assert rec["cn_controlled_g"] == pytest.approx(float(cn), rel=1e-12)
    assert rec["cn_fraction"] == pytest.approx(float(cn / mass), rel=1e-12)
    assert rec["verdict"] == expected["verdict"]
    assert [i for i in report["issues"] if i["severity"] == "error"] == []


def test_rotor_reproduces_the_spec_example(monkeypatch: pytest.MonkeyPatch):
    # SPEC §4's example SKU: ROT-10, 16 440 g, Dy 64.8 g + Tb 7.2 g = 72 g, MAG-N42SH × 48
    report = json.loads(run(CASES / "ev_traction_motor", "json", monkeypatch).stdout)
    rotor = next(s for s in report["skus"] if s["sku"] == "ROT-10")
    assert rotor["mass_g"] == pytest.approx(16440)
    assert rotor["elements"]["Dy"]["g"] == pytest.approx(64.8)
    assert rotor["elements"]["Tb"]["g"] == pytest.approx(7.2)
    assert rotor["cn_fraction"] == pytest.approx(72 / 16440)
    assert [(c["sku"], c["qty"]) for c in rotor["contributors"]] == [("MAG-N42SH", 48.0)]
    assert rotor["contributors"][0]["share"] == pytest.approx(1.0)
