"""Normalisation: header synonyms, units to grams, shapes, effectivity, conflicts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from bomaudit.audit import AuditOptions, audit, load_bom
from bomaudit.errors import BomauditError
from bomaudit.fields import interpret_header
from bomaudit.normalise import MAX_SKIPPED, SkippedRow

from .conftest import AS_OF, REPO


@pytest.mark.parametrize(
    ("header", "field", "element", "unit"),
    [
        ("Part Number", "sku", None, None),
        ("MPN", "sku", None, None),
        ("Parent Part", "parent", None, None),
        ("BOM Level", "level", None, None),
        ("Qty Per", "qty", None, None),
        ("Weight (kg)", "mass", None, "kg"),
        ("mass_mg", "mass", None, "mg"),
        ("mass [mg]", "mass", None, "mg"),
        ("Net Weight", "mass", None, None),
        ("Dy_g", "element", "Dy", "g"),
        ("Tb (mg)", "element", "Tb", "mg"),
        ("dysprosium_g", "element", "Dy", "g"),
        ("Dy_pct", "element", "Dy", "pct"),
        ("Dy wt%", "element", "Dy", "wt%"),
        ("Dy_ppm", "element", "Dy", "ppm"),
        ("REE Origin", "re_origin", None, None),
        ("Chinese Tech", "cn_tech", None, None),
        ("Unit Price", "unit_value", None, None),
        ("Effective From", "valid_from", None, None),
    ],
)
def test_header_synonyms(header, field, element, unit):
    meaning = interpret_header(header)
    assert meaning is not None
    assert (meaning.field, meaning.element, meaning.unit) == (field, element, unit)


def test_plain_value_is_not_a_price():
    # KiCad and EAGLE "Value" is a component value such as 10k (or DNP), not money
    meaning = interpret_header("Value")
    assert meaning is not None and meaning.field == "value"


def mass_of(write, header: str, cell: str, extra: str = "", extra_cell: str = "") -> float:
    sep = "," if extra else ""
    path = write("b.csv", f"sku,qty,{header}{sep}{extra}\nA,1,{cell}{sep}{extra_cell}\n")
    result = audit(AuditOptions(files=(path,), assembly="TOP", as_of=AS_OF))
    return result.skus.filter(result.skus["sku"] == "A")["mass_g"][0]


def test_mass_units_to_grams(write):
    assert mass_of(write, "Weight (kg)", "0.5") == 500
    assert mass_of(write, "mass_mg", "250") == 0.25
    assert mass_of(write, "mass", "12 g") == 12
    assert mass_of(write, "mass", "2 lb") == pytest.approx(907.18474)
    assert mass_of(write, "weight", "3", "weight unit", "oz") == pytest.approx(85.048569375)
    assert mass_of(write, "mass_g", '"1,250.5"') == 1250.5


def test_mass_without_unit_is_an_error(write):
    path = write("b.csv", "sku,qty,mass\nA,1,12\n")
    with pytest.raises(BomauditError) as exc:
        load_bom(AuditOptions(files=(path,)))
    assert str(exc.value) == (
        f"{path}, row 2, column 'mass': mass has no unit: '12' — put the unit in the header (mass_g, Weight (kg)), in a mass_unit column, or in the cell (12 g)"
    )


def test_decimal_comma(write):
    path = write("b.csv", 'sku;qty;mass_g;Dy_pct\nA;2;"1.250,5";4,5\n')
    # (issue #12) the cells show decimal commas and no points: read so with a warning; before, refused
    detected = load_bom(AuditOptions(files=(path,), assembly="T"))
    assert detected.attrs.filter(detected.attrs["sku"] == "A")["mass_g"][0] == 1250.5
    assert [w.code for w in detected.warnings].count("decimal-comma") == 1
    result = audit(AuditOptions(files=(path,), assembly="T", decimal_comma=True, as_of=AS_OF))
    a = result.skus.filter(result.skus["sku"] == "A").row(0, named=True)
    assert a["mass_g"] == 1250.5
    assert a["Dy_g"] == pytest.approx(1250.5 * 0.045)


def test_concentration_and_mass_columns(write):
    path = write("b.csv", "sku,qty,mass_g,Dy_ppm,Tb (mg),Y wt%\nA,3,10,500,2,1\n")
    result = audit(AuditOptions(files=(path,), assembly="T", as_of=AS_OF))
    t = result.skus.filter(result.skus["sku"] == "T").row(0, named=True)
    assert t["Dy_g"] == pytest.approx(3 * 10 * 500e-6)
    assert t["Tb_g"] == pytest.approx(3 * 0.002)
    assert t["Y_g"] == pytest.approx(3 * 0.1)


def test_indented_with_dotted_levels_and_repeated_subassembly(write):
    # ..2 rows under each SUB occurrence must agree; SUB is counted 2 + 1 times
    text = "Level,Part,Qty,mass_g,Dy_g,RE Origin\n0,TOP,1,,,\n.1,SUB,2,,,\n..2,MAG,4,5,0.1,CN\n..2,BOLT,1,3,,\n.1,SUB,1,,,\n..2,MAG,4,5,0.1,CN\n..2,BOLT,1,3,,\n.1,CASE,1,100,,\n"
    result = audit(AuditOptions(files=(write("i.csv", text),), as_of=AS_OF))
    top = result.skus.filter(result.skus["sku"] == "TOP").row(0, named=True)
    assert top["mass_g"] == 3 * (4 * 5 + 3) + 100
    assert top["cn_controlled_g"] == pytest.approx(3 * 4 * 0.1)


def test_indented_conflicting_subassembly(write):
    text = "Level,Part,Qty,mass_g\n0,TOP,1,\n1,SUB,1,\n2,A,1,1\n1,SUB,1,\n2,A,2,1\n"
    path = write("i.csv", text)
    with pytest.raises(BomauditError) as exc:
        load_bom(AuditOptions(files=(path,)))
    assert "sub-assembly 'SUB' lists different children here than at row 3" in str(exc.value)
    assert exc.value.problems[0].where.row == 5


def test_level_jump(write):
    path = write("i.csv", "Level,Part,Qty,mass_g\n0,TOP,1,\n2,A,1,1\n")
    with pytest.raises(BomauditError, match=r"row 3, column 'Level': level 2 follows a row of a lower level by more than one step"):
        load_bom(AuditOptions(files=(path,)))


def test_indented_xlsx_with_title_rows(tmp_path: Path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Traction motor BOM"])
    ws.append(["Level", "Part Number", "Qty", "Weight (kg)", "Dy_pct", "RE Origin"])
    ws.append([0, "EM-1", 1, None, None, None])
    ws.append([1, "ROTOR", 1, None, None, None])
    ws.append([2, "SEG", 24, 0.05, 4, "China"])
    ws.append([1, "STATOR", 1, 20, None, None])
    path = tmp_path / "m.xlsx"
    wb.save(path)
    result = audit(AuditOptions(files=(str(path),), as_of=AS_OF))
    em = result.skus.filter(result.skus["sku"] == "EM-1").row(0, named=True)
    assert em["mass_g"] == pytest.approx(24 * 50 + 20000)
    assert em["cn_controlled_g"] == pytest.approx(24 * 50 * 0.04)


def test_effectivity_as_of(write):
    text = "parent,sku,qty,valid_from,valid_to,mass_g\n,TOP,,,,\nTOP,OLD,1,2020-01-01,2025-12-31,10\nTOP,NEW,1,2026-01-01,,20\n"
    path = write("e.csv", text)
    before = audit(AuditOptions(files=(path,), as_of=dt.date(2025, 6, 1)))
    after = audit(AuditOptions(files=(path,), as_of=dt.date(2026, 6, 1)))
    assert sorted(before.skus["sku"]) == ["OLD", "TOP"]
    assert sorted(after.skus["sku"]) == ["NEW", "TOP"]
    assert before.skus.filter(before.skus["sku"] == "TOP")["mass_g"][0] == 10
    assert any(p.code == "not-in-force" for p in after.issues)


def test_conflicting_attributes_name_both_places(write):
    bom = write("bom.csv", "sku,qty,mass_g\nA,1,10\n")
    parts = write("parts.csv", "sku,Weight (kg)\nA,0.02\n")
    with pytest.raises(BomauditError) as exc:
        load_bom(AuditOptions(files=(bom,), parts=(parts,)))
    assert str(exc.value) == (
        f"{parts}, row 2, column 'mass_g': SKU 'A' has mass_g 20 here but 10 in {bom}, row 2 — make the two agree or give the variants different part numbers"
    )


def test_same_value_in_other_units_is_not_a_conflict(write):
    bom = write("bom.csv", "sku,qty,mass_g\nA,1,12\n")
    parts = write("parts.csv", "sku,Weight (kg),Dy_pct\nA,0.012,1\n")
    result = audit(AuditOptions(files=(bom,), parts=(parts,), assembly="T", as_of=AS_OF))
    assert result.skus.filter(result.skus["sku"] == "A")["Dy_g"][0] == pytest.approx(0.12)


def test_footer_and_blank_rows_skipped_with_warning(write):
    path = write("f.csv", "sku,qty,mass_g\nA,2,1\nB,1,2\n,,\nTotal,3,\nBoM Date:,2022,\n")
    result = audit(AuditOptions(files=(path,), assembly="T", as_of=AS_OF))
    assert sorted(result.skus["sku"]) == ["A", "B", "T"]
    assert result.skus.filter(result.skus["sku"] == "T")["mass_g"][0] == 4
    footers = [p for p in result.issues if p.code == "footer"]
    assert footers[0].message == "rows 5, 6: footer or metadata, not a part: skipped"


def test_zero_and_negative_quantity(write):
    """0 is a line not fitted (left out, warned: tests/test_sections.py); below 0 is an error."""
    path = write("q.csv", "parent,sku,qty\n,T,\nT,A,0\nT,B,-2\n")
    with pytest.raises(BomauditError) as exc:
        load_bom(AuditOptions(files=(path,)))
    assert [p.where.row for p in exc.value.problems] == [4]
    assert all(p.message.startswith("quantity must not be negative") for p in exc.value.problems)


def test_several_files_merge_into_one_graph(write):
    top = write("top.csv", "parent,sku,qty\n,CAR,\nCAR,MOTOR,2\n")
    motor = write("motor.csv", "parent,sku,qty,mass_g,Dy_g,re_origin\nMOTOR,MAG,10,5,0.2,CN\nMOTOR,CASE,1,1000,,\n")
    result = audit(AuditOptions(files=(top, motor), as_of=AS_OF))
    car = result.skus.filter(result.skus["sku"] == "CAR").row(0, named=True)
    assert car["kind"] == "product"
    assert car["mass_g"] == 2 * (50 + 1000)
    assert car["cn_controlled_g"] == pytest.approx(4.0)
    assert result.skus.filter(result.skus["sku"] == "MOTOR")["kind"][0] == "assembly"


def test_quantity_from_designators_when_no_qty_column(write):
    path = write("kicad.csv", 'Reference,Part Number,mass_g\n"C1, C5,C25",CAP-100N,0.01\nU1,MCU,0.2\n')
    result = audit(AuditOptions(files=(path,), assembly="PCB", as_of=AS_OF))
    pcb = result.skus.filter(result.skus["sku"] == "PCB").row(0, named=True)
    assert pcb["mass_g"] == pytest.approx(3 * 0.01 + 0.2)
    assert any(p.code == "qty-from-designators" for p in result.issues)


def test_placeholder_part_numbers_are_not_one_shared_sku(write):
    # n/a and - stand for "no part number": lines with data are parts named after their rows, never one SKU
    path = write("b.csv", "sku,qty,mass_g\nA,1,1\nn/a,1,5\n-,2,7\n")
    result = audit(AuditOptions(files=(path,), assembly="T", as_of=AS_OF))
    assert sorted(result.skus["sku"]) == ["A", "T", "row-3", "row-4"]
    assert result.skus.filter(result.skus["sku"] == "T")["mass_g"][0] == 1 + 5 + 2 * 7
    named = next(p for p in result.issues if p.code == "synthetic-sku")
    assert named.message == "rows 3, 4: no value in 'sku', but each line has data: read as parts named after their rows ('row-3', …)"


def test_map_with_empty_header_ignores_a_field(write):
    path = write("b.csv", "sku,qty,mass_g,Cost\nA,1,1,$28.05\n")
    with_cost = audit(AuditOptions(files=(path,), assembly="T", as_of=AS_OF))
    without = audit(AuditOptions(files=(path,), assembly="T", as_of=AS_OF, mapping={"unit_value": ""}))
    assert with_cost.skus.filter(with_cost.skus["sku"] == "A")["value"][0] == 28.05
    assert without.skus.filter(without.skus["sku"] == "A")["value"][0] is None


# --- what validate reports per table: fields used and rows skipped ---------------------


def test_table_info_fields_and_skipped_rows(write):
    # a subtotal between the lines (a trailing total is cut by the reader, so never read), a line
    # without a part number, a do-not-populate line and a line out of effect on the as-of date
    bom = write(
        "bom.csv",
        "Part Number,Qty,DNP,valid_to,Dy_pct,Tb (mg),mass_g\nA,2,,,1,,10\nSubtotal,2,,,,,\nB,1,yes,,,,5\n,3,,,,,\nC,1,,2020-01-01,,,4\nD,1,,,,2,1\n",
    )
    parts = write("parts.csv", "sku,Weight (kg),Nd_ppm,RE Origin\nA,0.01,,CN\nE,0.5,200,\n")
    result = load_bom(AuditOptions(files=(bom,), parts=(parts,), assembly="T", as_of=AS_OF))
    b, p = result.tables
    assert b.fields == {
        "sku": "Part Number",
        "qty": "Qty",
        "dnp": "DNP",
        "valid_to": "valid_to",
        "mass": "mass_g",
        "Dy_pct": "Dy_pct",
        "Tb_mg": "Tb (mg)",
    }
    # row 5 has no part number but a quantity: a part named after its row, not a line dropped
    assert b.skipped == [SkippedRow(3, "footer"), SkippedRow(4, "dnp"), SkippedRow(6, "not-in-force")]
    assert (b.rows_read, b.rows_used, b.skipped_total) == (6, 3, 3)
    assert p.role == "parts"
    assert p.fields == {"sku": "sku", "mass": "Weight (kg)", "re_origin": "RE Origin", "Nd_ppm": "Nd_ppm"}
    assert (p.skipped, p.rows_read, p.rows_used, p.skipped_total) == ([], 2, 2, 0)
    # the warnings about these rows are the ones there were before
    codes = {w.code: w.where.row for w in result.warnings if w.code in {"footer", "dnp", "no-sku", "synthetic-sku"}}
    assert codes == {"footer": 3, "dnp": 4, "synthetic-sku": 5}


def test_skipped_rows_are_capped_but_counted(write):
    lines = "".join(f"P{i},1,x\n" for i in range(MAX_SKIPPED + 5))
    result = load_bom(AuditOptions(files=(write("dnp.csv", f"sku,qty,DNP\nA,1,\n{lines}"),), assembly="T", as_of=AS_OF))
    info = result.tables[0]
    assert len(info.skipped) == MAX_SKIPPED
    assert info.skipped[0] == SkippedRow(3, "dnp")
    assert [s.row for s in info.skipped] == list(range(3, 3 + MAX_SKIPPED))
    assert (info.rows_read, info.rows_used, info.skipped_total) == (MAX_SKIPPED + 6, 1, MAX_SKIPPED + 5)


SHAPES = {
    "parent-child": "parent,sku,qty,valid_to,mass_g\n,TOP,,,\nTOP,SUB,2,,\nSUB,A,3,,1\nSUB,OLD,1,2020-01-01,2\nn/a,X,1,,\n",
    "indented": "Level,Part,Qty,valid_to,mass_g\n0,TOP,1,,\n1,SUB,2,,\n2,A,3,,1\n1,OLD,1,2020-01-01,\n2,B,1,,2\n1,,1,,\n",
    "flat": "sku,qty,DNP,mass_g\nA,1,,1\nB,1,x,1\nSum of lines,2,,\n-,1,,3\n",
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_rows_read_are_used_or_skipped(write, shape):
    result = load_bom(AuditOptions(files=(write("b.csv", SHAPES[shape]),), assembly="T", as_of=AS_OF))
    info = result.tables[0]
    assert info.shape == shape
    assert info.skipped_total > 0
    assert info.rows_read == info.rows_used + info.skipped_total
    assert len(info.skipped) == info.skipped_total
    assert [s.row for s in info.skipped] == sorted(s.row for s in info.skipped)


@pytest.mark.parametrize("name", ["smartphone_flat.csv", "wind_generator_pc.csv", "ev_traction_motor.xlsx", "hard_disk_drive.tsv"])
def test_sample_boms_rows_read_are_used_or_skipped(name):
    result = load_bom(AuditOptions(files=(str(REPO / "sample_boms" / name),), as_of=AS_OF))
    for info in result.tables:
        assert info.rows_read == info.rows_used + info.skipped_total
        assert info.fields["sku"] in info.columns
