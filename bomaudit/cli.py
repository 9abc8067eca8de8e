"""The command line: options → core → render → exit code. Only this module prints or exits.

Polars, openpyxl and the Rich console are imported inside the commands, so ``--help`` and
``--version`` stay fast.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from bomaudit import __version__
from bomaudit.errors import BomauditError, Problem

if TYPE_CHECKING:
    from bomaudit.scan import ScanOptions, ScanResult

app = typer.Typer(
    name="bomaudit",
    help="Which SKUs of a bill of materials fall under China's 2025 rare-earth export controls.",
    no_args_is_help=True,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


class Format(StrEnum):
    table = "table"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"
    xlsx = "xlsx"


class Basis(StrEnum):
    mass = "mass"
    value = "value"


class UnknownOrigin(StrEnum):
    china = "china"
    unknown = "unknown"


class EndUse(StrEnum):
    civil = "civil"
    military = "military"
    advanced_semiconductor = "advanced-semiconductor"
    military_ai = "military-ai"
    humanitarian = "humanitarian"


class FailOn(StrEnum):
    denied = "denied"
    case_by_case = "case-by-case"
    license_required = "license-required"
    unknown = "unknown"
    never = "never"


class FailScope(StrEnum):
    products = "products"
    all = "all"


EXIT_OK, EXIT_FAIL, EXIT_ERROR = 0, 1, 2


def _fatal(problems: list[Problem]) -> NoReturn:
    shown = problems[: BomauditError.MAX_REPORTED]
    for p in shown:
        typer.echo(f"error: {p.line()}", err=True)
    if len(problems) > len(shown):
        typer.echo(f"error: … and {len(problems) - len(shown)} more problems", err=True)
    raise typer.Exit(EXIT_ERROR)


def _usage(message: str, hint: str | None = None) -> NoReturn:
    _fatal([Problem("usage", message, hint)])


def _version(value: bool) -> None:
    if value:
        typer.echo(f"bomaudit {__version__}")
        raise typer.Exit()


@app.callback()
def main_callback(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")] = False,
) -> None:
    """bomaudit: rare-earth export-control audit of bills of materials."""


# --- option parsing -------------------------------------------------------------------


def parse_threshold(text: str | None) -> float | None:
    if text is None:
        return None
    raw = text.strip()
    try:
        value = float(raw[:-1].strip()) / 100 if raw.endswith("%") else float(raw)
    except ValueError:
        _usage(f"--threshold {text!r} is not a number", "write 0.001 or 0.1%")
    if not 0 < value < 1:
        _usage(f"--threshold {text!r} is out of range", "use a fraction above 0 and below 1, such as 0.001 or 0.1%")
    return value


def parse_date(text: str | None, option: str = "--as-of") -> dt.date:
    if text is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        _usage(f"{option} {text!r} is not a date", "write it as YYYY-MM-DD")


def parse_map(items: list[str] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items or []:
        field, sep, header = item.partition("=")
        if not sep or not field.strip():
            _usage(f"--map {item!r} is not FIELD=HEADER", 'write for example --map sku="Part Name" (or --map unit_value= to ignore a field)')
        out[field.strip().lower()] = header.strip()
    return out


# shared options ------------------------------------------------------------------------
FilesArg = Annotated[
    list[str], typer.Argument(help="BOM files: .csv .tsv .txt .xlsx .xlsm .parquet, or - for CSV on standard input.", show_default=False, metavar="FILE")
]
PartsOpt = Annotated[
    list[str] | None, typer.Option("--parts", metavar="FILE", help="Part attribute file (mass, composition, origin…) joined on sku. Repeatable.")
]
SheetOpt = Annotated[str | None, typer.Option("--sheet", metavar="NAME", help="Worksheet to read (default: the first with a recognised header).")]
MapOpt = Annotated[list[str] | None, typer.Option("--map", metavar="FIELD=HEADER", help="Use column HEADER as FIELD, e.g. --map sku='Part Name'. Repeatable.")]
AssemblyOpt = Annotated[str | None, typer.Option("--assembly", metavar="NAME", help="Name of the top item of a flat BOM (default: the file's stem).")]
AsOfOpt = Annotated[str | None, typer.Option("--as-of", metavar="DATE", help="Date (YYYY-MM-DD) for effectivity and rules in force (default: today).")]
DecimalCommaOpt = Annotated[bool, typer.Option("--decimal-comma", help="Read 1,5 as 1.5 (European exports).")]
NoHeaderOpt = Annotated[bool, typer.Option("--no-header", help="The file has no header row; name columns by number in --map (sku=3).")]
DebugOpt = Annotated[bool, typer.Option("--debug", help="Show a traceback on internal errors.")]
MaxRowsOpt = Annotated[int, typer.Option("--max-rows", min=1, metavar="N", help="Refuse a table with more data rows than this.")]
MaxUnpackedOpt = Annotated[int, typer.Option("--max-unpacked-mb", min=1, metavar="MB", help="Refuse a workbook that would unpack to more than this.")]


def _options(
    files: list[str],
    parts: list[str] | None,
    sheet: str | None,
    mapping: list[str] | None,
    assembly: str | None,
    as_of: str | None,
    decimal_comma: bool,
    no_header: bool,
    **kw: object,
) -> ScanOptions:
    from bomaudit.scan import ScanOptions

    if files.count("-") + (parts or []).count("-") > 1:
        _usage("standard input (-) can be read only once")
    return ScanOptions(
        files=tuple(files),
        parts=tuple(parts or ()),
        sheet=sheet,
        mapping=parse_map(mapping),
        assembly=assembly,
        as_of=parse_date(as_of),
        decimal_comma=decimal_comma,
        no_header=no_header,
        **kw,  # type: ignore[arg-type]
    )


def _run(debug: bool, func, *args, **kw):
    """Call into the core; domain errors become exit 2 with one line per problem."""
    try:
        return func(*args, **kw)
    except BomauditError as exc:
        _fatal(exc.problems)
    except KeyboardInterrupt:
        typer.echo("error: interrupted", err=True)
        raise typer.Exit(130) from None
    except Exception as exc:
        if debug:
            raise
        _fatal([Problem("internal", f"internal error: {type(exc).__name__}: {exc}", "run again with --debug and report it")])


def _warnings(problems: list[Problem], quiet: bool) -> None:
    if quiet:
        return
    for p in problems:
        typer.echo(f"warning: {p.line()}", err=True)


def write_atomic(path: Path, data: str | bytes | list[bytes | memoryview]) -> None:
    """All or nothing: a temporary file beside the target, then a rename."""
    import tempfile

    from bomaudit.render import chunks

    directory = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as fh:
            for chunk in chunks(data):
                fh.write(chunk)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class Progress:
    """A stage line on standard error for runs longer than about a second, on a terminal only."""

    DELAY = 1.0

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.stage = "starting"
        self._status = None
        self._timer = None

    def __enter__(self) -> Progress:
        if self.enabled:
            import threading

            self._timer = threading.Timer(self.DELAY, self._show)
            self._timer.daemon = True
            self._timer.start()
        return self

    def _show(self) -> None:
        from rich.console import Console

        self._status = Console(stderr=True).status(self.stage)
        self._status.start()

    def __call__(self, stage: str) -> None:
        self.stage = stage
        if self._status is not None:
            self._status.update(stage)

    def __exit__(self, *exc: object) -> None:
        if self._timer is not None:
            self._timer.cancel()
        if self._status is not None:
            self._status.stop()


def exit_code(result: ScanResult, fail_on: FailOn, scope: FailScope) -> int:
    from bomaudit.vocab import SEVERITY

    if fail_on is FailOn.never:
        return EXIT_OK
    skus = result.skus
    if scope is FailScope.products:
        skus = skus.filter(skus["kind"] == "product")
    return EXIT_FAIL if (skus["severity"] <= SEVERITY[fail_on.value]).any() else EXIT_OK


def _color() -> bool:
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"


# --- commands -------------------------------------------------------------------------


@app.command()
def scan(
    files: FilesArg,
    parts: PartsOpt = None,
    sheet: SheetOpt = None,
    mapping: MapOpt = None,
    assembly: AssemblyOpt = None,
    threshold: Annotated[str | None, typer.Option("--threshold", metavar="X", help="Threshold as 0.001 or 0.1% (default: the rule pack's).")] = None,
    basis: Annotated[Basis, typer.Option("--basis", help="What the fraction is a share of.")] = Basis.mass,
    as_of: AsOfOpt = None,
    rules: Annotated[str | None, typer.Option("--rules", metavar="FILE", help="A rule pack file instead of the built-in one.")] = None,
    unknown_origin: Annotated[
        UnknownOrigin, typer.Option("--unknown-origin", help="Count content of unknown origin as Chinese (said so), or mark it unknown.")
    ] = UnknownOrigin.china,
    end_use: Annotated[EndUse, typer.Option("--end-use", help="End use of the shipment.")] = EndUse.civil,
    fmt: Annotated[Format | None, typer.Option("--format", "-f", help="Report format (default: table, or from --output's suffix).")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", metavar="PATH", help="Write the report there, atomically.")] = None,
    fail_on: Annotated[FailOn, typer.Option("--fail-on", help="Exit 1 when a verdict in --fail-scope is at or above this level.")] = FailOn.license_required,
    fail_scope: Annotated[FailScope, typer.Option("--fail-scope", help="Whose verdicts --fail-on looks at.")] = FailScope.products,
    show_all: Annotated[bool, typer.Option("--all", help="The table lists every SKU.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")] = False,
    decimal_comma: DecimalCommaOpt = False,
    no_header: NoHeaderOpt = False,
    max_rows: MaxRowsOpt = 50_000_000,
    max_unpacked_mb: MaxUnpackedOpt = 2048,
    debug: DebugOpt = False,
) -> None:
    """Load BOMs, roll up rare-earth content, evaluate the rules, report, and exit with the verdict.

    Exit status: 0 nothing at or above --fail-on; 1 something is; 2 the run could not be trusted.
    """
    from bomaudit.render import BINARY, SUFFIXES, render
    from bomaudit.scan import scan as run_scan

    chosen = fmt.value if fmt is not None else SUFFIXES.get(output.suffix.lower(), "table") if output is not None else "table"
    if output is not None:
        _check_output(output, [*files, *(parts or [])])
    if chosen in BINARY and output is None and sys.stdout.isatty():
        _usage(f"--format {chosen} writes a binary workbook", f"add -o report.{chosen}")
    options = _options(
        files,
        parts,
        sheet,
        mapping,
        assembly,
        as_of,
        decimal_comma,
        no_header,
        threshold=parse_threshold(threshold),
        basis=basis.value,
        rules=rules,
        unknown_origin=unknown_origin.value,
        end_use=end_use.value,
        max_rows=max_rows,
        max_unpacked_mb=max_unpacked_mb,
    )
    with Progress(enabled=sys.stderr.isatty() and not quiet) as progress:
        result = _run(debug, run_scan, options, progress)
        progress(f"writing {chosen}")
        color = _color() and output is None
        width = shutil.get_terminal_size((160, 24)).columns if sys.stdout.isatty() else 160
        text = _run(debug, render, chosen, result, show_all=show_all, color=color, width=width)
    code = exit_code(result, fail_on, fail_scope)
    if output is not None:
        _run(debug, write_atomic, output, text)
    elif not (quiet and chosen == "table"):
        if isinstance(text, str):
            typer.echo(text, nl=False)
        else:
            from bomaudit.render import chunks

            for chunk in chunks(text):
                sys.stdout.buffer.write(chunk)
            sys.stdout.flush()
    _warnings(result.issues, quiet)
    if output is not None and not quiet:
        from bomaudit.render.table import summary_line

        typer.echo(f"{summary_line(result)} · report written to {output}", err=True)
    raise typer.Exit(code)


def _check_output(output: Path, inputs: list[str]) -> None:
    target = output.resolve()
    for name in inputs:
        if name != "-" and Path(name).resolve() == target:
            _usage(f"--output {output} is one of the input files", "write the report to another path")
    if output.exists() and output.is_dir():
        _usage(f"--output {output} is a folder", "name a file")
    if not output.parent.exists() and str(output.parent):
        _usage(f"--output {output}: folder {output.parent} does not exist", "create it first")


@app.command()
def validate(
    files: FilesArg,
    parts: PartsOpt = None,
    sheet: SheetOpt = None,
    mapping: MapOpt = None,
    assembly: AssemblyOpt = None,
    as_of: AsOfOpt = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")] = False,
    decimal_comma: DecimalCommaOpt = False,
    no_header: NoHeaderOpt = False,
    max_rows: MaxRowsOpt = 50_000_000,
    max_unpacked_mb: MaxUnpackedOpt = 2048,
    debug: DebugOpt = False,
) -> None:
    """Load and check the data only (shapes, columns, units, cycles, conflicts); no verdicts.

    Exit status: 0 the data can be scanned; 2 it cannot (each problem on standard error).
    """
    from bomaudit.rollup import RollupOptions, rollup
    from bomaudit.rules import load_pack
    from bomaudit.scan import load_bom

    options = _options(files, parts, sheet, mapping, assembly, as_of, decimal_comma, no_header, max_rows=max_rows, max_unpacked_mb=max_unpacked_mb)
    bom = _run(debug, load_bom, options)
    rolled = _run(debug, rollup, bom, RollupOptions(controlled=load_pack().controlled))
    if not quiet:
        typer.echo(_validation_text(bom, rolled), nl=False)
    _warnings([*bom.warnings, *rolled.warnings], quiet)
    raise typer.Exit(EXIT_OK)


class RulesFormat(StrEnum):
    table = "table"
    json = "json"


@app.command()
def rules(
    as_of: AsOfOpt = None,
    rules_file: Annotated[str | None, typer.Option("--rules", metavar="FILE", help="A rule pack file instead of the built-in one.")] = None,
    fmt: Annotated[RulesFormat, typer.Option("--format", "-f", help="table or json.")] = RulesFormat.table,
    debug: DebugOpt = False,
) -> None:
    """The rule pack: elements, rules, thresholds, effective and suspension dates, status on --as-of, sources.

    Exit status: 0 the pack is valid; 2 it is malformed (the file, the key and what was expected).
    """
    from bomaudit.render.rules import render_rules_json, render_rules_table
    from bomaudit.rules import load_pack, pack_warnings

    on = parse_date(as_of)
    pack = _run(debug, load_pack, rules_file)
    if fmt is RulesFormat.json:
        typer.echo(render_rules_json(pack, on), nl=False)
    else:
        width = shutil.get_terminal_size((160, 24)).columns if sys.stdout.isatty() else 160
        typer.echo(render_rules_table(pack, on, color=_color(), width=width), nl=False)
    _warnings(pack_warnings(pack, on), quiet=False)


def _validation_text(bom, rolled) -> str:
    lines: list[str] = []
    for t in bom.tables:
        where = t.path + (f" [sheet {t.sheet}]" if t.sheet else "")
        extra = ", ".join(f"{k} {v}" for k, v in t.details.items() if k != "sheet")
        header = f"header on row {t.header_row}" if t.header_row is not None else "no header row"
        lines.append(f"{where}: {t.role}, {t.shape} shape, {header}, {t.rows_read} data rows read, {t.rows_used} used" + (f" ({extra})" if extra else ""))
        for header, meaning in t.columns.items():
            lines.append(f"  {header!r} → {meaning}")
        if t.ignored:
            lines.append(f"  not used: {', '.join(map(repr, t.ignored))}")
    kinds = rolled.skus["kind"].value_counts().sort("kind")
    counts = ", ".join(f"{n} {k}(s)" for k, n in kinds.iter_rows())
    unknown = int(rolled.skus.filter(rolled.skus["kind"] == "part")["has_unknown"].sum())
    lines.append(f"graph: {rolled.skus.height} SKUs ({counts}), {rolled.links} parent→child links, no cycles")
    lines.append(f"elements with data: {', '.join(rolled.elements) or 'none'}; parts with missing data: {unknown}")
    return "\n".join(lines) + "\n"


def main() -> None:
    app()


if __name__ == "__main__":
    main()
