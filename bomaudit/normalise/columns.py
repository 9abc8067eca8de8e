"""Headers to canonical fields: which column is the part number, the quantity, an element's content…"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bomaudit.fields import MASS_UNITS, SYNONYMS, interpret_header, norm_header

if TYPE_CHECKING:
    from bomaudit.errors import Collector
    from bomaudit.load import RawTable
    from bomaudit.normalise.context import TableContext
    from bomaudit.normalise.model import NormaliseOptions


@dataclass(slots=True)
class Columns:
    fields: dict[str, str]  # field -> header
    elements: list[tuple[str, str, str]]  # (header, symbol, unit)
    mass_unit: str | None  # from the mass header
    ignored: list[str]


def _priority(fld: str, header: str) -> int:
    key = norm_header(header)
    names = [norm_header(s) for s in SYNONYMS.get(fld, ())]
    return names.index(key) if key in names else len(names)


def map_columns(table: RawTable, mapping: dict[str, str], issues: Collector) -> Columns:
    headers = table.headers
    by_norm = {norm_header(h): h for h in headers}
    fields: dict[str, str] = {}
    forced: set[str] = set()
    disabled = {fld for fld, wanted in mapping.items() if wanted == ""}
    for fld, wanted in mapping.items():
        if fld in disabled:
            continue
        header = by_norm.get(norm_header(wanted))
        if header is None:
            if wanted in headers:
                header = wanted
            else:
                continue  # a --map for another file; checked across all inputs by the caller
        fields[fld] = header
        forced.add(header)
    elements: list[tuple[str, str, str]] = []
    mass_unit: str | None = None
    candidates: dict[str, list[str]] = {}
    ignored: list[str] = []
    for header in headers:
        if header in forced:
            continue
        meaning = interpret_header(header)
        if meaning is None:
            ignored.append(header)
            continue
        if meaning.field == "element":
            elements.append((header, meaning.element or "", meaning.unit or ""))
            continue
        if meaning.field in fields or meaning.field in disabled:
            ignored.append(header)
            continue
        candidates.setdefault(meaning.field, []).append(header)
    for fld, headers_for in candidates.items():
        chosen = min(headers_for, key=lambda h: _priority(fld, h))
        fields[fld] = chosen
        others = [h for h in headers_for if h != chosen]
        ignored.extend(others)
        if others:
            issues.warn(
                "ambiguous-column",
                f"columns {', '.join(map(repr, [chosen, *others]))} all look like {fld!r}; using {chosen!r}",
                f"pass --map {fld}=HEADER to choose another",
                file=table.path,
                sheet=table.sheet,
            )
    if "mass" in fields:
        meaning = interpret_header(fields["mass"])
        mass_unit = meaning.unit if meaning is not None and meaning.field == "mass" else None
    return Columns(fields, elements, mass_unit, ignored)


def check_sku_column(t: TableContext, cols: Columns) -> bool:
    """Whether the table has a part-number column; an error naming its headers if not."""
    if "sku" in cols.fields:
        return True
    headers = t.raw.headers
    seen = ", ".join(repr(h) for h in headers[:20]) or "none"
    guess = next((h for h in headers if not h.startswith("column ")), headers[0] if headers else "HEADER")
    t.issues.error(
        "no-sku-column",
        f"no part-number column found; the headers are {seen}",
        f'name the part-number column with --map sku="{guess}"',
        **t.where(row=t.raw.header_row),
    )
    return False


def check_mapping(tables: list[RawTable], options: NormaliseOptions, issues: Collector) -> None:
    known = set(SYNONYMS)
    for fld, header in options.mapping.items():
        if fld not in known:
            issues.error("bad-map", f"--map {fld}={header}: {fld!r} is not a field", f"use one of {', '.join(sorted(known))}")
            continue
        if header and not any(norm_header(header) in {norm_header(h) for h in t.headers} or header in t.headers for t in tables):
            heads = sorted({h for t in tables for h in t.headers})[:20]
            issues.error("bad-map", f"--map {fld}={header}: no input has a column {header!r}", f"the headers are {', '.join(map(repr, heads))}")


def describe(cols: Columns) -> dict[str, str]:
    """Header -> what it was read as, for ``validate``."""
    described = {h: _describe(fld, h, cols) for fld, h in cols.fields.items()}
    for header, sym, unit in cols.elements:
        described[header] = f"element {sym} ({'mass, ' + unit if unit in MASS_UNITS else 'concentration, ' + unit})"
    return described


def field_headers(cols: Columns) -> dict[str, str]:
    """Canonical field -> the header read for it; an element column under ``<symbol>_<unit key>`` (``Dy_pct``, ``Tb_g``).

    Of two element columns with one key the later wins, as it does for the values read.
    """
    headers = dict(cols.fields)
    for header, sym, unit in cols.elements:
        headers[f"{sym}_{unit}"] = header
    return headers


def _describe(fld: str, header: str, cols: Columns) -> str:
    if fld == "designator" and "qty" in cols.fields:
        return "designator (not used: the quantity column is)"
    if fld == "mass":
        return f"mass ({cols.mass_unit})" if cols.mass_unit else "mass (unit from mass_unit column or cell)"
    return fld
