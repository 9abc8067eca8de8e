"""Loaders: encodings, delimiters, title rows, footers, XLSX row numbers, Parquet."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import polars as pl
import pytest

from bomaudit.errors import BomauditError
from bomaudit.load import ReadOptions, load_table

TEXT = "Part Number;Qty;Description\nA-1;2;Widget é\nB-2;1;Bolt\n"


@pytest.mark.parametrize(
    ("encoding", "prefix", "expected"),
    [
        ("utf-8", b"", "utf-8"),
        ("utf-8", b"\xef\xbb\xbf", "utf-8 (with BOM)"),
        ("utf-16", b"", "utf-16"),  # Python's utf-16 writes a BOM, as Excel's "Unicode text" does
        ("cp1252", b"", "cp1252"),
    ],
)
def test_encodings(tmp_path: Path, encoding: str, prefix: bytes, expected: str):
    path = tmp_path / "bom.csv"
    path.write_bytes(prefix + TEXT.encode(encoding))
    table = load_table(str(path))
    assert table.details["encoding"] == expected
    assert table.details["delimiter"] == "semicolon"
    assert table.headers == ["Part Number", "Qty", "Description"]
    assert table.frame["Description"].to_list() == ["Widget é", "Bolt"]
    assert [w.code for w in table.warnings] == (["encoding-fallback"] if encoding == "cp1252" else [])


@pytest.mark.parametrize(("delim", "name"), [(",", "comma"), ("\t", "tab"), ("|", "pipe"), (";", "semicolon")])
def test_delimiters(tmp_path: Path, delim: str, name: str):
    path = tmp_path / "bom.txt"
    path.write_text(delim.join(["sku", "qty", "description"]) + "\n" + delim.join(["A", "1", '"x, y; z"']) + "\n")
    table = load_table(str(path))
    assert table.details["delimiter"] == name
    assert table.frame.row(0) == ("A", "1", "x, y; z", 2)


def test_title_rows_quoted_newlines_and_trailing_blanks(tmp_path: Path):
    path = tmp_path / "bom.csv"
    path.write_text('Widget BOM rev C\nexported by ERP\nsku,qty,description,,\nA,2,"two\nlines",,\nB,1,b,,\n,,,,\n,,,,\n')
    table = load_table(str(path))
    assert table.header_row == 3
    assert table.headers == ["sku", "qty", "description"]
    assert table.frame["description"].to_list() == ["two\nlines", "b"]
    # rows as a person sees them: the quoted newline keeps A on row 4 and B on row 5
    assert table.frame["__row"].to_list() == [4, 5]


def test_duplicate_and_blank_headers_get_names(tmp_path: Path):
    path = tmp_path / "bom.csv"
    path.write_text("sku,Value,,Value\nA,1,x,2\n")
    assert load_table(str(path)).headers == ["sku", "Value", "column 3", "Value (2)"]


def test_xlsx_title_rows_and_row_numbers(tmp_path: Path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Cover"
    ws["A1"] = "nothing here but a title"
    bom = wb.create_sheet("BOM")
    bom["B3"] = "Motor BOM"
    bom.append([])
    for row in (["", "Part", "Qty", "Mass (g)"], ["", "A", 2, 0.5], ["", "B", 1, 12]):
        bom.append(row)
    path = tmp_path / "bom.xlsx"
    wb.save(path)
    table = load_table(str(path))
    assert table.sheet == "BOM"  # the first sheet with a recognised header
    assert table.header_row == 5
    assert table.frame["__row"].to_list() == [6, 7]
    assert table.frame["Part"].to_list() == ["A", "B"]
    with pytest.raises(BomauditError, match=r"has no sheet named 'Nope'; its sheets are 'Cover', 'BOM' — pass one of those to --sheet"):
        load_table(str(path), ReadOptions(sheet="Nope"))


def test_csv_renamed_xlsx_is_refused(tmp_path: Path):
    path = tmp_path / "bom.xlsx"
    path.write_text("sku,qty\nA,1\n")
    with pytest.raises(BomauditError, match=r"holds text, not an Excel workbook — rename it to \.csv"):
        load_table(str(path))


def test_parquet_keeps_types(tmp_path: Path):
    path = tmp_path / "bom.parquet"
    pl.DataFrame({"sku": ["A", "B"], "qty": [2, 3], "mass_g": [1.5, None]}).write_parquet(path)
    table = load_table(str(path))
    assert table.frame.schema["qty"] == pl.Int64
    assert table.frame["__row"].to_list() == [2, 3]


def test_empty_file(tmp_path: Path):
    path = tmp_path / "empty.csv"
    path.write_text("\n\n")
    with pytest.raises(BomauditError, match="the file is empty"):
        load_table(str(path))


def test_binary_garbage(tmp_path: Path):
    path = tmp_path / "x.csv"
    path.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(BomauditError, match="binary data"):
        load_table(str(path))


def test_headers_polars_would_read_as_patterns_are_renamed(tmp_path: Path):
    # found by fuzzing: a header '*' selected every column inside Polars expressions
    path = tmp_path / "x.csv"
    path.write_text("sku,*,^a$\nA,1,2\n")
    assert load_table(str(path)).headers == ["sku", "column 2 (*)", "column 3 (^a$)"]


def test_an_unquoted_comma_in_a_description_is_read_back_into_it(write):
    """Each wide row has one text field followed by a piece starting with a space: mended, warned."""
    path = write("bom.csv", "ITEM NO.,QTY.,DESCRIPTION,PART NUMBER\n1,2,HSG, BEARING DV0200,A-1\n2,1,PLUG,B-2\n")
    table = load_table(path)
    table = table[0] if isinstance(table, list) else table
    assert table.frame["DESCRIPTION"].to_list() == ["HSG, BEARING DV0200", "PLUG"]
    assert table.frame["PART NUMBER"].to_list() == ["A-1", "B-2"]
    assert [w.code for w in table.warnings] == ["unquoted-delimiter"]


@pytest.mark.parametrize(
    ("header", "line"),
    [
        ("ITEM NO.,QTY.,DESCRIPTION,PART NUMBER", "2,1,BARREL,DV0200 CI MACH,B-2"),  # no space after the comma
        ("ITEM NO.,QTY.,DESCRIPTION,NOTE,PART NUMBER", "2,1,HSG, A,GREASE, B,B-2"),  # two fields a piece could belong to
    ],
    ids=["no space after the comma", "two places a split could be"],
)
def test_a_split_that_cannot_be_told_is_still_refused(write, header, line):
    path = write("bom.csv", f"{header}\n{line}\n")
    with pytest.raises(BomauditError) as exc:
        load_table(path)
    assert any("row 2: this row has" in p.line() for p in exc.value.problems)
