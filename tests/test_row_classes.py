"""Rows that are not parts, in the wordings real exports use (issue #12): do-not-populate marks in
every column exports put them in, totals anywhere in the table, the header repeated below itself.
Each is left out with a warning naming its row; a line with a part number and a quantity never is."""

from __future__ import annotations

import pytest

from bomaudit.audit import AuditOptions, load_bom


def _read(path: str):
    bom = load_bom(AuditOptions(files=(path,)))
    return sorted(bom.edges["child"].to_list()), [w.line() for w in bom.warnings]


@pytest.mark.parametrize(
    ("header", "mark"),
    [
        ("DNP", "x"),
        ("DNP", "DNP"),
        ("Value", "DNP"),
        ("Value", "DNF"),
        ("Value", "NC"),
        ("Value", "do not populate"),
        ("Mounted", "No"),
        ("Fitted", "n"),
        ("Populate", "0"),
        ("Populate", "DNP"),
        ("Type", "Standard (No BOM)"),
    ],
)
def test_do_not_populate_in_every_spelling(write, header, mark):
    path = write("bom.csv", f"Part Number,Qty,{header}\nA-1,2,\nB-2,1,{mark}\n")
    parts, warnings = _read(path)
    assert parts == ["A-1"]
    assert f"{path}, row 3: marked do-not-populate: left out" in warnings


@pytest.mark.parametrize(("header", "value"), [("Mounted", "Yes"), ("Value", "10k"), ("Type", "Standard"), ("DNP", "no")])
def test_a_fitted_line_is_kept(write, header, value):
    path = write("bom.csv", f"Part Number,Qty,{header}\nA-1,2,{value}\n")
    assert _read(path)[0] == ["A-1"]


@pytest.mark.parametrize("label", ["Estimated Total Cost", "Funds Needed", "TOTAL ABS", "Grand total", "Summe", "合计"])
def test_totals_in_any_wording_without_a_quantity_are_not_parts(write, label):
    path = write("bom.csv", f"Part Number,Qty,Price\nA-1,2,1.00\n{label},,5.00\nB-2,1,3.00\n")
    parts, warnings = _read(path)
    assert parts == ["A-1", "B-2"]
    assert any(w.startswith(f"{path}, row 3: ") and ("a total line" in w or "footer" in w) for w in warnings), warnings


def test_a_part_whose_name_says_total_but_has_a_quantity_is_a_part(write):
    path = write("bom.csv", "Part Number,Qty,Price\nTotal Phase Beagle USB 12,1,400\nA-1,2,1.00\n")
    assert _read(path)[0] == ["A-1", "Total Phase Beagle USB 12"]


def test_the_header_repeated_mid_sheet_is_skipped_not_an_error(write):
    path = write("bom.csv", "Part Number,Qty,Price\nA-1,2,1.00\nPart Number,Qty,Price\nB-2,1,3.00\n")
    parts, warnings = _read(path)
    assert parts == ["A-1", "B-2"]
    assert f"{path}, row 3: the header repeated, not a part: skipped" in warnings


# --- one part number on lines that disagree ----------------------------------------------


def test_lines_sharing_a_part_number_but_not_its_attributes_are_two_parts(write):
    path = write("bom.csv", "Part Number,Qty,Description\nL-100,2,Inductor 10uH\nR-1,1,Resistor\nL-100,1,Inductor 22uH\n")
    bom = load_bom(AuditOptions(files=(path,)))
    assert sorted(bom.edges.select("child", "qty").rows()) == [("L-100", 2.0), ("L-100 (row 4)", 1.0), ("R-1", 1.0)]
    (warned,) = [w for w in bom.warnings if w.code == "split-sku"]
    assert warned.line() == (
        f"{path}, row 4, column 'Part Number': row(s) 4 repeat a part number of an earlier row with other attributes "
        "(e.g. 'L-100' on rows 2 and 4): read as separate parts named '<part> (row N)' — give different parts different part numbers, or make the rows agree"
    )


def test_lines_that_agree_stay_one_part(write):
    path = write("bom.csv", "Part Number,Qty,Description\nL-100,2,Inductor 10uH\nL-100,1,Inductor 10uH\n")
    bom = load_bom(AuditOptions(files=(path,)))
    assert sorted(bom.edges.select("child", "qty").rows()) == [("L-100", 1.0), ("L-100", 2.0)]
    assert "split-sku" not in [w.code for w in bom.warnings]


def test_in_a_multi_level_bom_a_disagreement_is_still_an_error(write):
    from bomaudit.errors import BomauditError

    path = write("bom.csv", "parent,sku,qty,mass_g\n,TOP,,\nTOP,A,1,5\nTOP,B,1,1\nB,A,1,6\n")
    with pytest.raises(BomauditError) as exc:
        load_bom(AuditOptions(files=(path,)))
    assert any("'A'" in p.message and "mass" in p.message for p in exc.value.problems), [p.line() for p in exc.value.problems]


def test_a_line_with_a_total_label_but_composition_is_never_dropped(write):
    # a blank quantity and "total" in the name, but rare-earth content: a part (counted once), so
    # that no magnet is lost to its label
    path = write("bom.csv", "Part Number,Qty,mass_g,Dy_pct\nA-1,2,1,0\nMagnet kit total,,50,4\n")
    assert _read(path)[0] == ["A-1", "Magnet kit total"]


def test_a_placeholder_in_a_fitted_column_does_not_leave_the_line_out(write):
    path = write("bom.csv", "Part Number,Qty,Mounted\nA-1,2,-\nB-2,1,No\n")
    assert _read(path)[0] == ["A-1"]


@pytest.mark.parametrize("header", ["Note", "Note:", "Notes", "Comment", "Remarks", "Bemerkung"])
def test_dnp_written_in_a_notes_column(write, header):
    path = write("bom.csv", f"Part Number,Qty,{header}\nA-1,2,see drawing\nB-2,1,DNP\n")
    parts, warnings = _read(path)
    assert parts == ["A-1"]
    assert f"{path}, row 3: marked do-not-populate: left out" in warnings


def test_a_test_point_bought_is_a_part_not_a_board_feature(write):
    """A KiCad line without a part number whose footprint is a test point: a Harwin clip is bought."""
    path = write("bom.csv", "Ref,Value,Footprint,Qty,Part Number\nJ10,GND_CLIP,hackrf:GSG-TEST-POINT-S1751-46R,1,\nR1,10k,R_0402,1,RC0402-10K\n")
    parts, _ = _read(path)
    assert len(parts) == 2 and "RC0402-10K" in parts
