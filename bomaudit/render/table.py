"""The terminal table: products and every SKU that is not clear, then a one-line summary."""

from __future__ import annotations

import io
import math
from typing import TYPE_CHECKING, Any

from bomaudit.report import contributor_label, summary
from bomaudit.rules import rules_relied_on

if TYPE_CHECKING:
    from bomaudit.scan import ScanResult

STYLES = {
    "denied": "bold white on red",
    "case-by-case": "bold magenta",
    "license-required": "bold red",
    "unknown": "yellow",
    "licensed": "cyan",
    "exempt": "blue",
    "clear": "green",
}


def grams(v: float | None) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "—"
    if v == 0:
        return "0"
    if abs(v) >= 10000:
        return f"{v:,.0f}"
    return f"{v:.5g}"


def percent(f: float | None) -> str:
    if f is None or (isinstance(f, float) and math.isnan(f)):
        return "—"
    return f"{f * 100:.4g} %"


def summary_line(result: ScanResult) -> str:
    s = summary(result)
    verdicts = ", ".join(f"{n} {v}" for v, n in s["verdicts"].items())
    opts = result.options
    in_force = [st.rule.id for st in result.statuses if st.in_force]
    return (
        f"{s['products']} product(s), {s['skus']} SKU(s): {verdicts} · threshold {result.threshold * 100:g} % of {opts.basis}"
        f" · rules {result.pack.pack} {result.pack.version} as of {opts.as_of.isoformat()}"
        f" (in force: {', '.join(in_force) or 'none'})"
    )


def render_table(result: ScanResult, *, show_all: bool = False, color: bool = False, width: int | None = None, **_: Any) -> str:
    import polars as pl
    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    skus = result.skus
    if not show_all:
        skus = skus.filter((pl.col("kind") == "product") | (pl.col("verdict") != "clear"))
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, header_style="bold", pad_edge=False)
    table.add_column("verdict")
    table.add_column("SKU", overflow="fold")
    table.add_column("kind")
    table.add_column("description", overflow="ellipsis", no_wrap=True, max_width=32)
    table.add_column("mass g", justify="right")
    table.add_column("CN controlled g", justify="right")
    table.add_column("CN fraction", justify="right")
    table.add_column("CN tech")
    table.add_column("main contributor", no_wrap=True)
    for row in skus.iter_rows(named=True):
        contributors = row["contributors"] or []
        top = contributors[0] if contributors else None
        top_text = contributor_label(top) if top else ""
        table.add_row(
            Text(row["verdict"], style=STYLES.get(row["verdict"], "")),
            row["sku"],
            row["kind"],
            row["description"] or "",
            grams(row["mass_g"]),
            grams(row["cn_controlled_g"]),
            percent(row["cn_fraction"]),
            "yes" if row["cn_tech"] else "",
            top_text,
        )
    buf = io.StringIO()
    console = Console(file=buf, force_terminal=color, no_color=not color, width=width or 160, highlight=False, soft_wrap=False)
    if skus.height:
        console.print(table)
    else:
        console.print("No SKUs to show (use --all to list clear ones).")
    hidden = result.skus.height - skus.height
    line = summary_line(result)
    if hidden:
        line += f" · {hidden} clear SKU(s) not shown (--all)"
    console.print(line)
    for st in rules_relied_on(result.skus, result.statuses):
        console.print(f"note on {st.rule.id}: {st.rule.note}")
    return buf.getvalue()
