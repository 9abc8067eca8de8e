"""The part-number column chosen on evidence when no header names one (issue #12, first part):
real exports read with no options give the part list a person reading the file writes down."""

from __future__ import annotations

import json

import polars as pl
import pytest
from typer.testing import CliRunner

from bomaudit.audit import AuditOptions, load_bom
from bomaudit.cli import app
from bomaudit.normalise.identify import candidates

from .conftest import REAL, needs_real_boms

runner = CliRunner()


def _parts(*args: str) -> dict[str, float]:
    """SKU → quantity in the product, of a scan with no options but ``args``."""
    result = runner.invoke(app, ["scan", *args, "-f", "json", "--all", "--fail-on", "never"])
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    return {s["sku"]: s.get("qty_in_product", s.get("quantity")) for s in report["skus"] if s["kind"] == "part"}


def _skus(*args: str) -> set[str]:
    result = runner.invoke(app, ["scan", *args, "-f", "json", "--all", "--fail-on", "never"])
    assert result.exit_code == 0, result.stderr
    return {s["sku"] for s in json.loads(result.stdout)["skus"] if s["kind"] == "part"}


@needs_real_boms
def test_a_hand_made_workbook_is_read_by_its_part_names():
    """ironless_qdd_actuator_BOM.xlsx: 'Part Name', 'Part Link', 'Part Quantity' under a title row;
    the 18 lines I read in the sheet (rows 3 to 20), no option needed."""
    result = runner.invoke(app, ["scan", str(REAL / "ironless_qdd_actuator_BOM.xlsx"), "-f", "json", "--all", "--fail-on", "never"])
    assert result.exit_code == 0, result.stderr
    assert "parts are identified by column 'Part Name': no column names a part number" in result.stderr
    skus = {s["sku"] for s in json.loads(result.stdout)["skus"] if s["kind"] == "part"}
    assert skus == {
        "6805 Bearing",
        "6710 Bearing",
        "Makerbase MKS XRIVE Mini",  # (written with two blanks: read as one)
        "N52 12x5x3mm",
        "N50 1/2 x 1/8 x 1/16in",
        "0.4mm Enameled Magnet Wire",
        "10010 Stator",
        "5x12mm Pin",
        "M2.5x12mm Countersunk",
        "M2.5xL4xOD3.5",
        "M3xL4xOD4.2 Brass Insert",
        "M4xL4xOD5 Brass Insert",
        "M4x25mm Shoulder Bolt",
        "M2 Locknut",
        "M3x6mm",
        "M5 Locknut",
        "M2x25mm",
        "5x14x5mm Bearing",
    }


@needs_real_boms
def test_a_part_name_list_with_links_is_read_by_its_names_not_its_links():
    skus = _skus(str(REAL / "opentorque_actuator_bom.csv"))
    assert skus == {
        "AMS AS5048A-TS_EK_AB encoder PCB",
        "Herlea X8318S KV100 (Multistar 9235) brushless motor",
        "THK RA8008 cross roller bearing",
        "Pemnet IUB-M3-1 threaded insert",
        "Pemnet IUB-M3-2 threaded insert",
        "M5x30 (h7) steel dowel pin",
        "625ZZ bearing",
        "M2.5x4 hex cap screw",
        "M3x12 hex flat head screw",
        "M3x30 hex flat head screw",
        "M4x16 hex flat head screw",
    }


@needs_real_boms
def test_kicad_cli_default_export_is_read_by_value():
    """KiCad's default fields (Reference, Value, Datasheet, Footprint, Qty, DNP) carry no part
    number: the Value names the parts. A footprint, a datasheet link or the designators never
    identify a part, so there is no runner-up."""
    result = runner.invoke(app, ["validate", str(REAL / "hpmr_vanguard_kicad_cli_bom.csv"), "-f", "json"])
    assert result.exit_code == 0, result.stderr
    table = json.loads(result.stdout)["inputs"][0]
    assert table["columns"]["sku"] == "Value" and "Value" not in table["unused"]
    assert table["sku_chosen_by"].startswith("chosen on evidence: no column names a part number; 'Value' names the parts")
    assert "runner-up" not in table["sku_chosen_by"]
    shown = runner.invoke(app, ["validate", str(REAL / "hpmr_vanguard_kicad_cli_bom.csv")]).stdout
    assert "'Value' → sku (chosen on evidence" in shown
    skus = _skus(str(REAL / "hpmr_vanguard_kicad_cli_bom.csv"))
    assert {"STM32H743VGTx", "MAX-M10S-00B", "RFM95W-915S2", "100nF", "10k", "USB_C_Receptacle"} <= skus


@needs_real_boms
def test_eagle_export_is_read_by_device():
    skus = _skus(str(REAL / "bcn3d_stepper_jig_eagle_bom.csv"))
    assert {"ATMEGA328P_TQFP", "LM339D", "V_REG_78XX7812", "R-US_M0805", "C-USC0805", "USB+SHIELD"} <= skus
    # the file's 34 lines are 34 parts: 25 Devices, and the 7 R-US_M0805 and 4 C-USC0805 lines each
    # have their own Value (10K, 1K, 100n, 22p…), so they are parts of their own (counted by hand)
    assert len(skus) == 34
    assert {"R-US_M0805", "R-US_M0805 (row 14)", "C-USC0805 (row 21)"} <= skus


def _csv(tmp_path, text: str) -> str:
    path = tmp_path / "bom.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_fusion_360_material_column_does_not_collapse_parts(tmp_path):
    """Fusion 360 exports 'Part Name' (a description synonym) beside 'Material': the weak
    part-number synonym 'Material' repeats (Steel, Aluminum), the names do not."""
    rows = "".join(f"Bracket {i},1,{'Steel' if i % 2 else 'Aluminum 6061'}\n" for i in range(40))
    path = _csv(tmp_path, "Part Name,Quantity,Material\n" + rows)
    result = runner.invoke(app, ["scan", path, "-f", "json", "--all", "--fail-on", "never"])
    assert result.exit_code == 0, result.stderr
    assert "'Material' repeats (5% distinct) where 'Part Name' names the parts (100% distinct)" in result.stderr
    assert len([s for s in json.loads(result.stdout)["skus"] if s["kind"] == "part"]) == 40


def test_an_erp_material_number_column_stays_the_part_number(tmp_path):
    path = _csv(tmp_path, "Material,Description,Qty\n100-200,Bracket,2\n100-201,Bracket,1\n100-305,Motor,1\n")
    assert _skus(path) == {"100-200", "100-201", "100-305"}


@pytest.mark.parametrize(
    "header",
    [
        "物料编码",
        "料号",
        "型号",
        "Artikelnummer",
        "Sachnummer",
        "Numéro de pièce",
        "Número de parte",
        "Numer części",
        "Mfr Part Number",
        "Manufacturer Part",
        "Supplier Part",
        "MPN",
    ],
)
def test_part_number_headers_in_many_languages(tmp_path, header):
    path = _csv(tmp_path, f"Pos,{header},Menge/Qty\n1,ABC-1,2\n2,ABC-2,3\n")
    assert _skus(path, "--map", "qty=Menge/Qty") == {"ABC-1", "ABC-2"}


def test_a_manufacturer_part_number_wins_over_a_distributors(tmp_path):
    path = _csv(tmp_path, "Supplier Part,Manufacturer Part,Quantity\nC25744,RC0402FR-0710KL,4\nC1525,CL05B104KO5NNNC,2\n")
    assert _skus(path) == {"RC0402FR-0710KL", "CL05B104KO5NNNC"}


@pytest.mark.parametrize("header", ["Name", "Item Name", "名称", "Bezeichnung", "Désignation", "Nazwa", "Value / Name"])
def test_a_name_column_is_the_fallback_with_a_warning(tmp_path, header):
    path = _csv(tmp_path, f"ID,{header},Qty\n1,Stepper motor NEMA17,2\n2,Bearing 608ZZ,4\n")
    result = runner.invoke(app, ["scan", path, "-f", "json", "--all", "--fail-on", "never"])
    assert result.exit_code == 0, result.stderr
    assert f"parts are identified by column {header!r}" in result.stderr
    assert {s["sku"] for s in json.loads(result.stdout)["skus"] if s["kind"] == "part"} == {"Stepper motor NEMA17", "Bearing 608ZZ"}


def test_no_plausible_column_is_an_error_listing_candidates_with_examples(tmp_path):
    path = _csv(tmp_path, "Pos,Qty,Spec,Note\n1,2,0.1 mm pitch,see drawing\n2,3,0.2 mm pitch,see drawing 2\n")
    result = runner.invoke(app, ["scan", path])
    assert result.exit_code == 2
    assert "no part-number column found; the headers are 'Pos', 'Qty', 'Spec', 'Note'" in result.stderr
    assert """--map sku="Spec" (values '0.1 mm pitch', '0.2 mm pitch')""" in result.stderr
    assert """--map sku="Note" (values 'see drawing', 'see drawing 2')""" in result.stderr


def test_counters_links_and_prices_are_never_candidates():
    frame = pl.DataFrame(
        {
            "No.": ["1", "2", "3", "4"],
            "Link": ["https://a", "https://b", "https://c", "https://d"],
            "Price": ["$1.20", "$3.00", "$0.50", "$2.10"],
            "Part Name": ["Motor", "Bearing", "Screw", "Magnet"],
        }
    )
    found = candidates(frame, frame.columns, frozenset())
    assert found[0].header == "Part Name" and found[0].plausible
    assert not any(c.plausible for c in found if c.header != "Part Name")


def test_part_codes_under_a_header_no_one_names_identify_the_parts(write):
    """Altium's 'Reference' holding manufacturer part numbers, beside a 'Designator' column."""
    path = write(
        "bom.csv",
        "Description,Designator,Quantity,Footprint,Manufacturer,Reference\n"
        'Capacitor MLCC 0603 0.1uF,"C1, C2",2,Capacitor 0402,TDK,CGA3E2X7R1E104K080AA\n'
        "Resistor 0603 100K 1%,R1,1,Resistor 0402,Panasonic,ERJ3EKF1003V\n"
        "Resistor 0603 768K 1%,R2,1,Resistor 0603,Panasonic,ERJ3EKF7683V\n",
    )
    assert _skus(path) == {"CGA3E2X7R1E104K080AA", "ERJ3EKF1003V", "ERJ3EKF7683V"}


def test_component_values_are_names_not_counts(write):
    """'10uF', '0.1uF' name Altium's parts where 'Description' says only 'Capacitor'; an 'NC' value is not fitted."""
    path = write(
        "bom.csv",
        'Comment,Description,Designator,Quantity\n10uF,Capacitor,C1,1\n0.1uF,Capacitor,"C2, C3",2\n10k,Resistor,R1,1\nNC,Resistor,R2,1\n',
    )
    assert _skus(path) == {"10uF", "0.1uF", "10k"}


def test_onshape_export_is_read_by_its_names(write):
    """Onshape's BOM CSV: 'Item' numbers the lines, 'Part number' is empty, 'Material' repeats,
    'Mass' says 'No value' where none is assigned (unknown, not an error)."""
    path = write(
        "onshape.csv",
        "Item,Quantity,Part number,Description,Material,Mass,Name\n1,1,,,- None -,0.3 kg,4310\n2,1,,,ppa-cf,No value,J8_B\n3,2,,,- None -,No value,left_soft\n",
    )
    assert _skus(path) == {"4310", "J8_B", "left_soft"}


def test_legacy_kicad_bom2csv_is_read_by_value(write):
    """Eeschema's bom2csv: metadata lines above the header, 'Qnty', and 'Cmp name' (the library
    symbol, 'C', 'R'), which names no part."""
    path = write(
        "board.csv",
        '"Source:","board.sch"\n"Tool:","Eeschema"\n"Component Count:","4"\n"Ref","Qnty","Value","Cmp name","Footprint"\n'
        '"C1 C2 ","2","100n","C","C_0603"\n"C3 ","1","10u","C","C_0805"\n"R1 ","1","10k","R","R_0603"\n',
    )
    bom = load_bom(AuditOptions(files=(path,)))
    assert dict(zip(bom.edges["child"], bom.edges["qty"], strict=True)) == {"100n": 2, "10u": 1, "10k": 1}
