"""A BOM spread over several sheets of one workbook: what each sheet is to the file's product.

The loader reads every visible sheet whose header names a part-number column and marks the
tables of one workbook (``RawTable.workbook_sheets``). Here, by the columns each sheet has:

* a sheet with a quantity, level, parent or designator column is a **sub-assembly**: its assembly
  is named after the sheet and used once by the product (``--assembly``, else the file's stem).
  A flat sheet's lines are that assembly's children; the top items of an indented or
  parent-child sheet go under it (a sheet whose single top item is named like the sheet is that
  item). A sheet named after a part another sheet uses is that part's BOM, not a second use;
* a sheet with mass, composition or origin columns and no quantity or structure column gives
  **part attributes**, like a ``--parts`` file; every part it lists must be used by a BOM sheet,
  else it may be a sub-assembly written without quantities, and that is an error;
* a sheet with part numbers and neither is refused: a sub-assembly (each line once) or a list
  (suppliers, prices) cannot be told apart, and either guess can hide a magnet;
* a sheet with quantities whose name says it is outside the product (``Spares``, ``Alternates``,
  ``Old rev``…) is refused: counted, it adds parts and mass (diluting the fraction); left out, it
  could hold a part the product uses (unless ``--sheet`` names it);
* a **summary** sheet, whose parts include those of all the other sheets (or all of two of them),
  is refused: read with them, its lines would be counted twice. Two sheets listing the same parts
  are refused too (a copy, or mirrored halves: bomaudit cannot tell). ``--sheet`` reads the
  summary alone; hiding it reads the others.

When one sheet remains a BOM, the workbook reads as a single sheet always did.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from bomaudit.errors import Collector, listed

if TYPE_CHECKING:
    import polars as pl

    from bomaudit.load import RawTable
    from bomaudit.normalise.model import NormaliseOptions

#: a column for one of these makes a sheet a BOM: how many, or where in the tree
STRUCTURE_FIELDS = frozenset({"qty", "level", "parent", "designator"})
#: a sheet named like this is no sub-assembly of the product, whatever its columns
OUTSIDE_PRODUCT = re.compile(
    r"(?i)\b(spares?|spare parts|alternates?|alternatives?|substitutes?|obsolete|old|archived?|previous|backup|copy|template|example|draft|rev(ision)? history)\b"
)
#: a column for one of these, without a structure column, makes it a list of part attributes
ATTRIBUTE_FIELDS = frozenset({"mass", "composition", "re_origin", "cn_tech", "cn_re_value"})


@dataclass(frozen=True, slots=True)
class SheetAssembly:
    product: str
    assembly: str


@dataclass(slots=True)
class WorkbookPlan:
    """The BOM tables and parts tables to normalise, and the sub-assembly each BOM sheet is."""

    boms: list[RawTable]
    parts: list[RawTable]
    #: id of a sub-assembly sheet's table → its product and assembly
    assemblies: dict[int, SheetAssembly] = field(default_factory=dict)
    #: ids of the tables read as part attributes because of their columns
    parts_sheets: set[int] = field(default_factory=set)
    #: ids of the BOM sheets of the workbooks that have parts sheets (what those must be used by)
    bom_sheets: set[int] = field(default_factory=set)


def plan_workbooks(boms: list[RawTable], parts: list[RawTable], options: NormaliseOptions, issues: Collector) -> WorkbookPlan:
    """Which BOM sheets are sub-assemblies and which are part attributes; errors for the rest."""
    plan = WorkbookPlan([], list(parts))
    groups: dict[tuple[str, tuple[str, ...]], list[RawTable]] = {}
    for raw in boms:
        if raw.workbook_sheets:
            groups.setdefault((raw.path, raw.workbook_sheets), []).append(raw)
    named: list[tuple[RawTable, str]] = []
    for raw in boms:
        key = (raw.path, raw.workbook_sheets)
        if not raw.workbook_sheets:
            plan.boms.append(raw)
        if key not in groups:
            continue  # not of a workbook, or its workbook's sheets are planned (in input order)
        path, tables = raw.path, groups.pop(key)
        subs, attrs = _classify(path, tables, options, issues)
        plan.boms.extend(subs)
        plan.parts.extend(attrs)
        plan.parts_sheets.update(id(t) for t in attrs)
        if attrs:
            plan.bom_sheets.update(id(t) for t in subs)
        if len(subs) > 1:
            product = options.assembly or Path(path).stem
            named.extend((t, product) for t in subs)
            issues.warn(
                "workbook-sheets",
                f"the BOM is on {len(subs)} sheets ({', '.join(repr(t.sheet) for t in subs)}): each read as a sub-assembly of {product!r}, used once",
                "pass --sheet NAME to read one sheet alone, or --sheet more than once to read those sheets",
                file=path,
            )
    plan.assemblies = _names(named)
    return plan


def _fields(raw: RawTable, options: NormaliseOptions) -> set[str]:
    from bomaudit.normalise.columns import map_columns

    cols = map_columns(raw, options.mapping, Collector())  # what the sheet is; its own warnings come when it is read
    return set(cols.fields) | ({"composition"} if cols.elements else set())


def _classify(path: str, tables: list[RawTable], options: NormaliseOptions, issues: Collector) -> tuple[list[RawTable], list[RawTable]]:
    kinds = {id(t): _fields(t, options) for t in tables}
    subs = [t for t in tables if kinds[id(t)] & STRUCTURE_FIELDS]
    attrs = [t for t in tables if not kinds[id(t)] & STRUCTURE_FIELDS and kinds[id(t)] & ATTRIBUTE_FIELDS]
    plain = [t for t in tables if t not in subs and t not in attrs]
    if not subs and len(plain) == 1:
        subs, plain = plain, []
    if not subs:
        issues.error(
            "ambiguous-sheets",
            f"sheets {', '.join(repr(t.sheet) for t in tables)} all have part numbers and none a quantity, level or parent column: bomaudit cannot tell which are BOMs",
            "add a Qty column to each sheet that is a sub-assembly, or pass --sheet NAME (repeatable) to read the BOM sheets",
            file=path,
        )
        return [], []
    if len(subs) > 1:
        for t in [t for t in subs if OUTSIDE_PRODUCT.search(str(t.sheet)) and t.details.get("chosen by") != "--sheet"]:
            subs.remove(t)
            issues.error(
                "sheet-outside-product",
                "the sheet has quantities but its name says it is not part of the product (spares, alternates, an old revision…): "
                "read with the other sheets its parts would be added to the product (and its mass would dilute the fraction), left out they could be missed",
                "name the sheets to read with --sheet (repeatable), or hide the sheet in the workbook to leave it out",
                file=path,
                sheet=t.sheet,
            )
    for t in plain:
        issues.error(
            "sheet-not-a-bom",
            "the sheet has part numbers but no quantity, level or parent column while other sheets have: "
            "it may be a sub-assembly (each line once) or a list (suppliers, prices), and bomaudit does not guess",
            "add a Qty column if it is a sub-assembly; if not, name the BOM sheets with --sheet (repeatable), or hide this one in the workbook",
            file=path,
            sheet=t.sheet,
            row=t.header_row,
        )
    for t in attrs:
        what = [f for f in sorted(ATTRIBUTE_FIELDS) if f in kinds[id(t)]]
        issues.warn(
            "parts-sheet",
            f"the sheet has part numbers and {', '.join(what)} but no quantity, level or parent column: read as part attributes, like a --parts file",
            "add a Qty column if its parts are a sub-assembly",
            file=path,
            sheet=t.sheet,
        )
    return subs, attrs


def _names(named: list[tuple[RawTable, str]]) -> dict[int, SheetAssembly]:
    """Each sub-assembly sheet's assembly: the sheet's name, or ``product/sheet`` where that name is
    also a product's or another workbook's sheet's (two files' ``Frame`` sheets stay apart)."""
    products = {p for _, p in named}
    count: dict[str, int] = {}
    for raw, _ in named:
        count[str(raw.sheet)] = count.get(str(raw.sheet), 0) + 1
    out = {}
    for raw, product in named:
        sheet = str(raw.sheet)
        clash = sheet in products or count[sheet] > 1
        out[id(raw)] = SheetAssembly(product, f"{product}/{sheet}" if clash else sheet)
    return out


@dataclass(slots=True)
class SheetResult:
    """What one table of the plan gave: its edges' children and its tops (BOM sheets), its SKUs (parts sheets)."""

    raw: RawTable
    skus: set[str]
    tops: list[str]


def link_sheets(plan: WorkbookPlan, results: list[SheetResult], issues: Collector) -> tuple[pl.DataFrame | None, list[str]]:
    """The edges product → sheet assembly → the sheet's tops, and the products; errors for a summary
    sheet and for a parts sheet listing parts no BOM sheet uses."""
    import polars as pl

    from bomaudit.normalise.structure import edge_schema

    subs = [r for r in results if id(r.raw) in plan.assemblies]
    _check_summaries(subs, issues)
    for r in results:
        used = set().union(*(o.skus for o in results if o.raw.path == r.raw.path and id(o.raw) not in plan.parts_sheets))
        if id(r.raw) in plan.parts_sheets and (extra := sorted(r.skus - used)):
            issues.error(
                "parts-sheet-unused",
                f"the sheet (read as part attributes: no quantity column) lists {len(extra)} part(s) no BOM sheet uses ({listed([repr(s) for s in extra])}): "
                "if it is a sub-assembly, they would be missed",
                "add a Qty column if its parts are a sub-assembly, or remove the parts no BOM sheet uses",
                file=r.raw.path,
                sheet=r.raw.sheet,
                row=r.raw.header_row,
            )
    rows: list[tuple[str, str, str, str | None, int | None]] = []
    products: list[str] = []
    for r in subs:
        asm = plan.assemblies[id(r.raw)]
        children_elsewhere = set().union(*(o.skus for o in subs if o is not r and o.raw.path == r.raw.path))
        if asm.assembly not in children_elsewhere:  # else the sheet is the BOM of a part another sheet uses
            rows.append((asm.product, asm.assembly, r.raw.path, r.raw.sheet, r.raw.header_row))
        rows.extend((asm.assembly, top, r.raw.path, r.raw.sheet, r.raw.header_row) for top in r.tops if top != asm.assembly)
        if asm.product not in products:
            products.append(asm.product)
    if not rows:
        return None, products
    parent, child, file, sheet, row = (list(c) for c in zip(*rows, strict=True))
    edges = pl.DataFrame(
        {
            "parent": parent,
            "child": child,
            "qty": [1.0] * len(rows),
            "bulk": [False] * len(rows),
            "measure": [None] * len(rows),
            "_file": file,
            "_sheet": sheet,
            "_row": row,
        },
        schema=edge_schema(),
    )
    return edges, products


def _check_summaries(subs: list[SheetResult], issues: Collector) -> None:
    """A sheet holding every part of the others (or all of two of them) repeats them: an error."""
    by_file: dict[str, list[SheetResult]] = {}
    for r in subs:
        by_file.setdefault(r.raw.path, []).append(r)
    for group in by_file.values():
        for r in group:
            others = [o for o in group if o is not r and o.skus]
            if not others or not r.skus:
                continue
            whole = [o for o in others if o.skus <= r.skus]
            # one other sheet whose parts this one includes is a sub-assembly sharing parts (screws);
            # the same parts on both is a copy, or mirrored halves: ambiguous, so refused too
            repeats = len(whole) >= 2 or (len(others) >= 2 and set().union(*(o.skus for o in others)) <= r.skus)
            if repeats or (len(others) == 1 and others[0].skus == r.skus):
                names = ", ".join(repr(o.raw.sheet) for o in (whole or others))
                issues.error(
                    "summary-sheet",
                    f"the sheet lists every part of sheet(s) {names}: it repeats them (a summary), and read with them each part would be counted twice",
                    f"pass --sheet {r.raw.sheet!r} to read it alone, or name the other sheets with --sheet (repeatable) to read them as sub-assemblies",
                    file=r.raw.path,
                    sheet=r.raw.sheet,
                )
