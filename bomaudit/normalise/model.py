"""What normalisation takes and gives: its options, the BOM graph, and what was found per table."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bomaudit.vocab import SkuMatch

if TYPE_CHECKING:
    import polars as pl

    from bomaudit.errors import Problem


#: at most this many rows are listed in :attr:`TableInfo.skipped`; ``skipped_total`` counts them all
MAX_SKIPPED = 1000


@dataclass(frozen=True, slots=True)
class NormaliseOptions:
    mapping: dict[str, str] = field(default_factory=dict)  # canonical field -> header
    assembly: str | None = None
    as_of: dt.date = field(default_factory=dt.date.today)
    decimal_comma: bool = False
    #: joining --parts rows to BOM SKUs spelled differently only in case or separators
    sku_match: SkuMatch = SkuMatch.strict


@dataclass(frozen=True, slots=True)
class SkippedRow:
    """A row read but not used, and why."""

    row: int  # the row number a person sees in the file
    #: the code of the warning about such rows: "heading", "note", "footer", "tool-list", "no-sku", "dnp" or "not-in-force"
    reason: str


@dataclass(slots=True)
class TableInfo:
    """What ``validate`` reports about one input table."""

    path: str
    sheet: str | None
    role: str  # "bom" or "parts"
    shape: str  # "parent-child", "indented", "flat" or "parts"
    header_row: int | None
    rows_read: int
    rows_used: int
    columns: dict[str, str]  # header -> meaning
    ignored: list[str]
    details: dict[str, str]
    sha256: str
    #: canonical field -> the header read for it; element columns as "<symbol>_<unit key>" ("Dy_pct", "Tb_g")
    fields: dict[str, str] = field(default_factory=dict)
    #: the rows read but not used, in row order, at most MAX_SKIPPED of them
    skipped: list[SkippedRow] = field(default_factory=list)
    #: how many rows were read but not used, all of them: rows_read == rows_used + skipped_total
    skipped_total: int = 0
    #: how the part-number column was chosen when no header named one (None: a header or --map did)
    sku_chosen_by: str | None = None


@dataclass(slots=True)
class Bom:
    edges: pl.DataFrame  # one row per BOM line: parent, child, qty, bulk, _file, _sheet, _row (repeats added by the roll-up)
    #: one row per SKU with attributes: sku, description, mass_g, <El>_g, <El>_frac, <El>_unk, re_origin,
    #: cn_tech, …, and composition_declared (Boolean, never null: some row of the SKU comes from a table
    #: with an element column, where a blank element cell is a declared zero), and _content_file,
    #: _content_sheet, _content_row: where its first row giving element content is (null without one)
    attrs: pl.DataFrame
    declared_tops: list[str]
    retired: set[str]  # SKUs used only in rows out of effect on the as-of date
    tables: list[TableInfo]
    warnings: list[Problem]
    elements: list[str]  # element symbols for which any column was given
    #: (parts spelling, BOM spelling) joined under --sku-match loose, sorted: an assumption to show
    loose_matches: list[tuple[str, str]] = field(default_factory=list)
    #: lines that are alternates of each other ("OR" between them): the edges, with ``group`` (the
    #: row of the group's first line) per file and sheet; the roll-up counts one per group
    alternates: pl.DataFrame | None = None
    #: SKUs whose amount on some line rests on an assumed unit (a piece length without one, read in
    #: the unit the file's descriptions write sizes in), sorted: an assumption to show
    units_assumed: list[str] = field(default_factory=list)
