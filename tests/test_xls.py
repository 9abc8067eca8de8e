"""Legacy Excel 97–2003 workbooks (.xls), read through calamine as .xlsx files are: the same sheet
choice, header detection, row numbers, hidden-sheet warnings, error cells and percentages, and
the same refusals (encrypted, damaged, too big)."""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bomaudit.audit import AuditOptions, audit
from bomaudit.cli import app
from bomaudit.errors import BomauditError
from bomaudit.load import Limits, ReadOptions, load_table

from .xlsgen import Error, Percent, write_xls
from .xlsxgen import ole_file

AS_OF = dt.date(2026, 11, 28)
runner = CliRunner()
TITLE = [["Robot arm R2 — bill of materials"], [], ["Part Number", "Description", "Qty", "Mass (g)", "Dy_pct", "Origin"]]
LINES = [["MAG-N52", "Magnet segment", 12, 5, Percent(0.045), "CN"], ["M3-8", "Screw", 40, 1.2, None, None], ["PCB-1", "Board", 1, 20, 0, "US"]]


def scan(path: Path, *args: str) -> object:
    return runner.invoke(app, ["scan", str(path), "--as-of", AS_OF.isoformat(), *args])


def refused(path: Path, *args: str, **read: object) -> str:
    with pytest.raises(BomauditError) as exc:
        load_table(str(path), ReadOptions(**read))  # type: ignore[arg-type]
    lines = [p.line() for p in exc.value.problems]
    assert len(lines) == 1, lines
    result = scan(path, *args)
    assert result.exit_code == 2 and "Traceback" not in result.output and result.stderr.count("\n") == 1, result.output
    return lines[0]


def test_a_bom_xls_is_read_with_no_options(tmp_path: Path):
    """Title rows above the header and the table starting in column B: header found, rows as Excel numbers them."""
    path = write_xls(tmp_path / "arm.xls", [("Notes", [["Read me"]]), ("BOM", [*TITLE, *LINES])], start=(1, 1))
    table = load_table(str(path))
    assert (table.sheet, table.header_row, table.details["format"]) == ("BOM", 4, "xls")
    assert table.frame["Part Number"].to_list() == ["MAG-N52", "M3-8", "PCB-1"]
    assert table.frame["__row"].to_list() == [5, 6, 7]
    assert table.frame["Qty"].to_list() == ["12", "40", "1"]
    assert table.frame["Dy_pct"].to_list() == ["4.5%", None, "0"]  # as Excel shows the percentage, not 0.045
    result = audit(AuditOptions(files=(str(path),), as_of=AS_OF))
    verdicts = dict(result.skus.select("sku", "verdict").rows())
    assert verdicts == {"MAG-N52": "license-required", "M3-8": "clear", "PCB-1": "clear", "arm": "license-required"}
    grams = dict(result.skus.select("sku", "mass_g").rows())
    assert grams["arm"] == pytest.approx(12 * 5 + 40 * 1.2 + 20)


def test_the_scan_report_names_the_xls_sheet(tmp_path: Path):
    path = write_xls(tmp_path / "arm.xls", [("BOM", [*TITLE, *LINES])])
    result = scan(path, "-f", "json")
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert [(i["path"], i["sheet"]) for i in report["inputs"]] == [(str(path), "BOM")]


def test_a_hidden_xls_sheet_is_skipped_with_the_xlsx_warning(tmp_path: Path):
    old = [["Part Number", "Qty"], ["OLD-MAGNET", 1]]
    path = write_xls(tmp_path / "arm.xls", [("Old rev", old), ("BOM", [*TITLE, *LINES])], hidden=["Old rev"])
    table = load_table(str(path))
    assert table.sheet == "BOM" and "OLD-MAGNET" not in table.frame["Part Number"].to_list()
    assert [w.line() for w in table.warnings] == [f"{path}: sheet 'Old rev' is hidden: skipped — pass --sheet 'Old rev' to read it"]
    assert load_table(str(path), ReadOptions(sheet="Old rev")).frame["Part Number"].to_list() == ["OLD-MAGNET"]


@pytest.mark.parametrize("error", ["#N/A", "#DIV/0!", "#VALUE!", "#REF!"])
@pytest.mark.parametrize("column", ["Qty", "Dy_pct"])
def test_xls_error_cells_are_refused_where_they_are(tmp_path: Path, error: str, column: str):
    """calamine reads an error cell as empty: a #N/A quantity would count 1, a #N/A Dy_pct 0 %."""
    bad = ["MAG-N52", "Magnet", 12, 5, Percent(0.045), "CN"]
    bad[TITLE[2].index(column)] = Error(error)
    path = write_xls(tmp_path / "arm.xls", [("BOM", [*TITLE, bad])], start=(2, 1))
    line = refused(path)
    assert line == f"{path}, sheet 'BOM', row 6, column '{column}': cell holds the spreadsheet error {error} — fix the formula or enter the value"


def test_a_percentage_in_a_quantity_is_refused(tmp_path: Path):
    path = write_xls(tmp_path / "arm.xls", [("BOM", [TITLE[2], ["MAG-N52", "Magnet", Percent(0.5), 5, 4.5, "CN"]])])
    result = scan(path)
    assert result.exit_code == 2 and "percentage" in result.stderr and "row 2" in result.stderr, result.output


def test_an_encrypted_ole_file_named_xls_is_still_refused(tmp_path: Path):
    path = tmp_path / "locked.xls"
    path.write_bytes(ole_file(["EncryptionInfo", "EncryptedPackage"]))
    line = refused(path)
    assert "password-protected (encrypted)" in line and "remove the password" in line


def test_a_damaged_xls_is_refused_in_one_line(tmp_path: Path):
    good = write_xls(tmp_path / "good.xls", [("BOM", [*TITLE, *LINES])]).read_bytes()
    for cut in (600, len(good) // 2, len(good) - 100):
        path = tmp_path / f"cut{cut}.xls"
        path.write_bytes(good[:cut])
        line = refused(path)
        assert line.startswith(f"{path}: ") and "Excel 97–2003" in line and "save it again" in line, line


def test_an_xls_over_the_limits_is_refused_naming_the_limit(tmp_path: Path):
    path = write_xls(tmp_path / "arm.xls", [("BOM", [*TITLE, *LINES])])
    line = refused(path, "--max-cells", "10", limits=Limits(max_cells=10))
    hint = "raise it with --max-cells if the workbook is genuine, or export the BOM sheet as CSV"
    assert line == f"{path}, sheet 'BOM': the sheet declares 36 cells (its DIMENSIONS record), over the limit of 10 — {hint}"
    two = write_xls(tmp_path / "two.xls", [("A", [*TITLE, *LINES]), ("B", [*TITLE, *LINES])])
    line = refused(two, "--max-cells", "40", limits=Limits(max_cells=40))
    assert line == f"{two}: the workbook's sheets declare 72 cells (their DIMENSIONS records), over the limit of 40 — {hint}"
    line = refused(path, "--max-rows", "2", limits=Limits(max_rows=2))
    assert "has 6 data rows, over the limit of 2" in line and "--max-rows" in line  # counted as for .xlsx: the sheet's rows


def test_an_xls_bigger_than_max_input_mb_is_refused_before_it_is_parsed(tmp_path: Path):
    rows = [["Part Number", "Qty", "Mass (g)"], *([f"P-{i}", i % 7 + 1, 0.5 + i % 3] for i in range(60_000))]
    path = write_xls(tmp_path / "big.xls", [("BOM", rows)])
    assert path.stat().st_size > 1 << 20
    line = refused(path, "--max-input-mb", "1", limits=Limits(max_input_mb=1))
    assert line.startswith(f"{path}: ") and "1 MB" in line and "--max-input-mb" in line, line
    start = time.perf_counter()
    table = load_table(str(path))
    assert table.rows == 60_000 and table.frame["__row"][-1] == 60_001
    assert time.perf_counter() - start < 30


def test_an_xls_encrypted_inside_the_workbook_stream_is_refused(tmp_path: Path):
    """Excel 97–2003 encrypts inside the Workbook stream (a FILEPASS record after the BOF), not as an OLE EncryptedPackage."""
    data = bytearray(write_xls(tmp_path / "arm.xls", [("BOM", [*TITLE, *LINES])]).read_bytes())
    bof = data.find(b"\x09\x08\x10\x00\x00\x06")  # BOF, 16 bytes, BIFF8
    assert bof > 0
    data[bof + 20 : bof + 22] = b"\x2f\x00"  # the record after it becomes FILEPASS
    path = tmp_path / "locked.xls"
    path.write_bytes(bytes(data))
    assert refused(path) == (
        f"{path}: is a password-protected (encrypted) Excel workbook: it cannot be read without the password — "
        "open it in Excel, remove the password (File › Info › Protect Workbook › Encrypt with Password, clear it) and save, or export the BOM as CSV"
    )


def test_an_xls_with_one_subsystem_per_sheet_is_read_whole(tmp_path: Path):
    head = ["Part Number", "Qty", "Mass (g)", "Dy_pct", "RE Origin"]
    sheets = [
        ("Frame", [head, ["EXT-2020", 4, 300, 0, "US"]]),
        ("Old motors", [head, ["OLD-MAG", 99, 5, 9, "CN"]]),
        ("Motors", [head, ["MAG-N52", 12, 5, Percent(0.045), "CN"]]),
    ]
    path = write_xls(tmp_path / "arm.xls", sheets, hidden=["Old motors"])
    result = audit(AuditOptions(files=(str(path),), as_of=AS_OF))
    rows = {r["sku"]: r for r in result.skus.iter_rows(named=True)}
    assert "OLD-MAG" not in rows and rows["arm"]["verdict"] == "license-required"
    assert rows["arm"]["cn_controlled_g"] == pytest.approx(12 * 5 * 0.045) and rows["Motors"]["mass_g"] == pytest.approx(60)
    assert {p.code for p in result.issues} >= {"hidden-sheet", "workbook-sheets"}


def _patched(tmp_path: Path, marker: bytes, at: int, value: bytes) -> Path:
    data = bytearray(write_xls(tmp_path / "arm.xls", [("BOM", [*TITLE, *LINES])]).read_bytes())
    where = data.find(marker)
    assert where > 0
    data[where + at : where + at + len(value)] = value
    path = tmp_path / "hostile.xls"
    path.write_bytes(bytes(data))
    return path


def test_a_dimensions_record_declaring_billions_of_cells_is_refused_before_calamine_reserves_them(tmp_path: Path):
    """calamine reserves room for the cells a sheet's DIMENSIONS record declares: 858 GB aborts the process."""
    path = _patched(tmp_path, b"\x00\x02\x0e\x00", 8, b"\xff\xff\xff\x7f")  # DIMENSIONS, BIFF8: the last row + 1
    line = refused(path)
    assert "declares" in line and "cells (its DIMENSIONS record), over the limit of 20,000,000" in line, line


def test_a_sheet_offset_past_the_stream_is_refused(tmp_path: Path):
    """calamine slices the stream at each BOUNDSHEET's offset, and panics past its end."""
    path = _patched(tmp_path, b"\x85\x00", 4, b"\xff\xff\xff\x00")  # BOUNDSHEET: lbPlyPos
    assert "is not a readable Excel 97–2003 workbook (damaged or truncated)" in refused(path)


FUZZ = """
import random, sys
from pathlib import Path
from bomaudit.errors import BomauditError
from bomaudit.load import load_tables
good, out = Path(sys.argv[1]).read_bytes(), Path(sys.argv[2])
rng = random.Random(20261128)
for i in range(int(sys.argv[3])):
    data = bytearray(good)
    for _ in range(rng.randint(1, 8)):
        data[rng.randrange(len(data))] = rng.randrange(256)
    if rng.random() < 0.2:
        data = data[: rng.randrange(len(data))]
    out.write_bytes(bytes(data))
    try:
        load_tables(str(out))
    except BomauditError as exc:
        assert all(p.line().count(chr(10)) == 0 for p in exc.problems)
print("survived")
"""


def test_mutated_xls_files_are_read_or_refused_never_a_crash(tmp_path: Path):
    """Random byte flips and truncations, in a child process: a Rust panic or an allocation abort in
    calamine would end it without "survived"."""
    import os
    import subprocess
    import sys

    sheets = [("Frame", [TITLE[2], LINES[1], LINES[2]]), ("Motors", [TITLE[2], LINES[0], ["X", "x", Error("#N/A"), 1, 0, "US"]])]
    good = write_xls(tmp_path / "good.xls", sheets)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    run = subprocess.run(
        [sys.executable, "-c", FUZZ, str(good), str(tmp_path / "m.xls"), "400"], check=False, capture_output=True, text=True, timeout=300, env=env
    )
    assert run.returncode == 0 and run.stdout.strip() == "survived" and run.stderr == "", run.stderr[-2000:]
