"""Data shifted against its header: a header cell missing, so the data sit one column (or k) to
the right of their headers from some column on (issue #12; KiCad's grouped CSV with a blank
field under 'Description', HackRF One).

The evidence, all of which must hold before the columns are realigned:

* the last ``k`` columns have no header but values on at least :data:`TRAILING_FILL` of the
  lines (the fields the header has no names for);
* ``k`` adjacent named columns are empty on every line (the fields the header's names landed on
  instead of their own): the shift starts at the first of them;
* read shifted, the headers fit their columns better than as written (:func:`_fits`: a part
  number over part codes, a quantity over numbers, designators over designator lists, a
  description over several words), and no other start fits as well.

The columns are then renamed, said in a warning naming the file and the columns. When the signs
of a shift are there (a part-number column empty while a headerless column holds part codes) but
the evidence is not clear, the table is refused with an error saying what was seen and which
``--map`` would read it. A realignment never moves a column of content (composition, mass,
origin, quantity…) onto cells that do not fit it: then too the table is refused, since reading
such a column wrong could make a product look clear.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from bomaudit.fields import CELL_CODE, CELL_DESIGNATORS, CELL_NUMBER, interpret_header, norm_header
from bomaudit.normalise.identify import tier_of

if TYPE_CHECKING:
    import polars as pl

    from bomaudit.errors import Collector
    from bomaudit.load import RawTable

#: rows sampled to judge what a column's values fit
SAMPLE = 2000
#: a headerless trailing column holds the fields the header lost when filled on this share of lines
TRAILING_FILL = 0.5
#: fields whose columns give what the verdict is computed from: read wrong, a product may look clear
CONTENT_FIELDS = frozenset({"qty", "mass", "mass_unit", "uom", "re_origin", "cn_tech", "unit_value", "cn_re_value", "category", "element", "level", "parent"})
NUMBER_FIELDS = frozenset({"qty", "mass", "unit_value", "cn_re_value", "element"})
#: a part-number column is (nearly) empty when filled on at most this share of lines
EMPTY_SKU = 0.2


def _blank(header: str) -> bool:
    return header.startswith("column ")


def _values(frame: pl.DataFrame, header: str) -> list[str]:
    return [str(v).strip() for v in frame[header].head(SAMPLE).to_list() if v is not None and str(v).strip()]


def _share(values: list[str], pattern) -> float:
    return sum(bool(pattern.match(v)) for v in values) / len(values) if values else 0.0


def _fits(header: str, values: list[str]) -> bool:
    """Whether a column's values are what its header says (any values for a header of no known kind)."""
    if not values:
        return False
    meaning = interpret_header(header)
    fld = meaning.field if meaning is not None else None
    if fld == "sku" and tier_of(header) == 2:
        return _share(values, CELL_CODE) >= 0.5
    if fld in NUMBER_FIELDS:
        return _share(values, CELL_NUMBER) >= 0.9
    if fld == "designator":
        return _share(values, CELL_DESIGNATORS) >= 0.8
    if fld == "description":
        return sum(len(v.split()) for v in values) / len(values) >= 2
    return True


def _score(names: list[str], columns: dict[str, list[str]], old: list[str]) -> int:
    """How many named headers fit the column they would head (``names[i]`` heads old column ``old[i]``)."""
    return sum(_fits(name, columns[col]) for name, col in zip(names, old, strict=True) if not _blank(name))


def _shifted(headers: list[str], start: int, k: int, last: int) -> list[str]:
    """The headers as they would read with ``k`` blank fields inserted before ``start``."""
    out = list(headers)
    for i in range(start, start + k):
        out[i] = f"column {i + 1}"
    for i in range(start + k, last + k + 1):
        out[i] = headers[i - k]
    used = set(out[:start]) | set(out[start + k :])
    for i in range(start, start + k):
        while out[i] in used:
            out[i] += " (shifted)"
    return out


def realign(raw: RawTable, mapping: dict[str, str], issues: Collector) -> RawTable:
    """The table with its columns renamed when its data are shifted against the header (see the
    module's docstring); the table as it was when they are not; an error in ``issues`` when the
    signs are there but the evidence is not clear."""
    import polars as pl

    headers = raw.headers
    if raw.all_headers is not None or raw.header_row is None or not headers:
        return raw  # read lazily (not every column is here), or no header row to be shifted against
    frame = raw.frame
    named = [i for i, h in enumerate(headers) if not _blank(h)]
    if not named:
        return raw
    last = named[-1]
    if last == len(headers) - 1:
        return raw  # no column after the last header: nothing the header has no name for
    columns = {h: _values(frame, h) for h in headers}
    lines = max(int(raw.row_has_content().head(SAMPLE).sum()), 1)
    k = 0
    while last + k + 1 < len(headers) and len(columns[headers[last + k + 1]]) >= TRAILING_FILL * lines:
        k += 1
    if k == 0:
        return raw
    wanted = {norm_header(h) for h in mapping.values() if h}
    if any(norm_header(h) in wanted or h in mapping.values() for h in headers[: last + k + 1]):
        return raw  # the user names the columns: they are read as --map says
    empty = [not frame[h].cast(pl.String).str.strip_chars().replace("", None).is_not_null().any() for h in headers]
    starts = [p for p in named if p + k - 1 <= last and all(empty[p : p + k]) and all(not _blank(headers[j]) for j in range(p, p + k))]
    as_written = _score(headers, columns, headers)
    scored = sorted(((_score(_shifted(headers, p, k, last), columns, headers), p) for p in starts), reverse=True)
    trailing = headers[last + 1 : last + k + 1]
    best = [p for score, p in scored if score == scored[0][0]] if scored else []
    # starts that read every column with values alike are one reading (two empty columns side by side)
    readings = {tuple((n, c) for n, c in zip(_shifted(headers, p, k, last), headers, strict=True) if columns[c] and not _blank(n)) for p in best}
    if scored and scored[0][0] > as_written:
        if len(readings) > 1:
            seen = f"the shift could start at {' or '.join(repr(headers[p]) for p in sorted(best))}, which read the values equally well"
            _refuse(raw, issues, seen, trailing, columns)
            return raw
        start = min(best)
        names = _shifted(headers, start, k, last)
        moved = _unfit_content(names, columns, headers)
        if not moved:
            return _renamed(raw, names, (start, k, last), len(trailing_fill(columns, trailing)) / lines, issues)
        _refuse(raw, issues, f"read shifted, {moved} would head cells that are not what it says", trailing, columns)
        return raw
    sku = [h for h in headers[: last + 1] if tier_of(h) == 2 and (m := interpret_header(h)) is not None and m.field == "sku"]
    codes = [h for h in trailing if _share(columns[h], CELL_CODE) >= 0.5]
    if sku and codes and all(len(columns[h]) <= EMPTY_SKU * lines for h in sku):
        seen = "read shifted, the headers fit their values no better than as written" if starts else "no named column is empty on every line"
        _refuse(raw, issues, f"{', '.join(map(repr, sku))} is (nearly) empty and {seen}", trailing, columns)
    return raw


def _unfit_content(names: list[str], columns: dict[str, list[str]], old: list[str]) -> str | None:
    """The first content header (composition, mass, quantity…) that would head cells not fitting it, or
    an empty column where it had values, once shifted; None when every one fits."""
    for name, col in zip(names, old, strict=True):
        if _blank(name) or name == col:
            continue
        meaning = interpret_header(name)
        if meaning is None or meaning.field not in CONTENT_FIELDS:
            continue
        before = columns[name]
        after = columns[col]
        if (after and not _fits(name, after)) or (before and not after):
            return repr(name)
    return None


def trailing_fill(columns: dict[str, list[str]], trailing: list[str]) -> list[str]:
    """The values of the least filled of the headerless trailing columns."""
    return min((columns[h] for h in trailing), key=len)


def _renamed(raw: RawTable, names: list[str], shift: tuple[int, int, int], fill: float, issues: Collector) -> RawTable:
    """``raw`` with its columns renamed ``names``; ``shift``: where the shift starts, by how many
    columns, and the last named header's position."""
    import polars as pl

    start, k, last = shift
    headers = raw.headers
    frame = raw.frame
    renamed = frame.select([pl.col(c).alias(names[headers.index(c)]) if c in headers else pl.col(c) for c in frame.columns])
    what = "one column" if k == 1 else f"{k} columns"
    gaps = ", ".join(f"column {i + 1}" for i in range(start, start + k))
    read = ", ".join(f"{headers[i]!r} from column {i + k + 1}" for i in range(start, last + 1))
    issues.warn(
        "shifted-columns",
        f"the data sit {what} right of the header from {headers[start]!r} on: {gaps} is empty on every line while the last "
        f"{what} {'has' if k == 1 else 'have'} no header but values on {fill:.0%} of the lines, and read shifted the headers fit their values: "
        f"read {read}",
        "correct the header row (a field's name is missing) to read the file as written",
        file=raw.path,
        sheet=raw.sheet,
        row=raw.header_row,
        column=headers[start],
    )
    return replace(raw, frame=renamed)


def _refuse(raw: RawTable, issues: Collector, seen: str, trailing: list[str], columns: dict[str, list[str]]) -> None:
    coded = next((h for h in trailing if _share(columns[h], CELL_CODE) >= 0.5), trailing[0])
    examples = ", ".join(repr(v) for v in list(dict.fromkeys(columns[coded]))[:3])
    issues.error(
        "shifted-columns",
        f"the data may sit right of their headers (a header cell missing): {', '.join(map(repr, trailing))} "
        f"{'has' if len(trailing) == 1 else 'have'} no header but values ({examples}), yet {seen}; not read rather than guessed",
        f'pass --map sku="{coded}" to read the part numbers from it, or correct the header row',
        file=raw.path,
        sheet=raw.sheet,
        row=raw.header_row,
        column=coded,
    )
