"""Where-used matrices: one quantity column per product (bomaudit/normalise/matrix.py)."""

from __future__ import annotations

import pytest

from bomaudit.audit import AuditOptions, audit, check
from bomaudit.errors import BomauditError

from .conftest import AS_OF

PARTS = "sku,mass_g,Dy_pct,Nd_pct,re_origin\nBOLT,1,,,\nMOT,100,,,\nMAG,20,4,30,CN\nFRAME,500,,,\n"


def _run(write, bom: str, name: str = "m.csv"):
    path = write(name, bom)
    parts = write("parts.csv", PARTS)
    return audit(AuditOptions(files=(path,), parts=(parts,), as_of=AS_OF))


def _row(result, sku: str) -> dict:
    return result.skus.filter(result.skus["sku"] == sku).row(0, named=True)


def test_magnet_only_in_the_third_product_is_not_cleared(write):
    result = _run(write, "Part Number,Description,Robot A,Robot B,Robot C\nBOLT,Screw,12,8,4\nMOT,Motor,2,,\nMAG,Magnet,,0,6\nFRAME,Frame,1,1,1\n")
    assert _row(result, "Robot C")["verdict"] != "clear"
    assert _row(result, "Robot C")["kind"] == "product"
    assert _row(result, "Robot C")["mass_g"] == pytest.approx(4 + 120 + 500)
    assert _row(result, "Robot A")["mass_g"] == pytest.approx(12 + 200 + 500)
    assert _row(result, "Robot A")["verdict"] == "clear"
    assert _row(result, "Robot B")["cn_controlled_g"] == 0  # its 0 cell: the magnet is not used
    codes = [p.code for p in result.issues]
    assert codes.count("where-used-matrix") == 1
    warning = next(p for p in result.issues if p.code == "where-used-matrix")
    assert "'Robot A', 'Robot B', 'Robot C'" in warning.message
    assert "no-qty-column" not in codes


def test_validate_shows_the_shape_and_the_assembly_columns(write):
    path = write("m.csv", "PN,Desc,Qty Base,Qty Pro\nBOLT,Screw,4,6\nMAG,Magnet,,2\n")
    found = check(AuditOptions(files=(path,), as_of=AS_OF))
    info = found.inputs[0]
    assert info.shape == "where-used"
    assert info.columns["Qty Pro"].startswith("assembly")
    assert info.fields["assembly (2)"] == "Qty Pro"


def test_a_quantity_column_beside_a_quantity_named_sibling_is_a_matrix(write):
    result = _run(write, "Part Number,Qty,Qty Pro\nBOLT,4,6\nMAG,,2\n")
    assert _row(result, "Qty Pro")["verdict"] != "clear"
    assert _row(result, "Qty")["verdict"] == "clear"


def test_a_total_column_is_the_sum_not_a_product(write):
    result = _run(write, "Part Number,Robot A,Robot B,Total Qty\nBOLT,1,2,3\nMAG,,2,2\n")
    assert set(result.skus.filter(result.skus["kind"] == "product")["sku"]) == {"Robot A", "Robot B"}
    warning = next(p for p in result.issues if p.code == "where-used-matrix")
    assert "'Total Qty' (their sum) not used" in warning.message


def test_a_line_no_assembly_uses_is_named(write):
    result = _run(write, "Part Number,Robot A,Robot B\nBOLT,1,2\nMAG,,0\n")
    unused = next(p for p in result.issues if p.code == "where-used-unused")
    assert unused.where.row == 3
    assert unused.message == "no assembly column ('Robot A', 'Robot B') has a quantity for the line: used by none of them, left out"


@pytest.mark.parametrize(
    "header",
    [
        "Part Number,Description,Qty,Unit Price,Total",
        "Part Number,Description,On hand,MOQ",
        "Part Number,Description,Stock,Reorder",
        "Part Number,Description,Qty,Price,Min order",
        "Part Number,Description,Qty,Robot B",
    ],
)
def test_price_stock_and_single_quantity_columns_are_no_matrix(write, header):
    result = _run(write, header + "\nBOLT,Screw,4,5\nMAG,Magnet,2,7\n")
    assert "where-used-matrix" not in [p.code for p in result.issues]
    assert _row(result, "m")["kind"] == "product"


def test_text_columns_are_no_matrix(write):
    result = _run(write, "Part Number,Supplier,Colour\nBOLT,Acme,red\nMAG,Acme,blue\n")
    assert "where-used-matrix" not in [p.code for p in result.issues]


def test_map_qty_reads_one_column(write):
    path = write("m.csv", "Part Number,Robot A,Robot B\nBOLT,1,2\nMAG,3,4\n")
    found = check(AuditOptions(files=(path,), as_of=AS_OF, mapping={"qty": "Robot A"}))
    assert found.inputs[0].shape == "flat"


def test_a_negative_cell_is_an_error_naming_it(write):
    rows = "".join(f"P{i},1,2\n" for i in range(30))
    path = write("m.csv", "Part Number,Robot A,Robot B\n" + rows + "MAG,-2,1\n")
    with pytest.raises(BomauditError) as exc:
        audit(AuditOptions(files=(path,), as_of=AS_OF))
    problem = exc.value.problems[0]
    assert (problem.where.row, problem.where.column) == (32, "Robot A")


def test_two_lists_side_by_side_are_no_matrix(write):
    """'Item, Quantity, Item, Quantity' (two builds side by side): the second 'Quantity' is not an assembly."""
    result = _run(write, "Item,Quantity,Item,Quantity\nBOLT,2,MAG,4\nFRAME,1,MOT,1\n")
    assert "where-used-matrix" not in [p.code for p in result.issues]
