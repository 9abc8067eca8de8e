"""``validate``: the same loading code and options as ``scan``, and its JSON form
(schema ``bomaudit.validation/1``), field by field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bomaudit.cli import app

from .conftest import REPO

runner = CliRunner()
BOARD = "tests/cases/skipped_lines/board.csv"
BUILTIN = REPO / "bomaudit" / "rules" / "packs" / "cn-mofcom-2025.toml"


def validate_json(*args: str, monkeypatch: pytest.MonkeyPatch) -> dict:
    monkeypatch.chdir(REPO)
    result = runner.invoke(app, ["validate", *args, "-f", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture
def board(monkeypatch: pytest.MonkeyPatch) -> dict:
    return validate_json(BOARD, "--assembly", "BOARD", monkeypatch=monkeypatch)


@pytest.fixture
def phone(monkeypatch: pytest.MonkeyPatch) -> dict:
    return validate_json("sample_boms/smartphone_flat.csv", "--parts", "sample_boms/smartphone_parts.csv", "--assembly", "PHONE-X1", monkeypatch=monkeypatch)


def test_schema_tool_and_top_level_keys(board: dict):
    assert board["schema"] == "bomaudit.validation/1"
    assert board["tool"]["name"] == "bomaudit"
    assert sorted(board) == ["coverage", "graph", "inputs", "issues", "schema", "tool"]


def test_input_path_role_shape_sheet_header_and_hash(board: dict, phone: dict):
    (t,) = board["inputs"]
    assert (t["path"], t["role"], t["shape"], t["sheet"], t["header_row"]) == (BOARD, "bom", "flat", None, 1)
    assert t["sha256"] == __import__("hashlib").sha256((REPO / BOARD).read_bytes()).hexdigest()
    assert t["details"] == {"encoding": "utf-8", "delimiter": "comma"}
    assert [(i["role"], i["shape"]) for i in phone["inputs"]] == [("bom", "flat"), ("parts", "parts")]


def test_input_sheet_and_header_row_of_a_workbook(monkeypatch: pytest.MonkeyPatch):
    (t,) = validate_json("sample_boms/ev_traction_motor.xlsx", monkeypatch=monkeypatch)["inputs"]
    # two title rows above the header (sample_boms/README.md)
    assert (t["sheet"], t["header_row"], t["shape"]) == ("BOM", 3, "indented")
    assert t["columns"]["level"] == "Level"


def test_columns_map_each_field_to_its_header(board: dict, phone: dict):
    assert board["inputs"][0]["columns"] == {
        "sku": "Part Number",
        "description": "Description",
        "qty": "Qty",
        "mass": "Mass (g)",
        "Dy_pct": "Dy_pct",
        "re_origin": "RE Origin",
        "dnp": "DNP",
        "designator": "Ref",
    }
    assert phone["inputs"][1]["columns"]["sku"] == "part_number"


def test_unused_headers(write, monkeypatch: pytest.MonkeyPatch):
    path = write("b.csv", "Part Number,Qty,Colour,Supplier\nA,1,red,ACME\n")
    (t,) = validate_json(path, monkeypatch=monkeypatch)["inputs"]
    assert t["unused"] == ["Colour", "Supplier"]
    assert "Colour" not in t["columns"].values()


def test_rows_read_used_and_skipped_with_reasons(board: dict):
    t = board["inputs"][0]
    # board.csv: rows 2-5 are data (the Total line on row 6 is a footer the reader drops and warns about)
    # row 5 has no part number but a quantity: used, as a part named after its row
    assert (t["rows_read"], t["rows_used"]) == (4, 3)
    assert t["rows_skipped"] == [{"row": 4, "reason": "dnp"}]
    assert t["rows_skipped_total"] == 1
    assert t["rows_read"] == t["rows_used"] + t["rows_skipped_total"]


def test_rows_skipped_are_capped_with_a_count(write, monkeypatch: pytest.MonkeyPatch):
    lines = ["Part Number,Qty,DNP", *[f"R{i},1,DNP" for i in range(1500)], "C1,1,"]
    (t,) = validate_json(write("big.csv", "\n".join(lines) + "\n"), monkeypatch=monkeypatch)["inputs"]
    assert t["rows_skipped_total"] == 1500
    assert len(t["rows_skipped"]) == 1000
    assert t["rows_skipped"][0] == {"row": 2, "reason": "dnp"}


def test_graph_counts(board: dict, monkeypatch: pytest.MonkeyPatch):
    assert board["graph"] == {"skus": 4, "parts": 3, "assemblies": 0, "products": 1, "links": 3}
    motor = validate_json("sample_boms/ev_traction_motor.xlsx", monkeypatch=monkeypatch)["graph"]
    assert motor["products"] == 1
    assert motor["assemblies"] > 0
    assert motor["skus"] == motor["parts"] + motor["assemblies"] + motor["products"]


def test_coverage(board: dict, phone: dict):
    # 'row-5: note line with a quantity' has no mass: missing data (its composition is declared: a Dy column is there)
    assert board["coverage"] == {
        "elements": ["Dy"],
        "parts": 3,
        "parts_missing_data": 1,
        "parts_with_controlled": 1,
        "parts_without_composition": 0,
        "parts_estimated": 0,
    }
    assert phone["coverage"]["elements"] == ["Y", "Pr", "Nd", "Dy"]


def test_issues_are_the_warnings(board: dict):
    assert [i["code"] for i in board["issues"]] == ["footer", "synthetic-sku", "dnp", "qty-from-designators"]
    assert all(i["severity"] == "warning" and i["file"] == BOARD for i in board["issues"])


def test_coverage_counts_parts_without_composition(write, monkeypatch: pytest.MonkeyPatch):
    bom = write("b.csv", "Part Number,Qty,Mass (g)\nMAG,8,30\nHSG,1,900\n")
    parts = write("p.csv", "sku,Dy_pct,re_origin\nMAG,4,CN\n")
    alone = validate_json(bom, monkeypatch=monkeypatch)["coverage"]
    assert (alone["parts_without_composition"], alone["parts_missing_data"]) == (2, 2)
    assert validate_json(bom, "--parts", parts, monkeypatch=monkeypatch)["coverage"]["parts_without_composition"] == 1
    assert validate_json(bom, "--assume-free-unlisted", monkeypatch=monkeypatch)["coverage"]["parts_without_composition"] == 0


def test_validate_honours_unknown_origin(write, monkeypatch: pytest.MonkeyPatch):
    path = write("b.csv", "Part Number,Qty,Mass (g),Dy_pct\nMAG,1,10,2\n")
    assert validate_json(path, monkeypatch=monkeypatch)["coverage"]["parts_missing_data"] == 0
    assert validate_json(path, "--unknown-origin", "unknown", monkeypatch=monkeypatch)["coverage"]["parts_missing_data"] == 1


def test_validate_honours_rules(write, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A pack whose threshold list lacks Dy: no part has controlled content."""
    pack = tmp_path / "pack.toml"
    pack.write_text(BUILTIN.read_text("utf-8").replace('symbols = ["Sm", "Gd", "Tb", "Dy", "Lu", "Sc", "Y"]', 'symbols = ["Sm", "Gd", "Tb", "Lu", "Sc", "Y"]'))
    path = write("b.csv", "Part Number,Qty,Mass (g),Dy_pct,RE Origin\nMAG,1,10,2,CN\n")
    assert validate_json(path, monkeypatch=monkeypatch)["coverage"]["parts_with_controlled"] == 1
    assert validate_json(path, "--rules", str(pack), monkeypatch=monkeypatch)["coverage"]["parts_with_controlled"] == 0


def test_validate_takes_every_scan_option():
    """A scan command line is checked by changing its first word: no scan option is refused."""
    import re

    def options(command: str) -> set[str]:
        text = runner.invoke(app, [command, "--help"], terminal_width=200).stdout
        return set(re.findall(r"(?<![\w-])--[a-z][a-z-]*[a-z]", text))

    not_for_validate = {"--fail-on", "--fail-scope", "--all"}  # verdict policy and table view: validate gives no verdicts
    assert options("scan") - not_for_validate <= options("validate")


def test_validate_writes_json_to_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(REPO)
    out = tmp_path / "check.json"
    result = runner.invoke(app, ["validate", BOARD, "-f", "json", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert json.loads(out.read_text())["schema"] == "bomaudit.validation/1"


def test_validate_refuses_bad_data_with_exit_2(write, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(REPO)
    result = runner.invoke(app, ["validate", write("b.csv", "Part Number,Qty\nA,0x10\n"), "-f", "json"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "quantity is not a number" in result.stderr
