"""Rules applied to the roll-up: per SKU, over the threshold or not, the verdict, and why.

Pure: takes the roll-up and the rule pack, returns a frame; never prints.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bomaudit.fields import SEVERITY

if TYPE_CHECKING:
    import polars as pl

    from bomaudit.rollup import Rollup
    from bomaudit.rules import RulePack, RuleStatus


@dataclass(frozen=True, slots=True)
class EvalOptions:
    as_of: dt.date
    threshold: float
    unknown_origin: str = "china"
    end_use: str = "civil"
    basis: str = "mass"


def _pct(expr: pl.Expr) -> pl.Expr:
    """A fraction as a percentage with up to 4 significant decimals, for reasons."""
    import polars as pl

    return pl.format("{} %", (expr * 100).round_sig_figs(4).cast(pl.String))


def _status_suffix(status: RuleStatus, on: dt.date) -> str:
    if not status.in_force:
        return f": not in force on {on.isoformat()}, {status.why}"
    if status.after_window:
        return "; in force after its suspension ended, a conservative reading: see the rule's note"
    return ""


def depends_on_note(skus: pl.DataFrame, pack: RulePack, on: dt.date) -> list[RuleStatus]:
    """Rules in force only on the pack's conservative reading that some verdict relies on."""
    out = []
    for st in pack.statuses(on):
        if st.in_force and st.after_window and st.rule.note:
            col = "over_threshold" if st.rule.test == "threshold" else "cn_tech"
            if skus[col].any():
                out.append(st)
    return out


def evaluate(rolled: Rollup, pack: RulePack, options: EvalOptions) -> pl.DataFrame:
    """Every SKU with ``over_threshold``, ``verdict``, ``reasons``, ``assumptions``, ``unknown``
    and ``contributors``, sorted as SPEC §4 says."""
    import polars as pl

    statuses = {s.rule.test: s for s in pack.statuses(options.as_of)}
    threshold_status = statuses.get("threshold")
    tech_status = statuses.get("cn_tech")
    limit = options.threshold

    skus = (
        rolled.skus.join(rolled.contributors.rename({"node": "id"}), on="id", how="left")
        .join(rolled.unknown.rename({"node": "id"}), on="id", how="left")
        .join(rolled.assumed.rename({"node": "id"}), on="id", how="left")
        .with_columns(
            pl.col("unknown").fill_null(pl.lit([], dtype=pl.List(pl.String))),
            pl.col("assumed").fill_null(pl.lit([], dtype=pl.List(pl.String))),
        )
    )
    over = (pl.col("cn_fraction") >= limit).fill_null(False)
    t_in = threshold_status is not None and threshold_status.in_force
    k_in = tech_status is not None and tech_status.in_force
    needs = (over & pl.lit(t_in)) | (pl.col("cn_tech") & pl.lit(k_in))
    verdict = pl.when(needs).then(pl.lit("license-required")).when(pl.col("has_unknown")).then(pl.lit("unknown")).otherwise(pl.lit("clear"))

    reasons: list[pl.Expr] = []
    if threshold_status is not None:
        rid = threshold_status.rule.id
        text = pl.format(
            "China-origin controlled content {} of {} is at or above the {} threshold ({}{})",
            _pct(pl.col("cn_fraction")),
            pl.lit(options.basis),
            pl.lit(f"{limit * 100:g} %"),
            pl.lit(rid),
            pl.lit(_status_suffix(threshold_status, options.as_of)),
        )
        reasons.append(pl.when(over).then(text))
    if tech_status is not None:
        rid = tech_status.rule.id
        suffix = _status_suffix(tech_status, options.as_of)
        reasons.append(pl.when(pl.col("cn_tech")).then(pl.lit(f"made with Chinese rare-earth technology, or contains a part that is ({rid}{suffix})")))
    reasons.append(
        pl.when(pl.col("has_unknown") & ~needs).then(pl.format("data missing for {} part(s) below: the fraction may be higher", pl.col("unknown").list.len()))
    )
    assumption = pl.when(pl.col("assumed").list.len() > 0).then(
        pl.format(
            "rare-earth origin not given for {} part(s) ({}): counted as China-origin (--unknown-origin china)",
            pl.col("assumed").list.len(),
            pl.col("assumed").list.head(5).list.join(", "),
        )
    )
    out = skus.with_columns(
        over_threshold=over,
        verdict=verdict,
        reasons=pl.concat_list(reasons).list.drop_nulls(),
        assumptions=pl.concat_list([assumption]).list.drop_nulls(),
        cn_value_fraction=pl.when(pl.coalesce("declared_value", "value") > 0).then(pl.col("cn_value") / pl.coalesce("declared_value", "value")),
    )
    return out.with_columns(severity=pl.col("verdict").replace_strict(SEVERITY, return_dtype=pl.Int64)).sort(
        ["severity", "cn_fraction", "sku"], descending=[False, True, False], nulls_last=True
    )
