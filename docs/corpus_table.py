"""The README's table of the corpus of real exports (tests/corpus), as `bomaudit validate FILE`
reports each with no options: run from the repository root, paste between the markers.

    python docs/corpus_table.py
"""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from collections import Counter
from pathlib import Path


def rows() -> list[str]:
    out = ["| exporter | `bomaudit validate …` with no options | lines read as parts | rows left out | a person's part list |", "|---|---|---|---|---|"]
    for toml in sorted(Path("tests/corpus").glob("*/*.expected.toml")):
        spec = tomllib.loads(toml.read_text(encoding="utf-8"))
        files = [str(toml.parent / f) for f in spec.get("files", [spec.get("file")]) if f]
        shown = " ".join(Path(f).name for f in files) if len(files) < 3 else f"{toml.parent.name}/{toml.name.split('.')[0]}/ ({len(files)} workbooks)"
        done = subprocess.run([sys.executable, "-m", "bomaudit", "validate", *files, "-f", "json"], capture_output=True, text=True, check=False)
        exporter = spec.get("exporter", "").split(":")[0].replace("|", "/")
        right = "same" if not spec.get("xfail") else "not yet: " + spec["xfail"].split(":")[0].split(";")[0].replace("|", "/")
        if done.returncode == 2:
            out.append(f"| {exporter} | `{shown}` | refused: {done.stderr.splitlines()[0].split(': ', 2)[-1][:90]}… | | {right} |")
            continue
        inputs = json.loads(done.stdout)["inputs"]
        shape = ", ".join(sorted({i["shape"] for i in inputs}))
        sku = ", ".join(sorted({"`" + " ".join(i["columns"].get("sku", "").split()) + "`" for i in inputs}))
        used = sum(i["rows_used"] for i in inputs)
        reasons = Counter(s["reason"] for i in inputs for s in i["rows_skipped"])
        skipped = ", ".join(f"{n} {r}" for r, n in sorted(reasons.items())) or "none"
        out.append(f"| {exporter} | `{shown}` | {used} ({shape}), identified by {sku} | {skipped} | {right} |")
    return out


if __name__ == "__main__":
    print("\n".join(rows()))
