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
from bomaudit.cli import app
from bomaudit.errors import BomauditError
from bomaudit.normalise.attributes import attr_schema
from bomaudit.vocab import SkuMatch

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


# --- 2. parts rows that match no BOM SKU -------------------------------------------------

NEAR_MISSES = [("MAG-N52-10X5", "MAG-N52-10x5"), ("MOTOR_A", "MOTOR-A"), ("motor a", "MOTOR.A")]


@pytest.mark.parametrize(("parts_sku", "bom_sku"), NEAR_MISSES)
def test_a_near_miss_between_parts_and_bom_is_refused(files: Tables, parts_sku: str, bom_sku: str):
    bom_path = files.table("bom", ["sku", "qty", "mass_g"], [["HSG", "1", "900"], [bom_sku, "8", "30"]])
    parts = files.table("parts", ["sku", "Dy_pct", "re_origin"], [["HSG", None, None], [parts_sku, "4", "CN"]])
    (problem,) = files.refused([bom_path], [parts], assembly="TOP")
    assert problem.code == "sku-near-miss"
    assert (problem.where.file, problem.where.row, problem.where.column) == (parts, 3, "sku")
    place = f"{bom_path}, sheet 'Sheet', row 3" if files.reader == "xlsx" else f"{bom_path}, row 3"
    assert f"parts SKU {parts_sku!r} is not in the BOM, but BOM SKU {bom_sku!r} ({place}) differs from it only in case or separators" in problem.message
    assert "--sku-match loose" in problem.hint and "--sku-match exact" in problem.hint


def test_loose_joins_the_parts_row_to_the_bom_spelling_and_records_it(files: Tables):
    bom_path = files.table("bom", ["sku", "qty", "mass_g"], [["MAG-N52-10x5", "8", "30"]])
    parts = files.table("parts", ["sku", "Dy_pct", "re_origin"], [["MAG-N52-10X5", "4", "CN"]], reader="csv")
    bom = files.bom([bom_path], [parts], assembly="TOP", sku_match=SkuMatch.loose)
    assert bom.loose_matches == [("MAG-N52-10X5", "MAG-N52-10x5")]
    assert attrs(bom, "MAG-N52-10x5")["Dy_frac"] == pytest.approx(0.04)
    assert "MAG-N52-10X5" not in bom.attrs["sku"].to_list()
    assert "sku-loose-match" in codes(bom.warnings)
    result = files.audit([bom_path], [parts], assembly="TOP", sku_match=SkuMatch.loose)
    assert sku(result, "TOP")["cn_controlled_g"] == pytest.approx(8 * 30 * 0.04)
    assert sku(result, "TOP")["verdict"] != "clear"


def test_exact_keeps_them_apart_with_a_warning(files: Tables):
    bom_path = files.table("bom", ["sku", "qty", "mass_g"], [["MOTOR-A", "1", "300"]])
    parts = files.table("parts", ["sku", "Dy_pct"], [["MOTOR_A", "4"]], reader="csv")
    bom = files.bom([bom_path], [parts], assembly="TOP", sku_match=SkuMatch.exact)
    near = next(w for w in bom.warnings if w.code == "sku-near-miss")
    assert "kept apart (--sku-match exact)" in near.message
    unmatched = next(w for w in bom.warnings if w.code == "parts-unmatched")
    assert unmatched.message.startswith("1 SKU(s) here match no SKU of the BOM")
    assert bom.loose_matches == []


def test_parts_rows_matching_nothing_are_warned_about_with_a_count(files: Tables):
    bom_path = files.table("bom", ["sku", "qty", "mass_g"], [["A", "1", "1"]], reader="csv")
    rows = [["A", "1"], *[[f"OTHER-{i}", "1"] for i in range(7)]]
    parts = files.table("parts", ["sku", "Dy_pct"], rows)
    bom = files.bom([bom_path], [parts], assembly="TOP")
    (warning,) = [w for w in bom.warnings if w.code == "parts-unmatched"]
    assert warning.where.file == parts
    assert warning.message == (
        "7 SKU(s) here match no SKU of the BOM, so what they say is not used: 'OTHER-0', 'OTHER-1', 'OTHER-2', 'OTHER-3', 'OTHER-4' and 2 more"
    )


def test_loose_refuses_a_key_that_fits_two_bom_skus(files: Tables):
    bom_path = files.table("bom", ["sku", "qty", "mass_g"], [["MOTOR-A", "1", "3"], ["MOTOR_A", "1", "3"]], reader="csv")
    parts = files.table("parts", ["sku", "Dy_pct"], [["motora", "4"]])
    (problem,) = files.refused([bom_path], [parts], assembly="TOP", sku_match=SkuMatch.loose)
    assert problem.code == "sku-near-miss"
    assert "'MOTOR-A'" in problem.message and "'MOTOR_A'" in problem.message
    assert "cannot choose" in problem.hint


def test_an_exact_match_wins_over_a_near_miss(files: Tables):
    bom_path = files.table("bom", ["sku", "qty", "mass_g"], [["MOTOR-A", "1", "3"]])
    parts = files.table("parts", ["sku", "Dy_pct"], [["MOTOR-A", "4"]])
    bom = files.bom([bom_path], [parts], assembly="TOP")
    assert not {"sku-near-miss", "parts-unmatched"} & set(codes(bom.warnings))


def test_stdin_bom_with_a_near_miss_in_the_parts_file(tmp_path: Path):
    parts = tmp_path / "parts.csv"
    parts.write_text("sku,Dy_pct,re_origin\nMAG-N52-10X5,4,CN\n")
    args = ["-", "--parts", str(parts), "--assembly", "TOP", "--as-of", AS_OF.isoformat()]
    text = "sku,qty,mass_g\nMAG-N52-10x5,8,30\n"
    strict = runner.invoke(app, ["scan", *args], input=text)
    assert strict.exit_code == 2
    assert "parts SKU 'MAG-N52-10X5' is not in the BOM, but BOM SKU 'MAG-N52-10x5' (-, row 2)" in strict.stderr
    loose = runner.invoke(app, ["scan", *args, "--sku-match", "loose", "-f", "json"], input=text)
    assert loose.exit_code == 1, loose.output
    assert "--sku-match loose: 1 parts SKU(s) read as a BOM SKU spelled differently" in loose.stderr
    checked = runner.invoke(app, ["validate", *args, "--sku-match", "exact"], input=text)
    assert checked.exit_code == 0, checked.output


# --- 3. lines lost through the key column ------------------------------------------------


def test_a_blank_part_number_line_with_a_quantity_is_a_part(io_: Tables):
    rows = [["MAG-1", "NdFeB magnet", "4", "10", "2", "CN"], [None, "note line with a quantity", "3", None, None, None]]
    path = io_.table("board", ["Part Number", "Description", "Qty", "Mass (g)", "Dy_pct", "RE Origin"], rows)
    bom = io_.bom([path], assembly="BOARD")
    assert bom.edges.filter(pl.col("child") == "row-3: note line with a quantity")["qty"].to_list() == [3.0]
    (warning,) = [w for w in bom.warnings if w.code == "synthetic-sku"]
    assert (warning.where.file, warning.where.row) == (path, 3)
    assert warning.message == "no value in 'Part Number', but the line has data: read as part 'row-3: note line with a quantity'"
    assert "no-sku" not in codes(bom.warnings)
    assert bom.tables[0].rows_used == 2


def test_the_magnet_line_without_part_number_makes_the_product_not_clear(io_: Tables):
    # the only rare-earth line has no part number: today it is dropped and the board is clear
    rows = [["R1", "Resistor", "2", "0.01", None, None], [None, "Magnet for the reed switch", "1", "5", "30", "CN"]]
    path = io_.table("board", ["Part Number", "Description", "Qty", "Mass (g)", "Dy_pct", "RE Origin"], rows)
    result = io_.audit([path], assembly="BOARD")
    board = sku(result, "BOARD")
    assert board["cn_controlled_g"] == pytest.approx(1.5)
    assert board["verdict"] == "license-required"
    # an element column is present: no "no rare-earth content column" warning
    assert "no-composition" not in codes(result.issues)


def test_a_blank_part_number_line_with_only_a_mass_or_an_element_is_a_part(io_: Tables):
    rows = [["A", "1", "1", None], [None, None, "7", None], [None, None, None, "2"]]
    path = io_.table("b", ["sku", "qty", "mass_g", "Dy_g"], rows)
    bom = io_.bom([path], assembly="T")
    assert sorted(bom.edges["child"].to_list()) == ["A", "row-3", "row-4"]
    assert attrs(bom, "row-4")["Dy_g"] == 2


def test_empty_and_heading_lines_stay_skipped(files: Tables):
    # row 3 is blank but for a column bomaudit does not read (a lone cell there is a note); row 4 is empty
    rows = [["A", "1", "1", None], [None, None, None, "Fasteners"], [None, None, None, None], ["B", "2", "1", None]]
    path = files.table("b", ["sku", "qty", "mass_g", "Section"], rows)
    bom = files.bom([path], assembly="T")
    assert sorted(bom.edges["child"].to_list()) == ["A", "B"]
    assert [(w.code, w.where.row) for w in bom.warnings if w.code in {"no-sku", "synthetic-sku", "note"}] == [("note", 3)]


def test_synthetic_keys_name_the_file_when_several_bom_files_are_read(files: Tables):
    one = files.table("motor", ["parent", "sku", "qty", "description"], [[None, "TOP", None, None], ["TOP", None, "2", "Loose magnet"]])
    two = files.table("gear", ["parent", "sku", "qty", "description"], [["TOP", "GEAR", "1", "Gear"], ["TOP", None, "1", "Loose magnet"]], reader="csv")
    bom = files.bom([one, two])
    names = sorted(bom.edges["child"].to_list())
    assert names == sorted(["GEAR", f"{Path(one).name} row-3: Loose magnet", "gear.csv row-3: Loose magnet"])


def test_a_long_description_is_cut_in_the_key(files: Tables):
    text = "Sintered NdFeB arc segment, grade N42SH, 4.5 % Dy, for rotor pole 3"
    path = files.table("b", ["sku", "qty", "description"], [["A", "1", "x"], [None, "2", text]])
    bom = files.bom([path], assembly="T")
    key = next(c for c in bom.edges["child"].to_list() if c.startswith("row-"))
    assert key == "row-3: " + text[:39] + "…"


def test_the_no_composition_warning_says_unknown(io_: Tables):
    path = io_.table("b", ["sku", "qty", "mass_g"], [["A", "1", "1"]])
    bom = io_.bom([path], assembly="T")
    (warning,) = [w for w in bom.warnings if w.code == "no-composition"]
    assert "parts without composition data are unknown" in warning.message
    assert "free of rare earths" not in warning.message
    assert "--parts file" in warning.hint


def test_no_composition_warning_is_absent_when_a_parts_file_has_an_element_column(files: Tables):
    path = files.table("b", ["sku", "qty", "mass_g"], [["A", "1", "1"]])
    parts = files.table("p", ["sku", "Dy_pct"], [["A", None]], reader="csv")
    assert "no-composition" not in codes(files.bom([path], [parts], assembly="T").warnings)


def test_a_blank_part_number_assembly_in_an_indented_bom_keeps_its_children(files: Tables):
    rows = [["0", "TOP", "1", None], ["1", None, "2", None], ["2", "MAG", "4", "5"], ["1", "HSG", "1", "100"]]
    path = files.table("i", ["Level", "Part Number", "Qty", "mass_g"], rows)
    bom = files.bom([path])
    assert sorted(bom.edges.select("parent", "child").rows()) == [("TOP", "HSG"), ("TOP", "row-3"), ("row-3", "MAG")]


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


# --- 5. reversed effectivity -------------------------------------------------------------


def test_valid_from_after_valid_to_is_a_located_error(io_: Tables):
    rows = [["A", "1", "1", "2025-01-01", None], ["B", "1", "1", "2026-06-01", "2026-01-31"]]
    path = io_.table("e", ["sku", "qty", "mass_g", "valid_from", "valid_to"], rows)
    (problem,) = io_.refused([path], assembly="T")
    assert problem.code == "reversed-dates"
    assert (problem.where.file, problem.where.row, problem.where.column) == (path, 3, "valid_from")
    assert problem.message == "the line starts after it ends: 'valid_from' is '2026-06-01' but 'valid_to' is '2026-01-31'"


def test_reversed_dates_exit_2_from_the_command_line(write):
    path = write("e.csv", "sku,qty,mass_g,Effective From,Effective To\nA,1,1,2027-01-01,2020-01-01\n")
    result = runner.invoke(app, ["scan", path, "--assembly", "T", "--as-of", AS_OF.isoformat()])
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"error: {path}, row 2, column 'Effective From': the line starts after it ends: 'Effective From' is '2027-01-01' but 'Effective To' is '2020-01-01' — "
        "swap the two dates or correct one: a line is in effect from valid_from to valid_to"
    ]


def test_reversed_date_cells_of_a_workbook(tmp_path: Path):
    import datetime as dt

    wb = openpyxl.Workbook()
    for row in [["sku", "qty", "valid_from", "valid_to"], ["A", 1, dt.datetime(2026, 6, 1), dt.datetime(2026, 1, 31)]]:
        wb.active.append(row)
    wb.save(tmp_path / "dates.xlsx")
    with pytest.raises(BomauditError) as exc:
        load_bom(AuditOptions(files=(str(tmp_path / "dates.xlsx"),), as_of=AS_OF))
    (problem,) = exc.value.problems
    assert problem.message == "the line starts after it ends: 'valid_from' is '2026-06-01' but 'valid_to' is '2026-01-31'"


# --- 6. an empty result is not a clear ---------------------------------------------------


def test_every_line_marked_dnp_is_an_error(io_: Tables):
    path = io_.table("b", ["sku", "qty", "mass_g", "DNP"], [["A", "1", "1", "x"], ["B", "2", "1", "DNP"]])
    (problem,) = io_.refused([path], assembly="T")
    assert problem.code == "no-product"
    assert problem.message == "the BOM gives no product: none of its 2 line(s) is used (2 marked do-not-populate)"
    assert problem.where.file == path
    assert "--map dnp=" in problem.hint


def test_every_line_out_of_effect_is_an_error(io_: Tables):
    path = io_.table("b", ["sku", "qty", "valid_to"], [["A", "1", "2020-01-01"], ["B", "2", "2021-01-01"]])
    (problem,) = io_.refused([path], assembly="T")
    assert problem.code == "no-product"
    assert "2 not in effect on 2026-11-28" in problem.message
    assert "--as-of" in problem.hint


def test_a_top_whose_every_child_line_is_dnp_is_an_error(files: Tables):
    path = files.table("b", ["parent", "sku", "qty", "DNP"], [[None, "TOP", None, None], ["TOP", "A", "2", "x"]])
    (problem,) = files.refused([path])
    assert problem.code == "no-line-used"
    assert problem.message == "no line under the BOM's top item(s) is used (1 marked do-not-populate): an empty product is not a clear"


def test_an_indented_top_whose_children_are_all_out_of_effect_is_an_error(files: Tables):
    rows = [["0", "TOP", "1", None], ["1", "MAG", "8", "2025-12-31"], ["1", "HSG", "1", "2025-12-31"]]
    path = files.table("i", ["Level", "Part Number", "Qty", "valid_to"], rows)
    (problem,) = files.refused([path])
    assert problem.code == "no-line-used"
    assert "2 not in effect on 2026-11-28" in problem.message


def test_a_bom_of_top_items_only_is_read(files: Tables):
    # a product that is itself a part: nothing was left out, nothing refused
    path = files.table("b", ["parent", "sku", "mass_g", "Dy_pct"], [[None, "MAG-1", "30", "4"]])
    assert files.bom([path]).declared_tops == ["MAG-1"]


def test_an_export_whose_part_numbers_are_all_blank_is_an_error(io_: Tables):
    # FreeCAD-like: a 'Part Number' column, empty on every line; the parts are named in 'Name'
    rows = [["1", None, "Stator", "1"], ["2", None, "Magnet N42", "24"], ["3", None, "Shaft", "1"]]
    path = io_.table("freecad", ["Index", "Part Number", "Name", "Quantity"], rows)
    # (issue #12) the names identify the parts, said in a warning; before, this was refused
    bom = io_.bom([path], assembly="MOTOR")
    assert sorted(bom.edges["child"].to_list()) == ["Magnet N42", "Shaft", "Stator"]
    (warned,) = [w for w in bom.warnings if w.code == "sku-by-evidence"]
    assert warned.message.startswith("parts are identified by column 'Name': column 'Part Number' is empty on every line; 'Name' names the parts")


def test_without_a_part_number_column_the_hint_skips_line_counters(files: Tables):
    path = files.table("freecad", ["Index", "Label", "Quantity"], [["1", "Stator", "1"], ["2", "Magnet N42", "24"]])
    (problem,) = files.refused([path], assembly="MOTOR")
    assert problem.code == "no-sku-column"
    # the values are shown where they were read (a file read lazily has only the columns used read)
    assert problem.hint.startswith('name the part-number column with --map sku="Label"')
    assert problem.hint.endswith(""" (values 'Stator', 'Magnet N42')""") or files.reader == "lazy"


def test_a_table_with_some_blank_part_numbers_is_read(files: Tables):
    path = files.table("b", ["Part Number", "Name", "Quantity"], [["P1", "Stator", "1"], [None, "Magnet", "24"]])
    bom = files.bom([path], assembly="M")
    assert sorted(bom.edges["child"].to_list()) == ["P1", "row-3: Magnet"]


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
