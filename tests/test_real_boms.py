"""Real third-party BOM exports (../shared/real_boms, see its README): each one loads with at most
a few --map options, or fails with one clear line per problem (exit 2, no traceback).

The facts asserted here (header row, rows read and used, which header became sku/qty, row numbers
in messages) were checked by hand against the files. docs/real_exports.md shows the same commands.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bomaudit.audit import AuditOptions, load_bom
from bomaudit.cli import app
from bomaudit.errors import BomauditError
from bomaudit.load import ReadOptions, load_table

REAL = Path(__file__).resolve().parents[2] / "shared" / "real_boms"
if not REAL.is_dir():
    pytest.skip(f"real BOM exports not found at {REAL}", allow_module_level=True)

AS_OF = dt.date(2026, 11, 28)
runner = CliRunner()


def validate(*args: str):
    return runner.invoke(app, ["validate", "--as-of", AS_OF.isoformat(), *args])


def map_args(mapping: dict[str, str]) -> list[str]:
    return [a for fld, header in mapping.items() for a in ("--map", f"{fld}={header}")]


def bom(name: str, mapping: dict[str, str] | None = None, *, no_header: bool = False):
    return load_bom(AuditOptions(files=(str(REAL / name),), mapping=mapping or {}, as_of=AS_OF, no_header=no_header))


def fields(info) -> dict[str, str]:
    """canonical field -> header, from validate's column list"""
    return {meaning: header for header, meaning in info.columns.items()}


# --- files that load ------------------------------------------------------------------

#: file, --map, header row, data rows read, rows used, header used as sku, header used as qty (None: none)
LOADS = [
    ("voron2_cad_BOM.csv", {}, 1, 290, 290, "Part Number", "Quantity"),
    # lines without a part number but with data are parts named after their rows ("row-36: Solder Jumper…")
    ("openmower_mainboard_kibom.csv", {}, 1, 51, 51, "Part Number", "Quantity Per PCB"),
    ("nou3_jlcpcb_bom.csv", {}, 1, 58, 58, "LCSC Part #", None),
    ("hpmr_vanguard_kicad_cli_bom.csv", {"sku": "Value"}, 1, 36, 36, "Value", "Qty"),
    ("bcn3d_stepper_jig_eagle_bom.csv", {"sku": "Device"}, 1, 34, 34, "Device", "Qty"),
    ("micromanipulator_stepper_bom.csv", {"sku": "Specification"}, 1, 19, 19, "Specification", "Qty"),
    ("nasa_osr_control_board_bom_v2.0.3.csv", {"sku": "Value"}, 1, 38, 38, "Value", "Quantity"),
    ("opentorque_actuator_bom.csv", {"sku": "Part Name"}, 1, 11, 11, "Part Name", "Count"),
    ("team_bath_drone_BillOfMaterials.csv", {}, 1, 12, 12, "Component", None),
    ("ironless_qdd_actuator_BOM.xlsx", {"sku": "Part Name"}, 2, 18, 18, "Part Name", "Part Quantity"),
]


@pytest.mark.parametrize(("name", "mapping", "header_row", "read", "used", "sku", "qty"), LOADS, ids=[c[0] for c in LOADS])
def test_real_export_loads(name, mapping, header_row, read, used, sku, qty):
    result = validate(str(REAL / name), *map_args(mapping))
    assert result.exit_code == 0, result.stderr
    assert "Traceback" not in result.output
    info = bom(name, mapping).tables[0]
    assert (info.header_row, info.rows_read, info.rows_used) == (header_row, read, used)
    assert info.shape == "flat"
    assert fields(info).get("sku") == sku
    assert fields(info).get("qty") == qty


def test_kibom_metadata_footer_is_skipped_not_counted():
    b = bom("openmower_mainboard_kibom.csv")
    footer = [w for w in b.warnings if w.code == "footer"]
    assert len(footer) == 1
    # the 11 "Key:,value" lines after five blank lines: rows 58-68
    assert footer[0].where.row == 58
    assert footer[0].message == "rows 58, 59, 60, 61, 62, 63, 64, 65, 66, 67 and 1 more: footer or metadata, not a part: skipped"
    assert "Component Groups:" not in b.edges["child"].to_list()
    # the solder jumper without a part number is a part named after its row, not a line left out
    assert [(w.code, w.where.row) for w in b.warnings if w.code in {"no-sku", "synthetic-sku"}] == [("synthetic-sku", 36)]
    assert "row-36: Solder Jumper, 2-pole, open" in b.edges["child"].to_list()
    table = load_table(str(REAL / "openmower_mainboard_kibom.csv"))
    assert table.frame["__row"].max() == 52  # last part row; the footer is gone


def test_micromanipulator_total_row_is_a_footer_and_cost_is_read_as_unit_value():
    b = bom("micromanipulator_stepper_bom.csv", {"sku": "Specification"})
    assert [(w.code, w.where.row, w.message) for w in b.warnings if w.code == "footer"] == [("footer", 23, "footer or metadata, not a part: skipped")]
    # without --map the category column 'Component' is the part number: two 'Screw' lines at
    # different prices are two parts (issue #12), named apart with a warning, not a conflict
    result = validate(str(REAL / "micromanipulator_stepper_bom.csv"), "-f", "json")
    assert result.exit_code == 0, result.stderr
    assert "repeat a part number of an earlier row with other attributes (e.g. 'Screw' on rows 6 and 7)" in result.stderr
    plain = bom("micromanipulator_stepper_bom.csv")
    assert {"Screw", "Screw (row 7)", "Header", "Header (row 17)", "Header (row 18)"} <= set(plain.edges["child"].to_list())
    assert plain.edges.height == 19  # one part per line of the file
    # trap kept visible: 'Cost' is the price of the pack bought (70 magnets for $28.05), not per piece
    assert fields(b.tables[0])["unit_value"] == "Cost"
    magnets = b.attrs.filter(b.attrs["sku"] == "3mm Dia. 4mm Height")
    assert magnets["unit_value"].to_list() == [28.05]


def test_eagle_semicolons_duplicate_header_and_stray_quote():
    table = load_table(str(REAL / "bcn3d_stepper_jig_eagle_bom.csv"))
    assert table.details == {"encoding": "utf-8", "delimiter": "semicolon"}
    # 'VALUE' repeats 'Value' but for case: renamed, so --map sku=Value cannot land on the wrong one;
    # the trailing ';' of every line adds no column
    assert table.headers == ["Qty", "Value", "Device", "Package", "Parts", "Description", "BOM", "PROD_ID", "VALUE (2)"]
    assert [(w.code, w.where.row) for w in table.warnings] == [("duplicate-header", 1), ("stray-quote", 7)]
    row7 = table.frame.filter(table.frame["__row"] == 7).row(0, named=True)
    assert row7["Description"] == 'Pin header 1x1 for 0.1" spacing'
    assert row7["Qty"] == "15"
    assert row7["PROD_ID"] is None  # the fields after the stray quote stay in their columns
    b = bom("bcn3d_stepper_jig_eagle_bom.csv", {"sku": "Device"})
    # 7 lines of R-US_M0805 (16+1+3+2+4+2+3 = 31 resistors): those whose Value differs from the
    # first's are parts of their own (issue #12), those that agree are added up
    resistors = b.edges.filter(b.edges["child"].str.starts_with("R-US_M0805"))
    assert resistors["qty"].sum() == 31.0 and resistors.height == 7
    result = validate(str(REAL / "bcn3d_stepper_jig_eagle_bom.csv"), "--map", "sku=Device")
    assert result.exit_code == 0
    assert "repeat a part number of an earlier row with other attributes" in result.stderr


def test_eagle_without_map_identifies_parts_by_device():
    result = validate(str(REAL / "bcn3d_stepper_jig_eagle_bom.csv"))
    assert result.exit_code == 0, result.stderr
    assert "parts are identified by column 'Device': no column names a part number" in result.stderr


def test_nasa_control_board_multiline_fields_keep_spreadsheet_row_numbers():
    table = load_table(str(REAL / "nasa_osr_control_board_bom_v2.0.3.csv"))
    rows = dict(zip(table.frame["UID"].to_list(), table.frame["__row"].to_list(), strict=True))
    # Notes cells of A9 and A33 span 5 lines, A34's 3 and A36's 4: rows count records, as Excel
    # shows them (A10 is on line 15 of the file, A38 on line 52)
    assert (rows["A1"], rows["A10"], rows["A34"], rows["A38"]) == (2, 11, 35, 39)
    notes = table.frame.filter(table.frame["UID"] == "A9")["Notes"][0]
    assert notes.startswith("needs mate, see other page\r\n\r\nalternative suppliers:") and notes.count("\n") == 4
    b = bom("nasa_osr_control_board_bom_v2.0.3.csv", {"sku": "Value"})
    # A5 has no Value: the diode is a part named after its row
    assert [(w.code, w.where.row) for w in b.warnings if w.code in {"no-sku", "synthetic-sku"}] == [("synthetic-sku", 6)]
    assert "row-6: motor power return diode" in b.edges["child"].to_list()
    # 'Quantity', not 'Number to Order' (which adds spares and says "1 pack (J1,J5,J3,J4)")
    assert b.edges.filter(b.edges["child"] == "4.7k")["qty"].sum() == 13.0


def test_jlcpcb_lcsc_part_number_is_the_sku_and_quantity_comes_from_designators():
    b = bom("nou3_jlcpcb_bom.csv")
    assert "qty-from-designators" in [w.code for w in b.warnings]
    named = next(w for w in b.warnings if w.code == "synthetic-sku")
    assert named.message.startswith("rows 2, 23, 24, 35, 38, 39, 40, 41, 42, 43 and 5 more: no value in 'LCSC Part #', but each line has data")
    # the pin sockets, test pads and the PCA9685 without an LCSC number are parts, named by their designators
    assert {"row-23: J16", "row-42: TP3, TP9", "row-49: U10"} <= set(b.edges["child"].to_list())
    assert "no-sku" not in [w.code for w in b.warnings]
    # no quantity column: the HR8833 line is 4 drivers (U1, U4, U5, U6)
    assert b.edges.filter(b.edges["child"] == "C128666")["qty"].sum() == 4.0


def test_kicad_cli_value_as_sku_merges_lines_of_one_value():
    b = bom("hpmr_vanguard_kicad_cli_bom.csv", {"sku": "Value"})
    # 100nF in 0402 (13) and 0603 (1) become one SKU of 14, with a warning
    assert b.edges.filter(b.edges["child"] == "100nF")["qty"].sum() == 14.0
    result = validate(str(REAL / "hpmr_vanguard_kicad_cli_bom.csv"), "--map", "sku=Value")
    assert "'100nF'" in result.stderr and "quantities added" in result.stderr


def test_opentorque_blank_header_columns_and_trailing_empty_rows():
    table = load_table(str(REAL / "opentorque_actuator_bom.csv"))
    assert table.headers == ["Part Name", "Count", "Source", "Alternate Source"]
    assert table.rows == 11
    assert table.frame["__row"].to_list() == list(range(2, 13))
    result = validate(str(REAL / "opentorque_actuator_bom.csv"))
    assert result.exit_code == 0, result.stderr
    assert "parts are identified by column 'Part Name'" in result.stderr


def test_xlsx_header_below_title_row_and_rows_as_excel_shows_them():
    table = load_table(str(REAL / "ironless_qdd_actuator_BOM.xlsx"))
    assert (table.sheet, table.header_row) == ("Sheet1", 2)
    assert table.frame["__row"].to_list() == list(range(3, 21))
    magnets = table.frame.filter(table.frame["Part Name"] == "N52 12x5x3mm").row(0, named=True)
    assert (magnets["__row"], magnets["Part Quantity"]) == (6, "42")
    # the side note 'Total Cost w/o Controller' in G4 is not a footer: row 4 is a part
    assert table.frame.filter(table.frame["__row"] == 4)["Part Name"].to_list() == ["6710 Bearing"]
    result = validate(str(REAL / "ironless_qdd_actuator_BOM.xlsx"))
    assert result.exit_code == 0, result.stderr
    assert "sheet 'Sheet1': parts are identified by column 'Part Name'" in result.stderr


def test_adventureworks_without_header_by_column_number():
    mapping = {"sku": "3", "parent": "2", "qty": "8", "uom": "6", "valid_from": "4", "valid_to": "5"}
    result = validate(str(REAL / "adventureworks_parent_child" / "BillOfMaterials.tsv"), "--no-header", *map_args(mapping))
    assert result.exit_code == 0, result.stderr
    b = bom("adventureworks_parent_child/BillOfMaterials.tsv", mapping, no_header=True)
    info = b.tables[0]
    assert (info.shape, info.header_row, info.rows_read, info.rows_used) == ("parent-child", None, 2679, 2480)
    assert info.details == {"encoding": "utf-8", "delimiter": "tab"}
    codes = {w.code: w for w in b.warnings}
    assert "parent ID(s) written like" in codes["float-id"].message  # '749.0' for 749
    assert codes["not-in-force"].message.startswith("199 row(s) not in effect on 2026-11-28")
    # 97 top-level products (empty ProductAssemblyId); their children name them as '749.0'
    assert len(b.declared_tops) == 97


def test_adventureworks_float_parent_ids_of_top_products_are_repaired():
    # parents are written '749.0' while the top row declares '749': one product each, not two
    mapping = {"sku": "3", "parent": "2", "qty": "8", "uom": "6", "valid_from": "4", "valid_to": "5"}
    b = bom("adventureworks_parent_child/BillOfMaterials.tsv", mapping, no_header=True)
    assert b.edges.filter(b.edges["parent"].str.ends_with(".0")).height == 0
    parents = set(b.edges["parent"].to_list())
    products = parents - set(b.edges["child"].to_list())
    assert len(products) == 97
    assert products <= set(b.declared_tops)


def test_adventureworks_with_a_header_guess_says_use_no_header():
    result = validate(str(REAL / "adventureworks_parent_child" / "BillOfMaterials.tsv"), "--map", "sku=3")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"error: {REAL / 'adventureworks_parent_child' / 'BillOfMaterials.tsv'}, row 1: the first row looks like data, not a header "
        "(numbers and dates, no column names) — if the file has no header row, pass --no-header and name the columns by number, e.g. --map sku=3"
    ]


# --- files that must fail clearly -----------------------------------------------------


def test_nasa_parts_list_unquoted_commas_are_mended_with_a_warning(tmp_path: Path):
    """Rows 43-46 hold a long name with an unquoted comma ("(6mm OD, 8mm Length)"): on each, one
    text field is followed by a piece starting with a space, so the piece is read back into it —
    the same lines as the file with those fields quoted, and a warning naming the rows."""
    path = REAL / "nasa_osr_parts_list_two_level.csv"
    result = validate(str(path))
    assert result.exit_code == 0, result.stderr
    assert (
        f"warning: {path}, row 43: row(s) 43, 44, 45, 46 have more fields than the header: a text field holding a comma was not quoted; "
        "the pieces after it, each starting with a space, are read back into it"
    ) in result.stderr
    fixed = tmp_path / "parts_list.csv"
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    rows = [r if len(r) == 8 else [*r[:3], f"{r[3]},{r[4]}", *r[5:]] for r in rows]
    with fixed.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    mended, quoted = (load_bom(AuditOptions(files=(str(p),), as_of=AS_OF)) for p in (path, fixed))
    assert mended.edges.drop("_file").rows() == quoted.edges.drop("_file").rows()


def test_nasa_parts_list_once_quoted_is_two_level(tmp_path: Path):
    fixed = tmp_path / "parts_list.csv"
    with (REAL / "nasa_osr_parts_list_two_level.csv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    # what the error asks for: the long name (4th field) was split at its comma; join and quote it
    rows = [r if len(r) == 8 else [*r[:3], f"{r[3]},{r[4]}", *r[5:]] for r in rows]
    with fixed.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    b = load_bom(AuditOptions(files=(str(fixed),), mapping={"qty": "# req in assy"}, as_of=AS_OF))
    info = b.tables[0]
    # the Traxxas wheel (row 2) has no part #: a part named after its row
    assert (info.shape, info.rows_read, info.rows_used) == ("parent-child", 47, 47)
    assert b.edges.filter(b.edges["child"] == "row-2")["parent"].to_list() == ["drive wheel"]
    assert fields(info) == {"parent": "assembly", "sku": "part #", "qty": "# req in assy"}
    # no row has an empty 'assembly': each assembly is a top item; 'assembly multiplier' (drive wheel
    # ×6, corner ×4, rocker bogie ×2) has no place in the graph and is not used
    assert b.declared_tops == []
    assert "assembly multiplier" in info.ignored
    assert sorted(set(b.edges["parent"].to_list())) == ["body", "corner", "drive wheel", "general", "rocker bogie"]
    spacer = b.edges.filter((b.edges["parent"] == "rocker bogie") & (b.edges["child"] == "1137-0001-0001"))
    assert spacer["qty"].to_list() == [0.5]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            "mendel90_dibond_bom/x_axis_assembly.txt",
            "is not a delimited table: looks like a Mendel90 assembly list (sections 'Vitamins:', 'Printed:', 'Sub-assemblies:') — "
            "convert it to CSV with columns parent,sku,qty",
        ),
        (
            "mendel90_dibond_bom/bom.txt",
            "is not a delimited table: looks like a Mendel90 where-used matrix (sections 'Vitamins:', 'Printed:', 'Sub-assemblies:') — "
            "use the per-assembly files instead",
        ),
        ("mendel90_dibond_bom/accessories/light_strip_assembly.txt", "looks like a Mendel90 assembly list (sections 'Vitamins:', 'Printed:')"),
        ("mendel90_dibond_bom", "is a folder, not a BOM file — name a file inside it"),
    ],
)
def test_mendel90_lists_are_refused_clearly(name: str, message: str):
    result = validate(str(REAL / name))
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"error: {REAL / name}: ")
    assert message in lines[0]


def test_every_mendel90_file_is_refused():
    files = sorted((REAL / "mendel90_dibond_bom").rglob("*.txt"))
    assert len(files) == 27
    for path in files:
        with pytest.raises(BomauditError) as exc:
            load_table(str(path))
        assert [p.code for p in exc.value.problems] == ["not-a-table"], path


# --- the same traps, small and synthetic ----------------------------------------------


def test_extra_fields_row_and_line_differ_after_a_multiline_field(tmp_path: Path):
    path = tmp_path / "bom.csv"
    # (no space after the comma: which field was split cannot be told, so the row is refused)
    path.write_text('Widget BOM,,\nsku,qty,description\nA,1,"two\nlines"\nB,2,M4 (6mm OD,8mm)\nC,1,ok,,\n')
    with pytest.raises(BomauditError) as exc:
        load_table(str(path))
    (problem,) = exc.value.problems
    assert (problem.code, problem.where.row) == ("extra-fields", 4)
    assert problem.message.startswith("this row (line 5 of the file) has 4 fields but the header has 3")
    assert problem.hint == "put double quotes round the field that holds a comma, or remove it"


def test_extra_empty_fields_are_tolerated_and_title_row_wider_than_header(tmp_path: Path):
    path = tmp_path / "bom.csv"
    path.write_text("Widget BOM,,,,\nsku,qty\nA,1,,\nB,2\n")
    table = load_table(str(path))
    assert (table.header_row, table.headers, table.rows) == (2, ["sku", "qty"], 2)
    path.write_text("Widget BOM,,,,\nsku,qty\nA,1,x\n")
    with pytest.raises(BomauditError, match=r"this row has 3 fields but the header has 2"):
        load_table(str(path))


def test_unclosed_quote_is_an_error_not_a_swallowed_file(tmp_path: Path):
    path = tmp_path / "bom.csv"
    path.write_text('sku,qty\nA,1\nB,"2\nC,3\nD,4\n')
    with pytest.raises(BomauditError) as exc:
        load_table(str(path))
    (problem,) = exc.value.problems
    assert problem.where.row == 3
    assert problem.message == "a quoted field on this row is never closed: it runs to the end of the file"


def test_stray_quote_followed_by_space_before_delimiter_does_not_merge_rows(tmp_path: Path):
    path = tmp_path / "bom.csv"
    path.write_text('sku,qty\n"A" ,1\n"B",2\n')
    table = load_table(str(path))
    assert table.frame.select("sku", "qty").rows() == [("A ", "1"), ("B", "2")]


def test_no_header_option_skips_the_data_row_check(tmp_path: Path):
    path = tmp_path / "bom.tsv"
    path.write_text("1\t\t749\t2\n2\t749\t750\t1\n")
    table = load_table(str(path), ReadOptions(no_header=True))
    assert table.headers == ["1", "2", "3", "4"]
    assert table.frame["__row"].to_list() == [1, 2]


# --- no composition: unknown, never clear (issue #10) -------------------------------------


@pytest.mark.parametrize(("name", "mapping"), [(c[0], c[1]) for c in LOADS], ids=[c[0] for c in LOADS])
def test_real_export_without_composition_is_unknown_and_fails_the_gate(name, mapping):
    """None of these exports carries rare-earth data: every product is unknown with nothing of its
    mass declared, and the default gate fails (exit 1), until a parts file or an assumption says
    more. A part is clear only where the materials library estimates it free, and says by which rule."""
    import json

    result = runner.invoke(app, ["scan", str(REAL / name), *map_args(mapping), "--as-of", AS_OF.isoformat(), "-f", "json"])
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    products = [s for s in report["skus"] if s["kind"] == "product"]
    assert products
    assert {p["verdict"] for p in products} == {"unknown"}
    for s in report["skus"]:
        if s["verdict"] == "clear":
            assert s["kind"] == "part" and s["estimated_from"]["kind"] == "free" and s["estimated_from"]["rule"], s
        else:
            assert s["verdict"] in ("unknown", "license-required"), s
    for p in products:
        assert p["coverage"]["declared"]["parts"] == 0.0
        assert p["no_data"], p["sku"]
    free = runner.invoke(app, ["scan", str(REAL / name), *map_args(mapping), "--as-of", AS_OF.isoformat(), "-f", "json", "--assume-free-unlisted"])
    for s in json.loads(free.stdout)["skus"]:
        # every SKU the assumption touches says so; a part the library estimates is not assumed
        estimated = s["kind"] == "part" and s["estimated_from"] is not None and s["coverage"]["estimated"]["parts"] > 0
        assert estimated or any("--assume-free-unlisted" in a for a in s["assumptions"]), s["sku"]
