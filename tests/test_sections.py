"""Hand-made lists (issue #12): section headings, notes, links, tool lists, optional lines and
"OR" alternates; quantities that are not counts. Each row that is not a part is left out with its
reason; a heading's text is the category of the lines under it; a line whose amount is not known
makes its assemblies ``unknown``, never ``clear``."""

from __future__ import annotations

import json

import polars as pl
import pytest
from typer.testing import CliRunner

from bomaudit.audit import AuditOptions, load_bom
from bomaudit.cli import app

runner = CliRunner()

MAKER = """Item,Qty,Price,Link
Electronics,,,
Arduino Nano,1,5.00,https://example.com/nano
NEMA17 stepper motor,2,12.00,https://example.com/nema
Mechanical:,,,
M3x10 screw,20,0.05,
Bracket:,2,1.00,https://example.com/bracket
Note: buy screws in bulk,,,
https://example.com/more-info,,,
Other (Optional),,,
Buzzer,1,0.50,
Tools,,,
Soldering iron,1,30,
Hex key set,1,8,
Estimated Total Cost,,,80.00
"""


def _bom(path: str, **kw):
    return load_bom(AuditOptions(files=(path,), **kw))


def _scan(*args: str) -> tuple[int, dict]:
    got = runner.invoke(app, ["scan", *args, "-f", "json"])
    assert got.exit_code in (0, 1), got.output
    return got.exit_code, json.loads(got.stdout)


def test_a_maker_list_reads_as_a_person_reads_it(write):
    path = write("robot.csv", MAKER)
    bom = _bom(path)
    assert sorted(bom.edges["child"].to_list()) == ["Arduino Nano", "Bracket:", "Buzzer", "M3x10 screw", "NEMA17 stepper motor"]
    assert dict(zip(bom.edges["child"], bom.edges["qty"], strict=True))["M3x10 screw"] == 20
    skipped = {s.row: s.reason for s in bom.tables[0].skipped}
    assert skipped == {2: "heading", 5: "heading", 8: "note", 9: "note", 10: "heading", 12: "heading", 13: "tool-list", 14: "tool-list", 15: "footer"}
    lines = [w.line() for w in bom.warnings]
    assert f"{path}: rows 2, 5, 10, 12: section heading, not a part: its text is the category of the lines under it" in lines
    assert any(line.startswith(f"{path}: rows 13, 14: a line under a tool-list heading") for line in lines)
    assert any(line.startswith(f"{path}, row 11: an optional line: counted, the worst case") for line in lines)


def test_a_heading_is_the_category_of_the_lines_under_it(write):
    attrs = _bom(write("robot.csv", MAKER)).attrs
    category = dict(zip(attrs["sku"], attrs["category"], strict=True))
    assert category["Arduino Nano"] == "electronics"
    assert category["M3x10 screw"] == "mechanical"
    assert category["Buzzer"] == "other (optional)"


def test_a_line_s_own_category_wins_over_its_heading(write):
    attrs = _bom(write("bom.csv", "Part,Qty,Type\nMagnets,,\nMAG-1,2,magnet\nMAG-2,1,\n")).attrs
    category = dict(zip(attrs["sku"], attrs["category"], strict=True))
    assert category == {"MAG-1": "magnet", "MAG-2": "magnets"}


@pytest.mark.parametrize("label", ["N52 magnets 10x3", "M3 screws", "2212 motor"])
def test_a_one_cell_row_with_a_part_like_name_stays_a_part(write, label):
    """A digit in the text (past a leading "1." or "Step 2") could be a part: counted, not dropped."""
    path = write("bom.csv", f"Part,Qty,Price\nA-1,2,1.00\n{label},,\nB-2,1,3.00\n")
    assert label in _bom(path).edges["child"].to_list()


@pytest.mark.parametrize("label", ["1. Frame", "Step 2: Wiring", "Electronics:", "ELEKTRONIK", "电子元件"])
def test_numbered_and_foreign_headings(write, label):
    path = write("bom.csv", f"Part,Qty,Price\n{label},,\nA-1,2,1.00\n")
    bom = _bom(path)
    assert bom.edges["child"].to_list() == ["A-1"]
    assert [s.reason for s in bom.tables[0].skipped] == ["heading"]


def test_a_one_column_list_is_all_parts(write):
    """Rows of one cell are headings only among lines that hold more than their name."""
    path = write("bom.csv", "Part,Qty\nMotor\nMagnet\nSensor\nFrame,1\n")
    assert sorted(_bom(path).edges["child"].to_list()) == ["Frame", "Magnet", "Motor", "Sensor"]


def test_a_part_whose_name_ends_in_a_colon_is_kept_when_it_has_data(write):
    """Without a quantity column a colon ended the line as metadata; with a price and a link it is a part."""
    path = write("bom.csv", "Part,Price,Link,Supplier\nBracket:,1.00,https://x.example,ACME\nBoM date:,2024-01-05,,\nA-1,2.00,,ACME\n")
    assert sorted(_bom(path).edges["child"].to_list()) == ["A-1", "Bracket:"]


@pytest.mark.parametrize("heading", ["Tools", "Tools needed", "Required tools", "Werkzeug", "Outils", "Herramientas", "工具"])
def test_tool_lists_are_not_part_of_the_product(write, heading):
    path = write("bom.csv", f"Part,Qty\nA-1,2\n{heading},\nSoldering iron,1\nHeading two,\nB-2,1\n")
    assert sorted(_bom(path).edges["child"].to_list()) == ["A-1", "B-2"]


# --- quantities that are not counts ---------------------------------------------------------

PARTS = "sku,mass_g,Dy_pct,re_origin\nMAG-1,1,3,CN\nSTEEL-1,1000,,\n"


@pytest.mark.parametrize("qty", ["A lot", "as needed", "2 (comes in pack of 2 so 4 in total)", "?"])
def test_a_quantity_that_is_not_a_count_never_clears(write, qty):
    """The magnet is over the threshold at any real count; with its amount unknown the product is
    ``unknown`` (it fails the default gate), with the row named, never ``clear``."""
    bom = write("bom.csv", f'Part,Qty\nMAG-1,"{qty}"\nSTEEL-1,1\n')
    parts = write("parts.csv", PARTS)
    code, report = _scan(bom, "--parts", parts)
    product = next(s for s in report["skus"] if s["kind"] == "product")
    assert product["verdict"] == "unknown"
    assert code == 1
    assert any("no usable quantity" in r for r in product["reasons"])
    assert any(i["row"] == 2 and i["code"] == "qty-unknown" for i in report["issues"])


@pytest.mark.parametrize("qty", ["1 meter", "10 ft", "0.5 m2", "2 l"])
def test_a_measured_quantity_without_a_mass_per_measure_never_clears(write, qty):
    """A length, an area or a volume is an amount now (tests/test_measures.py), not a count: the
    magnet has a mass per piece only, which says nothing per metre, so its mass is unknown and the
    product ``unknown``, with the row named, never ``clear``."""
    bom = write("bom.csv", f'Part,Qty\nMAG-1,"{qty}"\nSTEEL-1,1\n')
    parts = write("parts.csv", PARTS)
    code, report = _scan(bom, "--parts", parts)
    product = next(s for s in report["skus"] if s["kind"] == "product")
    assert product["verdict"] == "unknown"
    assert code == 1
    assert product["unknown"] == ["MAG-1"]
    assert any(i["row"] == 2 and i["code"] == "measure-without-mass" for i in report["issues"])


def test_a_length_in_the_unit_column_is_not_a_count(write):
    bom = write("bom.csv", "Part,Qty,UoM\nMAG-1,2,m\nSTEEL-1,1,EA\n")
    parts = write("parts.csv", PARTS)
    _, report = _scan(bom, "--parts", parts)
    assert next(s for s in report["skus"] if s["kind"] == "product")["verdict"] == "unknown"
    issue = next(i for i in report["issues"] if i["code"] == "qty-measure")
    assert (issue["row"], issue["column"]) == (2, "UoM")


def test_known_quantities_still_decide(write):
    """The same file with a count: the magnet's 0.03 g in 1,001 g is 0.003 %, clear."""
    bom = write("bom.csv", "Part,Qty\nMAG-1,1\nSTEEL-1,1\n")
    parts = write("parts.csv", PARTS)
    code, report = _scan(bom, "--parts", parts)
    assert next(s for s in report["skus"] if s["kind"] == "product")["verdict"] == "clear"
    assert code == 0


# --- alternates --------------------------------------------------------------------------

ALT_PARTS = "sku,mass_g,Dy_pct,re_origin\nFrame,500,,\nMAG-N52,2,40,CN\nMAG-FERRITE,2,,\n"


def _product(report: dict) -> dict:
    return next(s for s in report["skus"] if s["kind"] == "product")


@pytest.mark.parametrize("first", ["MAG-FERRITE", "MAG-N52"])
def test_alternates_count_the_worst_case_by_default(write, first):
    """N52 with 40 % Dy: 4 × 0.8 g = 3.2 g in 508 g = 0.63 %, over; the ferrite is free. Whichever
    line comes first, the worst case is counted, once: the mass is 508 g, not 516 g."""
    second = "MAG-N52" if first == "MAG-FERRITE" else "MAG-FERRITE"
    bom = write("bom.csv", f"Part,Qty\nFrame,1\n{first},4\n*OR*,\n{second},4\n")
    parts = write("parts.csv", ALT_PARTS)
    code, report = _scan(bom, "--parts", parts)
    product = _product(report)
    assert product["verdict"] == "license-required"
    assert product["mass_g"] == pytest.approx(508)
    assert product["cn_controlled_g"] == pytest.approx(3.2)
    assert code == 1
    warning = next(i for i in report["issues"] if i["code"] == "alternates")
    assert "'MAG-N52' counted, the worst case (over the threshold with it)" in warning["message"]


def test_alternates_first_counts_the_first_line(write):
    bom = write("bom.csv", "Part,Qty\nFrame,1\nMAG-FERRITE,4\nOR,\nMAG-N52,4\n")
    parts = write("parts.csv", ALT_PARTS)
    code, report = _scan(bom, "--parts", parts, "--alternates", "first")
    product = _product(report)
    assert (product["verdict"], product["mass_g"], product["cn_controlled_g"]) == ("clear", pytest.approx(508), 0)
    assert code == 0
    assert "MAG-N52" not in [s["sku"] for s in report["skus"]]  # left out: not a product of its own


def test_an_unknown_alternate_is_worse_than_a_known_free_one(write):
    """The ferrite is declared free; the other magnet has no data: the worst case is unknown."""
    bom = write("bom.csv", "Part,Qty\nFrame,1\nMAG-FERRITE,4\nOR,\nMAG-MYSTERY,4\n")
    parts = write("parts.csv", ALT_PARTS)
    _, report = _scan(bom, "--parts", parts)
    assert _product(report)["verdict"] == "unknown"
    assert "'MAG-MYSTERY' counted, the worst case (its content is unknown)" in next(i for i in report["issues"] if i["code"] == "alternates")["message"]


def test_a_chain_of_alternates_is_one_group(write):
    bom = write("bom.csv", "Part,Qty\nFrame,1\nMAG-FERRITE,4\nOR,\nMAG-FERRITE-2,4\nor,\nMAG-N52,4\n")
    parts = write("parts.csv", ALT_PARTS + "MAG-FERRITE-2,2,,\n")
    _, report = _scan(bom, "--parts", parts)
    assert _product(report)["mass_g"] == pytest.approx(508)
    assert len([i for i in report["issues"] if i["code"] == "alternates"]) == 1


# --- more classes the real exports showed (tests/corpus) ----------------------------------


@pytest.mark.parametrize("row", [",Cost,180.69", ",,Total price,12.00", ",,,42.50"])
def test_a_sum_without_a_part_number_is_a_total_in_any_column(write, row):
    path = write("bom.csv", f"Item,Qty Needed,Unit Cost,Note\nA-1,2,1.00,\n{row}\n")
    bom = _bom(path)
    assert bom.edges["child"].to_list() == ["A-1"]
    # (left out by the loader, as a trailing footer, or here, as a total line)
    assert [(w.code, w.where.row) for w in bom.warnings if w.code == "footer"] == [("footer", 3)]


def test_a_quantity_alone_without_a_name_is_still_a_line(write):
    """A lone number in the quantity column is not a sum: the line is read (unknown), not dropped."""
    path = write("bom.csv", "Item,Qty,Unit Cost\nA-1,2,1.00\n,3,\n")
    assert _bom(path).edges.height == 2


@pytest.mark.parametrize(
    ("ref", "value"), [("FID1 FID2 FID3", "FIDUCIAL_1MM"), ("MH1 MH2", "MountingHole"), ("G1", "TACo"), ("H3", "MountingHole_3.2mm"), ("LOGO1", "logo")]
)
def test_board_features_without_a_part_number_are_not_parts(write, ref, value):
    path = write("bom.csv", f'Quantity;Reference;Value;MFG PN\n2;"R1 R2";10k;RC0603-10K\n1;"{ref}";{value};\n')
    bom = _bom(path)
    assert bom.edges["child"].to_list() == ["RC0603-10K"]
    assert [s.reason for s in bom.tables[0].skipped] == ["board-feature"]


def test_a_part_with_a_number_is_never_a_board_feature(write):
    path = write("bom.csv", "Quantity;Reference;Value;MFG PN\n4;H1 H2 H3 H4;Standoff M3;PEM-SO-M3\n")
    assert _bom(path).edges["child"].to_list() == ["PEM-SO-M3"]


def test_quantity_zero_is_a_line_not_fitted_left_out(write):
    path = write("bom.csv", "Part,Qty,Mass (g)\nA-1,2,5\nALT-2,0,6\nB-3,1,1\n")
    _, report = _scan(path)
    product = _product(report)
    assert product["mass_g"] == pytest.approx(11)
    assert "ALT-2" not in [s["sku"] for s in report["skus"]]
    assert any(i["code"] == "qty-zero" and i["row"] == 3 for i in report["issues"])


def test_a_negative_quantity_is_still_refused(write):
    got = runner.invoke(app, ["scan", write("bom.csv", "Part,Qty\nA-1,-2\n")])
    assert got.exit_code == 2
    assert "quantity must not be negative: '-2'" in got.stderr


def test_a_line_total_beside_the_unit_price_is_not_read_as_a_second_price(write):
    path = write("bom.csv", "Quantity,Item,Unit Price,Price\n20,R-470,$0.01,$0.20\n")
    bom = _bom(path)
    assert bom.attrs["unit_value"].to_list() == [0.01]
    assert any(w.code == "line-total-column" for w in bom.warnings)


@pytest.mark.parametrize(("first", "second"), [("Mouser #", "Mfr. #"), ("Mfr. #", "Mouser #")])
def test_the_manufacturer_number_wins_over_a_distributor_s(write, first, second):
    numbers = {"Mouser #": "581-06035C221K", "Mfr. #": "06035C221KAT2A"}
    path = write("bom.csv", f"{first},{second},Mfr.,Order Qty.\n{numbers[first]},{numbers[second]},AVX,12\n")
    bom = _bom(path)
    assert bom.edges["child"].to_list() == ["06035C221KAT2A"]
    assert bom.edges["qty"].to_list() == [12]


def test_runs_of_blanks_inside_a_part_number_are_one_space(write):
    path = write("bom.csv", "Part,Qty\nM3x8mm Socket  Head,4\nM3x8mm Socket Head,2\n")
    bom = _bom(path)
    assert bom.edges.group_by("child").agg(pl.col("qty").sum()).rows() == [("M3x8mm Socket Head", 6.0)]


def test_a_part_under_two_headings_takes_the_first_as_its_category(write):
    path = write("bom.csv", "Part,Qty\nFrame,\nM5 screw,4\nLCD mount,\nM5 screw,2\n")
    attrs = _bom(path).attrs
    assert dict(zip(attrs["sku"], attrs["category"], strict=True)) == {"M5 screw": "frame"}


@pytest.mark.parametrize("header", ["Alt MPN", "Alternate Part Number", "Second source", "替代料"])
def test_an_alternate_column_is_a_group_counted_at_its_worst(write, header):
    """The line's part is the free ferrite; its second source, the Chinese N52, is counted."""
    bom = write("bom.csv", f"Part,Qty,{header}\nFrame,1,\nMAG-FERRITE,4,MAG-N52\n")
    parts = write("parts.csv", ALT_PARTS)
    code, report = _scan(bom, "--parts", parts)
    product = _product(report)
    assert (product["verdict"], product["mass_g"], product["cn_controlled_g"]) == ("license-required", pytest.approx(508), pytest.approx(3.2))
    assert code == 1
    assert any(i["code"] == "alternate-column" and i["row"] == 3 for i in report["issues"])
    _, first = _scan(bom, "--parts", parts, "--alternates", "first")
    assert _product(first)["verdict"] == "clear"


def test_several_alternates_in_one_cell(write):
    bom = write("bom.csv", "Part,Qty,Alternates\nFrame,1,\nMAG-FERRITE,4,MAG-FERRITE-2; MAG-N52\n")
    parts = write("parts.csv", ALT_PARTS + "MAG-FERRITE-2,2,,\n")
    _, report = _scan(bom, "--parts", parts)
    assert _product(report)["cn_controlled_g"] == pytest.approx(3.2)
    (warning,) = [i for i in report["issues"] if i["code"] == "alternates"]
    assert "'MAG-N52' counted" in warning["message"]


def test_a_heading_with_no_line_under_it_stays_a_line(write):
    """'Neodymium magnets' alone on the last row, its quantity left out: maybe a part, so a line
    whose amount is unknown (the product is not clear), not a heading dropped."""
    path = write("bom.csv", "Part,Qty,Price\nFrame,1,5.00\nNeodymium magnets,,\n")
    bom = _bom(path)
    assert sorted(bom.edges["child"].to_list()) == ["Frame", "Neodymium magnets"]
    path = write("b2.csv", "Part,Qty,Price\nFrame,1,5.00\nMagnets,,\nPower,,\nPSU-1,1,9.00\n")
    assert sorted(_bom(path).edges["child"].to_list()) == ["Frame", "Magnets", "PSU-1"]
