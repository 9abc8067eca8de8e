"""Decimal commas detected from a table's own cells (issue #12): a European export reads with no
option; a table that also shows decimal points, or shows nothing either way, is left to
``--decimal-comma``."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from bomaudit.audit import AuditOptions, load_bom
from bomaudit.cli import app
from bomaudit.errors import BomauditError

from .conftest import REPO

runner = CliRunner()


def test_the_european_sample_reads_with_no_option_as_with_the_flag():
    sample = str(REPO / "sample_boms" / "european_export_semicolon.csv")
    plain = runner.invoke(app, ["scan", sample, "-f", "json", "--as-of", "2026-11-28"])
    flagged = runner.invoke(app, ["scan", sample, "--decimal-comma", "-f", "json", "--as-of", "2026-11-28"])
    assert plain.exit_code == flagged.exit_code == 1, plain.stderr
    assert json.loads(plain.stdout)["skus"] == json.loads(flagged.stdout)["skus"]
    assert (
        f"warning: {sample}, row 4, column 'Weight (g)': numbers are written with decimal commas ('22,5' here) and none with a decimal point: "
        "read with decimal commas, 1.150,5 as 1150.5" in plain.stderr
    )
    assert "decimal commas" not in flagged.stderr


def _masses(path: str) -> dict[str, float]:
    bom = load_bom(AuditOptions(files=(path,), assembly="T"))
    return dict(zip(bom.attrs["sku"].to_list(), bom.attrs["mass_g"].to_list(), strict=True))


def test_commas_after_dot_grouped_thousands_are_decimal(write):
    path = write("b.csv", "sku;qty;mass_g\nA;1;1.150,0\nB;2;0,25\n")
    assert _masses(path) == {"A": 1150.0, "B": 0.25}


def test_a_table_that_also_shows_decimal_points_is_not_guessed(write):
    path = write("b.csv", "sku;qty;mass_g\nA;1;2,5\nB;2;1.5\n")
    try:
        load_bom(AuditOptions(files=(path,), assembly="T"))
    except BomauditError as exc:
        assert [p.message for p in exc.problems] == ["mass is not a number: '2,5'"]
    else:
        raise AssertionError("2,5 beside 1.5 was read")


def test_three_digits_after_a_comma_say_nothing(write):
    # 1,150 may be a thousand and fifty or one point one five: nothing is detected, as before
    path = write("b.csv", 'sku,qty,mass_g\nA,1,"1,150"\n')
    assert _masses(path) == {"A": 1150.0}


def test_a_file_with_decimal_points_is_read_as_before(write):
    path = write("b.csv", "sku,qty,mass_g\nA,1,2.5\nB,2,1150\n")
    assert _masses(path) == {"A": 2.5, "B": 1150.0}


def test_a_thousands_looking_comma_anywhere_stops_the_guess(write):
    # 2,5 says decimal comma, 1,150 could be 1150 or 1.15: a magnet's mass read 1000x too small
    # would hide its dysprosium, so nothing is guessed and the flag is asked for
    path = write("b.csv", "sku;qty;mass_g;Dy_pct\nA;1;1,150;4\nB;2;2,5;0\n")
    try:
        load_bom(AuditOptions(files=(path,), assembly="T"))
    except BomauditError as exc:
        assert any("pass --decimal-comma" in (p.hint or "") for p in exc.problems)
    else:
        raise AssertionError("1,150 beside 2,5 was guessed")
