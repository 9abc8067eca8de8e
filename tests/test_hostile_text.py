"""Hostile text and standard input (issue #11, "hostile files II"): each is refused quickly, in little
memory, with one located line and exit status 2, never a traceback. Every input is made here, in
``tmp_path`` or as a stream, so the repository holds none of them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest

from bomaudit.audit import AuditOptions, load_bom
from bomaudit.errors import BomauditError
from bomaudit.load import ReadOptions, load_table
from bomaudit.parse import parse_numbers

from .hostile import run_bounded


def refused(run, message: str) -> None:
    """Exit 2 within the bounds, one error line holding ``message``, and no traceback."""
    assert run.rc == 2, run
    assert run.within(), run
    assert "Traceback" not in run.stderr, run
    errors = [line for line in run.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, run
    assert message in errors[0], run


# --- endless and oversized input ---------------------------------------------------------


def test_dev_zero_on_standard_input_is_binary():
    with open("/dev/zero", "rb") as zero:
        run = run_bounded(["scan", "-"], stdin=zero, timeout=30)
    refused(run, "error: standard input: holds binary data, not delimited text — export the BOM as CSV or XLSX")
    assert run.peak_mb < 100, run  # refused on its first block


def test_dev_zero_named_as_a_file_is_binary():
    run = run_bounded(["validate", "/dev/zero"], timeout=30)
    refused(run, "error: /dev/zero: holds binary data, not delimited text")


def test_endless_text_stream_is_refused_at_the_default_cap():
    with subprocess.Popen(["yes", "A,1"], stdout=subprocess.PIPE) as gen:
        try:
            run = run_bounded(["scan", "-"], stdin=gen.stdout, timeout=30)
        finally:
            gen.kill()
    refused(
        run,
        "error: standard input: holds more than 512 MB, the limit for an input read whole — if it is genuine, raise the limit with "
        "--max-input-mb, or save it as a .csv file and name the file (a big CSV file is read lazily)",
    )


def test_stream_over_a_small_cap_is_refused_and_one_under_it_is_read(tmp_path: Path):
    body = b"sku,qty\n" + b"A,1\n" * 300_000  # 1.2 MB
    run = run_bounded(["validate", "-", "--max-input-mb", "1"], stdin=body)
    refused(run, "error: standard input: holds more than 1 MB, the limit for an input read whole")
    small = b"sku,qty\n" + b"A,1\n" * 200_000  # 0.8 MB
    ok = run_bounded(["validate", "-", "--max-input-mb", "1", "--assembly", "T"], stdin=small)
    assert ok.rc == 0, ok


def test_file_over_the_cap_is_refused_before_it_is_read(tmp_path: Path):
    path = tmp_path / "big.csv"
    with path.open("wb") as fh:  # sparse: 3 MB on paper, nothing on disk
        fh.write(b"sku,qty\n")
        fh.truncate(3 * 1024 * 1024)
    run = run_bounded(["validate", str(path), "--max-input-mb", "2"])
    refused(run, f"error: {path}: is 3.0 MB, over the limit of 2 MB for a file read whole — if it is genuine, raise the limit with --max-input-mb")


# --- Ctrl-C ------------------------------------------------------------------------------


def _reading_stdin(pid: int, timeout: float = 15.0) -> None:
    """Wait until the child ``pid`` is blocked reading its standard input (Linux's /proc says so)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if Path(f"/proc/{pid}/syscall").read_text().startswith("0 0x0 "):  # read(0, …)
                return
        except OSError:
            break
        time.sleep(0.02)
    time.sleep(2.0)  # no /proc: give it the time


def _interrupt(proc: subprocess.Popen) -> tuple[int, str, float]:
    start = time.monotonic()
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=10)
    return proc.returncode, err.decode("utf-8", "replace"), time.monotonic() - start


def _child(*args: str, stdin) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "bomaudit", *args], stdin=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ, "NO_COLOR": "1"}
    )


def test_ctrl_c_while_waiting_on_a_never_ending_pipe():
    read, write = os.pipe()
    try:
        os.write(write, b"sku,qty\nA,1\n")  # the pipe stays open: the input never ends
        proc = _child("scan", "-", stdin=read)
        _reading_stdin(proc.pid)
        rc, err, seconds = _interrupt(proc)
    finally:
        os.close(read)
        os.close(write)
    assert (rc, err) == (130, "error: interrupted\n")
    assert seconds < 1.0


def test_ctrl_c_while_reading_a_fast_endless_stream():
    with subprocess.Popen(["yes", "A,1"], stdout=subprocess.PIPE) as gen:
        try:
            proc = _child("validate", "-", "--max-input-mb", "100000", stdin=gen.stdout)
            time.sleep(1.0)  # start-up, then reading as fast as yes writes
            rc, err, seconds = _interrupt(proc)
        finally:
            gen.kill()
    assert (rc, err) == (130, "error: interrupted\n")
    assert seconds < 1.0


@pytest.mark.parametrize("delay", [0.15, 0.3, 0.6])
def test_ctrl_c_during_start_up_says_so_too(delay: float):
    """Typer turns a KeyboardInterrupt outside the command's own code into exit 130 without a
    word; an interrupt while Python imports the command line went out as a traceback."""
    read, write = os.pipe()
    try:
        proc = _child("scan", "-", stdin=read)
        time.sleep(delay)
        rc, err, _ = _interrupt(proc)
    finally:
        os.close(read)
        os.close(write)
    assert (rc, err) == (130, "error: interrupted\n")


# --- lines -------------------------------------------------------------------------------

LONG_LINE = "error: {where}, row 2: this line is {mb} MB long; no line of a BOM needs more than 1 MB — check that this is the BOM export"


def _generator(code: str) -> subprocess.Popen:
    """A child writing ``code``'s output to a pipe: a big input that never touches the disk."""
    return subprocess.Popen([sys.executable, "-c", f"import sys; w = sys.stdout.buffer.write; {code}"], stdout=subprocess.PIPE)


def test_one_100_mb_line_on_standard_input():
    with _generator("w(b'sku,qty\\n'); w(b'A' * 100_000_000); w(b',1\\n')") as gen:
        run = run_bounded(["scan", "-"], stdin=gen.stdout)
    refused(run, LONG_LINE.format(where="standard input", mb="95.4"))


def test_one_long_line_in_a_file_read_lazily(tmp_path: Path):
    """A file of 64 MB or more goes to the lazy reader, which refuses the line from a memory map."""
    path = tmp_path / "bom.csv"
    path.write_bytes(b"sku,qty\n" + b"A," * 35_000_000 + b"1\n")  # 70 MB, 35M fields on one line
    run = run_bounded(["scan", str(path)])
    refused(run, LONG_LINE.format(where=path, mb="66.8"))


def test_a_long_line_is_named_by_its_row(tmp_path: Path):
    path = tmp_path / "bom.csv"
    path.write_bytes(b"sku,qty\n" + b"A,1\n" * 1000 + b"B," + b"x" * (2 << 20) + b"\nC,1\n")
    for lazy_bytes in (1 << 40, 1):  # the careful reader, and the lazy one
        with pytest.raises(BomauditError) as exc:
            load_table(str(path), ReadOptions(lazy_bytes=lazy_bytes))
        assert str(exc.value).startswith(f"{path}, row 1002: this line is 2.0 MB long; no line of a BOM needs more than 1 MB")


def test_a_line_of_1_mb_is_read(tmp_path: Path):
    path = tmp_path / "bom.csv"
    line = b"A,1," + b"x" * ((1 << 20) - 4)
    path.write_bytes(b"sku,qty,description\n" + line + b"\n")
    assert len(line) == 1 << 20
    assert load_table(str(path)).frame["sku"].to_list() == ["A"]


@pytest.mark.parametrize("lazy_bytes", [1 << 40, 1], ids=["careful", "lazy"])
def test_lines_ended_by_a_lone_cr_are_lines(tmp_path: Path, lazy_bytes: int):
    """Old Mac exports end lines with CR alone: they read as rows, numbered as a person sees them."""
    path = tmp_path / "bom.csv"
    path.write_bytes(b"sku,qty\rA,1\r\rB,2\r")
    table = load_table(str(path), ReadOptions(lazy_bytes=lazy_bytes))
    assert table.frame.select("sku", "qty", "__row").rows() == [("A", "1", 2), ("B", "2", 4)]


def test_a_cr_only_file_is_not_one_without_data_rows(tmp_path: Path):
    """It said "has a header but no data rows"."""
    path = tmp_path / "bom.csv"
    path.write_bytes(b"sku,qty,mass_g,Dy_pct\rA,2,10,1\rB,1,5,\r")
    run = run_bounded(["validate", str(path), "--assembly", "T"])
    assert run.rc == 0, run
    assert "header on row 1, 2 data rows read, 2 used" in run.stdout, run.stdout


# --- the header row ----------------------------------------------------------------------

NO_HEADER = (
    "error: {path}: no header row with a part-number column found in the first 100 rows — name the part-number column with "
    "--map sku=HEADER (the header must be within those rows), or pass --no-header and name the columns by number, e.g. --map sku=1"
)
_WORDS = [
    "the",
    "part",
    "was",
    "made",
    "of",
    "steel",
    "and",
    "copper",
    "with",
    "a",
    "small",
    "magnet",
    "near",
    "its",
    "end",
    "which",
    "the",
    "supplier",
    "tested",
    "twice",
]


def _prose(lines: int) -> str:
    """Sentences with commas in them, as a letter or a notes file has."""
    out = []
    for i in range(lines):
        words = [_WORDS[(i * 7 + j * 3) % len(_WORDS)] for j in range(4 + i % 9)]
        out.append(", ".join(" ".join(words[k : k + 3]) for k in range(0, len(words), 3)).capitalize() + ".")
    return "\n".join(out) + "\n"


def test_header_below_35_title_rows_is_found(write):
    path = write("bom.csv", "".join(f"Widget BOM, exported line {i}\n" for i in range(35)) + "sku,qty,mass_g\nA,1,10\nB,2,5\n")
    table = load_table(path)
    assert table.header_row == 36
    assert table.frame.select("sku", "__row").rows() == [("A", 37), ("B", 38)]


def test_200_rows_of_prose_have_no_header(tmp_path: Path):
    path = tmp_path / "notes.csv"
    path.write_text(_prose(200))
    run = run_bounded(["scan", str(path)])
    refused(run, NO_HEADER.format(path=path))


@pytest.mark.parametrize("title", ["Widget BOM rev C", "Widget BOM rev C,,"], ids=["bare", "excel-commas"])
def test_a_header_below_the_rows_searched_is_not_found(write, title: str):
    """150 title rows, then the header: it is not looked for that far, and saying "extra fields"
    or taking the title as the header would mislead."""
    path = write("bom.csv", f"{title}\n" * 150 + "sku,qty,mass_g\nA,1,10\n")
    with pytest.raises(BomauditError) as exc:
        load_table(path)
    assert [p.line() for p in exc.value.problems] == [NO_HEADER.format(path=path).removeprefix("error: ")]


def test_map_finds_a_header_bomaudit_does_not_know(write):
    """The hint's --map works even when the header names no other field bomaudit knows."""
    path = write("bom.csv", "Stückliste Motor\nTeil,Menge\nA,1\n")
    with pytest.raises(BomauditError, match="no header row with a part-number column"):
        load_table(path)
    table = load_table(path, ReadOptions(mapped_headers=("Teil", "Menge")))
    assert (table.header_row, table.headers) == (2, ["Teil", "Menge"])


# --- number cells ------------------------------------------------------------------------

#: every numeric column: (header, a data row with {} for the cell, what messages call it, where the number goes)
NUMERIC = {
    "qty": ("sku,qty,mass_g", "A,{},100", "quantity", ("edges", "qty", 1)),
    "mass": ("sku,qty,mass_g", "A,1,{}", "mass", ("attrs", "mass_g", 1)),
    "element %": ("sku,qty,mass_g,Dy_pct", "A,1,100,{}", "Dy content", ("attrs", "Dy_frac", 0.01)),
    "element g": ("sku,qty,mass_g,Dy_g", "A,1,100,{}", "Dy content", ("attrs", "Dy_g", 1)),
    "price": ("sku,qty,mass_g,unit_price", "A,1,100,{}", "value", ("attrs", "unit_value", 1)),
}
NOT_FINITE = "is not a finite number"
NOT_A_NUMBER = "is not a number"
#: cells that are no number a person means, and what the error says of each
REFUSED = {
    "nan": NOT_FINITE,
    "NaN": NOT_FINITE,
    "inf": NOT_FINITE,
    "-inf": NOT_FINITE,
    "1e400": NOT_FINITE,
    "0x10": NOT_A_NUMBER,  # was 0 with the unit "x10": "must be greater than 0", or a silent price of 0
    "0b1": NOT_A_NUMBER,
    "0o7": NOT_A_NUMBER,
    "1_000": NOT_A_NUMBER,
    "1e": NOT_A_NUMBER,  # was 1 with the unit "e"
    "2.5E+": NOT_A_NUMBER,
    "abc": NOT_A_NUMBER,
    "1e-400": "is too close to zero to be read (it would read as 0)",
}
#: cells read as the number a person means
READ = {" 1 ": 1.0, "1.": 1.0, ".5": 0.5, "١٢": 12.0, "۱۲٫۵": 12.5, "＋1": 1.0, "１２": 12.0, "０．２５": 0.25}


def _numeric_file(write, column: str, cell: str) -> str:
    header, row, _, _ = NUMERIC[column]
    quoted = '"' + cell + '"'  # spaces kept
    return write("bom.csv", f"{header}\n{row.format(quoted)}\n")


@pytest.mark.parametrize("cell", list(REFUSED))
@pytest.mark.parametrize("column", list(NUMERIC))
def test_a_cell_that_is_no_number_is_refused_as_such(write, column: str, cell: str):
    path = _numeric_file(write, column, cell)
    if column == "qty" and cell == "abc":
        # a quantity in words is not refused: how many is unknown, and so is the product (tests/test_sections.py)
        assert any(w.code == "qty-unknown" and w.where.row == 2 for w in load_bom(AuditOptions(files=(path,), assembly="T")).warnings)
        return
    with pytest.raises(BomauditError) as exc:
        load_bom(AuditOptions(files=(path,), assembly="T"))
    header = NUMERIC[column][0].split(",")[-1 if column != "qty" else 1]
    first = exc.value.problems[0]
    assert first.line().startswith(f"{path}, row 2, column '{header}': {NUMERIC[column][2]} {REFUSED[cell]}: '{cell}' — "), first.line()


@pytest.mark.parametrize("cell", list(READ))
@pytest.mark.parametrize("column", list(NUMERIC))
def test_a_number_written_otherwise_is_read_as_meant(write, column: str, cell: str):
    path = _numeric_file(write, column, cell)
    bom = load_bom(AuditOptions(files=(path,), assembly="T"))
    frame, name, scale = NUMERIC[column][3]
    table = bom.edges if frame == "edges" else bom.attrs
    key = "child" if frame == "edges" else "sku"
    assert table.filter(table[key] == "A")[name].to_list() == [pytest.approx(READ[cell] * scale)]


def test_digit_groups_and_decimal_marks_of_other_scripts():
    cells = pl.Series(["１，２５０", "١٬٢٥٠٫٥", "١٢٫٥", "1 250"])
    assert parse_numbers(cells).values.to_list() == [1250.0, 1250.5, 12.5, 1250.0]
    assert parse_numbers(cells, decimal_comma=True).values.to_list() == [1.25, 1250.5, 12.5, 1250.0]


def test_a_minus_sign_is_a_minus(write):
    path = write("bom.csv", "sku,qty,mass_g\nA,1,\u22125\n")
    with pytest.raises(BomauditError, match="mass is negative: '\u22125'"):
        load_bom(AuditOptions(files=(path,), assembly="T"))


def test_a_typed_nan_is_not_a_number(tmp_path: Path):
    """A Parquet column of floats holding NaN: refused by the reader, as for text."""
    path = tmp_path / "bom.parquet"
    pl.DataFrame({"sku": ["A"], "qty": [1.0], "mass_g": [100.0], "Dy_pct": [float("nan")]}).write_parquet(path)
    with pytest.raises(BomauditError, match=r"row 2, column 'Dy_pct': cell holds NaN, not a finite number"):
        load_bom(AuditOptions(files=(str(path),), assembly="T"))


# --- levels ------------------------------------------------------------------------------

NOT_WHOLE = "level is not a whole number: '{}' — write the depth as 0, 1, 2… or .1, ..2; an outline number such as 1.5 or 1.2.3 is not a level"
STEPS = "levels count from 0 or 1 at the top item, one more per step down"


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("one", NOT_WHOLE.format("one")),
        ("abc", NOT_WHOLE.format("abc")),
        ("nan", NOT_WHOLE.format("nan")),  # was counted as three dots: level 3
        ("1e9", NOT_WHOLE.format("1e9")),  # was level 9
        ("1.5", NOT_WHOLE.format("1.5")),
        ("1.2.3", NOT_WHOLE.format("1.2.3")),
        ("0x10", NOT_WHOLE.format("0x10")),  # was level 10
        ("1_000", NOT_WHOLE.format("1_000")),  # was level 0
        ("-1", f"level is negative: '-1' — {STEPS}"),  # was level 1
        ("2000000", f"level is deeper than 1,048,576: '2000000' — {STEPS}; no BOM is that deep"),
        ("", "level is empty — write the level of every part row"),
    ],
)
def test_a_level_that_is_none_is_refused_naming_the_cell(write, cell: str, message: str):
    path = write("bom.csv", f"Level,Part,Qty,mass_g\n0,TOP,1,\n1,SUB,1,\n{cell},A,1,1\n")
    with pytest.raises(BomauditError) as exc:
        load_bom(AuditOptions(files=(path,)))
    assert [p.line() for p in exc.value.problems] == [f"{path}, row 4, column 'Level': {message}"]


@pytest.mark.parametrize("cell", ["2", "2.0", "2.", "..2", ".2", "..", "+2", "٢", "２"])
def test_the_level_forms_that_are_read(write, cell: str):
    path = write("bom.csv", f"Level,Part,Qty,mass_g\n0,TOP,1,\n1,SUB,1,\n{cell},A,1,1\n")
    bom = load_bom(AuditOptions(files=(path,)))
    assert sorted(bom.edges.select("parent", "child").rows()) == [("SUB", "A"), ("TOP", "SUB")]


def test_a_typed_level_column_is_checked_too(tmp_path: Path):
    path = tmp_path / "bom.parquet"
    pl.DataFrame(
        {"Level": [0.0, 1.0, 1.5, -1.0, 2e6], "Part": ["TOP", "A", "B", "C", "D"], "Qty": [1] * 5, "mass_g": [None, 1.0, 1.0, 1.0, 1.0]}
    ).write_parquet(path)
    with pytest.raises(BomauditError) as exc:
        load_bom(AuditOptions(files=(str(path),)))
    assert [(p.where.row, p.message) for p in exc.value.problems] == [
        (5, "level is negative: -1.0"),
        (4, "level is not a whole number: 1.5"),
        (6, "level is deeper than 1,048,576: 2000000.0"),
    ]


def test_one_deep_level_is_refused_quickly(tmp_path: Path):
    """A level far below the one above it is an error; no tree that deep is built for it."""
    path = tmp_path / "bom.csv"
    path.write_text("level,sku,qty,mass_g\n0,TOP,1,\n" + "1000,A,1,1\n0,B,1,\n" * 1000)
    run = run_bounded(["validate", str(path)])
    assert run.rc == 2, run
    assert run.within(seconds=5, mb=300), run
    assert run.stderr.startswith(f"error: {path}, row 3, column 'level': level 1000 follows a row of a lower level by more than one step"), run


# --- columns -----------------------------------------------------------------------------

TOO_WIDE = (
    "this row has {n:,} fields, more than a spreadsheet has columns (16,384) — check that this is the BOM export and that it is read with the right delimiter"
)


def test_half_a_million_columns_are_refused_at_once(tmp_path: Path):
    """A 1 MB header of 500,000 fields (under the line limit) took over two minutes and 12 GB."""
    path = tmp_path / "bom.csv"
    path.write_text(",".join(["sku", "qty", *["x"] * 499_998]) + "\n" + ",".join(["A", "1", *["1"] * 499_998]) + "\n")
    run = run_bounded(["scan", str(path)])
    refused(run, f"error: {path}, row 1: " + TOO_WIDE.format(n=500_000))


@pytest.mark.parametrize("lazy_bytes", [1 << 40, 1], ids=["careful", "lazy"])
def test_a_row_wider_than_a_spreadsheet_is_named(tmp_path: Path, lazy_bytes: int):
    path = tmp_path / "bom.csv"
    path.write_text("sku,qty\nA,1\n" + ",".join(["B", "1", *["1"] * 16_383]) + "\n")
    with pytest.raises(BomauditError) as exc:
        load_table(str(path), ReadOptions(lazy_bytes=lazy_bytes))
    assert [p.line() for p in exc.value.problems] == [f"{path}, row 3: " + TOO_WIDE.format(n=16_385)]


def test_a_header_as_wide_as_a_spreadsheet_is_read(tmp_path: Path):
    path = tmp_path / "bom.csv"
    path.write_text(",".join(["sku", "qty", *[f"x{i}" for i in range(16_382)]]) + "\nA,1\n")
    assert load_table(str(path)).frame.width == 16_385  # and __row


def test_a_lone_unknown_header_over_a_one_column_table_is_still_named(write):
    """Only a title above a wider table is taken for a missing header: a table of one column whose
    header bomaudit does not know gets the error that lists the headers and the --map to pass."""
    path = write("bom.csv", "Zeichnung,,\nA,,\nB,,\n")
    with pytest.raises(
        BomauditError,
        match=r"no part-number column found; the headers are 'Zeichnung' — name the part-number column with --map sku=\"Zeichnung\" \(values 'A', 'B'\)",
    ):
        load_bom(AuditOptions(files=(path,), assembly="T"))
