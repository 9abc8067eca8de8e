"""The terminal table: products and every SKU that is not clear, then a one-line summary."""

from __future__ import annotations

import io
import math
from typing import TYPE_CHECKING, Any

from bomaudit.render.report import contributor_label
from bomaudit.vocab import Basis, Kind, Provenance, Verdict

if TYPE_CHECKING:
    from bomaudit.audit import Audit
    from bomaudit.render.interface import View

STYLES = {
    Verdict.denied: "bold white on red",
    Verdict.case_by_case: "bold magenta",
    Verdict.license_required: "bold red",
    Verdict.unknown: "yellow",
    Verdict.licensed: "cyan",
    Verdict.exempt: "blue",
    Verdict.clear: "green",
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


def summary_line(result: Audit) -> str:
    s = result.summary
    verdicts = ", ".join(f"{n} {v}" for v, n in s.verdicts.items())
    line = (
        f"{s.products} product(s), {s.skus} SKU(s): {verdicts} · threshold {result.threshold * 100:g} % of {result.basis.value}"
        f" · rules {result.pack.pack} {result.pack.version} as of {result.as_of.isoformat()}"
        f" (in force: {', '.join(result.in_force) or 'none'})"
    )
    unknown = s.products_by_verdict.get(Verdict.unknown.value, 0)
    if unknown:
        line += f" · {unknown} product(s) unknown: data missing below them fails the gate (--fail-on license-required accepts them)"
    return line


def coverage_text(row: dict[str, Any]) -> str:
    """``100 %`` of the mass with declared composition, or ``60 % · 2 parts no data``."""
    mass = row["mass_g"] or 0.0
    known = sum(row[f"cov_{p}_g"] or 0.0 for p in (Provenance.declared, Provenance.estimated, Provenance.assumed))
    text = f"{known / mass * 100:.3g} %" if mass > 0 else "—"
    estimated = row.get(f"cov_{Provenance.estimated}_g") or 0.0
    if mass > 0 and estimated > 0:
        text += f" ({estimated / mass * 100:.3g} % est.)"
    missing = len(row["no_data"] or [])
    return text + (f" · {missing} part{'s' if missing != 1 else ''} no data" if missing else "")


def render_table(result: Audit, view: View) -> str:
    import polars as pl
    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    skus = result.skus
    if not view.show_all:
        skus = skus.filter((pl.col("kind") == Kind.product.value) | (pl.col("verdict") != Verdict.clear.value))
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, header_style="bold", pad_edge=False)
    table.add_column("verdict", no_wrap=True, min_width=max(map(len, Verdict)))
    table.add_column("SKU", overflow="fold")
    table.add_column("kind")
    table.add_column("description", overflow="ellipsis", no_wrap=True, max_width=28)
    table.add_column("mass g", justify="right")
    table.add_column("CN controlled g", justify="right")
    table.add_column("CN fraction" if result.basis is Basis.mass else "CN value fraction", justify="right")
    table.add_column("data", justify="right")
    # the estimate column only when the materials library estimated something shown
    estimates = "has_estimate" in skus.columns and bool(skus["has_estimate"].any())
    if estimates:
        table.add_column("estimate", no_wrap=True)  # two short lines: where it is over, and the range
    table.add_column("CN tech")
    table.add_column("main contributor", no_wrap=True)
    for row in skus.iter_rows(named=True):
        contributors = row["contributors"] or []
        top = contributors[0] if contributors else None
        top_text = contributor_label(top) if top else ""
        table.add_row(
            Text(row["verdict"], style=STYLES.get(row["verdict"], "")),
            # input text is plain text: a SKU such as "[red]X" is not Rich markup
            Text(row["sku"]),
            row["kind"],
            Text(row["description"] or ""),
            grams(row["mass_g"]),
            grams(row["cn_controlled_g"]),
            percent(row["cn_fraction"] if result.basis is Basis.mass else row["cn_value_fraction"]),
            coverage_text(row),
            *([estimate_text(row)] if estimates else []),
            "yes" if row["cn_tech"] else "",
            Text(top_text),
        )
    buf = io.StringIO()
    console = Console(file=buf, force_terminal=view.color, no_color=not view.color, width=view.width or 160, highlight=False, soft_wrap=False)
    if skus.height:
        console.print(table)
    else:
        console.print("No SKUs to show (use --all to list clear ones).")
    hidden = result.skus.height - skus.height
    line = summary_line(result)
    if hidden:
        line += f" · {hidden} clear SKU(s) not shown (--all)"
    console.print(Text(line))
    for st in result.relied_on:
        console.print(Text(f"note on {st.rule.id}: {st.rule.note}"))
    for line in request_lines(result):
        console.print(Text(line))
    return buf.getvalue()


#: how the table words an estimate's band
BAND_SHORT = {"low": "over at low", "typical": "over at typ.", "high": "over at high"}


def estimate_text(row: dict[str, Any]) -> str:
    """``over at typical · 0–5.9 %``: where the materials library's range puts the SKU, or ""."""
    if not row.get("has_estimate"):
        return ""
    band = BAND_SHORT.get(row.get("estimate_band") or "", "under at high")
    lo, hi = row.get("cn_fraction_low"), row.get("cn_fraction_high")
    if lo is None or hi is None:
        return f"est. {grams(row.get('cn_controlled_lo_g'))}–{grams(row.get('cn_controlled_hi_g'))} g"
    return f"{band}\n{lo * 100:.2g}–{hi * 100:.2g} %"


#: products whose supplier request list the table shows
MAX_REQUEST_PRODUCTS = 10


def request_lines(result: Audit) -> list[str]:
    """Per product not settled clear, the parts to ask suppliers about first (the request list)."""
    import polars as pl

    if "requests" not in result.skus.columns:
        return []
    products = result.skus.filter((pl.col("kind") == Kind.product.value) & (pl.col("requests").list.len() > 0) & (pl.col("verdict") != Verdict.clear.value))
    lines = []
    for row in products.head(MAX_REQUEST_PRODUCTS).iter_rows(named=True):
        asks = []
        for r in row["requests"][:3]:
            what = f"{r['sku']} ×{r['qty']:g}"
            if r["low_g"] is not None and r["high_g"] is not None:
                what += f" ({grams(r['low_g'])}–{grams(r['high_g'])} g est.)"
            elif "recognised" in (r["why"] or ""):
                what += " (holds rare earths, amount unknown)"
            else:
                what += " (no data)"
            asks.append(what)
        lines.append(f"ask suppliers first for {row['sku']}: {', '.join(asks)}")
    if products.height > MAX_REQUEST_PRODUCTS:
        lines.append(f"… and {products.height - MAX_REQUEST_PRODUCTS} more product(s): see requests in the JSON report")
    return lines
