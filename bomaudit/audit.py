"""The core: options in, one finished result out. Pure; the CLI renders, writes and exits.

``audit(options) -> Audit`` runs load → normalise → roll up → evaluate rules once and hands
every renderer the same :class:`Audit`: the SKU rows, the rule statuses on the as-of date
(computed once), the notes verdicts rely on, the inputs, the issues and the verdict policy
(:meth:`Audit.fails`). ``check(options) -> Check`` serves ``validate`` through the same loading
code and options, stopping before the rules.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bomaudit.load import LAZY_BYTES, Limits
from bomaudit.vocab import SEVERITY, VERDICTS, Alternates, Basis, EndUse, FailOn, FailScope, Kind, Provenance, Role, SkuMatch, UnknownOrigin

if TYPE_CHECKING:
    import polars as pl

    from bomaudit.errors import Problem
    from bomaudit.load import RawTable
    from bomaudit.materials import Library
    from bomaudit.normalise import Bom, TableInfo
    from bomaudit.rollup import Rollup
    from bomaudit.rules import RulePack, RuleStatus


@dataclass(frozen=True, slots=True)
class AuditOptions:
    """Everything a run depends on; ``scan`` and ``validate`` take the same options."""

    files: tuple[str, ...]
    parts: tuple[str, ...] = ()
    sheet: str | None = None
    #: ``--sheet`` given more than once: these sheets of each workbook, read together
    sheets: tuple[str, ...] = ()
    mapping: dict[str, str] = field(default_factory=dict)
    assembly: str | None = None
    threshold: float | None = None  # None: the rule pack's
    basis: Basis = Basis.mass
    as_of: dt.date = field(default_factory=dt.date.today)
    rules: str | None = None  # a rule pack file; None: the built-in pack
    unknown_origin: UnknownOrigin = UnknownOrigin.china
    end_use: EndUse = EndUse.civil
    #: parts with no composition data count as free of controlled elements (an assumption)
    assume_free_unlisted: bool = False
    alternates: Alternates = Alternates.worst
    #: estimate parts with no composition data with the materials library (--estimates on)
    estimates: bool = True
    #: --materials files: classes added to the built-in library (or replacing one of the same id)
    materials: tuple[str, ...] = ()
    #: joining --parts rows to BOM SKUs spelled differently only in case or separators
    sku_match: SkuMatch = SkuMatch.strict
    decimal_comma: bool = False
    no_header: bool = False
    #: sizes past which an input is refused (``--max-rows``, ``--max-unpacked-mb``…)
    limits: Limits = field(default_factory=Limits)
    lazy_bytes: int = LAZY_BYTES  # CSV and Parquet files this big are read lazily


@dataclass(frozen=True, slots=True)
class Summary:
    skus: int
    products: int
    over_threshold: int
    #: verdict -> SKUs, most severe first, only verdicts that occur
    verdicts: dict[str, int]
    #: verdict -> products, in verdict-name order, only verdicts that occur
    products_by_verdict: dict[str, int]


@dataclass(slots=True)
class Audit:
    """The finished result of one scan; renderers read only this."""

    pack: RulePack
    as_of: dt.date
    threshold: float
    basis: Basis
    unknown_origin: UnknownOrigin
    end_use: EndUse
    #: every rule of the pack with its status on ``as_of``, in pack order
    statuses: list[RuleStatus]
    #: rules in force only on the pack's conservative reading that some verdict relies on
    relied_on: list[RuleStatus]
    inputs: list[TableInfo]
    #: one row per SKU in report order (SPEC §4): the roll-up plus verdict, reasons, assumptions
    skus: pl.DataFrame
    elements: list[str]
    issues: list[Problem]
    summary: Summary

    @property
    def in_force(self) -> list[str]:
        return [st.rule.id for st in self.statuses if st.in_force]

    def fails(self, fail_on: FailOn, scope: FailScope) -> bool:
        """The verdict policy: does a SKU in ``scope`` have a verdict at or above ``fail_on``?"""
        if fail_on is FailOn.never:
            return False
        skus = self.skus if scope is FailScope.all else self.skus.filter(self.skus["kind"] == Kind.product.value)
        return bool((skus["severity"] <= SEVERITY[fail_on.value]).any())


@dataclass(frozen=True, slots=True)
class Graph:
    skus: int
    parts: int
    assemblies: int
    products: int
    #: distinct parent → child links after repeated lines were added
    links: int


@dataclass(frozen=True, slots=True)
class Coverage:
    """How much of the composition the inputs give."""

    #: element symbols some input column gives
    elements: list[str]
    parts: int
    #: parts (leaves) with a mass, an element or an origin missing
    parts_missing_data: int
    #: parts with controlled rare-earth content
    parts_with_controlled: int
    #: parts whose composition no input gives (provenance ``none``): unknown in a scan
    parts_without_composition: int
    #: parts whose composition the materials library estimates from their text (provenance ``estimated``)
    parts_estimated: int = 0


@dataclass(slots=True)
class Check:
    """What ``validate`` reports: the inputs as read, the graph and the coverage; no verdicts."""

    inputs: list[TableInfo]
    graph: Graph
    coverage: Coverage
    issues: list[Problem]


def _silent(stage: str) -> None:
    del stage


def load_bom(options: AuditOptions) -> Bom:
    """Read and normalise every input; raises BomauditError with every problem found."""
    from bomaudit.errors import BomauditError
    from bomaudit.load import ReadOptions, load_tables
    from bomaudit.normalise import NormaliseOptions, normalise

    read = ReadOptions(
        sheet=options.sheet,
        sheets=options.sheets,
        no_header=options.no_header,
        mapped_headers=tuple(options.mapping.values()),
        sku_header=options.mapping.get("sku") or None,
        limits=options.limits,
        lazy_bytes=options.lazy_bytes,
    )
    tables: dict[Role, list[RawTable]] = {Role.bom: [], Role.parts: []}
    problems: list[Problem] = []
    for role, paths in ((Role.bom, options.files), (Role.parts, options.parts)):
        for path in paths:
            try:
                tables[role].extend(load_tables(path, read))
            except BomauditError as exc:
                problems.extend(exc.problems)
    if problems:
        raise BomauditError(problems)
    norm = NormaliseOptions(
        mapping=options.mapping, assembly=options.assembly, as_of=options.as_of, decimal_comma=options.decimal_comma, sku_match=options.sku_match
    )
    return normalise(tables[Role.bom], tables[Role.parts], norm)


def _rolled(options: AuditOptions, pack: RulePack, progress: Callable[[str], None]) -> tuple[Bom, Rollup]:
    """Load, normalise and roll up: the part ``audit`` and ``check`` share."""
    from bomaudit.rollup import RollupOptions, rollup

    progress("loading")
    bom = load_bom(options)
    progress("rolling up")
    roll = RollupOptions(
        controlled=pack.controlled,
        unknown_origin=options.unknown_origin,
        basis=options.basis,
        assume_free_unlisted=options.assume_free_unlisted,
        threshold=options.threshold if options.threshold is not None else pack.threshold,
        alternates=options.alternates.value,
        library=library(options),
    )
    return bom, rollup(bom, roll)


def library(options: AuditOptions) -> Callable[[], Library] | None:
    """What loads the materials library the run estimates with, once, when a part needs it (None: --estimates off)."""
    import functools

    from bomaudit.materials import load_library

    if not options.estimates:
        return None
    if options.materials:  # a --materials file is checked on every run, needed or not
        lib = load_library(options.materials)
        return lambda: lib
    return functools.partial(functools.cache(load_library), ())


def audit(options: AuditOptions, progress: Callable[[str], None] = _silent) -> Audit:
    """One scan. ``progress`` is told each stage as it starts (the CLI shows it on a terminal)."""
    from bomaudit.rules import EvalOptions, evaluate, load_pack, pack_warnings, rules_relied_on

    pack = load_pack(options.rules)
    bom, rolled = _rolled(options, pack, progress)
    threshold = options.threshold if options.threshold is not None else pack.threshold
    statuses = pack.statuses(options.as_of)
    progress("evaluating rules")
    skus = evaluate(rolled, pack, statuses, EvalOptions(as_of=options.as_of, threshold=threshold, end_use=options.end_use, basis=options.basis))
    issues = [*pack_warnings(pack, options.as_of), *bom.warnings, *rolled.warnings]
    return Audit(
        pack=pack,
        as_of=options.as_of,
        threshold=threshold,
        basis=options.basis,
        unknown_origin=options.unknown_origin,
        end_use=options.end_use,
        statuses=statuses,
        relied_on=rules_relied_on(skus, statuses),
        inputs=bom.tables,
        skus=skus,
        elements=rolled.elements,
        issues=issues,
        summary=summarise(skus),
    )


def summarise(skus: pl.DataFrame) -> Summary:
    import polars as pl

    counts = dict(skus.group_by("verdict").len().iter_rows())
    products = skus.filter(pl.col("kind") == Kind.product.value)
    return Summary(
        skus=skus.height,
        products=products.height,
        over_threshold=int(skus["over_threshold"].sum()),
        verdicts={v.value: int(counts[v.value]) for v in VERDICTS if v.value in counts},
        products_by_verdict={v: int(n) for v, n in products.group_by("verdict").len().sort("verdict").iter_rows()},
    )


def check(options: AuditOptions, progress: Callable[[str], None] = _silent) -> Check:
    """Load and check the data with every option ``audit`` honours, without evaluating rules."""
    import polars as pl

    from bomaudit.rules import load_pack

    pack = load_pack(options.rules)
    bom, rolled = _rolled(options, pack, progress)
    skus = rolled.skus
    kinds = dict(skus["kind"].value_counts().iter_rows())
    parts = skus.filter(pl.col("kind") == Kind.part.value)
    graph = Graph(
        skus=skus.height,
        parts=kinds.get(Kind.part.value, 0),
        assemblies=kinds.get(Kind.assembly.value, 0),
        products=kinds.get(Kind.product.value, 0),
        links=rolled.links,
    )
    coverage = Coverage(
        elements=list(rolled.elements),
        parts=parts.height,
        parts_missing_data=int(parts["has_unknown"].sum()),
        parts_with_controlled=int((parts["controlled_g"] > 0).sum()),
        parts_without_composition=int((parts["no_data"].list.len() > 0).sum()),
        parts_estimated=int((parts[f"cov_{Provenance.estimated.value}_parts"] > 0).sum()),
    )
    return Check(bom.tables, graph, coverage, [*bom.warnings, *rolled.warnings])
