"""Stock cut to length: a CAD cut list's or piping BOM's LENGTH column (SOLIDWORKS weldments).

``QTY.`` counts pieces and ``LENGTH`` is each piece's length, so the stock a line uses is
QTY × LENGTH, in metres (:data:`~bomaudit.fields.MEASURES`). The length's unit comes from the
cell (``14 in``, ``14"``), else the header (``Length (mm)``), else from the file: a note stating it
(``Units: inches``), or, as an assumption said in a warning, the unit the descriptions write sizes
in (``1/4"X2"X2"``). Without one the line's amount is unknown, never a guess. A line without a
length, or whose description names a part made to a fixed length (a nipple, a bolt: its LENGTH is
the modelled size), counts pieces.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from bomaudit.errors import listed
from bomaudit.fields import FIXED_LENGTH_WORDS, MEASURE_UNITS, interpret_header
from bomaudit.load import ROW
from bomaudit.normalise.context import text
from bomaudit.parse import Parsed, parse_numbers

if TYPE_CHECKING:
    import polars as pl

    from bomaudit.normalise.columns import Columns
    from bomaudit.normalise.context import TableContext

#: a note stating the unit of the file's lengths: "Units: in", "all dimensions in mm", "Lengths in inches"
_STATED = re.compile(
    r"(?i)\b(?:units?|dimensions?|lengths?)\b\s*(?:are\s+)?(?:in|:|=)?\s*(inches|inch|in|millimetres|millimeters|millimetre|millimeter|mm|"
    r"centimetres|centimeters|cm|metres|meters|m|feet|ft)\b"
)
_STATED_UNIT = {"inches": "in", "inch": "in", "millimetres": "mm", "millimeters": "mm", "millimetre": "mm", "millimeter": "mm"}
_STATED_UNIT |= {"centimetres": "cm", "centimeters": "cm", "metres": "m", "meters": "m", "feet": "ft"}
#: sizes in a description: inch marks (1/4", .75") or feet (20FT), or millimetres (M12, 40 mm)
_INCH_SIZES = r"[0-9]\s*(\"|''|in\b)|[0-9]\s*FT\b"
_MM_SIZES = r"(?i)[0-9]\s*mm\b"
_FIXED = r"(?i)\b(" + "|".join(re.escape(w) for w in FIXED_LENGTH_WORDS) + r")\b"


def stock_lengths(t: TableContext, cols: Columns, live: pl.Series, qty: pl.Series) -> tuple[pl.Series, pl.Series, pl.Series | None]:
    """(amount, measure, assumed) per row: QTY × LENGTH in metres and ``"length"`` on lines of
    stock, the count and null on the others; ``assumed`` the lines whose length unit is an
    assumption (None: none is); ``live`` are the rows whose quantity is a count."""
    import polars as pl

    header = cols.fields["length"]
    none = pl.Series([None] * t.frame.height, dtype=pl.String)
    found = _read_lengths(t, cols, header, live)
    if found is None:
        return qty, none, None
    parsed, stock = found
    column_unit, guessed = _column_unit(t, header, cols.fields.get("description"), stock)
    meaning = interpret_header(header)
    if meaning is not None and meaning.unit is not None:
        t.report_bad(
            stock & parsed.units.is_not_null() & (parsed.units != meaning.unit),
            header,
            "unit-conflict",
            f"piece length's unit disagrees with the header's ({meaning.unit})",
            "remove the unit from the cell or fix the header",
        )
    unit = parsed.units if column_unit is None else parsed.units.fill_null(column_unit)
    per = unit.replace_strict({u: k for u, (_, k) in MEASURE_UNITS.items()}, default=None, return_dtype=pl.Float64)
    metres = qty * parsed.values * per
    amount = pl.select(pl.when(stock).then(metres.fill_null(float("nan"))).otherwise(qty)).to_series()
    _say_amounts(t, cols, (qty, parsed.values, unit, amount), stock, per.is_not_null())
    assumed = (stock & parsed.units.is_null()) if guessed else None
    return amount, pl.select(pl.when(stock).then(pl.lit("length"))).to_series(), assumed


def _read_lengths(t: TableContext, cols: Columns, header: str, live: pl.Series) -> tuple[Parsed, pl.Series] | None:
    """(the cells as numbers and units, the lines of stock: a length, and not a part made to a fixed
    length), or None when the column holds no lengths at all (then a warning says it is not used).
    In a column of lengths a cell that is not one is an error, never a line quietly counted in pieces."""
    import polars as pl

    cells = text(t.frame, header)
    # inch and foot marks after a number ("14\"", "2'") are units
    marked = cells.str.replace(r"\s*(\"|'')$", " in").str.replace(r"\s*'$", " ft")
    parsed = parse_numbers(marked, decimal_comma=t.decimal_comma)
    filled = cells.is_not_null() & live
    cell_dim = parsed.units.replace_strict({u: d for u, (d, _) in MEASURE_UNITS.items()}, default=None, return_dtype=pl.String)
    not_length = filled & (parsed.values.is_null() | (parsed.units.is_not_null() & (cell_dim != "length").fill_null(True)))
    fixed = filled & _fixed_length(t, cols)
    has = filled & ~not_length
    if not has.any():
        if not_length.any():
            rows = t.frame.filter(not_length)[ROW].to_list()
            t.issues.warn(
                "length-not-numbers",
                f"column {header!r} holds something other than lengths on row(s) {listed(rows)} ({cells.filter(not_length)[0]!r}): not read as piece "
                "lengths, every line counts pieces",
                "write each piece's length as a number (with its unit in the header, Length (mm)), or --map length= to ignore the column",
                **t.where(row=rows[0], column=header),
            )
        return None
    t.report_bad(
        not_length & ~fixed,
        header,
        "bad-length",
        "piece length is not a length",
        f"write the length of each piece as a number, in the unit of the column ({header} (in), {header} (mm)) or with its unit (14 in)",
    )
    t.report_bad(has & (parsed.values <= 0), header, "bad-length", "piece length must be greater than 0", "write the length of each piece of stock")
    fixed &= has
    if fixed.any():
        rows = t.frame.filter(fixed)[ROW].to_list()
        t.issues.warn(
            "length-of-fixed-part",
            f"row(s) {listed(rows)} have a {header!r} but name a part made to a fixed length (a nipple, a bolt): counted in pieces, the length read as "
            "the modelled size",
            "if a line is stock cut to length, describe it as such (pipe, tube, bar) so that QTY × LENGTH is its amount",
            **t.where(row=rows[0], column=header),
        )
    stock = has & ~fixed
    return (parsed, stock) if stock.any() else None


def _say_amounts(t: TableContext, cols: Columns, figures: tuple[pl.Series, pl.Series, pl.Series, pl.Series], stock: pl.Series, known: pl.Series) -> None:
    """The warnings that make the lines' amounts traceable: which lines are QTY × LENGTH, with one
    worked out (``figures``: pieces, lengths, their units, metres), and which have no unit."""
    header = cols.fields["length"]
    qty, length, unit, amount = figures
    unknown = stock & ~known
    if unknown.any():
        lost = t.frame.filter(unknown)[ROW].to_list()
        t.issues.warn(
            "length-without-unit",
            f"{header!r} has no unit on row(s) {listed(lost)} and the file states none: how much stock those lines use is unknown, so their mass "
            "and content are unknown",
            f"put the unit in the header ({header} (in), {header} (mm)) or in the cells (14 in)",
            **t.where(row=lost[0], column=header),
        )
    if (stock & known).any():
        rows = t.frame.filter(stock)[ROW].to_list()
        i = (stock & known).arg_true()[0]
        t.issues.warn(
            "qty-times-length",
            f"row(s) {listed(rows)} are stock cut to length: the amount used is {cols.fields.get('qty', 'the quantity')!r} pieces × {header!r}, in "
            f"metres (row {t.frame[ROW][i]}: {qty[i]:g} × {length[i]:g} {unit[i]} = {amount[i]:g} m); its mass is that times the part's mass per m",
            "give each such part a mass per length (a column such as 'mass per m (g)', 'kg/m' or 'lb/ft' in a --parts file)",
            **t.where(row=rows[0], column=header),
        )


def _fixed_length(t: TableContext, cols: Columns) -> pl.Series:
    """Rows whose description names a part made to a fixed length."""
    import polars as pl

    if "description" not in cols.fields:
        return pl.Series([False] * t.frame.height, dtype=pl.Boolean)
    return text(t.frame, cols.fields["description"]).str.contains(_FIXED).fill_null(False)


def _column_unit(t: TableContext, header: str, description: str | None, stock: pl.Series) -> tuple[str | None, bool]:
    """The unit of a length column's bare numbers: its header's, else one the file states, else the
    one its descriptions write sizes in (an assumption, warned), else None; and whether it is that
    assumption."""
    meaning = interpret_header(header)
    if meaning is not None and meaning.unit is not None:
        return meaning.unit, False
    stated = _stated_unit(t)
    if stated is not None:
        unit, where = stated
        t.issues.warn("length-unit", f"{header!r} has no unit: read in {unit}, as {where} states", **t.where(column=header))
        return unit, False
    guessed = _unit_of_descriptions(t, header, description, stock)
    return guessed, guessed is not None


def _stated_unit(t: TableContext) -> tuple[str, str] | None:
    """A unit the file states in a title row or a cell ("Units: inches", "all lengths in mm"), and where."""
    import polars as pl

    for row, cells in t.raw.above:
        for cell in cells:
            m = _STATED.search(str(cell))
            if m:
                return _STATED_UNIT.get(m.group(1).lower(), m.group(1).lower()), f"row {row} ({cell!r})"
    for name in t.frame.columns:
        if name == ROW or t.frame[name].dtype != pl.String:
            continue
        hits = t.frame.filter(pl.col(name).str.contains(_STATED.pattern).fill_null(False))
        if hits.height:
            cell = hits[name][0]
            m = _STATED.search(cell)
            if m:
                return _STATED_UNIT.get(m.group(1).lower(), m.group(1).lower()), f"row {hits[ROW][0]} ({cell!r})"
    return None


def _unit_of_descriptions(t: TableContext, header: str, description: str | None, stock: pl.Series) -> str | None:
    """Inches when the descriptions of the stock lines write their sizes in inches or feet (1/4",
    20FT) and none in millimetres; millimetres the other way round; else None. An assumption,
    said in a warning naming a description it rests on."""

    if description is None:
        return None
    desc = text(t.frame, description).filter(stock)
    inch = desc.str.contains(_INCH_SIZES).fill_null(False)
    mm = desc.str.contains(_MM_SIZES).fill_null(False)
    if inch.any() == mm.any():
        return None
    unit, which = ("in", inch) if inch.any() else ("mm", mm)
    example = desc.filter(which)[0]
    t.issues.warn(
        "length-unit-assumed",
        f"assumption: {header!r} has no unit and is read in {'inches' if unit == 'in' else 'millimetres'}, the unit the descriptions of its lines "
        f"write sizes in ({example!r}; {int(which.sum())} of {desc.len()} lines)",
        f"put the unit in the header ({header} ({unit})) to make it certain",
        **t.where(column=header),
    )
    return unit
