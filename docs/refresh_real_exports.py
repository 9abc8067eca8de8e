"""Re-run the `bomaudit validate` commands quoted in docs/real_exports.md and refresh their output.

Run from the repository root with the shared folder beside the checkout:
    python docs/refresh_real_exports.py
Commands whose input is not in shared/real_boms (files the doc builds by hand) are left as
they are. Review the diff before committing: it is what users will read.
"""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

DOC = Path(__file__).with_name("real_exports.md")
REAL = Path(__file__).resolve().parents[2] / "shared" / "real_boms"
DROP = ("elements with data: none", "no rare-earth content column")


def refresh(text: str) -> str:
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        out.append(line)
        i += 1
        if not line.startswith("$ bomaudit "):
            continue
        args = shlex.split(line[2:])
        if not (REAL / args[2]).exists():
            continue
        proc = subprocess.run([sys.executable, "-m", "bomaudit", *args[1:], "--as-of", "2026-11-28"], cwd=REAL, capture_output=True, text=True, check=False)
        fresh = [x for x in (proc.stdout + proc.stderr).splitlines() if not any(d in x for d in DROP)]
        # skip the old output: up to the next prompt or the end of the block
        while i < len(lines) and not lines[i].startswith(("$ ", "```")):
            i += 1
        out.extend(fresh)
    return "\n".join(out)


if __name__ == "__main__":
    DOC.write_text(refresh(DOC.read_text()))
