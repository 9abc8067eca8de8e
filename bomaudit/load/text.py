"""Delimited text: CSV, TSV, TXT and standard input.

Encoding: UTF-8 (with or without BOM), UTF-16 with BOM (Excel's "Unicode text"), else cp1252
with a warning. Delimiter sniffed among ``,`` ``;`` tab ``|``. Polars parses the common case;
Python's csv module takes over for files Polars refuses (ragged rows, stray quotes) so the
problem can be named by row.
"""

from __future__ import annotations

import csv
import io
from collections import Counter

from bomaudit.errors import BomauditError, Location, Problem, warning
from bomaudit.load import ROW, RawTable, ReadOptions
from bomaudit.load.guard import check_rows
from bomaudit.load.header import SCAN_ROWS, apply_header, find_header

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


def read_text(path: str, data: bytes, digest: str, options: ReadOptions) -> RawTable:
    import polars as pl

    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")) and not (len(data) >= 4 and data[1:4:2] == b"\x00\x00"):
        raise BomauditError.at("binary", "holds binary data, not delimited text", "export the BOM as CSV or XLSX", file=path)
    text, encoding, warnings = decode(data, path)
    if not text.strip():
        raise BomauditError.at("empty-file", "the file is empty", "export the BOM again; it has no rows", file=path)
    suffix = path[path.rfind(".") :].lower() if "." in path else ""
    delim = sniff_delimiter(text, suffix)
    frame = None
    body = text.rstrip("\r\n")
    if "\n\n" not in body and "\n\r\n" not in body:
        try:
            frame = pl.read_csv(
                body.encode("utf-8"),
                has_header=False,
                separator=delim,
                infer_schema=False,
                quote_char='"',
                raise_if_empty=False,
            )
        except Exception:
            frame = None
    if frame is None:
        frame = _read_with_csv_module(body, delim, path)
    frame = frame.rename({c: f"c{i}" for i, c in enumerate(frame.columns)})
    rows = frame.head(SCAN_ROWS).rows()
    header_index = None if options.no_header else find_header([list(r) for r in rows], options.mapped_headers)
    table, header_row = apply_header(frame, header_index, 1, options.no_header)
    table = _drop_empty(table)
    check_rows(table.height, path, None, options.limits)
    details = {"encoding": encoding, "delimiter": DELIMITER_NAMES[delim]}
    return RawTable(path, None, digest, table, header_row, warnings, details)


def _read_with_csv_module(text: str, delim: str, path: str):
    import polars as pl

    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delim, strict=False))
    except csv.Error as exc:
        raise BomauditError.at("bad-csv", f"cannot be read as delimited text ({exc})", "check the quoting", file=path) from None
    width = max((len(r) for r in records), default=0)
    columns = [[(r[i] if i < len(r) and r[i] != "" else None) for r in records] for i in range(width)]
    return pl.DataFrame({f"c{i}": col for i, col in enumerate(columns)}, schema={f"c{i}": pl.String for i in range(width)})


def _drop_empty(table):
    """Drop data rows and unnamed columns that are entirely empty (trailing blanks of exports)."""
    import polars as pl

    values = [c for c in table.columns if c != ROW]
    blank = [pl.col(c).is_null() | (pl.col(c).str.strip_chars() == "") for c in values]
    if values:
        table = table.filter(~pl.all_horizontal(blank))
    keep = [c for c in values if not (c.startswith("column ") and table[c].null_count() == table.height)]
    return table.select([*keep, ROW])
