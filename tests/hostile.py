"""Running bomaudit on a hostile input in a child process, measuring its time and peak memory.

A hostile file must be refused quickly and in little memory, so these tests run the real command
line in a subprocess (a crash or an out-of-memory kill would take pytest with it otherwise) and read
the child's own peak resident size from ``os.wait4``: the peak of that one process, not of every
child pytest ever ran.

The child is started by a small launcher process, not by pytest itself: Linux carries the peak of
the process that execs over into the new program's, so a child forked from pytest (hundreds of MB
by the middle of the suite) would report pytest's size as its own peak. The launcher's few MB are
the floor instead.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
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


#: ``python -S -c _LAUNCHER FD ARGS…``: runs ``python -m bomaudit ARGS…``, waits for it and writes
#: "exit-status peak-KiB" to file descriptor FD
_LAUNCHER = """
import os, sys
fd, args = int(sys.argv[1]), sys.argv[2:]
pid = os.posix_spawn(sys.executable, [sys.executable, "-m", "bomaudit", *args], os.environ)
_, status, usage = os.wait4(pid, 0)
os.write(fd, f"{os.waitstatus_to_exitcode(status)} {usage.ru_maxrss}".encode())
"""


def run_bounded(args: list[str], stdin: bytes | IO[bytes] | None = None, timeout: float = 60.0, env: dict[str, str] | None = None) -> Run:
    """``python -m bomaudit *args`` with ``stdin`` (bytes, an open binary file, or nothing), killed
    after ``timeout`` seconds (then rc is -9)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, tempfile.TemporaryFile() as feed:
        if isinstance(stdin, bytes):
            feed.write(stdin)
            feed.seek(0)
            stdin = feed
        report_r, report_w = os.pipe()
        start = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-S", "-c", _LAUNCHER, str(report_w), *args],
            stdin=stdin if stdin is not None else subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            env={**os.environ, "NO_COLOR": "1", **(env or {})},
            pass_fds=(report_w,),
            start_new_session=True,  # the launcher and bomaudit: killed together on a timeout
        )
        os.close(report_w)
        deadline = start + timeout
        while True:
            pid, _, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                os.killpg(proc.pid, 9)
                pid, _, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.01)
        seconds = time.perf_counter() - start
        with os.fdopen(report_r, "rb") as report:
            reported = report.read().split()
        # killed on a timeout: the launcher reported nothing, and its own peak is all there is
        rc, peak_kib = (int(reported[0]), int(reported[1])) if reported else (-9, usage.ru_maxrss)
        proc.returncode = rc
        out.seek(0)
        err.seek(0)
        return Run(rc, out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace"), seconds, peak_kib / 1024)
