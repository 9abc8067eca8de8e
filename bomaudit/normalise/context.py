"""The table being normalised, with the error helpers bound to its place, and cell text."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from bomaudit.errors import MAX_LISTED
from bomaudit.load import ROW
from bomaudit.parse import DATE_OR_TIME, NOT_A_NUMBER, REASONS, SPREADSHEET_ERROR, Parsed, parse_numbers

if TYPE_CHECKING:
    import polars as pl

    from bomaudit.errors import Collector
    from bomaudit.load import RawTable
    from bomaudit.normalise.model import NormaliseOptions


class TableContext:
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
            shown = str(value) if isinstance(value, dt.date | dt.time | dt.timedelta) else value  # typed Parquet cells
            self.issues.error(code, f"{what}: {shown!r}", hint, **self.where(row=row, column=header))
        if bad.height > MAX_LISTED:
            self.issues.error(
                code,
                f"{bad.height - MAX_LISTED} more cells like these in this column",
                hint,
                **self.where(column=header),
            )

    def numbers(self, header: str, what: str, hint: str) -> Parsed:
        parsed = parse_numbers(self.frame[header], decimal_comma=self.options.decimal_comma)
        for reason, mask in parsed.by_reason():
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
        if self.options.decimal_comma:
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
