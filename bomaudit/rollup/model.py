"""What the roll-up is asked for and what it returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import polars as pl

    from bomaudit.errors import Problem


@dataclass(frozen=True, slots=True)
class RollupOptions:
    controlled: tuple[str, ...]  # element symbols the threshold rule counts
    unknown_origin: str = "china"  # "china" or "unknown"
    basis: str = "mass"  # "value" also lists parts missing value data as unknown


@dataclass(slots=True)
class Rollup:
    #: one row per SKU: sku, kind, description, mass_g, <El>_g, <El>_cn_g, controlled_g,
    #: cn_controlled_g, cn_fraction, value, cn_value, declared_value, cn_tech, end_use, category
    skus: pl.DataFrame
    #: sku -> list of struct(sku, qty, cn_controlled_g, share), top 5
    contributors: pl.DataFrame
    #: sku -> sorted list of SKUs with missing data below it (the SKU itself for a leaf)
    unknown: pl.DataFrame
    #: sku -> sorted list of parts whose origin was assumed China
    assumed: pl.DataFrame
    elements: list[str]
    warnings: list[Problem] = field(default_factory=list)
    #: distinct parent → child links after repeated lines were added
    links: int = 0
