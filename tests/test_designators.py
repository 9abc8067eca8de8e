"""Quantities from reference designators (issue #12): lists and ranges count their parts where the
quantity column is absent or blank, never as one line each."""

from __future__ import annotations

import pytest

from bomaudit.audit import AuditOptions, load_bom
from bomaudit.normalise.designators import count


@pytest.mark.parametrize(
    ("cell", "parts"),
    [
        ("C1, C5, C25", 3),
        ("C2 C4 C9", 3),
        ("R1-R8", 8),
        ("R1 - R8", 8),
        ("D1-12", 12),
        ("J1-3", 3),
        ("C3–C6", 4),
        ("R10..R12", 3),
        ("LED1-LED4", 4),
        ("R1,R2-R4;R9", 5),
        ("Q1/Q2", 2),
        ("U1-A", 1),  # a gate of a multi-part symbol, not a range
        ("R5-R2", 1),  # backwards: not read as a range
        ("R1-C3", 1),  # different letters: not a range
        ("", 0),
    ],
)
def test_designator_cells_count_their_parts(cell, parts):
    assert count(cell) == parts


def _quantities(path: str) -> dict[str, float]:
    bom = load_bom(AuditOptions(files=(path,)))
    return dict(zip(bom.edges["child"].to_list(), bom.edges["qty"].to_list(), strict=True))


def test_ranges_count_where_there_is_no_quantity_column(write):
    path = write("altium.csv", 'Comment,Designator,Footprint\n10k,R1-R8,0603\nLED,"D1-12",0805\nHeader,J1-3,TH\n')
    assert _quantities(path) == {"10k": 8.0, "LED": 12.0, "Header": 3.0}


def test_a_blank_quantity_is_counted_from_the_designators_not_as_one(write):
    path = write("bom.csv", "Part Number,Qty,Designator\nRC0603-10K,,R1-R8\nLED-W,4,D1-D4\nX1,,\n")
    bom = load_bom(AuditOptions(files=(path,)))
    qty = dict(zip(bom.edges["child"].to_list(), bom.edges["qty"].fill_nan(None).to_list(), strict=True))
    # without designators how many is unknown (NaN): not 1, which could clear forty magnets
    assert qty == {"RC0603-10K": 8.0, "LED-W": 4.0, "X1": None}
    lines = [w.line() for w in bom.warnings]
    assert (
        f"{path}, row 2, column 'Qty': quantity is empty on row(s) 2: counted from the designators in 'Designator' — enter the quantity if the designators do not list every part"
        in lines
    )
    assert (
        f"{path}, row 4, column 'Qty': quantity is empty on row(s) 4: how many is unknown, so the line's content and mass are unknown — enter how many are used per assembly"
        in lines
    )
