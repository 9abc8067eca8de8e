"""A second table under the first in one CSV (bomaudit/load/tables.py)."""

from __future__ import annotations

import pytest

from bomaudit.audit import AuditOptions, audit, check
from bomaudit.errors import BomauditError

from .conftest import AS_OF

PARTS = "sku,mass_g,Dy_pct,re_origin\nBOLT,10,,\nMAG,20,5,CN\nFRAME,500,,\n"


def _audit(write, bom: str):
    path = write("board.csv", bom)
    parts = write("parts.csv", PARTS)
    return audit(AuditOptions(files=(path,), parts=(parts,), assembly="P", as_of=AS_OF))


def _second(result) -> list:
    return [p for p in result.issues if p.code == "second-table"]


def test_same_fields_under_a_title_are_more_lines_of_the_bom(write):
    bom = "Part Number,Description,Qty\nBOLT,Screw,4\n\nMechanical parts\nPart Number,Qty,Description\nMAG,2,Magnet\n"
    result = _audit(write, bom)
    product = result.skus.filter(result.skus["sku"] == "P").row(0, named=True)
    assert product["mass_g"] == pytest.approx(4 * 10 + 2 * 20)  # the second table's columns in their own order
    assert product["verdict"] != "clear"
    (warning,) = _second(result)
    assert warning.where.row == 5
    assert "under the title 'Mechanical parts'" in warning.message
    assert "the same fields as the first" in warning.message
    assert "qty-blank" not in [p.code for p in result.issues]  # the title is not a line


def test_a_table_with_its_own_part_number_and_quantity_is_the_same_product(write):
    bom = "Item,Qty,Supplier\nBOLT,4,Acme\n\nPart Number,Description,Quantity,Mass_g\nMAG,Magnet,2,20\n"
    result = _audit(write, bom)
    product = result.skus.filter(result.skus["sku"] == "P").row(0, named=True)
    assert product["mass_g"] == pytest.approx(40 + 40)
    (warning,) = _second(result)
    assert "fields of its own" in warning.message and warning.where.row == 4


def test_validate_shows_each_table_with_its_header_row(write):
    path = write("b.csv", "Item,Qty\nBOLT,4\n\nPart Number,Description,Qty\nMAG,Magnet,2\n")
    found = check(AuditOptions(files=(path,), assembly="P", as_of=AS_OF))
    assert [(i.header_row, i.rows_read) for i in found.inputs] == [(1, 1), (4, 1)]


def test_a_notes_table_ends_the_bom_naming_its_rows(write):
    bom = "Item,Qty,Supplier\nBOLT,4,Acme\nMAG,2,Acme\n\nTool,Notes\nHex key,2.5 mm\nSoldering iron,\n"
    result = _audit(write, bom)
    assert sorted(result.skus["sku"]) == ["BOLT", "MAG", "P"]
    (warning,) = _second(result)
    assert warning.where.row == 5
    assert "not part of the BOM, rows 6–7 not read" in warning.message


def test_a_table_counting_something_without_part_numbers_is_refused(write):
    path = write("b.csv", "Part Number,Qty\nBOLT,4\n\nSummary\nDescription,Mass_g\nAll,12\n")
    with pytest.raises(BomauditError) as exc:
        audit(AuditOptions(files=(path,), as_of=AS_OF))
    (problem,) = exc.value.problems
    assert problem.code == "second-table" and problem.where.row == 5


def test_a_header_like_row_without_a_break_is_refused(write):
    path = write("b.csv", "Part Number,Qty,Supplier\nBOLT,4,Acme\nNotes,Supplier,Link\nMAG,2,Acme\n")
    with pytest.raises(BomauditError) as exc:
        audit(AuditOptions(files=(path,), as_of=AS_OF))
    assert exc.value.problems[0].where.row == 3


def test_the_same_header_repeated_stays_a_repeated_header(write):
    result = _audit(write, "Part Number,Qty\nBOLT,4\nPart Number,Qty\nMAG,2\n")
    assert not _second(result)
    assert "footer" in [p.code for p in result.issues]
    assert result.skus.filter(result.skus["sku"] == "P")["mass_g"][0] == pytest.approx(80)


def test_a_wider_second_table_is_not_a_width_error(write):
    bom = "Part Number,Qty\nBOLT,4\n\nPart Number,Description,Qty,Supplier\nMAG,Magnet,2,Acme\n"
    result = _audit(write, bom)
    assert result.skus.filter(result.skus["sku"] == "P")["mass_g"][0] == pytest.approx(80)


def test_part_lines_with_header_words_are_not_a_table(write):
    result = _audit(write, "Part Number,Description,Qty\nBOLT,Screw,4\nMAG,Magnet,2\n")
    assert not _second(result)


def test_a_line_repeating_one_header_word_is_a_line(write):
    """Jawbreaker's 'C117,DNP,DNP': one field's name twice is no header."""
    result = _audit(write, "Designator,Part Number,Value\nC1,BOLT,10k\nC117,DNP,DNP\n")
    assert not _second(result)


def test_a_sheet_with_a_tool_table_below_its_lines(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "BOM"
    for r in [["Part Number", "Qty"], ["BOLT", 4], [], ["Tools"], ["Tool", "Notes"], ["Hex key", "2.5 mm"]]:
        ws.append(r)
    path = tmp_path / "b.xlsx"
    wb.save(path)
    result = audit(AuditOptions(files=(str(path),), assembly="P", as_of=AS_OF))
    assert sorted(result.skus["sku"]) == ["BOLT", "P"]
    (warning,) = _second(result)
    assert (warning.where.sheet, warning.where.row) == ("BOM", 5)
    assert "under the title 'Tools'" in warning.message


def test_the_lazy_reader_leaves_a_second_table_to_the_careful_reader(write):
    from bomaudit.load import ReadOptions, load_tables

    path = write("b.csv", "Part Number,Qty\nBOLT,4\nMAG,2\nPart Number,Description\nFRAME,Frame\n")
    tables = load_tables(path, ReadOptions(lazy_bytes=1))
    assert [t.header_row for t in tables] == [1, 4]
    assert "read" not in tables[0].details  # not read lazily
