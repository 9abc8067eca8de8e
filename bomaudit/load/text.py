"""Delimited text: CSV, TSV, TXT and standard input.

Encoding: UTF-8 (with or without BOM), UTF-16 with BOM (Excel's "Unicode text"), else cp1252
with a warning. Delimiter sniffed among ``,`` ``;`` tab ``|``. Polars parses the common case;
Python's csv module takes over for files Polars refuses (blank lines, ragged rows, stray quotes),
keeping the length and first line of each record so that problems can be named by row:

* a row with a value beyond the header's last field (an unquoted delimiter inside a field) is an
  error per row; extra fields that are empty (trailing delimiters) are ignored;
* a ``"`` inside a quoted field that is not doubled (EAGLE's ``"0.1" spacing"``) is read as a
  literal quote, with a warning; a quoted field never closed is an error;
* trailing footers (``Total``, ``key:,value`` metadata) are dropped with a warning, never counted;
* text that is a list rather than a table (Mendel90 assembly files) is refused with a hint.
"""

from __future__ import annotations

import bisect
import csv
import io
import re
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bomaudit.errors import MAX_LISTED, BomauditError, Location, Problem, listed, warning
from bomaudit.fields import interpret_header
from bomaudit.load.cleanup import drop_empty, header_not_found, header_warnings, no_header_error, row_cells, split_footer
from bomaudit.load.guard import MAX_COLUMNS, check_columns, check_lines, check_rows
from bomaudit.load.header import SCAN_ROWS, apply_header, find_header, looks_like_data, names_sku, rows_above
from bomaudit.load.interface import ROW, RawTable, ReadOptions
from bomaudit.load.source import is_binary
from bomaudit.load.tables import Piece, split_tables

if TYPE_CHECKING:
    import polars as pl

DELIMITERS = (",", ";", "\t", "|")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}


def decode(data: bytes, path: str) -> tuple[str, str, list[Problem]]:
    """Text, the encoding's name, and warnings."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8 (with BOM)", []
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16", []
        except UnicodeDecodeError:
            raise BomauditError.at("bad-encoding", "starts like UTF-16 text but is not valid UTF-16", "re-save it as UTF-8 CSV", file=path) from None
    if len(data) >= 4 and data[1:4:2] == b"\x00\x00" and data[0:4:2].count(0) == 0:
        return data.decode("utf-16-le", errors="replace"), "utf-16-le (no BOM)", []
    try:
        return data.decode("utf-8"), "utf-8", []
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        text = data.decode("cp1252", errors="replace")
        return (
            text,
            "cp1252",
            [
                warning(
                    "encoding-fallback",
                    f"not valid UTF-8 (first bad byte on line {line}); read as Windows-1252 (cp1252)",
                    hint="re-save as UTF-8 if accented names look wrong",
                    where=Location(file=path),
                )
            ],
        )


def sniff_delimiter(text: str, suffix: str) -> str:
    """The delimiter whose field count is most consistent over the first records."""
    sample = text[:65536]
    lines = [ln for ln in sample.splitlines()[: SCAN_ROWS * 4] if ln.strip()]
    if not lines:
        return "\t" if suffix == ".tsv" else ","
    best: tuple[float, int, str] | None = None
    for delim in DELIMITERS:
        try:
            counts = [len(r) for r in csv.reader(lines, delimiter=delim)]
        except csv.Error:
            continue
        width, freq = Counter(counts).most_common(1)[0]
        if width < 2:
            continue
        score = (freq / len(counts), width, delim)
        if best is None or score[:2] > best[:2]:
            best = score
    if best is None:
        return "\t" if suffix == ".tsv" else ","
    if suffix == ".tsv" and best[2] != "\t":
        return best[2]
    return best[2]


def read_text(path: str, data: bytes, digest: str, options: ReadOptions) -> list[RawTable]:
    import polars as pl

    text, raw, encoding, warnings = _decoded(data, path)
    if not text or text.isspace():
        raise BomauditError.at("empty-file", "the file is empty", "export the BOM again; it has no rows", file=path)
    refuse_non_tables(text, path)
    suffix = path[path.rfind(".") :].lower() if "." in path else ""
    delim = sniff_delimiter(text, suffix)
    frame = None
    records: _Records | None = None
    raw = raw.rstrip(b"\r\n")
    first_end = raw.find(b"\n")
    check_columns(raw[: first_end if first_end >= 0 else len(raw)].count(delim.encode()) + 1, path, 1)  # before Polars makes the columns
    if b"\n\n" not in raw and b"\n\r\n" not in raw:
        # Polars refuses rows longer than the first, and stray quotes: those go to the csv module
        try:
            frame = pl.read_csv(
                raw,
                has_header=False,
                separator=delim,
                infer_schema=False,
                quote_char='"',
                raise_if_empty=False,
            )
        except Exception:
            frame = None
    if frame is None:
        records = _read_records(text.rstrip("\r\n"), delim, path)
        frame = records.frame()
    frame = frame.rename({c: f"c{i}" for i, c in enumerate(frame.columns)})
    header_index, named = _header(frame, options, path)
    if header_index is not None and header_index > 0 and records is None:
        # title rows above the header: record lengths are needed to find rows longer than the header
        records = _read_records(text.rstrip("\r\n"), delim, path)
        frame = records.frame()
    if records is not None and header_index is not None:
        mended = records.mend_unquoted(header_index, delim, path)
        if mended is not None:
            warnings.append(mended)
            frame = records.frame()
    table, header_row = apply_header(frame, header_index, 1, options.no_header)
    if header_index is not None:
        warnings.extend(header_warnings(list(frame.row(header_index)), [c for c in table.columns if c != ROW], path, None, header_row))
    table = drop_empty(table)
    pieces, notes = split_tables(table, list(frame.row(header_index)), path, None) if header_index is not None else ([Piece(table, None, [])], [])
    warnings.extend(notes)
    if records is not None:
        warnings.extend(records.stray_quote_warnings(path))
    details = {"encoding": encoding, "delimiter": DELIMITER_NAMES[delim]}
    out: list[RawTable] = []
    for piece in pieces:
        part, footer = split_footer(drop_empty(piece.frame) if len(pieces) > 1 else piece.frame, path, None)
        warnings.extend(footer)
        if records is not None and header_index is not None:
            records.check_widths(part, header_index if piece.header_row is None else piece.header_row - 1, delim, path, named or piece.header_row is not None)
        if piece.header_row is None:
            above = [] if options.no_header else rows_above(frame, header_index, 1)
            out.append(RawTable(path, None, digest, part, header_row, warnings, details, above=above))
        else:
            out.append(RawTable(path, None, digest, part, piece.header_row, [], dict(details), above=piece.above))
    check_rows(sum(t.frame.height for t in out), path, None, options.limits)
    return out


def _header(frame: pl.DataFrame, options: ReadOptions, path: str) -> tuple[int | None, bool]:
    """The header's index among the frame's rows (None with --no-header or no rows), and whether
    it names the part number. A row that looks like data is no header; neither is a lone title."""
    if options.no_header:
        return None, False
    rows = [list(r) for r in frame.head(SCAN_ROWS).rows()]
    index = find_header(rows, options.mapped_headers)
    if index is None:
        return None, False
    if looks_like_data(rows[index], options.mapped_headers):
        raise no_header_error(path, None, index + 1)
    named = names_sku(rows[index], options.mapped_headers)
    # (a blank header row, above lines of data, is no title: its columns are told apart by their values)
    lone = sum(c is not None and str(c).strip() != "" for c in rows[index]) == 1
    # a lone title, when rows below hold a table: the header is further down, if anywhere
    if not named and lone and frame.width > 1 and frame.select(row_cells(frame.columns)[0].max()).item() >= 2:
        raise header_not_found(path, None)
    return index, named


def _decoded(data: bytes, path: str) -> tuple[str, bytes, str, list[Problem]]:
    """The text, the same text as UTF-8 bytes (for Polars), the encoding's name and warnings.
    Binary data and lines longer than any BOM's are refused here, before anything is parsed. A
    file whose lines end with a lone CR (old Mac exports) has them read as line ends."""
    if is_binary(data):
        raise BomauditError.at("binary", "holds binary data, not delimited text", "export the BOM as CSV or XLSX", file=path)
    text, encoding, warnings = decode(data, path)
    cr_only = "\n" not in text and "\r" in text
    if cr_only:
        text = text.replace("\r", "\n")
    # UTF-8 input goes to Polars as it came (no encoding back); tests on bytes are memchr-fast
    as_came = encoding.startswith("utf-8") and not cr_only
    raw = (data[3:] if encoding == "utf-8 (with BOM)" else data) if as_came else text.encode("utf-8")
    check_lines(raw, path)
    return text, raw, encoding, warnings


# --- files that are not tables ----------------------------------------------------------

_MENDEL_SECTIONS = ("vitamins:", "printed:", "sub-assemblies:")
_COUNT_LINE = re.compile(r"^\s*\d+(\.\d+)?\s+\S")


def refuse_non_tables(text: str, path: str) -> None:
    """Refuse text that is a list rather than a delimited table, naming what it looks like."""
    lines = [ln.rstrip() for ln in text[:200_000].splitlines()[:2000]]
    stripped = {ln.strip().lower() for ln in lines}
    found = [s for s in _MENDEL_SECTIONS if s in stripped]
    if "vitamins:" in found:
        matrix = sum(ln.count("|") >= 3 for ln in lines) > 3
        kind = "a Mendel90 where-used matrix" if matrix else "a Mendel90 assembly list"
        sections = ", ".join(repr(s.capitalize()) for s in found)
        hint = (
            "use the per-assembly files instead: convert them to one CSV with columns parent,sku,qty"
            if matrix
            else "convert it to CSV with columns parent,sku,qty: its first line names the parent, each 'N name' line is a child and its quantity"
        )
        raise BomauditError.at("not-a-table", f"is not a delimited table: looks like {kind} (sections {sections})", hint, file=path)
    body = [ln for ln in lines if ln.strip()]
    if len(body) >= 3 and interpret_header(body[0]) is None and not any(d in ln for ln in body for d in DELIMITERS):
        counted = sum(bool(_COUNT_LINE.match(ln)) for ln in body)
        if counted * 2 > len(body):
            raise BomauditError.at(
                "not-a-table",
                "is not a delimited table: its lines look like 'quantity name' separated by spaces",
                "convert it to CSV with columns sku,qty",
                file=path,
            )


# --- records through the csv module ----------------------------------------------------


@dataclass(slots=True)
class _Records:
    rows: list[list[str]]
    #: line of the file on which each record starts (a quoted field may span lines)
    lines: list[int]
    #: lines holding a '"' inside a quoted field that was read as a literal quote
    stray: list[int]

    def frame(self) -> pl.DataFrame:
        import polars as pl

        width = max((len(r) for r in self.rows), default=0)
        columns = [[(r[i] if i < len(r) and r[i] != "" else None) for r in self.rows] for i in range(width)]
        return pl.DataFrame({f"c{i}": col for i, col in enumerate(columns)}, schema={f"c{i}": pl.String for i in range(width)})

    def row_of_line(self, line: int) -> int:
        return bisect.bisect_right(self.lines, line)

    def stray_quote_warnings(self, path: str) -> list[Problem]:
        rows = sorted({self.row_of_line(ln) for ln in self.stray})
        if not rows:
            return []
        return [
            warning(
                "stray-quote",
                (f"rows {listed(rows)}: " if len(rows) > 1 else "") + "a '\"' inside a quoted field is not doubled: read as a literal quote (an inch mark)",
                hint='check those cells; write "" for a quote inside a quoted field',
                where=Location(file=path, row=rows[0]),
            )
        ]

    def mend_unquoted(self, header_index: int, delim: str, path: str) -> Problem | None:
        """Rows one or more fields too wide because a text field (a description) holding the
        delimiter was not quoted: when, on every such row, exactly one text column is followed by
        pieces that each start with a space ("HSG, BEARING", "6mm OD, 8mm Length"), those pieces
        are put back into it, with a warning naming the rows; otherwise nothing changes (and
        :meth:`check_widths` refuses the rows). A number column never takes a piece."""
        header = self.rows[header_index]
        width = len(header)
        text_columns = [j for j, h in enumerate(header) if _holds_text(h)]
        fixes: dict[int, list[str]] = {}
        for index in range(header_index + 1, len(self.rows)):
            record = self.rows[index]
            if len(record) <= width or not any(cell.strip() for cell in record[width:]):
                continue
            extra = len(record) - width
            starts = [j for j in text_columns if record[j].strip() and all(p[:1] == " " for p in record[j + 1 : j + 1 + extra])]
            if len(starts) != 1:
                return None
            j = starts[0]
            fixes[index] = [*record[:j], delim.join(record[j : j + extra + 1]), *record[j + extra + 1 :]]
        if not fixes:
            return None
        for index, record in fixes.items():
            self.rows[index] = record
        rows = [index + 1 for index in fixes]
        return warning(
            "unquoted-delimiter",
            f"row(s) {listed(rows)} have more fields than the header: a text field holding a {DELIMITER_NAMES[delim]} was not quoted; "
            f"the pieces after it, each starting with a space, are read back into it",
            hint="check those rows; quote fields that hold the delimiter when exporting",
            where=Location(file=path, row=rows[0]),
        )

    def check_widths(self, table: pl.DataFrame, header_index: int, delim: str, path: str, named: bool = True) -> None:
        """An error for each data row with a value beyond the header's last field: a field
        holding the delimiter was not quoted, so every value after it moved one column right.
        When the header names no part number (``named``), it is not a header but a title or
        prose: one error says no header was found."""
        width = len(self.rows[header_index])
        wanted = set(table[ROW].to_list())
        problems: list[Problem] = []
        for index, record in enumerate(self.rows):
            row = index + 1
            if index <= header_index or len(record) <= width or row not in wanted:
                continue
            if not any(cell.strip() for cell in record[width:]):
                continue  # only empty fields past the header: trailing delimiters
            extra = len(record) - width
            line = self.lines[index]
            where = f" (line {line} of the file)" if line != row else ""
            problems.append(
                Problem(
                    "extra-fields",
                    f"this row{where} has {len(record)} fields but the header has {width}: a field holding a {DELIMITER_NAMES[delim]} is not quoted, "
                    "so the values after it are in the wrong columns",
                    hint=_quote_hint(record, extra, delim),
                    where=Location(file=path, row=row),
                )
            )
        if problems and not named:
            raise header_not_found(path, None)
        if problems:
            if len(problems) > MAX_LISTED:
                rest = len(problems) - MAX_LISTED
                more = Problem("extra-fields", f"{rest} more rows like these", hint="quote the fields that hold the delimiter", where=Location(file=path))
                problems = [*problems[:MAX_LISTED], more]
            raise BomauditError(problems)


def _holds_text(header: str) -> bool:
    """Whether a header's column holds free text (a description, a name, a title, or a header
    bomaudit does not know), never a number, a quantity, a level or a part number."""
    from bomaudit.fields import interpret_header

    meaning = interpret_header(header)
    return bool(header.strip()) and (meaning is None or meaning.field in ("description", "value", "category"))


def _quote_hint(record: list[str], extra: int, delim: str) -> str:
    # the field that was split is most likely the one followed by a piece starting with a space ("6mm OD, 8mm Length")
    for i in range(1, len(record) - extra + 1):
        pieces = record[i : i + extra]
        if all(p[:1] == " " for p in pieces) and record[i - 1].strip():
            joined = delim.join(record[i - 1 : i + extra])
            if len(joined) > 70:
                joined = joined[:67] + "…"
            return f'put double quotes round the field, e.g. "{joined}", or remove the {DELIMITER_NAMES[delim]}'
    return f"put double quotes round the field that holds a {DELIMITER_NAMES[delim]}, or remove it"


def _parse(text: str, delim: str, strict: bool = True) -> tuple[list[list[str]], list[int]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim, strict=strict)
    rows: list[list[str]] = []
    lines: list[int] = []
    last = 0
    for record in reader:
        rows.append(record)
        lines.append(last + 1)
        last = reader.line_num
    return rows, lines


def _read_records(text: str, delim: str, path: str) -> _Records:
    """The records of ``text`` through the csv module; a row wider than any spreadsheet is refused."""
    records = _parse_records(text, delim, path)
    if max(map(len, records.rows), default=0) > MAX_COLUMNS:
        row, wide = next((i + 1, len(r)) for i, r in enumerate(records.rows) if len(r) > MAX_COLUMNS)
        check_columns(wide, path, row)
    return records


def _parse_records(text: str, delim: str, path: str) -> _Records:
    try:
        rows, lines = _parse(text, delim)
        return _Records(rows, lines, [])
    except csv.Error:
        pass
    fixed, stray = repair_stray_quotes(text, delim)
    try:
        rows, lines = _parse(fixed, delim)
    except csv.Error:
        start = _unclosed_quote(fixed, delim)
        if start is not None:
            row, line = start
            raise BomauditError.at(
                "bad-csv",
                "a quoted field on this row" + (f" (line {line} of the file)" if line != row else "") + " is never closed: it runs to the end of the file",
                'close the quote, or write "" for a quote inside a quoted field',
                file=path,
                row=row,
            ) from None
        try:
            rows, lines = _parse(fixed, delim, strict=False)
        except csv.Error as exc:
            raise BomauditError.at("bad-csv", f"cannot be read as delimited text ({exc})", "check the quoting", file=path) from None
    return _Records(rows, lines, stray)


def _unclosed_quote(text: str, delim: str) -> tuple[int, int] | None:
    """(row, line) where the record holding a never-closed quoted field starts."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim, strict=True)
    last = 0
    rows = 0
    try:
        for _ in reader:
            rows += 1
            last = reader.line_num
    except csv.Error as exc:
        return (rows + 1, last + 1) if "unexpected end of data" in str(exc) else None
    return None


def repair_stray_quotes(text: str, delim: str) -> tuple[str, list[int]]:
    """Double each '"' inside a quoted field that neither closes it (followed by the delimiter or
    a line end) nor is doubled already: EAGLE writes ``"0.1" spacing"``. Returns the text and the
    lines where this was done. Quotes in unquoted fields are left alone (the csv module reads them
    literally)."""
    out: list[str] = []
    stray: list[int] = []
    pos = 0
    line = 1
    in_quotes = False
    at_start = True
    pattern = re.compile('["\n' + re.escape(delim) + "]")
    closing = re.compile('"(' + re.escape(delim) + "|\r?$)")
    n = len(text)
    for m in pattern.finditer(text):
        i = m.start()
        if i < pos:
            continue  # the second quote of a doubled pair
        c = text[i]
        if in_quotes:
            if c == "\n":
                line += 1
            elif c == '"':
                nxt = text[i + 1] if i + 1 < n else ""
                if nxt == '"':
                    out.append(text[pos : i + 2])
                    pos = i + 2
                    continue
                eol = text.find("\n", i + 1)
                rest = text[i + 1 : eol if eol >= 0 else n]
                if nxt in (delim, "\r", "\n", "") or not closing.search(rest):
                    # closes the field; when text follows, the csv module's lenient reading decides
                    in_quotes = False
                    at_start = False
                else:
                    # the field closes later on this line: this quote is part of the text
                    out.append(text[pos:i] + '""')
                    pos = i + 1
                    stray.append(line)
            continue
        if c == '"':
            if at_start and text[i - 1 : i] in ("", delim, "\n"):
                in_quotes = True
            at_start = False
        elif c == "\n":
            line += 1
            at_start = True
        else:
            at_start = True
    out.append(text[pos:])
    return "".join(out), stray
