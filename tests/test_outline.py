"""Outline numbers (1, 1.2, 1.2.3) in a level column read as levels (issue #12): they were read
from their last number, a wrong tree with no error."""

from __future__ import annotations

from bomaudit.audit import AuditOptions, load_bom
from bomaudit.errors import BomauditError


def _edges(path: str) -> set[tuple[str, str, float]]:
    bom = load_bom(AuditOptions(files=(path,)))
    return set(bom.edges.select("parent", "child", "qty").rows())


def test_outline_numbers_are_levels_by_their_number_of_parts(write):
    path = write(
        "outline.csv",
        "Level,Part Number,Qty,mass_g\n1,MOTOR,1,\n1.1,ROTOR,1,\n1.1.1,MAG,8,5\n1.1.2,SHAFT,1,50\n1.2,STATOR,1,100\n1.10,LABEL,1,1\n2,CABLE,2,10\n",
    )
    edges = _edges(path)
    # the outline's top numbers (1, 2) are the parts of the file's assembly, which is no row (issue #12)
    assert {(p, c) for p, c, _ in edges} == {
        ("outline", "MOTOR"),
        ("outline", "CABLE"),
        ("MOTOR", "ROTOR"),
        ("ROTOR", "MAG"),
        ("ROTOR", "SHAFT"),
        ("MOTOR", "STATOR"),
        ("MOTOR", "LABEL"),
    }
    assert ("ROTOR", "MAG", 8.0) in edges
    assert ("outline", "CABLE", 2.0) in edges
    bom = load_bom(AuditOptions(files=(path,)))
    assert [w.code for w in bom.warnings].count("outline-levels") == 1
    assert bom.declared_tops == ["outline"]


def test_levels_written_as_floats_are_not_outline_numbers(write):
    path = write("float.csv", "Level,Part Number,Qty,mass_g\n0.0,TOP,1,\n1.0,A,1,\n2.0,B,2,1\n1.0,C,1,1\n")
    assert {(p, c) for p, c, _ in _edges(path)} == {("TOP", "A"), ("A", "B"), ("TOP", "C")}


def test_an_outline_number_without_its_parent_is_not_guessed(write):
    path = write("gap.csv", "Level,Part Number,Qty,mass_g\n1,TOP,1,\n1.2.3,A,1,1\n")
    try:
        load_bom(AuditOptions(files=(path,)))
    except BomauditError as exc:
        assert any(p.code == "bad-level" and p.where.row == 3 for p in exc.problems)
    else:
        raise AssertionError("1.2.3 under 1 was read")
