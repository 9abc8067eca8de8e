"""Reading input files into raw string tables with provenance.

Every loader returns a :class:`RawTable`: the header row as the file has it, the data
as a Polars frame whose columns are the header texts, and ``__row``, the row number a
person sees in the file. Nothing here knows what a BOM is; ``normalise`` does.
"""

from __future__ import annotations

import hashlib
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from bomaudit.errors import BomauditError, Problem
from bomaudit.load.guard import Limits

if TYPE_CHECKING:
    import polars as pl

ROW = "__row"
#: a lazily read table's rows: True where any column, read or not, has a value
CONTENT = "__content"
INTERNAL = frozenset({ROW, CONTENT})
TEXT_SUFFIXES = {".csv", ".tsv", ".txt", ".tab", ".psv"}
EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
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
    no_header: bool = False
    #: headers named by ``--map``: they help find the header row
    mapped_headers: tuple[str, ...] = ()
    limits: Limits = field(default_factory=Limits)
    lazy_bytes: int = LAZY_BYTES


def read_source(path: str) -> bytes:
    """The bytes of a file, or of standard input for ``-``; errors name the file."""
    if path == "-":
        return sys.stdin.buffer.read()
    p = Path(path)
    if p.is_dir():
        raise BomauditError.at("not-a-file", "is a folder, not a BOM file", "name a file inside it", file=path)
    try:
        return p.read_bytes()
    except FileNotFoundError:
        raise BomauditError.at("no-such-file", "file not found", "check the path", file=path) from None
    except OSError as exc:
        raise BomauditError.at("unreadable", f"cannot read the file ({exc.strerror})", file=path) from None


def load_table(path: str, options: ReadOptions = ReadOptions()) -> RawTable:
    """Read one input file (or ``-``) into a :class:`RawTable`."""
    lazy = _read_lazily(path, options)
    if lazy is not None:
        return lazy
    data = read_source(path)
    digest = hashlib.sha256(data).hexdigest()
    suffix = Path(path).suffix.lower() if path != "-" else ".csv"
    is_zip = data[:4] == b"PK\x03\x04"
    is_parquet = data[:4] == b"PAR1"
    if suffix in EXCEL_SUFFIXES or (is_zip and suffix not in PARQUET_SUFFIXES):
        if not is_zip:
            kind = "text" if _looks_like_text(data) else "binary data"
            raise BomauditError.at(
                "not-xlsx",
                f"is named {suffix or 'without a suffix'} but holds {kind}, not an Excel workbook",
                "rename it to .csv if it is delimited text, or re-save it from Excel as .xlsx",
                file=path,
            )
        from bomaudit.load.excel import read_excel

        return read_excel(path, data, digest, options)
    if suffix in PARQUET_SUFFIXES or is_parquet:
        from bomaudit.load.parquet import read_parquet

        return read_parquet(path, data, digest)
    if suffix not in TEXT_SUFFIXES and path != "-" and not _looks_like_text(data):
        raise BomauditError.at(
            "unknown-format",
            f"cannot tell what kind of file this is (suffix {suffix or 'none'})",
            "use .csv, .tsv, .txt, .xlsx, .xlsm or .parquet",
            file=path,
        )
    from bomaudit.load.text import read_text

    return read_text(path, data, digest, options)


def _read_lazily(path: str, options: ReadOptions) -> RawTable | None:
    """A big CSV or Parquet file read lazily (see :mod:`bomaudit.load.lazy`), or None."""
    if path == "-":
        return None
    p = Path(path)
    try:
        if not p.is_file() or p.stat().st_size < max(options.lazy_bytes, 1):
            return None
        from bomaudit.load import lazy

        with p.open("rb") as fh:
            head = fh.read(lazy.HEAD_BYTES)
    except OSError:
        return None  # the eager reader names the problem
    suffix = p.suffix.lower()
    if head[:4] == b"PAR1" and suffix not in EXCEL_SUFFIXES:
        return lazy.read_parquet_lazy(path, lazy.file_sha256(path), options)
    if suffix in TEXT_SUFFIXES and head[:4] not in (b"PK\x03\x04", b"PAR1") and _looks_like_text(head):
        return lazy.read_text_lazy(path, head, options)
    return None


def _looks_like_text(data: bytes) -> bool:
    head = data[:4096]
    if head.startswith((b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf")):
        return True
    return b"\x00" not in head and sum(b < 9 or 13 < b < 32 for b in head) < max(1, len(head) // 100)
