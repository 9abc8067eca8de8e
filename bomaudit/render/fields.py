"""The SKU fields of a report, defined once: CSV columns, XLSX columns and JSON keys derive from here."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SkuField:
    key: str  # the JSON key and CSV column
    #: how the value is shown: text, verdict, bool, percent, grams, money, list, contributors
    kind: str
    header: str = ""  # the XLSX header when it is not the key

    @property
    def title(self) -> str:
        return self.header or self.key


#: where the per-element columns go in CSV-like layouts
ELEMENTS_AFTER = "cn_controlled_g"

#: in the order of CSV and XLSX columns
SKU_FIELDS: tuple[SkuField, ...] = (
    SkuField("sku", "text"),
    SkuField("description", "text"),
    SkuField("kind", "text"),
    SkuField("verdict", "verdict"),
    SkuField("over_threshold", "bool"),
    SkuField("cn_fraction", "percent"),
    SkuField("mass_g", "grams"),
    SkuField("controlled_g", "grams"),
    SkuField("cn_controlled_g", "grams"),
    SkuField("value", "money"),
    SkuField("cn_value", "money"),
    SkuField("cn_value_fraction", "percent"),
    SkuField("cn_tech", "bool"),
    SkuField("reasons", "list"),
    SkuField("assumptions", "list"),
    SkuField("unknown", "list"),
    SkuField("contributors", "contributors", "top contributors"),
)
#: fields holding one number, flag or text (not a list)
SCALAR_FIELDS: tuple[str, ...] = tuple(f.key for f in SKU_FIELDS if f.kind not in ("list", "contributors"))
LIST_FIELDS: tuple[str, ...] = tuple(f.key for f in SKU_FIELDS if f.kind == "list")
#: fields that are numbers, possibly missing (null in JSON, never NaN)
NUMBER_FIELDS: tuple[str, ...] = tuple(f.key for f in SKU_FIELDS if f.kind in ("percent", "grams", "money"))
#: a SKU's JSON keys in sorted order, split around ``elements`` (whose keys vary per SKU)
JSON_KEYS_BEFORE_ELEMENTS: tuple[str, ...] = tuple(sorted(k for k in (f.key for f in SKU_FIELDS) if k < "elements"))
JSON_KEYS_AFTER_ELEMENTS: tuple[str, ...] = tuple(sorted(k for k in (f.key for f in SKU_FIELDS) if k > "elements"))


def element_fields(elements: Iterable[str]) -> list[SkuField]:
    """Per element: its mass and its China-origin mass, in grams."""
    return [f for el in elements for f in (SkuField(f"{el}_g", "grams", f"{el} g"), SkuField(f"{el}_cn_g", "grams", f"{el} CN g"))]


def columns(elements: Iterable[str]) -> list[SkuField]:
    """Every column of a one-row-per-SKU layout, the element columns after ``cn_controlled_g``."""
    at = next(i for i, f in enumerate(SKU_FIELDS) if f.key == ELEMENTS_AFTER) + 1
    return [*SKU_FIELDS[:at], *element_fields(elements), *SKU_FIELDS[at:]]
