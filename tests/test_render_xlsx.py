"""The Excel workbook: sheets, styles, numbers as numbers, defused formulas, determinism, the CLI."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from bomaudit.audit import AuditOptions, audit
from bomaudit.cli import app
from bomaudit.errors import BomauditError
from bomaudit.render import REPORTS, Format, View
from bomaudit.render.xlsx import MAX_ROWS, VERDICT_FILLS, _check_rows, render_xlsx, text
from bomaudit.vocab import VERDICTS

AS_OF = dt.date(2026, 11, 28)

# Hand-checked: MAG is 10 g with 4 % Dy of Chinese origin = 0.4 g Dy; ROTOR holds 48 → 19.2 g Dy
# in 480 g; MOTOR = ROTOR + HOUSING 5000 g = 5480 g → cn_fraction 19.2 / 5480 ≈ 0.3504 %, over
# the 0.1 % threshold: MOTOR, ROTOR and MAG are license-required, HOUSING (no rare earths) clear.
# HOUSING's quantity is "1 set", counted as 1 with a located warning (file row 5).
BOM = """parent,sku,qty,description,mass_g,Dy_pct,re_origin
,MOTOR,1,"=cmd|' /C calc'!A0",,,
MOTOR,ROTOR,1,Rotor,,,
ROTOR,MAG,48,Magnet,10,4,CN
MOTOR,HOUSING,1 set,Housing,5000,,
"""
HEADERS = [
    "sku",
    "description",
    "kind",
    "verdict",
    "over_threshold",
    "cn_fraction",
    "mass_g",
    "controlled_g",
    "cn_controlled_g",
    "Dy g",
    "Dy CN g",
    "value",
    "parts_value",
    "cn_value",
    "cn_value_fraction",
    "cn_tech",
    "declared g",
    "estimated g",
    "assumed g",
    "none g",
    "reasons",
    "assumptions",
    "unknown",
    "parts without composition data",
    "top contributors",
    "estimate: over at",
    "CN fraction, low estimate",
    "CN fraction, high estimate",
    "estimated as",
    "recognised from",
    "estimated mass",
]


@pytest.fixture
def bom_path(tmp_path: Path) -> Path:
    path = tmp_path / "bom.csv"
    path.write_text(BOM, encoding="utf-8")
    return path


@pytest.fixture
def result(bom_path: Path):
    return audit(AuditOptions(files=(str(bom_path),), as_of=AS_OF))


@pytest.fixture
def data(result) -> bytes:
    return render_xlsx(result, View())


@pytest.fixture
def wb(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))


def rows_by_sku(ws) -> dict[str, dict[str, openpyxl.cell.Cell]]:
    header = [c.value for c in ws[1]]
    return {row[0].value: dict(zip(header, row, strict=True)) for row in ws.iter_rows(min_row=2)}


def test_sheets(wb):
    assert wb.sheetnames == ["Summary", "SKUs", "Issues"]


def test_registered_and_binary(result):
    data = REPORTS[Format.xlsx].render(result, View(show_all=True, width=80))
    assert isinstance(data, bytes)
    assert data[:2] == b"PK"


def test_skus_header_row_styling_freeze_and_filter(wb):
    ws = wb["SKUs"]
    assert [c.value for c in ws[1]] == HEADERS
    assert all(c.font.bold for c in ws[1])
    assert {c.fill.fgColor.rgb for c in ws[1]} == {"00D9E1F2"}
    assert ws.freeze_panes == "B2"
    # 25 columns (A..Y), header + 4 SKUs
    assert ws.auto_filter.ref == "A1:AE5"
    assert all(ws.column_dimensions[c].width >= 6 for c in "ABCDEFGHIJKLMNOPQRSTUVWXY")


def test_report_order(wb):
    # verdict severity, then cn_fraction descending: ROTOR 4 % (19.2/480; float sums put it a hair
    # above MAG's 0.4/10), MAG 4 %, MOTOR 0.35 %, then the clear HOUSING
    assert list(rows_by_sku(wb["SKUs"])) == ["ROTOR", "MAG", "MOTOR", "HOUSING"]


def test_numbers_are_numeric_cells(wb):
    motor = rows_by_sku(wb["SKUs"])["MOTOR"]
    fraction = motor["cn_fraction"]
    assert isinstance(fraction.value, float)
    assert fraction.value == pytest.approx(19.2 / 5480, rel=1e-12)
    assert fraction.number_format == "0.000%"
    assert motor["mass_g"].value == 5480
    assert motor["mass_g"].data_type == "n"
    assert motor["Dy g"].value == pytest.approx(19.2)
    assert motor["Dy CN g"].value == pytest.approx(19.2)
    assert motor["over_threshold"].value is True
    assert motor["cn_tech"].value is False
    # no value column in the BOM: empty cells, not "None" or ""
    assert motor["value"].value is None
    assert motor["cn_value_fraction"].value is None
    assert motor["assumptions"].value is None
    assert motor["top contributors"].value == "MAG ×48 (100 %)"
    assert "0.3504 %" in motor["reasons"].value
    housing = rows_by_sku(wb["SKUs"])["HOUSING"]
    assert housing["Dy g"].value == 0
    assert housing["cn_fraction"].value == 0
    assert housing["cn_fraction"].number_format == "0.000%"


def test_verdict_fills(wb):
    rows = rows_by_sku(wb["SKUs"])
    licence, clear = rows["MOTOR"]["verdict"], rows["HOUSING"]["verdict"]
    assert licence.value == "license-required"
    assert clear.value == "clear"
    assert licence.fill.fgColor.rgb == "00" + VERDICT_FILLS["license-required"]
    assert clear.fill.fgColor.rgb == "00" + VERDICT_FILLS["clear"]
    assert licence.fill.fgColor.rgb != clear.fill.fgColor.rgb


def test_every_verdict_has_its_own_fill_but_licensed_and_exempt():
    assert set(VERDICT_FILLS) == set(VERDICTS)
    colours = {v: c for v, c in VERDICT_FILLS.items() if v != "exempt"}
    assert len(set(colours.values())) == len(colours)


def test_formula_in_description_is_defused(wb):
    cell = rows_by_sku(wb["SKUs"])["MOTOR"]["description"]
    assert cell.value == "'=cmd|' /C calc'!A0"
    assert cell.data_type == "s"
    # nowhere in the workbook is there a formula
    assert all(c.data_type != "f" for ws in wb for row in ws.iter_rows() for c in row)


@pytest.mark.parametrize(
    ("raw", "shown"),
    [("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("\rx", "'\rx"), ("ok", "ok"), ("a\x01b\x1f", "ab")],
)
def test_text(raw, shown):
    assert text(raw) == shown


def test_text_none_and_too_long():
    assert text(None) is None
    long = text("x" * 40_000)
    assert len(long) == 32_767
    assert long.endswith("…")


def test_issues_sheet(wb, bom_path):
    ws = wb["Issues"]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows == [
        ["severity", "code", "message", "file", "sheet", "row", "column", "sku"],
        [
            "warning",
            "uom-not-count-or-mass",
            "1 line(s) in unit(s) 'set' (neither a count nor a mass): quantity used as a count — give such lines a mass unit or a per-piece mass",
            str(bom_path),
            None,
            5,
            "qty",
            None,
        ],
    ]
    assert all(c.font.bold for c in ws[1])
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:H2"


def test_summary_sheet(wb, bom_path, result):
    ws = wb["Summary"]
    pairs = {row[0].value: row[1] for row in ws.iter_rows() if row[0].value is not None}
    assert pairs["tool"].value == "bomaudit"
    assert pairs["rule pack"].value == "cn-mofcom-2025"
    assert pairs["pack version"].value == result.pack.version
    assert pairs["as of"].value == dt.datetime(2026, 11, 28)
    assert pairs["threshold"].value == 0.001
    assert pairs["threshold"].number_format == "0.000%"
    assert pairs["basis"].value == "mass"
    assert pairs["rules in force"].value == "no61-de-minimis, no61-technology, no61-reexport"
    assert pairs["SKUs"].value == 4
    assert pairs["products"].value == 1
    assert pairs["over threshold"].value == 3
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert [str(bom_path), None, result.inputs[0].sha256, 4, "bom", "parent-child"] in values
    verdicts = {row[0]: row[1:3] for row in values if row[0] in VERDICTS}
    assert verdicts == {v: [3, 1] if v == "license-required" else [1, 0] if v == "clear" else [0, 0] for v in VERDICTS}


def test_another_reader_sees_numbers(data):
    # calamine (through Polars), not openpyxl, reads the file back: the workbook is not only openpyxl's
    import polars as pl

    skus = pl.read_excel(data, sheet_name="SKUs")
    assert skus["sku"].to_list() == ["ROTOR", "MAG", "MOTOR", "HOUSING"]
    assert skus.schema["cn_fraction"] == pl.Float64
    assert skus.filter(pl.col("sku") == "MOTOR")["cn_fraction"].item() == pytest.approx(19.2 / 5480, rel=1e-12)


def _workbook(tmp_path: Path, csv: str):
    path = tmp_path / "pump.csv"
    path.write_text(csv, encoding="utf-8")
    return openpyxl.load_workbook(io.BytesIO(render_xlsx(audit(AuditOptions(files=(str(path),), as_of=AS_OF)), View())))


def test_no_element_columns_without_composition(tmp_path):
    wb = _workbook(tmp_path, "parent,sku,qty,description,mass_g\n,PUMP,,Pump,\nPUMP,BODY,1,Body,900\n")
    assert [c.value for c in wb["SKUs"][1]] == [h for h in HEADERS if not h.startswith("Dy ")]
    assert wb["SKUs"].auto_filter.ref == "A1:AC3"
    issues = list(wb["Issues"].iter_rows(min_row=2, values_only=True))
    assert [(i[0], i[1], i[3], i[5]) for i in issues] == [("warning", "no-composition", None, None)]


def test_issues_sheet_without_issues(tmp_path):
    wb = _workbook(tmp_path, "parent,sku,qty,description,mass_g,Dy_pct\n,PUMP,,Pump,,\nPUMP,BODY,1,Body,900,0\n")
    assert [[c.value for c in row] for row in wb["Issues"].iter_rows()] == [["severity", "code", "message", "file", "sheet", "row", "column", "sku"]]
    assert wb["Issues"].auto_filter.ref == "A1:H1"
    body = rows_by_sku(wb["SKUs"])["BODY"]
    assert body["Dy g"].value == 0
    assert body["verdict"].value == "clear"


def test_deterministic(result, data):
    assert render_xlsx(result, View()) == data
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert {i.date_time for i in zf.infolist()} == {(2026, 11, 28, 0, 0, 0)}
        assert zf.testzip() is None
    props = openpyxl.load_workbook(io.BytesIO(data)).properties
    assert props.created == props.modified == dt.datetime(2026, 11, 28)


def test_too_many_rows_is_a_domain_error():
    _check_rows("SKUs", MAX_ROWS - 1)
    with pytest.raises(BomauditError, match="csv or json"):
        _check_rows("SKUs", MAX_ROWS)


def test_import_does_not_load_openpyxl_or_polars():
    code = "import sys, bomaudit.render.xlsx; print(sorted(m for m in ('openpyxl', 'polars') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# --- through the command line ------------------------------------------------------------

runner = CliRunner()


def test_cli_output_suffix_picks_xlsx(bom_path, tmp_path):
    out = tmp_path / "out.xlsx"
    result = runner.invoke(app, ["scan", str(bom_path), "--as-of", "2026-11-28", "-o", str(out)])
    assert result.exit_code == 1, result.output  # MOTOR, a product, is license-required
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Summary", "SKUs", "Issues"]
    assert rows_by_sku(wb["SKUs"])["MOTOR"]["verdict"].value == "license-required"


def test_cli_xlsx_to_stdout_when_not_a_tty(bom_path):
    result = runner.invoke(app, ["scan", str(bom_path), "--as-of", "2026-11-28", "-f", "xlsx", "-q"])
    assert result.exit_code == 1, result.stderr
    assert result.stdout_bytes.startswith(b"PK")
    wb = openpyxl.load_workbook(io.BytesIO(result.stdout_bytes))
    assert wb.sheetnames == ["Summary", "SKUs", "Issues"]
