"""Multi-level ERP and PLM exports read with no options (issue #12, multi-level part).

Each input mirrors a real export's headers and layout (see tests/data/multilevel/SOURCES.md).
Every leaf part is given a mass that is a distinct power of ten in a parts file, so a product's
mass spells out, digit by digit, how many of each leaf it holds: the per-leaf totals are checked
by hand in one number, and a product read wrong cannot hide."""

from __future__ import annotations

import pytest

from bomaudit.audit import AuditOptions, audit, load_bom
from bomaudit.errors import BomauditError

from .conftest import AS_OF


def _parts(write, masses: dict[str, float]) -> str:
    return write("parts.csv", "sku,mass_g\n" + "".join(f"{s},{m}\n" for s, m in masses.items()))


def products(path: str, parts: str, **kw) -> dict[str, float]:
    """Product SKU -> its mass in grams."""
    result = audit(AuditOptions(files=(path,), parts=(parts,), as_of=AS_OF, **kw))
    rows = result.skus.filter(result.skus["kind"] == "product")
    return dict(zip(rows["sku"].to_list(), rows["mass_g"].to_list(), strict=True))


def codes(path: str, **kw) -> list[str]:
    return [w.code for w in load_bom(AuditOptions(files=(path,), as_of=AS_OF, **kw)).warnings]


def refused(path: str, **kw) -> list[tuple[str, int | None, str | None, str]]:
    with pytest.raises(BomauditError) as exc:
        load_bom(AuditOptions(files=(path,), as_of=AS_OF, **kw))
    return [(p.code, p.where.row, p.where.column, p.message) for p in exc.value.problems]


# --- parents written once (Odoo mrp.bom export) ---------------------------------------------

ODOO = (
    "External ID,Product,Quantity,BoM Type,BoM Lines/Component,BoM Lines/Quantity\n"
    "1,Frame,1,Manufacture this product,Top tube,1\n"
    ",,,,Down tube,1\n"
    ",,,,Degreaser,10\n"
    "2,Top tube,1,Manufacture this product,Round tube,1\n"
    ",,,,Degreaser,1\n"
    "3,Down tube,1,Manufacture this product,Round tube,2\n"
    ",,,,Degreaser,1\n"
    "4,Wheel,2,Manufacture this product,Tyre,2\n"
    ",,,,Spoke,64\n"
)


def test_odoo_parents_written_once_are_the_parent_above(write):
    path = write("mrp.bom.csv", ODOO)
    parts = _parts(write, {"Round tube": 1, "Degreaser": 10, "Tyre": 100, "Spoke": 1000})
    # Frame = Top tube (1 round tube, 1 degreaser) + Down tube (2 round tubes, 1 degreaser) + 10 degreaser:
    #   3 round tubes (3 g) + 12 degreaser (120 g) = 123 g;
    # Wheel: its BoM makes 2 wheels from 2 tyres and 64 spokes: per wheel 1 tyre (100 g), 32 spokes (32,000 g)
    assert products(path, parts) == {"Frame": 123.0, "Wheel": 32100.0}
    found = codes(path)
    assert "parent-filled-down" in found and "bom-lines-columns" in found and "qty-per-base" in found


def test_a_parent_written_on_every_line_keeps_blanks_as_top_items(write):
    # AdventureWorks-style: the parent on every line, a blank parent declares a top item
    path = write("pc.csv", "parent,sku,qty\n,TOP,1\nTOP,A,2\nTOP,B,1\n,OTHER,1\nOTHER,B,3\n")
    parts = _parts(write, {"A": 1, "B": 10})
    assert products(path, parts) == {"TOP": 12.0, "OTHER": 30.0}
    assert "parent-filled-down" not in codes(path)


def test_a_blank_parent_after_a_line_declaring_it_is_not_filled_down(write):
    # each parent once, but each followed by its own top declaration: blanks are top items
    path = write("pc2.csv", "parent,sku,qty\nP1,A,2\n,P1,1\nP2,B,3\n,P2,1\n")
    parts = _parts(write, {"A": 1, "B": 10})
    assert products(path, parts) == {"P1": 2.0, "P2": 30.0}
