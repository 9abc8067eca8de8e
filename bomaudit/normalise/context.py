"""The table being normalised, with the error helpers bound to its place, and cell text."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from bomaudit.errors import MAX_LISTED, listed
from bomaudit.load import ROW
from bomaudit.parse import DATE_OR_TIME, NOT_A_NUMBER, REASONS, SPREADSHEET_ERROR, Parsed, constant, parse_numbers

if TYPE_CHECKING:
    import polars as pl

    from bomaudit.errors import Collector
    from bomaudit.load import RawTable
    from bomaudit.normalise.model import NormaliseOptions


class TableContext:
    """One table being normalised, with the error helpers bound to its location."""

    def __init__(self, raw: RawTable, issues: Collector, options: NormaliseOptions, key_prefix: str = "") -> None:
        self.raw = raw
        self.issues = issues
        self.options = options
        self.frame = raw.frame
        #: put before the synthetic key of a line without a part number (the file's name when several BOM files are read)
        self.key_prefix = key_prefix
        #: rows that hold no data at all (the header repeated below itself): their cells are never errors
        self.not_data: pl.Series | None = None
        #: numbers are read with decimal commas: --decimal-comma, or the table's cells show them
        self.decimal_comma = options.decimal_comma

    def where(self, **kw: Any) -> dict[str, Any]:
        return {"file": self.raw.path, "sheet": self.raw.sheet, **kw}

    def warn_rows(self, mask: pl.Series, code: str, what: str, hint: str | None = None) -> None:
        """One warning about the rows of ``mask``: located at the row when there is one, else
        listing them ("rows 2, 6, 11: …"); nothing when the mask is empty."""
        if not mask.any():
            return
        rows = self.frame.filter(mask)[ROW].to_list()
        if len(rows) == 1:
            self.issues.warn(code, what, hint, **self.where(row=rows[0]))
            return
        self.issues.warn(code, f"rows {listed(rows)}: {what}", hint, **self.where())

    def report_bad(self, mask: pl.Series, header: str, code: str, what: str, hint: str, *, quote: bool = True) -> None:
        """One error per bad cell (up to MAX_LISTED per column), naming row and column, and quoting
        the cell unless ``quote`` is False (an empty cell)."""
        if self.not_data is not None:
            mask = mask & ~self.not_data
        if not mask.any():
            return
        bad = self.frame.filter(mask).select(ROW, header)
        for row, value in bad.head(MAX_LISTED).iter_rows():
            shown = str(value) if isinstance(value, dt.date | dt.time | dt.timedelta) else value  # typed Parquet cells
            self.issues.error(code, f"{what}: {shown!r}" if quote else what, hint, **self.where(row=row, column=header))
        if bad.height > MAX_LISTED:
            self.issues.error(
                code,
                f"{bad.height - MAX_LISTED} more cells like these in this column",
                hint,
                **self.where(column=header),
            )

    def numbers(self, header: str, what: str, hint: str, words: str | None = None) -> Parsed:
        """The column's cells as numbers; a bad cell is an error, except one that is not a number
        and matches the pattern ``words``: those are ``parsed.words``, for the caller to deal with
        (the pattern is only tried on cells that are not numbers)."""
        import polars as pl

        parsed = parse_numbers(self.frame[header], decimal_comma=self.decimal_comma)
        if words is not None:
            no_number = (parsed.reason == NOT_A_NUMBER).fill_null(False)
            wordy = constant(False, self.frame.height, pl.Boolean)
            if no_number.any() and self.frame[header].dtype == pl.String:
                wordy = no_number & text(self.frame, header).str.contains(words).fill_null(False)
            parsed.words = wordy
        for reason, cells in parsed.by_reason():
            mask = cells & ~parsed.words if parsed.words is not None and reason == NOT_A_NUMBER else cells
            self.report_bad(mask, header, reason, f"{what} {REASONS[reason]}", self._number_hint(reason, hint))
        return parsed

    def _number_hint(self, reason: str, hint: str) -> str:
        """What to write instead of a cell that is not a usable number, for why it is not."""
        if reason == SPREADSHEET_ERROR:
            return "fix the formula or enter the value"
        if reason == DATE_OR_TIME:
            return f"{hint} (the cell holds a date or time: give it a number format)"
        if reason != NOT_A_NUMBER:
            return hint
        if self.decimal_comma:
            return f"{hint} (with --decimal-comma the comma is the decimal point and a dot groups thousands: 1.250,5)"
        return f"{hint} (for decimal commas such as 1,5 pass --decimal-comma)"


def text(frame: pl.DataFrame, header: str) -> pl.Series:
    """A column's cells as stripped text, blank cells as null."""
    import polars as pl

    s = frame[header]
    if s.dtype != pl.String:
        s = s.cast(pl.String)
    s = s.str.strip_chars()
    return pl.select(pl.when(s == "").then(None).otherwise(s)).to_series()


#: two numbers of one attribute agree when they differ by at most this share of the larger
REL_TOLERANCE = 1e-9


def close(a: pl.Expr | pl.Series, b: pl.Expr | pl.Series) -> pl.Expr:
    """Equal within :data:`REL_TOLERANCE` of the larger magnitude (null where either is null)."""
    import polars as pl

    a, b = pl.lit(a) if isinstance(a, pl.Series) else a, pl.lit(b) if isinstance(b, pl.Series) else b
    return (a - b).abs() <= REL_TOLERANCE * pl.max_horizontal(a.abs(), b.abs())


def cell_text(value: object) -> str:
    """A cell as a message quotes it: text as written, a typed number without a trailing ``.0``."""
    return f"{value:g}" if isinstance(value, float) else str(value)


def agree(a: object, b: object) -> bool:
    """Two cell values agree: equal, or numbers within :data:`REL_TOLERANCE`."""
    if isinstance(a, float) and isinstance(b, float):
        return abs(a - b) <= REL_TOLERANCE * max(abs(a), abs(b))
    return a == b


def merge_columns(t: TableContext, what: str, pieces: list[tuple[str, pl.Series]], keep: pl.Series, fld: str | None = None) -> pl.Series:
    """Several columns giving one attribute, read cell by cell: a blank takes the other's value,
    equal values (numbers within :data:`REL_TOLERANCE`) are the value, and two different values in
    one row of a part are an error naming the row and both headers.

    ``pieces`` are (header, parsed values) in the order the columns are preferred.
    """
    import polars as pl

    if len(pieces) == 1:
        return pieces[0][1]
    values = pl.DataFrame({f"v{i}": s for i, (_, s) in enumerate(pieces)})
    merged = values.select(pl.coalesce(values.columns)).to_series()
    numeric = merged.dtype.is_numeric()
    frame = values.with_columns(m=merged)
    differs = [
        pl.col(c).is_not_null() & pl.col("m").is_not_null() & ~(close(pl.col(c), pl.col("m")) if numeric else pl.col(c) == pl.col("m")) for c in values.columns
    ]
    conflict = frame.select(pl.any_horizontal(differs)).to_series() & keep
    if conflict.any():
        _report_conflicts(t, what, pieces, conflict, fld)
    return merged


def _report_conflicts(t: TableContext, what: str, pieces: list[tuple[str, pl.Series]], conflict: pl.Series, fld: str | None) -> None:
    hint = "make the two columns agree or clear one of them" + (f", or pass --map {fld}=HEADER to read only one" if fld else "")
    positions = conflict.arg_true()
    for i in positions.head(MAX_LISTED).to_list():
        given = [(h, s[i]) for h, s in pieces if s[i] is not None]
        h1, v1 = given[0]
        h2 = next(h for h, v in given[1:] if not agree(v, v1))
        c1, c2 = cell_text(t.frame[h1][i]), cell_text(t.frame[h2][i])
        t.issues.error(
            "column-conflict",
            f"{what} differs between two columns of this row: '{c1}' in {h1!r} but '{c2}' in {h2!r}",
            hint,
            **t.where(row=t.frame[ROW][i], column=h2),
        )
    if positions.len() > MAX_LISTED:
        t.issues.error("column-conflict", f"{positions.len() - MAX_LISTED} more rows whose columns {what} disagree", hint, **t.where())
