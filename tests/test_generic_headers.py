"""Headers that say nothing, and data shifted against the header (issue #12: "header detection by
evidence, not position").

A. ``Field1``…, ``Column1``…, ``Col 1``, ``F1``, ``Unnamed: 3``, ``A``, ``B``… or a blank header
   row: the columns are told apart by their values (part codes are the part numbers, designator
   lists the designators, whole numbers the quantity, several words the description).
B. A header cell missing: the data sit one column right of their headers from some column on;
   realigned when the evidence is clear, refused (exit 2, located) when it is not.

Every expected part list here is the one a person writes down reading the five lines below.
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from bomaudit.audit import AuditOptions, check, load_bom
from bomaudit.cli import app
from bomaudit.errors import BomauditError

runner = CliRunner()

#: designators, value, manufacturer part number, description, quantity
LINES = [
    ("R1 R2", "10k", "RC0402FR-0710KL", "RES 10K OHM 1% 0402", "2"),
    ("C1", "100nF", "GRM155R71C104KA88D", "CAP CER 0.1UF 16V X7R 0402", "1"),
    ("C2 C3 C4", "1uF", "GRM155R61A105KE15D", "CAP CER 1UF 10V X5R 0402", "3"),
    ("U1", "STM32F103", "STM32F103C8T6", "IC MCU 32BIT 64KB FLASH", "1"),
    ("D1", "LED", "LTST-C191KRKT", "LED RED CLEAR 0603 SMD", "1"),
]
PARTS = {"RC0402FR-0710KL": 2.0, "GRM155R71C104KA88D": 1.0, "GRM155R61A105KE15D": 3.0, "STM32F103C8T6": 1.0, "LTST-C191KRKT": 1.0}


def _csv(header: list[str], lines=LINES, delim: str = ",") -> str:
    return "\n".join(delim.join(row) for row in [header, *lines]) + "\n"


def _parts(path: str, mapping: dict[str, str] | None = None) -> dict[str, float]:
    """part -> total quantity in the product (lines of one part added)"""
    edges = load_bom(AuditOptions(files=(path,), mapping=mapping or {})).edges
    totals: dict[str, float] = {}
    for child, qty in edges.select("child", "qty").rows():
        totals[child] = totals.get(child, 0.0) + qty
    return totals


def _columns(path: str) -> dict[str, str]:
    (table,) = check(AuditOptions(files=(path,))).inputs
    return dict(table.fields)


def _warning(path: str, code: str) -> str:
    (found,) = [w.line() for w in load_bom(AuditOptions(files=(path,))).warnings if w.code == code]
    return found


# --- A. generic headers -------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        ["Field1", "Field2", "Field3", "Field4", "Field5"],
        ["Column1", "Column2", "Column3", "Column4", "Column5"],
        ["Col 1", "Col 2", "Col 3", "Col 4", "Col 5"],
        ["F1", "F2", "F3", "F4", "F5"],
        ["Unnamed: 0", "Unnamed: 1", "Unnamed: 2", "Unnamed: 3", "Unnamed: 4"],
        ["A", "B", "C", "D", "E"],
    ],
    ids=["Field1", "Column1", "Col 1", "F1", "Unnamed", "letters"],
)
def test_generic_headers_are_read_by_their_values(write, header):
    path = write("bom.csv", _csv(header))
    assert _columns(path) == {"sku": header[2], "designator": header[0], "value": header[1], "description": header[3], "qty": header[4]}
    assert _parts(path) == PARTS
    said = _warning(path, "generic-headers")
    assert f"the headers are generic ({header[0]!r}" in said
    assert f"{header[2]!r} → sku (chosen by its values)" in said and f"{header[4]!r} → qty (100% whole numbers)" in said


def test_the_choice_and_why_are_shown_by_validate(write):
    path = write("bom.csv", _csv(["Field1", "Field2", "Field3", "Field4", "Field5"]))
    result = runner.invoke(app, ["validate", path])
    assert result.exit_code == 0, result.output
    assert (
        "'Field3' → sku (chosen on evidence: the headers are generic ('Field1', 'Field2', 'Field3', …), so the column was chosen by its values" in result.stdout
    )
    assert "runner-up" in result.stdout
    assert "'Field5' → qty (by its values under a generic header: 100% whole numbers)" in result.stdout


def test_a_blank_header_row_is_not_taken_from_the_first_line(write):
    """',,,,' over the lines: the first line is a part, not the header (it was read as one, and lost)."""
    path = write("bom.csv", _csv(["", "", "", "", ""]))
    assert _columns(path)["sku"] == "column 3"
    assert _parts(path) == PARTS


def test_part_codes_beat_component_values_and_a_dnp_word_anywhere_marks_the_line(write):
    """KiCad's legacy export (jawbreaker): 'ref;value;Field1…', ragged lines, 'DNP' in the value,
    in Field1 of a short line, or in a sixth field; two lines of one MPN with other values (the
    schematic's labels) are one part."""
    text = (
        "ref;value;Field1;Field2;Field3;Field4;Field5\n"
        "C1;33pF;Murata;GRM1555C1H330JZ01D;CAP CER 33PF 50V\n"
        "C2;33pF;Murata;GRM1555C1H330JZ01D;CAP CER 33PF 50V\n"
        "C3;10nF;Murata;GRM155R71C103KA01D;CAP CER 10NF 16V\n"
        "C4;DNP;DNP\n"
        "P1;1V8;DNP\n"
        "C5;22pF;Murata;GRM1555C1H220JA01D;CAP CER 22PF 50V;DNP\n"
        "D1;USBLED;Everlight;QTLP601C4TR;LED GREEN 0603\n"
        "D2;LED1;Everlight;QTLP601C4TR;LED GREEN 0603\n"
        "R1;470;Stackpole;RMCF0402JT470R;RES 470 OHM 0402\n"
        "R2;475;Stackpole;RMCF0402JT470R;RES 470 OHM 0402\n"
    )
    path = write("bom.csv", text)
    assert _columns(path)["sku"] == "Field2"
    assert _parts(path) == {"GRM1555C1H330JZ01D": 2.0, "GRM155R71C103KA01D": 1.0, "QTLP601C4TR": 2.0, "RMCF0402JT470R": 2.0}
    assert "marked do-not-populate: left out" in _warning(path, "dnp")


def test_a_line_counter_under_a_generic_header_is_no_quantity(write):
    lines = [(str(i), *row[:4]) for i, row in enumerate(LINES, start=1)]
    path = write("bom.csv", _csv(["Column1", "Column2", "Column3", "Column4", "Column5"], lines))
    assert "qty" not in _columns(path)
    assert set(_parts(path)) == set(PARTS)


# --- B. data shifted against the header -------------------------------------------------------

#: HackRF's KiCad export: the header names 'Description' over a field that is empty on every
#: line, so from there on each value sits one column right of its header
SHIFTED = (
    "Ref,Value,Qty,Description,Manufacturer,Part Number,\n"
    "R1 R2,10k,2,,RES 10K OHM 1% 0402,Yageo,RC0402FR-0710KL\n"
    "C1,100nF,1,,CAP CER 0.1UF 16V X7R 0402,Murata,GRM155R71C104KA88D\n"
    "C2 C3 C4,1uF,3,,CAP CER 1UF 10V X5R 0402,Murata,GRM155R61A105KE15D\n"
    "U1,STM32F103,1,,IC MCU 32BIT 64KB FLASH,ST,STM32F103C8T6\n"
    "D1,LED,1,,LED RED CLEAR 0603 SMD,Lite-On,LTST-C191KRKT\n"
)


def test_data_shifted_by_one_column_are_realigned_and_said(write):
    path = write("bom.csv", SHIFTED)
    columns = _columns(path)
    assert columns["sku"] == "Part Number" and columns["description"] == "Description" and columns["qty"] == "Qty"
    assert _parts(path) == PARTS
    said = _warning(path, "shifted-columns")
    assert said.startswith(f"{path}, row 1, column 'Description': the data sit one column right of the header from 'Description' on: column 4 is empty")
    assert "read 'Description' from column 5, 'Manufacturer' from column 6, 'Part Number' from column 7" in said
    # the descriptions are read from their own column: 'RES 10K…', not 'Yageo'
    attrs = load_bom(AuditOptions(files=(path,))).attrs
    assert attrs.filter(attrs["sku"] == "RC0402FR-0710KL")["description"].to_list() == ["RES 10K OHM 1% 0402"]


def test_a_composition_column_realigned_is_read_from_its_own_values(write):
    """Dy_g shifted with the rest: as written it heads the descriptions; realigned, the magnet's
    0.5 g of dysprosium is read and the product is not clear."""
    text = "Ref,Qty,Description,Dy_g,Part Number,\nM1,2,,Magnet NdFeB N42SH,0.5,MAG-N42SH-10\nR1,1,,RES 10K OHM,0,RC0402FR-0710KL\n"
    path = write("bom.csv", text)
    result = runner.invoke(app, ["scan", path, "-f", "json", "--as-of", "2026-11-28", "--fail-on", "never"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    (product,) = [s for s in report["skus"] if s["kind"] == "product"]
    assert product["elements"]["Dy"]["g"] == pytest.approx(1.0)
    assert product["verdict"] != "clear"


def _refused(path: str) -> str:
    with pytest.raises(BomauditError) as caught:
        load_bom(AuditOptions(files=(path,)))
    (problem,) = [p for p in caught.value.problems if p.code == "shifted-columns"]
    return problem.line()


def test_a_shift_whose_start_is_ambiguous_is_refused(write):
    """'Notes' and 'Comment' are both empty on every line: either could be where a field is missing,
    and 'Yageo' would be read as a note or as the maker. Refused, with the --map that reads it."""
    text = "Ref,Qty,Notes,Maker,Comment,Part Number,\n" + "".join(f"{d},{q},,Yageo,,,{mpn}\n" for d, _, mpn, _, q in LINES)
    path = write("bom.csv", text)
    said = _refused(path)
    assert said.startswith(f"{path}, row 1, column 'column 7': the data may sit right of their headers (a header cell missing)")
    assert "the shift could start at 'Notes' or 'Comment'" in said
    assert 'pass --map sku="column 7"' in said
    # the --map the error suggests reads the file
    assert _parts(path, {"sku": "column 7"}) == PARTS


def test_an_empty_part_number_column_beside_headerless_part_codes_is_read_from_them(write):
    """The field missing from the header is the last: 'Part Number' heads an empty column, the part
    numbers follow it under no header. Realigned at 'Part Number', nothing else moves."""
    text = "Ref,Qty,Description,Part Number,\n" + "".join(f"{d},{q},{desc},,{mpn}\n" for d, _, mpn, desc, q in LINES)
    path = write("bom.csv", text)
    assert _columns(path)["sku"] == "Part Number"
    assert _parts(path) == PARTS
    assert "read 'Part Number' from column 5" in _warning(path, "shifted-columns")


def test_a_nearly_empty_part_number_column_beside_headerless_part_codes_is_refused(write):
    """One note under 'Part Number' and no named column empty on every line: the signs of a shift
    without its evidence. Refused, located, with the --map that reads the part numbers."""
    text = "Ref,Qty,Description,Part Number,\n" + "".join(f"{d},{q},{desc},,{mpn}\n" for d, _, mpn, desc, q in LINES)
    text = text.replace("IC MCU 32BIT 64KB FLASH,,", "IC MCU 32BIT 64KB FLASH,see note,")
    path = write("bom.csv", text)
    said = _refused(path)
    assert "'Part Number' is (nearly) empty and no named column is empty on every line" in said
    assert 'pass --map sku="column 5"' in said
    assert _parts(path, {"sku": "column 5"}) == PARTS


@pytest.mark.parametrize(
    ("text", "seen"),
    [
        # shifted at the empty 'Note', Dy_g would head an empty column (every blank a declared zero,
        # the magnet clear); shifted at the empty 'Part Number', nothing moves but the part numbers
        (
            "Ref,Qty,Note,Dy_g,Part Number,\nM1,2,,0.5,,MAG-N42SH-10\nR1,1,,0,,RC0402FR-0710KL\n",
            "the shift could start at 'Note' or 'Part Number'",
        ),
        # shifted at the empty 'Note', Dy_g would head the descriptions
        (
            "Ref,Qty,Note,Dy_g,Description,Part Number,\nM1,2,,0.5,Magnet NdFeB N42SH,Rotor magnet ring,MAG-N42SH-10\n"
            "R1,1,,0,Resistor 10k 0402,Pull-up resistor,RC0402FR-0710KL\n",
            "read shifted, 'Dy_g' would head cells that are not what it says",
        ),
    ],
    ids=["onto-empty", "onto-text"],
)
def test_a_realignment_that_would_misread_a_composition_column_is_refused(write, text, seen):
    path = write("bom.csv", text)
    assert seen in _refused(path)


def test_a_trailing_headerless_column_beside_a_filled_part_number_column_is_left_alone(write):
    text = "Ref,Qty,Part Number,\n" + "".join(f"{d},{q},{mpn},checked\n" for d, _, mpn, _, q in LINES)
    path = write("bom.csv", text)
    assert _columns(path)["sku"] == "Part Number"
    assert _parts(path) == PARTS
    assert not [w for w in load_bom(AuditOptions(files=(path,))).warnings if w.code == "shifted-columns"]
