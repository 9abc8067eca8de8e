"""Refusing hostile input before parsing it: zip bombs, absurd sizes, lines no BOM has.

An XLSX file is a zip of XML parts. The zip's central directory declares every part's
compressed and uncompressed size, so a bomb (a small file that inflates to gigabytes) is seen
from the directory alone, in little memory, before any part is inflated.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from typing import Protocol

from bomaudit.errors import BomauditError


@dataclass(frozen=True, slots=True)
class Limits:
    #: total uncompressed size of a workbook's parts
    max_unpacked_mb: int = 2048
    #: ratio of uncompressed to compressed size of a part larger than RATIO_FLOOR
    max_ratio: int = 250
    #: data rows in one table
    max_rows: int = 50_000_000
    #: bytes (in MB) of an input read whole: standard input, and files not read lazily. A BOM of a
    #: million lines is 30 to 60 MB; 512 MB, held while it is read, keeps a refusal under 1 GB
    max_input_mb: int = 512


RATIO_FLOOR = 16 * 1024 * 1024
MAX_PARTS = 10_000


def check_workbook(data: bytes, path: str, limits: Limits) -> None:
    """Raise BomauditError when the workbook's declared sizes are absurd."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, RuntimeError, NotImplementedError):
        raise BomauditError.at(
            "bad-xlsx", "is not a readable Excel workbook (damaged or truncated zip)", "open it in Excel and save it again as .xlsx", file=path
        ) from None
    if len(infos) > MAX_PARTS:
        raise BomauditError.at(
            "hostile-xlsx", f"holds {len(infos)} zip parts, more than any workbook needs", "this is not a normal workbook; re-export it", file=path
        )
    total = sum(i.file_size for i in infos)
    if total > limits.max_unpacked_mb * 1024 * 1024:
        raise BomauditError.at(
            "hostile-xlsx",
            f"would unpack to {total / 1024 / 1024:,.0f} MB, over the limit of {limits.max_unpacked_mb:,} MB",
            "if the workbook is genuine, raise the limit with --max-unpacked-mb, or export it as CSV",
            file=path,
        )
    for info in infos:
        if info.file_size > RATIO_FLOOR and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            raise BomauditError.at(
                "hostile-xlsx",
                f"part {info.filename} inflates {info.file_size / max(info.compress_size, 1):,.0f}-fold ({info.compress_size:,} → {info.file_size:,} bytes), like a zip bomb",
                "if the workbook is genuine, export it as CSV",
                file=path,
            )


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
