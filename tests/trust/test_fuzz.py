"""Fuzzing the loaders: random bytes and mutated real exports give a report or a clean exit 2.

"Clean" means: exit status 0, 1 or 2, and on 2 every line of standard error is an
``error: …`` line (no traceback, no internal error).
"""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from bomaudit.cli import app

runner = CliRunner()
REAL = Path(__file__).resolve().parents[3] / "shared" / "real_boms"
REAL_FILES = sorted(p for p in REAL.glob("*.csv")) if REAL.exists() else []
EXAMPLES = {"deep": 300, "long": 2000}.get(os.environ.get("HYPOTHESIS_PROFILE", "ci"), 60)


def assert_clean(result) -> None:
    assert result.exit_code in (0, 1, 2), (result.exit_code, result.output, result.exception)
    if result.exit_code == 2:
        lines = result.stderr.splitlines()
        assert lines, "exit 2 without a message"
        assert all(line.startswith("error: ") for line in lines), result.stderr
        assert "internal error" not in result.stderr, result.stderr
    assert "Traceback" not in result.output


def scan_bytes(tmp_path: Path, name: str, data: bytes, *args: str):
    path = tmp_path / name
    path.write_bytes(data)
    return runner.invoke(app, ["scan", str(path), "-f", "json", "--as-of", "2026-11-28", *args])


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=2000), st.sampled_from(["x.csv", "x.tsv", "x.txt", "x.xlsx", "x.parquet"]))
def test_random_bytes(tmp_path: Path, data: bytes, name: str):
    assert_clean(scan_bytes(tmp_path, name, data))


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=st.sampled_from(list('parent,sku;qty\t|"\n\r 0123456789.-eE%gkmx?ABCDyes')), max_size=400))
def test_random_delimited_text(tmp_path: Path, text: str):
    assert_clean(scan_bytes(tmp_path, "t.csv", ("parent,sku,qty,mass_g,Dy_pct\n" + text).encode()))


@pytest.mark.skipif(not REAL_FILES, reason="shared/real_boms not present beside the checkout")
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_mutated_real_exports(tmp_path: Path, data: st.DataObject):
    source = data.draw(st.sampled_from(REAL_FILES))
    raw = bytearray(source.read_bytes())
    for _ in range(data.draw(st.integers(1, 8))):
        op = data.draw(st.sampled_from(["flip", "delete", "insert", "truncate"]))
        pos = data.draw(st.integers(0, max(0, len(raw) - 1)))
        if op == "flip" and raw:
            raw[pos] = data.draw(st.integers(0, 255))
        elif op == "delete" and raw:
            del raw[pos : pos + data.draw(st.integers(1, 50))]
        elif op == "insert":
            raw[pos:pos] = data.draw(st.sampled_from([b'"', b",", b";", b"\n", b"\x00", b"\xff\xfe", b"Total", b"=cmd|' /C calc'!A0"]))
        elif op == "truncate":
            raw = raw[:pos]
    assert_clean(scan_bytes(tmp_path, source.name, bytes(raw), "--map", "sku=" + _first_header(source)))


@pytest.mark.skipif(not REAL_FILES, reason="shared/real_boms not present beside the checkout")
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_lazy_reader_agrees_on_mutated_exports(tmp_path: Path, data: st.DataObject):
    """The lazy reader of big files, made to read mutated real exports: the same normalised BOM,
    warnings and errors as the careful reader, or it leaves the file to that reader."""
    from bomaudit.audit import AuditOptions, load_bom
    from bomaudit.errors import BomauditError

    source = data.draw(st.sampled_from(REAL_FILES))
    raw = bytearray(source.read_bytes())
    for _ in range(data.draw(st.integers(1, 6))):
        pos = data.draw(st.integers(0, max(0, len(raw) - 1)))
        op = data.draw(st.sampled_from(["flip", "delete", "insert"]))
        if op == "flip" and raw:
            raw[pos] = data.draw(st.integers(0, 255))
        elif op == "delete" and raw:
            del raw[pos : pos + data.draw(st.integers(1, 50))]
        elif op == "insert":
            raw[pos:pos] = data.draw(st.sampled_from([b'"', b",", b";", b"\n", b"\r\n", b"\xc3", b"Total,,", b"x:,y\n", b" "]))
    path = tmp_path / source.name
    path.write_bytes(bytes(raw))

    def outcome(lazy_bytes: int):
        try:
            b = load_bom(AuditOptions(files=(str(path),), mapping={"sku": _first_header(source)}, lazy_bytes=lazy_bytes))
        except BomauditError as exc:
            return sorted(p.line() for p in exc.problems)
        # (an unknown quantity is NaN, which equals nothing: compared as None)
        edges = b.edges.with_columns(pl.col("qty").fill_nan(None)).rows()
        return edges, b.attrs.rows(), [w.line() for w in b.warnings], b.tables[0].ignored, b.tables[0].rows_read

    assert outcome(1) == outcome(1 << 40)


def _first_header(path: Path) -> str:
    line = path.read_text(encoding="utf-8", errors="replace").splitlines()[0]
    sep = ";" if line.count(";") > line.count(",") else ","
    return line.split(sep)[0].strip('"') or "x"


def _workbook() -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Level", "Part Number", "Qty", "Weight (kg)", "Dy_pct", "RE Origin"])
    ws.append([0, "EM-1", 1, None, None, None])
    ws.append([1, "SEG", 24, 0.05, 4, "CN"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


WORKBOOK = _workbook()  # built once: openpyxl stamps the time, and hypothesis needs the same bytes


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_corrupt_and_truncated_xlsx(tmp_path: Path, data: st.DataObject):
    raw = bytearray(WORKBOOK)
    if data.draw(st.booleans()):
        raw = raw[: data.draw(st.integers(0, len(raw)))]
    else:
        for _ in range(data.draw(st.integers(1, 20))):
            raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(0, 255))
    assert_clean(scan_bytes(tmp_path, "m.xlsx", bytes(raw)))


def test_zip_bomb_is_refused_quickly(tmp_path: Path):
    # a 'workbook' whose sheet inflates 1000-fold to 64 MB: refused from the zip directory alone
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"<" + b"a" * (64 * 1024 * 1024) + b"/>")
    result = scan_bytes(tmp_path, "bomb.xlsx", buf.getvalue())
    assert result.exit_code == 2
    assert "like a zip bomb" in result.stderr


def test_row_limit_can_be_raised(tmp_path: Path):
    path = tmp_path / "big.csv"
    path.write_text("sku,qty,mass_g,Dy_pct\n" + "".join(f"P{i},1,1,\n" for i in range(50)))
    refused = runner.invoke(app, ["scan", str(path), "--max-rows", "10"])
    assert refused.exit_code == 2
    assert refused.stderr == f"error: {path}: has 50 data rows, over the limit of 10 — raise it with --max-rows if the file is genuine\n"
    assert runner.invoke(app, ["scan", str(path), "--max-rows", "50"]).exit_code == 0


def test_xlsx_row_limit(tmp_path: Path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["sku", "qty", "mass_g"])
    for i in range(30):
        ws.append([f"P{i}", 1, 1])
    path = tmp_path / "big.xlsx"
    wb.save(path)
    result = runner.invoke(app, ["scan", str(path), "--max-rows", "10"])
    assert result.exit_code == 2
    assert "over the limit of 10 — raise it with --max-rows" in result.stderr
