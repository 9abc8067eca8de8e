"""Per-row attributes of parts: mass, element content, origin, flags, value, category, end use; merged per SKU."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bomaudit.errors import MAX_LISTED
from bomaudit.fields import CONCENTRATION_UNITS, DESCRIBING_HEADERS, MASS_UNITS, MEASURES, PER_MEASURE_FIELDS, SYMBOLS, interpret_header, per_measure_unit
from bomaudit.load import ROW
from bomaudit.normalise.columns import header_mass_unit
from bomaudit.normalise.context import cell_text, close, merge_columns, text
from bomaudit.parse import constant, parse_flags, parse_origin
from bomaudit.vocab import END_USES

if TYPE_CHECKING:
    import polars as pl

    from bomaudit.errors import Collector
    from bomaudit.normalise.columns import Columns
    from bomaudit.normalise.context import TableContext
    from bomaudit.normalise.rows import RowClasses

ATTR_SCHEMA_BASE = {
    "sku": "str",
    "description": "str",
    "mass_g": "f64",
    # grams per metre, square metre or litre (fields.MEASURES): the mass of a part used by measure
    "mass_per_m_g": "f64",
    "mass_per_m2_g": "f64",
    "mass_per_l_g": "f64",
    "re_origin": "str",
    "cn_tech": "bool",
    "unit_value": "f64",
    "cn_re_value": "f64",
    "category": "str",
    "end_use": "str",
    #: what the line says it is, for the materials library: description, value, footprint, other
    #: name columns, joined by " | " (not compared between rows: wording differs)
    "text": "str",
    #: the letters of its first reference designator ("R" of "R1, R2"), for the materials library
    "refdes": "str",
}


def attr_schema() -> dict[str, Any]:
    import polars as pl

    kinds = {"str": pl.String, "f64": pl.Float64, "bool": pl.Boolean}
    schema: dict[str, Any] = {k: kinds[v] for k, v in ATTR_SCHEMA_BASE.items()}
    for sym in SYMBOLS:
        schema[f"{sym}_g"] = pl.Float64
        schema[f"{sym}_frac"] = pl.Float64
        schema[f"{sym}_unk"] = pl.Boolean
    schema.update({"mass_unk": pl.Boolean, "composition_declared": pl.Boolean, "_file": pl.String, "_sheet": pl.String, "_row": pl.Int64})
    return schema


def attribute_rows(t: TableContext, cols: Columns, rows: RowClasses) -> pl.DataFrame:
    """The table's rows in use that state something about their part, in :func:`attr_schema`'s columns.

    In a table with an element column every row in use states something: a blank element cell is
    a declared zero ("no rare earths here"), and ``composition_declared`` is True on each.
    """
    import polars as pl

    values = _attribute_columns(t, cols, rows)
    declared = bool(cols.elements)
    frame = pl.DataFrame(values).with_columns(
        composition_declared=pl.lit(declared, dtype=pl.Boolean),
        _file=pl.lit(t.raw.path, dtype=pl.String),
        _sheet=pl.lit(t.raw.sheet, dtype=pl.String),
        _row=t.frame[ROW],
    )
    schema = attr_schema()
    frame = frame.with_columns([pl.lit(None, dtype=dtype).alias(c) for c, dtype in schema.items() if c not in frame.columns]).select(
        [pl.col(c).cast(dtype) for c, dtype in schema.items()]
    )
    if declared:
        return frame.filter(rows.used)
    stated = [c for c in values if c != "sku" and not c.endswith("_unk")]
    informative = pl.any_horizontal([pl.col(c).is_not_null() for c in stated]) if stated else pl.lit(False)
    unknown_cells = pl.any_horizontal([pl.col(c) for c in values if c.endswith("_unk")]) if any(c.endswith("_unk") for c in values) else pl.lit(False)
    # rows that state nothing about their part add nothing to the merge
    return frame.filter(rows.used).filter(informative | unknown_cells.fill_null(False) | pl.col("composition_declared"))


def _attribute_columns(t: TableContext, cols: Columns, rows: RowClasses) -> dict[str, pl.Series]:
    """Attribute name -> parsed cells, for the attribute columns the table has; bad cells are errors.

    An attribute given by several columns is merged cell by cell (:func:`merge_columns`).
    """
    import polars as pl

    f = cols.fields
    frame = t.frame
    keep = rows.keep
    out: dict[str, pl.Series] = {"sku": rows.sku}
    if "description" in f:
        out["description"] = text(frame, f["description"])
    out.update(_match_text(t, cols))
    mass_g, mass_unk = _mass(t, cols, keep)
    out["mass_g"] = mass_g
    out["mass_unk"] = mass_unk
    for dim, fld in PER_MEASURE_FIELDS.items():
        if fld in f:
            what = f"mass per {MEASURES[dim][0]}"
            pieces = [(h, _per_measure_column(t, h, dim, keep)) for h in cols.headers_for(fld)]
            out[MEASURES[dim][1]] = merge_columns(t, what, pieces, keep, fld)
    if "re_origin" in f:
        out["re_origin"] = merge_columns(t, "rare-earth origin", [(h, parse_origin(frame[h])) for h in cols.headers_for("re_origin")], keep, "re_origin")
    if "cn_tech" in f:
        out["cn_tech"] = merge_columns(t, "the Chinese-technology flag", [(h, _flags(t, h, keep)) for h in cols.headers_for("cn_tech")], keep, "cn_tech")
    for fld in ("unit_value", "cn_re_value"):
        if fld in f:
            out[fld] = merge_columns(t, fld.replace("_", " "), [(h, _value(t, h, keep)) for h in cols.headers_for(fld)], keep, fld)
    if "category" in f:
        categories = [(h, text(frame, h).str.to_lowercase()) for h in cols.headers_for("category")]
        out["category"] = merge_columns(t, "category", categories, keep, "category")
    if rows.sections is not None and rows.sections.section.is_not_null().any():
        # a line's own category wins over the heading it is under
        # a part listed under two headings takes the first: a heading names a group, not what the part is
        under = rows.sections.section.filter(rows.keep)
        first = pl.DataFrame({"sku": rows.sku.filter(rows.keep), "s": under}).group_by("sku", maintain_order=True).agg(pl.col("s").drop_nulls().first())
        heading = pl.DataFrame({"sku": rows.sku}).join(first, on="sku", how="left", maintain_order="left")["s"]
        out["category"] = pl.select(pl.coalesce(out.get("category", heading), heading)).to_series()
    if "end_use" in f:
        out["end_use"] = merge_columns(t, "end use", [(h, _end_use(t, h, keep)) for h in cols.headers_for("end_use")], keep, "end_use")
    _elements(t, cols, out, keep)
    return out


_DESIGNATOR_LETTERS = r"^\s*([A-Za-z]{1,4})\d"


def _match_text(t: TableContext, cols: Columns) -> dict[str, pl.Series]:
    """``text``: the description, value and footprint-like cells of each row joined, for the
    materials library; ``refdes``: the letters of the row's first designator."""
    import polars as pl

    f = cols.fields
    headers = [*cols.headers_for("description"), *cols.headers_for("value")]
    headers += [h for h in t.raw.headers if h in t.frame.columns and h not in headers and h != f.get("sku") and DESCRIBING_HEADERS.search(h)]
    out: dict[str, pl.Series] = {}
    if headers:
        joined = pl.concat_str([text(t.frame, h) for h in dict.fromkeys(headers)], separator=" | ", ignore_nulls=True)
        out["text"] = pl.select(pl.when(joined != "").then(joined)).to_series().alias("text")
    if "designator" in f:
        out["refdes"] = text(t.frame, f["designator"]).str.extract(_DESIGNATOR_LETTERS, 1).str.to_uppercase().alias("refdes")
    return out


def _flags(t: TableContext, header: str, keep: pl.Series) -> pl.Series:
    flags, bad = parse_flags(t.frame[header])
    t.report_bad(bad & keep, header, "bad-flag", "not a yes/no value", "write yes or no (also y/n, true/false, 1/0, x)")
    return flags


def _value(t: TableContext, header: str, keep: pl.Series) -> pl.Series:
    parsed = t.numbers(header, "value", "write a plain number in one currency")
    neg = (parsed.values < 0).fill_null(False) & keep
    t.report_bad(neg, header, "negative-value", "value is negative", "values must be 0 or more")
    # a percentage or a mass is not a price (a unit after the number is otherwise a currency)
    not_money = parsed.units.is_in([*CONCENTRATION_UNITS, *MASS_UNITS]).fill_null(False) & keep
    t.report_bad(not_money, header, "bad-value", "value is a percentage or a mass, not a price", "write the price per unit as a number")
    return parsed.values


def _end_use(t: TableContext, header: str, keep: pl.Series) -> pl.Series:
    use = text(t.frame, header).str.to_lowercase().str.replace_all(r"[\s_]+", "-")
    bad = (use.is_not_null() & ~use.is_in(list(END_USES))).fill_null(False) & keep
    t.report_bad(bad, header, "bad-end-use", "end use not recognised", f"use one of {', '.join(END_USES)}")
    return use


def _mass(t: TableContext, cols: Columns, keep: pl.Series) -> tuple[pl.Series, pl.Series]:
    """Grams per unit and the cells that say unknown, from every mass column (merged)."""
    import polars as pl

    n = t.frame.height
    headers = cols.headers_for("mass")
    if not headers:
        return constant(None, n, pl.Float64), constant(False, n, pl.Boolean)
    col_unit = text(t.frame, cols.fields["mass_unit"]).str.to_lowercase() if "mass_unit" in cols.fields else None
    pieces: list[tuple[str, pl.Series]] = []
    unknown = constant(False, n, pl.Boolean)
    for header in headers:
        grams, unk = _mass_column(t, header, header_mass_unit(header), col_unit, keep)
        pieces.append((header, grams))
        unknown |= unk
    return merge_columns(t, "mass", pieces, keep, "mass"), unknown


def _mass_column(t: TableContext, header: str, header_unit: str | None, col_unit: pl.Series | None, keep: pl.Series) -> tuple[pl.Series, pl.Series]:
    import polars as pl

    n = t.frame.height
    parsed = t.numbers(header, "mass", "write a number with a unit such as 12 g or 0.5 kg")
    unit = parsed.units
    if col_unit is not None:
        unit = pl.select(pl.coalesce(unit, col_unit)).to_series()
    if header_unit is not None:
        unit = unit.fill_null(header_unit)
    factor = unit.replace_strict(dict(MASS_UNITS), default=None, return_dtype=pl.Float64)
    has_value = parsed.values.is_not_null() & keep
    conflict = constant(False, n, pl.Boolean)
    if header_unit is not None:
        conflict = (parsed.units.is_not_null() & (parsed.units != header_unit)).fill_null(False) & has_value
        t.report_bad(
            conflict,
            header,
            "unit-conflict",
            f"mass cell's unit disagrees with the header's ({header_unit})",
            "remove the unit from the cell or fix the header",
        )
    no_unit = has_value & unit.is_null()
    t.report_bad(
        no_unit,
        header,
        "mass-without-unit",
        "mass has no unit",
        "put the unit in the header (mass_g, Weight (kg)), in a mass_unit column, or in the cell (12 g)",
    )
    bad_unit = has_value & unit.is_not_null() & factor.is_null()
    t.report_bad(bad_unit, header, "unknown-unit", "mass unit not recognised", "use g, kg, mg, lb or oz")
    negative = (parsed.values < 0).fill_null(False) & keep
    t.report_bad(negative, header, "bad-mass", "mass is negative", "enter the part's mass per unit")
    return parsed.values * factor, parsed.unknown


def _per_measure_column(t: TableContext, header: str, dim: str, keep: pl.Series) -> pl.Series:
    """Grams per metre, square metre or litre (``dim``'s canonical unit) from a per-measure mass
    column: the units from the cell ("1.2 kg/m"; "1.2 kg" under a header naming the measure,
    "Weight per m") or the header ("kg/m", "mass per m (g)"); without a mass unit it is an error."""
    import polars as pl

    meaning = interpret_header(header)
    header_unit = meaning.unit if meaning is not None else None
    measure = header_unit.partition("/")[2] if header_unit else ""
    parsed = t.numbers(header, f"mass per {MEASURES[dim][0]}", "write a number with its units, such as 1.2 kg/m")
    cell = parsed.units.str.replace_all(r"\s+", "")
    # a cell's mass unit under a header naming the measure ("Weight per m": "1.2 kg") is kg/m
    cell = pl.select(pl.when(cell.str.contains("/")).then(cell).otherwise(pl.concat_str([cell, pl.lit(f"/{measure}")]))).to_series()
    unit = cell.fill_null(header_unit or "")
    units = {u: per_measure_unit(u) for u in unit.unique().drop_nulls().to_list()}
    factor = unit.replace_strict({u: (v[1] if v is not None and v[0] == dim else None) for u, v in units.items()}, default=None, return_dtype=pl.Float64)
    has = parsed.values.is_not_null() & keep
    wrong_dim = has & unit.replace_strict({u: v is not None and v[0] != dim for u, v in units.items()}, default=False, return_dtype=pl.Boolean)
    t.report_bad(wrong_dim, header, "unit-conflict", f"the cell's unit is not a mass per {MEASURES[dim][0]}", f"write the mass per {dim} (such as 1.2 kg/m)")
    missing = has & factor.is_null() & ~wrong_dim
    t.report_bad(
        missing,
        header,
        "mass-without-unit",
        f"mass per {dim} has no usable units",
        "put the units in the header (mass per m (g), kg/m, lb/ft, g/m2, g/L) or in the cell (1.2 kg/m)",
    )
    negative = (parsed.values < 0).fill_null(False) & keep
    t.report_bad(negative, header, "bad-mass", f"mass per {dim} is negative", f"enter the part's mass per {MEASURES[dim][0]}")
    return parsed.values * factor


def _elements(t: TableContext, cols: Columns, out: dict[str, pl.Series], keep: pl.Series) -> None:
    """``<El>_g`` (grams per unit) and ``<El>_frac`` (share of the unit's mass) and ``<El>_unk``.

    Several columns giving one element in one form (``Dy %`` and ``Dysprosium %``, ``Dy_pct`` and
    ``Dy_ppm``) are merged cell by cell; a row giving both forms must agree with its mass.
    """
    import polars as pl

    groups: dict[str, list[tuple[str, pl.Series]]] = {}
    for header, sym, unit in cols.elements:
        parsed = t.numbers(header, f"{sym} content", "write a number, leave it blank for none, or write unknown")
        negative = (parsed.values < 0).fill_null(False) & keep
        t.report_bad(negative, header, "negative-content", f"{sym} content is negative", "content must be 0 or more")
        # a concentration column may hold a percentage written as such (``5%``, as Excel shows a
        # percent-formatted cell): the cell's unit says what the number is
        in_cell = parsed.units.replace_strict(CONCENTRATION_UNITS, default=None, return_dtype=pl.Float64)
        allowed = in_cell.is_not_null() if unit not in MASS_UNITS else pl.repeat(False, parsed.units.len(), eager=True)
        stray_unit = parsed.units.is_not_null() & ~allowed & ~parsed.unknown & keep
        t.report_bad(stray_unit, header, "unit-in-cell", f"{sym} cell carries a unit; the header gives it ({unit})", "write the number only")
        unk = parsed.unknown
        out[f"{sym}_unk"] = unk if f"{sym}_unk" not in out else (out[f"{sym}_unk"] | unk)
        if unit in MASS_UNITS:
            groups.setdefault(f"{sym}_g", []).append((header, parsed.values * MASS_UNITS[unit]))
        else:
            frac = parsed.values * in_cell.fill_null(CONCENTRATION_UNITS[unit])
            over = (frac > 1).fill_null(False) & keep
            t.report_bad(over, header, "over-100-percent", f"{sym} concentration is above 100 %", f"check the unit of {header!r}")
            groups.setdefault(f"{sym}_frac", []).append((header, frac))
    for col, pieces in groups.items():
        sym = col.split("_")[0]
        out[col] = merge_columns(t, f"{sym} {'content' if col.endswith('_g') else 'concentration'}", pieces, keep)
    for sym in dict.fromkeys(c.split("_")[0] for c in groups):
        if f"{sym}_g" in groups and f"{sym}_frac" in groups:
            _check_forms(t, sym, groups[f"{sym}_g"], groups[f"{sym}_frac"], out, keep)


def _check_forms(
    t: TableContext, sym: str, grams: list[tuple[str, pl.Series]], fractions: list[tuple[str, pl.Series]], out: dict[str, pl.Series], keep: pl.Series
) -> None:
    """A row giving an element both as a mass and as a concentration: the two must agree with the row's mass."""
    import polars as pl

    g, frac, mass = out[f"{sym}_g"], out[f"{sym}_frac"], out["mass_g"]
    both = pl.col("keep") & pl.col("g").is_not_null() & pl.col("frac").is_not_null() & pl.col("mass").is_not_null()
    mask = pl.DataFrame({"g": g, "frac": frac, "mass": mass, "keep": keep}).select(both & ~close(pl.col("g"), pl.col("frac") * pl.col("mass"))).to_series()
    for i in mask.fill_null(False).arg_true().head(MAX_LISTED).to_list():
        hg = next(h for h, s in grams if s[i] is not None)
        hf = next(h for h, s in fractions if s[i] is not None)
        t.issues.error(
            "content-conflict",
            f"{sym} is given twice and the two disagree: '{cell_text(t.frame[hg][i])}' in {hg!r} is {g[i]:g} g, but '{cell_text(t.frame[hf][i])}' in {hf!r} "
            f"is {frac[i] * mass[i]:g} g of the {mass[i]:g} g part",
            "make the two agree or clear one of them",
            **t.where(row=t.frame[ROW][i], column=hf),
        )


#: per SKU, the place of its first row that gives an element's content (file, sheet, row), for errors about it
CONTENT_PLACE = ("_content_file", "_content_sheet", "_content_row")


def merge_attributes(rows: pl.DataFrame, issues: Collector) -> pl.DataFrame:
    """One row per SKU; two different non-blank values for one attribute is an error, and so is an
    element given as a mass in one row and as a concentration of the part's mass in another that
    disagree. Flags (``<El>_unk``, ``mass_unk``, ``composition_declared``) are any() of the rows;
    :data:`CONTENT_PLACE` says where the first row giving element content is (null without one)."""
    import polars as pl

    flag_cols = [c for c in rows.columns if c.endswith("_unk") or c == "composition_declared"]
    value_cols = [c for c in rows.columns if c not in {"sku", "_file", "_sheet", "_row", *flag_cols}]
    has_content = pl.any_horizontal([pl.col(f"{s}_{form}").is_not_null() for s in SYMBOLS for form in ("g", "frac")])
    place = [pl.when(has_content).then(pl.col(c)).alias(alias) for c, alias in zip(("_file", "_sheet", "_row"), CONTENT_PLACE, strict=True)]
    if not rows["sku"].is_duplicated().any():  # one row per SKU already: nothing to merge or compare
        return rows.select("sku", *value_cols, *[pl.col(c).fill_null(False) for c in flag_cols], *place)
    compare = {
        c: (pl.col(c).round_sig_figs(12) if rows.schema[c] == pl.Float64 else pl.col(c)) for c in value_cols if c not in ("description", "text", "refdes")
    }
    agg = (
        rows.with_columns(_has_content=has_content)
        .group_by("sku", maintain_order=True)
        .agg(
            # min, not first: the same value whatever the row order (values agree, or it is an error)
            [pl.col(c).drop_nulls().min() for c in value_cols]
            + [pl.col(c).fill_null(False).any() for c in flag_cols]
            + [e.drop_nulls().n_unique().alias(f"{c}__n") for c, e in compare.items()]
            # the place is of one row, the first in input order (files, then rows)
            + [pl.col(c).filter(pl.col("_has_content")).first().alias(alias) for c, alias in zip(("_file", "_sheet", "_row"), CONTENT_PLACE, strict=True)]
        )
    )
    counts = [f"{c}__n" for c in compare]
    bad = agg.filter(pl.any_horizontal([pl.col(c) > 1 for c in counts])) if counts else agg.head(0)
    for rec in bad.head(BOMAUDIT_MAX_CONFLICTS).iter_rows(named=True):
        for c in compare:
            if rec[f"{c}__n"] > 1:
                _report_conflict(rows, rec["sku"], c, compare[c], issues)
    agg = agg.drop(counts)
    if not bad.height:
        _check_merged_forms(agg, rows, issues)
    return agg


def _report_conflict(rows: pl.DataFrame, sku: str, c: str, cmp: pl.Expr, issues: Collector) -> None:
    import polars as pl

    places = (
        rows.filter(pl.col("sku") == sku).filter(pl.col(c).is_not_null()).with_columns(cmp=cmp).unique(subset="cmp", keep="first", maintain_order=True).head(2)
    )
    (v1, f1, s1, r1), (v2, f2, s2, r2) = places.select(c, "_file", "_sheet", "_row").rows()
    sheet1 = f", sheet {s1!r}" if s1 else ""
    issues.error(
        "conflict",
        f"SKU {sku!r} has {_label(c)} {_fmt(v2)} here but {_fmt(v1)} in {f1}{sheet1}, row {r1}",
        "make the two agree or give the variants different part numbers",
        sku=sku,
        file=f2,
        sheet=s2,
        row=r2,
        column=_label(c),
    )


def _check_merged_forms(agg: pl.DataFrame, rows: pl.DataFrame, issues: Collector) -> None:
    """An element given in grams by one row and as a concentration by another must agree with the part's mass."""
    import polars as pl

    for sym in SYMBOLS:
        g, frac = f"{sym}_g", f"{sym}_frac"
        if agg[g].null_count() == agg.height or agg[frac].null_count() == agg.height:
            continue
        both = pl.col(g).is_not_null() & pl.col(frac).is_not_null() & pl.col("mass_g").is_not_null()
        bad = agg.filter(both & ~close(pl.col(g), pl.col(frac) * pl.col("mass_g")))
        for sku, grams, share, mass in bad.select("sku", g, frac, "mass_g").head(BOMAUDIT_MAX_CONFLICTS).iter_rows():
            of_sku = rows.filter(pl.col("sku") == sku)
            fg, sg, rg = of_sku.filter(pl.col(g).is_not_null()).select("_file", "_sheet", "_row").row(0)
            ff, sf, rf = of_sku.filter(pl.col(frac).is_not_null()).select("_file", "_sheet", "_row").row(0)
            sheet = f", sheet {sf!r}" if sf else ""
            issues.error(
                "conflict",
                f"SKU {sku!r} has {sym} {grams:g} g here but {share * 100:g} % of its {mass:g} g ({share * mass:g} g) in {ff}{sheet}, row {rf}",
                "make the two agree, or give the element in one form only",
                sku=sku,
                file=fg,
                sheet=sg,
                row=rg,
                column=g,
            )


BOMAUDIT_MAX_CONFLICTS = 20


def _label(col: str) -> str:
    if col.endswith("_frac"):
        return f"{col[:-5]} concentration"
    return col


def _fmt(v: object) -> str:
    return repr(v) if not isinstance(v, float) else f"{v:g}"
