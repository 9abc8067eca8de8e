"""From raw tables to one BOM graph: canonical columns, grams, edges and part attributes.

Input: :class:`~bomaudit.load.RawTable` objects (BOM files and ``--parts`` files).
Output: a :class:`Bom` with

* ``edges``: one row per parent → child use, ``qty`` per one parent (grams for bulk lines);
* ``attrs``: one row per SKU with its merged attributes (mass in grams, element masses or
  concentrations, origin, flags, value), conflicts across rows and files being errors;
* what was found in each table, for ``validate`` and the report's ``inputs``.

Per table, in this order: :mod:`.columns` maps headers to fields, :mod:`.rows` decides which
rows are parts in effect, :mod:`.attributes` reads what rows say about their parts and
:mod:`.structure` turns the lines into edges; :mod:`.context` binds error helpers to the
table, :mod:`.model` holds the dataclasses. Across tables, attributes are merged per SKU
and the edges checked. Only this module is imported from outside the package.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from bomaudit.errors import Collector
from bomaudit.fields import SYMBOLS
from bomaudit.normalise.alternates import alternate_lines
from bomaudit.normalise.attributes import CONTENT_PLACE, attr_schema, attribute_rows, merge_attributes
from bomaudit.normalise.columns import check_mapping, check_sku_column, describe, field_headers, map_columns
from bomaudit.normalise.context import TableContext
from bomaudit.normalise.duplicates import split_disagreeing
from bomaudit.normalise.lines import LineCounts, check_lines_used, check_part_numbers, line_counts
from bomaudit.normalise.matching import BomSkus, match_parts
from bomaudit.normalise.model import MAX_SKIPPED, Bom, NormaliseOptions, SkippedRow, TableInfo
from bomaudit.normalise.multilevel import block_lines
from bomaudit.normalise.rows import all_skipped, check_not_empty, classify_rows, skipped_rows, warn_not_in_force
from bomaudit.normalise.sections import alternate_rows
from bomaudit.normalise.shift import realign
from bomaudit.normalise.structure import Structure, check_edges, edge_schema, repair_float_ids, table_structure
from bomaudit.normalise.workbook import SheetResult, WorkbookPlan, link_sheets, plan_workbooks
from bomaudit.vocab import Role

if TYPE_CHECKING:
    import polars as pl

    from bomaudit.load import RawTable
    from bomaudit.normalise.columns import Columns

__all__ = ["CONTENT_PLACE", "MAX_SKIPPED", "Bom", "NormaliseOptions", "SkippedRow", "TableInfo", "normalise"]


@dataclass(slots=True)
class _TableResult:
    info: TableInfo
    attrs: pl.DataFrame  # attribute rows, in attr_schema()'s columns
    structure: Structure
    has_elements: bool = False  # the table has an element column
    lines: LineCounts | None = None  # what became of the lines of a BOM table
    alternates: pl.DataFrame | None = None  # _row, group: lines that are alternates of each other


#: the fields whose cells are numbers (elements too)
NUMBER_FIELDS = ("qty", "mass", "unit_value", "cn_re_value")


def _detect_decimal_comma(t: TableContext, cols: Columns) -> None:
    """Read the table with decimal commas when its number cells show them and no decimal points
    (see :mod:`~bomaudit.normalise.decimals`), saying so with the cell that decided."""
    from bomaudit.normalise.decimals import comma_evidence

    if t.decimal_comma:
        return
    headers = [h for fld in NUMBER_FIELDS for h in cols.headers_for(fld)] + cols.assemblies + [h for h, _, _ in cols.elements]
    found = comma_evidence(t.frame, headers)
    if found is None:
        return
    header, row, cell = found
    t.decimal_comma = True
    t.raw.details["decimal"] = "comma (detected)"
    t.issues.warn(
        "decimal-comma",
        f"numbers are written with decimal commas ({cell!r} here) and none with a decimal point: read with decimal commas, 1.150,5 as 1150.5",
        "pass --decimal-comma to say so; if the commas separate thousands, write the numbers without them",
        **t.where(row=row, column=header),
    )


def _normalise_table(raw: RawTable, role: Role, options: NormaliseOptions, issues: Collector, key_prefix: str) -> _TableResult:
    import polars as pl

    raw = realign(raw, options.mapping, issues)
    t = TableContext(raw, issues, options, key_prefix)
    cols = map_columns(raw, options.mapping, issues)
    check_not_empty(t)
    if not check_sku_column(t, cols):
        return _without_sku(t, role)
    _detect_decimal_comma(t, cols)
    rows = classify_rows(t, cols, synthesise=role == Role.bom)
    blocks = block_lines(t, cols, rows) if role == Role.bom and "level" in cols.fields and "parent" not in cols.fields else None
    if role == Role.bom:
        split_disagreeing(t, cols, rows)
    if role == Role.bom:
        check_part_numbers(t, cols, rows)
    attrs = attribute_rows(t, cols, rows)
    structure = table_structure(t, role, cols, rows, blocks)
    warn_not_in_force(t, rows)
    info = TableInfo(
        raw.path,
        raw.sheet,
        role.value,
        structure.shape,
        raw.header_row,
        raw.rows,
        int(rows.used.sum()),
        describe(cols),
        cols.ignored,
        raw.details,
        raw.sha256,
        fields=field_headers(cols),
        skipped=skipped_rows(t, rows),
        skipped_total=int((~rows.used).sum()),
        sku_chosen_by=cols.chosen_by,
    )
    lines = line_counts(t, rows) if role == Role.bom else None
    alternates = alternate_rows(t, rows.sections, rows.used) if role == Role.bom else None
    named = alternate_lines(t, cols, structure.edges) if role == Role.bom and structure.edges is not None else None
    if named is not None:
        extra, groups = named
        structure.edges = pl.concat([structure.edges, extra], how="vertical")
        # (a line both after an "OR" and with an alternate column stays in its "OR" group)
        alternates = groups if alternates is None else pl.concat([alternates, groups], how="vertical").unique("_row", keep="first", maintain_order=True)
    if alternates is not None:
        alternates = alternates.with_columns(_file=pl.lit(raw.path, dtype=pl.String), _sheet=pl.lit(raw.sheet, dtype=pl.String))
    return _TableResult(info, attrs, structure, bool(cols.elements), lines, alternates)


def _without_sku(t: TableContext, role: Role) -> _TableResult:
    """A table without a part-number column (an error): no row used, every row read counted as skipped."""
    import polars as pl

    raw = t.raw
    info = TableInfo(
        raw.path,
        raw.sheet,
        role.value,
        "unknown",
        raw.header_row,
        raw.rows,
        0,
        {},
        raw.headers,
        raw.details,
        raw.sha256,
        fields={},
        skipped=all_skipped(t),
        skipped_total=raw.rows,
    )
    return _TableResult(info, pl.DataFrame(schema=attr_schema()), Structure("unknown", None, [], set()))


def _key_prefixes(boms: list[RawTable]) -> list[str]:
    """What goes before a synthetic key: nothing for one BOM table, else the file's name (its path
    when two BOM files share a name), so that keys from different files never collide."""
    if len(boms) < 2:
        return [""] * len(boms)
    names = [Path(raw.path).name if raw.path != "-" else "stdin" for raw in boms]
    out = [name if names.count(name) == 1 else raw.path for name, raw in zip(names, boms, strict=True)]
    # the sheets of one workbook share its name: each sheet's rows get their own keys
    return [f"{key} {raw.sheet}" if raw.workbook_sheets else key for key, raw in zip(out, boms, strict=True)]


@dataclass(slots=True)
class _Gathered:
    """Every table's results, in input order: BOM tables first, then parts tables."""

    infos: list[TableInfo] = field(default_factory=list)
    bom_attrs: list[pl.DataFrame] = field(default_factory=list)
    parts_attrs: list[pl.DataFrame] = field(default_factory=list)
    edges: list[pl.DataFrame] = field(default_factory=list)
    tops: list[str] = field(default_factory=list)
    retired: set[str] = field(default_factory=set)
    assumed_units: set[str] = field(default_factory=set)
    has_elements: bool = False
    lines: list[tuple[TableInfo, LineCounts]] = field(default_factory=list)
    alternates: list[pl.DataFrame] = field(default_factory=list)


def _gather(plan: WorkbookPlan, options: NormaliseOptions, issues: Collector) -> _Gathered:
    out = _Gathered()
    boms, parts = plan.boms, plan.parts
    prefixes = _key_prefixes(boms) + [""] * len(parts)
    sheets: list[SheetResult] = []
    for raw, role, prefix in zip([*boms, *parts], [Role.bom] * len(boms) + [Role.parts] * len(parts), prefixes, strict=True):
        asm = plan.assemblies.get(id(raw))
        done = _normalise_table(raw, role, replace(options, assembly=asm.assembly) if asm else options, issues, prefix)
        out.infos.append(done.info)
        (out.bom_attrs if role == Role.bom else out.parts_attrs).append(done.attrs)
        if done.structure.edges is not None:
            out.edges.append(done.structure.edges)
        if asm is not None or id(raw) in plan.parts_sheets or id(raw) in plan.bom_sheets:
            sheets.append(_sheet_result(raw, done, asm.assembly if asm else None))
        if asm is None:  # a sheet's tops go under its assembly (link_sheets)
            out.tops.extend(done.structure.tops)
        out.retired |= done.structure.retired
        out.assumed_units |= done.structure.assumed_units
        out.has_elements |= done.has_elements
        if done.lines is not None:
            out.lines.append((done.info, done.lines))
        if done.alternates is not None:
            out.alternates.append(done.alternates)
    if sheets:
        edges, products = link_sheets(plan, sheets, issues)
        if edges is not None:
            out.edges.append(edges)
        out.tops.extend(products)
    return out


def _sheet_result(raw: RawTable, done: _TableResult, assembly: str | None) -> SheetResult:
    """The SKUs a workbook sheet lists (the children of its lines and its tops, not the sheet's own
    assembly), for :func:`link_sheets`."""
    edges = done.structure.edges
    skus = set(edges["child"].to_list()) if edges is not None else set(done.attrs["sku"].drop_nulls().to_list())
    return SheetResult(raw, (skus | set(done.structure.tops)) - {assembly}, list(done.structure.tops))


def normalise(boms: list[RawTable], parts: list[RawTable], options: NormaliseOptions) -> Bom:
    """Merge BOM and parts tables into one graph; raises BomauditError on any error."""
    import polars as pl

    issues = Collector()
    for raw in [*boms, *parts]:
        issues.warnings.extend(raw.warnings)
    plan = plan_workbooks(boms, parts, options, issues)
    check_mapping(plan.boms + plan.parts, options, issues)
    got = _gather(plan, options, issues)
    issues.raise_if_errors()
    check_lines_used(got.lines, any(e.height for e in got.edges), options, issues)
    issues.raise_if_errors()
    empty = pl.DataFrame(schema=attr_schema())
    bom_rows = pl.concat(got.bom_attrs, how="vertical") if got.bom_attrs else empty
    parts_rows = pl.concat(got.parts_attrs, how="vertical") if got.parts_attrs else empty
    edge_rows = pl.concat(got.edges, how="vertical") if got.edges else pl.DataFrame(schema=edge_schema())
    edge_rows = repair_float_ids(edge_rows, [bom_rows["sku"], parts_rows["sku"]], got.tops, issues)
    sku_headers = {(i.path, i.sheet): i.fields["sku"] for i in got.infos if "sku" in i.fields}
    matched = match_parts(parts_rows, BomSkus(edge_rows, got.tops, got.retired), options.sku_match, sku_headers, issues)
    attrs = merge_attributes(pl.concat([bom_rows, matched.parts], how="vertical"), issues)
    edges = check_edges(edge_rows, issues)
    issues.raise_if_errors()
    elements = sorted(
        {s for s in SYMBOLS for c in (f"{s}_g", f"{s}_frac") if attrs[c].is_not_null().any()} | {s for s in SYMBOLS if attrs[f"{s}_unk"].any()},
        key=SYMBOLS.index,
    )
    if not got.has_elements and (attrs.height or edges.height):
        issues.warn(
            "no-composition",
            "no rare-earth content column (Dy_g, Tb_pct, …) in any input: parts without composition data are unknown, unless the materials library recognises them (an estimate, shown as one)",
            "give their composition in a --parts file with a sku column and element columns (Dy_pct, Tb_g, …; a blank cell there means none)",
        )
    retired = got.retired
    if retired:
        retired -= set(edges.filter(pl.col("child").is_in(sorted(retired)))["child"].to_list()) | set(got.tops)
    alternates = _alternate_edges(edges, got.alternates)
    return Bom(edges, attrs, sorted(set(got.tops)), retired, got.infos, issues.warnings, elements, matched.loose, alternates, sorted(got.assumed_units))


def _alternate_edges(edges: pl.DataFrame, found: list[pl.DataFrame]) -> pl.DataFrame | None:
    """The edges of lines that are alternates of each other: parent, child, qty, _file, _sheet,
    _row and ``group`` (the row of its first line); None without any."""
    import polars as pl

    if not found:
        return None
    rows = pl.concat(found, how="vertical")
    joined = edges.join(rows, on=["_file", "_sheet", "_row"], how="inner", nulls_equal=True)
    # a group needs two lines under one parent to choose between
    joined = joined.filter(pl.len().over("_file", "_sheet", "group", "parent") > 1)
    return joined if joined.height else None
