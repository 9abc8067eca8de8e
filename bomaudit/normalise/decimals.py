"""Whether a table writes its numbers with decimal commas, judged on its own cells.

A European export (``22,5``, ``1.150,0``) fails to read without ``--decimal-comma``; with it, a
file that uses decimal points reads ``1.5`` as an error. The cells say which: a comma followed by
one, two or four and more digits (``22,5``, ``0,25``), or after dot-grouped thousands
(``1.150,0``), can only be a decimal comma; a dot so placed (``1.5``, ``1,150.0``) only a decimal
point. ``1,150`` and ``1.150`` say nothing, and a ``1,150`` anywhere stops the guess (read the
other way, a magnet's 1,150 g would be 1.15 g). A table whose number cells show commas and no
points or ``1,150`` is read with decimal commas, with a warning quoting the cell that decided;
any other is read as before and ``--decimal-comma`` decides.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import polars as pl

#: a number that can only have a decimal comma (a unit may follow)
COMMA = r"^[-+]?(\d+,(\d{1,2}|\d{4,})|\d{1,3}(\.\d{3})+,\d+)(\s*[^\d.,\s].*)?$"
#: a number that reads as a thousand with a comma for thousands and as one with a decimal comma
#: (``1,000``, ``12,500``): while any cell reads so, the flag decides, never a guess
AMBIGUOUS = r"^[-+]?\d{1,3}(,\d{3})+(\s*[^\d.,\s].*)?$"
#: a number that can only have a decimal point
POINT = r"^[-+]?(\d*\.(\d{1,2}|\d{4,})|\d{1,3}(,\d{3})+\.\d+)(\s*[^\d.,\s].*)?$"


def comma_evidence(frame: pl.DataFrame, headers: list[str]) -> tuple[str, int, str] | None:
    """(header, row, cell) of the first cell that shows a decimal comma when the number cells of
    ``headers`` show commas and no decimal points; None otherwise."""
    import polars as pl

    from bomaudit.load import ROW

    texts = [frame[h] for h in headers if frame[h].dtype == pl.String]  # typed columns hold numbers, not text
    # no comma in any number cell (the common case, and a literal search): nothing to detect
    if not any(cells.str.contains(",", literal=True).any() for cells in texts):
        return None
    first: tuple[str, int, str] | None = None
    for header in [c.name for c in texts]:
        cells = frame[header].str.strip_chars()
        if cells.str.contains(POINT).any() or cells.str.contains(AMBIGUOUS).any():
            return None
        commas = frame.filter(cells.str.contains(COMMA).fill_null(False))
        if first is None and commas.height:
            first = (header, commas[ROW][0], commas[header][0])
    return first
