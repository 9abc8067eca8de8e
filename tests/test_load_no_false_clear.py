"""Issue #10, "no false clear": cells that are not what they look like are located errors, never values.

Each class is tried through every reader it applies to: the careful CSV reader, the lazy CSV
reader (forced with ``lazy_bytes=1``), XLSX through calamine, Parquet (text and typed columns)
and standard input. Every refusal must name the row and column (and the sheet of a workbook).

1. numbers that are not numbers: NaN, infinities, overflow, digit-group underscores, …
2. spreadsheet error values (``#DIV/0!``, ``#N/A``…), as XLSX error cells and as text
3. date- and time-typed cells where a number is expected; list and struct Parquet columns
4. hidden sheets are skipped when choosing the sheet, with a warning
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from typer.testing import CliRunner

from bomaudit.audit import AuditOptions, audit
from bomaudit.cli import app
from bomaudit.errors import BomauditError
from bomaudit.load import ReadOptions, load_table
from bomaudit.parse import parse_numbers

AS_OF = dt.date(2026, 11, 28)
runner = CliRunner()

#: a flat BOM whose every column bomaudit reads; row 3 (B) gets the cell under test
HEADER = ["sku", "qty", "mass_g", "Dy_pct", "Tb_g", "unit_value", "cn_re_value", "re_origin", "cn_tech", "category", "description"]
GOOD = ["A", "1", "10", "1", "0", "5", "1", "CN", "no", "magnet", "good part"]
#: what an error calls each numeric column's content
WHAT = {"qty": "quantity", "mass_g": "mass", "Dy_pct": "Dy content", "Tb_g": "Tb content", "unit_value": "value", "cn_re_value": "value"}
NUMERIC = list(WHAT)
READERS = ["csv", "lazy-csv", "xlsx", "parquet", "stdin"]


def rows_with(column: str, cell: str) -> list[list[str]]:
    bad = [*GOOD]
    bad[0] = "B"
    bad[HEADER.index(column)] = cell
    return [HEADER, GOOD, bad]


def csv_text(rows: list[list[str]]) -> str:
    return "".join(",".join(r) + "\n" for r in rows)


def write_xlsx(path: Path, rows: list[list[object]]) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "BOM"
    for row in rows:
        ws.append([_number_or_text(c) for c in row])
    wb.save(path)


def _number_or_text(cell: object) -> object:
    """Numbers as numeric cells (as a person would type them), anything else as it is."""
    if isinstance(cell, str) and re.fullmatch(r"-?\d+(\.\d+)?", cell):
        return float(cell)
    return cell


def error_lines(reader: str, tmp_path: Path, rows: list[list[str]]) -> list[str]:
    """The error lines a scan of ``rows`` through ``reader`` gives (the run must be refused)."""
    if reader == "stdin":
        result = runner.invoke(app, ["scan", "-", "--as-of", AS_OF.isoformat()], input=csv_text(rows))
        assert result.exit_code == 2, result.output
        return [line.removeprefix("error: ") for line in result.stderr.splitlines() if line.startswith("error: ")]
    if reader in ("csv", "lazy-csv"):
        path = tmp_path / "bom.csv"
        path.write_text(csv_text(rows))
    elif reader == "xlsx":
        path = tmp_path / "bom.xlsx"
        write_xlsx(path, rows)
    else:
        path = tmp_path / "bom.parquet"
        pl.DataFrame({h: [r[i] for r in rows[1:]] for i, h in enumerate(rows[0])}).write_parquet(path)
    return refused(path, lazy_bytes=1 if reader == "lazy-csv" else None)


def refused(path: Path, lazy_bytes: int | None = None, **kw) -> list[str]:
    if lazy_bytes is not None:
        kw["lazy_bytes"] = lazy_bytes
    with pytest.raises(BomauditError) as exc:
        audit(AuditOptions(files=(str(path),), as_of=AS_OF, **kw))
    return [p.line() for p in exc.value.problems]


def has_line(lines: list[str], expected: str) -> bool:
    return any(expected in line for line in lines)


# --- 1. numbers that are not numbers ------------------------------------------------------

NOT_FINITE = ["nan", "NaN", "-nan", "inf", "-inf", "+inf", "Infinity", "-Infinity", "INF", "1e400", "-1e400", "1e999", "nan g", "inf kg"]


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("column", NUMERIC)
@pytest.mark.parametrize("cell", ["nan", "inf", "-Infinity", "1e400"])
def test_non_finite_numbers_are_located_errors(tmp_path: Path, reader: str, column: str, cell: str):
    lines = error_lines(reader, tmp_path, rows_with(column, cell))
    assert has_line(lines, f"row 3, column '{column}': {WHAT[column]} is not a finite number: '{cell}'"), lines


@pytest.mark.parametrize("cell", NOT_FINITE)
def test_every_spelling_of_nan_and_infinity_is_refused(tmp_path: Path, cell: str):
    column = "mass_g" if cell.endswith("g") else "qty"
    lines = error_lines("csv", tmp_path, rows_with(column, cell))
    assert has_line(lines, f"row 3, column '{column}': {WHAT[column]} is not a finite number: '{cell}'"), lines


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("column", NUMERIC)
@pytest.mark.parametrize("cell", ["1_000", "1 2"])
def test_numbers_not_read_whole_are_errors(tmp_path: Path, reader: str, column: str, cell: str):
    """A cell is a number only if all of it is one: "1_000" was 1 (unit "_000"), "1 2" was 12."""
    lines = error_lines(reader, tmp_path, rows_with(column, cell))
    assert has_line(lines, f"row 3, column '{column}': {WHAT[column]} is not a number: {cell!r}"), lines


@pytest.mark.parametrize("column", NUMERIC)
@pytest.mark.parametrize("cell", ["1__0", "10 000 0", "5-", "1/2", "3+1", "0.5.1g", "12'34", "1_000 g", "2_5"])
def test_other_numbers_not_read_whole(tmp_path: Path, column: str, cell: str):
    lines = error_lines("csv", tmp_path, rows_with(column, cell))
    assert has_line(lines, f"row 3, column '{column}': {WHAT[column]} is not a number: {cell!r}"), lines


@pytest.mark.parametrize("cell", ["1e-400", "5e-999"])
def test_numbers_that_underflow_to_zero_are_errors(tmp_path: Path, cell: str):
    lines = error_lines("csv", tmp_path, rows_with("mass_g", cell))
    assert has_line(lines, f"row 3, column 'mass_g': mass is too close to zero to be read (it would read as 0): '{cell}'"), lines


def test_typed_parquet_floats_holding_nan_or_infinity_are_errors(tmp_path: Path):
    path = tmp_path / "bom.parquet"
    frame = pl.DataFrame(
        {
            "sku": ["A", "B", "C", "D"],
            "qty": [1.0, float("nan"), 1.0, 2.0],
            "mass_g": [10.0, 1.0, float("inf"), 1.0],
            "Dy_pct": [1.0, 1.0, 1.0, float("-inf")],
            "unit_value": [None, None, None, float("nan")],
        }
    )
    frame.write_parquet(path)
    for lazy in (None, 1):
        lines = refused(path, lazy_bytes=lazy)
        hint = " — enter the real value: NaN and infinity are not amounts"
        assert lines == [
            f"{path}, row 3, column 'qty': cell holds NaN, not a finite number{hint}",
            f"{path}, row 4, column 'mass_g': cell holds inf, not a finite number{hint}",
            f"{path}, row 5, column 'Dy_pct': cell holds -inf, not a finite number{hint}",
            f"{path}, row 5, column 'unit_value': cell holds NaN, not a finite number{hint}",
        ]


def test_a_nan_part_number_in_a_float_column_is_an_error(tmp_path: Path):
    path = tmp_path / "bom.parquet"
    pl.DataFrame({"sku": [101.0, float("nan")], "qty": [1, 2]}).write_parquet(path)
    assert refused(path) == [f"{path}, row 3, column 'sku': cell holds NaN, not a finite number — enter the real value: NaN and infinity are not amounts"]


@pytest.mark.parametrize(
    ("cell", "value", "unit"),
    [
        ("12", 12.0, None),
        ("1,250.5", 1250.5, None),
        ("1 250", 1250.0, None),
        ("1\u00a0250", 1250.0, None),
        ("1'250", 1250.0, None),
        ("12 g", 12.0, "g"),
        ("0.5kg", 0.5, "kg"),
        ("5 pcs", 5.0, "pcs"),
        ("$5", 5.0, None),
        ("3 €", 3.0, "€"),
        (".5", 0.5, None),
        ("5.", 5.0, None),
        ("1e-3", 0.001, None),
        ("1.5E+3 mg", 1500.0, "mg"),
        ("5 µg", 5.0, "µg"),
        ("7 %", 7.0, "%"),
        ("0", 0.0, None),
    ],
)
def test_numbers_as_exports_write_them_still_read(cell: str, value: float, unit: str | None):
    parsed = parse_numbers(pl.Series([cell, "1_000"]))  # a bad cell beside it sends both to the careful path
    assert parsed.values[0] == pytest.approx(value)
    assert parsed.units[0] == unit
    assert not parsed.bad[0]
    assert parsed.bad[1]


@pytest.mark.parametrize(
    ("cell", "value"),
    [("1,5", 1.5), ("1.250,5", 1250.5), ("1.500", 1500.0), ("1 250,5", 1250.5), ("4,5 kg", 4.5)],
)
def test_decimal_comma_numbers_still_read(cell: str, value: float):
    parsed = parse_numbers(pl.Series([cell]), decimal_comma=True)
    assert parsed.values[0] == pytest.approx(value)
    assert not parsed.bad[0]


@pytest.mark.parametrize("cell", ["1.5", "1.2.3", "12.05.2026", "1_000", "1,2,3"])
def test_decimal_comma_refuses_what_it_cannot_read_whole(cell: str):
    """With --decimal-comma a dot groups thousands: "1.5" was read as 15."""
    parsed = parse_numbers(pl.Series([cell]), decimal_comma=True)
    assert parsed.bad[0]
    assert parsed.values[0] is None


def test_decimal_comma_hint_says_what_a_dot_means(tmp_path: Path):
    path = tmp_path / "bom.csv"
    path.write_text("sku;qty;mass_g\nA;1;1.5\n")
    lines = refused(path, decimal_comma=True)
    assert lines == [
        f"{path}, row 2, column 'mass_g': mass is not a number: '1.5' — write a number with a unit such as 12 g or 0.5 kg "
        "(with --decimal-comma the comma is the decimal point and a dot groups thousands: 1.250,5)"
    ]


def test_bad_numbers_are_null_and_say_why():
    parsed = parse_numbers(pl.Series(["nan", "1_000", "2026-01-05", "#DIV/0!", "1e-400", "3", None, "unknown"]))
    assert parsed.values.to_list() == [None, None, None, None, None, 3.0, None, None]
    assert parsed.reason.to_list() == ["not-finite", "bad-number", "date-not-number", "spreadsheet-error", "too-small", None, None, None]
    assert parsed.bad.to_list() == [True, True, True, True, True, False, False, False]
    assert parsed.unknown.to_list() == [False, False, False, False, False, False, False, True]


def test_the_lazy_reader_reads_these_files(tmp_path: Path):
    """The lazy-csv cases above really go through the lazy reader, not back to the careful one."""
    path = tmp_path / "bom.csv"
    path.write_text(csv_text(rows_with("qty", "nan")))
    assert load_table(str(path), ReadOptions(lazy_bytes=1)).details["read"].startswith("lazily")


# --- 2. spreadsheet error values ----------------------------------------------------------

ERRORS = ["#DIV/0!", "#N/A", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!", "#GETTING_DATA"]
HINT = "fix the formula or enter the value"


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("column", HEADER)
def test_spreadsheet_errors_as_text_in_any_column_used(tmp_path: Path, reader: str, column: str):
    """Exported to CSV, #DIV/0! is text: refused in every column bomaudit reads, the part number
    included (a #N/A part number is a lookup that failed, not a blank). (Through the xlsx reader
    these are error cells: openpyxl writes a known error value as one.)"""
    lines = error_lines(reader, tmp_path, rows_with(column, "#DIV/0!" if column != "sku" else "#N/A"))
    error = "#DIV/0!" if column != "sku" else "#N/A"
    assert has_line(lines, f"row 3, column '{column}': cell holds the spreadsheet error {error} — {HINT}"), lines


@pytest.mark.parametrize("error", [*ERRORS, "#n/a", "#WERT!", "#NV", "#¡VALOR!", "#BEZUG!", "#NOM?", " #REF! "])
def test_every_spreadsheet_error_value_is_refused(tmp_path: Path, error: str):
    lines = error_lines("csv", tmp_path, rows_with("qty", error))
    assert lines == [f"{tmp_path / 'bom.csv'}, row 3, column 'qty': cell holds the spreadsheet error {error.strip()} — {HINT}"]


def test_hash_text_that_is_no_error_value_is_kept(tmp_path: Path):
    """Part numbers and descriptions may start with "#"; and a column bomaudit does not read
    (``notes``) may hold anything."""
    path = tmp_path / "bom.csv"
    path.write_text("sku,qty,description,notes\n#4-40 SCREW,2,#6 washer,#N/A\nN/A-7,1,#WOW,#DIV/0!\n")
    result = audit(AuditOptions(files=(str(path),), as_of=AS_OF))
    assert set(result.skus["sku"].to_list()) == {"#4-40 SCREW", "N/A-7", "bom"}


def xlsx_with_errors(path: Path, errors: dict[str, str], rows: list[list[object]] | None = None, origin: str = "A1") -> None:
    """A workbook holding ``rows`` from cell ``origin``, and error cells ``errors`` (cell → error text):
    what Excel writes for a formula whose cached value is an error, ``<c t="e"><v>#DIV/0!</v></c>``."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "BOM"
    col0, row0 = openpyxl.utils.cell.coordinate_from_string(origin)
    c0 = openpyxl.utils.cell.column_index_from_string(col0)
    for i, row in enumerate(rows if rows is not None else [HEADER, GOOD, ["B", *GOOD[1:]]]):
        for j, value in enumerate(row):
            ws.cell(row0 + i, c0 + j, _number_or_text(value))
    for ref, text in errors.items():
        ws[ref].value = text
        ws[ref].data_type = "e"
    wb.save(path)


@pytest.mark.parametrize("error", ERRORS)
def test_xlsx_error_cells_in_numeric_columns(tmp_path: Path, error: str):
    """Calamine reads an error cell as empty: a #DIV/0! quantity counted as 1, a #N/A mass as unknown."""
    path = tmp_path / "bom.xlsx"
    xlsx_with_errors(path, {"B3": error, "C3": error, "D2": error})
    assert refused(path) == [
        f"{path}, sheet 'BOM', row 3, column 'qty': cell holds the spreadsheet error {error} — {HINT}",
        f"{path}, sheet 'BOM', row 3, column 'mass_g': cell holds the spreadsheet error {error} — {HINT}",
        f"{path}, sheet 'BOM', row 2, column 'Dy_pct': cell holds the spreadsheet error {error} — {HINT}",
    ]


@pytest.mark.parametrize("column", HEADER)
def test_xlsx_error_cells_in_any_column_used(tmp_path: Path, column: str):
    ref = f"{openpyxl.utils.get_column_letter(HEADER.index(column) + 1)}3"
    path = tmp_path / "bom.xlsx"
    xlsx_with_errors(path, {ref: "#N/A"})
    assert refused(path) == [f"{path}, sheet 'BOM', row 3, column '{column}': cell holds the spreadsheet error #N/A — {HINT}"]


def test_xlsx_error_cells_are_placed_in_a_sheet_not_starting_at_a1(tmp_path: Path):
    """Calamine's frame starts at the first row and the first column holding a value: here the
    table is at C2:F6 and an error cell in H1 moves the start to row 1 (and the end to column H)."""
    path = tmp_path / "bom.xlsx"
    rows = [["Motor BOM"], [], ["sku", "qty", "mass_g", "notes"], ["A", "1", "10", "x"], ["B", "2", "5", "y"]]
    xlsx_with_errors(path, {"D6": "#REF!", "E5": "#NUM!", "F5": "#N/A", "H1": "#NAME?", "F8": "#N/A"}, rows, origin="C2")
    assert refused(path) == [
        f"{path}, sheet 'BOM', row 6, column 'qty': cell holds the spreadsheet error #REF! — {HINT}",
        f"{path}, sheet 'BOM', row 5, column 'mass_g': cell holds the spreadsheet error #NUM! — {HINT}",
    ]


@pytest.mark.parametrize("error", ["#SPILL!", "#CALC!", "#GETTING_DATA", "#FIELD!", "#BLOCKED!"])
def test_xlsx_error_values_newer_than_calamine(tmp_path: Path, error: str):
    """Calamine fails a whole sheet holding one of these; it is read with them blanked, then refused by cell."""
    path = tmp_path / "bom.xlsx"
    rows = [["sku", "qty", "notes"], ["A", "1", "x"], ["B", "2", "y"]]
    xlsx_with_errors(path, {"B3": error, "C2": error}, rows)
    assert refused(path) == [f"{path}, sheet 'BOM', row 3, column 'qty': cell holds the spreadsheet error {error} — {HINT}"]


def test_xlsx_error_cells_outside_the_columns_used_are_left_alone(tmp_path: Path):
    """A #DIV/0! in a cost column bomaudit does not read, in the title or beyond the table, does not stop the scan."""
    path = tmp_path / "bom.xlsx"
    rows = [["Motor BOM"], ["sku", "qty", "mass_g", "Total cost"], ["A", "1", "10", "5"], ["B", "2", "5", "1"]]
    xlsx_with_errors(path, {"D4": "#DIV/0!", "B1": "#REF!", "F9": "#N/A"}, rows)
    result = audit(AuditOptions(files=(str(path),), as_of=AS_OF))
    assert sorted(result.skus["sku"].to_list()) == ["A", "B", "bom"]


def test_xlsx_error_cell_with_its_formula(tmp_path: Path):
    """As Excel saves it: the formula and its cached error value, attributes in any order."""
    path = tmp_path / "bom.xlsx"
    xlsx_with_errors(path, {})
    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    sheet = re.sub(r'<c r="B3"[^>]*>.*?</c>', '<c t="e" s="0" r=\'B3\'><f>1/0</f><v>#DIV/0!</v></c>', sheet)
    parts["xl/worksheets/sheet1.xml"] = sheet.encode()
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    assert refused(path) == [f"{path}, sheet 'BOM', row 3, column 'qty': cell holds the spreadsheet error #DIV/0! — {HINT}"]


def test_xlsx_error_cells_that_cannot_be_placed_are_refused_by_cell(tmp_path: Path):
    """When the sheet's extent in its XML disagrees with calamine's frame, nothing is guessed."""
    from bomaudit.load.errorcells import ErrorCells, put_back_errors

    frame = pl.DataFrame({"c0": ["sku", "A"], "c1": ["qty", None]})
    found = ErrorCells([(2, 2, "#DIV/0!")], first_row=1, first_column=1, last_column=3, last_row=2, count=4, positioned=True)
    with pytest.raises(BomauditError) as exc:
        put_back_errors(frame, found, 1, "bom.xlsx", "BOM")
    assert [p.line() for p in exc.value.problems] == [f"bom.xlsx, sheet 'BOM', row 2: cell B2 holds the spreadsheet error #DIV/0! — {HINT}"]
    placed = put_back_errors(frame, ErrorCells([(2, 2, "#DIV/0!")], 1, 1, 2, 2, 4, True), 1, "bom.xlsx", "BOM")
    assert placed["c1"].to_list() == ["qty", "#DIV/0!"]


# --- 3. dates and times where a number is expected ---------------------------------------


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("column", NUMERIC)
@pytest.mark.parametrize("cell", ["2026-01-05", "12:30"])
def test_dates_written_as_text_in_numeric_columns(tmp_path: Path, reader: str, column: str, cell: str):
    """ "2026-01-05" was quantity 2026 (unit "-01-05"), "12:30" was 12."""
    lines = error_lines(reader, tmp_path, rows_with(column, cell))
    assert has_line(lines, f"row 3, column '{column}': {WHAT[column]} is a date or time, not a number: '{cell}'"), lines


@pytest.mark.parametrize("cell", ["05.01.2026", "1/5/2026", "2026/01/05 10:30", "2026-01-05T08:00:00", "10:30:15", "1:30 PM"])
def test_other_date_and_time_spellings(tmp_path: Path, cell: str):
    lines = error_lines("csv", tmp_path, rows_with("qty", cell))
    assert has_line(lines, f"row 3, column 'qty': quantity is a date or time, not a number: '{cell}'"), lines


@pytest.mark.parametrize("column", NUMERIC)
@pytest.mark.parametrize(
    ("value", "number_format", "shown"),
    [
        (dt.date(2026, 1, 5), "yyyy-mm-dd", "2026-01-05 00:00:00"),
        (dt.datetime(2026, 1, 5, 10, 30), "dd/mm/yyyy hh:mm", "2026-01-05 10:30:00"),
        (dt.time(12, 0), "h:mm", "1899-12-31 12:00:00"),
        (dt.timedelta(hours=5), "[h]:mm:ss", "1899-12-31 05:00:00"),
        (2, "d-mmm-yy", "1900-01-01 00:00:00"),  # a plain 2 in a date-formatted cell
    ],
)
def test_xlsx_date_and_time_cells_in_numeric_columns(tmp_path: Path, column: str, value, number_format: str, shown: str):
    path = tmp_path / "bom.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "BOM"
    for row in rows_with(column, "0"):
        ws.append([_number_or_text(c) for c in row])
    cell = ws.cell(3, HEADER.index(column) + 1)
    cell.value = value
    cell.number_format = number_format
    wb.save(path)
    lines = refused(path)
    assert lines[0].startswith(f"{path}, sheet 'BOM', row 3, column '{column}': {WHAT[column]} is a date or time, not a number: '")
    assert shown[:4] in lines[0]


@pytest.mark.parametrize("lazy", [None, 1], ids=["eager", "lazy"])
@pytest.mark.parametrize("column", NUMERIC)
@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (dt.date(2026, 1, 5), "2026-01-05"),
        (dt.datetime(2026, 1, 5, 10, 30), "2026-01-05 10:30:00"),
        (dt.time(12, 0), "12:00:00"),
        (dt.timedelta(hours=5), "5:00:00"),
    ],
)
def test_parquet_date_and_time_columns_mapped_to_numbers(tmp_path: Path, lazy, column: str, value, shown: str):
    path = tmp_path / "bom.parquet"
    data = {h: ["A", "B"] if h == "sku" else ["1", "1"] for h in ("sku", "qty", "mass_g")}
    data[column] = [None, value]
    pl.DataFrame(data).write_parquet(path)
    lines = refused(path, lazy_bytes=lazy)
    assert has_line(lines, f"row 3, column '{column}': {WHAT[column]} is a date or time, not a number: '{shown}'"), lines


@pytest.mark.parametrize("lazy", [None, 1], ids=["eager", "lazy"])
@pytest.mark.parametrize("column", ["sku", "qty", "mass_g", "re_origin", "description"])
@pytest.mark.parametrize(
    ("values", "kind"),
    [([[1, 2], None], "lists"), ([{"a": 1}, None], "structs"), ([b"\x00", None], "binary data")],
    ids=["list", "struct", "binary"],
)
def test_parquet_list_and_struct_columns_used_as_fields(tmp_path: Path, lazy, column: str, values, kind: str):
    """They crashed (casting a list to text): now the column is named."""
    path = tmp_path / "bom.parquet"
    data: dict[str, object] = {"sku": ["A", "B"], "qty": [1, 2], "mass_g": [1.0, 2.0]}
    data[column] = values
    pl.DataFrame(data).write_parquet(path)
    lines = refused(path, lazy_bytes=lazy)
    assert len(lines) == 1
    assert lines[0].startswith(f"{path}, column '{column}': the column holds {kind} (")
    assert lines[0].endswith("), not one value per cell — export it with one number or text per cell")


def test_dates_stay_dates_where_dates_are_expected(tmp_path: Path):
    """valid_from may be a typed date, and a date-formatted XLSX cell there is read as the date."""
    path = tmp_path / "bom.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["sku", "qty", "valid_from"])
    ws.append(["A", 1, dt.date(2026, 1, 5)])
    ws.append(["B", 1, dt.date(2027, 1, 5)])
    wb.save(path)
    result = audit(AuditOptions(files=(str(path),), as_of=AS_OF))
    assert sorted(result.skus["sku"].to_list()) == ["A", "bom"]


# --- 4. hidden sheets ---------------------------------------------------------------------


def workbook(path: Path, sheets: list[tuple[str, str, list[list[object]]]]) -> None:
    """Sheets as (name, state, rows); state is visible, hidden or veryHidden."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, _state, rows in sheets:
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    wb.active = 0
    wb.save(path)
    # openpyxl refuses to save a workbook with no visible sheet: set the states in the XML
    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    xml = parts["xl/workbook.xml"].decode()
    for name, state, _rows in sheets:
        xml = re.sub(rf'(<sheet name="{re.escape(name)}" sheetId="\d+") state="\w+"', rf'\1 state="{state}"', xml)
    parts["xl/workbook.xml"] = xml.encode()
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in parts.items():
            zf.writestr(name, data)


OLD = [["sku", "qty"], ["OLD-MAGNET", 1]]
NEW = [["sku", "qty"], ["NEW-PART", 1]]


@pytest.mark.parametrize("state", ["hidden", "veryHidden"])
def test_hidden_sheets_are_skipped_with_a_warning(tmp_path: Path, state: str):
    path = tmp_path / "bom.xlsx"
    workbook(path, [("Old rev", state, OLD), ("BOM", "visible", NEW)])
    table = load_table(str(path))
    assert table.sheet == "BOM"
    assert [w.line() for w in table.warnings] == [f"{path}: sheet 'Old rev' is hidden: skipped — pass --sheet 'Old rev' to read it"]
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    assert f"warning: {path}: sheet 'Old rev' is hidden: skipped — pass --sheet 'Old rev' to read it" in result.stderr


def test_a_hidden_sheet_named_by_sheet_is_read(tmp_path: Path):
    path = tmp_path / "bom.xlsx"
    workbook(path, [("Old rev", "hidden", OLD), ("BOM", "visible", NEW)])
    table = load_table(str(path), ReadOptions(sheet="Old rev"))
    assert table.sheet == "Old rev"
    assert table.frame["sku"].to_list() == ["OLD-MAGNET"]
    assert table.warnings == []


def test_hidden_sheets_after_the_bom_sheet_are_named_too(tmp_path: Path):
    """Every sheet is looked at (a BOM may span several), so a hidden one after the BOM is skipped aloud too."""
    path = tmp_path / "bom.xlsx"
    workbook(path, [("BOM", "visible", NEW), ("Old rev", "hidden", OLD)])
    table = load_table(str(path))
    assert (table.sheet, [w.line() for w in table.warnings]) == ("BOM", [f"{path}: sheet 'Old rev' is hidden: skipped — pass --sheet 'Old rev' to read it"])


def test_hidden_sheets_are_passed_over_for_the_fallback_too(tmp_path: Path):
    """No sheet has a part-number header: the first visible sheet with rows, never a hidden one."""
    path = tmp_path / "bom.xlsx"
    notes = [["note"], ["see the other sheet"]]
    workbook(path, [("Notes", "visible", notes), ("Lookup", "hidden", [["x"], ["1"]])])
    table = load_table(str(path))
    assert table.sheet == "Notes"
    assert [w.line() for w in table.warnings] == [f"{path}: sheet 'Lookup' is hidden: skipped — pass --sheet 'Lookup' to read it"]


def test_a_workbook_whose_every_sheet_is_hidden_is_refused(tmp_path: Path):
    path = tmp_path / "bom.xlsx"
    workbook(path, [("Old rev", "hidden", OLD), ("BOM", "veryHidden", NEW)])
    result = runner.invoke(app, ["scan", str(path), "--as-of", AS_OF.isoformat()])
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: {path}: every sheet of the workbook is hidden ('Old rev', 'BOM'): there is no sheet to choose — "
        "unhide the BOM sheet in Excel, or pass --sheet 'Old rev' to read a hidden one\n"
    )
    assert load_table(str(path), ReadOptions(sheet="BOM")).frame["sku"].to_list() == ["NEW-PART"]


def test_the_same_bom_gives_the_same_report_from_every_reader(tmp_path: Path):
    """The readers agree on valid input: what is refused above is refused, the rest reads as before."""
    rows = [HEADER, GOOD, ["B", "2", "1,250.5 g", "0.5", "0", "1 000", "0", "JP", "yes", "", "other"]]
    csv_path = tmp_path / "bom.csv"
    csv_path.write_text(csv_text([[f'"{c}"' if "," in c else c for c in r] for r in rows]))
    xlsx_path = tmp_path / "bom.xlsx"
    write_xlsx(xlsx_path, rows)
    reports = []
    for path, kw in ((csv_path, {}), (csv_path, {"lazy_bytes": 1}), (xlsx_path, {})):
        result = audit(AuditOptions(files=(str(path),), assembly="BOARD", as_of=AS_OF, **kw))
        reports.append(sorted(result.skus.select("sku", "mass_g", "cn_controlled_g", "verdict").rows()))
    assert reports[0] == reports[1] == reports[2]
    assert ("B", 1250.5, 0.0, "license-required") in reports[0]  # Chinese technology (cn_tech yes)
