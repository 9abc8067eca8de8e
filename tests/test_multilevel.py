"""Multi-level ERP and PLM exports read with no options (issue #12, multi-level part).

Each input mirrors a real export's headers and layout (see tests/data/multilevel/SOURCES.md).
Every leaf part is given a mass that is a distinct power of ten in a parts file, so a product's
mass spells out, digit by digit, how many of each leaf it holds: the per-leaf totals are checked
by hand in one number, and a product read wrong cannot hide."""

from __future__ import annotations

import pytest

from bomaudit.audit import AuditOptions, audit, load_bom
from bomaudit.errors import BomauditError

from .conftest import AS_OF


def _parts(write, masses: dict[str, float]) -> str:
    return write("parts.csv", "sku,mass_g\n" + "".join(f"{s},{m}\n" for s, m in masses.items()))


def products(path: str, parts: str, **kw) -> dict[str, float]:
    """Product SKU -> its mass in grams."""
    result = audit(AuditOptions(files=(path,), parts=(parts,), as_of=AS_OF, **kw))
    rows = result.skus.filter(result.skus["kind"] == "product")
    return dict(zip(rows["sku"].to_list(), rows["mass_g"].to_list(), strict=True))


def codes(path: str, **kw) -> list[str]:
    return [w.code for w in load_bom(AuditOptions(files=(path,), as_of=AS_OF, **kw)).warnings]


def refused(path: str, **kw) -> list[tuple[str, int | None, str | None, str]]:
    with pytest.raises(BomauditError) as exc:
        load_bom(AuditOptions(files=(path,), as_of=AS_OF, **kw))
    return [(p.code, p.where.row, p.where.column, p.message) for p in exc.value.problems]


# --- parents written once (Odoo mrp.bom export) ---------------------------------------------

ODOO = (
    "External ID,Product,Quantity,BoM Type,BoM Lines/Component,BoM Lines/Quantity\n"
    "1,Frame,1,Manufacture this product,Top tube,1\n"
    ",,,,Down tube,1\n"
    ",,,,Degreaser,10\n"
    "2,Top tube,1,Manufacture this product,Round tube,1\n"
    ",,,,Degreaser,1\n"
    "3,Down tube,1,Manufacture this product,Round tube,2\n"
    ",,,,Degreaser,1\n"
    "4,Wheel,2,Manufacture this product,Tyre,2\n"
    ",,,,Spoke,64\n"
)


def test_odoo_parents_written_once_are_the_parent_above(write):
    path = write("mrp.bom.csv", ODOO)
    parts = _parts(write, {"Round tube": 1, "Degreaser": 10, "Tyre": 100, "Spoke": 1000})
    # Frame = Top tube (1 round tube, 1 degreaser) + Down tube (2 round tubes, 1 degreaser) + 10 degreaser:
    #   3 round tubes (3 g) + 12 degreaser (120 g) = 123 g;
    # Wheel: its BoM makes 2 wheels from 2 tyres and 64 spokes: per wheel 1 tyre (100 g), 32 spokes (32,000 g)
    assert products(path, parts) == {"Frame": 123.0, "Wheel": 32100.0}
    found = codes(path)
    assert "parent-filled-down" in found and "bom-lines-columns" in found and "qty-per-base" in found


def test_a_parent_written_on_every_line_keeps_blanks_as_top_items(write):
    # AdventureWorks-style: the parent on every line, a blank parent declares a top item
    path = write("pc.csv", "parent,sku,qty\n,TOP,1\nTOP,A,2\nTOP,B,1\n,OTHER,1\nOTHER,B,3\n")
    parts = _parts(write, {"A": 1, "B": 10})
    assert products(path, parts) == {"TOP": 12.0, "OTHER": 30.0}
    assert "parent-filled-down" not in codes(path)


def test_a_blank_parent_after_a_line_declaring_it_is_not_filled_down(write):
    # each parent once, but each followed by its own top declaration: blanks are top items
    path = write("pc2.csv", "parent,sku,qty\nP1,A,2\n,P1,1\nP2,B,3\n,P2,1\n")
    parts = _parts(write, {"A": 1, "B": 10})
    assert products(path, parts) == {"P1": 2.0, "P2": 30.0}


# --- the top item is not a row (SAP CS12 header block, a title, the file's name) ----------

CS12_HEADER = "Explosion level,Item Number,Component number,Object description,Component quantity,Comp. Qty (CUn),Unit of measure,Component unit\n"
CS12_LINES = (
    ".1,0010,200-100,Housing,1,1,,PC\n"
    "..2,0010,300-100,Sheet steel,4,4,,LB\n"
    ".1,0020,200-200,Magnet set,2,2,,PC\n"
    "..2,0010,300-200,Magnet segment,8,16,,PC\n"
    ".1,0030,200-300,Screw,6,6,,PC\n"
)
#: per one 100-100: 4 lb of steel (1,814.36948 g), 2 sets × 8 segments × 10 g = 160 g, 6 screws × 1 g
CS12_MASS = 4 * 453.59237 + 160 + 6


def test_sap_cs12_header_block_names_the_top_item(write):
    path = write("cs12.csv", "Material,100-100,Casing\nPlant,1000,Hamburg\nAlternative,1\n" + CS12_HEADER + CS12_LINES)
    parts = _parts(write, {"300-200": 10, "200-300": 1})
    assert products(path, parts) == {"100-100": pytest.approx(CS12_MASS)}
    found = codes(path)
    assert "top-item-named" in found
    assert "qty-total-not-used" in found  # the per-parent quantity is preferred


def test_sap_item_numbers_are_positions_and_the_filled_unit_column_is_read(write):
    path = write("cs12.csv", "Material,100-100,Casing\n" + CS12_HEADER + CS12_LINES)
    bom = load_bom(AuditOptions(files=(path,), as_of=AS_OF))
    assert bom.tables[0].fields["sku"] == "Component number"
    assert bom.tables[0].fields["uom"] == "Component unit"
    steel = bom.edges.filter(bom.edges["child"] == "300-100").row(0, named=True)
    assert steel["bulk"] and steel["qty"] == pytest.approx(4 * 453.59237)  # LB, not 4 pieces
    assert (steel["parent"], steel["child"]) == ("200-100", "300-100")


def test_sap_quantities_through_the_parents_are_divided_back(write):
    # only Comp. Qty (CUn): the segment's 16 is 8 per set × 2 sets
    lines = "".join(",".join(c for k, c in enumerate(ln.split(",")) if k != 4) + "\n" for ln in CS12_LINES.splitlines())
    header = CS12_HEADER.replace("Component quantity,", "")
    path = write("cs12.csv", "Material,100-100,Casing\n" + header + lines)
    parts = _parts(write, {"300-200": 10, "200-300": 1})
    assert products(path, parts) == {"100-100": pytest.approx(CS12_MASS)}
    bom = load_bom(AuditOptions(files=(path,), as_of=AS_OF))
    assert bom.edges.filter(bom.edges["child"] == "300-200")["qty"].to_list() == [8.0]
    assert "qty-multiplied" in [w.code for w in bom.warnings]


def test_a_total_quantity_in_a_parent_child_table_is_refused(write):
    path = write("pc.csv", "Parent,Component number,Total Required\nA,B,2\nB,C,8\n")
    assert refused(path)[0] == (
        "qty-multiplied",
        1,
        "Total Required",
        "column 'Total Required' gives quantities multiplied through the parents (how many the top item needs), which a parent-child table cannot divide back",
    )


def test_several_level_1_lines_without_a_title_are_the_file_s_assembly(write):
    path = write("EM-150.csv", "Level,Part Number,Qty\n1,ROTOR,1\n2,MAG,8\n1,STATOR,1\n1,SCREW,12\n")
    parts = _parts(write, {"MAG": 10, "STATOR": 1000, "SCREW": 1})
    assert products(path, parts) == {"EM-150": 80 + 1000 + 12}
    assert products(path, parts, assembly="MOTOR") == {"MOTOR": 1092}


def test_a_title_row_names_the_top_item(write):
    path = write("export.csv", "Bill of Materials for EM-150\n\nLevel,Part Number,Qty\n1,ROTOR,1\n2,MAG,8\n1,SCREW,12\n")
    parts = _parts(write, {"MAG": 10, "SCREW": 1})
    assert products(path, parts) == {"EM-150": 92}


def test_one_level_1_line_is_the_top_item_as_before(write):
    path = write("x.csv", "Level,Part Number,Qty\n1,MOTOR,1\n2,ROTOR,1\n3,MAG,8\n2,SCREW,12\n")
    parts = _parts(write, {"MAG": 10, "SCREW": 1})
    assert products(path, parts) == {"MOTOR": 92}
    assert "top-item-named" not in codes(path)


def test_level_column_that_disagrees_with_the_explosion_level(write):
    # 'Level' here is a low-level code (the deepest level a part appears at anywhere): no tree
    path = write(
        "cs12.csv",
        "Material,100-100\nLevel,Explosion level,Component number,Component quantity\n1,.1,200-100,1\n3,..2,300-200,8\n1,.1,200-300,6\n",
    )
    parts = _parts(write, {"300-200": 10, "200-300": 1})
    assert products(path, parts) == {"100-100": 86}
    bom = load_bom(AuditOptions(files=(path,), as_of=AS_OF))
    assert bom.tables[0].fields["level"] == "Explosion level"


# --- explosions per top part ------------------------------------------------------------------


def test_sap_multi_material_download_is_one_explosion_per_material(write):
    block2 = "Material,100-200,Casing small\nPlant,1000\n" + CS12_HEADER + ".1,0010,200-200,Magnet set,1,1,,PC\n..2,0010,300-200,Magnet segment,8,8,,PC\n"
    path = write("cs12.csv", "Material,100-100,Casing\nPlant,1000\n" + CS12_HEADER + CS12_LINES + block2)
    parts = _parts(write, {"300-200": 10, "200-300": 1})
    # read as one tree, 100-100 would also hold 100-200's magnet set
    assert products(path, parts) == {"100-100": pytest.approx(CS12_MASS), "100-200": 80.0}


def test_level_sorted_explosions_are_refused(write):
    block = "Material,{top}\nLevel,Component number,Qty\n1,A,1\n1,B,1\n2,C,4\n2,D,2\n"
    path = write("sorted.csv", block.format(top="P1") + block.format(top="P2"))
    problems = refused(path)
    assert problems[0][:3] == ("level-sorted", 5, "Level")  # the first level-2 line: its parent may be A or B


def test_indented_explosions_per_level_0_part_stay_apart(write):
    path = write("multi.csv", "Level,Part Number,Qty\n0,P1,1\n1,A,2\n2,M,3\n1,B,1\n0,P2,1\n1,A,1\n2,M,3\n")
    parts = _parts(write, {"M": 1, "B": 10})
    assert products(path, parts) == {"P1": 16.0, "P2": 3.0}


# --- outline item numbers (SOLIDWORKS indented BOM) -------------------------------------------


def test_solidworks_item_numbers_are_the_levels(write):
    path = write(
        "ACT-200.csv",
        "ITEM NO.,PART NUMBER,DESCRIPTION,QTY.\n1,ROT-10,Rotor,1\n1.1,MAG-N42,Magnet,8\n1.3,SHAFT,Shaft,1\n3,HOUSING,Housing,1\n3.2,SCREW,Screw,4\n4,LABEL,Label,2\n",
    )
    parts = _parts(write, {"MAG-N42": 10, "SHAFT": 100, "SCREW": 1, "LABEL": 1000})
    # 1.2 and 2 are missing (suppressed lines): gaps between siblings, each number's parent is there
    assert products(path, parts) == {"ACT-200": 2000 + 80 + 100 + 4}
    found = codes(path)
    assert "outline-item-numbers" in found and "outline-levels" in found


def test_top_item_declarations_in_any_order_are_not_filled_down(write):
    # bomaudit's own convention: a blank parent and a blank quantity declare a top item, in any row order
    path = write("shuffled.csv", "parent,sku,qty\nN03,N00,1\n,N04,\nN04,N03,1\n")
    parts = _parts(write, {"N00": 1})
    assert products(path, parts) == {"N04": 1.0}
    assert "parent-filled-down" not in codes(path)


def test_the_warnings_say_what_was_assumed_and_where(write):
    path = write("cs12.csv", "Material,100-100,Casing\nExplosion level,Component number,Component quantity\n.1,A,2\n.1,B,1\nPlant,1000\n.1,C,1\n")
    bom = load_bom(AuditOptions(files=(path,), as_of=AS_OF))
    by_code = {w.code: w for w in bom.warnings}
    named = by_code["top-item-named"]
    assert (named.where.row, named.where.column) == (3, "Explosion level")
    assert named.message == (
        "the lowest level is 1 and no line is the top item: the 3 level-1 line(s) from row 3 are read as the parts of '100-100', named by the title above the table"
    )
    block = by_code["block-header"]
    assert block.where.row == 5 and block.message.startswith("a header block among the rows")
    # the 'Plant' line names no other material: the header block repeated on a new page, C is 100-100's
    assert bom.declared_tops == ["100-100"]
    assert ("100-100", "C") in set(bom.edges.select("parent", "child").rows())


def test_level_1_lines_that_all_have_parts_below_are_separate_explosions(write):
    # a multi-top export: each level-1 line is a top part exploded below it; one product from the
    # file's name would average them, and could hide the one that crosses the threshold
    path = write("tops.csv", "Level,Part Number,Qty\n1,P1,1\n2,MAG,8\n1,P2,1\n2,SCREW,12\n")
    parts = _parts(write, {"MAG": 10, "SCREW": 1})
    assert products(path, parts) == {"P1": 80.0, "P2": 12.0}
    assert "top-items-exploded" in codes(path)
    assert products(path, parts, assembly="KIT") == {"KIT": 92.0}


def test_odoo_export_by_another_product_field_with_units(write):
    # the layout of an Odoo export by a custom product field, bulk lines in kg
    path = write(
        "mrp.bom.csv",
        '"Product Korporat Code","BoM Lines/Product Template/Korporat Code","BoM Lines/Quantity","BoM Lines/Product Unit of Measure"\n'
        '"LOT-A","LOT-A-BULK","0.0035","kg"\n'
        '"","CAP-1","1.0","Units"\n'
        '"","BOX-12","0.08333","Units"\n'
        '"LOT-B","LOT-A-BULK","0.0055","kg"\n'
        '"","CAP-1","1.0","Units"\n',
    )
    parts = _parts(write, {"CAP-1": 1, "BOX-12": 1200})
    # LOT-A: 3.5 g of bulk + 1 cap (1 g) + 1/12 of a box of 12 (0.08333 × 1200 g = 99.996 g)
    assert products(path, parts) == {"LOT-A": pytest.approx(3.5 + 1 + 99.996), "LOT-B": pytest.approx(5.5 + 1)}
    bom = load_bom(AuditOptions(files=(path,), as_of=AS_OF))
    assert bom.tables[0].fields == {
        "sku": "BoM Lines/Product Template/Korporat Code",
        "qty": "BoM Lines/Quantity",
        "uom": "BoM Lines/Product Unit of Measure",
        "parent": "Product Korporat Code",
    }


@pytest.mark.parametrize("name", ["odoo", "cs12"])
def test_the_lazy_reader_of_big_files_reads_them_alike(write, name):
    text = ODOO if name == "odoo" else CS12_HEADER + CS12_LINES
    path = write(f"{name}.csv", text)
    parts = _parts(write, {"Round tube": 1, "Degreaser": 10, "Tyre": 100, "Spoke": 1000, "300-200": 10, "200-300": 1})
    assert products(path, parts, lazy_bytes=1) == products(path, parts)


def test_a_workbook_title_row_names_the_top_item(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Material", "100-100", "Casing"])
    ws.append(["Plant", "1000"])
    ws.append([])
    ws.append(["Level", "Component number", "Component quantity"])
    for row in ([1, "200-100", 1], [2, "300-200", 8], [1, "200-300", 6]):
        ws.append(row)
    path = tmp_path / "cs12.xlsx"
    wb.save(path)
    parts = tmp_path / "parts.csv"
    parts.write_text("sku,mass_g\n300-200,10\n200-300,1\n")
    assert products(str(path), str(parts)) == {"100-100": 86.0}


def test_erp_explosion_total_required_is_divided_back(write):
    # a CMS-style ERP explosion: indented levels, 'Total Required' for the whole top item
    path = write(
        "EXP-1.csv",
        "Level,Part Number,Description,Total Required,UOM\n1,ASM-A,Arm,2,EA\n2,MAG,Magnet,12,EA\n2,SUB,Bracket,4,EA\n3,SCREW,Screw,16,EA\n1,LABEL,Label,1,EA\n",
    )
    parts = _parts(write, {"MAG": 10, "SCREW": 1, "LABEL": 1000})
    # per ASM-A: 6 magnets, 2 brackets of 4 screws; per EXP-1: 2 ASM-A, 1 label = 12 magnets, 16 screws, 1 label
    assert products(path, parts) == {"EXP-1": 1000 + 120 + 16}
    bom = load_bom(AuditOptions(files=(path,), as_of=AS_OF))
    assert sorted(bom.edges.select("parent", "child", "qty").rows()) == [
        ("ASM-A", "MAG", 6.0),
        ("ASM-A", "SUB", 2.0),
        ("EXP-1", "ASM-A", 2.0),
        ("EXP-1", "LABEL", 1.0),
        ("SUB", "SCREW", 4.0),
    ]


def test_level_columns_that_agree_read_as_the_explosion_level(write):
    path = write("cs12.csv", "Material,T\nLevel,Explosion level,Component number,Component quantity\n1,.1,A,1\n2,..2,M,8\n1,.1,S,6\n")
    bom = load_bom(AuditOptions(files=(path,), as_of=AS_OF))
    assert bom.tables[0].fields["level"] == "Explosion level"
    assert sorted(bom.edges.select("parent", "child").rows()) == [("A", "M"), ("T", "A"), ("T", "S")]


@pytest.mark.parametrize(
    ("cells", "name"),
    [
        (["Material", "100-100", "Casing"], "100-100"),
        (["Material: 100-100"], "100-100"),
        (["Material 100-100 Casing"], "100-100"),
        (["Bill of Materials for EM-150"], "EM-150"),
        (["Explosion of MOT-7 at plant 1000"], "MOT-7"),
        (["Material list"], None),
        (["Material: Steel"], None),
        (["Plant", "1000"], None),
    ],
)
def test_top_item_named_by_a_title_or_header_block(cells, name):
    from bomaudit.normalise.multilevel import top_named

    assert top_named(cells) == name


def test_freecad_bom_index_outline_is_the_levels(write):
    # FreeCAD's Assembly BOM with sub-assemblies detailed: Index 1, 1.1, 1.2, 2…, the assembly is the file
    path = write(
        "Robot-Arm.csv",
        "Index,Name,Description,File Name,Quantity\n1,Joint,,joint.FCStd,2\n1.1,Magnet-N42,,magnet.FCStd,12\n1.2,Screw-M3,,,4\n2,Base,,base.FCStd,1\n",
    )
    parts = _parts(write, {"Magnet-N42": 10, "Screw-M3": 1, "Base": 1000})
    assert products(path, parts) == {"Robot-Arm": 2 * (120 + 4) + 1000}
    assert products(path, parts, lazy_bytes=1) == {"Robot-Arm": 1248}


def test_item_numbers_written_as_floats_are_no_outline(write):
    path = write("flat.csv", "Item,Part Number,Qty\n1.0,A,1\n2.0,B,2\n3.0,C,3\n")
    bom = load_bom(AuditOptions(files=(path,), as_of=AS_OF))
    assert bom.tables[0].shape == "flat" and "level" not in bom.tables[0].fields


def test_a_top_item_named_by_the_file_drops_the_export_s_suffix(write):
    """bomcheck's SOLIDWORKS exports are named PART_sw.csv: the top item is PART."""
    from bomaudit.audit import AuditOptions as _Options
    from bomaudit.audit import load_bom as _load

    path = write("DVT0161720_sw.csv", "ITEM NO.,PART NUMBER,QTY\n1,A-1,2\n2,SUB-1,1\n2.1,B-1,3\n")
    assert _load(_Options(files=(path,))).declared_tops == ["DVT0161720"]
