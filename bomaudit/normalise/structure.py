"""The BOM's structure: quantities per parent, edges from parent-child, indented and flat tables."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from bomaudit.errors import MAX_LISTED, listed
from bomaudit.fields import CONCENTRATION_UNITS, COUNT_UNITS, MASS_UNITS, MEASURE_UNITS, MEASURE_WORDS, MEASURES
from bomaudit.load import ROW
from bomaudit.normalise import designators
from bomaudit.normalise.context import merge_columns, text
from bomaudit.normalise.multilevel import Block, add_tops, divide_totals, fill_down_parents, per_base, refuse_totals
from bomaudit.normalise.rows import sku_text
from bomaudit.normalise.stock import stock_lengths
from bomaudit.parse import Parsed, ascii_digits, constant
from bomaudit.vocab import Role

if TYPE_CHECKING:
    import polars as pl

    from bomaudit.errors import Collector
    from bomaudit.normalise.columns import Columns
    from bomaudit.normalise.context import TableContext
    from bomaudit.normalise.rows import RowClasses


@dataclass(slots=True)
class Quantities:
    """Per row: how many per one parent (grams for bulk lines; metres, square metres or litres for
    lines by measure), whether the line is by mass, and the measure of a line used by one."""

    qty: pl.Series  # Float64
    bulk: pl.Series  # Boolean
    measure: pl.Series  # String: "length", "area", "volume" (the amount in m, m², L), or null
    #: rows whose amount rests on an assumed unit (a piece length read in the descriptions' unit)
    assumed: pl.Series | None = None


@dataclass(slots=True)
class Structure:
    """One table's part of the BOM graph."""

    shape: str  # "parent-child", "indented", "flat", "where-used", "parts", or "unknown" (no part-number column)
    edges: pl.DataFrame | None  # parent, child, qty, bulk, measure, _file, _sheet, _row; None for a parts table
    tops: list[str]  # SKUs the table declares as top level
    retired: set[str]  # SKUs of rows out of effect on the as-of date
    #: SKUs whose amount on some line rests on an assumed unit (:mod:`.stock`): an assumption to show
    assumed_units: set[str] = field(default_factory=set)


@dataclass(slots=True)
class _Counts:
    qty: pl.Series  # as written, blank cells counting 1
    cell_unit: pl.Series  # String: a unit written in the quantity cell, or null


def edge_schema() -> dict[str, pl.DataType]:
    import polars as pl

    return {
        "parent": pl.String,
        "child": pl.String,
        "qty": pl.Float64,
        "bulk": pl.Boolean,
        "measure": pl.String,
        "_file": pl.String,
        "_sheet": pl.String,
        "_row": pl.Int64,
    }


def table_structure(t: TableContext, role: Role, cols: Columns, rows: RowClasses, blocks: list[Block] | None = None) -> Structure:
    """The edges, top-level and retired SKUs of a table, by its shape; a parts table has none.
    ``blocks``: an indented table's explosions (:func:`~bomaudit.normalise.multilevel.block_lines`)."""
    import polars as pl

    if role == Role.parts:
        return Structure("parts", None, [], set())
    if cols.assemblies:
        found = _where_used(t, cols, rows)
        return Structure(found.shape, _located(t, found.edges), found.tops, found.retired) if found.edges is not None else found
    f = cols.fields
    parent = None
    edge_rows = rows.used
    if "parent" in f:
        parent = sku_text(t.frame[f["parent"]])
        parent = pl.select(pl.when(parent == "").then(None).otherwise(parent)).to_series()
        parent = fill_down_parents(t, cols, rows, parent)
        edge_rows = edge_rows & parent.is_not_null()
    amounts = quantities(t, cols, edge_rows)
    amounts = Quantities(per_base(t, cols, rows, amounts.qty), amounts.bulk, amounts.measure, amounts.assumed)
    assumed = set() if amounts.assumed is None else set(rows.sku.filter(amounts.assumed & edge_rows).to_list())
    zero = (amounts.qty == 0).fill_null(False) & edge_rows
    if zero.any():
        _warn_zero(t, cols, zero, indented="level" in f and parent is None)
        if parent is not None or "level" not in f:  # (in an indented table the line stays: its subtree counts 0 times)
            edge_rows = edge_rows & ~zero
            rows = replace(rows, used=rows.used & ~zero)
    if parent is not None:
        refuse_totals(t, cols, "a parent-child table")
        found = _parent_child(t, rows, amounts, parent)
    elif "level" in f:
        found = indented(t, f["level"], rows, amounts, blocks, cols.cumulative)
    else:
        found = _flat(t, rows, amounts)
    edges = None if found.edges is None else _located(t, found.edges)
    return Structure(found.shape, edges, found.tops, found.retired, assumed)


def _warn_zero(t: TableContext, cols: Columns, zero: pl.Series, indented: bool) -> None:
    rows = t.frame.filter(zero)[ROW].to_list()
    what = "counted 0 times, with what is below it" if indented else "left out"
    t.issues.warn(
        "qty-zero",
        f"quantity is 0 on row(s) {listed(rows)}: a line not fitted, {what}",
        "remove the line, or enter how many are used",
        **t.where(row=rows[0], column=cols.fields.get("qty")),
    )


def _located(t: TableContext, edges: pl.DataFrame) -> pl.DataFrame:
    """Edges with the table's file and sheet, in :func:`edge_schema`'s column order."""
    import polars as pl

    return edges.select(
        pl.col("parent"),
        pl.col("child"),
        pl.col("qty"),
        pl.col("bulk"),
        pl.col("measure").cast(pl.String) if "measure" in edges.columns else pl.lit(None, dtype=pl.String).alias("measure"),
        pl.lit(t.raw.path, dtype=pl.String).alias("_file"),
        pl.lit(t.raw.sheet, dtype=pl.String).alias("_sheet"),
        pl.col("_row"),
    )


def _parent_child(t: TableContext, rows: RowClasses, amounts: Quantities, parent: pl.Series) -> Structure:
    import polars as pl

    base = pl.DataFrame({"parent": parent, "child": rows.sku, "qty": amounts.qty, "bulk": amounts.bulk, "measure": amounts.measure, "_row": t.frame[ROW]})
    live = base if rows.used.all() else base.filter(rows.used)
    tops = live.select(pl.col("child").filter(pl.col("parent").is_null()).unique(maintain_order=True)).to_series().to_list()
    edges = live.filter(pl.col("parent").is_not_null())
    retired = set(base.filter(rows.out_of_force)["child"].to_list())
    return Structure("parent-child", edges, tops, retired)


def _flat(t: TableContext, rows: RowClasses, amounts: Quantities) -> Structure:
    """A flat list: every line a child of one assembly, named by --assembly or after the file."""
    import polars as pl

    raw = t.raw
    name = t.options.assembly or (Path(raw.path).stem if raw.path != "-" else "stdin")
    n = t.frame.height
    edges = pl.DataFrame(
        {"parent": constant(name, n, pl.String), "child": rows.sku, "qty": amounts.qty, "bulk": amounts.bulk, "measure": amounts.measure, "_row": t.frame[ROW]}
    )
    return Structure("flat", edges.filter(rows.used), [name], set())


def _where_used(t: TableContext, cols: Columns, rows: RowClasses) -> Structure:
    """A where-used matrix (:mod:`.matrix`): each assembly column is a top-level assembly named by
    its header, and each line with a quantity in it one of its lines (a blank or 0: not used). A
    line no assembly uses is left out, with a warning naming its rows."""
    import polars as pl

    pieces = []
    used_somewhere = constant(False, t.frame.height, pl.Boolean)
    for header in cols.assemblies:
        filled = text(t.frame, header).is_not_null() & rows.used
        amounts = quantities(t, replace(cols, fields={**cols.fields, "qty": header}, merged={}), filled)
        live = filled & (amounts.qty != 0).fill_null(True)
        used_somewhere |= live
        n = t.frame.height
        edges = pl.DataFrame(
            {
                "parent": constant(header, n, pl.String),
                "child": rows.sku,
                "qty": amounts.qty,
                "bulk": amounts.bulk,
                "measure": amounts.measure,
                "_row": t.frame[ROW],
            }
        )
        pieces.append(edges.filter(live))
    unused = rows.used & ~used_somewhere
    if unused.any():
        found = t.frame.filter(unused)[ROW].to_list()
        t.issues.warn(
            "where-used-unused",
            ("" if len(found) == 1 else f"rows {listed(found)}: ")
            + f"no assembly column ({', '.join(map(repr, cols.assemblies))}) has a quantity for the line: used by none of them, left out",
            "enter how many each assembly uses, if any does",
            **t.where(row=found[0]),
        )
    edges = pl.concat(pieces, how="vertical").sort("_row", maintain_order=True)
    return Structure("where-used", edges, list(cols.assemblies), set())


def quantities(t: TableContext, cols: Columns, live: pl.Series) -> Quantities:
    """Quantity per parent and the line's kind; ``live`` are the rows that count. A line in a mass
    unit is bulk (its quantity in grams); a line in a length, an area or a volume, or a piece count
    with a piece length (a cut list's LENGTH), is by measure (its amount in m, m² or L, see
    :data:`~bomaudit.fields.MEASURES`); any other line is a count."""
    import polars as pl

    f = cols.fields
    n = t.frame.height
    counts = _counts(t, cols, live)
    uom = text(t.frame, f["uom"]).str.to_lowercase() if "uom" in f else constant(None, n, pl.String)
    uom = pl.select(pl.coalesce(uom, counts.cell_unit)).to_series()
    qty, measure, assumed = counts.qty, constant(None, n, pl.String), None
    if "length" in f:
        counted = (uom.is_null() | uom.str.strip_chars(" .").is_in(list(COUNT_UNITS))).fill_null(False)
        qty, measure, assumed = stock_lengths(t, cols, live & counted, qty)
    if uom.null_count() == n:  # no units anywhere: every line a count, or a piece length's stock
        return Quantities(qty, constant(False, n, pl.Boolean), measure, assumed)
    factor = uom.replace_strict(dict(MASS_UNITS), default=None, return_dtype=pl.Float64)
    bulk = factor.is_not_null()
    key = uom.str.strip_chars(" .")
    words = key.is_in(list(MEASURE_WORDS)).fill_null(False) & live
    if words.any():
        qty = _some(t, cols, words, uom, qty)
    by_measure = key.is_in(list(MEASURE_UNITS)).fill_null(False) & live
    if by_measure.any():
        qty, measure = _measured(t, cols, by_measure, key, qty, measure)
    other = (uom.is_not_null() & ~bulk & ~by_measure & ~words & ~uom.is_in(list(COUNT_UNITS))).fill_null(False) & live
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
    return Quantities(qty_g, bulk, measure, assumed)


def _measured(t: TableContext, cols: Columns, by_measure: pl.Series, key: pl.Series, qty: pl.Series, measure: pl.Series) -> tuple[pl.Series, pl.Series]:
    """Lines whose quantity is a length, an area or a volume ("1 meter", "10 ft", FT2, "2 l"): not a
    piece count. Their amount is converted to the measure's canonical unit (m, m², L), and a
    warning names the rows with one conversion, so the number can be traced; their mass is the
    amount times the part's mass per that unit (the roll-up finds it, or leaves the mass unknown)."""
    import polars as pl

    f = cols.fields
    dims = key.replace_strict({u: d for u, (d, _) in MEASURE_UNITS.items()}, default=None, return_dtype=pl.String)
    per = key.replace_strict({u: k for u, (_, k) in MEASURE_UNITS.items()}, default=None, return_dtype=pl.Float64)
    amount = pl.select(pl.when(by_measure).then(qty * per).otherwise(qty)).to_series()
    rows = t.frame.filter(by_measure)[ROW].to_list()
    i = by_measure.arg_true()[0]
    units = sorted(set(key.filter(by_measure).to_list()))
    example = f"{qty[i]:g} {key[i]} = {amount[i]:g} {MEASURES[dims[i]][0]}"
    t.issues.warn(
        "qty-measure",
        f"quantity on row(s) {listed(rows)} is a length, area or volume ({', '.join(map(repr, units))}), not a count: the line uses that much of its "
        f"part, read in m, m² or L (row {rows[0]}: {example}); its mass is that amount times the part's mass per m, m² or L",
        "give each such part a mass per unit of measure (a column such as 'mass per m (g)', 'kg/m', 'g/m2' or 'g/L' in a --parts file)",
        **t.where(row=rows[0], column=f.get("uom", f.get("qty"))),
    )
    return amount, pl.select(pl.when(by_measure).then(dims).otherwise(measure)).to_series()


def _some(t: TableContext, cols: Columns, words: pl.Series, uom: pl.Series, qty: pl.Series) -> pl.Series:
    """Lines whose unit says "some" ("a lot", "few"): no amount at all, so the line's amount is
    unknown (NaN), with a warning naming the rows and words."""
    import polars as pl

    f = cols.fields
    rows = t.frame.filter(words)[ROW].to_list()
    units = sorted(set(uom.filter(words).to_list()))
    t.issues.warn(
        "qty-unknown",
        f"quantity on row(s) {listed(rows)} is written as {', '.join(map(repr, units))}, not an amount: the line's mass and content are unknown",
        "write how many are used per assembly, or the amount with its unit (2 m, 50 g)",
        **t.where(row=rows[0], column=f.get("uom", f.get("qty"))),
    )
    return pl.select(pl.when(words).then(float("nan")).otherwise(qty)).to_series()


def _counts(t: TableContext, cols: Columns, live: pl.Series) -> _Counts:
    """The quantity as written: from the quantity column(s, merged cell by cell), else one per designator, else 1."""
    import polars as pl

    f = cols.fields
    n = t.frame.height
    if "qty" in f:
        headers = cols.headers_for("qty")
        hint = "write how many are used per assembly, a number greater than 0"
        # a quantity in words ("A lot") is unknown, not an error; a cell with a digit is a number
        # mistyped ("3+1", "1_000") and stays one, unless it is a number with a remark in brackets
        parsed = [t.numbers(h, "quantity", hint, words=WORDY_QUANTITY) for h in headers]
        qty, units, bad_cells = parsed[0].values, parsed[0].units, parsed[0].bad
        if len(parsed) > 1:
            qty, units, bad_cells = _merged_counts(t, headers, parsed, live)
        # and the words for unknown ("?", "TBD"), which read as no number
        words = pl.select(pl.any_horizontal([p.words | p.unknown for p in parsed])).to_series().fill_null(False)
        qty = _unknown_counts(t, headers, words & live, qty)
        bad_cells &= ~words
        blank = qty.is_null() & ~bad_cells & live
        if blank.any():
            qty = _blank_counts(t, cols, qty, blank)
        qty = qty.fill_null(1.0)
        # 0 is a line not fitted (an alternative left out): none of it is counted (table_structure)
        bad = (qty < 0).fill_null(False) & live & ~bad_cells
        t.report_bad(bad, f["qty"], "bad-qty", "quantity must not be negative", "remove the line or enter how many are used")
        percent = units.is_in(list(CONCENTRATION_UNITS)).fill_null(False) & live
        t.report_bad(
            percent, f["qty"], "bad-qty", "quantity is a percentage, not a count", "write how many are used per assembly (give the cell a number format)"
        )
        return _Counts(qty, units)
    if "designator" in f:
        # EDA exports without a quantity: one part per reference designator ("C1, C5, C25")
        # (ranges count their parts: R1-R8 is eight)
        qty = designators.counts(text(t.frame, f["designator"]))
        blank = qty.is_null() & live
        qty = qty.fill_null(1.0)
        if n:
            t.issues.warn(
                "qty-from-designators",
                f"no quantity column: each line counts one part per designator in {f['designator']!r}"
                + (f" ({int(blank.sum())} line(s) without designators count once)" if blank.any() else ""),
                "name a quantity column with --map qty=HEADER if there is one",
                **t.where(column=f["designator"]),
            )
        return _Counts(qty, constant(None, n, pl.String))
    if n:
        t.issues.warn("no-qty-column", "no quantity column: every line counts once", "name it with --map qty=HEADER", **t.where())
    return _Counts(constant(1.0, n, pl.Float64), constant(None, n, pl.String))


#: a quantity in words: no digit at all ("A lot", "as needed"), or a number with a remark in brackets
WORDY_QUANTITY = r"^\D*$|^\s*[0-9]+(\.[0-9]+)?\s*[(\[]"


def _unknown_counts(t: TableContext, headers: list[str], words: pl.Series, qty: pl.Series) -> pl.Series:
    """Quantities written in words ("A lot", "as needed", "2 (pack of 2, so 4)"): how many is not
    known, so neither is what the line adds (NaN: the assembly above is ``unknown`` unless it is
    over the threshold anyway), with a warning naming the rows. Not an error: no product is
    cleared by it, and the rest of the list is still read."""
    import polars as pl

    if not words.any():
        return qty
    rows = t.frame.filter(words)[ROW].to_list()
    cells = pl.select(pl.coalesce([text(t.frame, h) for h in headers])).to_series().filter(words)
    t.issues.warn(
        "qty-unknown",
        f"quantity is not a number on row(s) {listed(rows)} ({cells[0]!r}): how many is unknown, so the line's content and mass are unknown",
        "write how many are used per assembly",
        **t.where(row=rows[0], column=headers[0]),
    )
    return pl.select(pl.when(words).then(float("nan")).otherwise(qty)).to_series()


def _blank_counts(t: TableContext, cols: Columns, qty: pl.Series, blank: pl.Series) -> pl.Series:
    """Quantities left empty: counted from the line's designators where it has some (``R1-R8``
    is eight), else unknown (NaN: the assemblies above are ``unknown``); a warning names the rows either way."""
    import polars as pl

    f = cols.fields
    rows = t.frame.filter(blank)[ROW].to_list()
    if "designator" in f:
        counted = designators.counts(text(t.frame, f["designator"]))
        filled = blank & counted.is_not_null()
        if filled.any():
            qty = pl.select(pl.when(filled).then(counted).otherwise(qty)).to_series()
            done = t.frame.filter(filled)[ROW].to_list()
            t.issues.warn(
                "qty-from-designators",
                f"quantity is empty on row(s) {listed(done)}: counted from the designators in {f['designator']!r}",
                "enter the quantity if the designators do not list every part",
                **t.where(row=done[0], column=f["qty"]),
            )
            rows = [r for r in rows if r not in set(done)]
    if rows:
        # not 1: forty magnets on a line whose count was left out would read as one, and clear
        t.issues.warn(
            "qty-blank",
            f"quantity is empty on row(s) {listed(rows)}: how many is unknown, so the line's content and mass are unknown",
            "enter how many are used per assembly",
            **t.where(row=rows[0], column=f["qty"]),
        )
        unknown = blank & ~filled if "designator" in f else blank
        qty = pl.select(pl.when(unknown).then(float("nan")).otherwise(qty)).to_series()
    return qty


def _merged_counts(t: TableContext, headers: list[str], parsed: list[Parsed], live: pl.Series) -> tuple[pl.Series, pl.Series, pl.Series]:
    """Quantity, cell unit and unreadable cells from several quantity columns, cell by cell."""
    import polars as pl

    bad_cells = pl.select(pl.any_horizontal([p.bad for p in parsed])).to_series()
    # a quantity and the unit in its cell are one value: "3" and "3 kg" disagree
    keyed = [
        (h, pl.select(pl.concat_str([p.values.cast(pl.String), p.units.fill_null("")], separator=" ")).to_series())
        for h, p in zip(headers, parsed, strict=True)
    ]
    merge_columns(t, "quantity", keyed, live & ~bad_cells, "qty")
    qty = pl.select(pl.coalesce([p.values for p in parsed])).to_series()
    units = pl.select(pl.coalesce([pl.when(p.values.is_not_null()).then(p.units) for p in parsed])).to_series()
    return qty, units, bad_cells


# --- indented tables ------------------------------------------------------------------


def indented(
    t: TableContext, header: str, rows: RowClasses, amounts: Quantities, blocks: list[Block] | None = None, cumulative: str | None = None
) -> Structure:
    """An indented table: a row's parent is the nearest row above it one level up. Each block (one
    top item's explosion) whose top item is not a row gets it (see :mod:`.multilevel`); quantities
    multiplied through the parents (``cumulative``, that column's header) are divided back."""
    import polars as pl

    level = _levels(t, header, rows.keep)
    lines = pl.DataFrame(
        {
            "i": pl.int_range(t.frame.height, eager=True),
            "level": level,
            "sku": rows.sku,
            "qty": amounts.qty,
            "bulk": amounts.bulk,
            "measure": amounts.measure,
            "_row": t.frame[ROW],
            "live": rows.used,
            "keep": rows.keep,
        }
    )
    lines = lines.filter(pl.col("keep") & pl.col("level").is_not_null())
    empty = pl.DataFrame(schema={"parent": pl.String, "child": pl.String, "qty": pl.Float64, "bulk": pl.Boolean, "measure": pl.String, "_row": pl.Int64})
    if lines.height == 0:
        return Structure("indented", empty, [], set())
    lines = add_tops(t, header, lines, blocks or [Block(0, None, None)])
    top_level = lines["level"].min()
    if _check_jumps(t, header, lines, top_level):
        return Structure("indented", empty, [], set())  # no tree to build: the jumps are errors
    lines = _with_parents(lines)
    if cumulative is not None:
        lines = divide_totals(t, cumulative, lines)
    lines = _live_chains(lines)
    tops = lines.filter(pl.col("parent_i").is_null() & pl.col("live"))["sku"].unique(maintain_order=True).to_list()
    retired = set(lines.filter(~pl.col("live"))["sku"].to_list())
    children = lines.filter(pl.col("parent_i").is_not_null() & pl.col("live"))
    edges = _first_occurrences(t, header, children)
    return Structure("indented", edges.select("parent", pl.col("sku").alias("child"), "qty", "bulk", "measure", "_row"), tops, retired)


#: deeper levels are refused: no BOM is deeper than a sheet has rows (Excel's 1,048,576); the
#: roll-up and the indented-tree code cost time linear in depth, so any depth below this is read
MAX_LEVEL = 1_048_576
_STEPS = "levels count from 0 or 1 at the top item, one more per step down"
#: why a part row's level is refused: (message, hint), by reason
_LEVEL_ERRORS = {
    "empty": ("level is empty", "write the level of every part row"),
    "negative": ("level is negative", _STEPS),
    "not-whole": ("level is not a whole number", "write the depth as 0, 1, 2… or .1, ..2; an outline number such as 1.5 or 1.2.3 is not a level"),
    "too-deep": (f"level is deeper than {MAX_LEVEL:,}", f"{_STEPS}; no BOM is that deep"),
}


def _levels(t: TableContext, header: str, keep: pl.Series) -> pl.Series:
    """Levels written 0, 1, 2 (or 1.0, as a typed column or an export writing floats has them), .1,
    ..2 (the number after the dots, as SAP writes them), or dots alone (their count); other scripts'
    digits are read too. On a part row anything else is an error saying why, naming the row: empty,
    negative, not a whole number (text, nan, 1e9, 1.5, outline numbers such as 1.2.3), too deep."""
    import polars as pl

    raw = t.frame[header]
    if raw.dtype.is_numeric():
        value = raw.cast(pl.Float64)
        value = pl.select(pl.when(value.is_finite() & (value == value.round(0))).then(value)).to_series()
        blank, negative = raw.is_null(), (raw < 0).fill_null(False)
    else:
        cells = ascii_digits(text(t.frame, header))
        number = pl.coalesce(cells.str.extract(r"^\+?([0-9]+)(?:\.0*)?$", 1), cells.str.extract(r"^\.+([0-9]+)$", 1))
        dots = cells.str.contains(r"^\.+$")
        value = pl.select(pl.when(dots).then(cells.str.len_chars()).otherwise(number).cast(pl.Float64)).to_series()
        if _is_outline(cells.filter(keep)):
            # outline numbers (1, 1.2, 1.2.3): a line's level is how many numbers it has
            value = (cells.str.count_matches(r"\.") + 1).cast(pl.Float64)
            t.issues.warn(
                "outline-levels",
                f"column {header!r} holds outline numbers (1, 1.2, 1.2.3): each line's level is how many numbers it has (1.2.3 is level 3)",
                "pass --map level= to ignore the column if it numbers lines rather than levels",
                **t.where(column=header),
            )
        blank, negative = cells.is_null(), cells.str.contains(r"^-\s*[0-9.]").fill_null(False)
    reason = pl.select(
        pl.when(blank)
        .then(pl.lit("empty"))
        .when(negative)
        .then(pl.lit("negative"))
        .when(value.is_null())
        .then(pl.lit("not-whole"))
        .when(value > MAX_LEVEL)
        .then(pl.lit("too-deep"))
    ).to_series()
    for why, (message, hint) in _LEVEL_ERRORS.items():
        t.report_bad((reason == why).fill_null(False) & keep, header, "bad-level", message, hint, quote=why != "empty")
    return pl.select(pl.when(reason.is_null()).then(value.cast(pl.Int64))).to_series()


def _is_outline(cells: pl.Series) -> bool:
    """Whether a level column holds outline numbers rather than levels: every cell is numbers joined
    by dots, none is 0, some cell has two dots or a dot before a number other than 0 (``1.0`` and
    ``2.0`` are levels an export wrote as floats), and each number's parent comes before it."""
    filled = cells.drop_nulls()
    # outline numbers count from 1: a 0 is a level (the top item of an indented BOM)
    if filled.len() == 0 or not filled.str.contains(r"^[0-9]+(\.[0-9]+)*$").all() or filled.str.contains(r"^0+(\.|$)").any():
        return False
    deep = filled.str.contains(r"\.[0-9]+\.")
    dotted = filled.str.contains(r"\.")
    nonzero = filled.str.contains(r"\.0*[1-9][0-9]*$")
    if not (deep.any() or (dotted & nonzero).any()):
        return False
    # each number's parent (all but its last part) is a number written before it
    seen: set[str] = set()
    for cell in filled.to_list():
        parent = cell.rpartition(".")[0]
        if parent and parent not in seen:
            return False
        seen.add(cell)
    return True


def _check_jumps(t: TableContext, header: str, lines: pl.DataFrame, top_level: int) -> bool:
    """An error for each line more than one level below the line above it; whether there was one."""
    import polars as pl

    jumps = lines.filter(pl.col("level") > pl.col("level").shift(1).fill_null(top_level) + 1)
    for r, lv in jumps.select("_row", "level").head(MAX_LISTED).iter_rows():
        t.issues.error(
            "level-jump",
            f"level {lv} follows a row of a lower level by more than one step",
            "a child's level is its parent's plus one; add the missing assembly row",
            **t.where(row=r, column=header),
        )
    return jumps.height > 0


def _with_parents(lines: pl.DataFrame) -> pl.DataFrame:
    """Adds ``parent_i`` (the parent's line index), ``parent`` (its SKU) and ``parent_row``.

    The parent of a line at level L is the nearest line above it at level L - 1: one search in
    the lines sorted by (level, position), so linear (and a sort) however deep the table is.
    """
    import numpy as np
    import polars as pl

    level = lines["level"].to_numpy().astype(np.int64)
    n, at = level.size, np.arange(level.size)
    distinct = np.unique(level)
    keys = np.sort(np.searchsorted(distinct, level) * n + at)  # levels in order, each one's lines in order
    up = np.searchsorted(distinct, level - 1)
    has_level = (up < distinct.size) & (distinct[np.minimum(up, distinct.size - 1)] == level - 1)
    before = np.maximum(np.searchsorted(keys, up * n + at) - 1, 0)  # the last key below "that level, here"
    found = has_level & (keys[before] // n == up) & (keys[before] % n < at)
    pos = pl.Series(np.where(found, keys[before] % n, 0))
    mask = pl.Series(found)
    return lines.with_columns(
        pl.when(mask).then(lines["i"].cast(pl.Int64).gather(pos)).alias("parent_i"),
        pl.when(mask).then(lines["sku"].gather(pos)).alias("parent"),
        pl.when(mask).then(lines["_row"].gather(pos)).alias("parent_row"),
    )


def _live_chains(lines: pl.DataFrame) -> pl.DataFrame:
    """A row is in effect only when its whole chain is; dropping a row drops its subtree.

    Pointer jumping: each round ORs in the "out of effect" of an ancestor twice as far up as the
    round before, so a chain 100,000 deep takes 17 rounds over the lines, not 100,000.
    """
    import numpy as np
    import polars as pl

    live = lines["live"].to_numpy().astype(bool)
    if live.all():
        return lines
    n = live.size
    # the parent's position among these lines; n stands for "no parent" and is its own parent
    up = np.searchsorted(lines["i"].to_numpy(), lines["parent_i"].fill_null(-1).to_numpy())
    up = np.append(np.where(lines["parent_i"].is_null().to_numpy(), n, up), n)
    dead = np.append(~live, False)
    while (up[:n] != n).any():
        dead |= dead[up]
        up = up[up]
    return lines.with_columns(live=pl.Series(~dead[:n]))


def _first_occurrences(t: TableContext, header: str, children: pl.DataFrame) -> pl.DataFrame:
    """The children of each sub-assembly's first occurrence; repeats must list the same children."""
    import polars as pl

    occ = children.group_by("parent", "parent_i").agg(
        pl.concat_str([pl.col("sku"), pl.col("qty").cast(pl.String)], separator="×").sort().str.join("|").alias("sig"),
        pl.col("parent_row").first(),
    )
    # in row order, so that the same input gives the same errors in the same order
    variants = (
        occ.sort("parent_row")
        .group_by("parent", maintain_order=True)
        .agg(pl.col("sig").n_unique().alias("n"), pl.col("parent_row").alias("rows"), pl.col("sig"))
    )
    for parent, rws, sigs in variants.filter(pl.col("n") > 1).select("parent", "rows", "sig").head(MAX_LISTED).iter_rows():
        other = next(r for r, s in zip(rws, sigs, strict=True) if s != sigs[0])
        t.issues.error(
            "subassembly-conflict",
            f"sub-assembly {parent!r} lists different children here than at row {rws[0]}",
            "make every occurrence list the same children, or give the variants different part numbers",
            **t.where(row=other, column=header),
        )
    first_occ = occ.group_by("parent").agg(pl.col("parent_i").min())
    return children.join(first_occ, on=["parent", "parent_i"], how="semi")


# --- across tables --------------------------------------------------------------------


def repair_float_ids(edges: pl.DataFrame, attr_skus: list[pl.Series], tops: list[str], issues: Collector) -> pl.DataFrame:
    """Parent IDs written as ``749.0`` by an export while components are ``749``: use ``749``."""
    import polars as pl

    if not edges["parent"].str.ends_with(".0").any():
        return edges  # the common case, decided without building the set of known IDs
    known = pl.concat([edges["child"], *attr_skus, pl.Series(tops, dtype=pl.String)]).unique()
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


_BY = {"count": "by count", "mass": "by mass (bulk)", "length": "by length", "area": "by area", "volume": "by volume"}


def check_edges(edges: pl.DataFrame, issues: Collector) -> pl.DataFrame:
    """Check the edges across files: a self-reference, or a child used in two kinds of amount (by
    count, by mass, by length, area or volume), is an error naming both places."""
    import polars as pl

    if edges.height == 0:
        return edges
    self_ref = edges.filter(pl.col("parent") == pl.col("child"))
    for rec in self_ref.head(MAX_LISTED).iter_rows(named=True):
        issues.error(
            "self-reference", f"{rec['child']!r} is listed as its own child", "remove the row", file=rec["_file"], sheet=rec["_sheet"], row=rec["_row"]
        )
    # a child's unit must be one thing everywhere: a piece, a gram (bulk), or one of a measure (m, m², L)
    if not (edges["bulk"].any() or edges["measure"].is_not_null().any()):
        return edges
    kind = pl.when(pl.col("bulk")).then(pl.lit("mass")).otherwise(pl.coalesce(pl.col("measure"), pl.lit("count")))
    mixed = (
        edges.with_columns(_kind=kind)
        .group_by("child", maintain_order=True)
        .agg(pl.col("_kind").unique(maintain_order=True).alias("kinds"), pl.col("_file"), pl.col("_sheet"), pl.col("_row"), pl.col("_kind").alias("each"))
        .filter(pl.col("kinds").list.len() > 1)
    )
    for rec in mixed.head(MAX_LISTED).iter_rows(named=True):
        first, second = rec["kinds"][:2]
        at = rec["each"].index(second)
        was = rec["each"].index(first)
        sheet = f", sheet {rec['_sheet'][was]!r}" if rec["_sheet"][was] else ""
        issues.error(
            "bulk-and-count" if {first, second} == {"mass", "count"} else "measure-and-count",
            f"{rec['child']!r} is used both {_BY[first]} (in {rec['_file'][was]}{sheet}, row {rec['_row'][was]}) and {_BY[second]} (here): "
            "one part's amounts in two kinds of unit cannot be added",
            "use one unit of measure for it everywhere (or give the two uses different part numbers)",
            file=rec["_file"][at],
            sheet=rec["_sheet"][at],
            row=rec["_row"][at],
        )
    # repeated lines are added up by the roll-up, which sorts the edges anyway
    return edges
