"""``validate``'s outputs: what was read from each input, the graph and the composition coverage.

The JSON form (schema ``bomaudit.validation/1``) is for tools and CI; the text form for people.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from bomaudit import __version__

if TYPE_CHECKING:
    from bomaudit.audit import Check
    from bomaudit.normalise import TableInfo
    from bomaudit.render.interface import View

SCHEMA = "bomaudit.validation/1"


def render_check_text(check: Check, view: View) -> str:
    del view
    lines: list[str] = []
    for t in check.inputs:
        where = t.path + (f" [sheet {t.sheet}]" if t.sheet else "")
        extra = ", ".join(f"{k} {v}" for k, v in t.details.items() if k != "sheet")
        header = f"header on row {t.header_row}" if t.header_row is not None else "no header row"
        lines.append(f"{where}: {t.role}, {t.shape} shape, {header}, {t.rows_read} data rows read, {t.rows_used} used" + (f" ({extra})" if extra else ""))
        lines.extend(f"  {header!r} → {meaning}" for header, meaning in t.columns.items())
        if t.ignored:
            lines.append(f"  not used: {', '.join(map(repr, t.ignored))}")
    g, c = check.graph, check.coverage
    kinds = {"assembly": g.assemblies, "part": g.parts, "product": g.products}
    counts = ", ".join(f"{n} {k}(s)" for k, n in kinds.items() if n)
    lines.append(f"graph: {g.skus} SKUs ({counts}), {g.links} parent→child links, no cycles")
    lines.append(
        f"elements with data: {', '.join(c.elements) or 'none'}; parts with missing data: {c.parts_missing_data}"
        + (f" ({c.parts_without_composition} without composition data: unknown in a scan)" if c.parts_without_composition else "")
        + (f"; estimated from their text by the materials library: {c.parts_estimated}" if c.parts_estimated else "")
    )
    return "\n".join(lines) + "\n"


def _input(t: TableInfo) -> dict[str, Any]:
    return {
        "path": t.path,
        "role": t.role,
        "shape": t.shape,
        "sheet": t.sheet,
        "header_row": t.header_row,
        "sha256": t.sha256,
        "details": dict(t.details),
        "columns": dict(t.fields),
        "sku_chosen_by": t.sku_chosen_by,
        "unused": list(t.ignored),
        "rows_read": t.rows_read,
        "rows_used": t.rows_used,
        "rows_skipped": [{"row": s.row, "reason": s.reason} for s in t.skipped],
        "rows_skipped_total": t.skipped_total,
    }


def check_dict(check: Check) -> dict[str, Any]:
    g, c = check.graph, check.coverage
    return {
        "schema": SCHEMA,
        "tool": {"name": "bomaudit", "version": __version__},
        "inputs": [_input(t) for t in check.inputs],
        "graph": {"skus": g.skus, "parts": g.parts, "assemblies": g.assemblies, "products": g.products, "links": g.links},
        "coverage": {
            "elements": list(c.elements),
            "parts": c.parts,
            "parts_missing_data": c.parts_missing_data,
            "parts_with_controlled": c.parts_with_controlled,
            "parts_without_composition": c.parts_without_composition,
            "parts_estimated": c.parts_estimated,
        },
        "issues": [p.as_dict() for p in check.issues],
    }


def render_check_json(check: Check, view: View) -> str:
    del view
    return json.dumps(check_dict(check), sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
