"""The report as SPEC §4 defines it (schema ``bomaudit.report/1``), built from a scan result.

Renderers take these dicts; nothing here formats text for a terminal.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from bomaudit import __version__
from bomaudit.rules import rules_relied_on
from bomaudit.vocab import VERDICTS

if TYPE_CHECKING:
    import polars as pl

    from bomaudit.scan import ScanResult

SCHEMA = "bomaudit.report/1"
#: scalar fields of a SKU, in the order CSV and table outputs use
SCALAR_FIELDS = (
    "sku",
    "description",
    "kind",
    "verdict",
    "over_threshold",
    "cn_fraction",
    "mass_g",
    "controlled_g",
    "cn_controlled_g",
    "value",
    "cn_value",
    "cn_value_fraction",
    "cn_tech",
)


def _num(v: Any) -> float | None:
    if v is None:
        return None
    v = float(v)
    return None if math.isnan(v) else v


def contributor_label(c: dict[str, Any]) -> str:
    """``MAG-1 ×48 (100 %)``: the part, its total count per unit and its share of the CN controlled mass."""
    share = _num(c.get("share"))
    qty = _num(c.get("qty"))
    out = c["sku"] + (f" ×{qty:g}" if qty is not None else "")
    return out + (f" ({share * 100:.0f} %)" if share is not None else "")


def sku_records(result: ScanResult) -> list[dict[str, Any]]:
    """One dict per SKU, in report order, with exactly the keys of SPEC §4."""
    cols = [
        "sku",
        "description",
        "kind",
        "mass_g",
        "controlled_g",
        "cn_controlled_g",
        "cn_fraction",
        "value",
        "cn_value",
        "cn_value_fraction",
        "cn_tech",
        "over_threshold",
        "verdict",
        "reasons",
        "assumptions",
        "unknown",
        "contributors",
    ]
    el_cols = [(el, f"{el}_g", f"{el}_cn_g") for el in result.elements]
    frame = result.skus.select([*cols, *[c for _, g, cn in el_cols for c in (g, cn)]])
    out = []
    for row in frame.iter_rows(named=True):
        rec = {k: row[k] for k in cols}
        for k in ("mass_g", "controlled_g", "cn_controlled_g", "cn_fraction", "value", "cn_value", "cn_value_fraction"):
            rec[k] = _num(rec[k])
        rec["elements"] = {el: {"g": row[g], "cn_g": row[cn]} for el, g, cn in el_cols if row[g]}
        rec["contributors"] = [
            {"sku": c["sku"], "qty": c["qty"], "cn_controlled_g": c["cn_controlled_g"], "share": _num(c["share"])} for c in (row["contributors"] or [])
        ]
        out.append(rec)
    return out


#: SKU keys of SPEC §4 in sorted order, split around "elements" (whose keys vary per SKU)
_KEYS_BEFORE_ELEMENTS = (
    "assumptions",
    "cn_controlled_g",
    "cn_fraction",
    "cn_tech",
    "cn_value",
    "cn_value_fraction",
    "contributors",
    "controlled_g",
    "description",
)
_KEYS_AFTER_ELEMENTS = ("kind", "mass_g", "over_threshold", "reasons", "sku", "unknown", "value", "verdict")


def sku_json(result: ScanResult) -> pl.Series:
    """Each SKU as one JSON object (sorted keys), encoded by Polars without a Python loop.

    Same content as :func:`sku_records`; floats are written in their shortest round-trip form.
    """
    import polars as pl

    def float_text(col: str) -> pl.Expr:
        return pl.col(col).cast(pl.String)

    contributors = pl.col("contributors").list.eval(
        pl.struct(
            pl.element().struct.field("cn_controlled_g"),
            pl.element().struct.field("qty"),
            pl.element().struct.field("share").fill_nan(None),
            pl.element().struct.field("sku"),
        )
    )
    before = pl.struct(
        [
            contributors.fill_null(
                pl.lit([], dtype=pl.List(pl.Struct({"cn_controlled_g": pl.Float64, "qty": pl.Float64, "share": pl.Float64, "sku": pl.String})))
            ).alias("contributors")
            if k == "contributors"
            else pl.col(k)
            for k in _KEYS_BEFORE_ELEMENTS
        ]
    )
    after = pl.struct([pl.col(k) for k in _KEYS_AFTER_ELEMENTS])
    pieces = [
        pl.when(pl.col(f"{el}_g") != 0).then(
            pl.concat_str(pl.lit(f'"{el}":{{"cn_g":'), float_text(f"{el}_cn_g"), pl.lit(',"g":'), float_text(f"{el}_g"), pl.lit("}"))
        )
        for el in sorted(result.elements)
    ]
    # concat_str skipping nulls: six times faster than a list of pieces joined
    elements = pl.concat_str(pieces, separator=",", ignore_nulls=True) if pieces else pl.lit("")
    # one object: the first struct without its closing brace, the elements, the second without
    # its opening brace (head/slice are three times faster than strip_suffix/strip_prefix)
    return result.skus.select(
        pl.concat_str(
            [
                before.struct.json_encode().str.head(-1),
                pl.lit(',"elements":{'),
                elements,
                pl.lit("},"),
                after.struct.json_encode().str.slice(1),
            ]
        )
    ).to_series()


def summary(result: ScanResult) -> dict[str, Any]:
    import polars as pl

    skus = result.skus
    counts = dict(skus.group_by("verdict").len().iter_rows())
    return {
        "skus": skus.height,
        "products": int((skus["kind"] == "product").sum()),
        "over_threshold": int(skus["over_threshold"].sum()),
        "verdicts": {v: int(counts[v]) for v in VERDICTS if v in counts},
        "products_by_verdict": {v: int(n) for v, n in skus.filter(pl.col("kind") == "product").group_by("verdict").len().sort("verdict").iter_rows()},
    }


def rules_block(result: ScanResult) -> dict[str, Any]:
    pack, opts = result.pack, result.options
    return {
        "pack": pack.pack,
        "version": pack.version,
        "as_of": opts.as_of.isoformat(),
        "threshold": result.threshold,
        "basis": opts.basis,
        "elements": list(pack.controlled),
        "in_force": [s.rule.id for s in result.statuses if s.in_force],
        "unknown_origin": opts.unknown_origin,
        "end_use": opts.end_use,
        "notes": {st.rule.id: st.rule.note for st in rules_relied_on(result.skus, result.statuses)},
    }


def inputs_block(result: ScanResult) -> list[dict[str, Any]]:
    return [{"path": t.path, "sheet": t.sheet, "sha256": t.sha256, "rows": t.rows_read, "role": t.role, "shape": t.shape} for t in result.inputs]


def lines_bytes(lines: pl.Series, terminator: str) -> memoryview:
    """Each string of ``lines`` followed by ``terminator``, as UTF-8, written by Polars in one pass.

    The strings are JSON objects (no raw line breaks), so CSV writing without quotes is verbatim.
    """
    import io

    buf = io.BytesIO()
    lines.to_frame().write_csv(buf, include_header=False, quote_style="never", line_terminator=terminator)
    return buf.getbuffer()


def build_json(result: ScanResult) -> list[bytes | memoryview]:
    """The whole JSON report in chunks: compact, sorted keys, one SKU object per line.

    The SKU array is encoded and written by Polars; chunks avoid copying a report of
    hundreds of megabytes into one Python string.
    """
    import json

    def dump(value: Any) -> str:
        return json.dumps(value, sort_keys=True, ensure_ascii=False, allow_nan=False, separators=(",", ":"))

    # keys in sorted order: the four before "skus", the two after
    head = {
        "inputs": dump(inputs_block(result)),
        "issues": dump([p.as_dict() for p in result.issues]),
        "rules": dump(rules_block(result)),
        "schema": dump(SCHEMA),
    }
    tail = {"summary": dump(summary(result)), "tool": dump({"name": "bomaudit", "version": __version__})}
    body = lines_bytes(sku_json(result), ",\n")[:-2]
    opening = "{" + "".join(f'"{k}":{v},' for k, v in head.items()) + '"skus":[\n'
    closing = "\n]," + ",".join(f'"{k}":{v}' for k, v in tail.items()) + "}\n"
    return [opening.encode(), body, closing.encode()]


def build(result: ScanResult) -> dict[str, Any]:
    """The whole JSON report as a dict (keys are sorted when rendered)."""
    return {
        "schema": SCHEMA,
        "tool": {"name": "bomaudit", "version": __version__},
        "rules": rules_block(result),
        "inputs": inputs_block(result),
        "summary": summary(result),
        "skus": sku_records(result),
        "issues": [p.as_dict() for p in result.issues],
    }
