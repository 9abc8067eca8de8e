"""Running bomaudit on a hostile input in a child process, measuring its time and peak memory.

A hostile file must be refused quickly and in little memory, so these tests run the real command
line in a subprocess (a crash or an out-of-memory kill would take pytest with it otherwise) and read
the peak resident size of that one process from ``os.wait4`` in a small intermediate interpreter
(not of every child pytest ever ran, nor of the pytest pages a fork copies).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

#: the bounds issue #11 sets for every hostile workbook or stream
MAX_SECONDS = 10.0
MAX_MB = 1024


@dataclass(frozen=True, slots=True)
class Run:
    rc: int
    stdout: str
    stderr: str
    seconds: float
    #: peak resident set size of the child, in MiB
    peak_mb: float

    def within(self, seconds: float = MAX_SECONDS, mb: float = MAX_MB) -> bool:
        return self.seconds < seconds and self.peak_mb < mb

    def __str__(self) -> str:
        return f"exit {self.rc} in {self.seconds:.2f} s, {self.peak_mb:.0f} MiB; stderr: {self.stderr.strip()[:2000]}"


#: a fresh interpreter that runs bomaudit as its child and writes the child's peak memory: measured
#: from pytest's own child, ru_maxrss would count the pages of pytest that the fork copied
_MEASURE = """
import os, sys
pid = os.fork()
if pid == 0:
    os.execv(sys.executable, [sys.executable, "-m", "bomaudit", *sys.argv[2:]])
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as fh:
    fh.write(str(usage.ru_maxrss))
code = os.waitstatus_to_exitcode(status)
sys.exit(code if code >= 0 else 128 - code)
"""


def run_bounded(args: list[str], stdin: bytes | IO[bytes] | None = None, timeout: float = 60.0, env: dict[str, str] | None = None) -> Run:
    """``python -m bomaudit *args`` with ``stdin`` (bytes, an open binary file, or nothing), killed
    after ``timeout`` seconds (then rc is -9)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, tempfile.TemporaryDirectory() as tmp, tempfile.TemporaryFile() as feed:
        if isinstance(stdin, bytes):
            feed.write(stdin)
            feed.seek(0)
            stdin = feed
        peak = Path(tmp) / "peak"
        start = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-c", _MEASURE, str(peak), *args],
            stdin=stdin if stdin is not None else subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            env={**os.environ, "NO_COLOR": "1", **(env or {})},
            start_new_session=True,
        )
        try:
            rc = proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            rc = -9
        seconds = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        peak_kb = int(peak.read_text()) if peak.exists() else 0
        return Run(rc, out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace"), seconds, peak_kb / 1024)
