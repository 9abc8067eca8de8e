"""A BOM spread over several sheets of one workbook (one subsystem per sheet): every BOM sheet is
read, as a sub-assembly of the file's product, and nothing is counted twice or missed silently."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from bomaudit.audit import AuditOptions, audit, load_bom
from bomaudit.cli import app
from bomaudit.errors import BomauditError

AS_OF = dt.date(2026, 11, 28)
runner = CliRunner()
HEAD = ["Part Number", "Description", "Qty", "Mass (g)", "Dy_pct", "RE Origin"]
ELECTRONICS = [HEAD, ["PCB-1", "Board", 1, 20, 0, "US"], ["R-10K", "Resistor", 8, 0.01, 0, "US"]]
FRAME = [HEAD, ["EXT-2020", "Extrusion", 4, 300, 0, "US"], ["M3-8", "Screw", 40, 1, 0, "US"]]
MOTORS = [HEAD, ["MAG-N52", "Magnet segment", 12, 5, 4.5, "CN"], ["M3-8", "Screw", 8, 1, 0, "US"]]
SUBSYSTEMS = [("Electronics", ELECTRONICS), ("Frame", FRAME), ("Motors", MOTORS)]


def write(path: Path, sheets: list[tuple[str, list[list[object]]]], hidden: tuple[str, ...] = ()) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets:
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
        if name in hidden:
            ws.sheet_state = "hidden"
    wb.save(path)
    return path


def run(path: Path, **kw: object):
    return audit(AuditOptions(files=(str(path),), as_of=AS_OF, **kw))  # type: ignore[arg-type]


def problems(path: Path, **kw: object) -> list[str]:
    with pytest.raises(BomauditError) as exc:
        run(path, **kw)
    return [p.line() for p in exc.value.problems]


def test_the_magnet_on_the_third_sheet_makes_the_product_not_clear(tmp_path: Path):
    path = write(tmp_path / "robot.xlsx", SUBSYSTEMS)
    result = run(path)
    rows = {r["sku"]: r for r in result.skus.iter_rows(named=True)}
    assert rows["robot"]["kind"] == "product" and rows["robot"]["verdict"] == "license-required"
    assert rows["robot"]["mass_g"] == pytest.approx(20 + 8 * 0.01 + 4 * 300 + 40 + 12 * 5 + 8)
    assert rows["robot"]["cn_controlled_g"] == pytest.approx(12 * 5 * 0.045)
    assert rows["Motors"]["kind"] == "assembly" and rows["Motors"]["verdict"] == "license-required"
    assert rows["Frame"]["verdict"] == "clear" and rows["Electronics"]["verdict"] == "clear"
    edges = load_bom(AuditOptions(files=(str(path),), as_of=AS_OF)).edges
    links = {(p, c): q for p, c, q in edges.select("parent", "child", "qty").iter_rows()}
    assert links[("robot", "Motors")] == 1 and links[("Motors", "MAG-N52")] == 12 and links[("Frame", "M3-8")] == 40
    assert {c for p, c in links if p == "robot"} == {"Electronics", "Frame", "Motors"}
    warned = [p.line() for p in result.issues if p.code == "workbook-sheets"]
    assert warned == [
        f"{path}: the BOM is on 3 sheets ('Electronics', 'Frame', 'Motors'): each read as a sub-assembly of 'robot', used once — pass --sheet NAME to read one sheet alone, or --sheet more than once to read those sheets"
    ]


def test_the_json_report_lists_each_sheet_read(tmp_path: Path):
    path = write(tmp_path / "robot.xlsx", [*SUBSYSTEMS, ("Notes", [["Torque the screws to 0.5 Nm"]])])
    out = runner.invoke(app, ["scan", str(path), "--as-of", AS_OF.isoformat(), "--assembly", "R2", "-f", "json"])
    assert out.exit_code == 1, out.output
    report = json.loads(out.stdout)
    assert [(i["path"], i["sheet"]) for i in report["inputs"]] == [(str(path), "Electronics"), (str(path), "Frame"), (str(path), "Motors")]
    product = next(s for s in report["skus"] if s["kind"] == "product")
    assert (product["sku"], product["verdict"]) == ("R2", "license-required")


def test_a_notes_sheet_is_not_read_and_validate_says_why(tmp_path: Path):
    path = write(tmp_path / "robot.xlsx", [("Notes", [["Torque the screws to 0.5 Nm"], ["Rev C"]]), *SUBSYSTEMS])
    out = runner.invoke(app, ["validate", str(path), "-f", "json"])
    assert out.exit_code == 0, out.output
    inputs = json.loads(out.stdout)["inputs"]
    assert [i["sheet"] for i in inputs] == ["Electronics", "Frame", "Motors"]
    assert inputs[0]["details"]["sheets not read"] == "'Notes' (no part-number header)"


def test_a_hidden_sheet_is_skipped_with_the_warning(tmp_path: Path):
    old = [HEAD, ["OLD-MAG", "Old magnet", 99, 5, 4.5, "CN"]]
    path = write(tmp_path / "robot.xlsx", [*SUBSYSTEMS, ("Old motors", old)], hidden=("Old motors",))
    result = run(path)
    assert "OLD-MAG" not in result.skus["sku"].to_list()
    assert f"{path}: sheet 'Old motors' is hidden: skipped — pass --sheet 'Old motors' to read it" in [p.line() for p in result.issues]


def test_sheet_reads_only_that_sheet_as_before(tmp_path: Path):
    path = write(tmp_path / "robot.xlsx", SUBSYSTEMS)
    result = run(path, sheet="Frame")
    assert sorted(result.skus["sku"].to_list()) == ["EXT-2020", "M3-8", "robot"]
    assert not [p for p in result.issues if p.code == "workbook-sheets"]
    assert [(t.sheet, t.path) for t in load_bom(AuditOptions(files=(str(path),), as_of=AS_OF, sheet="Frame")).tables] == [("Frame", str(path))]


def test_a_summary_sheet_repeating_the_others_is_refused_naming_the_choice(tmp_path: Path):
    summary = [HEAD, *ELECTRONICS[1:], *FRAME[1:], *MOTORS[1:]]
    path = write(tmp_path / "robot.xlsx", [("Summary", summary), *SUBSYSTEMS])
    assert problems(path) == [
        f"{path}, sheet 'Summary': the sheet lists every part of sheet(s) 'Electronics', 'Frame', 'Motors': it repeats them (a summary), "
        "and read with them each part would be counted twice — pass --sheet 'Summary' to read it alone, or name the other sheets with --sheet (repeatable) to read them as sub-assemblies"
    ]
    alone = {r["sku"]: r for r in run(path, sheet="Summary").skus.iter_rows(named=True)}
    assert alone["robot"]["verdict"] == "license-required" and alone["robot"]["cn_controlled_g"] == pytest.approx(12 * 5 * 0.045)
    write(path, [("Summary", summary), *SUBSYSTEMS], hidden=("Summary",))
    assert run(path).skus.filter(sku="robot")["cn_controlled_g"][0] == pytest.approx(12 * 5 * 0.045)


def test_a_stale_summary_holding_two_whole_sheets_is_refused_too(tmp_path: Path):
    summary = [HEAD, *ELECTRONICS[1:], *FRAME[1:], MOTORS[1]]  # the screw of Motors is missing
    path = write(tmp_path / "robot.xlsx", [*SUBSYSTEMS, ("Total", summary)])
    assert [line.split(": the sheet")[0] for line in problems(path)] == [f"{path}, sheet 'Total'"]


def test_sheets_sharing_some_parts_are_not_a_summary(tmp_path: Path):
    """The same screw on two sub-assemblies is two uses, counted once each."""
    path = write(tmp_path / "robot.xlsx", SUBSYSTEMS)
    rows = dict(run(path).skus.select("sku", "mass_g").rows())
    assert rows["Frame"] == pytest.approx(1240) and rows["Motors"] == pytest.approx(68)


def test_a_materials_sheet_gives_part_attributes_not_a_sub_assembly(tmp_path: Path):
    bom = [["Part Number", "Qty"], ["MAG-N52", 12], ["M3-8", 8]]
    frame = [["Part Number", "Qty"], ["M3-8", 40]]
    materials = [["Part Number", "Mass (g)", "Dy_pct", "RE Origin"], ["MAG-N52", 5, 4.5, "CN"], ["M3-8", 1, 0, "US"]]
    path = write(tmp_path / "robot.xlsx", [("Motors", bom), ("Frame", frame), ("Materials", materials)])
    result = run(path)
    rows = {r["sku"]: r for r in result.skus.iter_rows(named=True)}
    assert "Materials" not in rows and rows["robot"]["verdict"] == "license-required"
    assert rows["robot"]["mass_g"] == pytest.approx(12 * 5 + 48)
    assert [p.line() for p in result.issues if p.code == "parts-sheet"] == [
        f"{path}, sheet 'Materials': the sheet has part numbers and composition, mass, re_origin but no quantity, level or parent column: "
        "read as part attributes, like a --parts file — add a Qty column if its parts are a sub-assembly"
    ]


def test_a_materials_sheet_listing_parts_no_bom_uses_is_refused(tmp_path: Path):
    """Without a quantity column it could be a sub-assembly: its magnet would be missed."""
    bom = [["Part Number", "Qty"], ["M3-8", 8]]
    materials = [["Part Number", "Mass (g)", "Dy_pct"], ["M3-8", 1, 0], ["MAG-N52", 5, 4.5]]
    path = write(tmp_path / "robot.xlsx", [("Frame", bom), ("Frame 2", bom), ("Motors", materials)])
    lines = problems(path)
    assert lines[-1] == (
        f"{path}, sheet 'Motors', row 1: the sheet (read as part attributes: no quantity column) lists 1 part(s) no BOM sheet uses ('MAG-N52'): "
        "if it is a sub-assembly, they would be missed — add a Qty column if its parts are a sub-assembly, or remove the parts no BOM sheet uses"
    )


def test_a_sheet_with_part_numbers_and_nothing_else_is_not_guessed(tmp_path: Path):
    suppliers = [["Part Number", "Supplier"], ["MAG-N52", "Ningbo Magnets"]]
    path = write(tmp_path / "robot.xlsx", [*SUBSYSTEMS, ("Suppliers", suppliers)])
    assert problems(path) == [
        f"{path}, sheet 'Suppliers', row 1: the sheet has part numbers but no quantity, level or parent column while other sheets have: "
        "it may be a sub-assembly (each line once) or a list (suppliers, prices), and bomaudit does not guess — add a Qty column if it is a sub-assembly; "
        "if not, name the BOM sheets with --sheet (repeatable), or hide this one in the workbook"
    ]


def test_two_sheets_without_quantities_are_refused(tmp_path: Path):
    a = [["Part Number", "Description"], ["A", "a"]]
    b = [["Part Number", "Description"], ["B", "b"]]
    path = write(tmp_path / "robot.xlsx", [("One", a), ("Two", b)])
    assert problems(path) == [
        f"{path}: sheets 'One', 'Two' all have part numbers and none a quantity, level or parent column: bomaudit cannot tell which are BOMs "
        "— add a Qty column to each sheet that is a sub-assembly, or pass --sheet NAME (repeatable) to read the BOM sheets"
    ]


def test_an_indented_sheet_hangs_its_tops_under_the_sheet(tmp_path: Path):
    motors = [
        ["Level", "Part Number", "Qty", "Mass (g)", "Dy_pct", "RE Origin"],
        [0, "MOT-1", 2, None, None, None],
        [1, "MAG-N52", 6, 5, 4.5, "CN"],
        [1, "M3-8", 4, 1, 0, "US"],
    ]
    path = write(tmp_path / "robot.xlsx", [("Frame", FRAME), ("Motors", motors)])
    edges = load_bom(AuditOptions(files=(str(path),), as_of=AS_OF)).edges
    links = {(p, c): q for p, c, q in edges.select("parent", "child", "qty").iter_rows()}
    assert links[("robot", "Motors")] == 1 and links[("Motors", "MOT-1")] == 1 and links[("MOT-1", "MAG-N52")] == 6
    rows = dict(run(path).skus.select("sku", "cn_controlled_g").rows())
    assert rows["robot"] == pytest.approx(6 * 5 * 0.045)


def test_a_sheet_named_after_a_part_another_sheet_uses_is_that_parts_bom(tmp_path: Path):
    """Sheet 'MOT-1' lists the motor's parts; sheet 'Robot' uses MOT-1 twice: the magnets count 2 × 6, not 3 × 6."""
    robot = [["Part Number", "Qty", "Mass (g)"], ["MOT-1", 2, None], ["EXT-2020", 4, 300]]
    motor = [["Part Number", "Qty", "Mass (g)", "Dy_pct", "RE Origin"], ["MAG-N52", 6, 5, 4.5, "CN"]]
    path = write(tmp_path / "robot.xlsx", [("Robot", robot), ("MOT-1", motor)])
    edges = load_bom(AuditOptions(files=(str(path),), as_of=AS_OF)).edges
    assert ("robot", "MOT-1") not in set(edges.select("parent", "child").iter_rows())
    rows = dict(run(path).skus.select("sku", "cn_controlled_g").rows())
    assert rows["robot"] == pytest.approx(2 * 6 * 5 * 0.045)


def test_two_workbooks_with_the_same_sheet_names_stay_apart(tmp_path: Path):
    a = write(tmp_path / "arm.xlsx", SUBSYSTEMS)
    b = write(tmp_path / "leg.xlsx", [("Frame", FRAME), ("Motors", [HEAD, ["M3-8", "Screw", 2, 1, 0, "US"]])])
    rows = {r["sku"]: r for r in audit(AuditOptions(files=(str(a), str(b)), as_of=AS_OF)).skus.iter_rows(named=True)}
    assert rows["leg"]["verdict"] == "clear" and rows["arm"]["verdict"] == "license-required"
    assert rows["leg/Motors"]["mass_g"] == pytest.approx(2) and rows["arm/Motors"]["mass_g"] == pytest.approx(68)


def test_two_sheets_with_the_same_parts_are_refused_as_a_copy(tmp_path: Path):
    path = write(tmp_path / "robot.xlsx", [("BOM", MOTORS), ("BOM (2)", MOTORS)])
    lines = problems(path)
    assert len(lines) == 2 and all("it repeats them (a summary)" in line for line in lines), lines


def test_with_no_header_the_first_sheet_is_read_and_the_others_named(tmp_path: Path):
    path = write(tmp_path / "dump.xlsx", [("T1", [["A", 1]]), ("T2", [["MAG", 2]]), ("Empty", [])])
    result = run(path, no_header=True, mapping={"sku": "1", "qty": "2"})
    assert sorted(result.skus["sku"].to_list()) == ["A", "dump"]
    assert [p.line() for p in result.issues if p.code == "sheet-not-read"] == [
        f"{path}: with --no-header only the first sheet with rows is read: 1 other sheet(s) with values not read ('T2') — pass --sheet NAME to read another one"
    ]


@pytest.mark.parametrize("name", ["Spares", "Alternates", "Old rev", "BOM (copy)"])
def test_a_sheet_named_outside_the_product_is_refused(tmp_path: Path, name: str):
    """Counted, a spares list adds mass that dilutes the fraction; left out, it may hold a part the product uses."""
    spares = [HEAD, ["EXT-2020", "Extrusion", 400, 300, 0, "US"]]
    path = write(tmp_path / "robot.xlsx", [*SUBSYSTEMS, (name, spares)])
    assert problems(path) == [
        f"{path}, sheet {name!r}: the sheet has quantities but its name says it is not part of the product (spares, alternates, an old revision…): "
        "read with the other sheets its parts would be added to the product (and its mass would dilute the fraction), left out they could be missed "
        "— name the sheets to read with --sheet (repeatable), or hide the sheet in the workbook to leave it out"
    ]
    write(path, [*SUBSYSTEMS, (name, spares)], hidden=(name,))
    assert run(path).skus.filter(sku="robot")["mass_g"][0] == pytest.approx(1328.08)


def test_sheet_given_more_than_once_reads_those_sheets_as_sub_assemblies(tmp_path: Path):
    """The way past a supplier list or a summary without editing the workbook."""
    suppliers = [["Part Number", "Supplier"], ["MAG-N52", "Ningbo Magnets"]]
    summary = [HEAD, *ELECTRONICS[1:], *FRAME[1:], *MOTORS[1:]]
    path = write(tmp_path / "robot.xlsx", [("Summary", summary), *SUBSYSTEMS, ("Suppliers", suppliers)], hidden=("Motors",))
    args = ["scan", str(path), "--as-of", AS_OF.isoformat(), "-f", "json", "--sheet", "Electronics", "--sheet", "Frame", "--sheet", "Motors"]
    out = runner.invoke(app, args)
    assert out.exit_code == 1, out.output
    report = json.loads(out.stdout)
    assert [i["sheet"] for i in report["inputs"]] == ["Electronics", "Frame", "Motors"]  # a hidden sheet named is read
    product = next(s for s in report["skus"] if s["kind"] == "product")
    assert (product["sku"], product["verdict"], product["mass_g"]) == ("robot", "license-required", pytest.approx(1328.08))
    out = runner.invoke(app, ["scan", str(path), "--sheet", "Frame", "--sheet", "Nope"])
    assert out.exit_code == 2 and "has no sheet named 'Nope'; its sheets are 'Summary', 'Electronics', 'Frame', 'Motors', 'Suppliers'" in out.stderr
    out = runner.invoke(app, ["scan", str(path), "--as-of", AS_OF.isoformat(), "--sheet", "Summary", "--sheet", "Frame", "--sheet", "Motors"])
    assert out.exit_code == 2 and "sheet 'Summary': the sheet lists every part of sheet(s) 'Frame', 'Motors'" in out.stderr, out.output


def test_a_spares_sheet_named_with_sheet_is_read(tmp_path: Path):
    spares = [HEAD, ["EXT-2020", "Extrusion", 1, 300, 0, "US"]]
    path = write(tmp_path / "robot.xlsx", [*SUBSYSTEMS, ("Spares", spares)])
    result = run(path, sheets=("Frame", "Spares"))
    assert dict(result.skus.select("sku", "mass_g").rows())["robot"] == pytest.approx(1240 + 300)


def test_one_bom_sheet_and_a_materials_sheet(tmp_path: Path):
    """The common layout: the BOM on one sheet, masses and compositions on another."""
    bom = [["Part Number", "Qty"], ["MAG-N52", 12], ["M3-8", 8]]
    materials = [["Part Number", "Mass (g)", "Dy_pct", "RE Origin"], ["MAG-N52", 5, 4.5, "CN"], ["M3-8", 1, 0, "US"]]
    path = write(tmp_path / "motor.xlsx", [("BOM", bom), ("Materials", materials)])
    result = run(path)
    rows = {r["sku"]: r for r in result.skus.iter_rows(named=True)}
    assert set(rows) == {"motor", "MAG-N52", "M3-8"} and rows["motor"]["verdict"] == "license-required"
    assert rows["motor"]["mass_g"] == pytest.approx(68) and rows["motor"]["cn_controlled_g"] == pytest.approx(12 * 5 * 0.045)
    assert [p.code for p in result.issues if p.code in ("parts-sheet", "workbook-sheets")] == ["parts-sheet"]
    extra = [*materials, ["MAG-SPARE", 5, 4.5, "CN"]]
    write(path, [("BOM", bom), ("Materials", extra)])
    lines = problems(path)
    assert len(lines) == 1, lines
    assert lines[0].startswith(
        f"{path}, sheet 'Materials', row 1: the sheet (read as part attributes: no quantity column) lists 1 part(s) no BOM sheet uses ('MAG-SPARE')"
    )


def test_inputs_keep_the_order_of_the_command_line(tmp_path: Path):
    first, last = tmp_path / "a.csv", tmp_path / "z.csv"
    first.write_text("sku,qty\nA,1\n")
    last.write_text("sku,qty\nZ,1\n")
    book = write(tmp_path / "robot.xlsx", SUBSYSTEMS)
    tables = load_bom(AuditOptions(files=(str(first), str(book), str(last)), as_of=AS_OF)).tables
    assert [(Path(t.path).name, t.sheet) for t in tables] == [
        ("a.csv", None),
        ("robot.xlsx", "Electronics"),
        ("robot.xlsx", "Frame"),
        ("robot.xlsx", "Motors"),
        ("z.csv", None),
    ]
