"""Which rows are parts: part-number text, placeholders, footers, do-not-populate, effectivity."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bomaudit.errors import MAX_LISTED, listed
from bomaudit.fields import DNP_WORDS, FALSE_WORDS, FOOTER_LABEL, NO_BOM, interpret_header
from bomaudit.load import ROW
from bomaudit.normalise.context import text
from bomaudit.normalise.generic import STRONG_DNP
from bomaudit.normalise.model import MAX_SKIPPED, SkippedRow
from bomaudit.normalise.sections import Sections, classify_sections, filled_cells
from bomaudit.normalise.sections import report as report_sections
from bomaudit.parse import constant, parse_dates

if TYPE_CHECKING:
    import polars as pl

    from bomaudit.normalise.columns import Columns
    from bomaudit.normalise.context import TableContext

#: cells that stand for "no part number" in exports; never one SKU shared by unrelated parts
PLACEHOLDER_SKUS = frozenset({"n/a", "na", "-", "--", "~", "none", "tbd", "?", "#n/a"})
#: a label that is nothing but a total's ("Subtotal", "Grand total:", "Total 12")
BARE_TOTAL = r"(?i)^\s*(total|totals|grand total|sum|subtotal|sub-total)\s*:?\s*[\d.,]*\s*$"
PLACEHOLDER = "(?i)^(?:" + "|".join(re.escape(p) for p in sorted(PLACEHOLDER_SKUS)) + ")$"


@dataclass(slots=True)
class RowClasses:
    """What each row of a table is: Series with one value per row (Boolean unless said)."""

    sku: pl.Series  # String: the part number, or the synthetic key of a line with data but none; null when blank
    footer: pl.Series  # a total or metadata line
    no_sku: pl.Series  # no part number and no data to name the line by (and not a footer)
    synthetic: pl.Series  # no part number but data: ``sku`` is a key made from the row (see synthetic_keys)
    dnp: pl.Series | None  # marked do-not-populate (and neither of the above); None without a DNP column
    keep: pl.Series  # a part: none of footer, no_sku, dnp
    in_force: pl.Series  # in effect on the as-of date (rows without dates, or with unreadable ones, are)
    out_of_force: pl.Series  # a part, but not in effect
    used: pl.Series  # a part in effect: keep & in_force
    #: one-cell rows read as headings, notes and "OR" separators, and what the headings say (None: no such row)
    sections: Sections | None = None
    #: lines without a part number that are features of the board (fiducials, mounting holes, logos)
    feature: pl.Series | None = None


def check_not_empty(t: TableContext) -> None:
    raw = t.raw
    if raw.frame.height == 0:
        t.issues.error(
            "no-rows",
            "has a header but no data rows" if raw.header_row else "has no rows",
            "export the BOM again with its lines",
            **t.where(row=raw.header_row),
        )


def sku_text(s: pl.Series) -> pl.Series:
    """SKU cells as text; integers read from typed files lose no precision; a run of blanks inside
    is one space ("M3x8mm Socket  Head" is the screw written "M3x8mm Socket Head" elsewhere)."""
    import polars as pl

    if s.dtype.is_float():
        whole = (s == s.round(0)).fill_null(False)
        as_int = s.cast(pl.Int64, strict=False).cast(pl.String)
        return pl.select(pl.when(whole).then(as_int).otherwise(s.cast(pl.String))).to_series()
    out = s.cast(pl.String).str.strip_chars()
    # one search first (30 ms a million cells); the rewrite only when some cell needs it
    if out.str.contains(r"\s\s|[\t\n\r\u00a0]").any():
        out = out.str.replace_all(r"\s+", " ")
    return out


def classify_rows(t: TableContext, cols: Columns, *, synthesise: bool) -> RowClasses:
    """Which rows are parts and in effect; warns about the rows skipped (the table has a sku column).

    With ``synthesise`` (BOM tables), a line without a part number that carries data becomes a
    part named after its row (:func:`synthetic_keys`) instead of being skipped.
    """
    import polars as pl

    f = cols.fields
    frame = t.frame
    keep = constant(True, frame.height, pl.Boolean)
    sku = sku_text(frame[f["sku"]])
    # placeholders by an anchored case-blind pattern: no lower-cased copy of every cell
    placeholder = sku.str.contains(PLACEHOLDER)
    sku = pl.select(pl.when((sku == "") | placeholder).then(None).otherwise(sku)).to_series()

    # rows that are not parts: footers ("Total", "key:,value"), blank part number without data, DNP
    # a line with a quantity is a part, whatever its name starts or ends with ("Total Phase
    # Beagle", "Bracket:"), unless the label is a bare total ("Subtotal", "Total: 12")
    blank_qty = _blank_quantity(t, cols)
    count, label = filled_cells(t, blank_qty | sku.is_null())
    # a total's label, or "key:" with at most its value beside it ("BoM Date:", "2024-01-05"): a
    # line with more (a price, a link) is a part whose name ends in a colon
    # (a colon alone on its row is a heading, "Electronics:"; unread columns, count null: a footer)
    colon = sku.str.contains(r":\s*$") & blank_qty & (count == 2).fill_null(True)
    footer = ((sku.str.contains(FOOTER_LABEL) & blank_qty) | colon | sku.str.contains(BARE_TOTAL)).fill_null(False)
    skip_rows(t, footer, "footer", "footer or metadata, not a part: skipped")
    keep &= ~footer
    summary = _summary_rows(t, cols, sku, label, blank_qty) & keep
    skip_rows(t, summary, "footer", "a total line (its label says so and it has no quantity), not a part: skipped")
    repeated = _repeated_headers(t, cols) & keep
    t.not_data = repeated
    skip_rows(t, repeated, "footer", "the header repeated, not a part: skipped")
    footer |= summary | repeated
    keep &= ~(summary | repeated)
    footer, keep, sections, feature = _organising_rows(t, cols, sku, (count, label), footer, keep)
    synthetic = constant(False, frame.height, pl.Boolean)
    dnp = _dnp_marks(t, cols)
    # (a line marked do-not-populate is left out as such, not named after its row nor skipped as unnamed)
    fitted = ~dnp if dnp is not None else constant(True, frame.height, pl.Boolean)
    blank = sku.is_null() & keep & fitted
    if synthesise and blank.any():
        synthetic = blank & _has_data(t, cols)
        if synthetic.any():
            sku = pl.select(pl.when(synthetic).then(synthetic_keys(t, cols)).otherwise(sku)).to_series()
            _warn_synthetic(t, f["sku"], synthetic, sku)
    no_sku = sku.is_null() & keep & fitted
    skip_rows(t, no_sku, "no-sku", f"no value in {f['sku']!r}: skipped")
    keep &= ~no_sku
    if dnp is not None:
        dnp = dnp & keep
        skip_rows(t, dnp, "dnp", "marked do-not-populate: left out")
        keep &= ~dnp
    in_force = _in_force(t, f, keep)
    return RowClasses(sku, footer, no_sku, synthetic, dnp, keep, in_force, keep & ~in_force, keep & in_force, sections, feature)


#: what a board feature's value, description or footprint says (KiCad's FIDUCIAL_1MM, MountingHole);
#: not a test point, which may be a part bought (Harwin's S1751-46R clip)
FEATURE_TEXT = r"(?i)fiducial|mounting[\s_-]?hole|\blogo\b|^logo|\bgraphic|^mh\d|^hole\b"
#: designators of board features: FID1, MH2, H3, G1 (a graphic), LOGO1
FEATURE_DESIGNATORS = r"(?i)^\s*((FID|FD|MH|H|G|LOGO|REF\*\*)\d*[\s,;]*)+$"

#: the label of a sum of prices standing where no part number is ("Cost", "Total price")
COST_LABEL = r"(?i)^\s*(total\s+|estimated\s+)?(cost|costs|price|prices|kosten|preis|coût|prix|coste|precio|koszt|cena|费用|价格|金额)\s*:?\s*$"
#: a cell that is nothing but an amount of money
BARE_SUM = r"^\s*[$€£¥]?\s*[0-9][0-9.,]*\s*[$€£¥]?\s*$"
#: a label that says the line sums others up ("Estimated Total Cost", "Funds Needed", "合计")
TOTAL_WORDS = r"(?i)(\b(total|totals|subtotal|sub-total|grand total|sum|summe|gesamt|gesamtsumme|somme|suma|razem|funds needed|budget)\b|合计|总计|小计)"


def _organising_rows(
    t: TableContext, cols: Columns, sku: pl.Series, cells: tuple[pl.Series, pl.Series], footer: pl.Series, keep: pl.Series
) -> tuple[pl.Series, pl.Series, Sections | None, pl.Series | None]:
    """Headings, notes, separators, tool lists (:mod:`.sections`) and board features: ``footer``
    and ``keep`` updated, the sections and the features; ``t.not_data`` set to every row that is
    not a part line."""
    import polars as pl

    frame = t.frame
    count, label = cells
    # (in a parent-child table a row naming only a part declares a top item: no headings there)
    listed_lines = "parent" not in cols.fields and ("qty" in cols.fields or "designator" in cols.fields or bool(cols.assemblies))
    names = [cols.fields["sku"], *cols.headers_for("description")]
    sections = classify_sections(t, count, label, names, footer, listed_lines)
    if sections is not None:
        report_sections(t, sections, keep)
        footer |= sections.not_parts
        keep &= ~(sections.not_parts | sections.tool)
    # what is not a part line says nothing about a part: its cells are not checked as numbers
    t.not_data = footer | (sections.tool if sections is not None else constant(False, frame.height, pl.Boolean))
    feature = _board_features(t, cols, sku.is_null() & keep)
    if feature is not None:
        skip_rows(t, feature, "board-feature", "a fiducial, mounting hole or logo of the board, not a part: left out")
        footer |= feature
        keep &= ~feature
        t.not_data |= feature
    return footer, keep, sections, feature


def _board_features(t: TableContext, cols: Columns, unnamed: pl.Series) -> pl.Series | None:
    """Per row: a line without a part number that is a feature of the board, not a part bought: its
    value, description or footprint says fiducial, mounting hole or logo, or all its designators
    are those of such features (FID1, MH1, H2, G1); None when no line is without a part number."""
    import polars as pl

    if not unnamed.any():
        return None
    f = cols.fields
    says = [text(t.frame, h).str.contains(FEATURE_TEXT).fill_null(False) for h in [*cols.headers_for("value"), *cols.headers_for("description")]]
    says += [text(t.frame, h).str.contains(FEATURE_TEXT).fill_null(False) for h in t.raw.headers if h in t.frame.columns and "footprint" in h.lower()]
    if "designator" in f:
        says.append(text(t.frame, f["designator"]).str.contains(FEATURE_DESIGNATORS).fill_null(False))
    if not says:
        return None
    return pl.select(pl.any_horizontal(says)).to_series() & unnamed


def _summary_rows(t: TableContext, cols: Columns, sku: pl.Series, label: pl.Series, blank_qty: pl.Series) -> pl.Series:
    """Per row: a total line anywhere in the table: its label is a total's, its quantity cell is
    empty and it gives no mass or composition (a part has a quantity; a total has a sum in some
    price column); or a line without a part number whose first cell is a total's label, in any
    column (",Cost,180.69"). A line that could hold rare earths is never dropped for its label."""
    import polars as pl

    if "qty" not in cols.fields and not cols.assemblies:
        return constant(False, t.frame.height, pl.Boolean)
    # (or, without a quantity, nothing but a sum: ",,,,,$37.94")
    said = label.str.contains(TOTAL_WORDS + "|" + COST_LABEL) | (label.str.contains(BARE_SUM) & blank_qty)
    unnamed = (sku.is_null() & said).fill_null(False)
    # a line giving a mass or a rare-earth content is a part, whatever its label says
    content = [_filled(t, h) for h in [*cols.headers_for("mass"), *(h for h, _, _ in cols.elements)]]
    described = pl.select(pl.any_horizontal(content)).to_series() if content else constant(False, t.frame.height, pl.Boolean)
    return ((sku.str.contains(TOTAL_WORDS) & blank_qty) | unnamed).fill_null(False) & ~described


def _blank_quantity(t: TableContext, cols: Columns) -> pl.Series:
    """Per row: no quantity cell holds anything (True everywhere without a quantity column)."""
    import polars as pl

    headers = cols.headers_for("qty") or cols.assemblies
    if not headers:
        return constant(True, t.frame.height, pl.Boolean)
    return pl.select(pl.all_horizontal([~_filled(t, h) for h in headers])).to_series()


def _filled(t: TableContext, header: str) -> pl.Series:
    """Per row: the cell holds something (typed Parquet columns: not null; text: not blank)."""
    import polars as pl

    column = t.frame[header]
    return text(t.frame, header).is_not_null() if column.dtype == pl.String else column.is_not_null()


def _repeated_headers(t: TableContext, cols: Columns) -> pl.Series:
    """Per row: the header written again below it (exports that repeat it per page or section):
    at least two of the columns read hold their own header's text."""
    import polars as pl

    # the header is written again as it was (or in another case): plain comparisons, no
    # per-cell transformation, so a million-line table costs milliseconds
    same = [t.frame[h].is_in(list({h, h.lower(), h.upper(), h.title()})) for h in cols.data if t.frame[h].dtype == pl.String]
    if len(same) < 2:
        return constant(False, t.frame.height, pl.Boolean)
    return (pl.select(pl.sum_horizontal([s.fill_null(False).cast(pl.Int32) for s in same])).to_series() >= 2).fill_null(False)


def _dnp_marks(t: TableContext, cols: Columns) -> pl.Series | None:
    """Per row: marked do-not-populate in any of the ways exports write it: a DNP column that is
    not false, a Mounted/Fitted/Populate column that is (``No``), a value or comment ``DNP``,
    ``DNF``, ``NC``…, or a component type ``Standard (No BOM)``; None when no column can say."""
    import polars as pl

    f = cols.fields
    marks = []
    if "dnp" in f:
        cells = text(t.frame, f["dnp"]).str.to_lowercase()
        marks.append(cells.is_not_null() & ~cells.is_in(list(FALSE_WORDS)))
    # the other columns only when they hold text (a typed Parquet column of dates says nothing here)
    if "fitted" in f and t.frame[f["fitted"]].dtype == pl.String:
        # ("-" is a placeholder there, not a no: a line is left out only when the cell says so)
        marks.append(text(t.frame, f["fitted"]).str.to_lowercase().is_in([*(FALSE_WORDS - {"-"}), *DNP_WORDS]))
    if "value" in f and t.frame[f["value"]].dtype == pl.String:
        marks.append(text(t.frame, f["value"]).str.to_lowercase().str.replace_all(r"\s+", " ").is_in(list(DNP_WORDS)))
    # a notes or comment column saying only "DNP" (KiCad exports with a 'Note' field)
    for h in t.raw.headers:
        if h in t.frame.columns and t.frame[h].dtype == pl.String and re.match(NOTE_HEADER, h):
            marks.append(text(t.frame, h).str.to_lowercase().is_in(list(DNP_WORDS - {"nc", "n/c"})))
    # an identifier that is a do-not-populate word: the name column of a line not fitted ("NC")
    if t.frame[f["sku"]].dtype == pl.String:
        # (an anchored case-blind pattern: no lower-cased copy of every cell)
        marks.append(text(t.frame, f["sku"]).str.contains(DNP_IDENTIFIER).fill_null(False))
    if "category" in f and t.frame[f["category"]].dtype == pl.String:
        marks.append(text(t.frame, f["category"]).str.contains(NO_BOM))
    # a generic column (KiCad's 'Field1') holding a do-not-populate word on the line (see .generic)
    for h in cols.dnp_cells:
        marks.append(text(t.frame, h).str.to_lowercase().str.replace_all(r"\s+", " ").is_in(list(STRONG_DNP)))
    if not marks:
        return None
    return pl.select(pl.any_horizontal(marks)).to_series().fill_null(False)


#: an identifier that says the line is not fitted
DNP_IDENTIFIER = "(?i)^(?:" + "|".join(re.escape(w) for w in sorted(DNP_WORDS)) + ")$"
#: headers of free-text columns where an export writes "DNP" for a line not fitted
NOTE_HEADER = r"(?i)^\s*(notes?|comments?|remarks?|bemerkung|hinweis|remarque|nota|uwaga|备注|说明)\s*:?\s*(\(\d+\))?\s*$"


#: a synthetic key names the line by this many characters of its text at most
KEY_TEXT_CHARS = 40


def _has_data(t: TableContext, cols: Columns) -> pl.Series:
    """Per row: a cell of a column read as a field or element (other than the part number) holds a value."""
    import polars as pl

    data = [h for h in cols.data if h != cols.fields["sku"]]
    if not data:
        return constant(False, t.frame.height, pl.Boolean)
    return pl.select(pl.any_horizontal([text(t.frame, h).is_not_null() for h in data])).to_series()


#: the fields whose text names a line without a part number, in this order (each in header order)
LABEL_FIELDS = ("description", "sku", "designator", "category")


def synthetic_keys(t: TableContext, cols: Columns) -> pl.Series:
    """``row-17: <text>`` per row: the row as a person sees it, then the line's description, else
    the first other text that names it (another part-number-like column, the designators, the
    category; a plain number names nothing), whitespace collapsed and cut to
    :data:`KEY_TEXT_CHARS` characters; ``row-17`` alone when there is none. ``t.key_prefix`` (the
    file's name when several BOM files are read) goes in front: ``bom.csv row-17: …``.

    Only columns every reader reads are looked at, so the key does not depend on how the file was read.
    """
    import polars as pl

    meaning = {h: m.field for h in cols.data if (m := interpret_header(h)) is not None}
    named = [*cols.headers_for("description"), *(h for fld in LABEL_FIELDS for h in cols.data if meaning.get(h) == fld and h != cols.fields["sku"])]
    label = pl.coalesce([_words(t.frame, h) for h in dict.fromkeys(named)]) if named else pl.lit(None, dtype=pl.String)
    cut = pl.when(label.str.len_chars() > KEY_TEXT_CHARS).then(label.str.slice(0, KEY_TEXT_CHARS - 1) + "…").otherwise(label)
    row = pl.lit(f"{t.key_prefix} row-" if t.key_prefix else "row-") + pl.col(ROW).cast(pl.String)
    return t.frame.select(pl.when(cut.is_null()).then(row).otherwise(row + ": " + cut)).to_series()


def _words(frame: pl.DataFrame, header: str) -> pl.Series:
    """A column's cells as label text, whitespace collapsed; a plain number names nothing (null)."""
    import polars as pl

    if frame[header].dtype.is_numeric():
        return constant(None, frame.height, pl.String)
    cells = text(frame, header).str.replace_all(r"\s+", " ")
    return pl.select(pl.when(cells.cast(pl.Float64, strict=False).is_null()).then(cells)).to_series()


def _warn_synthetic(t: TableContext, header: str, synthetic: pl.Series, sku: pl.Series) -> None:
    rows = t.frame[ROW].filter(synthetic).to_list()
    first = sku.filter(synthetic)[0]
    hint = "give the line a part number, or name the part-number column with --map sku=HEADER; its composition is unknown until a --parts file gives it"
    if len(rows) == 1:
        t.issues.warn("synthetic-sku", f"no value in {header!r}, but the line has data: read as part {first!r}", hint, **t.where(row=rows[0]))
        return
    t.issues.warn(
        "synthetic-sku",
        f"rows {listed(rows)}: no value in {header!r}, but each line has data: read as parts named after their rows ({first!r}, …)",
        hint.replace("the line", "each line").replace("its composition", "their composition"),
        **t.where(),
    )


def _in_force(t: TableContext, f: dict[str, str], keep: pl.Series) -> pl.Series:
    """Effectivity: in effect on the as-of date by the valid_from and valid_to columns; a row whose
    valid_from is after its valid_to is an error."""
    import polars as pl

    in_force = constant(True, t.frame.height, pl.Boolean)
    given: dict[str, pl.Series] = {}
    for fld, cmp in (("valid_from", "from"), ("valid_to", "to")):
        if fld in f:
            dates, bad = parse_dates(t.frame[f[fld]])
            t.report_bad(bad & keep, f[fld], "bad-date", "date not understood", "write it as YYYY-MM-DD")
            given[fld] = dates
            if cmp == "from":
                in_force &= (dates <= t.options.as_of).fill_null(True)
            else:
                in_force &= (dates >= t.options.as_of).fill_null(True)
    if len(given) == 2:
        _check_order(t, f, given["valid_from"], given["valid_to"], keep)
    return in_force


def _check_order(t: TableContext, f: dict[str, str], start: pl.Series, end: pl.Series, keep: pl.Series) -> None:
    """A line in effect from a date after the one it ends on is never in effect: an error, not a line left out."""
    reversed_ = (start > end).fill_null(False) & keep
    if not reversed_.any():
        return
    import polars as pl

    frm, to = f["valid_from"], f["valid_to"]
    bad = pl.DataFrame({ROW: t.frame[ROW], "from": start, "to": end}).filter(reversed_)
    for row, a, b in bad.head(MAX_LISTED).iter_rows():
        t.issues.error(
            "reversed-dates",
            f"the line starts after it ends: {frm!r} is '{a.isoformat()}' but {to!r} is '{b.isoformat()}'",
            "swap the two dates or correct one: a line is in effect from valid_from to valid_to",
            **t.where(row=row, column=frm),
        )
    if bad.height > MAX_LISTED:
        t.issues.error("reversed-dates", f"{bad.height - MAX_LISTED} more rows like these", "swap or correct their dates", **t.where(column=frm))


def skip_rows(t: TableContext, mask: pl.Series, code: str, what: str) -> None:
    """Warn about rows left out, naming those with any content (blank lines go without saying)."""
    if mask.any():
        t.warn_rows(mask & t.raw.row_has_content(), code, what)


def skipped_rows(t: TableContext, rows: RowClasses) -> list[SkippedRow]:
    """The rows read but not used, in row order, at most MAX_SKIPPED, each with the code of why."""
    import polars as pl

    n = t.frame.height
    none = constant(False, n, pl.Boolean)
    sec = rows.sections
    # in order of precedence: the first reason that holds names the row
    reasons = {
        "heading": sec.heading if sec is not None else none,
        "note": (sec.note | sec.separator) if sec is not None else none,
        "board-feature": rows.feature if rows.feature is not None else none,
        "footer": rows.footer,
        "tool-list": sec.tool if sec is not None else none,
        "no-sku": rows.no_sku,
        "dnp": rows.dnp if rows.dnp is not None else none,
    }
    picked = pl.DataFrame({"row": t.frame[ROW], **reasons, "used": rows.used}).filter(~pl.col("used")).head(MAX_SKIPPED)
    return [SkippedRow(rec["row"], next((code for code in reasons if rec[code]), "not-in-force")) for rec in picked.iter_rows(named=True)]


def all_skipped(t: TableContext) -> list[SkippedRow]:
    """A table without a part-number column uses none of its rows: each counts as having no part number."""
    return [SkippedRow(row, "no-sku") for row in t.frame[ROW].head(MAX_SKIPPED).to_list()]


def warn_not_in_force(t: TableContext, rows: RowClasses) -> None:
    if rows.out_of_force.any():
        t.issues.warn(
            "not-in-force",
            f"{int(rows.out_of_force.sum())} row(s) not in effect on {t.options.as_of.isoformat()} left out (valid_from/valid_to)",
            **t.where(),
        )
