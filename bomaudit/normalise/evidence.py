"""Of several columns whose headers name one identifying field, the one whose values fit.

Multi-level ERP and PLM exports carry several headers a synonym list reads as the same field:
SAP CS12 has ``Item Number`` (the BOM position, ``0010``) beside ``Component number`` (the
part), ``Explosion level`` (``.1``, ``..2``) beside a ``Level`` that may be another number, an
empty ``Unit of measure`` beside ``Component unit`` (``LB``, ``FT2``). The header alone would
take the first synonym; here the values decide, and the choice is said in the warning that names
the columns:

* a column empty on every line never wins over one with values;
* part numbers: a column of BOM positions (``0010``, ``0020``: short whole numbers, written with
  leading zeros or in steps of ten) gives way to one that is not;
* levels: a column whose cells make a tree (every cell a level, no step down deeper than one)
  wins; of two that both do and disagree, ``Explosion level`` (the explosion's own numbering).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bomaudit.fields import OUTLINE_HEADERS, norm_header

if TYPE_CHECKING:
    import polars as pl

    from bomaudit.errors import Collector
    from bomaudit.load import RawTable

#: identifying fields whose several columns are judged by their values
BY_VALUES = ("sku", "uom", "level")
#: a BOM position: a short whole number (SAP writes 0010, 0020…)
POSITION = r"^[0-9]{1,4}$"
#: the share of a column's values that must be positions for it to be a column of positions
POSITION_SHARE = 0.8
_EXPLOSION = frozenset(norm_header(h) for h in ("explosion level", "expl level", "explosion lvl"))


def _cells(frame: pl.DataFrame, header: str) -> pl.Series:
    import polars as pl

    s = frame[header]
    s = s.cast(pl.String) if s.dtype != pl.String else s
    s = s.str.strip_chars()
    # the header repeated among the rows (per page or per explosion) is no value of the column
    return s.filter(s.is_not_null() & (s != "") & (s.str.to_lowercase() != header.lower()))


def is_positions(frame: pl.DataFrame, header: str) -> bool:
    """Whether a would-be part-number column holds BOM positions: every value a short whole number,
    some written with a leading zero, or all in steps of ten."""
    import polars as pl

    cells = _cells(frame, header)
    positions = cells.filter(cells.str.contains(POSITION))
    # nearly all: a header block or the header repeated among the rows puts text in the column
    if positions.len() < 2 or positions.len() < POSITION_SHARE * cells.len():
        return False
    return bool(positions.str.starts_with("0").any() or (positions.cast(pl.Int64) % 10 == 0).all())


def level_values(frame: pl.DataFrame, header: str) -> pl.Series:
    """A level column's cells as depths (``2``, ``2.0``, ``..2``, ``...``, outline ``1.2.3`` as 3),
    null where a cell is none of these."""
    import polars as pl

    raw = frame[header]
    if raw.dtype.is_numeric():
        v = raw.cast(pl.Float64)
        return pl.select(pl.when(v == v.round(0)).then(v)).to_series()
    cells = raw.cast(pl.String).str.strip_chars()
    return pl.select(
        pl.coalesce(
            cells.str.extract(r"^\+?([0-9]+)(?:\.0*)?$", 1).cast(pl.Float64),
            cells.str.extract(r"^\.+([0-9]+)$", 1).cast(pl.Float64),
            pl.when(cells.str.contains(r"^\.+$")).then(cells.str.len_chars().cast(pl.Float64)),
            pl.when(cells.str.contains(r"^[1-9][0-9]*(\.[0-9]+)+$")).then((cells.str.count_matches(r"\.") + 1).cast(pl.Float64)),
        )
    ).to_series()


def makes_tree(frame: pl.DataFrame, header: str) -> bool:
    """Whether every line with a value here has a level and no line steps deeper than one below the line above."""
    import polars as pl

    raw = frame[header]
    filled = raw.is_not_null() if raw.dtype.is_numeric() else (raw.cast(pl.String).str.strip_chars().fill_null("") != "")
    levels = level_values(frame, header).filter(filled)
    if levels.len() == 0 or levels.null_count():
        return False
    steps = levels.diff().drop_nulls()
    return bool((steps <= 1).all())


def by_values(table: RawTable, fld: str, ordered: list[str], issues: Collector) -> tuple[str, str]:
    """The column to read for ``fld`` among ``ordered`` (by header priority), and why, for the warning."""
    frame = table.frame
    present = [h for h in ordered if h in frame.columns]
    if len(present) < 2:
        return ordered[0], ""
    filled = [h for h in present if _cells(frame, h).len() > 0]
    if not filled:
        return ordered[0], ""
    empty = [h for h in present if h not in filled]
    why = f" ({', '.join(map(repr, empty))} is empty on every line)" if empty and ordered[0] in empty else ""
    if fld == "sku":
        named = [h for h in filled if not is_positions(frame, h)]
        if named and named[0] != filled[0]:
            return named[0], f" ({filled[0]!r} holds BOM positions such as {_cells(frame, filled[0])[0]!r}, not part numbers)"
        return filled[0], why
    if fld == "level":
        return _level_column(table, filled, why, issues)
    return filled[0], why


def _level_column(table: RawTable, filled: list[str], why: str, issues: Collector) -> tuple[str, str]:
    frame = table.frame
    trees = [h for h in filled if makes_tree(frame, h)]
    if not trees:
        return filled[0], why
    explosion = [h for h in trees if norm_header(h) in _EXPLOSION]
    chosen = explosion[0] if explosion else trees[0]
    others = [h for h in filled if h != chosen]
    if chosen != filled[0] and filled[0] not in trees:
        return chosen, f" ({filled[0]!r} does not make a tree: a level missing, or a step down of more than one)"
    disagree = [h for h in others if h in trees and not level_values(frame, h).equals(level_values(frame, chosen))]
    if disagree:
        return chosen, f" (it is the explosion's own level; {disagree[0]!r} gives other levels)"
    return chosen, why


ITEM_HEADERS = frozenset(norm_header(h) for h in OUTLINE_HEADERS)


def _outline_cells(cells: pl.Series) -> bool:
    """Outline numbers: numbers from 1 joined by dots, some with a dot, and each dotted one's parent
    (all but its last number) one of the cells; ``1.0``, ``2.0`` (levels or counts written as
    floats) are not."""
    if cells.len() < 2 or not cells.str.contains(r"^[1-9][0-9]*(\.[1-9][0-9]*)*$").all():
        return False
    dotted = cells.filter(cells.str.contains(r"\."))
    return dotted.len() > 0 and bool(dotted.str.replace(r"\.[0-9]+$", "").is_in(cells.implode()).all())


def outline_column(table: RawTable, fields: dict[str, str], ignored: list[str], issues: Collector) -> None:
    """An item-number column written as outline numbers (``1``, ``1.1``, ``1.1.2``: SOLIDWORKS'
    ``ITEM NO.`` in an indented BOM) is the table's levels when no column names them; said in a warning."""
    if "level" in fields or "parent" in fields:
        return
    for header in ignored:
        if norm_header(header) not in ITEM_HEADERS or header not in table.frame.columns or header == fields.get("sku"):
            continue
        cells = _cells(table.frame, header)
        if not _outline_cells(cells):
            continue
        ignored.remove(header)
        fields["level"] = header
        issues.warn(
            "outline-item-numbers",
            f"column {header!r} numbers the lines as an outline (1, 1.1, 1.1.2): read as the levels of an indented BOM, each line under the number before its last dot",
            f"pass --map level= to read the table as flat if {header!r} only numbers the lines",
            file=table.path,
            sheet=table.sheet,
        )
        return
