"""Where-used matrices: each part once, one quantity column per product or assembly.

``Part Number, Description, Robot A, Robot B, Robot C`` (or ``PN, Desc, Qty Base, Qty Pro``): the
cells under Robot A/B/C are how many of the line's part each of them uses, a blank or a 0 meaning
none. Taking one such column as the quantity, or none, would lose the products the others are
(a false clear when the only magnet is in Robot C), so such columns are found here and each is
read as an assembly, a top-level product of its own named by its header.

Columns of a matrix, at least two of them:

* headers that name no known field, are not a price, stock, order or physical quantity
  (``Unit Price``, ``Total``, ``On hand``, ``MOQ``, ``Reorder``, ``Voltage``…) and are not blank;
  or headers that say "quantity" beside the quantity column (``Qty``, ``Qty Pro``);
* whose filled cells are almost all numbers of at least 0 (and some cell is filled);
* in a table with a part-number column and no parent, level or designator column, and no single
  quantity column (a column of quantities multiplied through the parents, ``Total Qty``, is the
  matrix's sum and is not read).

Only the columns no header explains are looked at, and only when the table has no quantity column
of its own (or a quantity-named sibling of it): an ordinary BOM costs a few name tests.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from bomaudit.fields import COUNT_UNITS, interpret_header
from bomaudit.parse import parse_numbers

if TYPE_CHECKING:
    from bomaudit.errors import Collector
    from bomaudit.load import RawTable

#: headers that are never an assembly's quantities: money, stock and ordering, a line's position,
#: dates, revisions and physical quantities of the part
NOT_ASSEMBLY = re.compile(
    r"(?i)price|cost|total|sum\b|amount|value|\bval\b|[$€£¥]|\b(usd|eur|gbp|cny|rmb|chf|jpy)\b|stock|on[\s_-]*hand|inventory|in[\s_-]*store|"
    r"avail|\bmoq\b|\bmin\b|minimum|\bmax\b|maximum|order|reorder|backorder|allocated|reserved|lead[\s_-]*time|\bpack|reel|spq|multiple|"
    r"weight|mass|length|width|height|depth|diam|size|volt|watt|\bamp|current|ohm|resist|capacit|induct|tol|temp|rating|power|freq|"
    r"\brev|version|year|date|time|page|\bline\b|\bpos|position|index|\bid\b|\bno\b|\bnr\b|#|number|level|step|sheet|score|percent|%|ratio|"
    r"rohs|reach|pins?\b|count"
)
#: a header that says "quantity" (``Qty Pro``, ``Robot A Qty``, ``Menge Basis``)
QUANTITY_WORD = re.compile(r"(?i)\b(qty|qties|quantity|quantities|menge|anzahl|quantité|qté|cantidad|ilość|数量|用量)\b")
#: share of a column's filled cells that must be numbers of at least 0
NUMBER_SHARE = 0.95


def where_used_columns(table: RawTable, fields: dict[str, str], ignored: list[str], cumulative: str | None, forced: set[str]) -> list[str]:
    """The columns of ``table`` that are the assemblies of a where-used matrix (in file order), or
    none. ``fields``, ``ignored`` and ``cumulative`` are :func:`~bomaudit.normalise.columns.map_columns`' so far."""
    if "sku" not in fields or any(f in fields for f in ("parent", "level", "designator")) or fields.get("qty") in forced:
        return []
    qty = fields.get("qty")
    # (a known header written twice, 'Quantity (2)' beside 'Item (2)', is a second list side by side, not an assembly)
    unknown = [h for h in ignored if interpret_header(h) is None and not h.startswith("column ") and not _renamed(h) and h in table.frame.columns]
    if qty is not None and qty != cumulative:
        # a quantity column is a matrix's only beside siblings that say "quantity" too (Qty, Qty Pro)
        siblings = [h for h in unknown if QUANTITY_WORD.search(h) and not NOT_ASSEMBLY.search(h)]
        named = [qty, *siblings] if siblings and qty in table.frame.columns else []
    else:
        named = [h for h in unknown if not NOT_ASSEMBLY.search(h)]
    found = [h for h in table.headers if h in named and _quantities(table, h)]
    return found if len(found) >= 2 else []


def _renamed(header: str) -> bool:
    """Whether the header is a known one written again, renamed by the reader (``Quantity (2)``)."""
    base, found, _ = header.rpartition(" (")
    return bool(found) and header.endswith(")") and header[len(base) + 2 : -1].isdigit() and interpret_header(base) is not None


def _quantities(table: RawTable, header: str) -> bool:
    """Whether the column's filled cells are almost all numbers of at least 0, and some cell is filled."""
    import polars as pl

    column = table.frame[header]
    if column.dtype.is_numeric():
        filled = column.drop_nulls()
        return filled.len() > 0 and bool((filled >= 0).mean() >= NUMBER_SHARE)
    if column.dtype != pl.String:
        return False
    cells = column.str.strip_chars()
    cells = cells.filter(cells.is_not_null() & (cells != ""))
    if cells.len() == 0:
        return False
    parsed = parse_numbers(cells)
    good = (parsed.values >= 0).fill_null(False) & (parsed.units.is_null() | parsed.units.is_in(list(COUNT_UNITS)))
    return bool(good.mean() >= NUMBER_SHARE)


def warn_matrix(table: RawTable, assemblies: list[str], dropped: str | None, issues: Collector) -> None:
    names = ", ".join(map(repr, assemblies))
    issues.warn(
        "where-used-matrix",
        f"columns {names} hold quantities per product (a where-used matrix): each is read as a top-level assembly named by its header, "
        "its filled cells as that assembly's lines (a blank or 0: not used)" + (f"; {dropped!r} (their sum) not used" if dropped else ""),
        'pass --map qty="HEADER" to read one column as the quantity of a single list instead',
        file=table.path,
        sheet=table.sheet,
    )
