"""Per-row attributes of parts: mass, element content, origin, flags, value, category, end use; merged per SKU."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bomaudit.fields import CONCENTRATION_UNITS, MASS_UNITS, SYMBOLS
from bomaudit.load import ROW
from bomaudit.normalise.context import text
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
    "re_origin": "str",
    "cn_tech": "bool",
    "unit_value": "f64",
    "cn_re_value": "f64",
    "category": "str",
    "end_use": "str",
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
    """The table's rows in use that state something about their part, in :func:`attr_schema`'s columns."""
    import polars as pl

    values = _attribute_columns(t, cols, rows)
    frame = pl.DataFrame(values).with_columns(
        composition_declared=pl.lit(bool(cols.elements), dtype=pl.Boolean),
        _file=pl.lit(t.raw.path, dtype=pl.String),
        _sheet=pl.lit(t.raw.sheet, dtype=pl.String),
        _row=t.frame[ROW],
    )
    schema = attr_schema()
    frame = frame.with_columns([pl.lit(None, dtype=dtype).alias(c) for c, dtype in schema.items() if c not in frame.columns]).select(
        [pl.col(c).cast(dtype) for c, dtype in schema.items()]
    )
    stated = [c for c in values if c != "sku" and not c.endswith("_unk")]
    informative = pl.any_horizontal([pl.col(c).is_not_null() for c in stated]) if stated else pl.lit(False)
    unknown_cells = pl.any_horizontal([pl.col(c) for c in values if c.endswith("_unk")]) if any(c.endswith("_unk") for c in values) else pl.lit(False)
    # rows that state nothing about their part add nothing to the merge
    return frame.filter(rows.used).filter(informative | unknown_cells.fill_null(False) | pl.col("composition_declared"))


def _attribute_columns(t: TableContext, cols: Columns, rows: RowClasses) -> dict[str, pl.Series]:
    """Attribute name -> parsed cells, for the attribute columns the table has; bad cells are errors."""
    f = cols.fields
    frame = t.frame
    keep = rows.keep
    out: dict[str, pl.Series] = {"sku": rows.sku}
    if "description" in f:
        out["description"] = text(frame, f["description"])
    mass_g, mass_unk = _mass(t, cols, keep)
    out["mass_g"] = mass_g
    out["mass_unk"] = mass_unk
    if "re_origin" in f:
        out["re_origin"] = parse_origin(frame[f["re_origin"]])
    if "cn_tech" in f:
        flags, bad = parse_flags(frame[f["cn_tech"]])
        t.report_bad(bad & keep, f["cn_tech"], "bad-flag", "not a yes/no value", "write yes or no (also y/n, true/false, 1/0, x)")
        out["cn_tech"] = flags
    for fld in ("unit_value", "cn_re_value"):
        if fld in f:
            parsed = t.numbers(f[fld], "value", "write a plain number in one currency")
            neg = (parsed.values < 0).fill_null(False) & keep
            t.report_bad(neg, f[fld], "negative-value", "value is negative", "values must be 0 or more")
            out[fld] = parsed.values
    if "category" in f:
        out["category"] = text(frame, f["category"]).str.to_lowercase()
    if "end_use" in f:
        use = text(frame, f["end_use"]).str.to_lowercase().str.replace_all(r"[\s_]+", "-")
        bad = (use.is_not_null() & ~use.is_in(list(END_USES))).fill_null(False) & keep
        t.report_bad(bad, f["end_use"], "bad-end-use", "end use not recognised", f"use one of {', '.join(END_USES)}")
        out["end_use"] = use
    _elements(t, cols, out, keep)
    return out


def _mass(t: TableContext, cols: Columns, keep: pl.Series) -> tuple[pl.Series, pl.Series]:
    import polars as pl

    n = t.frame.height
    if "mass" not in cols.fields:
        return constant(None, n, pl.Float64), constant(False, n, pl.Boolean)
    header = cols.fields["mass"]
    parsed = t.numbers(header, "mass", "write a number with a unit such as 12 g or 0.5 kg")
    unit = parsed.units
    if "mass_unit" in cols.fields:
        col_unit = text(t.frame, cols.fields["mass_unit"]).str.to_lowercase()
        unit = pl.select(pl.coalesce(unit, col_unit)).to_series()
    if cols.mass_unit is not None:
        unit = unit.fill_null(cols.mass_unit)
    factor_map = {k: v for k, v in MASS_UNITS.items()}
    factor = unit.replace_strict(factor_map, default=None, return_dtype=pl.Float64)
    has_value = parsed.values.is_not_null() & keep
    conflict = constant(False, n, pl.Boolean)
    if cols.mass_unit is not None:
        conflict = (parsed.units.is_not_null() & (parsed.units != cols.mass_unit)).fill_null(False) & has_value
        t.report_bad(
            conflict,
            header,
            "unit-conflict",
            f"mass cell's unit disagrees with the header's ({cols.mass_unit})",
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


def _elements(t: TableContext, cols: Columns, out: dict[str, pl.Series], keep: pl.Series) -> None:

    for header, sym, unit in cols.elements:
        parsed = t.numbers(header, f"{sym} content", "write a number, leave it blank for none, or write unknown")
        negative = (parsed.values < 0).fill_null(False) & keep
        t.report_bad(negative, header, "negative-content", f"{sym} content is negative", "content must be 0 or more")
        stray_unit = parsed.units.is_not_null() & ~parsed.unknown & keep
        t.report_bad(stray_unit, header, "unit-in-cell", f"{sym} cell carries a unit; the header gives it ({unit})", "write the number only")
        unk = parsed.unknown
        out[f"{sym}_unk"] = unk if f"{sym}_unk" not in out else (out[f"{sym}_unk"] | unk)
        if unit in MASS_UNITS:
            out[f"{sym}_g"] = parsed.values * MASS_UNITS[unit]
        else:
            frac = parsed.values * CONCENTRATION_UNITS[unit]
            over = (frac > 1).fill_null(False) & keep
            t.report_bad(over, header, "over-100-percent", f"{sym} concentration is above 100 %", f"check the unit of {header!r}")
            out[f"{sym}_frac"] = frac


def merge_attributes(rows: pl.DataFrame, issues: Collector) -> pl.DataFrame:
    """One row per SKU; two different non-blank values for one attribute is an error."""
    import polars as pl

    flag_cols = [c for c in rows.columns if c.endswith("_unk") or c == "composition_declared"]
    value_cols = [c for c in rows.columns if c not in {"sku", "_file", "_sheet", "_row", *flag_cols}]
    if not rows["sku"].is_duplicated().any():  # one row per SKU already: nothing to merge or compare
        return rows.select("sku", *value_cols, *[pl.col(c).fill_null(False) for c in flag_cols])
    compare = {c: (pl.col(c).round_sig_figs(12) if rows.schema[c] == pl.Float64 else pl.col(c)) for c in value_cols if c != "description"}
    agg = rows.group_by("sku", maintain_order=True).agg(
        # min, not first: the same value whatever the row order (values agree, or it is an error)
        [pl.col(c).drop_nulls().min() for c in value_cols]
        + [pl.col(c).fill_null(False).any() for c in flag_cols]
        + [e.drop_nulls().n_unique().alias(f"{c}__n") for c, e in compare.items()]
    )
    counts = [f"{c}__n" for c in compare]
    bad = agg.filter(pl.any_horizontal([pl.col(c) > 1 for c in counts])) if counts else agg.head(0)
    for rec in bad.head(BOMAUDIT_MAX_CONFLICTS).iter_rows(named=True):
        for c in compare:
            if rec[f"{c}__n"] > 1:
                places = (
                    rows.filter(pl.col("sku") == rec["sku"])
                    .filter(pl.col(c).is_not_null())
                    .with_columns(cmp=compare[c])
                    .unique(subset="cmp", keep="first", maintain_order=True)
                    .head(2)
                )
                (v1, f1, s1, r1), (v2, f2, s2, r2) = places.select(c, "_file", "_sheet", "_row").rows()
                sheet1 = f", sheet {s1!r}" if s1 else ""
                issues.error(
                    "conflict",
                    f"SKU {rec['sku']!r} has {_label(c)} {_fmt(v2)} here but {_fmt(v1)} in {f1}{sheet1}, row {r1}",
                    "make the two agree or give the variants different part numbers",
                    sku=rec["sku"],
                    file=f2,
                    sheet=s2,
                    row=r2,
                    column=_label(c),
                )
    return agg.drop(counts)


BOMAUDIT_MAX_CONFLICTS = 20


def _label(col: str) -> str:
    if col.endswith("_frac"):
        return f"{col[:-5]} concentration"
    return col


def _fmt(v: object) -> str:
    return repr(v) if not isinstance(v, float) else f"{v:g}"
