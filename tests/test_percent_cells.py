"""XLSX cells formatted as percentages: Excel shows 5 %, the file stores 0.05. Read as stored, a
Dy_pct column would be a hundred times too small: a false clear. They are read as shown."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from bomaudit.cli import app

runner = CliRunner()


def workbook(tmp_path: Path, rows: list[list], formats: dict[str, str]) -> str:
    """A sheet of ``rows`` (the first is the header); ``formats`` gives a number format per column letter."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "BOM"
    for row in rows:
        ws.append(row)
    for letter, fmt in formats.items():
        for cell in ws[letter][1:]:
            cell.number_format = fmt
    path = tmp_path / "bom.xlsx"
    wb.save(path)
    return str(path)


def scan(path: str, *args: str):
    return runner.invoke(app, ["scan", path, "--assembly", "TOP", "--as-of", "2026-11-28", "-f", "json", *args])


@pytest.mark.parametrize("fmt", ["0%", "0.00%", "0.0%", '0.0" pct"%'])
def test_a_percent_formatted_concentration_is_read_as_shown(tmp_path: Path, fmt: str):
    # the magnet shows "5%" Dy: 0.5 g of 10 g, over the threshold; read as stored (0.05 %) it would be 0.005 g
    path = workbook(tmp_path, [["sku", "qty", "mass_g", "Dy_pct", "re_origin"], ["MAG", 1, 10, 0.05, "CN"], ["HSG", 1, 490, 0, "CN"]], {"D": fmt})
    result = scan(path)
    assert result.exit_code == 1, result.output
    skus = {s["sku"]: s for s in json.loads(result.stdout)["skus"]}
    assert skus["MAG"]["elements"]["Dy"]["g"] == pytest.approx(0.5)
    assert skus["TOP"]["cn_fraction"] == pytest.approx(0.5 / 500)
    assert skus["TOP"]["verdict"] == "license-required"


def test_a_plain_number_format_is_left_alone(tmp_path: Path):
    path = workbook(tmp_path, [["sku", "qty", "mass_g", "Dy_pct", "re_origin"], ["MAG", 1, 10, 0.05, "CN"]], {"D": "0.00"})
    skus = {s["sku"]: s for s in json.loads(scan(path).stdout)["skus"]}
    assert skus["MAG"]["elements"]["Dy"]["g"] == pytest.approx(0.005)


def test_a_percent_formatted_quantity_is_refused(tmp_path: Path):
    path = workbook(tmp_path, [["sku", "qty", "mass_g", "Dy_pct"], ["MAG", 0.5, 10, 1]], {"B": "0%"})
    result = scan(path)
    assert result.exit_code == 2
    assert "row 2, column 'qty': quantity is a percentage, not a count" in result.stderr


def test_a_percent_formatted_mass_or_price_is_refused(tmp_path: Path):
    path = workbook(tmp_path, [["sku", "qty", "mass_g", "unit_price", "Dy_pct"], ["MAG", 1, 0.1, 0.2, 1]], {"C": "0%", "D": "0%"})
    result = scan(path)
    assert result.exit_code == 2
    assert "column 'mass_g'" in result.stderr
    assert "column 'unit_price': value is a percentage or a mass, not a price" in result.stderr


def test_a_percent_in_an_element_mass_column_is_refused(tmp_path: Path):
    path = workbook(tmp_path, [["sku", "qty", "mass_g", "Dy_g"], ["MAG", 1, 10, 0.05]], {"D": "0%"})
    result = scan(path)
    assert result.exit_code == 2
    assert "Dy cell carries a unit" in result.stderr


def test_percent_text_in_a_csv_concentration_column(tmp_path: Path):
    path = tmp_path / "b.csv"
    path.write_text("sku,qty,mass_g,Dy_pct,re_origin\nMAG,1,10,5%,CN\n")
    skus = {s["sku"]: s for s in json.loads(scan(str(path)).stdout)["skus"]}
    assert skus["MAG"]["elements"]["Dy"]["g"] == pytest.approx(0.5)
