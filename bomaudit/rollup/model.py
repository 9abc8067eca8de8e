"""What the roll-up is asked for and what it returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bomaudit.vocab import Basis, UnknownOrigin

if TYPE_CHECKING:
    from collections.abc import Callable

    import polars as pl

    from bomaudit.errors import Problem
    from bomaudit.materials import Library


@dataclass(frozen=True, slots=True)
class RollupOptions:
    controlled: tuple[str, ...]  # element symbols the threshold rule counts
    unknown_origin: UnknownOrigin = UnknownOrigin.china
    basis: Basis = Basis.mass  # value also lists parts missing value data as unknown
    #: parts with no composition data count as free of controlled elements (an assumption)
    assume_free_unlisted: bool = False
    #: the threshold, for choosing the worst case among alternates
    threshold: float = 0.001
    #: how a group of alternate lines counts: "worst" (the worst case) or "first" (its first line)
    alternates: str = "worst"
    #: the materials library that estimates parts with no composition data, as a function that
    #: loads it (only a run with such parts pays for it); None: --estimates off
    library: Callable[[], Library] | None = None

    def __post_init__(self) -> None:
        # the steps compare members by identity: text such as "value" becomes its member (or fails)
        object.__setattr__(self, "unknown_origin", UnknownOrigin(self.unknown_origin))
        object.__setattr__(self, "basis", Basis(self.basis))


@dataclass(slots=True)
class Rollup:
    #: one row per SKU below a product, per one unit of it: id, sku, kind, height, description,
    #: category, end_use, mass_g, controlled_g, cn_controlled_g, cn_fraction, value,
    #: declared_value, cn_value, cn_tech, has_unknown, <El>_g and <El>_cn_g per element,
    #: contributors (list of struct(sku, qty, cn_controlled_g, share), largest first, at most
    #: 5; null where none), unknown (sorted SKUs with data missing below it, the SKU itself for
    #: a leaf; [] where none), assumed (sorted parts whose origin was assumed China; []),
    #: denominator (declared_value, else value) and cn_value_fraction (cn_value / denominator);
    #: no_data (sorted parts below with no composition data; []), missing_other (the other parts of
    #: unknown: no mass, an element marked unknown, …; []), assumed_free (sorted parts below
    #: counted free by --assume-free-unlisted; []), loose_matched (parts below whose --parts row was
    #: joined on a loose key; []), units_assumed (parts below whose amount rests on an assumed
    #: unit of a piece length; []); per provenance P of PROVENANCES:
    #: cov_P_parts (part units per one unit) and cov_P_g (their grams)
    skus: pl.DataFrame
    elements: list[str]
    warnings: list[Problem] = field(default_factory=list)
    #: distinct parent → child links after repeated lines were added
    links: int = 0
