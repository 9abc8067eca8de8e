"""Big CSV and Parquet files are read lazily, only the columns used; results must not change.

``lazy_bytes=1`` makes every file "big", so the same inputs go through both readers and the
reports are compared whole. Files that need the careful reader must fall back to it.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest

from bomaudit.audit import AuditOptions, audit, load_bom
from bomaudit.load import LAZY_BYTES as LAZY_BYTES_DEFAULT
from bomaudit.load import ReadOptions, load_table
from bomaudit.render import View, as_text
from bomaudit.render.json import render_json

from .conftest import REAL, REPO, needs_real_boms

SAMPLES = REPO / "sample_boms"
LAZY = ReadOptions(lazy_bytes=1)
AS_OF = dt.date(2026, 11, 29)


def report(files: list[str], parts: list[str] = (), **kw) -> dict:
    result = audit(AuditOptions(files=tuple(files), parts=tuple(parts), as_of=AS_OF, **kw))
    return json.loads(as_text(render_json(result, View())))


def both_ways(files: list[str], parts: list[str] = (), **kw) -> tuple[dict, dict]:
    return report(files, parts, **kw), report(files, parts, lazy_bytes=1, **kw)


SAMPLE_RUNS = [
    (["fin_actuator_smco.csv"], []),
    (["fin_actuator_smco.parquet"], []),
    (["wind_generator_pc.csv"], []),
    (["smartphone_flat.csv"], ["smartphone_parts.csv"]),
    (["hard_disk_drive.tsv"], []),
    (["european_export_semicolon.csv"], []),
]


@pytest.mark.parametrize(("files", "parts"), SAMPLE_RUNS, ids=[r[0][0] for r in SAMPLE_RUNS])
def test_samples_report_the_same_read_lazily(files, parts):
    kw = {"decimal_comma": True} if "european" in files[0] else {}
    eager, lazy = both_ways([str(SAMPLES / f) for f in files], [str(SAMPLES / f) for f in parts], **kw)
    assert lazy == eager


REAL_CSV = sorted(p.name for p in REAL.glob("*.csv") if p.name != "reference_composition.csv")
#: the --map each export needs (tests/test_real_boms.py says why)
REAL_MAPS = {
    "hpmr_vanguard_kicad_cli_bom.csv": {"sku": "Value"},
    "bcn3d_stepper_jig_eagle_bom.csv": {"sku": "Device"},
    "micromanipulator_stepper_bom.csv": {"sku": "Specification"},
    "nasa_osr_control_board_bom_v2.0.3.csv": {"sku": "Value"},
    "opentorque_actuator_bom.csv": {"sku": "Part Name"},
}


def outcome(name: str, lazy_bytes: int):
    """What normalising the export gives: edges, attributes, warnings and table facts, or the error."""
    from bomaudit.errors import BomauditError

    try:
        b = load_bom(AuditOptions(files=(str(REAL / name),), mapping=REAL_MAPS.get(name, {}), as_of=AS_OF, lazy_bytes=lazy_bytes))
    except BomauditError as exc:
        return [p.line() for p in exc.problems]
    info = b.tables[0]
    facts = (info.header_row, info.rows_read, info.rows_used, info.columns, info.ignored, info.sha256)
    return b.edges.drop("_file", "_sheet", strict=False).rows(), b.attrs.rows(), [w.line() for w in b.warnings], facts


@pytest.mark.parametrize("name", REAL_CSV)
def test_real_exports_normalise_the_same_read_lazily(name):
    """Every real CSV gives the same edges, attributes, warnings and errors either way (the lazy
    reader reads the clean ones and leaves the others to the careful reader)."""
    assert outcome(name, 1) == outcome(name, 1 << 40)


def test_only_the_columns_used_are_read(tmp_path: Path):
    path = tmp_path / "erp.csv"
    junk = [f"note {i}" for i in range(20)]
    rows = ["Parent,Item Number," + ",".join(junk) + ",Qty"]
    rows += [",TOP," + ",".join("x" * 20) + ","]
    rows += [f"TOP,P{i}," + ",".join(f"{j}-{i}" for j in range(20)) + ",2" for i in range(5)]
    path.write_text("\n".join(rows) + "\n")
    table = load_table(str(path), LAZY)
    assert table.details["read"] == "lazily, 3 of 23 columns"
    # the cell counts of every column come along: a row of one cell is a heading or a note
    assert [c for c in table.frame.columns] == ["__row", "Parent", "Item Number", "Qty", "__content", "__cells", "__first"]
    assert table.headers == ["Parent", "Item Number", *junk, "Qty"]
    assert table.frame["__row"].to_list() == [2, 3, 4, 5, 6, 7]
    assert report([str(path)]) == report([str(path)], lazy_bytes=1)


def test_a_mapped_column_is_read_though_its_name_means_nothing(tmp_path: Path):
    path = tmp_path / "erp.csv"
    path.write_text("Artikel,Menge,Bemerkung\nP1,2,x\nP2,3,y\n")
    table = load_table(str(path), ReadOptions(lazy_bytes=1, mapped_headers=("Artikel",), sku_header="Artikel"))
    assert "Artikel" in table.frame.columns and "Bemerkung" not in table.frame.columns


def test_a_row_with_content_only_in_unread_columns_is_still_reported(tmp_path: Path):
    path = tmp_path / "bom.csv"
    path.write_text("sku,qty,comment\nP1,2,\n,,see drawing 7\nP2,1,\n")
    eager = load_bom(AuditOptions(files=(str(path),)))
    lazy = load_bom(AuditOptions(files=(str(path),), lazy_bytes=1))
    # (its one cell is a note, read alike from the columns not read)
    assert [(w.code, w.where.row) for w in lazy.warnings if w.code in ("no-sku", "note")] == [("note", 3)]
    assert [w.line() for w in lazy.warnings] == [w.line() for w in eager.warnings]


def test_footer_judged_on_every_column(tmp_path: Path):
    path = tmp_path / "kibom.csv"
    path.write_text("Ref,Qty,Part Number,Notes\nR1,2,RES-1,\nC1,1,CAP-1,\n,,,\nTotal,,,3\nProject:,demo,,\n")
    table = load_table(str(path), LAZY)
    assert table.frame["__row"].to_list() == [2, 3]
    assert [w.code for w in table.warnings] == ["footer"]
    assert table.warnings[0].where.row == 5


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("sku,qty\nP1,1\n\nP2,2\n", "blank line"),
        ("Bill of materials\nsku,qty\nP1,1\n", "title row"),
        ("sku,qty,description\nP1,1,a, b\n", "ragged row"),
        ('sku,qty\nP"1,1\n', "stray quote"),
    ],
)
def test_files_needing_the_careful_reader_fall_back(tmp_path: Path, text: str, why: str):
    from bomaudit.errors import BomauditError

    path = tmp_path / "bom.csv"
    path.write_text(text)

    def read(options: ReadOptions):
        try:
            table = load_table(str(path), options)
        except BomauditError as exc:
            return [p.line() for p in exc.problems]
        return table.frame.rows(), table.details, [w.line() for w in table.warnings]

    lazy = read(LAZY)
    assert lazy == read(ReadOptions()), why
    assert isinstance(lazy, list) or "read" not in lazy[1]


def test_not_utf8_falls_back_and_warns(tmp_path: Path):
    path = tmp_path / "bom.csv"
    path.write_bytes("sku,description,qty\nP1,Ma\u00dfband,1\n".encode("cp1252"))
    table = load_table(str(path), LAZY)
    assert "read" not in table.details
    assert [w.code for w in table.warnings] == ["encoding-fallback"]


def test_row_limit_counts_every_row(tmp_path: Path):
    path = tmp_path / "big.csv"
    path.write_text("sku,qty\n" + "".join(f"P{i},1\n" for i in range(50)))
    from bomaudit.errors import BomauditError
    from bomaudit.load.guard import Limits

    with pytest.raises(BomauditError) as exc:
        load_table(str(path), ReadOptions(lazy_bytes=1, limits=Limits(max_rows=10)))
    assert exc.value.problems[0].message == "has 50 data rows, over the limit of 10"


def test_parquet_projection_and_content(tmp_path: Path):
    path = tmp_path / "bom.parquet"
    pl.DataFrame({"sku": ["P1", None, "P2"], "qty": [2.0, None, 1.0], "remark": [None, "spare", None]}).write_parquet(path)
    table = load_table(str(path), LAZY)
    assert table.frame.columns == ["__row", "sku", "qty", "__content", "__cells", "__first"]
    assert table.frame["__content"].to_list() == [True, True, True]
    assert table.headers == ["sku", "qty", "remark"]
    eager = load_bom(AuditOptions(files=(str(path),)))
    lazy = load_bom(AuditOptions(files=(str(path),), lazy_bytes=1))
    assert [w.line() for w in lazy.warnings] == [w.line() for w in eager.warnings]
    assert any(w.code == "note" for w in lazy.warnings)  # a row of one cell, "spare", read alike


def test_sha256_is_the_same_either_way():
    path = str(SAMPLES / "wind_generator_pc.csv")
    assert load_table(path, LAZY).sha256 == load_table(path).sha256


@needs_real_boms
def test_most_real_exports_take_the_lazy_path():
    """The equivalence above is not vacuous: the clean exports are read lazily."""
    lazily = set()
    for name in REAL_CSV:
        try:
            if "read" in load_table(str(REAL / name), LAZY).details:
                lazily.add(name)
        except Exception:
            pass
    assert {"voron2_cad_BOM.csv", "nou3_jlcpcb_bom.csv"} <= lazily
    assert "openmower_mainboard_kibom.csv" not in lazily  # blank lines before its footer
    # no header names a part number ('Part Name'), or only weakly ('Component'): the column is chosen
    # on the evidence of columns the lazy reader does not read, so the careful reader reads them
    assert not {"opentorque_actuator_bom.csv", "micromanipulator_stepper_bom.csv"} & lazily


@pytest.mark.parametrize(
    ("data", "kw"),
    [
        (b'parent,sku,qty,note\r\n,TOP,,\r\nTOP,"P,1",2,"multi\r\nline"\r\nTOP,P2,3,x\r\n', {}),
        ("\ufeffparent;sku;qty\n;TOP;\nTOP;P1;2,5\n".encode(), {"decimal_comma": True}),
    ],
    ids=["crlf-quoted-multiline", "bom-semicolon-decimal-comma"],
)
def test_windows_and_european_exports_read_lazily(tmp_path: Path, data: bytes, kw: dict):
    path = tmp_path / "bom.csv"
    path.write_bytes(data)
    eager = load_bom(AuditOptions(files=(str(path),), **kw))
    lazy = load_bom(AuditOptions(files=(str(path),), lazy_bytes=1, **kw))
    assert "read" in lazy.tables[0].details
    assert lazy.edges.rows() == eager.edges.rows()
    assert [w.line() for w in lazy.warnings] == [w.line() for w in eager.warnings]
    assert lazy.edges["qty"].to_list() == ([2.0, 3.0] if not kw else [2.5])


@pytest.mark.parametrize(
    "cell",
    ["nan", "inf", "1e400", "1_000", "2026-01-05", "12:30", "#DIV/0!", "#N/A"],
)
def test_cells_that_are_no_numbers_are_refused_alike_read_lazily(tmp_path: Path, cell: str):
    """Issue #10: the lazy reader refuses what the careful reader refuses, with the same lines."""
    from bomaudit.errors import BomauditError

    path = tmp_path / "bom.csv"
    path.write_text(f"sku,qty,mass_g,Dy_pct\nA,1,10,1\nB,{cell},{cell},{cell}\n")
    if not cell.startswith("#"):  # the reader itself refuses spreadsheet errors
        assert load_table(str(path), LAZY).details["read"].startswith("lazily")
    lines = []
    for lazy_bytes in (LAZY_BYTES_DEFAULT, 1):
        with pytest.raises(BomauditError) as exc:
            audit(AuditOptions(files=(str(path),), as_of=AS_OF, lazy_bytes=lazy_bytes))
        lines.append([p.line() for p in exc.value.problems])
    assert lines[0] == lines[1]
    assert len(lines[0]) == 3
