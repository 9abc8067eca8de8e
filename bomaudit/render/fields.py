"""The SKU fields of a report, defined once: CSV columns, XLSX columns and JSON keys derive from here."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SkuField:
    key: str  # the CSV column and (unless ``json`` is False) the JSON key
    #: how the value is shown: text, verdict, bool, percent, grams, money, list, contributors
    kind: str
    header: str = ""  # the XLSX header when it is not the key
    column: str = ""  # the audit's SKU column when it is not the key
    json: bool = True  # False: in CSV and XLSX only (JSON nests it, e.g. under ``coverage``)
    flat: bool = True  # False: in JSON only (an object or a list of objects)

    @property
    def title(self) -> str:
        return self.header or self.key

    @property
    def source(self) -> str:
        return self.column or self.key


#: composition provenances in the order reports list them (SPEC §3)
PROVENANCES = ("declared", "estimated", "assumed", "none")


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
    # the denominator of the value fraction: a declared assembly price, else the parts' total
    SkuField("value", "money", column="denominator"),
    SkuField("parts_value", "money", column="value"),
    SkuField("cn_value", "money"),
    SkuField("cn_value_fraction", "percent"),
    SkuField("cn_tech", "bool"),
    *(SkuField(f"coverage_{p}_g", "grams", f"{p} g", column=f"cov_{p}_g", json=False) for p in PROVENANCES),
    SkuField("reasons", "list"),
    SkuField("assumptions", "list"),
    SkuField("unknown", "list"),
    SkuField("no_data", "list", "parts without composition data"),
    SkuField("contributors", "contributors", "top contributors"),
    # estimates from the materials library (issue #13): the range, and what each part was taken for
    SkuField("estimate_band", "text", "estimate: over at", json=False),
    SkuField("cn_fraction_low", "percent", "CN fraction, low estimate", json=False),
    SkuField("cn_fraction_high", "percent", "CN fraction, high estimate", json=False),
    SkuField("estimated_class", "text", "estimated as", column="est_class", json=False),
    SkuField("estimated_text", "text", "recognised from", column="est_matched", json=False),
    SkuField("estimated_mass", "text", "estimated mass", column="est_formula", json=False),
    SkuField("estimate", "object", flat=False),
    SkuField("estimated_from", "object", flat=False),
    SkuField("requests", "object", flat=False),
)
#: fields that are numbers, possibly missing (null in JSON, never NaN)
NUMBER_FIELDS: tuple[str, ...] = tuple(f.key for f in SKU_FIELDS if f.kind in ("percent", "grams", "money"))
#: the fields of a one-row-per-SKU layout (CSV, XLSX)
FLAT_FIELDS: tuple[SkuField, ...] = tuple(f for f in SKU_FIELDS if f.flat)
#: a SKU's JSON keys: the fields, ``coverage`` (an object per provenance) and ``elements``
JSON_KEYS: tuple[str, ...] = tuple(sorted({f.key for f in SKU_FIELDS if f.json} | {"coverage", "elements"}))
#: the JSON keys in sorted order, split around ``elements`` (whose keys vary per SKU)
JSON_KEYS_BEFORE_ELEMENTS: tuple[str, ...] = tuple(k for k in JSON_KEYS if k < "elements")
JSON_KEYS_AFTER_ELEMENTS: tuple[str, ...] = tuple(k for k in JSON_KEYS if k > "elements")
FIELDS_BY_KEY: dict[str, SkuField] = {f.key: f for f in SKU_FIELDS}


def element_fields(elements: Iterable[str]) -> list[SkuField]:
    """Per element: its mass and its China-origin mass, in grams."""
    return [f for el in elements for f in (SkuField(f"{el}_g", "grams", f"{el} g"), SkuField(f"{el}_cn_g", "grams", f"{el} CN g"))]


def columns(elements: Iterable[str]) -> list[SkuField]:
    """Every column of a one-row-per-SKU layout, the element columns after ``cn_controlled_g``."""
    at = next(i for i, f in enumerate(FLAT_FIELDS) if f.key == ELEMENTS_AFTER) + 1
    return [*FLAT_FIELDS[:at], *element_fields(elements), *FLAT_FIELDS[at:]]
