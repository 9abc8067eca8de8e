"""The tool's vocabulary, defined once: verdicts, end uses, bases, origins, provenance.

Every stage and renderer names these members instead of writing the strings. They are
``StrEnum``s, so a member is its own text in reports and on the command line.
"""

from __future__ import annotations

from enum import StrEnum


class Verdict(StrEnum):
    """Most to least severe (SPEC §3); the order of definition is the severity order."""

    denied = "denied"
    case_by_case = "case-by-case"
    license_required = "license-required"
    unknown = "unknown"
    licensed = "licensed"
    exempt = "exempt"
    clear = "clear"

    @property
    def severity(self) -> int:
        """0 for the most severe (``denied``) up to 6 for ``clear``."""
        return VERDICTS.index(self)


#: verdict texts, most to least severe
VERDICTS: tuple[Verdict, ...] = tuple(Verdict)
#: verdict text -> severity (0 = most severe), for frame expressions
SEVERITY: dict[str, int] = {v.value: i for i, v in enumerate(VERDICTS)}


class EndUse(StrEnum):
    civil = "civil"
    military = "military"
    advanced_semiconductor = "advanced-semiconductor"
    military_ai = "military-ai"
    humanitarian = "humanitarian"


END_USES: tuple[str, ...] = tuple(e.value for e in EndUse)


class Basis(StrEnum):
    """What the China-origin fraction is a share of."""

    mass = "mass"
    value = "value"


class UnknownOrigin(StrEnum):
    """How controlled content with no stated origin counts."""

    china = "china"  # counted as China-origin, and said so (an assumption)
    unknown = "unknown"  # the part's data counts as missing


class Provenance(StrEnum):
    """Where a part's composition comes from (SPEC §3)."""

    declared = "declared"
    estimated = "estimated"
    assumed = "assumed"
    none = "none"


class FailOn(StrEnum):
    """The verdict policy's level: exit 1 when a verdict is at or above it."""

    denied = "denied"
    case_by_case = "case-by-case"
    license_required = "license-required"
    unknown = "unknown"
    never = "never"


class FailScope(StrEnum):
    products = "products"
    all = "all"


class Kind(StrEnum):
    product = "product"
    assembly = "assembly"
    part = "part"


class Role(StrEnum):
    bom = "bom"
    parts = "parts"


class Alternates(StrEnum):
    """How a group of alternate lines ("OR" between them) counts."""

    worst = "worst"  # the worst case: the alternate giving the worst verdict
    first = "first"  # the group's first line


class SkuMatch(StrEnum):
    """How ``--parts`` rows are joined to BOM SKUs whose spelling differs only in case or separators."""

    strict = "strict"  # such a near-miss is an error naming both spellings
    loose = "loose"  # joined on the normalised key (an assumption, recorded on the Bom)
    exact = "exact"  # kept apart, with a warning


class OnOff(StrEnum):
    """A switch written as a word on the command line (``--estimates on|off``)."""

    on = "on"
    off = "off"
