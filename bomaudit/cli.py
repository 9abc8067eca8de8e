"""The command line: options → core → render → exit code. Only this module prints or exits.

Polars, openpyxl and the Rich console are imported inside the commands, so ``--help`` and
``--version`` stay fast.

Ctrl-C always ends a run with ``error: interrupted`` on standard error and exit status 130:
while a command runs (:class:`InterruptibleGroup`; Typer alone exits 130 without a word) and
while this module is still being imported (:func:`interrupted_hook`, installed before Typer
is imported, which is most of the start-up time).
"""

from __future__ import annotations

import datetime as dt
import math
import os
import shutil
import sys
from dataclasses import replace
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

INTERRUPTED = "error: interrupted"
EXIT_INTERRUPTED = 130


def interrupted_hook(kind: type[BaseException], value: BaseException, tb: Any) -> None:
    """``sys.excepthook`` for a KeyboardInterrupt no command caught (Ctrl-C during start-up):
    the one line, exit status 130, no traceback. Other exceptions go to Python's own hook."""
    if not issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, value, tb)
        return
    sys.stderr.write(INTERRUPTED + "\n")
    sys.stderr.flush()
    os._exit(EXIT_INTERRUPTED)


if sys.excepthook is sys.__excepthook__:
    sys.excepthook = interrupted_hook

# the imports below take most of the start-up time: Ctrl-C during them reaches the hook above
import typer  # noqa: E402
from typer.core import TyperGroup  # noqa: E402

from bomaudit import __version__  # noqa: E402
from bomaudit.errors import BomauditError, Problem  # noqa: E402
from bomaudit.render import CheckFormat, Format  # noqa: E402
from bomaudit.vocab import Alternates, Basis, EndUse, FailOn, FailScope, OnOff, SkuMatch, UnknownOrigin  # noqa: E402

if TYPE_CHECKING:
    from bomaudit.audit import Audit, AuditOptions
    from bomaudit.render import Rendered


def _interrupted() -> NoReturn:
    typer.echo(INTERRUPTED, err=True)
    raise typer.Exit(EXIT_INTERRUPTED)


class InterruptibleGroup(TyperGroup):
    """Typer's group of commands, saying so when Ctrl-C stops a run: Typer turns a KeyboardInterrupt
    into exit status 130 silently, wherever it arrives (parsing the options, importing Polars,
    reading, rendering, writing)."""

    def make_context(self, info_name: str | None, args: list[str], parent: Any = None, **extra: Any) -> Any:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except KeyboardInterrupt:
            _interrupted()

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            _interrupted()


app = typer.Typer(
    cls=InterruptibleGroup,
    name="bomaudit",
    help="Which SKUs of a bill of materials fall under China's 2025 rare-earth export controls.",
    no_args_is_help=True,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

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


#: a bare threshold at or above this is almost surely meant as a percentage (0.1 for 0.1 %)
AMBIGUOUS_THRESHOLD = 0.01


def parse_threshold(text: str | None) -> float | None:
    """``0.001`` or ``0.1%`` → 0.001. A bare number of 0.01 or more is refused as ambiguous:
    ``--threshold 0.1`` would be 10 %, a hundred times the rule's 0.1 %."""
    if text is None:
        return None
    raw = text.strip()
    percent = raw.endswith("%")
    number = raw[:-1].strip() if percent else raw
    try:
        value = float(number)
    except ValueError:
        _usage(f"--threshold {text!r} is not a number", "write 0.001 or 0.1%")
    if not math.isfinite(value) or "_" in number:
        _usage(f"--threshold {text!r} is not a number", "write 0.001 or 0.1%")
    if not percent and value >= AMBIGUOUS_THRESHOLD:
        _usage(f"--threshold {text!r} is ambiguous: as a fraction it is {value * 100:g} %", f"write {text.strip()}% for a percentage, or 0.001 for 0.1 %")
    if percent:
        value /= 100
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
    list[str], typer.Argument(help="BOM files: .csv .tsv .txt .xlsx .xlsm .xls .parquet, or - for CSV on standard input.", show_default=False, metavar="FILE")
]
PartsOpt = Annotated[
    list[str] | None, typer.Option("--parts", metavar="FILE", help="Part attribute file (mass, composition, origin…) joined on sku. Repeatable.")
]
SkuMatchOpt = Annotated[
    SkuMatch,
    typer.Option("--sku-match", help="Joining --parts rows to BOM SKUs: strict refuses near-misses, loose joins them (an assumption), exact only warns."),
]
SheetOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--sheet",
        metavar="NAME",
        help="Worksheet to read; repeatable: those sheets, as sub-assemblies (default: every visible sheet with a part-number header).",
    ),
]
MapOpt = Annotated[list[str] | None, typer.Option("--map", metavar="FIELD=HEADER", help="Use column HEADER as FIELD, e.g. --map sku='Part Name'. Repeatable.")]
AssemblyOpt = Annotated[str | None, typer.Option("--assembly", metavar="NAME", help="Name of the top item of a flat BOM (default: the file's stem).")]
AsOfOpt = Annotated[str | None, typer.Option("--as-of", metavar="DATE", help="Date (YYYY-MM-DD) for effectivity and rules in force (default: today).")]
DecimalCommaOpt = Annotated[bool, typer.Option("--decimal-comma", help="Read 1,5 as 1.5 (European exports).")]
NoHeaderOpt = Annotated[bool, typer.Option("--no-header", help="The file has no header row; name columns by number in --map (sku=3).")]
DebugOpt = Annotated[bool, typer.Option("--debug", help="Show a traceback on internal errors.")]
MaxRowsOpt = Annotated[int, typer.Option("--max-rows", min=1, metavar="N", help="Refuse a table with more data rows than this.")]
MaxUnpackedOpt = Annotated[int, typer.Option("--max-unpacked-mb", min=1, metavar="MB", help="Refuse a workbook whose parts really unpack to more than this.")]
MaxCellsOpt = Annotated[
    int, typer.Option("--max-cells", min=1, metavar="N", help="Refuse a worksheet whose used range (rows × columns) has more cells than this.")
]
MaxInputOpt = Annotated[
    int, typer.Option("--max-input-mb", min=1, metavar="MB", help="Refuse standard input, or a file read whole (not lazily), bigger than this.")
]


ThresholdOpt = Annotated[str | None, typer.Option("--threshold", metavar="X", help="Threshold as 0.001 or 0.1% (default: the rule pack's).")]
BasisOpt = Annotated[Basis, typer.Option("--basis", help="What the fraction is a share of.")]
RulesOpt = Annotated[str | None, typer.Option("--rules", metavar="FILE", help="A rule pack file instead of the built-in one.")]
UnknownOriginOpt = Annotated[UnknownOrigin, typer.Option("--unknown-origin", help="Count content of unknown origin as Chinese (said so), or mark it unknown.")]
EndUseOpt = Annotated[EndUse, typer.Option("--end-use", help="End use of the shipment.")]
OutputOpt = Annotated[Path | None, typer.Option("--output", "-o", metavar="PATH", help="Write the report there, atomically.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")]
AssumeFreeOpt = Annotated[
    bool,
    typer.Option("--assume-free-unlisted", help="Parts with no composition data count as free of controlled rare earths (an assumption, listed on every SKU)."),
]

AlternatesOpt = Annotated[Alternates, typer.Option("--alternates", help="How a group of alternate lines ('OR' between them) counts.")]
EstimatesOpt = Annotated[
    OnOff, typer.Option("--estimates", help="Estimate parts with no composition data from their text with the materials library (shown as estimates).")
]
MaterialsOpt = Annotated[
    list[str] | None,
    typer.Option("--materials", metavar="FILE", help="A materials file adding classes to the library (or replacing one of the same id); repeatable."),
]


def _audit_settings(
    sku_match: SkuMatch,
    threshold: str | None,
    basis: Basis,
    rules: str | None,
    unknown_origin: UnknownOrigin,
    end_use: EndUse,
    assume_free_unlisted: bool,
    alternates: Alternates,
    estimates: OnOff = OnOff.on,
    materials: list[str] | None = None,
) -> dict[str, object]:
    """The AuditOptions fields that scan and validate set beyond the input options."""
    return {
        "sku_match": sku_match,
        "threshold": parse_threshold(threshold),
        "basis": basis,
        "rules": rules,
        "unknown_origin": unknown_origin,
        "end_use": end_use,
        "assume_free_unlisted": assume_free_unlisted,
        "alternates": alternates,
        "estimates": estimates is not OnOff.off,
        "materials": tuple(materials or ()),
    }


def _input_options(
    *,
    files: list[str],
    parts: list[str] | None,
    sheet: list[str] | None,
    mapping: list[str] | None,
    assembly: str | None,
    as_of: str | None,
    decimal_comma: bool,
    no_header: bool,
    max_rows: int,
    max_unpacked_mb: int,
    max_cells: int,
    max_input_mb: int,
) -> AuditOptions:
    """What to read and how: the options every command that reads BOMs shares (the rule options
    are added with ``dataclasses.replace``)."""
    from bomaudit.audit import AuditOptions, Limits

    if files.count("-") + (parts or []).count("-") > 1:
        _usage("standard input (-) can be read only once")
    sheets = tuple(dict.fromkeys(sheet or ()))
    return AuditOptions(
        files=tuple(files),
        parts=tuple(parts or ()),
        sheet=sheets[0] if len(sheets) == 1 else None,
        sheets=sheets if len(sheets) > 1 else (),
        mapping=parse_map(mapping),
        assembly=assembly,
        as_of=parse_date(as_of),
        decimal_comma=decimal_comma,
        no_header=no_header,
        limits=Limits(max_unpacked_mb=max_unpacked_mb, max_rows=max_rows, max_cells=max_cells, max_input_mb=max_input_mb),
    )


def _run(debug: bool, func, *args, **kw):
    """Call into the core; domain errors become exit 2 with one line per problem (Ctrl-C is
    :class:`InterruptibleGroup`'s)."""
    try:
        return func(*args, **kw)
    except BomauditError as exc:
        _fatal(exc.problems)
    except Exception as exc:
        if debug:
            raise
        _fatal([Problem("internal", f"internal error: {type(exc).__name__}: {exc}", "run again with --debug and report it")])


def _warnings(problems: list[Problem], quiet: bool) -> None:
    if quiet:
        return
    for p in problems:
        typer.echo(f"warning: {p.line()}", err=True)


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


def _color() -> bool:
    return _stdout_is_terminal() and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"


def _stdout_is_terminal() -> bool:
    return sys.stdout is not None and sys.stdout.isatty()


# --- commands -------------------------------------------------------------------------


def _terminal_width() -> int:
    return shutil.get_terminal_size((160, 24)).columns if _stdout_is_terminal() else 160


def _emit(rendered: Rendered, output: Path | None, debug: bool) -> None:
    """The report to its file (atomically; a device in place) or to standard output. A reader that
    closes the pipe early (``| head``) leaves the exit status to the verdict."""
    from bomaudit.render.sink import write_file, write_stdout

    if output is not None:
        _run(debug, write_file, output, rendered)
    else:
        _run(debug, write_stdout, rendered)


def _chosen(fmt: Format | None, output: Path | None) -> Format:
    from bomaudit.render import format_for

    if fmt is not None:
        return fmt
    return (format_for(output.suffix) if output is not None else None) or Format.table


@app.command()
def scan(
    files: FilesArg,
    parts: PartsOpt = None,
    sku_match: SkuMatchOpt = SkuMatch.strict,
    sheet: SheetOpt = None,
    mapping: MapOpt = None,
    assembly: AssemblyOpt = None,
    threshold: ThresholdOpt = None,
    basis: BasisOpt = Basis.mass,
    as_of: AsOfOpt = None,
    rules: RulesOpt = None,
    unknown_origin: UnknownOriginOpt = UnknownOrigin.china,
    end_use: EndUseOpt = EndUse.civil,
    assume_free_unlisted: AssumeFreeOpt = False,
    alternates: AlternatesOpt = Alternates.worst,
    estimates: EstimatesOpt = OnOff.on,
    materials: MaterialsOpt = None,
    fmt: Annotated[Format | None, typer.Option("--format", "-f", help="Report format (default: table, or from --output's suffix).")] = None,
    output: OutputOpt = None,
    fail_on: Annotated[
        FailOn, typer.Option("--fail-on", help="Exit 1 when a verdict in --fail-scope is at or above this level (unknown: data missing fails too).")
    ] = FailOn.unknown,
    fail_scope: Annotated[FailScope, typer.Option("--fail-scope", help="Whose verdicts --fail-on looks at.")] = FailScope.products,
    show_all: Annotated[bool, typer.Option("--all", help="The table lists every SKU.")] = False,
    quiet: QuietOpt = False,
    decimal_comma: DecimalCommaOpt = False,
    no_header: NoHeaderOpt = False,
    max_rows: MaxRowsOpt = 50_000_000,
    max_unpacked_mb: MaxUnpackedOpt = 512,
    max_cells: MaxCellsOpt = 20_000_000,
    max_input_mb: MaxInputOpt = 512,
    debug: DebugOpt = False,
) -> None:
    """Load BOMs, roll up rare-earth content, evaluate the rules, report, and exit with the verdict.

    Exit status: 0 nothing at or above --fail-on; 1 something is; 2 the run could not be trusted.
    """
    from bomaudit.audit import audit
    from bomaudit.render import REPORTS, View

    chosen = _chosen(fmt, output)
    if output is not None:
        _check_output(output, [*files, *(parts or [])])
    if REPORTS[chosen].binary and output is None and _stdout_is_terminal():
        _usage(f"--format {chosen} writes a binary workbook", f"add -o report.{chosen}")
    base = _input_options(
        files=files,
        parts=parts,
        sheet=sheet,
        mapping=mapping,
        assembly=assembly,
        as_of=as_of,
        decimal_comma=decimal_comma,
        no_header=no_header,
        max_rows=max_rows,
        max_unpacked_mb=max_unpacked_mb,
        max_cells=max_cells,
        max_input_mb=max_input_mb,
    )
    options = replace(
        base,
        **_audit_settings(sku_match, threshold, basis, rules, unknown_origin, end_use, assume_free_unlisted, alternates, estimates, materials),
    )
    with Progress(enabled=sys.stderr is not None and sys.stderr.isatty() and not quiet) as progress:
        result: Audit = _run(debug, audit, options, progress)
        progress(f"writing {chosen}")
        view = View(show_all=show_all, color=_color() and output is None, width=_terminal_width())
        rendered = _run(debug, REPORTS[chosen].render, result, view)
    if output is not None or not (quiet and chosen is Format.table):
        _emit(rendered, output, debug)
    _warnings(result.issues, quiet)
    if output is not None and not quiet:
        from bomaudit.render.table import summary_line

        typer.echo(f"{summary_line(result)} · report written to {output}", err=True)
    raise typer.Exit(EXIT_FAIL if result.fails(fail_on, fail_scope) else EXIT_OK)


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
    sku_match: SkuMatchOpt = SkuMatch.strict,
    sheet: SheetOpt = None,
    mapping: MapOpt = None,
    assembly: AssemblyOpt = None,
    threshold: ThresholdOpt = None,
    basis: BasisOpt = Basis.mass,
    as_of: AsOfOpt = None,
    rules: RulesOpt = None,
    unknown_origin: UnknownOriginOpt = UnknownOrigin.china,
    end_use: EndUseOpt = EndUse.civil,
    assume_free_unlisted: AssumeFreeOpt = False,
    alternates: AlternatesOpt = Alternates.worst,
    fmt: Annotated[CheckFormat, typer.Option("--format", "-f", help="table (for people) or json (schema bomaudit.validation/1).")] = CheckFormat.table,
    output: OutputOpt = None,
    quiet: QuietOpt = False,
    decimal_comma: DecimalCommaOpt = False,
    no_header: NoHeaderOpt = False,
    max_rows: MaxRowsOpt = 50_000_000,
    max_unpacked_mb: MaxUnpackedOpt = 512,
    max_cells: MaxCellsOpt = 20_000_000,
    max_input_mb: MaxInputOpt = 512,
    debug: DebugOpt = False,
) -> None:
    """Load and check the data only (shapes, columns, units, cycles, conflicts); no verdicts.

    Takes scan's options, so a scan command line can be checked by changing its first word.
    Exit status: 0 the data can be scanned; 2 it cannot (each problem on standard error).
    """
    from bomaudit.audit import check
    from bomaudit.render import CHECKS, View

    if output is not None:
        _check_output(output, [*files, *(parts or [])])
    base = _input_options(
        files=files,
        parts=parts,
        sheet=sheet,
        mapping=mapping,
        assembly=assembly,
        as_of=as_of,
        decimal_comma=decimal_comma,
        no_header=no_header,
        max_rows=max_rows,
        max_unpacked_mb=max_unpacked_mb,
        max_cells=max_cells,
        max_input_mb=max_input_mb,
    )
    options = replace(
        base,
        **_audit_settings(sku_match, threshold, basis, rules, unknown_origin, end_use, assume_free_unlisted, alternates),
    )
    result = _run(debug, check, options)
    rendered = CHECKS[fmt].render(result, View(width=_terminal_width()))
    if output is not None or not quiet:
        _emit(rendered, output, debug)
    _warnings(result.issues, quiet)
    raise typer.Exit(EXIT_OK)


class RulesFormat(StrEnum):
    table = "table"
    json = "json"


@app.command()
def rules(
    as_of: AsOfOpt = None,
    rules_file: RulesOpt = None,
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
        _emit(render_rules_json(pack, on), None, debug)
    else:
        _emit(render_rules_table(pack, on, color=_color(), width=_terminal_width()), None, debug)
    _warnings(pack_warnings(pack, on), quiet=False)


@app.command()
def materials(
    materials_files: MaterialsOpt = None,
    fmt: Annotated[RulesFormat, typer.Option("--format", "-f", help="table or json.")] = RulesFormat.table,
    debug: DebugOpt = False,
) -> None:
    """The materials library used for estimates: classes, how they are recognised, element ranges, sources.

    Exit status: 0 the library is valid; 2 a --materials file is malformed (the file, the key and what was expected).
    """
    from bomaudit.materials import load_library
    from bomaudit.render.materials import render_library_json, render_library_table

    lib = _run(debug, load_library, tuple(materials_files or ()))
    if fmt is RulesFormat.json:
        _emit(render_library_json(lib), None, debug)
    else:
        _emit(render_library_table(lib, color=_color(), width=_terminal_width()), None, debug)


def main() -> None:
    try:
        app()
    except SystemExit as exc:
        if exc.code != EXIT_INTERRUPTED:
            raise
        # Python ends a process whose KeyboardInterrupt was once uncaught in code run through
        # PyRun_String (as extension modules' start-up code is) by killing it with SIGINT even
        # after a clean exit: the status would be -2, not 130. Everything is cleaned up by now.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(EXIT_INTERRUPTED)


if __name__ == "__main__":
    main()
