"""Vectorised parsing of numbers, units, dates and flags in text columns, with located errors.

Each parser takes a Polars Series of cells and returns parsed values plus a mask of cells it
could not read, so the caller can name the rows. No Python loop runs over rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bomaudit.fields import CHINA_NAMES, FALSE_WORDS, TRUE_WORDS, UNKNOWN_WORDS

if TYPE_CHECKING:
    import polars as pl

_NUMBER = r"[-+]?(?:\d[\d,.' \u00a0\u202f]*\d|\d)?(?:[.,]\d+)?(?:[eE][-+]?\d+)?"
_CELL = re.compile(rf"^\s*[$€£¥]?\s*(?P<num>{_NUMBER})\s*(?P<unit>[^\d\s].*?)?\s*$")


def constant(value: object, n: int, dtype: pl.DataType | type) -> pl.Series:
    """A Series of ``n`` copies of ``value``, built by Polars (a Python list of millions is slow)."""
    import polars as pl

    return pl.repeat(value, n, dtype=dtype, eager=True)


@dataclass(slots=True)
class Parsed:
    values: pl.Series  # Float64
    units: pl.Series  # String, lower-cased unit written in the cell, or null
    unknown: pl.Series  # Boolean: the cell says unknown / ?
    bad: pl.Series  # Boolean: a non-empty cell that is not a number


def parse_numbers(cells: pl.Series, *, decimal_comma: bool = False) -> Parsed:
    """Numbers with optional thousands separators, currency sign and trailing unit."""
    import polars as pl

    n = cells.len()
    if cells.dtype.is_numeric():
        values = cells.cast(pl.Float64)
        none = constant(None, n, pl.String)
        false = constant(False, n, pl.Boolean)
        return Parsed(values, none, false, false)
    if cells.dtype != pl.String:
        cells = cells.cast(pl.String)
    text = cells.str.strip_chars()
    text = pl.Series(text).set(text == "", None) if n else text
    fast = text.cast(pl.Float64, strict=False) if not decimal_comma else constant(None, n, pl.Float64)
    frame = pl.DataFrame({"t": text, "fast": fast})
    need = frame.select(pl.col("t").is_not_null() & pl.col("fast").is_null()).to_series()
    if not need.any():
        none = constant(None, n, pl.String)
        false = constant(False, n, pl.Boolean)
        return Parsed(fast, none, false, false)
    lower = pl.col("t").str.to_lowercase()
    parts = pl.col("t").str.extract_groups(_CELL.pattern)
    num = parts.struct.field("num").str.replace_all(r"[ '\u00a0\u202f]", "")
    if decimal_comma:
        num = num.str.replace_all(r"\.", "").str.replace(",", ".", literal=True)
    else:
        num = pl.when(num.str.contains(r"^[-+]?\d{1,3}(?:,\d{3})+(?:\.\d*)?$")).then(num.str.replace_all(",", "")).otherwise(num)
    out = frame.with_columns(
        slow=num.cast(pl.Float64, strict=False),
        unit=parts.struct.field("unit").str.to_lowercase(),
        unknown=lower.is_in(list(UNKNOWN_WORDS)).fill_null(False),
    ).with_columns(
        value=pl.when(pl.col("fast").is_not_null()).then(pl.col("fast")).otherwise(pl.col("slow")),
        unit=pl.when(pl.col("fast").is_not_null()).then(None).otherwise(pl.col("unit")),
    )
    out = out.with_columns(
        bad=(pl.col("t").is_not_null() & pl.col("value").is_null() & ~pl.col("unknown")),
    )
    return Parsed(out["value"], out["unit"], out["unknown"], out["bad"])


def parse_flags(cells: pl.Series) -> tuple[pl.Series, pl.Series]:
    """yes/no, true/false, 1/0, y/n, x → Boolean (null when blank); second series marks bad cells."""
    import polars as pl

    text = cells.cast(pl.String).str.strip_chars().str.to_lowercase()
    frame = pl.DataFrame({"t": text}).with_columns(pl.when(pl.col("t") == "").then(None).otherwise(pl.col("t")).alias("t"))
    frame = frame.with_columns(v=pl.when(pl.col("t").is_in(list(TRUE_WORDS))).then(True).when(pl.col("t").is_in(list(FALSE_WORDS))).then(False).otherwise(None))
    bad = frame.select(pl.col("t").is_not_null() & pl.col("v").is_null()).to_series()
    return frame["v"], bad


def parse_origin(cells: pl.Series) -> pl.Series:
    """``CN`` for any name of China, else the text upper-cased; null when blank or unknown."""
    import polars as pl

    from bomaudit.fields import IGNORED_PATTERN

    text = cells.cast(pl.String).str.strip_chars()
    key = text.str.to_lowercase().str.replace_all(IGNORED_PATTERN, "")
    frame = pl.DataFrame({"t": text, "k": key})
    return frame.select(
        pl.when(pl.col("k").is_in(list(CHINA_NAMES)))
        .then(pl.lit("CN"))
        .when((pl.col("k") == "") | pl.col("k").is_in(["unknown", "?", "unk", "tbd"]))
        .then(None)
        .otherwise(pl.col("t").str.to_uppercase())
    ).to_series()


_DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%Y/%m/%d", "%d/%m/%Y", "%Y%m%d")


def parse_dates(cells: pl.Series) -> tuple[pl.Series, pl.Series]:
    """ISO dates (with or without a time), ``DD.MM.YYYY``, ``YYYY/MM/DD``, ``DD/MM/YYYY``."""
    import polars as pl

    text = cells.cast(pl.String).str.strip_chars()
    frame = pl.DataFrame({"t": text}).with_columns(pl.when(pl.col("t") == "").then(None).otherwise(pl.col("t")).alias("t"))
    head = pl.col("t").str.replace(r"[T ]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$", "")
    frame = frame.with_columns(d=pl.coalesce([head.str.to_date(f, strict=False) for f in _DATE_FORMATS]))
    bad = frame.select(pl.col("t").is_not_null() & pl.col("d").is_null()).to_series()
    return frame["d"], bad
