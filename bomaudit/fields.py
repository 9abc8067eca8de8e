"""Canonical input fields, their header synonyms, element names and units.

Everything the tool knows about column names and units is defined here, once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# --- header normalisation -------------------------------------------------------------

IGNORED_PATTERN = r"[\s_\-.\[\](){}/:#'\"]+"
_IGNORED = re.compile(IGNORED_PATTERN)


def norm_header(text: str) -> str:
    """Case-, space- and punctuation-insensitive key for a header (SPEC §2)."""
    return _IGNORED.sub("", str(text).strip().lower())


# --- canonical fields -----------------------------------------------------------------

SYNONYMS: dict[str, tuple[str, ...]] = {
    "sku": (
        "sku",
        "part number",
        "part no",
        "part num",
        "pn",
        "p/n",
        "mpn",
        "manufacturer part number",
        "item number",
        "item no",
        "component number",
        "material number",
        "child sku",
        "part id",
        "component id",
        "internal part number",
        # manufacturer part numbers as exporters spell them (KiBoM, Altium, EasyEDA, Digi-Key)
        "mfr part number",
        "mfr part",
        "mfr pn",
        "mfg part number",
        "mfg part",
        "manufacturer part",
        "manufacturer pn",
        "manufacturer part no",
        "manufacturer part num",
        "mfg pn",
        "mfg part no",
        # German, French, Spanish, Polish, Chinese part and article numbers
        "artikelnummer",
        "artikel nr",
        "sachnummer",
        "teilenummer",
        "materialnummer",
        "numéro de pièce",
        "numéro d'article",
        "numéro de référence",
        "número de parte",
        "número de pieza",
        "numero de parte",
        "numer części",
        "numer katalogowy",
        "indeks",
        "料号",
        "物料编码",
        "物料编号",
        "物料代码",
        "零件号",
        "零件编号",
        "元件编号",
        "型号",
        # a distributor's number identifies the part too, after the manufacturer's
        "supplier part",
        "supplier part number",
        "supplier pn",
        "vendor part number",
        "vendor part",
        "vendor pn",
        "digi-key part",
        "digi-key part number",
        "digikey part number",
        "mouser part number",
        "mouser part",
        "商品编号",
        "part",
        "item",
        "component",
        "material",
        "child",
        # JLCPCB's assembly BOM names its only part number "LCSC Part #" (or "JLCPCB Part #");
        # last, so that a manufacturer part number wins when a file has both
        "lcsc part #",
        "lcsc part number",
        "lcsc",
        "jlcpcb part #",
        # Odoo's mrp.bom export: the line's product, after the BoM's own columns
        "bom lines/component/internal reference",
        "bom lines/component",
        "bom lines/product/internal reference",
        "bom lines/product",
    ),
    "parent": (
        "parent",
        "parent sku",
        "parent part",
        "parent item",
        "assembly",
        "parent pn",
        "parent part number",
        "assembly id",
        "parent id",
    ),
    "level": ("level", "lvl", "bom level", "indent", "indent level", "explosion level", "expl level", "explosion lvl"),
    "qty": (
        "qty",
        "quantity",
        "qty per",
        "quantity per",
        "usage",
        "count",
        "component quantity",
        "qty per assembly",
        "per assembly qty",
        "quantity per pcb",
        "part quantity",
        "qty needed",
        "qnty",
        "req in assy",
        "required in assembly",
        "qty req",
        "quant",
        "pcs",
        "pieces",
        "no of pcs",
        "qty per unit",
        "units needed",
        "how many",
        "quantity needed",
        "qty required",
        "quantity required",
        "order qty",
        "order quantity",
        "qty per board",
        "qty/board",
        "amount",
        "menge",
        "anzahl",
        "stückzahl",
        "stück",
        "quantité",
        "qté",
        "nombre d'unités",
        "cantidad",
        "cant",
        "ilość",
        "ilosc",
        "liczba",
        "数量",
        "用量",
        "使用量",
        "数目",
        "required qty",
        "required quantity",
        "bom lines/quantity",
    ),
    # a quantity multiplied through the parents: how many the top item needs (SAP CS12's
    # "Comp. Qty (CUn)", an ERP explosion's "Total Required"), not how many one parent uses
    "qty_total": (
        "comp qty cun",
        "total required",
        "total qty required",
        "extended qty",
        "extended quantity",
        "qty extended",
        "cumulative qty",
        "cumulative quantity",
        "total qty",
        "total quantity",
    ),
    # how many of the parent the lines below it make (Odoo's BoM "Quantity"): per-parent
    # quantities are the lines' divided by it
    "base_qty": ("base quantity", "base qty"),
    "uom": (
        "uom",
        "unit",
        "base unit",
        "unit of measure",
        "units",
        "component unit",
        "comp unit",
        "component uom",
        "bom lines/product unit of measure",
        "bom lines/unit of measure",
    ),
    "mass_unit": ("mass unit", "weight unit"),
    "valid_from": ("valid from", "start date", "effective from", "effective date", "valid start"),
    "valid_to": ("valid to", "end date", "effective to", "expiry date", "valid end", "valid until"),
    "description": ("description", "desc", "name", "part description", "title", "part name"),
    "mass": ("mass", "weight", "unit mass", "unit weight", "net weight", "mass per unit"),
    "re_origin": (
        "re origin",
        "ree origin",
        "rare earth origin",
        "re country",
        "origin of rare earth",
    ),
    "cn_tech": ("cn tech", "chinese tech", "cn technology", "tech cn", "chinese technology"),
    "unit_value": ("unit value", "unit price", "unit cost", "price", "cost", "value per unit"),
    "cn_re_value": ("cn re value", "cn content value", "cn re content value"),
    "category": ("category", "type", "item type", "part type"),
    "end_use": ("end use", "enduse"),
    # a second source for the line's part (an AML column): the line is built with either
    "alternate": (
        *("alternate", "alternates", "alternate part", "alternate part number", "alternate pn", "alternate mpn", "alt mpn", "alt pn"),
        *("alt part number", "alternative part", "alternative part number", "alternative mpn", "second source", "2nd source", "substitute"),
        *("substitute part", "ersatzteil", "alternativteil", "pièce alternative", "替代料", "替代料号"),
    ),
    "designator": (
        *("designator", "designators", "reference", "references", "refdes", "ref des", "reference designators", "parts", "ref", "refs"),
        *("ref designator", "ref designators", "位号", "标号", "bezugszeichen", "repère", "repères", "referencia", "oznaczenie"),
    ),
    "dnp": ("dnp", "do not populate", "do not place", "not fitted", "dnf", "dni", "no pop"),
    # the opposite sense: "Mounted = No" is a line not placed
    "fitted": (
        "fitted",
        "mounted",
        "populate",
        "populated",
        "assembled",
        "placed",
        "mount",
        "install",
        "installed",
        "bestückt",
        "bestückung",
        "montiert",
    ),
    # a component's value ("10k", "100nF"), where EDA exports also write "DNP" or "NC"
    "value": ("value", "val", "component value"),
}

#: part-number synonyms so general that the column may hold something else (Fusion 360's
#: ``Material`` is Steel or Aluminum): their values are checked against a name column's
WEAK_SKU_HEADERS = ("part", "item", "component", "material", "child")
#: headers of item numbers, which SOLIDWORKS, PDM and FreeCAD indented BOMs write as outlines
#: (1, 1.1, 1.1.2): the levels when no column names them; every reader reads these columns
OUTLINE_HEADERS = ("item no", "item number", "item", "index", "find no", "find number", "pos", "position")
#: headers of columns that name the parts, a fallback identifier when no column holds part numbers
NAME_HEADERS = (
    "part name",
    "item name",
    "name",
    "component name",
    "part description name",
    "value",
    "value / name",
    "comment",
    "device",
    "名称",
    "物料名称",
    "元件名称",
    "元件",
    "元件类型",
    "物料",
    "bezeichnung",
    "benennung",
    "artikelbezeichnung",
    "désignation",
    "designation",
    "nom",
    "libellé",
    "nombre",
    "denominación",
    "nazwa",
)

#: headers of columns that are no field but that tables often have: with the fields' names, they
#: make a row below a table's lines a second table's header (see ``load.tables``)
COMMON_HEADERS = (
    *("notes", "note", "comments", "comment", "remarks", "remark", "supplier", "vendor", "manufacturer", "mfr", "mfg", "footprint", "package"),
    *("datasheet", "link", "url", "tool", "tools", "source", "status", "color", "colour", "total", "stock", "lead time", "summary", "group"),
    *("finish", "size", "length", "purpose", "usage notes", "where used", "qty used"),
)

_SYNONYM_INDEX: dict[str, str] = {norm_header(s): f for f, names in SYNONYMS.items() for s in names}
_WEAK_SKU_KEYS = frozenset(norm_header(h) for h in WEAK_SKU_HEADERS)


def names_a_part_number(header: str) -> bool:
    """Whether a header says plainly that its column holds part numbers (not a weak synonym such
    as ``Material``, whose values must be checked against a name column's)."""
    key = norm_header(header)
    return _SYNONYM_INDEX.get(key) == "sku" and key not in _WEAK_SKU_KEYS


#: "Mfr. #", "Part #", "LCSC #": a number sign is what says "number" (the key drops it, and
#: "Mfr." alone is the manufacturer's name)
_NUMBER_SIGN = re.compile(r"(?i)^\s*(mfr|mfg|manufacturer|vendor|supplier|part|item|lcsc|jlcpcb|digi-?key|mouser)\.?\s*(part)?\s*(#|no\.)\s*$")


def number_sign_maker(header: str) -> bool | None:
    """For a "… #" part-number header: whether it is the manufacturer's ("Mfr. #") rather than a
    distributor's ("Mouser #"); None for any other header."""
    m = _NUMBER_SIGN.match(str(header))
    return None if m is None else m.group(1).lower() in ("mfr", "mfg", "manufacturer", "part", "item")


def field_for_header(header: str) -> str | None:
    """The canonical field a plain header names, if any (units handled separately)."""
    if _NUMBER_SIGN.match(str(header)):
        return "sku"
    return _SYNONYM_INDEX.get(norm_header(header))


# --- units ----------------------------------------------------------------------------

#: grams per unit
MASS_UNITS: dict[str, float] = {
    "g": 1.0,
    "gram": 1.0,
    "grams": 1.0,
    "gr": 1.0,
    "kg": 1000.0,
    "kilogram": 1000.0,
    "kilograms": 1000.0,
    "kgs": 1000.0,
    "mg": 0.001,
    "milligram": 0.001,
    "milligrams": 0.001,
    "lb": 453.59237,
    "lbs": 453.59237,
    "pound": 453.59237,
    "pounds": 453.59237,
    "oz": 28.349523125,
    "ounce": 28.349523125,
    "ounces": 28.349523125,
    "t": 1_000_000.0,
    "tonne": 1_000_000.0,
}

#: fraction of the unit's mass per one unit of the concentration
CONCENTRATION_UNITS: dict[str, float] = {
    "pct": 0.01,
    "%": 0.01,
    "wt%": 0.01,
    "wtpct": 0.01,
    "percent": 0.01,
    "masspct": 0.01,
    "mass%": 0.01,
    "ppm": 1e-6,
    "ppmw": 1e-6,
    "frac": 1.0,
    "fraction": 1.0,
}

#: headers of columns that say what a part is besides its description and value (footprint,
#: package, material, grade, model…): the materials library reads them, so lazy readers keep them
DESCRIBING_HEADERS = re.compile(r"(?i)footprint|package|\bcase\b|\bmaterial\b|\bgrade\b|\bname\b|comment|\bmodel\b|封装|材料|名称")

COUNT_UNITS = frozenset({"", "ea", "each", "pc", "pcs", "piece", "pieces", "st", "stk", "unit", "units", "nos", "no", "x"})
#: units of a length, an area or a volume, and words for "some": a quantity in one is not a count,
#: and no mass follows from it (a per-length mass would be needed)
MEASURE_UNITS = frozenset(
    {
        *("m", "meter", "meters", "metre", "metres", "mtr", "lm", "mm", "cm", "dm", "km", "ft", "feet", "foot", "in", "inch", "inches", "yd", "yard", "yards"),
        *("m2", "m²", "sqm", "sq m", "mm2", "mm²", "cm2", "cm²", "ft2", "ft²", "sqft", "sq ft", "in2", "sq in"),
        *("l", "liter", "liters", "litre", "litres", "ml", "cl", "dl", "m3", "m³", "cm3", "cm³", "cc", "gal", "gallon", "gallons", "fl oz", "qt", "pt"),
        *("lot", "lots", "some", "few", "roll of"),
    }
)


def mass_unit_factor(unit: str) -> float | None:
    return MASS_UNITS.get(unit.strip().lower().rstrip("."))


# --- elements -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Element:
    symbol: str
    name: str
    z: int


ELEMENTS: tuple[Element, ...] = (
    Element("Sc", "scandium", 21),
    Element("Y", "yttrium", 39),
    Element("La", "lanthanum", 57),
    Element("Ce", "cerium", 58),
    Element("Pr", "praseodymium", 59),
    Element("Nd", "neodymium", 60),
    Element("Sm", "samarium", 62),
    Element("Eu", "europium", 63),
    Element("Gd", "gadolinium", 64),
    Element("Tb", "terbium", 65),
    Element("Dy", "dysprosium", 66),
    Element("Ho", "holmium", 67),
    Element("Er", "erbium", 68),
    Element("Tm", "thulium", 69),
    Element("Yb", "ytterbium", 70),
    Element("Lu", "lutetium", 71),
)
SYMBOLS = tuple(e.symbol for e in ELEMENTS)
_ELEMENT_KEYS = {e.symbol.lower(): e.symbol for e in ELEMENTS} | {e.name: e.symbol for e in ELEMENTS}

_UNIT_SUFFIXES = sorted({(norm_header(u) or u, u) for u in [*MASS_UNITS, *CONCENTRATION_UNITS]}, key=lambda p: len(p[0]), reverse=True)
_MASS_HEADER_NAMES = tuple(sorted({norm_header(s) for s in SYNONYMS["mass"]}, key=len, reverse=True))


@dataclass(frozen=True, slots=True)
class HeaderMeaning:
    field: str  # canonical field, or "element"
    element: str | None = None
    unit: str | None = None  # normalised unit key: a MASS_UNITS or CONCENTRATION_UNITS key


def _unit_key(raw: str) -> str:
    for suffix, unit in _UNIT_SUFFIXES:
        if suffix == raw:
            return unit
    return raw


def _element_header(key: str) -> HeaderMeaning | None:
    for suffix, unit in _UNIT_SUFFIXES:
        if not key.endswith(suffix):
            continue
        stem = key[: -len(suffix)]
        for filler in ("content", "mass", "weight", ""):
            if stem.endswith(filler) and stem[: len(stem) - len(filler)] in _ELEMENT_KEYS:
                return HeaderMeaning("element", element=_ELEMENT_KEYS[stem[: len(stem) - len(filler)]], unit=unit)
    return None


def interpret_header(header: str) -> HeaderMeaning | None:
    """What a header means: a canonical field, a mass with a unit, or an element column."""
    plain = field_for_header(header)
    if plain is not None:
        return HeaderMeaning(plain)
    key = norm_header(header)
    for name in _MASS_HEADER_NAMES:
        if key.startswith(name):
            unit = _unit_key(key[len(name) :])
            if unit in MASS_UNITS:
                return HeaderMeaning("mass", unit=unit)
    return _element_header(key)


# --- value words ----------------------------------------------------------------------

CHINA_NAMES = frozenset(norm_header(s) for s in ("CN", "CHN", "China", "PRC", "People's Republic of China", "P.R.C.", "P.R. China", "中国"))
TRUE_WORDS = frozenset({"yes", "y", "true", "t", "1", "x", "ja", "oui", "si", "✓", "✔"})
FALSE_WORDS = frozenset({"no", "n", "false", "f", "0", "nein", "non", "-"})
UNKNOWN_WORDS = frozenset({"unknown", "?", "unk", "tbd", "n/a?", "n/a", "no value", "not set", "unset", "not available"})

#: a component value (or comment) that marks the line do-not-populate
DNP_WORDS = frozenset(
    {"dnp", "dnf", "dni", "nc", "n/c", "nopop", "no pop", "do not populate", "do not place", "not fitted", "not mounted", "no stuff", "nostuff"}
)
#: a category that keeps the line out of the BOM (Altium's component type "Standard (No BOM)")
NO_BOM = r"(?i)\(no bom\)"

#: the first cell of a total line ("Total", "Grand total", "Subtotal: 12"); a regular expression
FOOTER_LABEL = r"(?i)^\s*(total|totals|grand total|sum|subtotal|sub-total)\b"


# --- what a cell looks like, and headers that say nothing ----------------------------------

#: a plain number, possibly with a currency sign, a percent or a short unit ("12", "$3.50", "2 pcs")
CELL_NUMBER = re.compile(r"^[\s$€£¥]*[-+]?\d[\d,.\s]*(%|[a-zA-Z]{0,3})?\s*$")
#: a component's value ("10uF", "4.7k", "470R", "100 nH"): a name in EDA exports, not a count
CELL_EDA_VALUE = re.compile(r"^\s*\d+([.,]\d+)?\s*([pnuµm]?[FH]|[kKMR]\d*|[kKM]?(Ω|ohms?)|m?[VAW])\s*$")
#: a part code: one word of letters and digits, six characters or more ("GRM155R71C104KA88D")
CELL_CODE = re.compile(r"^(?=[^\s]*[A-Za-z])(?=[^\s]*\d)[A-Za-z0-9][A-Za-z0-9\-_./#+]{5,}$")
#: reference designators ("C1", "R3, R4", "U2-U5"): where the parts go, not what they are
CELL_DESIGNATORS = re.compile(r"^\s*[A-Za-z]{1,4}\d+([\s,;-]+[A-Za-z]{0,4}\d+)*\s*$")
#: a count: a whole number, no unit ("1", "12")
CELL_COUNT = re.compile(r"^\s*\d{1,6}\s*$")

#: headers that name no field but a position: ``Field1``… (KiCad), ``Column1``… (Excel tables,
#: Power Query), ``Col 1``, ``F1``, ``Unnamed: 3`` (pandas), spreadsheet letters ``A``, ``B``…,
#: the ``column 3`` bomaudit gives a blank header, and the ``1``, ``2``… of ``--no-header``
GENERIC_HEADER = re.compile(r"(?i)^\s*((field|column|col|f|c)\s*[_#.-]?\s*\d{1,3}|unnamed:?\s*\d{1,3}|[A-Z]|column \d+( \(.*\))?|\d{1,3})\s*$")


def is_generic_header(header: str) -> bool:
    """Whether a header says nothing of its column but where it is (see :data:`GENERIC_HEADER`)."""
    return bool(GENERIC_HEADER.match(header)) and interpret_header(header) is None


def cell_kind(cell: str) -> str:
    """What one cell looks like: ``designators``, ``code``, ``value`` (a component value),
    ``count``, ``number``, ``dnp`` (a do-not-populate word) or ``text``."""
    text = cell.strip()
    if CELL_DESIGNATORS.match(text):
        return "designators"
    if CELL_EDA_VALUE.match(text):
        return "value"
    if CELL_CODE.match(text):
        return "code"
    if CELL_COUNT.match(text):
        return "count"
    if CELL_NUMBER.match(text):
        return "number"
    if " ".join(text.lower().split()) in DNP_WORDS:
        return "dnp"
    return "text"
