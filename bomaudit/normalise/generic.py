"""Columns whose headers say nothing (``Field1``…, ``Column1``…, ``F1``, ``Unnamed: 3``, ``A``,
blank): told apart by their values (issue #12).

When at least half of a table's headers are generic (:func:`~.identify.generic_headers`), header
synonyms cannot say which column is which. The part-number column is chosen by
:mod:`.identify` (part codes, mostly distinct, beat component values and designators); this
module reads the other generic columns by what their cells look like
(:func:`~bomaudit.fields.cell_kind`): a column of designator lists is the designators, one of
whole numbers the quantity, one of component values (10k, 100nF) the value, one of
do-not-populate words the DNP flag, one of several-word text the description. Each field is
taken once, by the first column in header order that fits, and only when no header names it.
A cell that is a do-not-populate word in any generic column marks its line (KiCad's ragged
exports write ``DNP`` in whatever field comes next). Every choice is said in one warning.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bomaudit.fields import DNP_WORDS, cell_kind

if TYPE_CHECKING:
    import polars as pl

    from bomaudit.errors import Collector
    from bomaudit.load import RawTable

#: data rows sampled to judge a column
SAMPLE = 2000
#: do-not-populate words that mark a line wherever they stand ("NC" may be a pin's or a net's name)
STRONG_DNP = frozenset(DNP_WORDS - {"nc", "n/c"})
#: share of a column's filled cells that must be of one kind for the column to be read as the field
#: (designators 80 %: a few lines name a board feature; counts 90 %: a quantity misread is a wrong
#: fraction; component values 60 %: Value columns hold names too, 'INDUCTOR', 'USB-MICRO-B')
SHARES = {"designator": ("designators", 0.8), "qty": ("count", 0.9), "value": ("value", 0.6), "dnp": ("dnp", 0.9)}
KIND_NAMES = {"designators": "designators", "count": "whole numbers", "value": "component values", "dnp": "do-not-populate words"}
#: a description: most cells text of this many words or more on average ("CAP CER 10UF 10V X5R")
DESCRIPTION_WORDS = 2.5


@dataclass(frozen=True, slots=True)
class ByValues:
    """What the generic columns were read as: header -> (field, evidence), and the columns whose
    do-not-populate words mark lines."""

    fields: dict[str, tuple[str, str]]
    dnp_cells: list[str]


def _values(frame: pl.DataFrame, header: str) -> list[str]:
    return [str(v).strip() for v in frame[header].head(SAMPLE).to_list() if v is not None and str(v).strip()]


def _counter(values: list[str]) -> bool:
    """Whether whole numbers count the lines (1, 2, 3…) rather than parts."""
    numbers = [int(v) for v in values]
    return len(numbers) > 2 and numbers == list(range(numbers[0], numbers[0] + len(numbers)))


def _fit(values: list[str]) -> tuple[str, str] | None:
    """The field a generic column's values fit, with the evidence; None when none clearly."""
    kinds = Counter(cell_kind(v) for v in values)
    for fld, (kind, share) in SHARES.items():
        got = kinds[kind] / len(values)
        if got >= share and not (fld == "qty" and _counter(values)):
            return fld, f"{got:.0%} {KIND_NAMES[kind]}"
    words = sum(len(v.split()) for v in values) / len(values)
    if kinds["text"] / len(values) >= 0.6 and words >= DESCRIPTION_WORDS:
        return "description", f"text of {words:.1f} words on average"
    return None


def read_generic(table: RawTable, generic: list[str], fields: dict[str, str], ignored: list[str], data: list[str], issues: Collector) -> ByValues:
    """Read the generic columns not yet read (in ``ignored``) as the fields their values fit;
    ``fields``, ``ignored`` and ``data`` updated. ``fields['sku']`` is already chosen."""
    frame = table.frame
    found: dict[str, tuple[str, str]] = {}
    dnp_cells = []
    for header in generic:
        if header not in ignored or header not in frame.columns:
            continue
        values = _values(frame, header)
        if not values:
            continue
        fit = _fit(values)
        if fit is not None and fit[0] not in fields:
            fields[fit[0]] = header
            found[header] = fit
            ignored.remove(header)
            data.append(header)
        if (fit is None or fit[0] != "dnp") and any(" ".join(v.lower().split()) in STRONG_DNP for v in values):
            dnp_cells.append(header)
    sku = fields.get("sku")
    if sku in generic:
        found = {sku: ("sku", "chosen by its values"), **found}
    if found or dnp_cells:
        said = ", ".join(f"{h!r} → {fld} ({why})" for h, (fld, why) in found.items())
        marks = f"; a do-not-populate word in {', '.join(map(repr, dnp_cells))} marks its line" if dnp_cells else ""
        issues.warn(
            "generic-headers",
            f"the headers are generic ({', '.join(map(repr, generic[:4]))}{', …' if len(generic) > 4 else ''}): "
            f"they say nothing of their columns, which were told apart by their values: {said or 'none read'}{marks}",
            "check the columns in `bomaudit validate`; pass --map FIELD=HEADER to read a column otherwise",
            file=table.path,
            sheet=table.sheet,
        )
    return ByValues(found, dnp_cells)
