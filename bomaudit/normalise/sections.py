"""Rows that organise a hand-made list rather than name a part: section headings, notes, links and
"OR" separators; and what a heading says about the lines under it.

Such a row holds one cell and no quantity ("Electronics", "Note: buy screws in bulk",
"https://…", "*OR*"). Under a heading, each line's category is the heading's text (``Motors``
feeds rule matching like a category column); lines under a tool-list heading ("Tools",
"Werkzeug", "工具") are not part of the product; lines under an optional heading are counted,
the worst case, with a warning. A table where most rows hold one cell is a one-column list of
parts, and none of its rows is read this way.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bomaudit.load import ROW
from bomaudit.load.interface import CELLS, FIRST
from bomaudit.normalise.context import text
from bomaudit.parse import constant

if TYPE_CHECKING:
    import polars as pl

    from bomaudit.normalise.context import TableContext

#: a link: the whole cell is an address
LINK = r"(?i)^\s*(https?://|www\.)\S+\s*$"
#: a note: the cell starts like one, or is a sentence (more than eight words)
NOTE = (
    r"(?i)^\s*(notes?\b|nb\b|n\.b\.|hinweis|anmerkung|remarque|nota\b|uwaga|注|备注|说明|\*|※|see\b|please\b|tips?\b|"
    r"warning\b|todo\b|remember\b|you\b|if\b|this\b)|^\s*(\S+\s+){8,}\S+"
)
#: an "OR" standing alone between two lines: the line below is an alternate of the line above
SEPARATOR = r"(?i)^[\s*\-_=~(\[<>]*(or|oder|ou|o|lub|albo|或|或者)[\s*\-_=~)\]<>:.]*$"
#: a heading's leading number ("1.", "2)", "Step 3:"), which does not make it a part
ENUMERATION = r"(?i)^\W*(\d+[.):]|[a-z][.)]|(step|section|part|stage|phase|schritt|étape|etape|paso|krok)\s*\d+\s*[.:)-]?)\s*"
#: a heading over lines that are not part of the product
TOOLS = (
    r"(?i)^\W*(tools?|tooling|tools? (needed|required|used)|required tools|equipment|werkzeuge?|outils?|outillage|herramientas?|"
    r"narzędzia|工具|所需工具)\b\W*$"
)
#: a heading over lines that may be left out (counted: the worst case) — also a line saying so
OPTIONAL = r"(?i)\boption(al|nal|nel|nelle|ales?)?\b|\bopcional(es)?\b|\bopcjonaln\w*|\bfakultativ\b|可选|选配"


@dataclass(slots=True)
class Sections:
    """Per row (Boolean unless said): what the one-cell rows are and what their headings say."""

    heading: pl.Series  # a section heading
    note: pl.Series  # a note or a link
    separator: pl.Series  # an "OR" between two lines
    section: pl.Series  # String: the nearest heading above the row, lower case (null above the first)
    tool: pl.Series  # a line under a tool-list heading
    optional: pl.Series  # a line under an optional heading

    @property
    def not_parts(self) -> pl.Series:
        return self.heading | self.note | self.separator


def filled_cells(t: TableContext, candidates: pl.Series) -> tuple[pl.Series, pl.Series]:
    """Per row among ``candidates``: how many cells hold a value, and the first one's text (null
    elsewhere). A table read lazily brings both from its reader, which looked at every column."""
    import polars as pl

    n = t.frame.height
    headers = t.raw.headers
    if CELLS in t.frame.columns:  # read lazily: the reader counted the cells of every column
        count = pl.select(pl.when(candidates).then(t.frame[CELLS].cast(pl.Int32))).to_series()
        label = pl.select(pl.when(candidates).then(t.frame[FIRST])).to_series().str.replace_all(r"\s+", " ")
        return count, label
    if not candidates.any() or not headers or any(h not in t.frame.columns for h in headers):
        return constant(None, n, pl.Int32), constant(None, n, pl.String)
    sub = t.frame.filter(candidates)
    cells = [text(sub, h) for h in headers]
    filled = pl.select(pl.sum_horizontal([c.is_not_null().cast(pl.Int32) for c in cells])).to_series()
    label = pl.select(pl.coalesce(cells)).to_series().str.replace_all(r"\s+", " ")
    at = pl.int_range(n, eager=True).filter(candidates)
    return constant(None, n, pl.Int32).scatter(at, filled), constant(None, n, pl.String).scatter(at, label)


def classify_sections(t: TableContext, count: pl.Series, label: pl.Series, names: list[str], exclude: pl.Series, parts_have_quantity: bool) -> Sections | None:
    """The one-cell rows (by :func:`filled_cells`' ``count`` and ``label``, less ``exclude``),
    classified; None when there are none or the table is a one-column list. A heading is written
    where the lines' names are (``names``: the part-number and description cells); a lone cell
    elsewhere (a remarks column) is a note. ``parts_have_quantity``: the table has a quantity
    column (or designators), so that a part line holds more than its name."""
    import polars as pl

    n = t.frame.height
    single = (count == 1).fill_null(False) & ~exclude
    if not single.any():
        return None
    has_content = t.raw.row_has_content()
    if not parts_have_quantity or 2 * int(single.sum()) > int(has_content.sum()):
        return None  # a list of names, one per row: its rows are parts
    link = label.str.contains(LINK).fill_null(False)
    separator = label.str.contains(SEPARATOR).fill_null(False) & ~link & single
    note = (label.str.contains(NOTE).fill_null(False) | link) & ~separator & single
    # a heading is words: a digit past a leading "1." or "Step 2" could be a part ("N52 magnets")
    words = label.str.replace(ENUMERATION, "")
    heading = single & ~note & ~separator & words.str.contains(r"[^\W\d_]").fill_null(False) & ~words.str.contains(r"\d").fill_null(True)
    named = [(text(t.frame, h).str.replace_all(r"\s+", " ") == label).fill_null(False) for h in names]
    in_names = pl.select(pl.any_horizontal(named)).to_series()
    note |= heading & ~in_names
    heading &= in_names
    # a heading heads lines: one with no line under it before the next heading (the last row,
    # "Neodymium magnets" with its quantity left out) may be a part, and stays a line
    lines = has_content & ~single
    marker = pl.select(pl.when(heading).then(pl.int_range(n))).to_series().forward_fill()
    heads = pl.DataFrame({"m": marker, "line": lines}).group_by("m").agg(pl.col("line").any())
    headed = set(heads.filter(pl.col("line") & pl.col("m").is_not_null())["m"].to_list())
    heading = heading & pl.int_range(n, eager=True).is_in(sorted(headed))
    title = pl.select(pl.when(heading).then(label.str.strip_chars(" :*-=#").str.to_lowercase())).to_series()
    # every row under a heading, up to the next one (a blank heading name ends nothing)
    marker = pl.select(pl.when(heading).then(pl.int_range(n))).to_series().forward_fill()
    section = pl.select(pl.when(marker.is_not_null()).then(title.forward_fill())).to_series()
    under = marker.is_not_null() & ~heading & ~note & ~separator
    tool = (section.str.contains(TOOLS).fill_null(False) & under).fill_null(False)
    optional = (section.str.contains(OPTIONAL).fill_null(False) & under & ~tool).fill_null(False)
    return Sections(heading, note, separator, section, tool, optional)


def report(t: TableContext, s: Sections, used: pl.Series) -> None:
    """Warnings for the rows read as headings, notes, separators, tool lists and optional lines."""
    t.warn_rows(s.heading, "heading", "section heading, not a part: its text is the category of the lines under it")
    t.warn_rows(s.note, "note", "a note or link, not a part: skipped")
    t.warn_rows(s.separator, "alternate", "'OR' between two lines: the line below is an alternate of the line above")
    t.warn_rows(
        s.tool & used,
        "tool-list",
        "a line under a tool-list heading: not part of the product, left out",
        "if it is built into the product, move it above the heading",
    )
    t.warn_rows(
        s.optional & used,
        "optional-line",
        "an optional line: counted, the worst case",
        "remove the line if the product ships without it",
    )


def alternate_rows(t: TableContext, s: Sections | None, used: pl.Series) -> pl.DataFrame | None:
    """The lines an "OR" joins, one row each: ``_row`` and ``group`` (the row of the group's first
    line, whose alternates they are); None without separators. A separator joins the nearest part
    lines above and below it; ``A OR B OR C`` is one group."""
    import polars as pl

    if s is None or not s.separator.any():
        return None
    rows = t.frame[ROW]
    parts = rows.filter(used).to_list()  # in row order
    group: dict[int, int] = {}
    for sep in rows.filter(s.separator).to_list():
        at = bisect.bisect_left(parts, sep)  # the first part line below the separator
        if at == 0 or at == len(parts):
            continue
        above, below = parts[at - 1], parts[at]
        first = group.get(above, above)
        group[above] = first
        group[below] = first
    if not group:
        return None
    return pl.DataFrame({"_row": list(group), "group": list(group.values())}, schema={"_row": pl.Int64, "group": pl.Int64})
