"""Which column identifies the parts, judged on evidence when no header says "part number".

A header naming a part number (``MPN``, ``Part Number``, ``Artikelnummer``, ``料号``) decides at
once, as it always has. Real exports often have none: KiCad's ``Value``, a hand-made ``Part
Name``, EAGLE's ``Device``, Fusion 360's ``Part Name`` beside a ``Material`` column that a weak
synonym would take. Then every column a part identifier could be is scored by its header (a name
column is a fallback a person would accept) and by its values: how many lines it fills, how many
distinct values it has, and whether those look like identifiers rather than counters, links,
quantities or prices. The best is used when it is clearly a name column; otherwise the error
lists the best candidates with example values and the exact ``--map`` for each. The choice and
its runner-up are shown by ``validate`` and said in a warning, never silent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bomaudit.fields import (
    CELL_CODE,
    CELL_DESIGNATORS,
    CELL_EDA_VALUE,
    CELL_NUMBER,
    NAME_HEADERS,
    WEAK_SKU_HEADERS,
    interpret_header,
    is_generic_header,
    norm_header,
)

if TYPE_CHECKING:
    import polars as pl

#: data rows sampled to judge a column's values
SAMPLE = 2000
#: a name column is used only when it fills at least this share of the lines that have content
MIN_FILL = 0.5
_NUMBER = CELL_NUMBER
_LINK = re.compile(r"^\s*(https?://|www\.)", re.I)
_EDA_VALUE = CELL_EDA_VALUE
#: headers of columns that say how a part is drawn or placed, never which part it is
_NOT_PARTS = re.compile(r"(?i)footprint|datasheet|package|\bcase\b|pattern|libref|library|lib ref|symbol|cmp name|designator|\bref\b|position")
_CODE = CELL_CODE
_DESIGNATORS = CELL_DESIGNATORS
_NAME_KEYS = frozenset(norm_header(h) for h in NAME_HEADERS)
_WEAK_KEYS = frozenset(norm_header(h) for h in WEAK_SKU_HEADERS)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A column that might identify the parts, with the evidence for it."""

    header: str
    #: 2: the header names a part number; 1: it names a part (a name); 0: it says nothing
    tier: int
    #: share of the sampled lines with a value here
    fill: float
    #: distinct values over values
    distinct: float
    #: share of values that are numbers, links: such columns count, price or point, not name
    numeric: float
    links: float
    examples: tuple[str, ...]
    #: share of values that are part codes, and that are reference designators
    coded: float = 0.0
    placed: float = 0.0
    #: share of values that are component values ("10k", "100nF"): what a part is, not which
    valued: float = 0.0

    @property
    def plausible(self) -> bool:
        return self.fill >= MIN_FILL and self.numeric < 0.8 and self.links < 0.5 and self.distinct > 0.05

    def score(self) -> float:
        # part codes in a column no header names (Altium's 'Reference', KiCad's 'Field2') identify
        # the parts better than a name; designators never do
        return self.tier * 10 + 3 * self.fill + 2 * self.distinct - 5 * self.numeric - 5 * self.links + 12 * self.coded * self.fill - 10 * self.placed

    def evidence(self) -> str:
        kind = ("names a part number", "names the parts", "is not a known name")[2 - self.tier]
        codes = f", {self.coded:.0%} part codes" if self.coded >= 0.5 else ""
        return f"{kind}; {self.fill:.0%} of lines filled, {self.distinct:.0%} distinct{codes}"


def tier_of(header: str) -> int:
    key = norm_header(header)
    meaning = interpret_header(header)
    if meaning is not None and meaning.field == "sku":
        return 1 if key in _WEAK_KEYS else 2
    if key in _NAME_KEYS or (meaning is not None and meaning.field in ("description", "value")):
        return 1
    return 0


def generic_headers(headers: list[str]) -> list[str]:
    """The headers that say nothing but where their column is (``Field1``, ``Column2``, blank),
    when they are at least half of the table's (see :func:`~bomaudit.fields.is_generic_header`):
    then the columns are told apart by their values. Empty otherwise."""
    generic = [h for h in headers if is_generic_header(h)]
    return generic if headers and len(generic) * 2 >= len(headers) else []


def candidates(frame: pl.DataFrame, headers: list[str], taken: frozenset[str]) -> list[Candidate]:
    """Every column of ``headers`` not read as another field (``taken``), best first. A column
    without a header is one only when the table's headers are generic (:func:`generic_headers`)."""
    rows = frame.head(SAMPLE)
    has_content = [any(v not in (None, "") for v in row) for row in rows.select([h for h in headers if h in rows.columns]).rows()]
    lines = max(sum(has_content), 1)
    generic = frozenset(generic_headers(headers))
    out = []
    for header in headers:
        if header in taken or header not in rows.columns or (header.startswith("column ") and header not in generic) or _NOT_PARTS.search(header):
            continue
        values = [str(v).strip() for v, used in zip(rows[header].to_list(), has_content, strict=True) if used and v is not None and str(v).strip()]
        if not values:
            continue
        out.append(
            Candidate(
                header,
                tier_of(header),
                len(values) / lines,
                len(set(values)) / len(values),
                sum(bool(_NUMBER.match(v)) and not _EDA_VALUE.match(v) for v in values) / len(values),
                sum(bool(_LINK.match(v)) for v in values) / len(values),
                tuple(dict.fromkeys(values))[:3],
                sum(bool(_CODE.match(v)) and not _DESIGNATORS.match(v) for v in values) / len(values),
                sum(bool(_DESIGNATORS.match(v)) for v in values) / len(values),
                sum(bool(_EDA_VALUE.match(v)) for v in values) / len(values),
            )
        )
    return sorted(out, key=lambda c: (-c.score(), headers.index(c.header)))


def holds_designators(frame: pl.DataFrame, header: str) -> bool:
    """Whether most filled cells of a column (sampled) are reference designators ("C1, C2", "R3")."""
    values = [str(v).strip() for v in frame[header].head(SAMPLE).to_list() if v is not None and str(v).strip()]
    return not values or sum(bool(_DESIGNATORS.match(v)) for v in values) >= len(values) / 2


#: a name column whose values are mostly component values ("10k", "100nF") names a kind of part,
#: which many part numbers share: a column of part codes beside it identifies the parts
VALUED = 0.5
#: ... when this share of its values are part codes
CODED = 0.8


def codes_over_values(chosen: Candidate, others: list[Candidate]) -> Candidate | None:
    """A column of part codes no header names (KiCad's ``Field2``) to use instead of the name
    column chosen when that one holds component values (KiCad's ``Value``: 10k, 100nF, DNP)."""
    if chosen.valued < VALUED:
        return None
    codes = [c for c in others if c.tier == 0 and c.coded >= CODED and c.plausible and c.header != chosen.header]
    return codes[0] if codes else None


def better_than_weak(chosen: Candidate, others: list[Candidate]) -> Candidate | None:
    """A name column to use instead of a weakly named part-number column (``Material``,
    ``Component``) whose values repeat across most lines while the name column's do not: Fusion
    360's ``Material`` (Steel, Aluminum…) beside ``Part Name``."""
    if chosen.tier != 1 or chosen.distinct >= 0.5:
        return None
    names = [c for c in others if c.tier == 1 and c.plausible and c.header != chosen.header and c.distinct >= max(0.8, 2 * chosen.distinct)]
    return names[0] if names else None
