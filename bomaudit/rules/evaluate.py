"""Rules applied to the roll-up: per SKU, over the threshold or not, the verdict, and why.

Pure: takes the roll-up and the rule pack, returns a frame; never prints. Every rule of the
pack is a row of data (its test, dates and scope); this module only knows what each *kind* of
test measures.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bomaudit.vocab import SEVERITY, Basis, EndUse, Kind, UnknownOrigin, Verdict

if TYPE_CHECKING:
    import polars as pl

    from bomaudit.rollup import Rollup
    from bomaudit.rules.pack import RulePack, RuleStatus


#: a fraction this close below the threshold (relative) counts as at it: sums of float grams carry
#: rounding error (7 × 0.1 g at 0.1 % gives 0.0009999999999999998), and the error must fall on
#: the side of "over", never of "clear"
THRESHOLD_REL_TOL = 1e-9


@dataclass(frozen=True, slots=True)
class EvalOptions:
    as_of: dt.date
    threshold: float
    end_use: EndUse = EndUse.civil
    basis: Basis = Basis.mass

    def __post_init__(self) -> None:
        # compared by identity below: text such as "value" becomes its member (or fails)
        object.__setattr__(self, "end_use", EndUse(self.end_use))
        object.__setattr__(self, "basis", Basis(self.basis))


def _fraction(basis: Basis) -> str:
    """The column the threshold is applied to."""
    return "cn_fraction" if basis is Basis.mass else "cn_value_fraction"


def _pct(expr: pl.Expr) -> pl.Expr:
    """A fraction as a percentage with 4 significant digits, for reasons."""
    import polars as pl

    return pl.format("{} %", (expr * 100).round_sig_figs(4).cast(pl.String))


def _status_suffix(status: RuleStatus, on: dt.date) -> str:
    if not status.in_force:
        return f": not in force on {on.isoformat()}, {status.why}"
    if status.after_window:
        return "; in force after its suspension ended, a conservative reading: see the rule's note"
    return ""


def rules_relied_on(skus: pl.DataFrame, statuses: list[RuleStatus]) -> list[RuleStatus]:
    """Rules in force only on the pack's conservative reading that some verdict of ``skus``
    (as :func:`evaluate` returns them) relies on: their notes go with the report."""
    out = []
    for st in statuses:
        if st.in_force and st.after_window and st.rule.note and f"hit_{st.rule.id}" in skus.columns and skus[f"hit_{st.rule.id}"].any():
            out.append(st)
    return out


def _hit(status: RuleStatus, over: pl.Expr) -> pl.Expr:
    """Whether the rule's test is met by a SKU (whether or not the rule is in force)."""
    import polars as pl

    rule = status.rule
    if rule.test == "threshold":
        cond = over
    elif rule.test == "cn_tech":
        cond = pl.col("cn_tech")
    else:  # cn_origin: the SKU is itself a China-origin item with controlled content
        cond = (pl.col("kind") == Kind.part.value) & (pl.col("cn_controlled_g") > 0)
    if rule.categories:
        cond &= pl.col("category").is_in(list(rule.categories))
    return cond.fill_null(False)


def _reason(status: RuleStatus, options: EvalOptions) -> pl.Expr:
    import polars as pl

    rule = status.rule
    suffix = _status_suffix(status, options.as_of)
    if rule.test == "threshold":
        return pl.format(
            "China-origin controlled content {} of {} is at or above the {} threshold ({}{})",
            _pct(pl.col(_fraction(options.basis))),
            pl.lit(options.basis.value),
            pl.lit(f"{options.threshold * 100:g} %"),
            pl.lit(rule.id),
            pl.lit(suffix),
        )
    if rule.test == "cn_tech":
        return pl.lit(f"made with Chinese rare-earth technology, or contains a part that is ({rule.id}{suffix})")
    return pl.format("a China-origin {} with controlled rare earths ({}{})", pl.col("category").fill_null("item"), pl.lit(rule.id), pl.lit(suffix))


_SEPARATOR = "\x1f"  # ASCII unit separator


def _present(pieces: list[pl.Expr]) -> pl.Expr:
    """The non-null texts of ``pieces`` as a list: joined and split again, which Polars does ten
    times faster than dropping nulls from a concatenated list."""
    import polars as pl

    joined = pl.concat_str(pieces, separator=_SEPARATOR, ignore_nulls=True)
    return pl.when(joined == "").then(pl.lit([], dtype=pl.List(pl.String))).otherwise(joined.str.split(_SEPARATOR))


def _counted(pieces: list[pl.Expr], column: str) -> pl.Expr:
    """True where the list in ``column`` has one item per non-null piece."""
    import polars as pl

    return pl.col(column).list.len() == pl.sum_horizontal([p.is_not_null() for p in pieces])


def _listed(column: str) -> pl.Expr:
    """``A, B, C`` or ``A, B, C, D, E and 7 more``: the first five SKUs of a list column."""
    import polars as pl

    n = pl.col(column).list.len()
    head = pl.col(column).list.head(5).list.join(", ")
    return pl.when(n > 5).then(pl.format("{} and {} more", head, n - 5)).otherwise(head)


def _unknown_reasons(shown: pl.Expr) -> list[pl.Expr]:
    """Why a SKU is ``unknown``: parts with no composition data, other data missing, no value."""
    import polars as pl

    no_data = pl.col("no_data").list.len()
    other = pl.col("missing_other")
    return [
        pl.when(shown & (no_data > 0)).then(
            pl.format(
                "no composition data for {} part(s) ({}): the fraction may be higher; give their element content"
                " (a --parts file with element columns), or pass --assume-free-unlisted if they hold no rare earths",
                no_data,
                _listed("no_data"),
            )
        ),
        pl.when(shown & (other.list.len() > 0)).then(
            pl.format("data missing for {} part(s) below ({}): the fraction may be higher", other.list.len(), other.list.head(5).list.join(", "))
        ),
        pl.when(shown & pl.col("qty_unknown")).then(
            pl.lit(
                "a line below has no usable quantity (words, a blank, or a piece length without a unit): what it adds is unknown; see the warnings on its rows"
            )
        ),
        pl.when(
            shown & (pl.col("unknown").list.len() == 0) & ~pl.col("qty_unknown") & ~pl.col("_light") & (pl.col("estimate_band") != "high").fill_null(True)
        ).then(pl.lit("value data missing: the value fraction cannot be computed")),
    ]


def _assumptions(options: EvalOptions) -> list[pl.Expr]:
    import polars as pl

    out = [
        pl.when(pl.col("assumed").list.len() > 0).then(
            pl.format(
                f"rare-earth origin not given for {{}} part(s) ({{}}): counted as China-origin (--unknown-origin {UnknownOrigin.china.value})",
                pl.col("assumed").list.len(),
                pl.col("assumed").list.head(5).list.join(", "),
            )
        ),
        pl.when(pl.col("assumed_free").list.len() > 0).then(
            pl.format(
                "composition not given for {} part(s) ({}): counted as free of controlled rare earths (--assume-free-unlisted)",
                pl.col("assumed_free").list.len(),
                _listed("assumed_free"),
            )
        ),
        pl.when(pl.col("loose_matched").list.len() > 0).then(
            pl.format(
                "--parts rows joined to {} part(s) ({}) whose part numbers differ in case or separators only (--sku-match loose)",
                pl.col("loose_matched").list.len(),
                _listed("loose_matched"),
            )
        ),
        pl.when(pl.col("units_assumed").list.len() > 0).then(
            pl.format(
                "piece lengths without a unit read in the unit the descriptions write sizes in, for {} part(s) ({}): see the warning on the length column",
                pl.col("units_assumed").list.len(),
                _listed("units_assumed"),
            )
        ),
    ]
    if options.basis is Basis.value:
        out.append(
            pl.when((pl.col("kind") != Kind.part.value) & pl.col("declared_value").is_null() & pl.col("value").is_not_null()).then(
                pl.lit("no unit_value declared for this assembly: its value is the sum of its parts' values")
            )
        )
    return out


#: how far the estimate's range reaches over the threshold, in report words
BANDS = {"low": "over even at the low estimate", "typical": "over at the typical estimate", "high": "over only at the high estimate"}


def _at_or_over(expr: pl.Expr, threshold: float) -> pl.Expr:
    # at the threshold it is over: a ratio equal to it within floating-point error counts as over
    return (expr >= threshold * (1 - THRESHOLD_REL_TOL)).fill_null(False)


def _estimate_columns(skus: pl.DataFrame, options: EvalOptions) -> pl.DataFrame:
    """``cn_fraction_low``/``_high`` (the fraction at the library's low and high figures; null
    without an estimate below), ``estimate_band`` (low, typical, high: the lowest figure at which
    it is over; null when not over even at the high one, or without an estimate), the ``estimate``
    and ``estimated_from`` objects of the report, and ``requests`` ([] where none)."""
    import polars as pl

    est = pl.col("has_estimate") & (pl.col("mass_g") > 0)
    lo = pl.when(est).then(pl.col("cn_controlled_lo_g") / pl.col("mass_g"))
    hi = pl.when(est).then(pl.col("cn_controlled_hi_g") / pl.col("mass_g"))
    skus = skus.with_columns(cn_fraction_low=lo, cn_fraction_high=hi)
    t = options.threshold
    band = (
        pl.when(~pl.col("has_estimate") | (options.basis is not Basis.mass))
        .then(pl.lit(None, pl.String))
        .when(_at_or_over(pl.col("cn_fraction_low"), t))
        .then(pl.lit("low"))
        .when(_at_or_over(pl.col("cn_fraction"), t))
        .then(pl.lit("typical"))
        .when(_at_or_over(pl.col("cn_fraction_high"), t))
        .then(pl.lit("high"))
    )
    trio = ("low", "typical", "high")
    estimate = pl.when(pl.col("has_estimate")).then(
        pl.struct(
            pl.struct([pl.col(c).alias(k) for k, c in zip(trio, ("cn_controlled_lo_g", "cn_controlled_g", "cn_controlled_hi_g"), strict=True)]).alias(
                "cn_controlled_g"
            ),
            pl.struct([pl.col(c).alias(k) for k, c in zip(trio, ("cn_fraction_low", "cn_fraction", "cn_fraction_high"), strict=True)]).alias("cn_fraction"),
            pl.col("estimate_band").alias("over_at"),
        )
    )
    skus = skus.with_columns(estimate_band=band).with_columns(estimate=estimate)
    if "est_class" in skus.columns:
        mass = pl.when(pl.col("est_mass_g").is_not_null()).then(pl.struct(pl.col("est_formula").alias("formula"), pl.col("est_mass_g").alias("g")))
        skus = skus.with_columns(
            estimated_from=pl.when(pl.col("est_class").is_not_null()).then(
                pl.struct(
                    pl.col("est_class").alias("class"),
                    pl.col("est_content").alias("content_g"),
                    pl.col("est_grade").alias("grade"),
                    pl.col("est_kind").alias("kind"),
                    mass.alias("mass"),
                    pl.col("est_matched").alias("matched"),
                    pl.col("est_missing").alias("missing"),
                    pl.col("est_name").alias("name"),
                    pl.col("est_rule").alias("rule"),
                    pl.col("est_sources").fill_null(pl.lit([], pl.List(pl.String))).alias("sources"),
                )
            )
        )
    else:
        skus = skus.with_columns(estimated_from=pl.lit(None), **{c: pl.lit(None, pl.String) for c in ("est_class", "est_matched", "est_formula")})
    request = pl.Struct({"sku": pl.String, "qty": pl.Float64, "why": pl.String, "low_g": pl.Float64, "high_g": pl.Float64})
    if "requests" not in skus.columns:
        skus = skus.with_columns(requests=pl.lit(None, pl.List(request)))
    return skus.with_columns(pl.col("requests").fill_null(pl.lit([], pl.List(request))))


def _estimate_reasons(options: EvalOptions) -> list[pl.Expr]:
    """What an estimate adds to a SKU's reasons: where the range puts it, and parts recognised but not estimable."""
    import polars as pl

    def g(c: str) -> pl.Expr:
        return pl.col(c).round_sig_figs(3).cast(pl.String)

    return [
        pl.when(pl.col("estimate_band").is_not_null()).then(
            pl.format(
                "estimated ({}): China-origin controlled content {}–{} g (typical {} g), {}–{} of mass, from the materials library; declared data settles it",
                pl.col("estimate_band").replace_strict(BANDS, default=None),
                g("cn_controlled_lo_g"),
                g("cn_controlled_hi_g"),
                g("cn_controlled_g"),
                _pct(pl.col("cn_fraction_low")),
                _pct(pl.col("cn_fraction_high")),
            )
        ),
        pl.when(pl.col("recognised").list.len() > 0).then(
            pl.format(
                "{} part(s) recognised as holding rare earths but not estimable ({}): see requests",
                pl.col("recognised").list.len(),
                _listed("recognised"),
            )
        ),
    ]


def evaluate(rolled: Rollup, pack: RulePack, statuses: list[RuleStatus], options: EvalOptions) -> pl.DataFrame:
    """Every SKU with ``over_threshold``, ``verdict``, ``reasons``, ``assumptions``, ``unknown``
    and ``contributors``, sorted as SPEC §4 says. ``statuses``: ``pack.statuses(options.as_of)``.

    With estimates (the materials library): a SKU over at the typical figures is over (its
    reasons say so and give the range); one over only at the high figures is ``unknown``; one
    over on its known mass while parts estimated free have no mass is ``unknown`` too, with the
    mass those parts would need for it to be under."""
    import polars as pl

    fraction = pl.col(_fraction(options.basis))
    at_or_over = _at_or_over(fraction, options.threshold)
    # parts estimated free without a mass: the fraction is over the known mass only, an upper bound
    light = pl.col("free_no_mass") & at_or_over
    over = at_or_over & ~light
    skus = (
        _estimate_columns(rolled.skus, options)
        .with_columns(over_threshold=over, _light=light)
        .with_columns([_hit(st, pl.col("over_threshold")).alias(f"hit_{st.rule.id}") for st in statuses])
    )

    in_force = [pl.col(f"hit_{st.rule.id}") for st in statuses if st.in_force]
    needs = pl.any_horizontal(in_force) if in_force else pl.lit(False)
    use = pl.coalesce(pl.col("end_use"), pl.lit(options.end_use.value))
    outcome = use.replace_strict(pack.end_uses, default=Verdict.license_required.value, return_dtype=pl.String)
    maybe = pl.col("estimate_band") == "high"
    unknown = (pl.col("unknown").list.len() > 0) | pl.col("qty_unknown") | maybe.fill_null(False) | pl.col("_light")
    if options.basis is Basis.value:
        unknown = unknown | pl.col("cn_value_fraction").is_null()
    verdict = pl.when(needs).then(outcome).when(unknown).then(pl.lit(Verdict.unknown.value)).otherwise(pl.lit(Verdict.clear.value))

    reasons: list[pl.Expr] = [pl.when(pl.col(f"hit_{st.rule.id}")).then(_reason(st, options)) for st in statuses]
    policy = pack.policy_id
    reasons.append(
        pl.when(needs & (outcome != Verdict.license_required.value)).then(
            pl.format("end use {}: {} under the licensing policy ({})", use, outcome, pl.lit(policy))
        )
    )
    reasons.extend(_estimate_reasons(options))
    reasons.append(
        pl.when(pl.col("_light")).then(
            pl.format(
                "China-origin controlled content is {} of the known mass, but parts estimated free have no mass: under the threshold only if they weigh together at least {} g; give their masses",
                _pct(fraction),
                (pl.col("cn_controlled_g") / options.threshold - pl.col("mass_g")).round_sig_figs(4).cast(pl.String),
            )
        )
    )
    reasons.extend(_unknown_reasons(unknown & ~needs))
    assumptions = _assumptions(options)
    out = skus.with_columns(
        verdict=verdict,
        reasons=_present(reasons),
        assumptions=_present(assumptions),
        effective_end_use=use,
    )
    if not out.select(
        (_counted(reasons, "reasons") & _counted(assumptions, "assumptions")).all()
    ).item():  # a text held the separator: the slow way, which has none
        out = out.with_columns(reasons=pl.concat_list(reasons).list.drop_nulls(), assumptions=pl.concat_list(assumptions).list.drop_nulls())
    out = out.drop("_light")
    return out.with_columns(severity=pl.col("verdict").replace_strict(SEVERITY, return_dtype=pl.Int64)).sort(
        ["severity", _fraction(options.basis), "sku"], descending=[False, True, False], nulls_last=True
    )
