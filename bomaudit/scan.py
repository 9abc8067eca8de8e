"""The pipeline: load → normalise → roll up → evaluate. Pure; the CLI renders and exits."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bomaudit.errors import Problem
from bomaudit.load import LAZY_BYTES

if TYPE_CHECKING:
    import polars as pl

    from bomaudit.normalise import Bom, TableInfo
    from bomaudit.rules import RulePack, RuleStatus


@dataclass(frozen=True, slots=True)
class ScanOptions:
    files: tuple[str, ...]
    parts: tuple[str, ...] = ()
    sheet: str | None = None
    mapping: dict[str, str] = field(default_factory=dict)
    assembly: str | None = None
    threshold: float | None = None  # None: the rule pack's
    basis: str = "mass"
    as_of: dt.date = field(default_factory=dt.date.today)
    rules: str | None = None
    unknown_origin: str = "china"
    end_use: str = "civil"
    decimal_comma: bool = False
    no_header: bool = False
    max_rows: int = 50_000_000
    max_unpacked_mb: int = 2048
    lazy_bytes: int = LAZY_BYTES  # CSV and Parquet files this big are read lazily


@dataclass(slots=True)
class ScanResult:
    options: ScanOptions
    pack: RulePack
    statuses: list[RuleStatus]  # the pack's rules on options.as_of
    threshold: float
    inputs: list[TableInfo]
    skus: pl.DataFrame
    elements: list[str]
    issues: list[Problem]


def load_bom(options: ScanOptions) -> Bom:
    """Read and normalise every input; raises BomauditError with every problem found."""
    from bomaudit.errors import BomauditError
    from bomaudit.load import ReadOptions, load_table
    from bomaudit.load.guard import Limits
    from bomaudit.normalise import NormaliseOptions, normalise

    read = ReadOptions(
        sheet=options.sheet,
        no_header=options.no_header,
        mapped_headers=tuple(options.mapping.values()),
        limits=Limits(max_unpacked_mb=options.max_unpacked_mb, max_rows=options.max_rows),
        lazy_bytes=options.lazy_bytes,
    )
    tables = {"bom": [], "parts": []}
    problems: list[Problem] = []
    for role, paths in (("bom", options.files), ("parts", options.parts)):
        for path in paths:
            try:
                tables[role].append(load_table(path, read))
            except BomauditError as exc:
                problems.extend(exc.problems)
    if problems:
        raise BomauditError(problems)
    norm = NormaliseOptions(mapping=options.mapping, assembly=options.assembly, as_of=options.as_of, decimal_comma=options.decimal_comma)
    return normalise(tables["bom"], tables["parts"], norm)


def _silent(stage: str) -> None:
    del stage


def scan(options: ScanOptions, progress: Callable[[str], None] = _silent) -> ScanResult:
    """``progress`` is told each stage as it starts (the CLI shows it on a terminal)."""
    from bomaudit.rollup import RollupOptions, rollup
    from bomaudit.rules import EvalOptions, evaluate, load_pack, pack_warnings
    from bomaudit.vocab import Basis, EndUse, UnknownOrigin

    pack = load_pack(options.rules)
    progress("loading")
    bom = load_bom(options)
    progress("rolling up")
    threshold = options.threshold if options.threshold is not None else pack.threshold
    basis = Basis(options.basis)
    rolled = rollup(bom, RollupOptions(controlled=pack.controlled, unknown_origin=UnknownOrigin(options.unknown_origin), basis=basis))
    ev = EvalOptions(as_of=options.as_of, threshold=threshold, end_use=EndUse(options.end_use), basis=basis)
    progress("evaluating rules")
    statuses = pack.statuses(options.as_of)
    skus = evaluate(rolled, pack, statuses, ev)
    issues = [*pack_warnings(pack, options.as_of), *bom.warnings, *rolled.warnings]
    return ScanResult(options, pack, statuses, threshold, bom.tables, skus, rolled.elements, issues)
