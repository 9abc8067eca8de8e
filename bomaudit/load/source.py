"""The bytes of an input: a file, or standard input for ``-``."""

from __future__ import annotations

import sys
from pathlib import Path

from bomaudit.errors import BomauditError


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
