"""No false clear from the input side (issue #10): what normalisation must never lose or guess.

Each class is tried through every reader it concerns: the careful CSV reader, the lazy one
(``lazy_bytes=1`` makes every file "big"), XLSX, Parquet and standard input. Fixtures are
written into ``tmp_path``; ``table()`` writes one table in the format asked for.
"""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from typer.testing import CliRunner

from bomaudit.audit import AuditOptions, audit, load_bom
from bomaudit.errors import BomauditError

from .conftest import AS_OF

READERS = ["csv", "lazy", "xlsx", "parquet", "stdin"]
FILE_READERS = ["csv", "lazy", "xlsx", "parquet"]
runner = CliRunner()


def _number(cell: str | None) -> object:
    if cell is None:
        return None
    try:
        return float(cell) if "." in cell or "e" in cell.lower() else int(cell)
    except ValueError:
        return cell


class Tables:
    """Writes tables in one reader's format and loads them with the matching options."""

    def __init__(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reader: str) -> None:
        self.tmp, self.monkeypatch, self.reader = tmp_path, monkeypatch, reader
        self.stdin_used = False

    def table(self, name: str, header: list[str], rows: list[list[str | None]], *, reader: str | None = None) -> str:
        """Write the table (cells as text, None for blank) and return the path to pass ('-' for stdin)."""
        reader = reader or self.reader
        if reader == "stdin" and not self.stdin_used:
            self.stdin_used = True
            data = _csv(header, rows).encode()
            self.monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
            return "-"
        if reader in ("csv", "lazy", "stdin"):
            path = self.tmp / f"{name}.csv"
            path.write_text(_csv(header, rows))
        elif reader == "xlsx":
            path = self.tmp / f"{name}.xlsx"
            wb = openpyxl.Workbook()
            wb.active.append(header)
            for row in rows:
                wb.active.append([_number(c) for c in row])
            wb.save(path)
        else:
            path = self.tmp / f"{name}.parquet"
            columns = {}
            for i, h in enumerate(header):
                cells = [r[i] for r in rows]
                numbers = [_number(c) for c in cells]
                typed = all(c is None or isinstance(c, int | float) for c in numbers) and any(c is not None for c in cells)
                columns[h] = pl.Series(h, [None if c is None else float(c) for c in numbers] if typed else cells, dtype=pl.Float64 if typed else pl.String)
            pl.DataFrame(columns).write_parquet(path)
        return str(path)

    def options(self, files: list[str], parts: list[str] = (), **kw) -> AuditOptions:
        if self.reader == "lazy":
            kw.setdefault("lazy_bytes", 1)
        return AuditOptions(files=tuple(files), parts=tuple(parts), as_of=AS_OF, **kw)

    def bom(self, files: list[str], parts: list[str] = (), **kw):
        return load_bom(self.options(files, parts, **kw))

    def audit(self, files: list[str], parts: list[str] = (), **kw):
        return audit(self.options(files, parts, **kw))

    def refused(self, files: list[str], parts: list[str] = (), **kw) -> list:
        with pytest.raises(BomauditError) as exc:
            load_bom(self.options(files, parts, **kw))
        return exc.value.problems


def _csv(header: list[str], rows: list[list[str | None]]) -> str:
    def cell(c: str | None) -> str:
        if c is None:
            return ""
        return f'"{c}"' if any(ch in c for ch in ',"\n') else c

    return "\n".join(",".join(cell(c) for c in r) for r in [header, *rows]) + "\n"


@pytest.fixture(params=READERS)
def io_(request, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Tables:
    return Tables(tmp_path, monkeypatch, request.param)


@pytest.fixture(params=FILE_READERS)
def files(request, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Tables:
    return Tables(tmp_path, monkeypatch, request.param)


def sku(result, name: str) -> dict:
    return result.skus.filter(pl.col("sku") == name).row(0, named=True)


def attrs(bom, name: str) -> dict:
    return bom.attrs.filter(pl.col("sku") == name).row(0, named=True)


def codes(problems) -> list[str]:
    return [p.code for p in problems]


# --- levels written as numbers (a tree flattened before) ------------------------------------


@pytest.mark.parametrize("cells", [["0", "1", "2", "1"], ["0.0", "1.0", "2.0", "1.0"]], ids=["ints", "floats"])
def test_levels_written_as_numbers_keep_the_tree(files: Tables, cells: list[str]):
    rows = [[cells[0], "TOP", "1", None], [cells[1], "SUB", "2", None], [cells[2], "A", "3", "1"], [cells[3], "B", "1", "2"]]
    path = files.table("i", ["Level", "Part", "Qty", "mass_g"], rows)
    bom = files.bom([path])
    assert sorted(bom.edges.select("parent", "child").rows()) == [("SUB", "A"), ("TOP", "B"), ("TOP", "SUB")]


def test_a_fractional_level_is_an_error(files: Tables):
    path = files.table("i", ["Level", "Part", "Qty"], [["0", "TOP", "1"], ["1.5", "A", "1"]])
    (problem,) = files.refused([path])
    assert (problem.code, problem.where.row) == ("bad-level", 3)


# --- 7. deterministic errors -------------------------------------------------------------


def _problems(make) -> list[str]:
    try:
        make()
    except BomauditError as exc:
        return [p.line() for p in exc.problems]
    raise AssertionError("expected an error")


def test_conflicts_across_files_come_in_row_order_every_time(files: Tables):
    n = 15
    path = files.table("b", ["sku", "qty", "mass_g"], [[f"P{i:02d}", "1", "1"] for i in range(n)])
    parts = files.table("p", ["sku", "mass_g"], [[f"P{i:02d}", "2"] for i in reversed(range(n))], reader="csv")
    runs = [_problems(lambda: files.bom([path], [parts], assembly="T")) for _ in range(3)]
    assert runs[0] == runs[1] == runs[2]
    assert [re.search(r"SKU '([^']+)'", line)[1] for line in runs[0]] == [f"P{i:02d}" for i in range(n)]


def test_subassembly_and_bulk_conflicts_come_in_row_order_every_time(files: Tables):
    rows = []
    for i in range(8):
        rows += [["0", f"S{i}", "1", None], ["1", "A", str(i + 1), None]]
        rows += [["0", f"S{i}", "1", None], ["1", "A", str(i + 2), None]]
    path = files.table("i", ["Level", "Part", "Qty", "mass_g"], rows)
    runs = [_problems(lambda: files.bom([path])) for _ in range(3)]
    assert runs[0] == runs[1] == runs[2]
    assert [re.search(r"sub-assembly '([^']+)'", line)[1] for line in runs[0]] == [f"S{i}" for i in range(8)]


def test_bulk_and_count_conflicts_come_in_row_order_every_time(files: Tables):
    rows = [row for i in range(12) for row in ([f"C{i:02d}", "5", "g"], [f"C{i:02d}", "1", "EA"])]
    path = files.table("b", ["sku", "qty", "uom"], rows)
    runs = [_problems(lambda: files.bom([path], assembly="T")) for _ in range(3)]
    assert runs[0] == runs[1] == runs[2]
    assert [re.search(r"'(C\d\d)' is used both", line)[1] for line in runs[0]] == [f"C{i:02d}" for i in range(10)]
