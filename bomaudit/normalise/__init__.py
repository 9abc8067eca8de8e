"""From raw tables to one BOM graph: canonical columns, grams, edges and part attributes.

Input: :class:`~bomaudit.load.RawTable` objects (BOM files and ``--parts`` files).
Output: a :class:`Bom` with

* ``edges``: one row per parent → child use, ``qty`` per one parent (grams for bulk lines);
* ``attrs``: one row per SKU with its merged attributes (mass in grams, element masses or
  concentrations, origin, flags, value), conflicts across rows and files being errors;
* what was found in each table, for ``validate`` and the report's ``inputs``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from bomaudit.errors import Collector
from bomaudit.fields import FALSE_WORDS, SYMBOLS
from bomaudit.load import ROW
from bomaudit.normalise.attributes import attr_schema, merge_attributes, read_elements, read_mass
from bomaudit.normalise.columns import check_mapping, describe, map_columns
from bomaudit.normalise.context import TableContext, text
from bomaudit.normalise.model import Bom, NormaliseOptions, TableInfo
from bomaudit.normalise.rows import FOOTER, PLACEHOLDER, skip_rows, sku_text
from bomaudit.normalise.structure import check_edges, indented, quantities, repair_float_ids
from bomaudit.parse import constant, parse_dates, parse_flags, parse_origin
from bomaudit.vocab import END_USES, Role

if TYPE_CHECKING:
    import polars as pl

    from bomaudit.load import RawTable

__all__ = ["Bom", "NormaliseOptions", "TableInfo", "attr_schema", "check_edges", "map_columns", "merge_attributes", "normalise"]


def _normalise_table(
    raw: RawTable, role: Role, options: NormaliseOptions, issues: Collector
) -> tuple[TableInfo, pl.DataFrame, pl.DataFrame | None, list[str], set[str]]:
    """(info, attribute rows, edge rows or None, declared tops, retired SKUs)."""
    import polars as pl

    t = TableContext(raw, issues, options)
    cols = map_columns(raw, options.mapping, issues)
    f = cols.fields
    if raw.frame.height == 0:
        issues.error(
            "no-rows",
            "has a header but no data rows" if raw.header_row else "has no rows",
            "export the BOM again with its lines",
            **t.where(row=raw.header_row),
        )
    if "sku" not in f:
        seen = ", ".join(repr(h) for h in raw.headers[:20]) or "none"
        guess = next((h for h in raw.headers if not h.startswith("column ")), raw.headers[0] if raw.headers else "HEADER")
        issues.error(
            "no-sku-column",
            f"no part-number column found; the headers are {seen}",
            f'name the part-number column with --map sku="{guess}"',
            **t.where(row=raw.header_row),
        )
        info = TableInfo(raw.path, raw.sheet, role.value, "unknown", raw.header_row, raw.rows, 0, {}, raw.headers, raw.details, raw.sha256)
        return info, pl.DataFrame(schema=attr_schema()), None, [], set()

    frame = raw.frame
    n = frame.height
    keep = constant(True, n, pl.Boolean)
    sku = sku_text(frame[f["sku"]])
    # placeholders by an anchored case-blind pattern: no lower-cased copy of every cell
    placeholder = sku.str.contains(PLACEHOLDER)
    sku = pl.select(pl.when((sku == "") | placeholder).then(None).otherwise(sku)).to_series()

    # rows that are not parts: blank part number, footers ("Total", "key:,value"), DNP
    footer = sku.str.contains(FOOTER).fill_null(False)
    skip_rows(t, footer, "footer", "footer or metadata, not a part: skipped")
    keep &= ~footer
    no_sku = sku.is_null() & keep
    skip_rows(t, no_sku, "no-sku", f"no value in {f['sku']!r}: skipped")
    keep &= ~no_sku
    if "dnp" in f:
        dnp_text = text(frame, f["dnp"]).str.to_lowercase()
        dnp = (dnp_text.is_not_null() & ~dnp_text.is_in(list(FALSE_WORDS))).fill_null(False) & keep
        skip_rows(t, dnp, "dnp", "marked do-not-populate: left out")
        keep &= ~dnp

    # effectivity
    in_force = constant(True, n, pl.Boolean)
    for fld, cmp in (("valid_from", "from"), ("valid_to", "to")):
        if fld in f:
            dates, bad = parse_dates(frame[f[fld]])
            t.report_bad(bad & keep, f[fld], "bad-date", "date not understood", "write it as YYYY-MM-DD")
            if cmp == "from":
                in_force &= (dates <= options.as_of).fill_null(True)
            else:
                in_force &= (dates >= options.as_of).fill_null(True)
    out_of_force = keep & ~in_force

    # attributes ------------------------------------------------------------------------
    cols_out: dict[str, pl.Series] = {"sku": sku}
    if "description" in f:
        cols_out["description"] = text(frame, f["description"])
    mass_g, mass_unk = read_mass(t, cols, keep)
    cols_out["mass_g"] = mass_g
    cols_out["mass_unk"] = mass_unk
    if "re_origin" in f:
        cols_out["re_origin"] = parse_origin(frame[f["re_origin"]])
    if "cn_tech" in f:
        flags, bad = parse_flags(frame[f["cn_tech"]])
        t.report_bad(bad & keep, f["cn_tech"], "bad-flag", "not a yes/no value", "write yes or no (also y/n, true/false, 1/0, x)")
        cols_out["cn_tech"] = flags
    for fld in ("unit_value", "cn_re_value"):
        if fld in f:
            parsed = t.numbers(f[fld], "value", "write a plain number in one currency")
            neg = (parsed.values < 0).fill_null(False) & keep
            t.report_bad(neg, f[fld], "negative-value", "value is negative", "values must be 0 or more")
            cols_out[fld] = parsed.values
    if "category" in f:
        cols_out["category"] = text(frame, f["category"]).str.to_lowercase()
    if "end_use" in f:
        use = text(frame, f["end_use"]).str.to_lowercase().str.replace_all(r"[\s_]+", "-")
        bad = (use.is_not_null() & ~use.is_in(list(END_USES))).fill_null(False) & keep
        t.report_bad(bad, f["end_use"], "bad-end-use", "end use not recognised", f"use one of {', '.join(END_USES)}")
        cols_out["end_use"] = use
    read_elements(t, cols, cols_out, keep)

    rows = pl.DataFrame(cols_out).with_columns(
        _file=pl.lit(raw.path, dtype=pl.String),
        _sheet=pl.lit(raw.sheet, dtype=pl.String),
        _row=frame[ROW],
    )
    schema = attr_schema()
    rows = rows.with_columns([pl.lit(None, dtype=dtype).alias(c) for c, dtype in schema.items() if c not in rows.columns]).select(
        [pl.col(c).cast(dtype) for c, dtype in schema.items()]
    )
    stated = [c for c in cols_out if c != "sku" and not c.endswith("_unk")]
    informative = pl.any_horizontal([pl.col(c).is_not_null() for c in stated]) if stated else pl.lit(False)
    unknown_cells = pl.any_horizontal([pl.col(c) for c in cols_out if c.endswith("_unk")]) if any(c.endswith("_unk") for c in cols_out) else pl.lit(False)
    # rows that state nothing about their part add nothing to the merge
    attr_rows = rows.filter(keep & in_force).filter(informative | unknown_cells.fill_null(False))

    # structure -------------------------------------------------------------------------
    tops: list[str] = []
    retired: set[str] = set()
    edges = None
    if role == Role.parts:
        shape = "parts"
    else:
        parent = None
        edge_rows = keep & in_force
        if "parent" in f:
            parent = sku_text(frame[f["parent"]])
            parent = pl.select(pl.when(parent == "").then(None).otherwise(parent)).to_series()
            edge_rows &= parent.is_not_null()
        qty, bulk = quantities(t, f, edge_rows)
        if parent is not None:
            shape = "parent-child"
            base = pl.DataFrame({"parent": parent, "child": sku, "qty": qty, "bulk": bulk, "_row": frame[ROW]})
            live_rows = keep & in_force
            live = base if live_rows.all() else base.filter(live_rows)
            tops = live.select(pl.col("child").filter(pl.col("parent").is_null()).unique()).to_series().to_list()
            edges = live.filter(pl.col("parent").is_not_null())
            retired = set(base.filter(out_of_force)["child"].to_list())
        elif "level" in f:
            shape = "indented"
            edges, tops, retired = indented(t, f["level"], sku, qty, bulk, keep, in_force)
        else:
            shape = "flat"
            name = options.assembly or (Path(raw.path).stem if raw.path != "-" else "stdin")
            tops = [name]
            edges = pl.DataFrame({"parent": constant(name, n, pl.String), "child": sku, "qty": qty, "bulk": bulk, "_row": frame[ROW]}).filter(keep & in_force)
        edges = edges.select(
            pl.col("parent"),
            pl.col("child"),
            pl.col("qty"),
            pl.col("bulk"),
            pl.lit(raw.path, dtype=pl.String).alias("_file"),
            pl.lit(raw.sheet, dtype=pl.String).alias("_sheet"),
            pl.col("_row"),
        )
    if out_of_force.any():
        issues.warn(
            "not-in-force",
            f"{int(out_of_force.sum())} row(s) not in effect on {options.as_of.isoformat()} left out (valid_from/valid_to)",
            **t.where(),
        )
    described = describe(cols)
    info = TableInfo(
        raw.path, raw.sheet, role.value, shape, raw.header_row, raw.rows, int((keep & in_force).sum()), described, cols.ignored, raw.details, raw.sha256
    )
    return info, attr_rows, edges, tops, retired


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
            info, attrs, edges, t_tops, t_retired = _normalise_table(raw, role, options, issues)
            infos.append(info)
            attr_frames.append(attrs)
            if edges is not None:
                edge_frames.append(edges)
            tops.extend(t_tops)
            retired |= t_retired
    issues.raise_if_errors()
    attr_rows = pl.concat(attr_frames, how="vertical") if attr_frames else pl.DataFrame(schema=attr_schema())
    edge_schema = {"parent": pl.String, "child": pl.String, "qty": pl.Float64, "bulk": pl.Boolean, "_file": pl.String, "_sheet": pl.String, "_row": pl.Int64}
    edge_rows = pl.concat(edge_frames, how="vertical") if edge_frames else pl.DataFrame(schema=edge_schema)
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
