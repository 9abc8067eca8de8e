"""The bytes of an input: a file, or standard input for ``-``.

What is read whole is capped (``Limits.max_input_mb``): a regular file by its size, before any of
it is read; standard input and other streams (pipes, devices, ``/dev/zero``) block by block, so
that an endless stream is refused as soon as it passes the cap, never holding more than the cap,
and Ctrl-C stops the reading between blocks. A stream whose first block holds NUL bytes is not
text: it is refused at once. (Big CSV and Parquet files are read lazily, not whole: see
:mod:`bomaudit.load.lazy`.)
"""

from __future__ import annotations

import io
import os
import stat
import sys
from pathlib import Path
from typing import BinaryIO

from bomaudit.errors import BomauditError
from bomaudit.load.guard import Limits

MB = 1024 * 1024
#: bytes read from a stream at a time
BLOCK = 1 << 20
#: the first bytes that tell text from binary data
HEAD = 4096


def read_source(path: str, limits: Limits = Limits()) -> bytes:
    """The bytes of a file, or of standard input for ``-``; errors name the file."""
    limit = limits.max_input_mb * MB
    if path == "-":
        if sys.stdin is None:
            raise BomauditError.at("unreadable", "is closed", "pipe the BOM into bomaudit, or name the file", file=path)
        try:
            return _read_stream(sys.stdin.buffer, path, limits.max_input_mb)
        except OSError as exc:
            raise BomauditError.at("unreadable", f"cannot be read ({exc.strerror})", "pipe the BOM into bomaudit, or name the file", file=path) from None
    p = Path(path)
    if p.is_dir():
        raise BomauditError.at("not-a-file", "is a folder, not a BOM file", "name a file inside it", file=path)
    try:
        with p.open("rb") as fh:
            info = os.fstat(fh.fileno())
            if not stat.S_ISREG(info.st_mode):
                return _read_stream(fh, path, limits.max_input_mb)
            if info.st_size > limit:
                raise _too_big(path, limits.max_input_mb, info.st_size)
            data = fh.read()
    except FileNotFoundError:
        raise BomauditError.at("no-such-file", "file not found", "check the path", file=path) from None
    except OSError as exc:
        raise BomauditError.at("unreadable", f"cannot read the file ({exc.strerror})", file=path) from None
    if len(data) > limit:  # it grew while being read
        raise _too_big(path, limits.max_input_mb, len(data))
    return data


def _read_stream(stream: BinaryIO, path: str, limit_mb: int) -> bytes:
    """A stream's bytes, read block by block into one buffer that grows in place."""
    limit = limit_mb * MB
    buf = io.BytesIO()
    while True:
        block = stream.read(min(BLOCK, limit + 1 - buf.tell()))  # never more than the cap and one byte
        if not block:
            return buf.getvalue()  # the buffer itself, not a copy
        if buf.tell() == 0 and is_binary(block):
            raise BomauditError.at("binary", "holds binary data, not delimited text", "export the BOM as CSV or XLSX", file=path)
        buf.write(block)
        if buf.tell() > limit:
            raise _too_big(path, limit_mb, None)


def is_binary(data: bytes) -> bool:
    """NUL bytes among the first bytes of what is neither UTF-16 text nor a workbook or Parquet file."""
    head = data[:HEAD]
    if b"\x00" not in head or head.startswith((b"\xff\xfe", b"\xfe\xff", b"PK\x03\x04", b"PAR1")):
        return False
    # UTF-16 without a BOM (as text.decode reads it): ASCII letters with a NUL after each
    return not (len(head) >= 4 and head[1:4:2] == b"\x00\x00" and 0 not in head[0:4:2])


def _too_big(path: str, limit_mb: int, size: int | None) -> BomauditError:
    """The error for an input over the cap: ``size`` is a file's, None for a stream (read up to the cap)."""
    if size is None:
        what = f"holds more than {limit_mb:,} MB, the limit for an input read whole"
        hint = "if it is genuine, raise the limit with --max-input-mb, or save it as a .csv file and name the file (a big CSV file is read lazily)"
    else:
        what = f"is {size / MB:,.1f} MB, over the limit of {limit_mb:,} MB for a file read whole"
        hint = "if it is genuine, raise the limit with --max-input-mb"
    return BomauditError.at("too-big", what, hint, file=path)
