"""Vectorised parsing of numbers, units, dates and flags in text columns, with located errors.

Each parser takes a Polars Series of cells and returns parsed values plus a mask of cells it
could not read, so the caller can name the rows. No Python loop runs over rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bomaudit.fields import CHINA_NAMES, FALSE_WORDS, TRUE_WORDS, UNKNOWN_WORDS

if TYPE_CHECKING:
    import polars as pl


def constant(value: object, n: int, dtype: pl.DataType | type) -> pl.Series:
    """A Series of ``n`` copies of ``value``, built by Polars (a Python list of millions is slow)."""
    import polars as pl

    return pl.repeat(value, n, dtype=dtype, eager=True)


# --- numbers ----------------------------------------------------------------------------
# Polars' own cast reads the common cells ("12", "0.5", "1e-3"); the rest are matched whole against
# a strict grammar, so that nothing is read as a number unless all of it is one: digit groups of
# three with one separator ("1,250.5", "1 250", "1'250"), an optional currency sign before, and an
# optional unit after that starts with a letter, a currency sign or "%" ("12 g", "5 pcs", "3 €").
# "1_000", "1 2", "2026-01-05" or "12:30" are therefore not numbers, rather than 1, 12, 2026 or 12.

_GROUPED = "|".join(rf"\d{{1,3}}(?:{sep}\d{{3}})+" for sep in (",", "'", "\u2019", " ", "\u00a0", "\u202f"))
_GROUPED_DC = "|".join(rf"\d{{1,3}}(?:{sep}\d{{3}})+" for sep in (r"\.", "'", "\u2019", " ", "\u00a0", "\u202f"))
_EXPONENT = r"(?:[eE][-+]?\d+)?"
_NUMBER = rf"[-+]?(?:(?:{_GROUPED}|\d+)(?:\.\d*)?|\.\d+){_EXPONENT}"
_NUMBER_DC = rf"[-+]?(?:(?:{_GROUPED_DC}|\d+)(?:,\d*)?|,\d+){_EXPONENT}"
#: a unit written after the number starts with a letter (µ is one), a currency sign, % or ‰
_UNIT = r"[\p{L}\p{Sc}%‰°].*?"
_CELL = rf"^[$€£¥]?\s*(?P<num>{_NUMBER})\s*(?P<unit>{_UNIT})?$"
_CELL_DC = rf"^[$€£¥]?\s*(?P<num>{_NUMBER_DC})\s*(?P<unit>{_UNIT})?$"
_SEPARATORS = "[,'\u2019 \u00a0\u202f]"
_SEPARATORS_DC = "[.'\u2019 \u00a0\u202f]"

#: a spreadsheet's error value: Excel's (#DIV/0!, #N/A, #VALUE!, #REF!, #NAME?, #NUM!, #NULL!, #SPILL!,
#: #CALC!, #GETTING_DATA…) and their translations in localised exports (#WERT!, #NV, #¡VALOR!…)
ERROR_VALUE = r"^#(?:(?i:n/a|nv|n/d|n/b|getting_data)|[¡¿]?\p{Lu}[\p{Lu}\d_/]*[!?])$"
#: a date or a time of day as exports write them ("2026-01-05", "05.01.2026", "1/5/2026 10:30", "12:30")
_DATE_OR_TIME = (
    r"^(?:\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)?"
    r"|\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:\s*[AaPp]\.?[Mm]\.?)?)$"
)
_NOT_FINITE_WORD = r"(?i)^[$€£¥]?\s*[-+]?(?:nan|inf|infinity)\b"
#: what a program writes and a person never means: a hex, binary or octal literal ("0x10" is not 0
#: followed by the unit "x10"), an exponent without digits ("1e", "2.5E+")
_NOT_DECIMAL = r"^[$€£¥]?\s*[-+]?(?:0(?:[xX][0-9a-fA-F]|[bB][01]|[oO][0-7])|(?:\d+\.?\d*|\.\d+)[eE][-+]?$)"

# Digits of other scripts and full-width forms are read as the number a person means ("١٢" is 12,
# "＋1" is +1, "１２ｇ" is 12 g, "−5" with a minus sign is -5): each script's ten digits run from its zero.
_DIGIT_ZEROS = (
    0x0660,  # Arabic-Indic
    0x06F0,  # Extended Arabic-Indic (Persian, Urdu)
    0x07C0,  # NKo
    0x0966,  # Devanagari
    0x09E6,  # Bengali
    0x0A66,  # Gurmukhi
    0x0AE6,  # Gujarati
    0x0B66,  # Oriya
    0x0BE6,  # Tamil
    0x0C66,  # Telugu
    0x0CE6,  # Kannada
    0x0D66,  # Malayalam
    0x0E50,  # Thai
    0x0ED0,  # Lao
    0x0F20,  # Tibetan
    0x1040,  # Myanmar
    0x17E0,  # Khmer
    0x1810,  # Mongolian
    0xFF10,  # full-width (Chinese, Japanese, Korean input)
)
_DIGITS = {chr(zero + d): str(d) for zero in _DIGIT_ZEROS for d in range(10)}
#: other characters for ASCII ones: the full-width forms (U+FF01-FF5E, as Unicode's NFKC maps them),
#: the ideographic space, the minus sign, the Arabic percent sign; the Arabic decimal and thousands
#: separators (U+066B, U+066C) are "." and "," (swapped with --decimal-comma)
_SIGNS = {
    **{chr(0xFF01 + i): chr(0x21 + i) for i in range(94)},
    "\u3000": " ",
    "\u2212": "-",
    "\u066a": "%",
    "\u066b": ".",
    "\u066c": ",",
}
_FOREIGN = "[" + "".join(sorted({*_DIGITS, *_SIGNS})) + "]"
#: a mantissa with a digit other than 0: a cell that reads as 0 with one has underflowed ("1e-400")
_NONZERO_MANTISSA = r"^[^eE]*[1-9]"

# Why a cell is not a usable number (``Parsed.reason``), also the code of the error that says so.
NOT_A_NUMBER = "bad-number"
NOT_FINITE = "not-finite"
TOO_SMALL = "too-small"
DATE_OR_TIME = "date-not-number"
SPREADSHEET_ERROR = "spreadsheet-error"
#: each reason, and what an error says of the cell after naming what it should hold ("quantity …")
REASONS: dict[str, str] = {
    SPREADSHEET_ERROR: "is a spreadsheet error, not a number",
    DATE_OR_TIME: "is a date or time, not a number",
    NOT_FINITE: "is not a finite number",
    TOO_SMALL: "is too close to zero to be read (it would read as 0)",
    NOT_A_NUMBER: "is not a number",
}


@dataclass(slots=True)
class Parsed:
    values: pl.Series  # Float64: null where blank, unknown or bad
    units: pl.Series  # String, lower-cased unit written in the cell, or null
    unknown: pl.Series  # Boolean: the cell says unknown / ?
    bad: pl.Series  # Boolean: a non-empty cell that is not a usable number
    #: String: why a bad cell is bad (a key of REASONS), null elsewhere
    reason: pl.Series
    #: Boolean: a cell not a number that the caller reads as words (see TableContext.numbers); None: none asked
    words: pl.Series | None = None

    def by_reason(self) -> list[tuple[str, pl.Series]]:
        """(reason, mask of its cells) for each reason some cell has, in the order of REASONS."""
        if not self.bad.any():
            return []
        present = set(self.reason.drop_nulls().unique().to_list())
        return [(r, (self.reason == r).fill_null(False)) for r in REASONS if r in present]


def parse_numbers(cells: pl.Series, *, decimal_comma: bool = False) -> Parsed:
    """Numbers with optional thousands separators, currency sign and trailing unit.

    NaN, infinities and numbers too large or too small for a float are bad cells, and so are
    dates and times (typed, or written as text), spreadsheet error values and list or struct
    cells: each has its ``reason``."""
    import polars as pl

    n = cells.len()
    none = constant(None, n, pl.String)
    false = constant(False, n, pl.Boolean)
    if cells.dtype.is_numeric():
        values = cells.cast(pl.Float64)
        bad = ~values.is_finite().fill_null(True)
        if not bad.any():
            return Parsed(values, none, false, false, none)
        reason = pl.select(pl.when(bad).then(pl.lit(NOT_FINITE))).to_series()
        return Parsed(values.set(bad, None), none, false, bad, reason)
    if cells.dtype.is_temporal() or cells.dtype.is_nested() or cells.dtype in (pl.Binary, pl.Object):
        bad = cells.is_not_null()
        why = DATE_OR_TIME if cells.dtype.is_temporal() else NOT_A_NUMBER
        reason = pl.select(pl.when(bad).then(pl.lit(why))).to_series()
        return Parsed(constant(None, n, pl.Float64), none, false, bad, reason)
    if cells.dtype != pl.String:
        cells = cells.cast(pl.String)
    text = cells.str.strip_chars()
    text = pl.Series(text).set(text == "", None) if n else text
    fast = text.cast(pl.Float64, strict=False) if not decimal_comma else constant(None, n, pl.Float64)
    frame = pl.DataFrame({"t": text, "fast": fast})
    need = frame.select(pl.col("t").is_not_null() & ~pl.col("fast").is_finite().fill_null(False)).to_series()
    if not need.any():
        zero = (fast == 0).fill_null(False)
        if not zero.any() or not (tiny := zero & text.str.contains(_NONZERO_MANTISSA)).any():
            return Parsed(fast, none, false, false, none)
        reason = pl.select(pl.when(tiny).then(pl.lit(TOO_SMALL))).to_series()
        return Parsed(fast.set(tiny, None), none, false, tiny, reason)
    return _parse_slowly(frame, decimal_comma)


def _parse_slowly(frame: pl.DataFrame, decimal_comma: bool) -> Parsed:
    """:func:`parse_numbers` for cells Polars' cast does not read (``frame``: text ``t``, cast ``fast``).
    Cells that are not numbers only because they use other scripts' digits or full-width signs are
    read again with those written in ASCII: a second pass, only when there are such cells."""
    import polars as pl

    parsed = _parse_grammar(frame, decimal_comma)
    text = frame["t"]
    foreign = ((parsed.reason == NOT_A_NUMBER) & text.str.contains(_FOREIGN)).fill_null(False)
    if not foreign.any():
        return parsed
    text = pl.select(pl.when(foreign).then(ascii_digits(text, decimal_comma=decimal_comma)).otherwise(text)).to_series()
    fast = text.cast(pl.Float64, strict=False) if not decimal_comma else constant(None, text.len(), pl.Float64)
    return _parse_grammar(pl.DataFrame({"t": text, "fast": fast}), decimal_comma)


def ascii_digits(cells: pl.Series, *, decimal_comma: bool = False) -> pl.Series:
    """Text cells with other scripts' digits and full-width forms written in ASCII ("١٢" → "12",
    "＋１" → "+1"); a column without any such character is returned as it is."""
    if not cells.str.contains(_FOREIGN).any():
        return cells
    mapping = {**_DIGITS, **_SIGNS, **({"\u066b": ",", "\u066c": "."} if decimal_comma else {})}
    return cells.str.replace_many(list(mapping), list(mapping.values()))


def _parse_grammar(frame: pl.DataFrame, decimal_comma: bool) -> Parsed:
    """Cells matched against the grammar at the top of this section, with why each bad one is bad."""
    import polars as pl

    t = pl.col("t")
    parts = t.str.extract_groups(_CELL_DC if decimal_comma else _CELL)
    num = parts.struct.field("num")
    # the digit-group separators out; with --decimal-comma the comma becomes the point
    num = num.str.replace_all(_SEPARATORS_DC, "").str.replace(",", ".", literal=True) if decimal_comma else num.str.replace_all(_SEPARATORS, "")
    fast_ok = pl.col("fast").is_finite().fill_null(False)
    out = frame.with_columns(
        slow=num.cast(pl.Float64, strict=False),
        unit=parts.struct.field("unit").str.to_lowercase(),
        unknown=t.str.to_lowercase().is_in(list(UNKNOWN_WORDS)).fill_null(False),
    ).with_columns(
        value=pl.when(fast_ok).then(pl.col("fast")).otherwise(pl.col("slow")),
        unit=pl.when(fast_ok).then(None).otherwise(pl.col("unit")),
    )
    value = pl.col("value")
    reason = (
        pl.when(t.is_null() | pl.col("unknown"))
        .then(None)
        .when(t.str.contains(ERROR_VALUE))
        .then(pl.lit(SPREADSHEET_ERROR))
        .when(t.str.contains(_DATE_OR_TIME))
        .then(pl.lit(DATE_OR_TIME))
        .when(t.str.contains(_NOT_DECIMAL))
        .then(pl.lit(NOT_A_NUMBER))
        .when(t.str.contains(_NOT_FINITE_WORD) | (value.is_not_null() & ~value.is_finite()))
        .then(pl.lit(NOT_FINITE))
        .when(value.is_null())
        .then(pl.lit(NOT_A_NUMBER))
        .when((value == 0) & num.str.contains(_NONZERO_MANTISSA).fill_null(False))
        .then(pl.lit(TOO_SMALL))
    )
    out = out.with_columns(reason=reason).with_columns(bad=pl.col("reason").is_not_null())
    out = out.with_columns(value=pl.when(pl.col("bad")).then(None).otherwise(value), unit=pl.when(pl.col("bad")).then(None).otherwise(pl.col("unit")))
    return Parsed(out["value"], out["unit"], out["unknown"], out["bad"], out["reason"])


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
