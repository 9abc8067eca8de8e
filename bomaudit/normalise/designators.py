"""How many parts a cell of reference designators names: ``C1, C5, C25`` is three, and so are
the ranges EDA tools and hand-made lists write: ``R1-R8`` is eight, ``D1-12`` twelve, ``J1-3``
three, ``C3–C6`` four, ``R10..R12`` three.

Only a range that reads unambiguously as one is expanded: the same letters on both ends (or none
on the second), the second number at least the first. Anything else (``U1-A``, a gate of a
multi-part symbol; ``R5-R2``, backwards) counts as the one designator it is written as.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import polars as pl

_RANGE = re.compile(r"^([A-Za-z]*)(\d+)(?:-|–|—|~|\.\.|:)([A-Za-z]*)(\d+)$")
_SPACED_DASH = re.compile(r"\s*(-|–|—|~|\.\.)\s*(?=[A-Za-z]*\d)")
_SEPARATORS = re.compile(r"[,;/\s]+")


def count(cell: str) -> int:
    """The number of parts ``cell`` designates (0 for a cell with no designator)."""
    joined = _SPACED_DASH.sub(lambda m: m.group(1), cell.strip())
    total = 0
    for token in _SEPARATORS.split(joined):
        if not token:
            continue
        m = _RANGE.match(token)
        if m is None:
            total += 1
            continue
        first_letters, first, last_letters, last = m.groups()
        if last_letters not in ("", first_letters) or int(last) < int(first) or len(first) > 9 or len(last) > 9:
            total += 1
            continue
        total += int(last) - int(first) + 1
    return total


def counts(cells: pl.Series) -> pl.Series:
    """:func:`count` of every cell, as Float64; null where the cell is blank or names none."""
    import polars as pl

    uniques = {v: count(v) for v in cells.drop_nulls().unique().to_list()}
    return cells.replace_strict(uniques, default=None, return_dtype=pl.Int64).cast(pl.Float64).replace(0.0, None)
