"""The reader contract: what every reader of an input format returns, and what it is given.

A reader turns one file into its :class:`RawTable` objects (one, or one per BOM sheet of a
workbook): the header row as the file has it, the data as a Polars frame whose columns are the
header texts, and ``__row``, the row number a person sees in the file. Nothing here knows what a
BOM is; ``normalise`` does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from bomaudit.errors import Problem
from bomaudit.load.guard import Limits

if TYPE_CHECKING:
    import polars as pl

ROW = "__row"
#: a lazily read table's rows: True where any column, read or not, has a value
CONTENT = "__content"
#: per row of a table read lazily: how many cells hold a value, and the first such cell (stripped)
CELLS = "__cells"
FIRST = "__first"
INTERNAL = frozenset({ROW, CONTENT, CELLS, FIRST})
TEXT_SUFFIXES = {".csv", ".tsv", ".txt", ".tab", ".psv"}
EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
LEGACY_EXCEL_SUFFIXES = {".xls"}
PARQUET_SUFFIXES = {".parquet", ".pq"}
#: CSV and Parquet files of at least this many bytes are read lazily, only the columns used
LAZY_BYTES = 64 << 20


@dataclass(slots=True)
class RawTable:
    path: str
    sheet: str | None
    sha256: str
    frame: pl.DataFrame
    header_row: int | None
    warnings: list[Problem] = field(default_factory=list)
    #: extra information for ``validate`` (encoding, delimiter…)
    details: dict[str, str] = field(default_factory=dict)
    #: every header of the file when only some columns were read (lazy reading)
    all_headers: list[str] | None = None
    #: the non-empty rows above the header (title rows, an ERP's header block such as SAP's
    #: "Material 100-100 … Plant … Alternative"), each as its non-blank cells' text, at most
    #: ``header.SCAN_ROWS`` of them: where an indented BOM's top item may be named
    above: list[tuple[int, list[str]]] = field(default_factory=list)
    #: the sheets read from this table's workbook when there are several (in workbook order; this
    #: table's is among them): ``normalise`` decides what each is to the product. Empty otherwise
    workbook_sheets: tuple[str, ...] = ()

    @property
    def headers(self) -> list[str]:
        if self.all_headers is not None:
            return self.all_headers
        return [c for c in self.frame.columns if c not in INTERNAL]

    @property
    def rows(self) -> int:
        return self.frame.height

    def row_has_content(self) -> pl.Series:
        """Per data row: True where any cell, of a column read or not, holds a value."""
        import polars as pl

        if CONTENT in self.frame.columns:  # read lazily: the reader looked at the columns not read
            return self.frame[CONTENT]
        values = [c for c in self.frame.columns if c not in INTERNAL]
        if not values:
            return pl.repeat(False, self.frame.height, dtype=pl.Boolean, eager=True)
        return self.frame.select(pl.any_horizontal([pl.col(c).is_not_null() for c in values])).to_series()


@dataclass(frozen=True, slots=True)
class ReadOptions:
    sheet: str | None = None
    #: ``--sheet`` given more than once: these sheets, read together (each workbook must have them all)
    sheets: tuple[str, ...] = ()
    no_header: bool = False
    #: headers named by ``--map``: they help find the header row
    mapped_headers: tuple[str, ...] = ()
    #: the header ``--map sku=…`` names: where the file has it, no evidence is needed to choose the part-number column
    sku_header: str | None = None
    limits: Limits = field(default_factory=Limits)
    lazy_bytes: int = LAZY_BYTES


class Reader(Protocol):
    """Reads one format held in memory: ``text.read_text``, ``excel.read_excel``, ``xls.read_xls``,
    ``parquet.read_parquet``.

    Given the path (for messages; ``-`` for standard input), the file's bytes, their SHA-256 in
    hex and the options, returns the file's tables (one, or a workbook's BOM sheets) or raises
    :class:`~bomaudit.errors.BomauditError`.
    """

    def __call__(self, path: str, data: bytes, digest: str, options: ReadOptions) -> list[RawTable]: ...


class LazyReader(Protocol):
    """Reads a big file from disk without holding its bytes: ``lazy.read_text_lazy``, ``lazy.read_parquet_lazy``.

    Given the path, the first bytes of the file (``lazy.HEAD_BYTES`` of them at most) and the
    options, returns the table, or ``None`` when the file needs the eager :class:`Reader`; the
    reader hashes the file itself.
    """

    def __call__(self, path: str, head: bytes, options: ReadOptions) -> RawTable | None: ...
