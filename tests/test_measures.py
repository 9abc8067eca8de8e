"""Lines by measure (issue #12, Quantities): a quantity in a length, an area or a volume, or a cut
list's QTY × LENGTH, is an amount of material, held in metres, square metres or litres; its mass is
that amount times the part's mass per metre (m², L) from a parts file, and without one it is
unknown, never a count of pieces. Every expected number is worked out by hand in the comments."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from bomaudit.audit import AuditOptions, load_bom
from bomaudit.cli import app
from bomaudit.fields import interpret_header
from tests.conftest import AS_OF

runner = CliRunner()


def _edges(*files: str) -> list[dict]:
    return load_bom(AuditOptions(files=files, as_of=AS_OF)).edges.sort("_row").to_dicts()


def _scan(*args: str) -> tuple[int, dict]:
    got = runner.invoke(app, ["scan", *args, "-f", "json", "--as-of", AS_OF.isoformat()])
    assert got.exit_code in (0, 1), got.output
    return got.exit_code, json.loads(got.stdout)


def _sku(report: dict, sku: str) -> dict:
    return next(s for s in report["skus"] if s["sku"] == sku)


def _issue(report: dict, code: str) -> dict:
    return next(i for i in report["issues"] if i["code"] == code)


# --- units -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "measure", "amount"),
    [
        ("10 ft", "length", 3.048),  # 10 × 0.3048 m
        ("250 mm", "length", 0.25),
        ("2 in", "length", 0.0508),  # 2 × 0.0254 m
        ("3 yd", "length", 2.7432),  # 3 × 0.9144 m
        ("1.5 meter", "length", 1.5),
        ("2 ft2", "area", 0.18580608),  # 2 × 0.3048² m²
        ("144 sq in", "area", 0.09290304),  # 144 × 0.0254² m² = one square foot
        ("500 ml", "volume", 0.5),  # litres
        ("1 gal", "volume", 3.785411784),  # a US gallon
        ("0.002 m3", "volume", 2.0),  # 0.002 × 1000 L
    ],
)
def test_a_measured_quantity_is_held_in_the_canonical_unit(write, cell, measure, amount):
    path = write("bom.csv", f'Part,Qty\nWIRE-1,"{cell}"\n')
    (edge,) = _edges(path)
    assert edge["measure"] == measure
    assert not edge["bulk"]
    assert edge["qty"] == pytest.approx(amount, rel=1e-12)


def test_the_unit_column_says_the_measure(write):
    path = write("bom.csv", "Part,Qty,UoM\nWIRE-1,12,FT\nNUT-1,4,EA\n")
    wire, nut = _edges(path)
    assert (wire["measure"], wire["qty"]) == ("length", pytest.approx(3.6576))  # 12 × 0.3048
    assert (nut["measure"], nut["qty"]) == (None, 4.0)


def test_words_for_some_stay_unknown(write):
    path = write("bom.csv", "Part,Qty,UoM\nGREASE,1,lot\n")
    (edge,) = _edges(path)
    assert edge["qty"] != edge["qty"]  # NaN: how much is unknown


@pytest.mark.parametrize(
    ("header", "field", "unit"),
    [
        ("mass per m (g)", "mass_per_length", "g/m"),
        ("Weight per metre [kg]", "mass_per_length", "kg/metre"),
        ("kg/m", "mass_per_length", "kg/m"),
        ("lb/ft", "mass_per_length", "lb/ft"),
        ("Mass (kg/m)", "mass_per_length", "kg/m"),
        ("weight per foot", "mass_per_length", "/foot"),
        ("g/m2", "mass_per_area", "g/m2"),
        ("kg/m²", "mass_per_area", "kg/m²"),
        ("Density (kg/m3)", "mass_per_volume", "kg/m3"),
        ("LENGTH", "length", None),
        ("Length (mm)", "length", "mm"),
        ("Cut length", "length", None),
        ("Länge", "length", None),
        ("longueur", "length", None),
        ("longitud", "length", None),
    ],
)
def test_headers_of_masses_per_measure_and_of_lengths(header, field, unit):
    meaning = interpret_header(header)
    assert (meaning.field, meaning.unit) == (field, unit)


def test_a_torque_or_a_plain_mass_is_no_mass_per_measure():
    assert interpret_header("Torque lb-ft") is None
    assert interpret_header("Weight (kg)").field == "mass"


# --- QTY × LENGTH --------------------------------------------------------------------------

CUT = "Part Number,QTY.,{length},Description\nBAR-1,2,{a},{d}\nBAR-1,1,{b},{d}\nNIP-1,3,{c},NIPPLE .5 X 1.5 LG\nNUT-1,4,,NUT M6\n"


def test_a_cut_list_uses_qty_times_length(write):
    path = write("cut.csv", CUT.format(length="LENGTH (mm)", a=250, b=500, c=38, d="FLAT BAR 5X20"))
    bar1, bar2, nipple, nut = _edges(path)
    # 2 pieces × 250 mm = 0.5 m and 1 × 500 mm = 0.5 m: 1 m of bar in all
    assert (bar1["measure"], bar1["qty"], bar2["qty"]) == ("length", pytest.approx(0.5), pytest.approx(0.5))
    # a nipple is made to length: its LENGTH is its modelled size, the line counts 3 pieces
    assert (nipple["measure"], nipple["qty"]) == (None, 3.0)
    assert (nut["measure"], nut["qty"]) == (None, 4.0)


def test_a_length_without_a_unit_takes_the_descriptions_inches_as_a_said_assumption(write):
    path = write("cut.csv", CUT.format(length="LENGTH", a=10, b=5, c=1.5, d='ANGLE 1/4"X2"X2"X20FT'))
    bar1, bar2, _, _ = _edges(path)
    assert bar1["qty"] == pytest.approx(0.508)  # 2 × 10 in × 0.0254
    assert bar2["qty"] == pytest.approx(0.127)  # 1 × 5 in
    _, report = _scan(path)
    issue = _issue(report, "length-unit-assumed")
    assert issue["message"].startswith("assumption: 'LENGTH' has no unit and is read in inches")
    assert issue["column"] == "LENGTH"
    # and the SKUs it touches list it among their assumptions
    (assumption,) = _sku(report, "cut")["assumptions"]
    assert assumption.startswith("piece lengths without a unit read in the unit the descriptions write sizes in, for 1 part(s) (BAR-1)")


def test_a_note_stating_the_unit_is_used(write):
    path = write("cut.csv", CUT.format(length="LENGTH", a=250, b=500, c=38, d="FLAT BAR 5X20") + "NOTE-1,1,,All dimensions in mm\n")
    bar1, *_ = _edges(path)
    assert bar1["qty"] == pytest.approx(0.5)


def test_a_length_whose_unit_cannot_be_known_is_unknown_never_inches(write):
    path = write("cut.csv", CUT.format(length="LENGTH", a=250, b=500, c=38, d="FLAT BAR 5X20"))
    bar1, *_ = _edges(path)
    assert bar1["qty"] != bar1["qty"]  # NaN
    code, report = _scan(path)
    assert code == 1
    assert _sku(report, "cut")["verdict"] == "unknown"
    issue = _issue(report, "length-without-unit")
    assert (issue["row"], issue["column"]) == (2, "LENGTH")
    assert "row(s) 2, 3" in issue["message"]


# --- mass per measure ------------------------------------------------------------------------

BOM = "Part,Qty,UoM\nWIRE-1,250,cm\nHSG-1,1,EA\n"


def test_a_per_length_mass_and_a_concentration_give_exact_grams(write):
    bom = write("bom.csv", BOM)
    parts = write("parts.csv", "sku,mass_g,kg/m,Dy_pct,re_origin\nWIRE-1,,0.04,0.5,CN\nHSG-1,190,,,\n")
    code, report = _scan(bom, "--parts", parts)
    product = _sku(report, "bom")
    # wire: 250 cm = 2.5 m; 0.04 kg/m = 40 g/m, so 2.5 × 40 = 100 g, of which 0.5 % Dy = 0.5 g (China)
    # housing: 190 g, no Dy (a blank element cell is a declared zero)
    # product: 290 g, 0.5 g Dy from China: cn_fraction 0.5 / 290 = 0.0017241… ≥ 0.1 % → license-required
    assert product["mass_g"] == pytest.approx(290.0)
    assert product["cn_controlled_g"] == pytest.approx(0.5)
    assert product["cn_fraction"] == pytest.approx(0.5 / 290)
    assert product["verdict"] == "license-required"
    assert code == 1
    # the wire's own figures are per one metre: 40 g, 0.2 g Dy; it was used 2.5 times (metres)
    wire = _sku(report, "WIRE-1")
    assert (wire["mass_g"], wire["cn_controlled_g"]) == (pytest.approx(40.0), pytest.approx(0.2))
    assert product["contributors"][0]["qty"] == pytest.approx(2.5)


def test_pounds_per_foot(write):
    bom = write("bom.csv", "Part,Qty,UoM\nCABLE-1,10,ft\n")
    parts = write("parts.csv", "sku,lb/ft,Dy_ppm,re_origin\nCABLE-1,0.1,2000,CN\n")
    _, report = _scan(bom, "--parts", parts)
    product = _sku(report, "bom")
    # 10 ft × 0.1 lb/ft = 1 lb = 453.59237 g; 2000 ppm of it is Dy: 0.90718474 g; fraction 0.002
    assert product["mass_g"] == pytest.approx(453.59237)
    assert product["cn_controlled_g"] == pytest.approx(0.90718474)
    assert product["cn_fraction"] == pytest.approx(0.002)


def test_a_cut_list_with_a_parts_file(write):
    bom = write("cut.csv", CUT.format(length="LENGTH (mm)", a=250, b=500, c=38, d="FLAT BAR 5X20"))
    parts = write("parts.csv", "sku,mass_g,mass per m (g),Dy_pct,re_origin\nBAR-1,,800,,\nNIP-1,20,,,\nNUT-1,5,,0.1,CN\n")
    code, report = _scan(bom, "--parts", parts)
    product = _sku(report, "cut")
    # bar: 1 m × 800 g/m = 800 g; nipples: 3 × 20 g = 60 g; nuts: 4 × 5 g = 20 g, 0.1 % Dy = 0.02 g
    # total 880 g, cn_fraction 0.02 / 880 = 2.27e-5: clear
    assert product["mass_g"] == pytest.approx(880.0)
    assert product["cn_controlled_g"] == pytest.approx(0.02)
    assert product["verdict"] == "clear"
    assert code == 0


def test_without_a_per_length_mass_the_line_is_unknown_never_a_piece(write):
    bom = write("bom.csv", BOM)
    # a per-piece mass only: 5 g says nothing about a metre of wire
    parts = write("parts.csv", "sku,mass_g,Dy_pct,re_origin\nWIRE-1,5,0.5,CN\nHSG-1,190,,\n")
    code, report = _scan(bom, "--parts", parts)
    product = _sku(report, "bom")
    assert product["verdict"] == "unknown"
    assert product["unknown"] == ["WIRE-1"]
    assert code == 1
    issue = _issue(report, "measure-without-mass")
    assert (issue["row"], issue["sku"]) == (2, "WIRE-1")
    assert "have no 'mass per m'" in issue["message"]
    assert "WIRE-1 has a mass per piece only" in issue["message"]
    assert "in a --parts file" in issue["message"]


def test_a_mass_per_area_does_not_weigh_a_length(write):
    bom = write("bom.csv", BOM)
    parts = write("parts.csv", "sku,mass_g,g/m2,Dy_pct,re_origin\nWIRE-1,,40,0.5,CN\nHSG-1,190,,,\n")
    _, report = _scan(bom, "--parts", parts)
    assert _sku(report, "bom")["verdict"] == "unknown"


def test_an_element_in_grams_on_a_part_used_by_length_is_unknown(write):
    bom = write("bom.csv", BOM)
    # 0.2 g of Dy: per piece or per metre? not known, so not used
    parts = write("parts.csv", "sku,mass_g,kg/m,Dy_g,re_origin\nWIRE-1,,0.04,0.2,CN\nHSG-1,190,,,\n")
    _, report = _scan(bom, "--parts", parts)
    assert _sku(report, "bom")["verdict"] == "unknown"


def test_a_mass_per_measure_needs_a_mass_unit(write):
    bom = write("bom.csv", BOM)
    parts = write("parts.csv", "sku,weight per m,Dy_pct\nWIRE-1,40,0.5\nHSG-1,,\n")
    got = runner.invoke(app, ["scan", bom, "--parts", parts, "--as-of", AS_OF.isoformat()])
    assert got.exit_code == 2
    assert "row 2, column 'weight per m': mass per length has no usable units" in got.stderr


def test_a_mass_unit_in_the_cell_under_a_header_naming_the_measure(write):
    bom = write("bom.csv", BOM)
    parts = write("parts.csv", "sku,weight per m,Dy_pct,re_origin\nWIRE-1,40 g,0.5,CN\nHSG-1,,,\n")
    parts2 = write("parts2.csv", "sku,mass_g\nHSG-1,190\n")
    _, report = _scan(bom, "--parts", parts, "--parts", parts2)
    assert _sku(report, "bom")["mass_g"] == pytest.approx(290.0)


# --- one part, two kinds of amount ---------------------------------------------------------------


def test_a_part_used_by_count_and_by_length_is_a_located_error(write):
    bom = write("bom.csv", "Part,Qty,UoM\nWIRE-1,2,EA\nWIRE-1,3,m\n")
    got = runner.invoke(app, ["scan", bom, "--as-of", AS_OF.isoformat()])
    assert got.exit_code == 2
    line = next(ln for ln in got.stderr.splitlines() if "WIRE-1" in ln)
    assert f"{bom}, row 3" in line
    assert "'WIRE-1' is used both by count (in" in line and "row 2) and by length (here)" in line
    assert "use one unit of measure for it everywhere" in line
    assert "Traceback" not in got.output


def test_a_part_with_children_used_by_length_is_an_error(write):
    bom = write("bom.csv", "parent,sku,qty,uom\n,TOP,1,\nTOP,HARNESS,2,m\nHARNESS,WIRE-1,3,EA\n")
    got = runner.invoke(app, ["scan", bom, "--as-of", AS_OF.isoformat()])
    assert got.exit_code == 2
    assert "'HARNESS' has parts of its own but is used by length here" in got.stderr


def test_validate_accepts_a_cut_list(write):
    path = write("cut.csv", CUT.format(length="LENGTH (in)", a=10, b=5, c=1.5, d="TUBE 1X1"))
    got = runner.invoke(app, ["validate", path])
    assert got.exit_code == 0, got.output


def test_a_cell_in_a_column_of_lengths_that_is_no_length_is_a_located_error(write):
    path = write("cut.csv", "Part Number,QTY.,Length (mm),Description\nBAR-1,2,250,FLAT BAR\nBAR-2,1,long,FLAT BAR\n")
    got = runner.invoke(app, ["validate", path])
    assert got.exit_code == 2
    assert f"{path}, row 3, column 'Length (mm)': piece length is not a length: 'long'" in got.stderr


def test_a_cell_unit_that_disagrees_with_the_header_is_a_located_error(write):
    path = write("cut.csv", "Part Number,QTY.,Length (mm),Description\nBAR-1,2,250,FLAT BAR\nBAR-2,1,14 in,FLAT BAR\n")
    got = runner.invoke(app, ["validate", path])
    assert got.exit_code == 2
    assert "row 3, column 'Length (mm)': piece length's unit disagrees with the header's (mm)" in got.stderr


def test_the_materials_library_never_weighs_a_part_used_by_length(write):
    """The library's masses and grams are per piece (a magnet's from its dimensions): a part used by
    length is left out of its estimates, so without a mass per metre it stays unknown."""
    line = "Part,Description,Qty,UoM\nMAG-1,NdFeB N42SH block 10x10x5 mm,{qty},{uom}\n"
    _, by_piece = _scan(write("piece.csv", line.format(qty=1, uom="EA")))
    assert _sku(by_piece, "MAG-1")["coverage"]["estimated"]["parts"] > 0  # the library knows the piece
    code, by_length = _scan(write("length.csv", line.format(qty=2, uom="m")))
    part = _sku(by_length, "MAG-1")
    assert part["coverage"]["estimated"]["parts"] == 0
    assert _sku(by_length, "length")["verdict"] == "unknown"
    assert code == 1
