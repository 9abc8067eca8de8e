"""Joining ``--parts`` rows to the BOM's SKUs: exact spelling first, then near-misses by a normalised key.

A parts row whose SKU is in no BOM line is of no use, and says so (a warning per parts file).
When its key (case-folded, whitespace and ``-`` ``_`` ``.`` removed) is the key of a BOM SKU,
the two are very likely one part spelled two ways (``MAG-N52-10X5`` and ``MAG-N52-10x5``):
under ``--sku-match strict`` that is an error naming both spellings and places, under ``loose``
the parts row is read as the BOM's spelling (an assumption, listed on the :class:`Bom`), under
``exact`` they stay apart with a warning.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from bomaudit.errors import MAX_LISTED, listed
from bomaudit.vocab import SkuMatch

if TYPE_CHECKING:
    import polars as pl

    from bomaudit.errors import Collector

#: what a SKU's key ignores besides case
KEY_IGNORES = r"[\s\-_.]+"
#: how many unmatched SKUs a warning names
SHOWN = 5


def sku_key(col: pl.Expr) -> pl.Expr:
    """The key near-misses are found by: lower case, without whitespace, ``-``, ``_`` and ``.``."""
    return col.str.to_lowercase().str.replace_all(KEY_IGNORES, "")


@dataclass(slots=True)
class Matched:
    parts: pl.DataFrame  # the parts attribute rows, SKUs joined loosely renamed to the BOM's spelling
    loose: list[tuple[str, str]] = field(default_factory=list)  # (parts spelling, BOM spelling), sorted


@dataclass(frozen=True, slots=True)
class BomSkus:
    """Where the BOM's SKUs are: its edges, declared tops and SKUs only of rows out of effect."""

    edges: pl.DataFrame
    tops: list[str]
    retired: set[str]


def match_parts(parts: pl.DataFrame, bom: BomSkus, mode: SkuMatch, sku_headers: dict[tuple[str, str | None], str], issues: Collector) -> Matched:
    """The parts rows, checked against the BOM's SKUs (see the module's docstring)."""
    import polars as pl

    if parts.height == 0:
        return Matched(parts)
    firsts = parts.select("sku", "_file", "_sheet", "_row").unique(subset="sku", keep="first", maintain_order=True)
    unmatched = firsts.join(bom.edges.select(pl.col("child").alias("sku")), on="sku", how="anti")
    unmatched = unmatched.join(bom.edges.select(pl.col("parent").alias("sku")), on="sku", how="anti")
    unmatched = unmatched.filter(~pl.col("sku").is_in(sorted({*bom.tops, *bom.retired})))
    if unmatched.height == 0:
        return Matched(parts)
    near = _near_misses(unmatched, bom)
    loose: dict[str, str] = {}
    refused = 0
    for rec in near.iter_rows(named=True):
        spellings = rec["bom"]
        if mode is SkuMatch.loose and len(spellings) == 1:
            loose[rec["sku"]] = spellings[0]
        elif mode is SkuMatch.exact:
            _warn_apart(rec, bom, sku_headers, issues)
        else:
            refused += 1
            if refused <= MAX_LISTED:
                _refuse(rec, bom, mode, sku_headers, issues)
    if refused > MAX_LISTED:
        issues.error("sku-near-miss", f"{refused - MAX_LISTED} more parts SKUs like these", "spell them as the BOM does")
    if loose:
        parts = parts.with_columns(sku=pl.col("sku").replace(loose))
        pairs = sorted(loose.items())
        issues.warn(
            "sku-loose-match",
            f"--sku-match loose: {len(pairs)} parts SKU(s) read as a BOM SKU spelled differently: {listed([f'{p!r} as {b!r}' for p, b in pairs])}",
            "an assumption: spell them the same in both files to remove it",
        )
    _warn_unmatched(unmatched.filter(~pl.col("sku").is_in(list(loose))), issues)
    return Matched(parts, sorted(loose.items()))


def _near_misses(unmatched: pl.DataFrame, bom: BomSkus) -> pl.DataFrame:
    """Unmatched parts SKUs whose key is the key of some BOM SKU: sku, _file, _sheet, _row, bom (sorted spellings)."""
    import polars as pl

    known = pl.concat([bom.edges["child"], bom.edges["parent"], pl.Series(bom.tops, dtype=pl.String), pl.Series(sorted(bom.retired), dtype=pl.String)]).unique()
    keys = known.to_frame("bom").with_columns(key=sku_key(pl.col("bom"))).filter(pl.col("key") != "")
    wanted = unmatched.with_columns(key=sku_key(pl.col("sku")))
    keys = keys.join(wanted.select("key"), on="key", how="semi")
    spellings = keys.group_by("key").agg(pl.col("bom").sort())
    return wanted.join(spellings, on="key", how="inner", maintain_order="left").drop("key")


def _bom_place(bom: BomSkus, sku: str) -> str:
    """Where a BOM SKU is written: its first line, else the first line under it."""
    import polars as pl

    for col, role in (("child", ""), ("parent", "the parent of ")):
        hit = bom.edges.filter(pl.col(col) == sku).head(1)
        if hit.height:
            file, sheet, row = hit.select("_file", "_sheet", "_row").row(0)
            sheet_text = f", sheet {sheet!r}" if sheet else ""
            return f"{file}{sheet_text}, {role}row {row}"
    return "the BOM"


def _spelled(rec: dict, bom: BomSkus) -> str:
    return " and ".join(f"{b!r} ({_bom_place(bom, b)})" for b in rec["bom"])


def _where(rec: dict, sku_headers: dict[tuple[str, str | None], str]) -> dict:
    return {"file": rec["_file"], "sheet": rec["_sheet"], "row": rec["_row"], "column": sku_headers.get((rec["_file"], rec["_sheet"]))}


def _refuse(rec: dict, bom: BomSkus, mode: SkuMatch, sku_headers: dict[tuple[str, str | None], str], issues: Collector) -> None:
    several = len(rec["bom"]) > 1
    if mode is SkuMatch.loose:  # loose, but the key fits several BOM SKUs: nothing to choose by
        message = f"parts SKU {rec['sku']!r} is not in the BOM, and BOM SKUs {_spelled(rec, bom)} all differ from it only in case or separators"
        hint = "spell it exactly as the BOM part it describes: --sku-match loose cannot choose between them"
    else:
        what = "BOM SKUs" if several else "BOM SKU"
        message = (
            f"parts SKU {rec['sku']!r} is not in the BOM, but {what} {_spelled(rec, bom)} differ{'' if several else 's'} from it only in case or separators"
        )
        hint = "spell the two the same, or pass --sku-match loose to join them (an assumption) or --sku-match exact to keep them apart"
    issues.error("sku-near-miss", message, hint, sku=rec["sku"], **_where(rec, sku_headers))


def _warn_apart(rec: dict, bom: BomSkus, sku_headers: dict[tuple[str, str | None], str], issues: Collector) -> None:
    issues.warn(
        "sku-near-miss",
        f"parts SKU {rec['sku']!r} is not in the BOM; {_spelled(rec, bom)} differs from it only in case or separators: kept apart (--sku-match exact)",
        "if they are one part, spell them the same",
        sku=rec["sku"],
        **_where(rec, sku_headers),
    )


def _warn_unmatched(unmatched: pl.DataFrame, issues: Collector) -> None:
    """One warning per parts file: how many of its SKUs match no BOM SKU, and the first few."""
    import polars as pl

    if unmatched.height == 0:
        return
    tables = unmatched.select("_file", "_sheet").unique(maintain_order=True)
    for file, sheet in tables.iter_rows():
        here = unmatched.filter((pl.col("_file") == file) & (pl.col("_sheet").eq_missing(sheet)))
        skus = here["sku"].to_list()
        issues.warn(
            "parts-unmatched",
            f"{len(skus)} SKU(s) here match no SKU of the BOM, so what they say is not used: {listed([repr(s) for s in skus], SHOWN)}",
            f"check their spelling against the BOM's part numbers, or remove them from {Path(file).name}",
            file=file,
            sheet=sheet,
            row=here["_row"][0] if len(skus) == 1 else None,
        )
