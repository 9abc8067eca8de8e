"""Which sheets of a workbook (``.xlsx`` or ``.xls``) are read, and their tables.

With ``--sheet``, that sheet alone. Otherwise every visible sheet with values is parsed (at most
:data:`MAX_TRIED`), and every one whose header names a part-number column and that has rows
below it is read: a BOM spread over one sheet per subsystem is read whole, never just its first
sheet. Which of those sheets are sub-assemblies, part attributes or a summary repeating the others
is decided by ``normalise``, which knows the columns. Sheets not read are named in a warning with
the reason (hidden, no part-number header, no rows below the header). When no sheet has a
part-number header, the first sheet with rows is read, as a single-sheet workbook always was.

A format gives its workbook as a :class:`Book`: ``excel`` (XLSX, the zip's XML beside calamine)
and ``xls`` (Excel 97–2003, the BIFF records beside calamine).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from bomaudit.errors import MAX_LISTED, BomauditError, Location, Problem, listed, warning
from bomaudit.load.cleanup import drop_empty, header_warnings, no_header_error, split_footer
from bomaudit.load.guard import check_rows
from bomaudit.load.header import SCAN_ROWS, apply_header, find_header, looks_like_data, rows_above
from bomaudit.load.interface import ROW, RawTable, ReadOptions
from bomaudit.load.tables import Piece, split_tables

if TYPE_CHECKING:
    import polars as pl

#: sheets parsed, at most, while looking for the ones whose header names a part-number column
MAX_TRIED = 50

# calamine warns through Python's logging about what it passes over (an invalid number format in
# a damaged .xls); bomaudit says what matters itself, and standard error keeps one line per problem
logging.getLogger("calamine").addHandler(logging.NullHandler())


class Book(Protocol):
    """A workbook being read, as the sheet chooser needs it."""

    @property
    def path(self) -> str: ...
    @property
    def digest(self) -> str: ...
    @property
    def fmt(self) -> str:
        """``xlsx`` or ``xls``, for ``validate``'s details."""
        ...

    @property
    def names(self) -> list[str]:
        """Every sheet, in workbook order."""
        ...

    @property
    def hidden(self) -> frozenset[str]: ...

    def has_values(self, name: str) -> bool:
        """Whether the sheet holds any value (a sheet without is passed over without parsing it)."""
        ...

    def read(self, name: str) -> pl.DataFrame:
        """Every cell of the sheet's used range as text, as calamine reads it; an error naming the
        sheet when it is too big or cannot be read."""
        ...

    def place(self, name: str, frame: pl.DataFrame) -> tuple[pl.DataFrame, int]:
        """``frame`` with what calamine does not say put back (error cells' text, percentages as
        Excel shows them), and the row number of its first row in the sheet."""
        ...


@dataclass(frozen=True, slots=True)
class _Sheet:
    name: str
    frame: pl.DataFrame  # columns c0, c1…
    index: int | None  # the header's row in frame


def read_book(book: Book, options: ReadOptions) -> list[RawTable]:
    """The tables of the workbook's BOM sheets (see the module's description)."""
    if options.sheets:
        return _read_named(book, options)
    if options.sheet is not None or options.no_header:
        return _read_one(book, options)
    sheets = _parse_visible(book, options)
    if not sheets:
        raise BomauditError.at("empty-file", "the workbook has no rows", "check that you exported the right file", file=book.path)
    chosen = [s for s in sheets if _has_sku(s, options) and _has_rows(s)]
    if not chosen:  # no sheet names a part-number column: the first with rows, as always
        return _finish(book, sheets[0], options, _hidden_warnings(book))
    notes, unread = _not_read(sheets, chosen, book, options)
    group = tuple(s.name for s in chosen) if len(chosen) > 1 else ()
    tables = [t for s in chosen for t in _finish(book, s, options, group=group)]
    tables[0].warnings[:0] = [*_hidden_warnings(book), *notes]
    if unread:
        tables[0].details["sheets not read"] = unread
    return tables


def _parse_visible(book: Book, options: ReadOptions) -> list[_Sheet]:
    """Every visible sheet with values and rows, parsed; every visible sheet with values is looked
    at, so more than MAX_TRIED of them is an error rather than a sheet left unread."""
    names = _visible(book)
    with_values = [n for n in names if book.has_values(n)]
    if len(with_values) > MAX_TRIED:
        raise BomauditError.at(
            "no-bom-sheet",
            f"the workbook has {len(with_values):,} sheets with values, more than the {MAX_TRIED} bomaudit looks at: one not looked at could hold BOM lines",
            f"pass --sheet NAME to name the BOM sheet (the last one is {with_values[-1]!r}), or export the BOM as CSV",
            file=book.path,
        )
    out: list[_Sheet] = []
    for name in with_values:
        sheet = _parse(book, name, options)
        if sheet is not None:
            out.append(sheet)
    return out


def _parse(book: Book, name: str, options: ReadOptions) -> _Sheet | None:
    frame = book.read(name)
    if frame.width == 0 or frame.height == 0:
        return None
    frame = frame.rename({c: f"c{i}" for i, c in enumerate(frame.columns)})
    head = [list(r) for r in frame.head(SCAN_ROWS).rows()]
    index = None if options.no_header else find_header(head, options.mapped_headers)
    return _Sheet(name, frame, index)


def _read_named(book: Book, options: ReadOptions) -> list[RawTable]:
    """The sheets ``--sheet`` names (hidden or not), read together; ``normalise`` still checks
    what each is (a summary named with the sheets it repeats is refused)."""
    missing = [n for n in options.sheets if n not in book.names]
    if missing:
        raise BomauditError.at(
            "no-such-sheet",
            f"has no sheet named {', '.join(map(repr, missing))}; its sheets are {', '.join(map(repr, book.names))}",
            "pass those to --sheet",
            file=book.path,
        )
    tables = []
    for name in options.sheets:
        sheet = _parse(book, name, options)
        if sheet is None:
            raise BomauditError.at("empty-file", "the sheet has no rows", "check that you named the right sheet", file=book.path, sheet=name)
        tables.extend(_finish(book, sheet, options, group=options.sheets))
    for t in tables:
        t.details["chosen by"] = "--sheet"
    return tables


def _read_one(book: Book, options: ReadOptions) -> list[RawTable]:
    """``--sheet NAME``'s sheet; with ``--no-header`` and no ``--sheet``, the first visible sheet with rows."""
    if options.sheet is not None:
        if options.sheet not in book.names:
            raise BomauditError.at(
                "no-such-sheet",
                f"has no sheet named {options.sheet!r}; its sheets are {', '.join(map(repr, book.names))}",
                "pass one of those to --sheet",
                file=book.path,
            )
        sheet = _parse(book, options.sheet, options)
        if sheet is None:
            raise BomauditError.at("empty-file", "the workbook has no rows", "check that you exported the right file", file=book.path)
        return _finish(book, sheet, options)
    visible = _visible(book)
    for i, name in enumerate(visible[:MAX_TRIED]):
        sheet = _parse(book, name, options) if book.has_values(name) else None
        if sheet is not None:
            rest = [n for n in visible[i + 1 :] if book.has_values(n)]
            return _finish(book, sheet, options, [*_hidden_warnings(book), *_rest_not_read(book, rest)])
    raise BomauditError.at("empty-file", "the workbook has no rows", "check that you exported the right file", file=book.path)


def _rest_not_read(book: Book, rest: list[str]) -> list[Problem]:
    """Without a header there is no telling which sheets are BOMs: the first is read, and the others are named."""
    if not rest:
        return []
    return [
        warning(
            "sheet-not-read",
            f"with --no-header only the first sheet with rows is read: {len(rest):,} other sheet(s) with values not read ({listed([repr(n) for n in rest])})",
            hint="pass --sheet NAME to read another one",
            where=Location(file=book.path),
        )
    ]


def _visible(book: Book) -> list[str]:
    visible = [n for n in book.names if n not in book.hidden]
    if not visible:
        raise BomauditError.at(
            "all-sheets-hidden",
            f"every sheet of the workbook is hidden ({', '.join(map(repr, book.names))}): there is no sheet to choose",
            f"unhide the BOM sheet in Excel, or pass --sheet {book.names[0]!r} to read a hidden one",
            file=book.path,
        )
    return visible


def _hidden_warnings(book: Book) -> list[Problem]:
    """A warning for each hidden sheet, all of them passed over (none when ``--sheet`` chose)."""
    skipped = [name for name in book.names if name in book.hidden]
    out = [
        warning("hidden-sheet", f"sheet {name!r} is hidden: skipped", hint=f"pass --sheet {name!r} to read it", where=Location(file=book.path))
        for name in skipped[:MAX_LISTED]
    ]
    if len(skipped) > MAX_LISTED:
        more = f"{len(skipped) - MAX_LISTED:,} more hidden sheets skipped"
        out.append(warning("hidden-sheet", more, hint="pass --sheet NAME to read one", where=Location(file=book.path)))
    return out


def _has_sku(sheet: _Sheet, options: ReadOptions) -> bool:
    from bomaudit.fields import interpret_header, norm_header

    if sheet.index is None:
        return False
    wanted = {norm_header(h) for h in options.mapped_headers}
    cells = [c for c in sheet.frame.row(sheet.index) if c]
    return any(((m := interpret_header(c)) is not None and m.field == "sku") or norm_header(c) in wanted for c in cells)


def _has_rows(sheet: _Sheet) -> bool:
    """Whether any cell below the header holds something."""
    import polars as pl

    below = sheet.frame.slice((sheet.index or 0) + 1)
    if below.height == 0:
        return False
    return bool(below.select(pl.any_horizontal([pl.col(c).is_not_null() & (pl.col(c).str.strip_chars() != "") for c in below.columns]).any()).item())


def _not_read(sheets: list[_Sheet], chosen: list[_Sheet], book: Book, options: ReadOptions) -> tuple[list[Problem], str]:
    """Why each sheet parsed but not read was not: a warning for a sheet with a part-number header
    and no rows below it (a BOM sheet left empty), and, for ``validate`` and the report's inputs,
    the sheets without a part-number header (notes, suppliers…), which are ordinary."""
    empty = [s.name for s in sheets if s not in chosen and _has_sku(s, options)]
    other = [s.name for s in sheets if s not in chosen and not _has_sku(s, options)]
    out = [
        warning(
            "sheet-not-read",
            f"sheet {name!r} has a part-number header but no rows below it: not read",
            hint="check that the workbook is complete",
            where=Location(file=book.path, sheet=name),
        )
        for name in empty
    ]
    return out, ", ".join(f"{name!r}" for name in other) + " (no part-number header)" if other else ""


def _finish(book: Book, sheet: _Sheet, options: ReadOptions, before: list[Problem] | None = None, group: tuple[str, ...] = ()) -> list[RawTable]:
    """The table of ``sheet`` (header at its ``index``, None: not found), and a second table's below
    it (see :mod:`.tables`); ``before``: warnings to put first."""
    path, name, index = book.path, sheet.name, sheet.index
    frame, first = book.place(name, sheet.frame)
    check_rows(frame.height, path, name, options.limits)
    if index is not None and not options.no_header and looks_like_data(list(frame.row(index)), options.mapped_headers):
        raise no_header_error(path, name, first + index)
    table, header_row = apply_header(frame, index, first, options.no_header)
    warnings = (
        header_warnings(list(frame.row(index)), [c for c in table.columns if c != ROW], path, name, header_row)
        if index is not None and not options.no_header
        else []
    )
    table = drop_empty(table)
    pieces: list[Piece] = [Piece(table, None, [])]
    if index is not None and not options.no_header and not group:
        # (a sheet read with others is not cut: the workbook's plan knows each sheet as one table)
        pieces, notes = split_tables(table, list(frame.row(index)), path, name)
        warnings.extend(notes)
    details = {"format": book.fmt, "sheet": name}
    above = [] if options.no_header else rows_above(frame, index, first)
    out: list[RawTable] = []
    for piece in pieces:
        part, footer = split_footer(drop_empty(piece.frame) if len(pieces) > 1 else piece.frame, path, name)
        warnings.extend(footer)
        if piece.header_row is None:
            out.append(RawTable(path, name, book.digest, part, header_row, [*(before or []), *warnings], details, workbook_sheets=group, above=above))
        else:
            out.append(RawTable(path, name, book.digest, part, piece.header_row, [], dict(details), above=piece.above))
    return out
