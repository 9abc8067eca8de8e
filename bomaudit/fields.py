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
    # a part's mass per one unit of the measure its lines use it by (a cable's per metre, a sheet's
    # per square metre, a fluid's per litre); headers with units ("kg/m", "Weight per foot (lb)",
    # "g/m2", "density kg/m3") are read by :func:`interpret_header`; these need the unit in the cells
    "mass_per_length": (
        *("mass per length", "mass per unit length", "linear mass", "linear weight", "weight per length", "weight per unit length"),
        *("mass per meter", "mass per metre", "weight per meter", "weight per metre", "mass per foot", "weight per foot", "metergewicht"),
        *("metergewicht", "gewicht pro meter", "masse linéique", "poids par mètre", "peso por metro", "masa por metro", "每米重量", "米重"),
    ),
    "mass_per_area": ("mass per area", "mass per unit area", "areal mass", "areal weight", "weight per area", "grammage", "flächengewicht"),
    "mass_per_volume": ("mass per volume", "density", "weight per volume", "dichte", "densité", "densidad", "密度"),
    # a piece's length in a CAD cut list or piping BOM (SOLIDWORKS' LENGTH): the stock a line
    # uses is its quantity of pieces times it; the unit comes from the header ("Length (mm)")
    "length": (
        *("length", "cut length", "stock length", "piece length", "length each", "len", "lg", "länge", "laenge", "schnittlänge", "zuschnittlänge"),
        *("longueur", "longueur de coupe", "longitud", "longitud de corte", "długość", "dlugosc", "长度", "下料长度", "切割长度"),
    ),
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
    *("finish", "size", "purpose", "usage notes", "where used", "qty used"),
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

#: the canonical unit of each measure a line can be used by, and the attribute holding a part's mass
#: per one such unit (grams): a length in metres (``mass_per_m_g``, g/m), an area in square metres
#: (``mass_per_m2_g``, g/m²), a volume in litres (``mass_per_l_g``, g/L, which is kg/m³)
MEASURES: dict[str, tuple[str, str]] = {
    "length": ("m", "mass_per_m_g"),
    "area": ("m²", "mass_per_m2_g"),
    "volume": ("L", "mass_per_l_g"),
}
#: the field of a per-measure mass column, by measure
PER_MEASURE_FIELDS = {"length": "mass_per_length", "area": "mass_per_area", "volume": "mass_per_volume"}

_INCH, _FOOT, _YARD = 0.0254, 0.3048, 0.9144
_US_GALLON = 3.785411784
#: units of a length, an area or a volume: (measure, canonical units per one unit). US customary
#: for the liquid measures (a gallon is 3.785411784 L, a quart a quarter of it, a pint an eighth,
#: a fluid ounce 1/128)
MEASURE_UNITS: dict[str, tuple[str, float]] = {
    **dict.fromkeys(("m", "meter", "meters", "metre", "metres", "mtr", "lm", "lfm"), ("length", 1.0)),
    **dict.fromkeys(("mm", "millimeter", "millimeters", "millimetre", "millimetres"), ("length", 0.001)),
    **dict.fromkeys(("cm", "centimeter", "centimeters", "centimetre", "centimetres"), ("length", 0.01)),
    "dm": ("length", 0.1),
    "km": ("length", 1000.0),
    **dict.fromkeys(("in", "inch", "inches", '"'), ("length", _INCH)),
    **dict.fromkeys(("ft", "feet", "foot", "'"), ("length", _FOOT)),
    **dict.fromkeys(("yd", "yds", "yard", "yards"), ("length", _YARD)),
    **dict.fromkeys(("m2", "m²", "sqm", "sq m", "square meter", "square meters", "square metre", "square metres"), ("area", 1.0)),
    **dict.fromkeys(("mm2", "mm²", "sq mm"), ("area", 1e-6)),
    **dict.fromkeys(("cm2", "cm²", "sq cm"), ("area", 1e-4)),
    **dict.fromkeys(("ft2", "ft²", "sqft", "sq ft", "square feet", "square foot"), ("area", _FOOT**2)),
    **dict.fromkeys(("in2", "in²", "sqin", "sq in", "square inch", "square inches"), ("area", _INCH**2)),
    **dict.fromkeys(("yd2", "yd²", "sqyd", "sq yd"), ("area", _YARD**2)),
    **dict.fromkeys(("l", "liter", "liters", "litre", "litres", "ltr"), ("volume", 1.0)),
    **dict.fromkeys(("ml", "milliliter", "milliliters", "millilitre", "millilitres", "cm3", "cm³", "cc", "ccm"), ("volume", 0.001)),
    "cl": ("volume", 0.01),
    "dl": ("volume", 0.1),
    **dict.fromkeys(("m3", "m³", "cbm"), ("volume", 1000.0)),
    **dict.fromkeys(("gal", "gallon", "gallons"), ("volume", _US_GALLON)),
    **dict.fromkeys(("qt", "quart", "quarts"), ("volume", _US_GALLON / 4)),
    **dict.fromkeys(("pt", "pint", "pints"), ("volume", _US_GALLON / 8)),
    **dict.fromkeys(("fl oz", "floz"), ("volume", _US_GALLON / 128)),
}
#: words for "some" written as a unit: not a count and no amount at all (the line's is unknown)
MEASURE_WORDS = frozenset({"lot", "lots", "some", "few", "roll of"})

#: words of a description naming a part made to a fixed length (a pipe nipple, a bolt): a length on
#: its line is the part's modelled size, and the line counts pieces (a CAD cut list's stock is
#: measured); matched as whole words, case-insensitively
FIXED_LENGTH_WORDS = (
    *("nipple", "nipples", "bolt", "bolts", "screw", "screws", "stud", "studs", "pin", "pins", "dowel", "rivet", "rivets"),
    *("standoff", "spacer", "spacers", "hose assembly", "cable assembly", "nippel", "schraube", "bolzen", "mamelon", "vis", "niple", "tornillo"),
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
    """What a header means: a canonical field, a mass with a unit, a mass per measure with its
    units (``kg/m``), a piece length with its unit, or an element column."""
    plain = field_for_header(header)
    key = norm_header(header)
    if plain in PER_MEASURE_FIELDS.values():  # "weight per foot": per foot, in the cells' mass unit
        return _per_measure_header(header, key) or HeaderMeaning(plain)
    if plain is not None:
        return HeaderMeaning(plain)
    for name in _MASS_HEADER_NAMES:
        if key.startswith(name):
            unit = _unit_key(key[len(name) :])
            if unit in MASS_UNITS:
                return HeaderMeaning("mass", unit=unit)
    return _per_measure_header(header, key) or _length_header(key) or _element_header(key)


#: the words a per-measure mass header starts with, longest first
_PER_MEASURE_STEMS = tuple(
    sorted({norm_header(s) for s in (*SYNONYMS["mass"], "linear mass", "linear weight", "density", "areal mass", "areal weight")}, key=len, reverse=True)
)
_DIMENSION_WORDS = tuple(norm_header(s) for s in ("per unit length", "per length", "per unit area", "per area", "per unit volume", "per volume", "per"))
_MEASURE_KEYS = sorted({(norm_header(u), u) for u in MEASURE_UNITS if norm_header(u)}, key=lambda p: len(p[0]), reverse=True)
_MASS_KEYS = sorted({(norm_header(u), u) for u in MASS_UNITS}, key=lambda p: len(p[0]), reverse=True)


def _split_units(rest: str) -> tuple[str | None, str] | None:
    """``kgm`` → (kg, m), ``perftlb`` → (lb, ft), ``m`` → (None, m): a mass unit per a measure unit."""
    for dim in _DIMENSION_WORDS:  # "per length kg/m", "per m"
        if rest.startswith(dim) and rest != dim:
            rest = rest[len(dim) :]
            break
    for mkey, mass in [*_MASS_KEYS, ("", None)]:  # mass unit first: "kg/m", "kg per m"
        if not rest.startswith(mkey):
            continue
        tail = rest[len(mkey) :]
        tail = tail.removeprefix("per") if tail != "per" else tail
        for ukey, measure in _MEASURE_KEYS:
            if tail == ukey:
                return mass, measure
    for ukey, measure in _MEASURE_KEYS:  # measure first: "per m (g)", "per foot lb"
        if rest.startswith(ukey):
            for mkey, mass in _MASS_KEYS:
                if rest[len(ukey) :] == mkey:
                    return mass, measure
    return None


def _per_measure_header(header: str, key: str) -> HeaderMeaning | None:
    """A mass per measure: ``mass per m (g)``, ``Weight [kg/m]``, ``lb/ft``, ``g/m2``, ``Density (kg/m3)``.
    Its unit is ``MASS/MEASURE`` (``kg/m``), or ``/MEASURE`` when the header names no mass unit
    (the cells must then carry it). A bare pair of units needs a ``/`` or a ``per`` to be one."""
    for stem in (*_PER_MEASURE_STEMS, ""):
        if not key.startswith(stem) or key == stem:
            continue
        if not stem and "/" not in str(header) and " per " not in f" {str(header).lower()} ":
            return None
        found = _split_units(key[len(stem) :])
        if found is not None:
            mass, measure = found
            return HeaderMeaning(PER_MEASURE_FIELDS[MEASURE_UNITS[measure][0]], unit=f"{mass or ''}/{measure}")
    return None


_LENGTH_STEMS = tuple(sorted({norm_header(s) for s in SYNONYMS["length"]}, key=len, reverse=True))


def _length_header(key: str) -> HeaderMeaning | None:
    """A piece length with its unit: ``Length (mm)``, ``LENGTH [in]``, ``cut_length_ft``."""
    for stem in _LENGTH_STEMS:
        if key.startswith(stem):
            unit = next((u for k, u in _MEASURE_KEYS if k == key[len(stem) :]), None)
            if unit is not None and MEASURE_UNITS[unit][0] == "length":
                return HeaderMeaning("length", unit=unit)
    return None


def per_measure_unit(unit: str) -> tuple[str, float | None] | None:
    """``kg/m`` → (length, grams per metre); ``/m`` → (length, None): the mass unit is not known."""
    mass, _, measure = unit.partition("/")
    if measure not in MEASURE_UNITS:
        return None
    dim, per = MEASURE_UNITS[measure]
    return dim, (MASS_UNITS[mass] / per if mass in MASS_UNITS else None)


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
