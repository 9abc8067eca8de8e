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

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bomaudit.errors import Collector
from bomaudit.fields import SYMBOLS
from bomaudit.normalise.attributes import attr_schema, attribute_rows, merge_attributes
from bomaudit.normalise.columns import check_mapping, check_sku_column, describe, field_headers, map_columns
from bomaudit.normalise.context import TableContext
from bomaudit.normalise.model import MAX_SKIPPED, Bom, NormaliseOptions, SkippedRow, TableInfo
from bomaudit.normalise.rows import all_skipped, check_not_empty, classify_rows, skipped_rows, warn_not_in_force
from bomaudit.normalise.structure import Structure, check_edges, edge_schema, repair_float_ids, table_structure
from bomaudit.vocab import Role

if TYPE_CHECKING:
    import polars as pl

    from bomaudit.load import RawTable

__all__ = ["MAX_SKIPPED", "Bom", "NormaliseOptions", "SkippedRow", "TableInfo", "normalise"]


@dataclass(slots=True)
class _TableResult:
    info: TableInfo
    attrs: pl.DataFrame  # attribute rows, in attr_schema()'s columns
    structure: Structure


def _normalise_table(raw: RawTable, role: Role, options: NormaliseOptions, issues: Collector) -> _TableResult:
    t = TableContext(raw, issues, options)
    cols = map_columns(raw, options.mapping, issues)
    check_not_empty(t)
    if not check_sku_column(t, cols):
        return _without_sku(t, role)
    rows = classify_rows(t, cols)
    attrs = attribute_rows(t, cols, rows)
    structure = table_structure(t, role, cols, rows)
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
    )
    return _TableResult(info, attrs, structure)


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


def normalise(boms: list[RawTable], parts: list[RawTable], options: NormaliseOptions) -> Bom:
    """Merge BOM and parts tables into one graph; raises BomauditError on any error."""
    import polars as pl

    issues = Collector()
    for raw in [*boms, *parts]:
        issues.warnings.extend(raw.warnings)
    check_mapping(boms + parts, options, issues)
    infos: list[TableInfo] = []
    attr_frames: list[pl.DataFrame] = []
    edge_frames: list[pl.DataFrame] = []
    tops: list[str] = []
    retired: set[str] = set()
    for role, tables in ((Role.bom, boms), (Role.parts, parts)):
        for raw in tables:
            done = _normalise_table(raw, role, options, issues)
            infos.append(done.info)
            attr_frames.append(done.attrs)
            if done.structure.edges is not None:
                edge_frames.append(done.structure.edges)
            tops.extend(done.structure.tops)
            retired |= done.structure.retired
    issues.raise_if_errors()
    attr_rows = pl.concat(attr_frames, how="vertical") if attr_frames else pl.DataFrame(schema=attr_schema())
    edge_rows = pl.concat(edge_frames, how="vertical") if edge_frames else pl.DataFrame(schema=edge_schema())
    edge_rows = repair_float_ids(edge_rows, attr_rows, tops, issues)
    attrs = merge_attributes(attr_rows, issues)
    edges = check_edges(edge_rows, issues)
    issues.raise_if_errors()
    elements = sorted(
        {s for s in SYMBOLS for c in (f"{s}_g", f"{s}_frac") if attrs[c].is_not_null().any()} | {s for s in SYMBOLS if attrs[f"{s}_unk"].any()},
        key=SYMBOLS.index,
    )
    if not elements and attrs.height:
        issues.warn(
            "no-composition",
            "no rare-earth content column (Dy_g, Tb_pct, …) in any input: every part counts as free of rare earths",
            "add element columns to a --parts file",
        )
    if retired:
        retired -= set(edges.filter(pl.col("child").is_in(sorted(retired)))["child"].to_list()) | set(tops)
    return Bom(edges, attrs, sorted(set(tops)), retired, infos, issues.warnings, elements)
