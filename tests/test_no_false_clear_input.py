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
from bomaudit.normalise.attributes import attr_schema

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


# --- 1. composition provenance per SKU ---------------------------------------------------


def test_attr_schema_has_composition_declared():
    assert attr_schema()["composition_declared"] == pl.Boolean


def test_a_row_with_only_a_sku_in_a_table_with_element_columns_declares_no_rare_earths(io_: Tables):
    # SCREW states nothing but its SKU: in a table with a Dy column, that is "no rare earths here"
    path = io_.table("bom", ["sku", "qty", "mass_g", "Dy_pct"], [["MAG", "2", "10", "3"], ["SCREW", "4", None, None]])
    bom = io_.bom([path], assembly="TOP")
    assert attrs(bom, "SCREW")["composition_declared"] is True
    assert attrs(bom, "MAG")["composition_declared"] is True
    assert bom.attrs["composition_declared"].null_count() == 0


def test_without_element_columns_nothing_is_declared(io_: Tables):
    path = io_.table("bom", ["sku", "qty", "mass_g"], [["MAG", "2", "10"], ["SCREW", "4", "1"]])
    bom = io_.bom([path], assembly="TOP")
    assert bom.attrs["composition_declared"].to_list() == [False, False]


def test_composition_declared_merges_across_files_as_any(files: Tables):
    # the BOM has no element column; the parts file declares MAG (a blank Dy cell: zero) but not HSG
    bom_path = files.table("bom", ["sku", "qty", "mass_g"], [["MAG", "2", "10"], ["HSG", "1", "900"]])
    parts = files.table("parts", ["sku", "Dy_pct"], [["MAG", None]], reader="csv")
    bom = files.bom([bom_path], [parts], assembly="TOP")
    assert attrs(bom, "MAG")["composition_declared"] is True
    assert attrs(bom, "HSG")["composition_declared"] is False


def test_a_parts_row_with_only_a_sku_is_kept_when_the_file_has_element_columns(files: Tables):
    bom_path = files.table("bom", ["sku", "qty", "mass_g"], [["WASHER", "2", "1"]], reader="csv")
    parts = files.table("parts", ["sku", "Dy_pct", "Tb_pct"], [["WASHER", None, None]])
    bom = files.bom([bom_path], [parts], assembly="TOP")
    assert attrs(bom, "WASHER")["composition_declared"] is True


# --- 4. two columns for one attribute ----------------------------------------------------


def test_two_concentration_columns_merge_cell_by_cell(io_: Tables):
    rows = [["A", "1", "10", "4", None], ["B", "1", "10", None, "2"], ["C", "1", "10", "3", "3"]]
    path = io_.table("b", ["sku", "qty", "mass_g", "Dy %", "Dysprosium %"], rows)
    bom = io_.bom([path], assembly="T")
    assert [attrs(bom, s)["Dy_frac"] for s in "ABC"] == pytest.approx([0.04, 0.02, 0.03])


def test_two_concentration_columns_that_disagree_are_a_located_conflict(io_: Tables):
    rows = [["A", "1", "10", "4", "4"], ["B", "1", "10", "4", "5"]]
    path = io_.table("b", ["sku", "qty", "mass_g", "Dy %", "Dysprosium %"], rows)
    (problem,) = io_.refused([path], assembly="T")
    assert problem.code == "column-conflict"
    assert (problem.where.row, problem.where.column) == (3, "Dysprosium %")
    assert "'Dy %'" in problem.message and "'Dysprosium %'" in problem.message


def test_two_mass_columns_in_different_units_agree_or_conflict(io_: Tables):
    rows = [["A", "1", "12", "0.012"], ["B", "1", None, "0.5"], ["C", "1", "3", None]]
    path = io_.table("b", ["sku", "qty", "Weight (g)", "Mass [kg]"], rows)
    bom = io_.bom([path], assembly="T")
    assert [attrs(bom, s)["mass_g"] for s in "ABC"] == pytest.approx([12, 500, 3])
    bad = io_.table("c", ["sku", "qty", "Weight (g)", "Mass [g]"], [["A", "1", "12", "13"]], reader="csv" if io_.reader == "stdin" else None)
    (problem,) = io_.refused([bad], assembly="T")
    assert problem.code == "column-conflict"
    assert (problem.where.row, problem.where.column) == (2, "Mass [g]")
    assert "'12' in 'Weight (g)' but '13' in 'Mass [g]'" in problem.message
    assert "--map mass=HEADER" in problem.hint


def test_a_blank_first_qty_column_does_not_hide_the_second(io_: Tables):
    # 'Qty' is preferred, but it is blank where 'Quantity' says 48: 48, not 1
    path = io_.table(
        "b", ["sku", "Qty", "Quantity", "mass_g", "Dy_pct", "re_origin"], [["MAG", None, "48", "1.5", "4", "CN"], ["HSG", "1", "1", "900", None, None]]
    )
    result = io_.audit([path], assembly="M")
    assert sku(result, "M")["cn_controlled_g"] == pytest.approx(48 * 1.5 * 0.04)


def test_two_qty_columns_that_disagree_are_a_conflict(files: Tables):
    path = files.table("b", ["sku", "Qty", "Quantity"], [["A", "2", "3"]])
    (problem,) = files.refused([path], assembly="T")
    assert problem.code == "column-conflict" and problem.where.column == "Quantity"


@pytest.mark.parametrize(
    ("header", "cells", "field"),
    [
        (["RE Origin", "Rare Earth Origin"], ["CN", "Japan"], "re_origin"),
        (["CN Tech", "Chinese Tech"], ["yes", "no"], "cn_tech"),
        (["Unit Price", "Cost"], ["2", "3"], "unit_value"),
        (["Category", "Type"], ["magnet", "screw"], "category"),
    ],
)
def test_other_attributes_from_two_columns_conflict(files: Tables, header: list[str], cells: list[str], field: str):
    path = files.table("b", ["sku", "qty", "mass_g", *header], [["A", "1", "1", *cells]])
    (problem,) = files.refused([path], assembly="T")
    assert problem.code == "column-conflict"
    assert problem.where.column == header[1]
    assert f"--map {field}=HEADER" in problem.hint


def test_two_origin_columns_naming_china_alike_agree(files: Tables):
    path = files.table("b", ["sku", "qty", "mass_g", "RE Origin", "Rare Earth Origin"], [["A", "1", "1", "CN", "China"], ["B", "1", "1", None, "PRC"]])
    bom = files.bom([path], assembly="T")
    assert bom.attrs["re_origin"].to_list() == ["CN", "CN"]


def test_element_mass_and_concentration_in_one_row_must_agree(io_: Tables):
    ok = io_.table("b", ["sku", "qty", "mass_g", "Dy_g", "Dy_pct"], [["A", "1", "10", "0.4", "4"], ["B", "1", "10", None, "4"]])
    bom = io_.bom([ok], assembly="T")
    assert attrs(bom, "A")["Dy_g"] == pytest.approx(0.4)
    bad = io_.table("c", ["sku", "qty", "mass_g", "Dy_g", "Dy_pct"], [["A", "1", "10", "0.5", "4"]], reader="csv" if io_.reader == "stdin" else None)
    (problem,) = io_.refused([bad], assembly="T")
    assert problem.code == "content-conflict"
    assert (problem.where.row, problem.where.column) == (2, "Dy_pct")
    assert "Dy is given twice and the two disagree" in problem.message


def test_element_mass_in_one_file_and_concentration_in_another_must_agree(files: Tables):
    path = files.table("b", ["sku", "qty", "mass_g", "Dy_pct"], [["A", "1", "10", "4"]])
    parts = files.table("p", ["sku", "Dy_g"], [["A", "0.5"]], reader="csv")
    (problem,) = files.refused([path], [parts], assembly="T")
    assert problem.code == "conflict"
    assert "SKU 'A' has Dy 0.5 g here but 4 % of its 10 g (0.4 g)" in problem.message


def test_merged_columns_are_said_and_listed(files: Tables):
    path = files.table("b", ["sku", "qty", "Weight (g)", "Mass [g]", "Dy %", "Dysprosium %"], [["A", "1", "1", None, "1", None]])
    bom = files.bom([path], assembly="T")
    info = bom.tables[0]
    assert info.fields["mass"] == "Weight (g)" and info.fields["mass (2)"] == "Mass [g]"
    assert info.fields["Dy_%"] == "Dy %" and info.fields["Dy_% (2)"] == "Dysprosium %"
    assert "Mass [g]" not in info.ignored
    assert "merged-columns" in codes(bom.warnings)


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
