"""Where a finished rendering goes: a file (atomically), a device or pipe (in place), or standard
output; every failure to write is a user error that names the target and what to do.

* A regular file is written to a temporary file beside it and renamed over it: all or nothing.
  It gets the mode a new file gets under the umask (or keeps the mode of the file it replaces);
  a symbolic link is followed, so the file it names is replaced and the link stays.
* A character device, FIFO or socket (``-o /dev/stdout``, ``-o /dev/null``, a named pipe) is
  written to in place; it is never replaced by a regular file.
* Standard output closed by its reader (``| head -1``) is not an error: the reader has what it
  wanted, the rest is dropped, and the exit status stays the verdict's.
"""

from __future__ import annotations

import errno
import os
import stat
import sys
import tempfile
from pathlib import Path

from bomaudit.errors import BomauditError
from bomaudit.render.interface import Rendered, chunks

_HINTS = {
    errno.ENOSPC: "free some disk space, or write the report elsewhere",
    errno.EDQUOT: "free some disk space, or write the report elsewhere",
    errno.EROFS: "the file system is read-only: write the report elsewhere",
    errno.EACCES: "choose a folder you may write to, or fix its permissions",
    errno.EPERM: "choose a folder you may write to, or fix its permissions",
}


def _cannot(target: str, exc: OSError) -> BomauditError:
    reason = exc.strerror or type(exc).__name__
    return BomauditError.at("cannot-write", f"cannot write the report ({reason})", _HINTS.get(exc.errno or 0, "check the path"), file=target)


def write_file(path: Path, rendered: Rendered) -> None:
    """The rendering to ``path``: atomically for a regular file, in place for a device or pipe."""
    try:
        target = path.resolve()
        st = target.stat() if target.exists() else None
        if st is not None and not stat.S_ISREG(st.st_mode):
            _write_in_place(target, rendered)
            return
        if st is not None and not st.st_mode & 0o222:
            raise BomauditError.at("read-only", "is read-only: bomaudit will not replace it", "make it writable (chmod u+w) or write elsewhere", file=str(path))
        _write_atomic(target, rendered, st.st_mode & 0o7777 if st is not None else _new_file_mode())
    except OSError as exc:
        raise _cannot(str(path), exc) from None


def _new_file_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _write_in_place(target: Path, rendered: Rendered) -> None:
    with target.open("wb") as fh:
        for chunk in chunks(rendered):
            fh.write(chunk)


def _write_atomic(target: Path, rendered: Rendered, mode: int) -> None:
    """All or nothing: a temporary file beside the target, then a rename."""
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            os.fchmod(fh.fileno(), mode)
            for chunk in chunks(rendered):
                fh.write(chunk)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_stdout(rendered: Rendered) -> bool:
    """The rendering to standard output; False when its reader closed the pipe before the end."""
    if sys.stdout is None:
        raise stdout_closed()
    try:
        sys.stdout.flush()
        for chunk in chunks(rendered):
            sys.stdout.buffer.write(chunk)
        sys.stdout.flush()
    except BrokenPipeError:
        # the reader is gone: what is still buffered goes nowhere, and Python's own flush at exit
        # must not fail on the closed pipe either
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        return False
    except OSError as exc:
        raise _cannot("standard output", exc) from None
    return True


def stdout_closed() -> BomauditError:
    return BomauditError.at(
        "stdout-closed", "standard output is closed: there is nowhere to write the report", "pass -o FILE, or redirect standard output to a file"
    )
