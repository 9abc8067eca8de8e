"""What the rule pack says, and what is in force on a date: ``bomaudit rules``."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bomaudit.rules import RulePack


def pack_dict(pack: RulePack, on: dt.date) -> dict[str, Any]:
    from bomaudit.rules.pack import window_status

    def windows(ws: tuple) -> list[dict[str, str]]:
        return [{"from": w.start.isoformat(), "until": w.until.isoformat(), "by": w.by} for w in ws]

    elements = {}
    for key, el in pack.element_lists.items():
        live, why = window_status(el.effective, el.suspended, on)
        elements[key] = {
            "announcement": el.announcement,
            "description": el.description,
            "symbols": list(el.symbols),
            "effective": el.effective.isoformat(),
            "suspended": windows(el.suspended),
            "in_force": live,
            "status": why,
            "sources": list(el.sources),
        }
    rules = []
    for st in pack.statuses(on):
        r = st.rule
        rules.append(
            {
                "id": r.id,
                "announcement": r.announcement,
                "summary": r.summary,
                "test": r.test,
                "elements": list(pack.element_lists[r.elements].symbols) if r.elements else None,
                "threshold": r.threshold,
                "legal_basis": r.legal_basis,
                "categories": list(r.categories),
                "effective": r.effective.isoformat(),
                "suspended": windows(r.suspended),
                "in_force": st.in_force,
                "status": st.why + (" (conservative reading: see note)" if st.after_window else ""),
                "note": r.note,
                "sources": list(r.sources),
            }
        )
    return {
        "pack": pack.pack,
        "version": pack.version,
        "reviewed": pack.reviewed.isoformat(),
        "title": pack.title,
        "source_file": pack.path,
        "as_of": on.isoformat(),
        "elements": elements,
        "rules": rules,
        "policy": {"id": pack.policy_id, "announcement": pack.policy_announcement, "end_uses": pack.end_uses, "sources": list(pack.policy_sources)},
    }


def render_rules_json(pack: RulePack, on: dt.date) -> str:
    return json.dumps(pack_dict(pack, on), sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def render_rules_table(pack: RulePack, on: dt.date, *, color: bool = False, width: int | None = None) -> str:
    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    d = pack_dict(pack, on)
    buf = io.StringIO()
    console = Console(file=buf, force_terminal=color, no_color=not color, width=width or 160, highlight=False)
    console.print(f"{d['pack']} {d['version']} — {d['title']}")
    console.print(f"reviewed {d['reviewed']} · file {d['source_file']} · status as of {d['as_of']}")
    els = Table(title="Element lists", box=box.SIMPLE_HEAD, title_justify="left", show_edge=False)
    for col in ("list", "elements", "effective", "suspended", f"on {on.isoformat()}"):
        els.add_column(col, overflow="fold")
    for key, el in d["elements"].items():
        susp = "; ".join(f"{w['from']} → {w['until']}" for w in el["suspended"])
        els.add_row(key, " ".join(el["symbols"]), el["effective"], susp, _status(el["in_force"], el["status"]))
    console.print(els)
    for key, el in d["elements"].items():
        console.print(f"  {key}: {el['announcement']}. {el['description']}")
    rules = Table(title="Rules", box=box.SIMPLE_HEAD, title_justify="left", show_edge=False)
    for col in ("id", "test", "threshold", "effective", "suspended", f"on {on.isoformat()}"):
        rules.add_column(col, overflow="fold")
    for r in d["rules"]:
        test = r["test"] + (f" ({', '.join(r['categories'])})" if r["categories"] else "")
        threshold = f"{r['threshold'] * 100:g} % of {r['legal_basis']}" if r["threshold"] is not None else "none"
        susp = "; ".join(f"{w['from']} → {w['until']}" for w in r["suspended"])
        rules.add_row(r["id"], test, threshold, r["effective"], susp, _status(r["in_force"], r["status"]))
    console.print(rules)
    for r in d["rules"]:
        console.print(f"  {r['id']}: {r['announcement']}. {r['summary']}")
    suspensions = sorted({w["by"] for r in d["rules"] for w in r["suspended"]} | {w["by"] for el in d["elements"].values() for w in el["suspended"]})
    if suspensions:
        console.print(f"  suspended by: {'; '.join(suspensions)}")
    console.print(f"Licensing policy ({d['policy']['id']}): " + ", ".join(f"{use} → {out}" for use, out in d["policy"]["end_uses"].items()))
    console.print(Text("Notes", style="bold"))
    for r in d["rules"]:
        if r["note"]:
            console.print(f"  {r['id']}: {r['note']}")
    console.print(Text("Sources", style="bold"))
    for key, el in d["elements"].items():
        for src in el["sources"]:
            console.print(f"  {key}: {src}")
    for r in d["rules"]:
        for src in r["sources"]:
            console.print(f"  {r['id']}: {src}")
    for src in d["policy"]["sources"]:
        console.print(f"  {d['policy']['id']}: {src}")
    return buf.getvalue()


def _status(live: bool, why: str) -> Any:
    from rich.text import Text

    return Text(why, style="bold red" if live else "green")
