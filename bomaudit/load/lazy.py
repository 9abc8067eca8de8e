"""Big CSV and Parquet files read lazily: only the columns bomaudit uses reach memory.

An ERP export is often dozens of columns wide when bomaudit needs four or five. For files of at
least ``ReadOptions.lazy_bytes`` this reader plans a Polars ``scan_csv``/``scan_parquet`` that
keeps the recognised and ``--map``-named columns, drops blank rows, and summarises the other
columns per row (has the row any content; for CSV, how many cells and the first one, which the
footer check needs), then collects it with the streaming engine. The file's bytes are never
held in Python. SHA-256 is computed by streaming the file.

A CSV that needs the careful reader (not UTF-8, blank lines inside, title rows above the header,
ragged rows, stray quotes, no header) returns ``None`` here, and the caller reads it whole as
before: the careful reader's diagnostics are not given up for speed.
"""

from __future__ import annotations

import hashlib
import mmap
from pathlib import Path
from typing import TYPE_CHECKING

from bomaudit.errors import BomauditError
from bomaudit.fields import names_a_part_number, norm_header
from bomaudit.load.cleanup import blank, footer_start, footer_warning, header_warnings, row_cells
from bomaudit.load.guard import check_columns, check_lines, check_rows
from bomaudit.load.header import SCAN_ROWS, find_header, looks_like_data, unique_headers, wanted_columns
from bomaudit.load.interface import CELLS, CONTENT, FIRST, ROW, RawTable, ReadOptions
from bomaudit.load.tables import header_words

if TYPE_CHECKING:
    import polars as pl

#: bytes of the file's start used to find the encoding, delimiter and header
HEAD_BYTES = 1 << 20
_CELLS = CELLS
_FIRST = FIRST


def file_sha256(path: str) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def read_parquet_lazy(path: str, head: bytes, options: ReadOptions) -> RawTable | None:
    """A :class:`~bomaudit.load.interface.LazyReader` (``head`` is not needed: the schema is read from
    the file); None when the part-number column must be chosen on evidence (the careful reader)."""
    import polars as pl

    digest = file_sha256(path)
    try:
        lf = pl.scan_parquet(path)
        columns = lf.collect_schema().names()
    except Exception as exc:
        raise BomauditError.at("bad-parquet", f"is not a readable Parquet file ({type(exc).__name__})", "export it again", file=path) from None
    names = unique_headers(list(columns))
    if not _identified(names, options):
        return None
    keep = wanted_columns(names, options.mapped_headers)
    plan = lf.with_row_index(ROW, offset=2).select(
        pl.col(ROW).cast(pl.Int64),
        *[pl.col(columns[i]).alias(names[i]) for i in keep],
        pl.any_horizontal([pl.col(c).is_not_null() for c in columns]).alias(CONTENT) if columns else pl.lit(False).alias(CONTENT),
        *_cells_of(lf, columns),
    )
    try:
        frame = plan.head(options.limits.max_rows + 1).collect(engine="streaming")
        rows = frame.height if frame.height <= options.limits.max_rows else lf.select(pl.len()).collect().item()
    except Exception as exc:
        raise BomauditError.at("bad-parquet", f"is not a readable Parquet file ({type(exc).__name__})", "export it again", file=path) from None
    check_rows(rows, path, None, options.limits)
    if _empty_part_numbers(frame, names, options):
        return None
    text_columns = [c for c in frame.columns if c in names and frame[c].dtype == pl.String]
    if len(text_columns) >= 2 and header_words(frame, text_columns).any():
        return None  # a second table's header, perhaps: the careful reader reads every column of it
    details = {"format": "parquet", "read": f"lazily, {len(keep)} of {len(names)} columns"}
    return RawTable(path, None, digest, frame, 1, [], details, all_headers=names)


def _cells_of(lf: pl.LazyFrame, columns: list[str]) -> list[pl.Expr]:
    """CELLS and FIRST over every column of a Parquet file, as the careful reader counts them:
    text cells blank when empty, other cells when null."""
    import polars as pl

    schema = lf.collect_schema()
    # (a typed cell is a number, a date, a list…: its text does not matter, only that it is there;
    # "0" names no heading, as a number does not for the careful reader)
    filled = [
        pl.when(pl.col(c).str.strip_chars() != "").then(pl.col(c).str.strip_chars())
        if schema[c] == pl.String
        else pl.when(pl.col(c).is_not_null()).then(pl.lit("0"))
        for c in columns
    ]
    if not filled:
        return [pl.lit(0).alias(CELLS), pl.lit(None, dtype=pl.String).alias(FIRST)]
    return [pl.sum_horizontal([e.is_not_null() for e in filled]).alias(CELLS), pl.coalesce(filled).alias(FIRST)]


def _sku_mapped(headers: list[str], options: ReadOptions) -> bool:
    wanted = options.sku_header
    return wanted is not None and any(h == wanted or norm_header(h) == norm_header(wanted) for h in headers)


def _empty_part_numbers(frame: pl.DataFrame, names: list[str], options: ReadOptions) -> bool:
    """A part-number column empty on every line (and no --map sku=): the careful reader chooses
    the identifier from the other columns, which this reader did not read."""
    return not _sku_mapped(names, options) and any(names_a_part_number(n) and frame[n].drop_nulls().len() == 0 for n in frame.columns if n in names)


def _identified(headers: list[str], options: ReadOptions) -> bool:
    """Whether the part-number column is known from the headers alone (a ``--map sku=`` header the
    file has, or a header naming a part number): if not, it is chosen on the evidence of columns
    this reader does not read, so the careful reader reads the file."""
    return _sku_mapped(headers, options) or any(names_a_part_number(h) for h in headers)


def read_text_lazy(path: str, head: bytes, options: ReadOptions) -> RawTable | None:
    """A :class:`~bomaudit.load.interface.LazyReader`: the table, or None when the file needs the
    careful reader (which then hashes it itself)."""
    import polars as pl

    from bomaudit.load.text import DELIMITER_NAMES

    _check_file_lines(path, head)
    start = _read_head(path, head, options)
    if start is None:
        return None
    delim, header, bom = start
    digest, blank_lines = _digest_and_blank_lines(path)
    if blank_lines:
        return None  # the careful reader numbers the rows around them

    names = unique_headers(header)
    lf = pl.scan_csv(path, has_header=False, separator=delim, infer_schema=False, quote_char='"')
    try:
        columns = lf.collect_schema().names()
    except Exception:
        return None
    if len(columns) != len(names):
        return None
    keep = wanted_columns(names, options.mapped_headers)
    # unnamed columns (trailing delimiters) count as headers only if they hold something
    unnamed = {i: f"__has{i}" for i, n in enumerate(names) if n.startswith("column ") and i not in keep}
    plan = _text_plan(lf, columns, names, keep, unnamed)
    try:
        frame = plan.head(options.limits.max_rows + 1).collect(engine="streaming")
        if frame.height > options.limits.max_rows:
            check_rows(plan.select(pl.len()).collect(engine="streaming").item(), path, None, options.limits)
    except BomauditError:
        raise
    except Exception:
        return None  # ragged rows, stray quotes, bytes that are not UTF-8: the careful reader says where
    if _empty_part_numbers(frame, names, options):
        return None
    text_columns = [c for c in frame.columns if c in names and frame[c].dtype == pl.String]
    if len(text_columns) >= 2 and header_words(frame, text_columns).any():
        return None  # a second table's header, perhaps: the careful reader reads every column of it
    empty = {names[i] for i, flag in unnamed.items() if not frame[flag].any()}
    names_kept = [n for n in names if n not in empty]
    # a footer ("Total", "key:,value") is judged on every column of the row, as the careful reader does
    cut_at = footer_start(frame, pl.col(_CELLS), pl.col(_FIRST), len(names_kept))
    warnings = []
    if cut_at < frame.height:
        warnings.append(footer_warning(frame[ROW].to_list()[cut_at:], path, None))
        frame = frame.head(cut_at)
    frame = frame.drop(*unnamed.values())  # the cell counts stay: rows holding one cell are headings or notes
    warnings = header_warnings(header, names, path, None, 1) + warnings
    encoding = "utf-8 (with BOM)" if bom else "utf-8"
    details = {"encoding": encoding, "delimiter": DELIMITER_NAMES[delim], "read": f"lazily, {len(keep)} of {len(names)} columns"}
    return RawTable(path, None, digest, frame, 1, warnings, details, all_headers=names_kept)


def _read_head(path: str, head: bytes, options: ReadOptions) -> tuple[str, list[str | None], bool] | None:
    """From the file's first bytes: the delimiter, the header cells, and whether the file starts with
    a UTF-8 BOM; None when the head shows the file needs the careful reader (no header on the first
    line, not UTF-8, ...). Raises for text that is not a table, as the careful reader would."""
    import polars as pl

    from bomaudit.load.text import refuse_non_tables, sniff_delimiter

    if options.no_header or b"\x00" in head or head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None
    bom = head.startswith(b"\xef\xbb\xbf")
    cut = head.rfind(b"\n")
    if cut < 0:
        return None
    try:
        head_text = head[3 if bom else 0 : cut + 1].decode("utf-8")
    except UnicodeDecodeError:
        return None
    refuse_non_tables(head_text, path)
    suffix = Path(path).suffix.lower()
    delim = sniff_delimiter(head_text, suffix)
    check_columns(head_text[: head_text.find("\n")].count(delim) + 1, path, 1)  # before Polars makes the columns
    try:
        sample = pl.read_csv(
            head_text.encode("utf-8"), has_header=False, separator=delim, infer_schema=False, quote_char='"', n_rows=SCAN_ROWS, raise_if_empty=False
        )
    except Exception:
        return None
    rows = sample.rows()
    if not rows or find_header([list(r) for r in rows], options.mapped_headers) != 0 or looks_like_data(list(rows[0]), options.mapped_headers):
        return None
    if not _identified([str(c) for c in rows[0] if c is not None], options):
        return None  # the part-number column is chosen on the evidence of columns this reader does not read
    return delim, list(rows[0]), bom


def _text_plan(lf: pl.LazyFrame, columns: list[str], names: list[str], keep: list[int], unnamed: dict[int, str]) -> pl.LazyFrame:
    """The query over the whole CSV: its data rows that are not blank, with the row number, the
    columns ``keep`` under their header names, and per row what the footer check and the unnamed
    columns' check need (``unnamed``: column position → name of its "has a value" flag)."""
    import polars as pl

    cells, first = row_cells(columns)
    return (
        lf.with_row_index(ROW, offset=1)
        .slice(1)
        .filter(~pl.all_horizontal([blank(c) for c in columns]))
        .select(
            pl.col(ROW).cast(pl.Int64),
            *[pl.col(columns[i]).alias(names[i]) for i in keep],
            pl.lit(True).alias(CONTENT),
            cells.alias(_CELLS),
            first.alias(_FIRST),
            # as the careful reader: an unnamed column stays if any cell is not null (even blank text)
            *[pl.col(columns[i]).is_not_null().alias(flag) for i, flag in unnamed.items()],
        )
    )


def _check_file_lines(path: str, head: bytes) -> None:
    """Refuse a line longer than any BOM's (see :func:`~bomaudit.load.guard.check_lines`) from a memory
    map, before Polars is given the file: a few pages read per megabyte, not the whole file. Lines
    end with LF, or with a lone CR in a file that has no LF (which the careful reader then takes)."""
    with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as m:
        end = b"\n" if b"\n" in head or m.find(b"\n") >= 0 else b"\r"
        check_lines(m, path, end)


def _digest_and_blank_lines(path: str) -> tuple[str, bool]:
    """SHA-256 of the file, and whether a blank line comes before its trailing line breaks: one
    pass over a memory map, the file never read into Python."""
    with open(path, "rb") as fh:
        size = fh.seek(0, 2)
        if size == 0:
            return hashlib.sha256(b"").hexdigest(), False
        with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as m:
            digest = hashlib.sha256(m).hexdigest()
            end = size
            while end > 0 and m[end - 1] in (10, 13):
                end -= 1
            return digest, m.find(b"\n\n", 0, end) >= 0 or m.find(b"\n\r\n", 0, end) >= 0
