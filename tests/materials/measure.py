"""Precision and recall of the materials library's recognition on real BOM lines (issue #13).

``labelled_descriptions.csv`` holds real lines from public hardware projects, each labelled by
reading it (the class a careful engineer assigns, or ``unknown``) with ``bearing`` yes / no /
unsure. This module runs the built-in library's recogniser over them and counts:

- RE-bearing recall: lines labelled ``bearing = yes`` that the library takes for a rare-earth-
  bearing class (a device, or a material with rare-earth content at its high figure, or a
  figure the sources do not give);
  precision: of the lines it takes for one, those labelled ``yes``
- free: lines it estimates free; ``free_but_bearing`` (a magnet-bearing line estimated free)
  must be zero
- ``confident_false``: lines labelled ``no`` that it takes for a material whose *typical*
  figure holds controlled rare earths (a "high-confidence" call); must be zero
- class accuracy: the exact class, on lines labelled with a class the library has

Run ``python -m tests.materials.measure`` for the table quoted in README.
"""

from __future__ import annotations

import csv
from pathlib import Path

LABELLED = Path(__file__).with_name("labelled_descriptions.csv")


def lines() -> list[dict[str, str]]:
    with LABELLED.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def predictions(rows: list[dict[str, str]]) -> list[str | None]:
    import polars as pl

    from bomaudit.materials import load_library, recognise

    lib = load_library()
    parts = pl.DataFrame(
        {
            "sku": [r["part_number"] or None for r in rows],
            "text": [r["description"] for r in rows],
            "category": [None] * len(rows),
            "refdes": [None] * len(rows),
        },
        schema={"sku": pl.String, "text": pl.String, "category": pl.String, "refdes": pl.String},
    )
    return recognise(parts, lib)["est_class"].to_list()


def _bearing(lib, cid: str | None) -> bool:
    if cid is None:
        return False
    c = lib.get(cid)
    if c.kind == "device":
        return True
    figures = [x.wt_pct for x in c.content] + [x.wt_pct for g in c.grades for x in g.content]
    # a figure the sources do not give (NaN) may be anything: the part is recognised as bearing
    return c.kind == "material" and any(not f.high <= 0 for f in figures)


def _confident(lib, cid: str | None) -> bool:
    if cid is None:
        return False
    c = lib.get(cid)
    figures = [x.wt_pct for x in c.content] + [x.wt_pct for g in c.grades for x in g.content]
    return c.kind == "material" and any(f.typical > 0 for f in figures)


def measure() -> dict[str, object]:
    from bomaudit.materials import load_library

    lib = load_library()
    rows = lines()
    pred = predictions(rows)
    ids = {c.id for c in lib.classes}
    free_ids = {c.id for c in lib.classes if c.kind == "free"}
    yes = [i for i, r in enumerate(rows) if r["bearing"] == "yes"]
    no = [i for i, r in enumerate(rows) if r["bearing"] == "no"]
    said_bearing = [i for i, p in enumerate(pred) if _bearing(lib, p)]
    said_free = [i for i, p in enumerate(pred) if p in free_ids]
    classed = [i for i, r in enumerate(rows) if r["label"] in ids]
    tp = [i for i in said_bearing if rows[i]["bearing"] == "yes"]
    return {
        "lines": len(rows),
        "bearing_yes": len(yes),
        "bearing_no": len(no),
        "recall": len(tp) / len(yes) if yes else None,
        "precision": len(tp) / len(said_bearing) if said_bearing else None,
        "missed": [rows[i]["description"] for i in yes if i not in set(said_bearing)],
        "false_positives": [(rows[i]["description"], pred[i]) for i in said_bearing if rows[i]["bearing"] != "yes"],
        "free": len(said_free),
        "free_precision": sum(rows[i]["bearing"] == "no" for i in said_free) / len(said_free) if said_free else None,
        "free_recall": sum(pred[i] in free_ids for i in no) / len(no) if no else None,
        "free_but_bearing": [(rows[i]["description"], pred[i]) for i in said_free if rows[i]["bearing"] == "yes"],
        "free_but_unsure": [(rows[i]["description"], pred[i]) for i in said_free if rows[i]["bearing"] == "unsure"],
        "confident_false": [(rows[i]["description"], pred[i]) for i in no if _confident(lib, pred[i])],
        "class_accuracy": sum(pred[i] == rows[i]["label"] for i in classed) / len(classed) if classed else None,
        "classed": len(classed),
        "wrong_class": [(rows[i]["description"], rows[i]["label"], pred[i]) for i in classed if pred[i] != rows[i]["label"]],
        "unrecognised": sum(p is None for p in pred),
    }


def _pct(x: object) -> str:
    return "—" if x is None else f"{float(x) * 100:.1f} %"  # type: ignore[arg-type]


def table(m: dict[str, object]) -> str:
    return "\n".join(
        [
            "| measure | value |",
            "|---|---|",
            f"| labelled real lines | {m['lines']} ({m['bearing_yes']} rare-earth-bearing, {m['bearing_no']} plainly free, the rest unsure) |",
            f"| rare-earth-bearing recall | {_pct(m['recall'])} ({m['bearing_yes'] - len(m['missed'])} of {m['bearing_yes']}) |",  # type: ignore[operator,arg-type]
            f"| rare-earth-bearing precision | {_pct(m['precision'])} |",
            f"| estimated free: precision (labelled free) | {_pct(m['free_precision'])} of {m['free']} lines |",
            f"| estimated free: recall of the plainly free | {_pct(m['free_recall'])} |",
            f"| magnet-bearing lines estimated free | {len(m['free_but_bearing'])} |",  # type: ignore[arg-type]
            f"| free lines called rare-earth-bearing with high confidence | {len(m['confident_false'])} |",  # type: ignore[arg-type]
            f"| exact class, where the label is a library class | {_pct(m['class_accuracy'])} of {m['classed']} |",
            f"| not recognised (stay unknown) | {m['unrecognised']} |",
        ]
    )


if __name__ == "__main__":
    result = measure()
    print(table(result))
    for key in ("missed", "false_positives", "free_but_bearing", "free_but_unsure", "confident_false", "wrong_class"):
        items = result[key]
        print(f"\n{key} ({len(items)}):")  # type: ignore[arg-type]
        for item in items[:40]:  # type: ignore[index]
            print("  ", item)
