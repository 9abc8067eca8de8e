"""Reading input files into raw string tables with provenance: which reader reads which file.

The readers' contract (:class:`RawTable`, :class:`ReadOptions`) is in :mod:`bomaudit.load.interface`;
each format has its module (``text``, ``excel``, ``xls``, ``parquet``, and ``lazy`` for big files),
and what they share is in ``cleanup``, ``header``, ``guard`` and ``sheets`` (which sheets of a
workbook are read). Other packages import from here.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from bomaudit.errors import BomauditError
from bomaudit.load.cleanup import check_cells
from bomaudit.load.guard import Limits
from bomaudit.load.interface import (
    CONTENT,
    EXCEL_SUFFIXES,
    LAZY_BYTES,
    LEGACY_EXCEL_SUFFIXES,
    PARQUET_SUFFIXES,
    ROW,
    TEXT_SUFFIXES,
    LazyReader,
    RawTable,
    Reader,
    ReadOptions,
)
from bomaudit.load.source import read_source

__all__ = ["CONTENT", "LAZY_BYTES", "ROW", "Limits", "RawTable", "ReadOptions", "load_table", "load_tables", "read_source"]


def load_tables(path: str, options: ReadOptions = ReadOptions()) -> list[RawTable]:
    """Read one input file (or ``-``) into its tables: one, or one per BOM sheet of a workbook
    (see :mod:`bomaudit.load.sheets`)."""
    table = _read_lazily(path, options)
    if table is not None:
        tables = [table]
    else:
        data = read_source(path, options.limits)
        digest = hashlib.sha256(data).hexdigest()
        tables = _reader(path, data)(path, data, digest, options)
    for t in tables:
        check_cells(t, options.mapped_headers)
    return tables


def load_table(path: str, options: ReadOptions = ReadOptions()) -> RawTable:
    """Read one input file (or ``-``) that holds one table; an error naming the sheets when it holds several."""
    tables = load_tables(path, options)
    if len(tables) > 1:
        raise BomauditError.at(
            "several-sheets",
            f"has {len(tables)} BOM sheets ({', '.join(repr(t.sheet) for t in tables)}) where one table is expected",
            "pass --sheet NAME to read one",
            file=path,
        )
    return tables[0]


def _reader(path: str, data: bytes) -> Reader:
    """The reader for a file held in memory, chosen by its suffix and first bytes; an error when
    the file is not what its name says or is no format bomaudit reads."""
    suffix = Path(path).suffix.lower() if path != "-" else ".csv"
    is_zip = data[:4] == b"PK\x03\x04"
    if data[:8] == OLE_MAGIC:
        return _ole_reader(data, path)
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

        return read_excel
    if suffix in PARQUET_SUFFIXES or data[:4] == b"PAR1":
        from bomaudit.load.parquet import read_parquet

        return read_parquet
    if suffix not in TEXT_SUFFIXES and path != "-" and not _looks_like_text(data):
        raise BomauditError.at(
            "unknown-format",
            f"cannot tell what kind of file this is (suffix {suffix or 'none'})",
            "use .csv, .tsv, .txt, .xlsx, .xlsm, .xls or .parquet",
            file=path,
        )
    from bomaudit.load.text import read_text

    return read_text


#: the first bytes of an OLE compound file: legacy .xls/.doc, and encrypted Office files
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _ole_reader(data: bytes, path: str) -> Reader:
    """The reader of an OLE compound file holding an Excel 97–2003 workbook (``.xls``); an error for
    any other (an encrypted workbook, a Word document…), said by the names of its streams."""
    from bomaudit.load.xls import is_workbook, read_xls

    named_xls = path != "-" and Path(path).suffix.lower() in LEGACY_EXCEL_SUFFIXES
    if (named_xls or is_workbook(data)) and not _has_stream(data, "EncryptedPackage"):
        return read_xls
    raise _old_office(data, path)


def _has_stream(data: bytes, stream: str) -> bool:
    name = stream.encode("utf-16-le")
    return any(name in end for end in (data[: 1 << 20], data[-(1 << 20) :]))  # an OLE directory sits near one end or the other


def _old_office(data: bytes, path: str) -> BomauditError:
    """The error for an OLE compound file that is no workbook bomaudit reads, said by the names of its streams."""
    if _has_stream(data, "EncryptedPackage"):
        return BomauditError.at(
            "encrypted",
            "is a password-protected (encrypted) Excel workbook: it cannot be read without the password",
            "open it in Excel, remove the password (File › Info › Protect Workbook › Encrypt with Password, clear it) and save, or export the BOM as CSV",
            file=path,
        )
    return BomauditError.at(
        "not-a-table", "is an old Microsoft Office document (OLE compound file), not a BOM table", "export the BOM as .xlsx or CSV", file=path
    )


def _read_lazily(path: str, options: ReadOptions) -> RawTable | None:
    """A big CSV or Parquet file read lazily (see :mod:`bomaudit.load.lazy`), or None."""
    if path == "-":
        return None
    p = Path(path)
    try:
        if not p.is_file() or p.stat().st_size < max(options.lazy_bytes, 1):
            return None
        from bomaudit.load.lazy import HEAD_BYTES

        with p.open("rb") as fh:
            head = fh.read(HEAD_BYTES)
    except OSError:
        return None  # the eager reader names the problem
    reader = _lazy_reader(p.suffix.lower(), head)
    return reader(path, head, options) if reader is not None else None


def _lazy_reader(suffix: str, head: bytes) -> LazyReader | None:
    """The lazy reader for a big file with this suffix and these first bytes, if there is one."""
    from bomaudit.load.lazy import read_parquet_lazy, read_text_lazy

    if head[:4] == b"PAR1" and suffix not in EXCEL_SUFFIXES:
        return read_parquet_lazy
    if suffix in TEXT_SUFFIXES and head[:4] not in (b"PK\x03\x04", b"PAR1") and _looks_like_text(head):
        return read_text_lazy
    return None


def _looks_like_text(data: bytes) -> bool:
    head = data[:4096]
    if head.startswith((b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf")):
        return True
    return b"\x00" not in head and sum(b < 9 or 13 < b < 32 for b in head) < max(1, len(head) // 100)
