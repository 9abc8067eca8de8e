"""Headers to canonical fields: which column is the part number, the quantity, an element's content…"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bomaudit.fields import MASS_UNITS, SYNONYMS, WEAK_SKU_HEADERS, interpret_header, norm_header, number_sign_maker
from bomaudit.normalise.evidence import BY_VALUES, by_values, outline_column
from bomaudit.normalise.generic import read_generic
from bomaudit.normalise.identify import better_than_weak, candidates, codes_over_values, generic_headers, holds_designators, tier_of
from bomaudit.normalise.matrix import warn_matrix, where_used_columns

if TYPE_CHECKING:
    from bomaudit.errors import Collector
    from bomaudit.load import RawTable
    from bomaudit.normalise.context import TableContext
    from bomaudit.normalise.model import NormaliseOptions


#: fields whose every column is read and merged cell by cell (a blank takes the other's value, two
#: different values in one row are an error); for the other fields one column is chosen
MERGED_FIELDS = ("qty", "mass", "re_origin", "cn_tech", "unit_value", "cn_re_value", "category", "end_use")


@dataclass(slots=True)
class Columns:
    fields: dict[str, str]  # field -> header (of a merged field, the first of its columns)
    elements: list[tuple[str, str, str]]  # (header, symbol, unit); several columns of one element are merged
    mass_unit: str | None  # from the (first) mass header
    ignored: list[str]
    #: merged field -> every column read for it, the one in ``fields`` first (only fields with several)
    merged: dict[str, list[str]] = field(default_factory=dict)
    #: the columns whose cells count as data on a line without a part number: every column read as a
    #: field or element (the same whichever reader read the file), the part-number column included
    data: list[str] = field(default_factory=list)
    #: how the part-number column was chosen when no header named one (shown by ``validate``)
    chosen_by: str | None = None
    #: the quantity column when its quantities are multiplied through the parents (SAP CS12's
    #: ``Comp. Qty (CUn)``): the structure divides each by its parent's
    cumulative: str | None = None
    #: the columns of a where-used matrix (:mod:`~bomaudit.normalise.matrix`): each an assembly
    #: named by its header, its cells that assembly's quantities of the line's part
    assemblies: list[str] = field(default_factory=list)
    #: columns under generic headers (``Field2``) read by their values: header -> (field, evidence)
    by_values: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: generic columns where a do-not-populate word marks its line (KiCad's ragged ``…;DNP``)
    dnp_cells: list[str] = field(default_factory=list)

    def headers_for(self, fld: str) -> list[str]:
        """Every column read for ``fld`` (one for a field that is not merged; none when absent)."""
        if fld in self.merged:
            return self.merged[fld]
        return [self.fields[fld]] if fld in self.fields else []


def _priority(fld: str, header: str) -> int:
    key = norm_header(header)
    names = [norm_header(s) for s in SYNONYMS.get(fld, ())]
    sign = number_sign_maker(header)
    if fld == "sku" and sign is not None:
        # "Mfr. #" ranks as a manufacturer part number, "Mouser #" as a distributor's
        key = norm_header("manufacturer part number" if sign else "supplier part number")
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
    data = [h for h in headers if h in forced]
    for header in headers:
        if header in forced:
            continue
        meaning = interpret_header(header)
        if meaning is None:
            ignored.append(header)
            continue
        if meaning.field == "element":
            elements.append((header, meaning.element or "", meaning.unit or ""))
            data.append(header)
            continue
        if meaning.field in fields or meaning.field in disabled:
            ignored.append(header)
            if meaning.field not in disabled:
                data.append(header)
            continue
        candidates.setdefault(meaning.field, []).append(header)
        data.append(header)
    _bom_lines(table, candidates, fields, ignored, data, issues)
    merged = _choose(table, candidates, fields, ignored, issues)
    chosen_by = _identify(table, fields, forced, ignored, data, issues)
    by_values, dnp_cells = _by_values(table, forced, fields, (ignored, data), issues)
    if "mass" in fields:
        mass_unit = header_mass_unit(fields["mass"])
    cumulative = _cumulative(table, fields, ignored, issues)
    if "level" not in disabled:
        outline_column(table, fields, ignored, issues)
    assemblies = _matrix(table, fields, (merged, ignored, data), cumulative, forced, issues)
    cumulative = None if assemblies else cumulative
    data = [h for h in headers if h in set(data)]
    return Columns(fields, elements, mass_unit, ignored, merged, data, chosen_by, cumulative, assemblies, by_values, dnp_cells)


def _by_values(
    table: RawTable, forced: set[str], fields: dict[str, str], lists: tuple[list[str], list[str]], issues: Collector
) -> tuple[dict[str, tuple[str, str]], list[str]]:
    """Under generic headers (``Field1``…), the columns read by their values (:mod:`.generic`) and
    those whose do-not-populate words mark lines; ``lists``: map_columns' ignored and data, updated."""
    generic = [h for h in generic_headers(table.headers) if h not in forced]
    if not generic:
        return {}, []
    read = read_generic(table, generic, fields, lists[0], lists[1], issues)
    return read.fields, read.dnp_cells


def _matrix(
    table: RawTable,
    fields: dict[str, str],
    lists: tuple[dict[str, list[str]], list[str], list[str]],
    cumulative: str | None,
    forced: set[str],
    issues: Collector,
) -> list[str]:
    """The columns of a where-used matrix (see :mod:`.matrix`), read as assemblies: no quantity
    column is left (a sum of the matrix's columns, ``Total Qty``, is not used), and a warning names
    them. ``lists``: map_columns' merged, ignored and data, updated."""
    assemblies = where_used_columns(table, fields, lists[1], cumulative, forced)
    if not assemblies:
        return []
    merged, ignored, data = lists
    merged.pop("qty", None)
    dropped = None
    qty = fields.pop("qty", None)
    if qty is not None and qty not in assemblies:
        dropped = qty
        ignored.append(qty)
    for header in assemblies:
        if header in ignored:
            ignored.remove(header)
        if header not in data:
            data.append(header)
    warn_matrix(table, assemblies, dropped, issues)
    return assemblies


_BOM_LINES = "bomlines"


def _bom_lines(table: RawTable, candidates: dict[str, list[str]], fields: dict[str, str], ignored: list[str], data: list[str], issues: Collector) -> None:
    """Odoo's ``mrp.bom`` export: ``BoM Lines/Component`` and ``BoM Lines/Quantity`` are the line's
    part and quantity, while the BoM's own columns, filled on its first line, are its product (the
    parent: ``Product``, ``Product/Internal Reference``), how many it makes (``Quantity``) and in
    what unit. Unprefixed quantity and unit columns are the BoM's then, not the line's."""
    if "sku" in fields:
        return
    if not candidates.get("sku"):
        # a line's product by another of its fields ('BoM Lines/Product Template/Korporat Code')
        lines = [h for h in ignored if norm_header(h).startswith(("bomlinescomponent", "bomlinesproduct")) and "unit" not in norm_header(h)]
        if lines:
            ignored.remove(lines[0])
            candidates["sku"] = [lines[0]]
            data.append(lines[0])
    if not any(norm_header(h).startswith(_BOM_LINES) for h in candidates.get("sku", [])):
        return
    for fld, moved_to in (("qty", "base_qty"), ("uom", None)):
        heads = candidates.get(fld, [])
        if not any(norm_header(h).startswith(_BOM_LINES) for h in heads):
            continue
        own = [h for h in heads if not norm_header(h).startswith(_BOM_LINES)]
        candidates[fld] = [h for h in heads if h not in own]
        if moved_to is not None and own and moved_to not in fields:
            candidates.setdefault(moved_to, []).extend(own)
        elif own:
            ignored.extend(own)
    if "parent" in fields or "parent" in candidates:
        return
    sku = min(candidates["sku"], key=lambda h: _priority("sku", h))
    tail = norm_header(sku).removeprefix(_BOM_LINES).removeprefix("component").removeprefix("product")
    products = [h for h in ignored if norm_header(h).startswith("product")]
    if not products:
        return
    parent = next((h for h in products if norm_header(h) == "product" + tail), products[0])
    ignored.remove(parent)
    candidates["parent"] = [parent]
    data.append(parent)
    base = candidates.get("base_qty", [])
    issues.warn(
        "bom-lines-columns",
        f"columns named 'BoM Lines/…' give each line's part and quantity (Odoo's BoM export): {parent!r} is read as the parent"
        + (f" and {base[0]!r} as how many of it the lines make" if base else ""),
        "pass --map parent=HEADER to name another parent column",
        file=table.path,
        sheet=table.sheet,
    )


def _cumulative(table: RawTable, fields: dict[str, str], ignored: list[str], issues: Collector) -> str | None:
    """A quantity multiplied through the parents (``Comp. Qty (CUn)``, ``Total Required``): not
    read when a quantity per parent is there too (said in a warning); else read as the quantity,
    and returned, for the structure to divide back through the parents' quantities."""
    total = fields.pop("qty_total", None)
    if total is None:
        return None
    if "qty" in fields:
        ignored.append(total)
        issues.warn(
            "qty-total-not-used",
            f"column {total!r} gives quantities multiplied through the parents (how many the top item needs): "
            f"the quantities per parent are read from {fields['qty']!r} instead",
            f'pass --map qty="{total}" if it is the quantity per parent',
            file=table.path,
            sheet=table.sheet,
        )
        return None
    fields["qty"] = total
    return total


#: fields whose column may also identify the parts when no column holds part numbers
NAMING_FIELDS = ("sku", "description", "value")


_WEAK = frozenset(norm_header(h) for h in WEAK_SKU_HEADERS)


def _identify(table: RawTable, fields: dict[str, str], forced: set[str], ignored: list[str], data: list[str], issues: Collector) -> str | None:
    """The part-number column chosen on evidence (see :mod:`~bomaudit.normalise.identify`) when no
    header names one, or when a weakly named one (``Material``) repeats where a name column does
    not; None when the header decided. Returns what ``validate`` shows about the choice."""
    current = fields.get("sku")
    if current in forced:
        return None
    # other part-number columns (ignored as ambiguous) stay candidates: one may be filled where the chosen is empty
    taken = frozenset(h for f, h in fields.items() if f not in NAMING_FIELDS) | frozenset(
        h for h in ignored if (m := interpret_header(h)) is not None and m.field not in NAMING_FIELDS
    )
    # a column read as designators whose cells are no designators (Altium's 'Reference' holding
    # the manufacturer's part numbers) may be the identifier
    taken -= {h for h in ignored if (m := interpret_header(h)) is not None and m.field == "designator" and not holds_designators(table.frame, h)}
    found = candidates(table.frame, table.headers, taken - {current} if current else taken)
    if current is not None and tier_of(current) == 2:
        if current not in table.frame.columns or any(c.header == current for c in found):
            return None
        # a part-number column empty on every line (FreeCAD's 'Part Number'): the names decide
        ignored.append(current)
        why_empty = f"column {current!r} is empty on every line; "
        current = None
    else:
        why_empty = ""
    if current is not None:
        weak = next((c for c in found if c.header == current), None)
        if weak is not None and not weak.plausible and weak.numeric >= 0.8:
            # a weakly named column of line numbers (Onshape's 'Item': 1, 2, 3) names no part
            ignored.append(current)
            why_empty = f"column {current!r} numbers the lines ({weak.numeric:.0%} numbers); "
            current = None
    if current is not None:
        weak = next((c for c in found if c.header == current), None)
        better = better_than_weak(weak, found) if weak is not None else None
        if better is None:
            return None
        ignored.append(current)
        why = f"{current!r} repeats ({weak.distinct:.0%} distinct) where {better.header!r} names the parts ({better.distinct:.0%} distinct)"
        chosen, runner_up = better, weak
    else:
        # a name column, or one no header names whose cells are part codes (Altium's 'Reference')
        names = [c for c in found if (c.tier >= 1 or c.coded >= 0.8) and c.plausible]
        if not names:
            return None
        chosen = names[0]
        coded = codes_over_values(chosen, names)
        instead = ""
        if coded is not None:
            instead = f"{chosen.header!r} holds component values ({chosen.valued:.0%}), which many part numbers share; "
            chosen = coded
        if norm_header(chosen.header) in _WEAK:
            # 'Material' (Steel, - None -) beside a name column with more distinct values: the name
            chosen = next((c for c in names if norm_header(c.header) not in _WEAK and c.distinct >= chosen.distinct), chosen)
        runner_up = next((c for c in found if c.header != chosen.header and c.plausible), None)
        why = f"{why_empty or _why_none(table.headers)}{instead}{chosen.header!r} {chosen.evidence()}"
    fields["sku"] = chosen.header
    if chosen.header in ignored:
        ignored.remove(chosen.header)
    if chosen.header not in data:
        data.append(chosen.header)
    second = f"; runner-up {runner_up.header!r} ({runner_up.evidence()})" if runner_up is not None else ""
    issues.warn(
        "sku-by-evidence",
        f"parts are identified by column {chosen.header!r}: {why}{second}",
        'pass --map sku="HEADER" to choose another' + (f', e.g. --map sku="{runner_up.header}"' if runner_up is not None else ""),
        file=table.path,
        sheet=table.sheet,
    )
    return f"chosen on evidence: {why}{second}"


def _why_none(headers: list[str]) -> str:
    """Why the part-number column was chosen on evidence when no header named one."""
    generic = generic_headers(headers)
    if not generic:
        return "no column names a part number; "
    shown = ", ".join(map(repr, generic[:3])) + (", …" if len(generic) > 3 else "")
    return f"the headers are generic ({shown}), so the column was chosen by its values; "


def header_mass_unit(header: str) -> str | None:
    """The mass unit a mass column's header carries (``Weight (kg)``: kg), if any."""
    meaning = interpret_header(header)
    return meaning.unit if meaning is not None and meaning.field == "mass" else None


#: headers that say a price is per unit: beside one, another price column is the line's total
_PER_UNIT_PRICE = frozenset(norm_header(h) for h in ("unit price", "unit cost", "unit value", "value per unit", "price each", "price per unit", "cost each"))


#: price headers that, beside a per-unit price, are the line's total (not "Cost": a second unit cost)
_LINE_TOTAL = frozenset(
    norm_header(h) for h in ("price", "total", "total price", "ext price", "extended price", "line price", "line total", "total cost", "extended cost")
)


def _choose(table: RawTable, candidates: dict[str, list[str]], fields: dict[str, str], ignored: list[str], issues: Collector) -> dict[str, list[str]]:
    """Of several columns for one field, the most specific is ``fields[fld]``; an attribute's others
    are merged with it (returned), an identifier's are ignored with a warning."""
    merged: dict[str, list[str]] = {}
    for fld, headers_for in candidates.items():
        chosen = min(headers_for, key=lambda h: _priority(fld, h))
        why = ""
        if fld in BY_VALUES and len(headers_for) > 1:
            chosen, why = by_values(table, fld, sorted(headers_for, key=lambda h: _priority(fld, h)), issues)
        fields[fld] = chosen
        others = [h for h in headers_for if h != chosen]
        if not others:
            continue
        totals = [h for h in others if norm_header(h) in _LINE_TOTAL]
        if fld == "unit_value" and norm_header(chosen) in _PER_UNIT_PRICE and totals == others:
            # "Unit Price" beside "Price": the other is the line's total (unit price × quantity)
            ignored.extend(others)
            issues.warn(
                "line-total-column",
                f"column {chosen!r} gives the price per unit; {', '.join(map(repr, others))} read as line totals, not used",
                "pass --map unit_value=HEADER to read another",
                file=table.path,
                sheet=table.sheet,
            )
            continue
        names = ", ".join(map(repr, [chosen, *others]))
        if fld in MERGED_FIELDS:
            merged[fld] = [chosen, *others]
            issues.warn(
                "merged-columns",
                f"columns {names} all give {fld!r}: read together cell by cell (a blank takes the other's value, two different values are an error)",
                f"pass --map {fld}=HEADER to read only one",
                file=table.path,
                sheet=table.sheet,
            )
            continue
        ignored.extend(others)
        issues.warn(
            "ambiguous-column",
            f"columns {names} all look like {fld!r}; using {chosen!r}{why}",
            f"pass --map {fld}=HEADER to choose another",
            file=table.path,
            sheet=table.sheet,
        )
    return merged


def check_sku_column(t: TableContext, cols: Columns) -> bool:
    """Whether the table has a part-number column; an error naming its headers if not."""
    if "sku" in cols.fields:
        return True
    headers = t.raw.headers
    seen = ", ".join(repr(h) for h in headers[:20]) or "none"
    taken = frozenset(h for f, h in cols.fields.items() if f not in NAMING_FIELDS)
    found = [c for c in candidates(t.raw.frame, headers, taken) if c.numeric < 0.8 and c.links < 0.5][:3]
    if found:
        hint = "name the part-number column with " + ", or ".join(f'--map sku="{c.header}" (values {", ".join(map(repr, c.examples))})' for c in found)
    else:
        guess = likely_sku_header(headers) or next((h for h in headers if not h.startswith("column ")), headers[0] if headers else "HEADER")
        hint = f'name the part-number column with --map sku="{guess}"'
    t.issues.error("no-sku-column", f"no part-number column found; the headers are {seen}", hint, **t.where(row=t.raw.header_row))
    return False


#: headers of line counters, which never identify a part ("Index", "Pos.", "#", "No.")
LINE_COUNTERS = frozenset({"", "index", "idx", "pos", "position", "line", "lineno", "no", "nr", "num", "number", "row", "id"})


def likely_sku_header(headers: list[str], exclude: frozenset[str] = frozenset()) -> str | None:
    """By its name only, the header most likely to identify parts when no part-number column is
    known: the first that is not another field (a description may be), nor a line counter, nor
    unnamed. Names only, so the hint is the same whichever reader read the file."""
    for header in headers:
        meaning = interpret_header(header)
        if header in exclude or header.startswith("column ") or norm_header(header) in LINE_COUNTERS:
            continue
        if meaning is None or meaning.field == "description":
            return header
    return None


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
    described = {h: _describe(fld, h, cols) for fld in cols.fields for h in cols.headers_for(fld)}
    for header in cols.assemblies:
        described[header] = "assembly (where-used column: its cells are the assembly's quantities)"
    for header, sym, unit in cols.elements:
        described[header] = f"element {sym} ({'mass, ' + unit if unit in MASS_UNITS else 'concentration, ' + unit})"
    return described


def field_headers(cols: Columns) -> dict[str, str]:
    """Canonical field -> the header read for it; an element column under ``<symbol>_<unit key>`` (``Dy_pct``, ``Tb_g``).

    A field or element key read from several columns (merged cell by cell) lists the first under
    its key and the others as ``"mass (2)"``, ``"Dy_pct (2)"``…
    """
    headers: dict[str, str] = {}
    for fld in cols.fields:
        for header in cols.headers_for(fld):
            _add_key(headers, fld, header)
    for header in cols.assemblies:
        _add_key(headers, "assembly", header)
    for header, sym, unit in cols.elements:
        _add_key(headers, f"{sym}_{unit}", header)
    return headers


def _add_key(headers: dict[str, str], key: str, header: str) -> None:
    n, name = 1, key
    while name in headers:
        n += 1
        name = f"{key} ({n})"
    headers[name] = header


def _describe(fld: str, header: str, cols: Columns) -> str:
    if fld == "sku" and cols.chosen_by is not None:
        return f"sku ({cols.chosen_by})"
    if header in cols.by_values:
        return f"{fld} (by its values under a generic header: {cols.by_values[header][1]})"
    if fld == "designator" and "qty" in cols.fields:
        return "designator (not used: the quantity column is)"
    if fld == "qty" and header == cols.cumulative:
        return "qty (multiplied through the parents: divided by each parent's)"
    if fld == "mass":
        unit = header_mass_unit(header)
        return f"mass ({unit})" if unit else "mass (unit from mass_unit column or cell)"
    if fld in ("mass_per_length", "mass_per_area", "mass_per_volume", "length"):
        meaning = interpret_header(header)
        unit = meaning.unit if meaning is not None else None
        if fld == "length":
            return f"length (of each piece, {unit}: QTY × LENGTH is the stock used)" if unit else "length (of each piece: QTY × LENGTH is the stock used)"
        return f"{fld} ({unit})" if unit and not unit.startswith("/") else f"{fld} (mass unit from the cells)"
    return fld
