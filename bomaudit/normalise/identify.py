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

from bomaudit.fields import NAME_HEADERS, WEAK_SKU_HEADERS, interpret_header, norm_header

if TYPE_CHECKING:
    import polars as pl

#: data rows sampled to judge a column's values
SAMPLE = 2000
#: a name column is used only when it fills at least this share of the lines that have content
MIN_FILL = 0.5
_NUMBER = re.compile(r"^[\s$€£¥]*[-+]?\d[\d,.\s]*(%|[a-zA-Z]{0,3})?\s*$")
_LINK = re.compile(r"^\s*(https?://|www\.)", re.I)
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

    @property
    def plausible(self) -> bool:
        return self.fill >= MIN_FILL and self.numeric < 0.8 and self.links < 0.5 and self.distinct > 0.05

    def score(self) -> float:
        return self.tier * 10 + 3 * self.fill + 2 * self.distinct - 5 * self.numeric - 5 * self.links

    def evidence(self) -> str:
        kind = ("names a part number", "names the parts", "is not a known name")[2 - self.tier]
        return f"{kind}; {self.fill:.0%} of lines filled, {self.distinct:.0%} distinct"


def tier_of(header: str) -> int:
    key = norm_header(header)
    meaning = interpret_header(header)
    if meaning is not None and meaning.field == "sku":
        return 1 if key in _WEAK_KEYS else 2
    if key in _NAME_KEYS or (meaning is not None and meaning.field in ("description", "value")):
        return 1
    return 0


def candidates(frame: pl.DataFrame, headers: list[str], taken: frozenset[str]) -> list[Candidate]:
    """Every column of ``headers`` not read as another field (``taken``), best first."""
    rows = frame.head(SAMPLE)
    has_content = [any(v not in (None, "") for v in row) for row in rows.select([h for h in headers if h in rows.columns]).rows()]
    lines = max(sum(has_content), 1)
    out = []
    for header in headers:
        if header in taken or header not in rows.columns or header.startswith("column "):
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
                sum(bool(_NUMBER.match(v)) for v in values) / len(values),
                sum(bool(_LINK.match(v)) for v in values) / len(values),
                tuple(dict.fromkeys(values))[:3],
            )
        )
    return sorted(out, key=lambda c: (-c.score(), headers.index(c.header)))


def better_than_weak(chosen: Candidate, others: list[Candidate]) -> Candidate | None:
    """A name column to use instead of a weakly named part-number column (``Material``,
    ``Component``) whose values repeat across most lines while the name column's do not: Fusion
    360's ``Material`` (Steel, Aluminum…) beside ``Part Name``."""
    if chosen.tier != 1 or chosen.distinct >= 0.5:
        return None
    names = [c for c in others if c.tier == 1 and c.plausible and c.header != chosen.header and c.distinct >= max(0.8, 2 * chosen.distinct)]
    return names[0] if names else None
