"""Refusing hostile input before parsing it: zip bombs, far cells, absurd sizes, lines no BOM has.

An XLSX file is a zip of XML parts. Its central directory *declares* each part's sizes, but a
hostile file can lie, so every part is inflated here once for real, in blocks, counting the bytes
it actually produces: a part that inflates past its declared size is refused one byte later, and
the declared total is held to ``--max-unpacked-mb``, so a bomb costs at most that much inflating,
in a few MB of memory, before any parser sees it. The same pass refuses
document type declarations (the door to external entities and entity expansion) and reads, for
each worksheet, what decides how much a reader will allocate: its number of rows, and whether a
cell reference lies far enough out (``XFD1048576``) that the sheet's exact extent is checked
before calamine allocates it (``excel._check_extent``). Text is guarded too: a line longer than
any BOM line (``check_lines``) is refused before it is parsed.
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from bomaudit.errors import BomauditError
from bomaudit.load.errorcells import holds_error_cell

#: Excel's own limits: no workbook Excel writes has more rows or columns in a sheet
EXCEL_ROWS = 1_048_576
EXCEL_COLUMNS = 16_384


@dataclass(frozen=True, slots=True)
class Limits:
    #: bytes the parts of a workbook may really inflate to, in all (MiB)
    max_unpacked_mb: int = 512
    #: ratio of inflated to compressed size of a part larger than RATIO_FLOOR
    max_ratio: int = 100
    #: data rows in one table
    max_rows: int = 50_000_000
    #: cells in the used range of a worksheet (its rows × its columns), which a reader allocates
    max_cells: int = 20_000_000
    #: bytes (in MB) of an input read whole: standard input, and files not read lazily. A BOM of a
    #: million lines is 30 to 60 MB; 512 MB, held while it is read, keeps a refusal under 1 GB
    max_input_mb: int = 512


RATIO_FLOOR = 16 * 1024 * 1024
MAX_PARTS = 10_000
_BLOCK = 1 << 20
DTD_MARKS = (b"<!DOCTYPE", b"<!ENTITY", "<!DOCTYPE".encode("utf-16-le"), "<!ENTITY".encode("utf-16-le"))
_ROW = b"<row"
#: a cell reference whose sheet may be too large to allocate: column AAA or beyond, AA+ with row
#: 10,000+, or row 100,000+ (below these, rows × columns stays under 8 million cells)
#: (no leading \\b: without it the search runs four times faster, and a match inside a longer
#: attribute name only costs the exact check)
_FAR_REF = re.compile(rb"""r\s*=\s*["'](?:[A-Z]{3}|[A-Z]{2}\d{5}|[A-Z]\d{6})""")


@dataclass(frozen=True, slots=True)
class PartScan:
    """What one inflated part holds, as far as the guard needs to know."""

    #: bytes it really inflates to
    size: int
    #: ``<row`` elements (worksheets only)
    rows: int = 0
    #: a cell reference far out (see _FAR_REF): the sheet's exact extent must be checked
    far: bool = False
    #: a value (``<v>``) or inline string (``<is>``) appears
    values: bool = True
    #: a cell holds an error value (``t="e"``: ``#DIV/0!``…), which calamine reads as empty
    errors: bool = False


def _refuse(message: str, hint: str, path: str, code: str = "hostile-xlsx") -> BomauditError:
    return BomauditError.at(code, message, hint, file=path)


def scan_workbook(zf: zipfile.ZipFile, data: bytes, path: str, limits: Limits) -> dict[str, PartScan]:
    """Inflate every part of the workbook once, for real, and return what each holds; raise
    BomauditError when the workbook is hostile or damaged. This runs before any part is parsed, so
    which parts are worksheets is not known yet: every XML part is read as one might be."""
    infos = zf.infolist()
    if len(infos) > MAX_PARTS:
        raise _refuse(f"holds {len(infos):,} zip parts, more than any workbook needs", "this is not a normal workbook; export the BOM sheet as CSV", path)
    budget = limits.max_unpacked_mb * 1024 * 1024
    declared = sum(i.file_size for i in infos)
    if declared > budget:
        raise _over_budget(f"would unpack to {declared / 1024 / 1024:,.0f} MB", limits, path)
    out: dict[str, PartScan] = {}
    for info in infos:
        # inflating stops one byte past what the directory declares, so a lie is caught at once and
        # the declared total, held to the budget above, bounds the real one
        scan = _scan_part(info, data, path, info.file_size, info.filename.lower().endswith(".xml"))
        if scan.size > info.file_size:
            raise _refuse(
                f"part {info.filename} inflates to more than the {info.file_size:,} bytes the zip's directory declares: built to mislead, like a zip bomb",
                "this is not a workbook Excel wrote; export the BOM sheet as CSV",
                path,
            )
        if scan.size < info.file_size:
            raise BomauditError.at(
                "bad-xlsx",
                f"is damaged: part {info.filename} inflates to {scan.size:,} bytes where the zip's directory declares {info.file_size:,}",
                "open it in Excel and save it again, or export the BOM sheet as CSV",
                file=path,
            )
        if scan.size > RATIO_FLOOR and scan.size > limits.max_ratio * max(info.compress_size, 1):
            raise _refuse(
                f"part {info.filename} inflates {scan.size / max(info.compress_size, 1):,.0f}-fold ({info.compress_size:,} → {scan.size:,} bytes), like a zip bomb",
                "if the workbook is genuine, export it as CSV",
                path,
            )
        out[info.filename] = scan
    return out


def entities_refused(part: str, path: str) -> BomauditError:
    return _refuse(
        f"part {part} holds a document type declaration (<!DOCTYPE or <!ENTITY>): external entities and entity expansion are refused",
        "Excel never writes these; open the file in Excel and save it again, or export the BOM sheet as CSV",
        path,
        code="xml-entities",
    )


def _over_budget(what: str, limits: Limits, path: str) -> BomauditError:
    return _refuse(
        f"{what}, over the limit of {limits.max_unpacked_mb:,} MB",
        "if the workbook is genuine, raise the limit with --max-unpacked-mb, or export it as CSV",
        path,
    )


def _scan_part(info: zipfile.ZipInfo, data: bytes, path: str, budget: int, sheet: bool) -> PartScan:
    size = rows = 0
    far = values = errors = False
    tail = b""
    for block in _inflate(info, data, path, budget):
        size += len(block)
        window = tail + block
        if (b"<!" in window or b"<\x00!" in window) and any(d in window for d in DTD_MARKS):
            raise entities_refused(info.filename, path)
        if sheet:
            rows += (tail[-3:] + block).count(_ROW)
            if rows > EXCEL_ROWS:
                raise _refuse(
                    f"part {info.filename} has more than {EXCEL_ROWS:,} rows, Excel's limit for a sheet: no workbook Excel writes is this long",
                    "export the BOM as CSV (which has no row limit)",
                    path,
                )
            far = far or _FAR_REF.search(window) is not None
            values = values or b"<v" in window or b"<is" in window
            errors = errors or holds_error_cell(window)
        tail = window[-32:]
        if size > budget:
            break
    return PartScan(size, rows, far, values, errors) if sheet else PartScan(size)


def _inflate(info: zipfile.ZipInfo, data: bytes, path: str, budget: int) -> Iterator[bytes]:
    """The part's bytes as it really inflates, in blocks of at most 1 MiB, stopping once past
    ``budget``: read from the compressed stream itself, whatever sizes the directory declares."""
    if info.flag_bits & 0x1:
        raise _refuse(
            "is password-protected (its zip parts are encrypted)", "remove the password in Excel and save again, or export as CSV", path, code="encrypted"
        )
    start = _data_start(info, data, path)
    raw = memoryview(data)[start : start + info.compress_size]
    if info.compress_type == zipfile.ZIP_STORED:
        for i in range(0, len(raw), _BLOCK):
            yield bytes(raw[i : i + _BLOCK])
        return
    if info.compress_type != zipfile.ZIP_DEFLATED:
        raise _refuse(
            f"part {info.filename} uses zip compression method {info.compress_type}, which Excel never writes",
            "open it in Excel and save it again as .xlsx",
            path,
        )
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    produced = 0
    try:
        for i in range(0, len(raw), _BLOCK):
            pending = raw[i : i + _BLOCK]
            while pending and not inflater.eof:
                block = inflater.decompress(pending, _BLOCK)
                pending = inflater.unconsumed_tail
                produced += len(block)
                yield block
                if produced > budget:
                    return
            if inflater.eof:
                break
        yield inflater.flush()
    except zlib.error:
        raise BomauditError.at(
            "bad-xlsx", f"is damaged: part {info.filename} cannot be unpacked", "open it in Excel and save it again, or export as CSV", file=path
        ) from None


_LOCAL = struct.Struct("<4s22xHH")


def _data_start(info: zipfile.ZipInfo, data: bytes, path: str) -> int:
    offset = info.header_offset
    if offset < 0 or offset + _LOCAL.size > len(data):
        raise BomauditError.at("bad-xlsx", "is not a readable Excel workbook (damaged or truncated zip)", "open it in Excel and save it again", file=path)
    signature, name_length, extra_length = _LOCAL.unpack_from(data, offset)
    if signature != b"PK\x03\x04":
        raise BomauditError.at("bad-xlsx", "is not a readable Excel workbook (damaged zip)", "open it in Excel and save it again", file=path)
    return offset + _LOCAL.size + name_length + extra_length


def check_rows(rows: int, path: str, sheet: str | None, limits: Limits) -> None:
    if rows > limits.max_rows:
        raise BomauditError.at(
            "too-many-rows",
            f"has {rows:,} data rows, over the limit of {limits.max_rows:,}",
            "raise it with --max-rows if the file is genuine",
            file=path,
            sheet=sheet,
        )


# --- lines ------------------------------------------------------------------------------

#: no line of a BOM needs more bytes: a longer one is a damaged file (line breaks lost) or not a BOM,
#: and parsing it would cost seconds and gigabytes before any row could be named
MAX_LINE_BYTES = 1 << 20
_COUNT_CHUNK = 64 << 20


class Lines(Protocol):
    """Bytes or a memory map: what the line checks read."""

    def rfind(self, sub: bytes, start: int, end: int, /) -> int: ...
    def find(self, sub: bytes, start: int, /) -> int: ...
    def __len__(self) -> int: ...
    def __getitem__(self, index: slice, /) -> bytes: ...


def long_line(data: Lines, end: bytes = b"\n", limit: int = MAX_LINE_BYTES) -> int | None:
    """Offset of the first line longer than ``limit`` bytes, or None. Each step asks for the last
    line end within ``limit`` bytes, which lies near the window's end in any real file: a few
    hundred steps for a gigabyte, each touching a page or two."""
    pos, size = 0, len(data)
    while size - pos > limit:
        cut = data.rfind(end, pos, pos + limit + 1)
        if cut < 0:
            return pos
        pos = cut + 1
    return None


def check_lines(data: Lines, path: str, end: bytes = b"\n") -> None:
    """Raise when a line is longer than :data:`MAX_LINE_BYTES`, naming it (lines are rows unless a
    quoted field spans lines)."""
    start = long_line(data, end)
    if start is None:
        return
    stop = data.find(end, start)
    length = (stop if stop >= 0 else len(data)) - start
    line = 1 + sum(data[i : min(i + _COUNT_CHUNK, start)].count(end) for i in range(0, start, _COUNT_CHUNK))
    raise BomauditError.at(
        "line-too-long",
        f"this line is {length / (1 << 20):,.1f} MB long; no line of a BOM needs more than {MAX_LINE_BYTES >> 20} MB",
        "check that this is the BOM export and that its line breaks survived (a file saved as one line is damaged)",
        file=path,
        row=line,
    )


#: fields of one row: as many as a spreadsheet can have columns (Excel's 16,384); a BOM has a few
#: dozen, and each column costs every step of the reading
MAX_COLUMNS = 16_384


def check_columns(fields: int, path: str, row: int) -> None:
    """Raise when a row has more fields than :data:`MAX_COLUMNS`."""
    if fields > MAX_COLUMNS:
        raise BomauditError.at(
            "too-many-columns",
            f"this row has {fields:,} fields, more than a spreadsheet has columns ({MAX_COLUMNS:,})",
            "check that this is the BOM export and that it is read with the right delimiter",
            file=path,
            row=row,
        )
