"""From raw tables to one BOM graph: canonical columns, grams, edges and part attributes.

Input: :class:`~bomaudit.load.RawTable` objects (BOM files and ``--parts`` files).
Output: a :class:`Bom` with

* ``edges``: one row per parent → child use, ``qty`` per one parent (grams for bulk lines);
* ``attrs``: one row per SKU with its merged attributes (mass in grams, element masses or
  concentrations, origin, flags, value), conflicts across rows and files being errors;
* what was found in each table, for ``validate`` and the report's ``inputs``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bomaudit.errors import Collector, Problem
from bomaudit.fields import (
    CONCENTRATION_UNITS,
    COUNT_UNITS,
    FALSE_WORDS,
    MASS_UNITS,
    SYMBOLS,
    SYNONYMS,
    interpret_header,
    norm_header,
)
from bomaudit.load import CONTENT, ROW, RawTable
from bomaudit.parse import constant, parse_dates, parse_flags, parse_numbers, parse_origin

if TYPE_CHECKING:
    import polars as pl

#: how many bad cells of one kind are listed per column before "and N more"
MAX_LISTED = 10

#: cells that stand for "no part number" in exports; never one SKU shared by unrelated parts
PLACEHOLDER_SKUS = frozenset({"n/a", "na", "-", "--", "~", "none", "tbd", "?", "#n/a"})
END_USES = ("civil", "military", "advanced-semiconductor", "military-ai", "humanitarian")
_FOOTER = r"(?i)^\s*(total|totals|grand total|sum|subtotal|sub-total)\b|:\s*$"
_PLACEHOLDER = "(?i)^(?:" + "|".join(re.escape(p) for p in sorted(PLACEHOLDER_SKUS)) + ")$"


@dataclass(frozen=True, slots=True)
class NormaliseOptions:
    mapping: dict[str, str] = field(default_factory=dict)  # canonical field -> header
    assembly: str | None = None
    as_of: dt.date = field(default_factory=dt.date.today)
    decimal_comma: bool = False


@dataclass(slots=True)
class TableInfo:
    """What ``validate`` reports about one input table."""

    path: str
    sheet: str | None
    role: str  # "bom" or "parts"
    shape: str  # "parent-child", "indented", "flat" or "parts"
    header_row: int | None
    rows_read: int
    rows_used: int
    columns: dict[str, str]  # header -> meaning
    ignored: list[str]
    details: dict[str, str]
    sha256: str


@dataclass(slots=True)
class Bom:
    edges: pl.DataFrame  # one row per BOM line: parent, child, qty, bulk, _file, _sheet, _row (repeats added by the roll-up)
    attrs: pl.DataFrame  # sku, description, mass_g, <El>_g, <El>_frac, <El>_unk, re_origin, cn_tech, ...
    declared_tops: list[str]
    retired: set[str]  # SKUs used only in rows out of effect on the as-of date
    tables: list[TableInfo]
    warnings: list[Problem]
    elements: list[str]  # element symbols for which any column was given


# --- column mapping -------------------------------------------------------------------


@dataclass(slots=True)
class _Columns:
    fields: dict[str, str]  # field -> header
    elements: list[tuple[str, str, str]]  # (header, symbol, unit)
    mass_unit: str | None  # from the mass header
    ignored: list[str]


def _priority(fld: str, header: str) -> int:
    key = norm_header(header)
    names = [norm_header(s) for s in SYNONYMS.get(fld, ())]
    return names.index(key) if key in names else len(names)


def map_columns(table: RawTable, mapping: dict[str, str], issues: Collector) -> _Columns:
    headers = table.headers
    by_norm = {norm_header(h): h for h in headers}
    fields: dict[str, str] = {}
    forced: set[str] = set()
    disabled = {fld for fld, wanted in mapping.items() if wanted == ""}
    for fld, wanted in mapping.items():
        if fld in disabled:
            continue
        header = by_norm.get(norm_header(wanted))
        if header is None:
            if wanted in headers:
                header = wanted
            else:
                continue  # a --map for another file; checked across all inputs by the caller
        fields[fld] = header
        forced.add(header)
    elements: list[tuple[str, str, str]] = []
    mass_unit: str | None = None
    candidates: dict[str, list[str]] = {}
    ignored: list[str] = []
    for header in headers:
        if header in forced:
            continue
        meaning = interpret_header(header)
        if meaning is None:
            ignored.append(header)
            continue
        if meaning.field == "element":
            elements.append((header, meaning.element or "", meaning.unit or ""))
            continue
        if meaning.field in fields or meaning.field in disabled:
            ignored.append(header)
            continue
        candidates.setdefault(meaning.field, []).append(header)
    for fld, headers_for in candidates.items():
        chosen = min(headers_for, key=lambda h: _priority(fld, h))
        fields[fld] = chosen
        others = [h for h in headers_for if h != chosen]
        ignored.extend(others)
        if others:
            issues.warn(
                "ambiguous-column",
                f"columns {', '.join(map(repr, [chosen, *others]))} all look like {fld!r}; using {chosen!r}",
                f"pass --map {fld}=HEADER to choose another",
                file=table.path,
                sheet=table.sheet,
            )
    if "mass" in fields:
        meaning = interpret_header(fields["mass"])
        mass_unit = meaning.unit if meaning is not None and meaning.field == "mass" else None
    return _Columns(fields, elements, mass_unit, ignored)


# --- helpers --------------------------------------------------------------------------


class _Table:
    """One table being normalised, with the error helpers bound to its location."""

    def __init__(self, raw: RawTable, issues: Collector, options: NormaliseOptions) -> None:
        self.raw = raw
        self.issues = issues
        self.options = options
        self.frame = raw.frame

    def where(self, **kw: Any) -> dict[str, Any]:
        return {"file": self.raw.path, "sheet": self.raw.sheet, **kw}

    def report_bad(self, mask: pl.Series, header: str, code: str, what: str, hint: str) -> None:
        """One error per bad cell (up to MAX_LISTED per column), naming row and column."""
        if not mask.any():
            return
        bad = self.frame.filter(mask).select(ROW, header)
        for row, value in bad.head(MAX_LISTED).iter_rows():
            self.issues.error(code, f"{what}: {value!r}", hint, **self.where(row=row, column=header))
        if bad.height > MAX_LISTED:
            self.issues.error(
                code,
                f"{bad.height - MAX_LISTED} more cells like these in this column",
                hint,
                **self.where(column=header),
            )

    def numbers(self, header: str, what: str, hint: str) -> Any:
        parsed = parse_numbers(self.frame[header], decimal_comma=self.options.decimal_comma)
        comma_hint = hint
        if not self.options.decimal_comma:
            comma_hint = f"{hint} (for decimal commas such as 1,5 pass --decimal-comma)"
        self.report_bad(parsed.bad, header, "bad-number", f"{what} is not a number", comma_hint)
        return parsed


def _text(frame: pl.DataFrame, header: str) -> pl.Series:
    import polars as pl

    s = frame[header]
    if s.dtype != pl.String:
        s = s.cast(pl.String)
    s = s.str.strip_chars()
    return pl.select(pl.when(s == "").then(None).otherwise(s)).to_series()


def _sku_text(s: pl.Series) -> pl.Series:
    """SKU cells as text; integers read from typed files lose no precision."""
    import polars as pl

    if s.dtype.is_float():
        whole = (s == s.round(0)).fill_null(False)
        as_int = s.cast(pl.Int64, strict=False).cast(pl.String)
        return pl.select(pl.when(whole).then(as_int).otherwise(s.cast(pl.String))).to_series()
    return s.cast(pl.String).str.strip_chars()


# --- per table ------------------------------------------------------------------------

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
    schema.update({"mass_unk": pl.Boolean, "_file": pl.String, "_sheet": pl.String, "_row": pl.Int64})
    return schema


def _normalise_table(
    raw: RawTable, role: str, options: NormaliseOptions, issues: Collector
) -> tuple[TableInfo, pl.DataFrame, pl.DataFrame | None, list[str], set[str]]:
    """(info, attribute rows, edge rows or None, declared tops, retired SKUs)."""
    import polars as pl

    t = _Table(raw, issues, options)
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
        info = TableInfo(raw.path, raw.sheet, role, "unknown", raw.header_row, raw.rows, 0, {}, raw.headers, raw.details, raw.sha256)
        return info, pl.DataFrame(schema=attr_schema()), None, [], set()

    frame = raw.frame
    n = frame.height
    keep = constant(True, n, pl.Boolean)
    sku = _sku_text(frame[f["sku"]])
    # placeholders by an anchored case-blind pattern: no lower-cased copy of every cell
    placeholder = sku.str.contains(_PLACEHOLDER)
    sku = pl.select(pl.when((sku == "") | placeholder).then(None).otherwise(sku)).to_series()

    # rows that are not parts: blank part number, footers ("Total", "key:,value"), DNP
    footer = sku.str.contains(_FOOTER).fill_null(False)
    _skip_rows(t, footer, "footer", "footer or metadata, not a part: skipped")
    keep &= ~footer
    no_sku = sku.is_null() & keep
    _skip_rows(t, no_sku, "no-sku", f"no value in {f['sku']!r}: skipped")
    keep &= ~no_sku
    if "dnp" in f:
        dnp_text = _text(frame, f["dnp"]).str.to_lowercase()
        dnp = (dnp_text.is_not_null() & ~dnp_text.is_in(list(FALSE_WORDS))).fill_null(False) & keep
        _skip_rows(t, dnp, "dnp", "marked do-not-populate: left out")
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
        cols_out["description"] = _text(frame, f["description"])
    mass_g, mass_unk = _mass(t, cols, keep)
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
        cols_out["category"] = _text(frame, f["category"]).str.to_lowercase()
    if "end_use" in f:
        use = _text(frame, f["end_use"]).str.to_lowercase().str.replace_all(r"[\s_]+", "-")
        bad = (use.is_not_null() & ~use.is_in(list(END_USES))).fill_null(False) & keep
        t.report_bad(bad, f["end_use"], "bad-end-use", "end use not recognised", f"use one of {', '.join(END_USES)}")
        cols_out["end_use"] = use
    _elements(t, cols, cols_out, keep)

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
    if role == "parts":
        shape = "parts"
    else:
        parent = None
        edge_rows = keep & in_force
        if "parent" in f:
            parent = _sku_text(frame[f["parent"]])
            parent = pl.select(pl.when(parent == "").then(None).otherwise(parent)).to_series()
            edge_rows &= parent.is_not_null()
        qty, bulk = _quantities(t, f, edge_rows)
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
            edges, tops, retired = _indented(t, f["level"], sku, qty, bulk, keep, in_force)
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
    described = {h: _describe(fld, h, cols) for fld, h in f.items()}
    for header, sym, unit in cols.elements:
        described[header] = f"element {sym} ({'mass, ' + unit if unit in MASS_UNITS else 'concentration, ' + unit})"
    info = TableInfo(raw.path, raw.sheet, role, shape, raw.header_row, raw.rows, int((keep & in_force).sum()), described, cols.ignored, raw.details, raw.sha256)
    return info, attr_rows, edges, tops, retired


def _describe(fld: str, header: str, cols: _Columns) -> str:
    if fld == "designator" and "qty" in cols.fields:
        return "designator (not used: the quantity column is)"
    if fld == "mass":
        return f"mass ({cols.mass_unit})" if cols.mass_unit else "mass (unit from mass_unit column or cell)"
    return fld


def _skip_rows(t: _Table, mask: pl.Series, code: str, what: str) -> None:
    import polars as pl

    if not mask.any():
        return
    values = [c for c in t.frame.columns if c != ROW]
    if CONTENT in values:  # read lazily: the reader looked at the columns not read
        has_content = t.frame[CONTENT]
    else:
        has_content = t.frame.select(pl.any_horizontal([pl.col(c).is_not_null() for c in values])).to_series() if values else mask
    rows = t.frame.filter(mask & has_content)[ROW].to_list()
    if not rows:
        return
    if len(rows) == 1:
        t.issues.warn(code, what, **t.where(row=rows[0]))
        return
    listed = ", ".join(map(str, rows[:MAX_LISTED])) + (f" and {len(rows) - MAX_LISTED} more" if len(rows) > MAX_LISTED else "")
    t.issues.warn(code, f"rows {listed}: {what}", **t.where())


def _mass(t: _Table, cols: _Columns, keep: pl.Series) -> tuple[pl.Series, pl.Series]:
    import polars as pl

    n = t.frame.height
    if "mass" not in cols.fields:
        return constant(None, n, pl.Float64), constant(False, n, pl.Boolean)
    header = cols.fields["mass"]
    parsed = t.numbers(header, "mass", "write a number with a unit such as 12 g or 0.5 kg")
    unit = parsed.units
    if "mass_unit" in cols.fields:
        col_unit = _text(t.frame, cols.fields["mass_unit"]).str.to_lowercase()
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


def _elements(t: _Table, cols: _Columns, out: dict[str, pl.Series], keep: pl.Series) -> None:

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


def _quantities(t: _Table, f: dict[str, str], live: pl.Series) -> tuple[pl.Series, pl.Series]:
    """Quantity per parent (grams for bulk lines) and the bulk flag."""
    import polars as pl

    n = t.frame.height
    if "qty" in f:
        parsed = t.numbers(f["qty"], "quantity", "write how many are used per assembly, a number greater than 0")
        qty = parsed.values
        blank = qty.is_null() & ~parsed.bad & live
        if blank.any():
            rows = t.frame.filter(blank)[ROW].to_list()
            listed = ", ".join(map(str, rows[:MAX_LISTED])) + (" …" if len(rows) > MAX_LISTED else "")
            t.issues.warn("qty-blank", f"quantity is empty on row(s) {listed}: counted as 1", **t.where(row=rows[0], column=f["qty"]))
        qty = qty.fill_null(1.0)
        bad = (qty <= 0).fill_null(False) & live & ~parsed.bad
        t.report_bad(bad, f["qty"], "bad-qty", "quantity must be greater than 0", "remove the line or enter how many are used")
        cell_unit = parsed.units
    elif "designator" in f:
        # EDA exports without a quantity: one part per reference designator ("C1, C5, C25")
        refs = _text(t.frame, f["designator"])
        qty = refs.str.replace_all(r"[,;\s]+", " ").str.strip_chars().str.split(" ").list.len().cast(pl.Float64)
        qty = pl.select(pl.when(refs.is_null()).then(None).otherwise(qty)).to_series()
        blank = qty.is_null() & live
        qty = qty.fill_null(1.0)
        cell_unit = constant(None, n, pl.String)
        if n:
            t.issues.warn(
                "qty-from-designators",
                f"no quantity column: each line counts one part per designator in {f['designator']!r}"
                + (f" ({int(blank.sum())} line(s) without designators count once)" if blank.any() else ""),
                "name a quantity column with --map qty=HEADER if there is one",
                **t.where(column=f["designator"]),
            )
    else:
        qty = constant(1.0, n, pl.Float64)
        cell_unit = constant(None, n, pl.String)
        if n:
            t.issues.warn("no-qty-column", "no quantity column: every line counts once", "name it with --map qty=HEADER", **t.where())
    uom = _text(t.frame, f["uom"]).str.to_lowercase() if "uom" in f else constant(None, n, pl.String)
    uom = pl.select(pl.coalesce(uom, cell_unit)).to_series()
    if uom.null_count() == n:  # no units anywhere: every line a count
        return qty, constant(False, n, pl.Boolean)
    factor = uom.replace_strict(dict(MASS_UNITS), default=None, return_dtype=pl.Float64)
    bulk = factor.is_not_null()
    other = (uom.is_not_null() & ~bulk & ~uom.is_in(list(COUNT_UNITS))).fill_null(False) & live
    if other.any():
        header = f.get("uom", f.get("qty", ""))
        units = sorted(set(uom.filter(other).to_list()))
        rows = t.frame.filter(other)[ROW].to_list()
        t.issues.warn(
            "uom-not-count-or-mass",
            f"{len(rows)} line(s) in unit(s) {', '.join(map(repr, units))} (neither a count nor a mass): quantity used as a count",
            "give such lines a mass unit or a per-piece mass",
            **t.where(row=rows[0], column=header),
        )
    qty_g = pl.select(pl.when(bulk).then(qty * factor).otherwise(qty)).to_series()
    return qty_g, bulk


def _indented(
    t: _Table, header: str, sku: pl.Series, qty: pl.Series, bulk: pl.Series, keep: pl.Series, in_force: pl.Series
) -> tuple[pl.DataFrame, list[str], set[str]]:
    import polars as pl

    frame = t.frame
    text = _text(frame, header)
    level = (
        pl.select(
            pl.when(text.str.contains(r"\d"))
            .then(text.str.extract(r"(\d+)\s*$", 1).cast(pl.Int64, strict=False))
            .otherwise(text.str.len_chars().cast(pl.Int64))
        ).to_series()
        if text.dtype == pl.String
        else text.cast(pl.Int64)
    )
    bad = (level.is_null() & keep) | (text.is_not_null() & level.is_null())
    t.report_bad(bad & keep, header, "bad-level", "level not understood", "write 0, 1, 2… or .1, ..2")
    rows = pl.DataFrame(
        {
            "i": pl.int_range(frame.height, eager=True),
            "level": level,
            "sku": sku,
            "qty": qty,
            "bulk": bulk,
            "_row": frame[ROW],
            "live": keep & in_force,
            "keep": keep,
        }
    )
    rows = rows.filter(pl.col("keep") & pl.col("level").is_not_null())
    if rows.height == 0:
        return pl.DataFrame(schema={"parent": pl.String, "child": pl.String, "qty": pl.Float64, "bulk": pl.Boolean, "_row": pl.Int64}), [], set()
    top_level = rows["level"].min()
    jumps = rows.filter(pl.col("level") > pl.col("level").shift(1).fill_null(top_level) + 1)
    for r, lv in jumps.select("_row", "level").head(MAX_LISTED).iter_rows():
        t.issues.error(
            "level-jump",
            f"level {lv} follows a row of a lower level by more than one step",
            "a child's level is its parent's plus one; add the missing assembly row",
            **t.where(row=r, column=header),
        )
    max_level = rows["level"].max()
    # parent of a row at level L: the nearest row above at level L-1 (forward fill per level)
    last = {lv: pl.when(pl.col("level") == lv).then(pl.col("i")).otherwise(None).forward_fill() for lv in range(top_level, max_level)}
    rows = rows.with_columns([e.alias(f"last{lv}") for lv, e in last.items()])
    parent_i = pl.lit(None, dtype=pl.UInt32)
    for lv in range(top_level, max_level):
        parent_i = pl.when(pl.col("level") == lv + 1).then(pl.col(f"last{lv}")).otherwise(parent_i)
    rows = rows.with_columns(parent_i=parent_i.cast(pl.Int64))
    by_i = rows.select(pl.col("i").cast(pl.Int64).alias("parent_i"), pl.col("sku").alias("parent"), pl.col("_row").alias("parent_row"))
    rows = rows.join(by_i, on="parent_i", how="left")
    # a row is in effect only when its whole chain is; dropping a row drops its subtree
    live = rows.select("i", "parent_i", "live")
    for _ in range(0 if live["live"].all() else max_level - top_level):
        live = (
            live.join(live.select(pl.col("i").alias("parent_i"), pl.col("live").alias("pl")), on="parent_i", how="left")
            .with_columns(live=pl.col("live") & pl.col("pl").fill_null(True))
            .drop("pl")
        )
    rows = rows.drop("live").join(live.select("i", "live"), on="i", how="left")
    tops = rows.filter(pl.col("parent_i").is_null() & pl.col("live"))["sku"].unique().to_list()
    retired = set(rows.filter(~pl.col("live"))["sku"].to_list())
    children = rows.filter(pl.col("parent_i").is_not_null() & pl.col("live"))
    # repeated sub-assemblies must list the same children each time
    occ = children.group_by("parent", "parent_i").agg(
        pl.concat_str([pl.col("sku"), pl.col("qty").cast(pl.String)], separator="×").sort().str.join("|").alias("sig"),
        pl.col("parent_row").first(),
    )
    variants = occ.sort("parent_row").group_by("parent").agg(pl.col("sig").n_unique().alias("n"), pl.col("parent_row").alias("rows"), pl.col("sig"))
    for parent, rws, sigs in variants.filter(pl.col("n") > 1).select("parent", "rows", "sig").head(MAX_LISTED).iter_rows():
        other = next(r for r, s in zip(rws, sigs, strict=True) if s != sigs[0])
        t.issues.error(
            "subassembly-conflict",
            f"sub-assembly {parent!r} lists different children here than at row {rws[0]}",
            "make every occurrence list the same children, or give the variants different part numbers",
            **t.where(row=other, column=header),
        )
    first_occ = occ.group_by("parent").agg(pl.col("parent_i").min())
    edges = children.join(first_occ, on=["parent", "parent_i"], how="semi")
    return edges.select("parent", pl.col("sku").alias("child"), "qty", "bulk", "_row"), tops, retired


# --- all tables -----------------------------------------------------------------------


def normalise(boms: list[RawTable], parts: list[RawTable], options: NormaliseOptions) -> Bom:
    """Merge BOM and parts tables into one graph; raises BomauditError on any error."""
    import polars as pl

    issues = Collector()
    for raw in [*boms, *parts]:
        issues.warnings.extend(raw.warnings)
    _check_mapping(boms + parts, options, issues)
    infos: list[TableInfo] = []
    attr_frames: list[pl.DataFrame] = []
    edge_frames: list[pl.DataFrame] = []
    tops: list[str] = []
    retired: set[str] = set()
    for role, tables in (("bom", boms), ("parts", parts)):
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
    edge_rows = _repair_float_ids(edge_rows, attr_rows, tops, issues)
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


def _check_mapping(tables: list[RawTable], options: NormaliseOptions, issues: Collector) -> None:
    known = set(SYNONYMS)
    for fld, header in options.mapping.items():
        if fld not in known:
            issues.error("bad-map", f"--map {fld}={header}: {fld!r} is not a field", f"use one of {', '.join(sorted(known))}")
            continue
        if header and not any(norm_header(header) in {norm_header(h) for h in t.headers} or header in t.headers for t in tables):
            heads = sorted({h for t in tables for h in t.headers})[:20]
            issues.error("bad-map", f"--map {fld}={header}: no input has a column {header!r}", f"the headers are {', '.join(map(repr, heads))}")


def _repair_float_ids(edges: pl.DataFrame, attrs: pl.DataFrame, tops: list[str], issues: Collector) -> pl.DataFrame:
    """Parent IDs written as ``749.0`` by an export while components are ``749``: use ``749``."""
    import polars as pl

    if not edges["parent"].str.ends_with(".0").any():
        return edges  # the common case, decided without building the set of known IDs
    known = pl.concat([edges["child"], attrs["sku"], pl.Series(tops, dtype=pl.String)]).unique()
    fixable = edges.filter(
        pl.col("parent").str.contains(r"^\d+\.0+$")
        & ~pl.col("parent").is_in(known.implode())
        & pl.col("parent").str.replace(r"\.0+$", "").is_in(known.implode())
    )
    if fixable.height == 0:
        return edges
    example = fixable.row(0, named=True)
    issues.warn(
        "float-id",
        f"{fixable.height} parent ID(s) written like {example['parent']!r} match part {example['parent'].split('.')[0]!r}: read as whole numbers",
        "export IDs as text to avoid this",
        file=example["_file"],
        sheet=example["_sheet"],
        row=example["_row"],
    )
    return edges.with_columns(
        parent=pl.when(pl.col("parent").str.contains(r"^\d+\.0+$") & pl.col("parent").str.replace(r"\.0+$", "").is_in(known.implode()))
        .then(pl.col("parent").str.replace(r"\.0+$", ""))
        .otherwise(pl.col("parent"))
    )


def merge_attributes(rows: pl.DataFrame, issues: Collector) -> pl.DataFrame:
    """One row per SKU; two different non-blank values for one attribute is an error."""
    import polars as pl

    value_cols = [c for c in rows.columns if c not in {"sku", "_file", "_sheet", "_row"} and not c.endswith("_unk")]
    flag_cols = [c for c in rows.columns if c.endswith("_unk")]
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


def check_edges(edges: pl.DataFrame, issues: Collector) -> pl.DataFrame:
    """Check the edges across files: a self-reference, or a child used both by count and by mass, is an error."""
    import polars as pl

    if edges.height == 0:
        return edges
    self_ref = edges.filter(pl.col("parent") == pl.col("child"))
    for rec in self_ref.head(MAX_LISTED).iter_rows(named=True):
        issues.error(
            "self-reference", f"{rec['child']!r} is listed as its own child", "remove the row", file=rec["_file"], sheet=rec["_sheet"], row=rec["_row"]
        )
    mixed = (
        edges.group_by("child").agg(pl.col("bulk").n_unique().alias("n"), pl.col("_file").first(), pl.col("_row").first()).filter(pl.col("n") > 1)
        if edges["bulk"].any()
        else edges.head(0)
    )
    for rec in mixed.head(MAX_LISTED).iter_rows(named=True):
        issues.error(
            "bulk-and-count",
            f"{rec['child']!r} is used both by mass (bulk) and by count",
            "use one unit of measure for it everywhere",
            file=rec["_file"],
            row=rec["_row"],
        )
    # repeated lines are added up by the roll-up, which sorts the edges anyway
    return edges
