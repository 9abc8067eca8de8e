"""What the materials library holds: ``bomaudit materials``."""

from __future__ import annotations

import io
import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bomaudit.materials import Library
    from bomaudit.materials.library import Content, Figure


def _figure(f: Figure, sources: dict[str, Any]) -> dict[str, Any]:
    return {
        "low": f.low,
        "typical": f.typical,
        "high": f.high,
        "evidence": f.evidence,
        "derivation": f.derivation,
        "sources": [sources[s].url if s in sources else s for s in f.sources],
    }


def _contents(cs: tuple[Content, ...], sources: dict[str, Any]) -> dict[str, Any]:
    return {c.element: _figure(c.wt_pct, sources) for c in cs}


def library_dict(lib: Library) -> dict[str, Any]:
    """The library as data: every class in matching order, with its figures and their sources."""
    classes = []
    for c in lib.classes:
        rec: dict[str, Any] = {
            "id": c.id,
            "name": c.name,
            "kind": c.kind,
            "priority": c.priority,
            "recognised_by": {"any": list(c.any), "not": list(c.not_), "categories": list(c.categories), "designators": list(c.designators)},
            "content_wt_pct": _contents(c.content, lib.sources),
            "density_g_cm3": _figure(c.density, lib.sources) if c.density else None,
            "mass_from_dimensions": c.shapes,
            "grades": [{"suffix": g.suffix, "gbd": g.gbd, "content_wt_pct": _contents(g.content, lib.sources), "note": g.note} for g in c.grades],
            "magnet": None,
            "rule": c.rule or None,
            "note": c.note or None,
            "from": c.origin,
        }
        if c.magnet is not None:
            m = c.magnet
            rec["magnet"] = {
                "class": m.material,
                "grade": m.grade,
                "mass_g": _figure(m.mass_g, lib.sources) if m.mass_g else "not found",
                "note": m.note or None,
            }
        classes.append(rec)
    return {
        "library": lib.id,
        "version": lib.version,
        "date": lib.date,
        "description": lib.description,
        "files": list(lib.files),
        "classes": classes,
        "sources": {k: {"url": s.url, "title": s.title, "authority": s.authority} for k, s in sorted(lib.sources.items())},
    }


def render_library_json(lib: Library) -> str:
    return json.dumps(library_dict(lib), indent=2, ensure_ascii=False) + "\n"


def _range(f: Figure, unit: str) -> str:
    mark = "*" if f.evidence == "interpolated" else ""
    return f"{f.low:g}–{f.high:g}{unit} (typ. {f.typical:g}){mark}"


def render_library_table(lib: Library, color: bool, width: int | None) -> str:
    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(box=box.SIMPLE_HEAD, show_edge=False, header_style="bold", pad_edge=False)
    table.add_column("class", no_wrap=True)
    table.add_column("kind")
    table.add_column("name")
    table.add_column("controlled and other rare earths, wt %")
    table.add_column("recognised by (first patterns)", overflow="fold")
    for c in lib.classes:
        if c.kind == "free":
            what = f"none: {c.rule}"
        elif c.kind == "device" and c.magnet is not None:
            m = c.magnet
            mass = _range(m.mass_g, " g") if m.mass_g else "magnet mass not found"
            what = f"magnet {m.material}{' ' + m.grade if m.grade else ''}: {mass}"
        else:
            parts = [f"{ct.element} {_range(ct.wt_pct, '')}" for ct in c.content]
            if c.grades:
                parts.append(f"{len(c.grades)} grades (see -f json)")
            what = "; ".join(parts)
        cells = (c.id, c.kind, c.name, what, ", ".join(c.any[:3]) or ", ".join(c.categories))
        table.add_row(*(Text(x) for x in cells))  # plain text: a pattern's [kmr] is not markup
    buf = io.StringIO()
    console = Console(file=buf, force_terminal=color, no_color=not color, width=width or 160, highlight=False, soft_wrap=False)
    console.print(table)
    console.print(
        Text(
            f"materials library {lib.label()} ({lib.date}): {len(lib.classes)} classes, {len(lib.sources)} sources · * interpolated · "
            f"read from {', '.join(lib.files)} · -f json lists every figure with its source"
        )
    )
    return buf.getvalue()
