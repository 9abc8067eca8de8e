"""Finding the header row of a sheet or CSV that may start with title rows."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from bomaudit.fields import DESCRIBING_HEADERS, OUTLINE_HEADERS, cell_kind, interpret_header, is_generic_header, norm_header

if TYPE_CHECKING:
    import polars as pl

#: rows searched for the header: exports put up to a few dozen title and metadata rows above it
SCAN_ROWS = 100


def find_header(rows: list[list[str | None]], mapped: tuple[str, ...] = ()) -> int | None:
    """Index of the header among the first rows: the first row naming a ``sku`` field and at
    least one other known field (or a header ``--map`` names), else the row with the most known
    fields (≥ 2), else the first non-empty row. ``None`` when every row is empty."""
    wanted = {norm_header(h) for h in mapped}
    best: tuple[int, int] | None = None
    first_nonempty: int | None = None
    for i, row in enumerate(rows[:SCAN_ROWS]):
        cells = [c for c in row if c is not None and str(c).strip()]
        if not cells:
            continue
        if first_nonempty is None:
            first_nonempty = i
        meanings = [interpret_header(c) for c in cells]
        known = sum(m is not None or norm_header(c) in wanted for m, c in zip(meanings, cells, strict=True))
        # a header --map names is enough on its own, unless it is a number (a column's, or a cell's)
        named = any(norm_header(c) in wanted and any(ch.isalpha() for ch in str(c)) for c in cells)
        has_sku = any(m is not None and m.field == "sku" for m in meanings) or any(norm_header(c) in wanted for c in cells)
        if has_sku and (known >= 2 or named):
            return i
        if known >= 2 and (best is None or known > best[1]):
            best = (i, known)
    if best is not None:
        return best[0]
    if first_nonempty is not None and first_nonempty > 0 and like_rows_below(rows, first_nonempty):
        # a blank header row: the first row with text is the first line of data, not a header
        return first_nonempty - 1
    return first_nonempty


#: rows below a would-be header compared with it
LIKE_ROWS = 20


def like_rows_below(rows: list[list[str | None]], index: int) -> bool:
    """Whether row ``index`` reads like the rows below it: 80 % of its cells are of the kind most
    cells below are in their column (:func:`~bomaudit.fields.cell_kind`: part codes, designators,
    counts, component values), two of them at least of a kind other than plain text; a header's
    words are not (``Field1``, ``Column2`` never count)."""
    cells = [(j, str(c).strip()) for j, c in enumerate(rows[index]) if c is not None and str(c).strip()]
    below = [r for r in rows[index + 1 : index + 1 + LIKE_ROWS] if any(c is not None and str(c).strip() for c in r)]
    if len(cells) < 2 or len(below) < 2 or any((is_generic_header(c) and not c.isdigit()) or interpret_header(c) is not None for _, c in cells):
        return False
    same = typed = 0
    for j, cell in cells:
        kinds = [cell_kind(str(r[j])) for r in below if j < len(r) and r[j] is not None and str(r[j]).strip()]
        usual = max(set(kinds), key=kinds.count) if kinds else None
        kind = cell_kind(cell)
        same += kind == usual
        typed += kind == usual and kind != "text"
    return same >= 0.8 * len(cells) and typed >= 2


def names_sku(cells: list[str | None], mapped: tuple[str, ...] = ()) -> bool:
    """True when a header row names the part-number field, or a header ``--map`` names."""
    wanted = {norm_header(h) for h in mapped}
    texts = [str(c) for c in cells if c is not None and str(c).strip()]
    return any(norm_header(t) in wanted or ((m := interpret_header(t)) is not None and m.field == "sku") for t in texts)


def wanted_columns(headers: list[str], mapped: tuple[str, ...]) -> list[int]:
    """Positions of the headers that normalise may use: recognised by name or named by ``--map``."""
    wanted = {norm_header(h) for h in mapped} | set(mapped)
    # Odoo's BoM export: its 'Product…' (the parent) and 'BoM Lines/…' columns are read by what they are together
    odoo = any(norm_header(h).startswith("bomlines") for h in headers)
    outline = {norm_header(h) for h in OUTLINE_HEADERS}
    return [
        i
        for i, h in enumerate(headers)
        if interpret_header(h) is not None
        or DESCRIBING_HEADERS.search(h)
        or h in wanted
        or norm_header(h) in wanted | outline
        or (odoo and norm_header(h).startswith(("bomlines", "product")))
    ]


def unique_headers(cells: list[str | None]) -> list[str]:
    """Header texts made usable as column names: blanks become ``column N``; a header that repeats
    an earlier one, even only in case or punctuation (EAGLE writes ``Value`` and ``VALUE``), gets
    `` (2)``, so that ``--map`` and the synonyms, which ignore case, reach each column."""
    out: list[str] = []
    seen: dict[str, int] = {}
    for i, cell in enumerate(cells, start=1):
        text = " ".join(str(cell).split()) if cell is not None else ""
        text = text or f"column {i}"
        if text == "*" or (text.startswith("^") and text.endswith("$")):
            text = f"column {i} ({text})"  # Polars reads these names as a wildcard or a regex
        key = norm_header(text) or text
        if key in seen:
            seen[key] += 1
            text = f"{text} ({seen[key]})"
        else:
            seen[key] = 1
        out.append(text)
    return out


def renamed_headers(cells: list[str | None], names: list[str]) -> list[tuple[str, str]]:
    """(header as written, column name) for repeated non-blank headers that were renamed."""
    out: list[tuple[str, str]] = []
    for cell, name in zip(cells, names, strict=True):
        text = " ".join(str(cell).split()) if cell is not None else ""
        if text and text != name:
            out.append((text, name))
    return out


_NUMBER = re.compile(r"^[-+]?(\d[\d,' ]*)?\.?\d+(e[-+]?\d+)?$", re.IGNORECASE)
_DATE = re.compile(r"^\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?$")


def looks_like_data(cells: list[str | None], mapped: tuple[str, ...] = ()) -> bool:
    """True when a would-be header row names no known field and holds mostly numbers and dates:
    the file has no header row (database dumps such as AdventureWorks' tables)."""
    wanted = {norm_header(h) for h in mapped}
    texts = [str(c).strip() for c in cells if c is not None and str(c).strip()]
    if not texts:
        return False
    if any(interpret_header(t) is not None or norm_header(t) in wanted for t in texts):
        return False
    numeric = sum(bool(_NUMBER.match(t) or _DATE.match(t)) for t in texts)
    return numeric * 2 >= len(texts)


def rows_above(frame: pl.DataFrame, header_index: int | None, first_row_number: int) -> list[tuple[int, list[str]]]:
    """The non-empty rows above the header, as (row number a person sees, non-blank cell texts)."""
    if header_index is None or header_index <= 0:
        return []
    out = []
    for i, row in enumerate(frame.head(min(header_index, SCAN_ROWS)).rows()):
        cells = [" ".join(str(c).split()) for c in row if c is not None and str(c).strip()]
        if cells:
            out.append((first_row_number + i, cells))
    return out


def apply_header(frame: pl.DataFrame, header_index: int | None, first_row_number: int, no_header: bool) -> tuple[pl.DataFrame, int | None]:
    """Rename ``frame``'s columns from its header row and number the data rows as a person sees
    them (``first_row_number`` is the number of the frame's first row in the file)."""
    import polars as pl

    if no_header or header_index is None:
        names = [str(i) for i in range(1, frame.width + 1)]
        body = frame
        start = first_row_number
        header_row = None
    else:
        names = unique_headers(list(frame.row(header_index)))
        body = frame.slice(header_index + 1)
        start = first_row_number + header_index + 1
        header_row = first_row_number + header_index
    body = body.rename(dict(zip(body.columns, names, strict=True)))
    body = body.with_row_index("__row", offset=start).with_columns(pl.col("__row").cast(pl.Int64))
    return body, header_row
