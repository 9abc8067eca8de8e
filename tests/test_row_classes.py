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
