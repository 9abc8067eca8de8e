"""Bad input: one located line per problem on standard error, exit 2, no report written."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bomaudit.cli import app

runner = CliRunner()

CASES = {
    "empty": ("x.csv", "", ["{f}: the file is empty — export the BOM again; it has no rows"]),
    "header only": ("x.csv", "sku,qty\n", ["{f}, row 1: has a header but no data rows — export the BOM again with its lines"]),
    "no sku column": (
        "x.csv",
        "Spec,Count\nbolt,2\n",
        ["{f}, row 1: no part-number column found; the headers are 'Spec', 'Count' — name the part-number column with --map sku=\"Spec\" (values 'bolt')"],
    ),
    # (a quantity in words, "two", is unknown with a warning: tests/test_sections.py)
    "mistyped quantity": (
        "x.csv",
        "parent,sku,qty\n,T,\nT,A,3+1\n",
        [
            "{f}, row 3, column 'qty': quantity is not a number: '3+1' — write how many are used per assembly, a number greater than 0 (for decimal commas such as 1,5 pass --decimal-comma)"
        ],
    ),
    "negative quantities, all reported (0 is a line not fitted)": (
        "x.csv",
        "parent,sku,qty\n,T,\nT,A,0\nT,B,-1\nT,C,-2\n",
        [
            "{f}, row 4, column 'qty': quantity must not be negative: '-1' — remove the line or enter how many are used",
            "{f}, row 5, column 'qty': quantity must not be negative: '-2' — remove the line or enter how many are used",
        ],
    ),
    "mass without unit": (
        "x.csv",
        "sku,qty,weight\nA,1,3\n",
        ["{f}, row 2, column 'weight': mass has no unit: '3' — put the unit in the header (mass_g, Weight (kg)), in a mass_unit column, or in the cell (12 g)"],
    ),
    "unknown unit": ("x.csv", "sku,qty,weight\nA,1,3 stone\n", ["{f}, row 2, column 'weight': mass unit not recognised: '3 stone' — use g, kg, mg, lb or oz"]),
    "self reference": ("x.csv", "parent,sku,qty\n,A,\nA,A,1\n", ["{f}, row 3: 'A' is listed as its own child — remove the row"]),
    "cycle": (
        "x.csv",
        "parent,sku,qty\n,T,\nT,A,1\nA,B,1\nB,A,1\n",
        ["{f}, row 5: the BOM has a cycle: A → B → A (this row: B → A) — an assembly cannot contain itself; fix the parent or part number of one of its rows"],
    ),
    "level jump": (
        "x.csv",
        "level,sku,qty,mass_g\n0,T,1,\n1,A,1,\n3,B,1,1\n",
        [
            "{f}, row 4, column 'level': level 3 follows a row of a lower level by more than one step — a child's level is its parent's plus one; add the missing assembly row"
        ],
    ),
    "concentration over 100 %": (
        "x.csv",
        "sku,qty,mass_g,Dy_pct\nA,1,5,140\n",
        ["{f}, row 2, column 'Dy_pct': Dy concentration is above 100 %: '140' — check the unit of 'Dy_pct'"],
    ),
    "element heavier than part": (
        "x.csv",
        "sku,qty,mass_g,Dy_g\nA,1,5,7\n",
        [
            "{f}, row 2, column 'Dy_g': rare-earth content of 'A' (7 g) is more than its mass (5 g) — "
            "check the units of its element and mass columns (g or kg, % or ppm) and correct the value that is wrong"
        ],
    ),
    "bad date": (
        "x.csv",
        "sku,qty,valid_from\nA,1,next week\n",
        ["{f}, row 2, column 'valid_from': date not understood: 'next week' — write it as YYYY-MM-DD"],
    ),
    "bad flag": (
        "x.csv",
        "sku,qty,cn_tech\nA,1,maybe\n",
        ["{f}, row 2, column 'cn_tech': not a yes/no value: 'maybe' — write yes or no (also y/n, true/false, 1/0, x)"],
    ),
    "quantity that is not finite": (
        "x.csv",
        "parent,sku,qty\n,T,\nT,A,nan\n",
        ["{f}, row 3, column 'qty': quantity is not a finite number: 'nan' — write how many are used per assembly, a number greater than 0"],
    ),
    "mass that overflows": (
        "x.csv",
        "sku,qty,mass_g\nA,1,1e400\n",
        ["{f}, row 2, column 'mass_g': mass is not a finite number: '1e400' — write a number with a unit such as 12 g or 0.5 kg"],
    ),
    "digit groups with underscores": (
        "x.csv",
        "sku,qty\nA,1_000\n",
        [
            "{f}, row 2, column 'qty': quantity is not a number: '1_000' — write how many are used per assembly, a number greater than 0 "
            "(for decimal commas such as 1,5 pass --decimal-comma)"
        ],
    ),
    "spreadsheet error value": (
        "x.csv",
        "sku,qty,mass_g\nA,1,#DIV/0!\n",
        ["{f}, row 2, column 'mass_g': cell holds the spreadsheet error #DIV/0! — fix the formula or enter the value"],
    ),
    "date in a quantity": (
        "x.csv",
        "sku,qty\nA,2026-01-05\n",
        [
            "{f}, row 2, column 'qty': quantity is a date or time, not a number: '2026-01-05' — write how many are used per assembly, "
            "a number greater than 0 (the cell holds a date or time: give it a number format)"
        ],
    ),
    "binary garbage": ("x.csv", bytes(range(256)) * 8, ["{f}: holds binary data, not delimited text — export the BOM as CSV or XLSX"]),
    "csv renamed xlsx": (
        "x.xlsx",
        "sku,qty\nA,1\n",
        ["{f}: is named .xlsx but holds text, not an Excel workbook — rename it to .csv if it is delimited text, or re-save it from Excel as .xlsx"],
    ),
    "corrupt xlsx": (
        "x.xlsx",
        b"PK\x03\x04" + b"\x00" * 200,
        ["{f}: is not a readable Excel workbook (damaged or truncated zip) — open it in Excel and save it again as .xlsx"],
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input(tmp_path: Path, case: str):
    name, content, expected = CASES[case]
    path = tmp_path / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    before = path.read_bytes()
    out = tmp_path / "report.json"
    result = runner.invoke(app, ["scan", str(path), "-o", str(out), "--as-of", "2026-11-28"])
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines() == ["error: " + line.format(f=path) for line in expected]
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]  # no temporary file left
    assert path.read_bytes() == before  # input untouched


@pytest.mark.parametrize("members", [2, 3, 6, 7])
def test_a_short_cycle_names_every_member_at_the_row_of_its_last_link(tmp_path: Path, members: int):
    names = [f"S{k}" for k in range(1, members + 1)]
    links = "".join(f"{a},{b},1\n" for a, b in zip(names, names[1:] + names[:1], strict=True))
    path = tmp_path / "loop.csv"
    path.write_text("parent,sku,qty\n,TOP,\nTOP,S1,1\n" + links)
    result = runner.invoke(app, ["scan", str(path)])
    assert result.exit_code == 2
    cycle = " → ".join([*names, "S1"])
    assert result.stderr == (
        f"error: {path}, row {members + 3}: the BOM has a cycle: {cycle} (this row: S{members} → S1) — "
        "an assembly cannot contain itself; fix the parent or part number of one of its rows\n"
    )


def test_a_cycle_of_eight_shows_its_first_six_and_its_last(tmp_path: Path):
    path = tmp_path / "loop.csv"
    path.write_text("parent,sku,qty\n" + "".join(f"S{k},S{k % 8 + 1},1\n" for k in range(1, 9)))
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {path}, row 9: the BOM has a cycle of 8 SKUs: S1 → S2 → S3 → S4 → S5 → S6 → … → S8 → S1 (this row: S8 → S1) — ")


def test_a_cycle_across_files_is_located_in_the_file_of_its_last_link(tmp_path: Path):
    a = tmp_path / "a.csv"
    b = tmp_path / "b.csv"
    a.write_text("parent,sku,qty\n,TOP,\nTOP,A,1\nA,B,1\n")
    b.write_text("parent,sku,qty\nB,C,1\nC,A,2\n")
    result = runner.invoke(app, ["scan", str(a), str(b)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {b}, row 3: the BOM has a cycle: A → B → C → A (this row: C → A) — ")


def test_conflict_across_files_names_both(tmp_path: Path):
    a = tmp_path / "a.csv"
    b = tmp_path / "b.csv"
    a.write_text("sku,qty,mass_g,re_origin\nMAG,1,10,CN\n")
    b.write_text("sku,re_origin\nMAG,JP\n")
    result = runner.invoke(app, ["scan", str(a), "--parts", str(b)])
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: {b}, row 2, column 're_origin': SKU 'MAG' has re_origin 'JP' here but 'CN' in {a}, row 2 — "
        "make the two agree or give the variants different part numbers\n"
    )


def test_content_over_mass_is_located_at_the_row_giving_the_content(tmp_path: Path):
    """The mass from the BOM, the composition from a parts file: the parts row is named, at the
    column of the largest element, one line per part."""
    bom = tmp_path / "bom.csv"
    parts = tmp_path / "parts.csv"
    bom.write_text("parent,sku,qty,mass_g\n,TOP,,\nTOP,MAG,2,5\nTOP,RING,1,1\nTOP,OK,1,9\n")
    parts.write_text("sku,Nd %,Dysprosium (g)\nOK,30,1\nMAG,60,2.5\nRING,,1.5\n")
    result = runner.invoke(app, ["scan", str(bom), "--parts", str(parts)])
    assert result.exit_code == 2
    hint = "check the units of its element and mass columns (g or kg, % or ppm) and correct the value that is wrong"
    assert result.stderr.splitlines() == [
        f"error: {parts}, row 3, column 'Nd %': rare-earth content of 'MAG' (5.5 g) is more than its mass (5 g) — {hint}",
        f"error: {parts}, row 4, column 'Dysprosium (g)': rare-earth content of 'RING' (1.5 g) is more than its mass (1 g) — {hint}",
    ]


def test_options_out_of_range(tmp_path: Path):
    path = tmp_path / "x.csv"
    path.write_text("sku,qty\nA,1\n")
    for args, message in (
        (["--threshold", "0"], "error: --threshold '0' is out of range — use a fraction above 0 and below 1, such as 0.001 or 0.1%"),
        (["--threshold", "abc"], "error: --threshold 'abc' is not a number — write 0.001 or 0.1%"),
        (["--as-of", "2026-13-01"], "error: --as-of '2026-13-01' is not a date — write it as YYYY-MM-DD"),
        (["--map", "sku"], "error: --map 'sku' is not FIELD=HEADER — write for example --map sku=\"Part Name\""),
        (["--map", "colour=sku"], "error: --map colour=sku: 'colour' is not a field"),
    ):
        result = runner.invoke(app, ["scan", str(path), *args])
        assert result.exit_code == 2, args
        assert result.stderr.splitlines()[0].startswith(message), result.stderr


def test_many_problems_in_one_file_are_reported_together_up_to_a_limit(tmp_path: Path):
    path = tmp_path / "x.csv"
    path.write_text("parent,sku,qty\n,T,\n" + "".join(f"T,P{i},{i}+1\n" for i in range(30)))
    result = runner.invoke(app, ["scan", str(path)])
    lines = result.stderr.splitlines()
    assert result.exit_code == 2
    assert len(lines) == 11  # ten located lines and one "more cells like these"
    assert lines[0].startswith(f"error: {path}, row 3, column 'qty'")
    assert lines[-1] == (
        f"error: {path}, column 'qty': 20 more cells like these in this column — write how many are used per assembly, "
        "a number greater than 0 (for decimal commas such as 1,5 pass --decimal-comma)"
    )


def test_xml_with_doctype_is_refused(tmp_path: Path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("xl/workbook.xml", '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><workbook>&e;</workbook>')
        zf.writestr("xl/_rels/workbook.xml.rels", "<Relationships/>")
    path = tmp_path / "x.xlsx"
    path.write_bytes(buf.getvalue())
    result = runner.invoke(app, ["scan", str(path)])
    assert result.exit_code == 2
    assert "part xl/workbook.xml holds a document type declaration" in result.stderr and "external entities" in result.stderr


def test_debug_shows_traceback_only_when_asked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    path = tmp_path / "x.csv"
    path.write_text("sku,qty\nA,1\n")

    def boom(*_a, **_k):
        raise RuntimeError("boom")

    monkeypatch.setattr("bomaudit.audit.audit", boom)
    quiet = runner.invoke(app, ["scan", str(path)])
    assert quiet.exit_code == 2
    assert quiet.stderr == "error: internal error: RuntimeError: boom — run again with --debug and report it\n"
    loud = runner.invoke(app, ["scan", str(path), "--debug"])
    assert isinstance(loud.exception, RuntimeError)


def test_zip_entries_flagged_encrypted_are_a_clean_error(tmp_path: Path):
    """Found by the deep fuzz run: a flipped flag bit made zipfile raise RuntimeError."""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(["sku", "qty"])
    wb.active.append(["A", 1])
    buf = io.BytesIO()
    wb.save(buf)
    raw = bytearray(buf.getvalue())
    pos = raw.find(b"PK\x01\x02")
    while pos >= 0:  # central directory: general-purpose flags at offset 8, bit 0 = encrypted
        raw[pos + 8] |= 1
        pos = raw.find(b"PK\x01\x02", pos + 4)
    path = tmp_path / "locked.xlsx"
    path.write_bytes(bytes(raw))
    result = runner.invoke(app, ["scan", str(path)])
    assert result.exit_code == 2
    assert (
        result.stderr == f"error: {path}: is password-protected (its zip parts are encrypted) — remove the password in Excel and save again, or export as CSV\n"
    )


def test_zip_needing_a_newer_version_is_a_clean_error(tmp_path: Path):
    """Found by the deep fuzz run: 'zip file version 6.4' raised NotImplementedError on opening."""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(["sku", "qty"])
    buf = io.BytesIO()
    wb.save(buf)
    raw = bytearray(buf.getvalue())
    pos = raw.find(b"PK\x01\x02")
    raw[pos + 6] = 64  # "version needed to extract": 6.4
    path = tmp_path / "new.xlsx"
    path.write_bytes(bytes(raw))
    result = runner.invoke(app, ["scan", str(path)])
    assert result.exit_code == 2
    assert "is not a readable Excel workbook (damaged or truncated zip)" in result.stderr


@pytest.mark.parametrize("brk", ["\n", "\r", "\x0b", "\x0c", "\x1c", "\x85", "\u2028"])
def test_a_message_quoting_a_line_break_is_still_one_line(brk: str):
    from bomaudit.errors import Location, Problem

    line = Problem("bad-number", f"quantity is not a number: {'a' + brk + 'b'!r}", "fix it", Location(file=f"x{brk}.csv", row=3)).line()
    assert len(line.splitlines()) == 1
    assert "x" in line and "a" in line and "b" in line
