"""Excel workbook: a Summary sheet, one row per SKU (report order) and the issues.

Every text cell goes through :func:`bomaudit.render.safe.cell_text`: openpyxl stores a string that
starts with ``=`` as a formula, so input text must never reach a cell unchanged. Numbers stay
numeric cells and a missing value stays an empty cell.

The file is deterministic: the document's created/modified times and every zip member's
timestamp are the as-of date, so the same inputs give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import math
import os
import re
import shutil
import zipfile
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from bomaudit import __version__
from bomaudit.errors import BomauditError
from bomaudit.render import report
from bomaudit.render.fields import SkuField, columns
from bomaudit.render.safe import cell_text
from bomaudit.vocab import VERDICTS, Verdict

if TYPE_CHECKING:
    from bomaudit.audit import Audit
    from bomaudit.render.interface import View

#: fill colour (RGB) of a verdict cell; the font is white on the darkest ones
VERDICT_FILLS: dict[str, str] = {
    Verdict.denied: "8B0000",
    Verdict.case_by_case: "D9C3F0",
    Verdict.license_required: "F4B6B6",
    Verdict.unknown: "FFD966",
    Verdict.licensed: "BDD7EE",
    Verdict.exempt: "BDD7EE",
    Verdict.clear: "C6EFCE",
}
WHITE_TEXT = frozenset({Verdict.denied})
SEVERITY_FILLS = {"error": "F4B6B6", "warning": "FFD966"}
HEADER_FILL = "D9E1F2"

PERCENT = "0.000%"
LIST_SEP = "; "

#: rows a worksheet can hold, header included (Excel's limit)
MAX_ROWS = 1_048_576
#: characters a cell can hold (Excel's limit)
MAX_CELL_CHARS = 32_767
#: rows looked at to size the columns
WIDTH_SAMPLE = 2_000
MIN_WIDTH, MAX_WIDTH = 6, 60
#: control characters XML 1.0 cannot hold (openpyxl refuses them); the same set as openpyxl's
ILLEGAL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


# --- cell values ------------------------------------------------------------------------


def text(value: str | None) -> str | None:
    """Text as a cell shows it: control characters that XML forbids dropped, formulas defused."""
    if value is None:
        return None
    value = ILLEGAL_CHARACTERS.sub("", str(value))
    value = cell_text(value)
    if len(value) > MAX_CELL_CHARS:
        value = value[: MAX_CELL_CHARS - 1] + "…"
    return value


def number(value: Any) -> float | int | None:
    """A numeric cell value; NaN and infinities (which a workbook cannot store) become empty."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def joined(values: Iterable[str] | None) -> str | None:
    items = list(values or [])
    return text(LIST_SEP.join(items)) if items else None


# --- columns of the SKUs sheet ----------------------------------------------------------

ISSUE_COLUMNS = ("severity", "code", "message", "file", "sheet", "row", "column", "sku")


def _sku_rows(result: Audit, fields: list[SkuField]) -> Iterator[list[Any]]:
    """Plain cell values per SKU, in report order (styles are added when written)."""
    el_keys = [k for el in result.elements for k in (f"{el}_g", f"{el}_cn_g")]
    # sku_records keeps only non-zero elements; a zero is a fact worth a cell, so read them here
    el_rows = result.skus.select(el_keys).iter_rows() if el_keys else iter(())
    for rec in report.sku_records(result):
        values = dict(zip(el_keys, next(el_rows), strict=True)) if el_keys else {}
        row: list[Any] = []
        for f in fields:
            kind = f.kind
            v = values[f.key] if f.key in values else rec[f.key]
            if kind in ("text", "verdict"):
                row.append(text(v))
            elif kind == "list":
                row.append(joined(v))
            elif kind == "contributors":
                row.append(joined(report.contributor_label(c) for c in v))
            else:
                row.append(number(v))
        yield row


def _width(value: Any, kind: str) -> int:
    if value is None:
        return 0
    if kind == "percent":
        return 9
    if isinstance(value, bool):
        return 6
    if isinstance(value, float):
        return min(len(f"{value:.10g}"), 14)
    return len(str(value))


# --- the workbook -------------------------------------------------------------------------


HEADER, LABEL, TITLE = "bomaudit header", "bomaudit label", "bomaudit title"


def fill_style(key: str) -> str:
    return f"bomaudit {key}"


def _add_styles(wb: Any) -> None:
    """Named styles: applying one to a cell is several times faster than setting font and fill."""
    from openpyxl.styles import Font, NamedStyle, PatternFill

    def fill(rgb: str) -> PatternFill:
        return PatternFill(fill_type="solid", start_color=rgb, end_color=rgb)

    wb.add_named_style(NamedStyle(HEADER, font=Font(bold=True), fill=fill(HEADER_FILL)))
    wb.add_named_style(NamedStyle(LABEL, font=Font(bold=True)))
    wb.add_named_style(NamedStyle(TITLE, font=Font(bold=True, size=14)))
    for v, rgb in VERDICT_FILLS.items():
        font = Font(bold=True, color="FFFFFF" if v in WHITE_TEXT else "000000")
        wb.add_named_style(NamedStyle(fill_style(v), font=font, fill=fill(rgb)))
    for severity, rgb in SEVERITY_FILLS.items():
        wb.add_named_style(NamedStyle(fill_style(severity), fill=fill(rgb)))


def _cell(ws: Any, value: Any, style: str | None = None, number_format: str | None = None) -> Any:
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(ws, value=value)
    if style is not None:
        cell.style = style
    if number_format is not None:
        cell.number_format = number_format
    return cell


def _header(ws: Any, names: Iterable[str]) -> list[Any]:
    return [_cell(ws, text(n), HEADER) for n in names]


def _set_widths(ws: Any, widths: list[int], cap: int = MAX_WIDTH) -> None:
    from openpyxl.utils import get_column_letter

    for i, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = max(MIN_WIDTH, min(cap, w + 2))


def _check_rows(name: str, n: int) -> None:
    if n + 1 > MAX_ROWS:
        raise BomauditError.at(
            "too-many-rows",
            f"the {name} sheet would need {n:,} rows; a workbook holds {MAX_ROWS - 1:,} below its header",
            "write --format csv or json instead",
        )


def _summary_sheet(wb: Any, result: Audit) -> None:
    ws = wb.create_sheet("Summary")
    rules = report.rules_block(result)
    inputs = report.inputs_block(result)
    counts = report.summary(result)
    path_width = max([len(i["path"]) for i in inputs] + [24])
    _set_widths(ws, [path_width, 30, 64, 8, 6, 12], cap=100)

    def pair(label: str, value: Any, number_format: str | None = None) -> None:
        v = text(value) if isinstance(value, str) else number(value)
        ws.append([_cell(ws, text(label), LABEL), _cell(ws, v, None, number_format)])

    def section(title: str) -> None:
        ws.append([])
        ws.append([_cell(ws, text(title), TITLE)])

    ws.append([_cell(ws, "bomaudit report", TITLE)])
    pair("tool", "bomaudit")
    pair("version", __version__)
    pair("schema", report.SCHEMA)

    section("Rules")
    pair("rule pack", rules["pack"])
    pair("pack version", rules["version"])
    pair("as of", result.as_of, "yyyy-mm-dd")
    pair("threshold", rules["threshold"], PERCENT)
    pair("basis", rules["basis"])
    pair("controlled elements", ", ".join(rules["elements"]))
    pair("rules in force", ", ".join(rules["in_force"]) or "none")
    pair("unknown origin", rules["unknown_origin"])
    pair("end use", rules["end_use"])
    for rule_id, note in rules["notes"].items():
        pair(f"note on {rule_id}", note)

    section("Input files")
    ws.append(_header(ws, ("path", "sheet", "sha256", "rows", "role", "shape")))
    for i in inputs:
        ws.append([text(i["path"]), text(i["sheet"]), text(i["sha256"]), number(i["rows"]), text(i["role"]), text(i["shape"])])

    section("Counts")
    pair("SKUs", counts["skus"])
    pair("products", counts["products"])
    pair("over threshold", counts["over_threshold"])
    pair("issues", len(result.issues))
    ws.append([])
    ws.append(_header(ws, ("verdict", "SKUs", "products")))
    for v in VERDICTS:
        ws.append(
            [
                _cell(ws, v.value, fill_style(v)),
                counts["verdicts"].get(v, 0),
                counts["products_by_verdict"].get(v, 0),
            ]
        )


def _table_sheet(ws: Any, headers: list[str], kinds: list[str], rows: Iterator[list[Any]], n_rows: int, freeze: str) -> None:
    """Header, widths from a sample of rows, frozen panes, styled cells and an autofilter."""
    from openpyxl.utils import get_column_letter

    sample = [row for _, row in zip(range(WIDTH_SAMPLE), rows, strict=False)]
    widths = [len(h) for h in headers]
    for row in sample:
        widths = [max(w, _width(v, k)) for w, v, k in zip(widths, row, kinds, strict=True)]
    _set_widths(ws, widths)
    ws.freeze_panes = freeze  # written with the sheet's top, so before the first row

    ws.append(_header(ws, headers))
    styled = [i for i, k in enumerate(kinds) if k in ("percent", "verdict", "severity")]
    known = {*VERDICT_FILLS, *SEVERITY_FILLS}
    for row in itertools.chain(sample, rows):
        for i in styled:
            v = row[i]
            if v is None:
                continue
            if kinds[i] == "percent":
                row[i] = _cell(ws, v, None, PERCENT)
            elif v in known:
                row[i] = _cell(ws, v, fill_style(v))
        ws.append(row)
    ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{n_rows + 1}"


def _skus_sheet(wb: Any, result: Audit) -> None:
    _check_rows("SKUs", result.skus.height)
    fields = columns(result.elements)
    ws = wb.create_sheet("SKUs")
    _table_sheet(ws, [f.title for f in fields], [f.kind for f in fields], _sku_rows(result, fields), result.skus.height, "B2")


def _issues_sheet(wb: Any, result: Audit) -> None:
    _check_rows("Issues", len(result.issues))
    ws = wb.create_sheet("Issues")
    kinds = ["severity" if c == "severity" else "number" if c == "row" else "text" for c in ISSUE_COLUMNS]

    def rows() -> Iterator[list[Any]]:
        for p in result.issues:
            d = p.as_dict()
            yield [number(d[c]) if k == "number" else text(d[c]) for c, k in zip(ISSUE_COLUMNS, kinds, strict=True)]

    _table_sheet(ws, list(ISSUE_COLUMNS), kinds, rows(), len(result.issues), "A2")


# --- a zip with fixed timestamps ----------------------------------------------------------


def _zip_class(stamp: tuple[int, int, int, int, int, int]) -> type[zipfile.ZipFile]:
    class FixedTimeZip(zipfile.ZipFile):
        """A ZipFile whose members all carry ``stamp`` (openpyxl would use the clock and file times)."""

        def _info(self, name: str, size: int) -> zipfile.ZipInfo:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = self.compression
            info.external_attr = 0o600 << 16
            info.file_size = size
            return info

        def writestr(self, zinfo_or_arcname: Any, data: Any, *args: Any, **kw: Any) -> None:
            if isinstance(zinfo_or_arcname, str):
                zinfo_or_arcname = self._info(zinfo_or_arcname, len(data))
            super().writestr(zinfo_or_arcname, data, *args, **kw)

        def write(self, filename: Any, arcname: Any = None, *args: Any, **kw: Any) -> None:
            info = self._info(arcname or os.path.basename(filename), os.path.getsize(filename))
            with open(filename, "rb") as src, self.open(info, "w") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)

    return FixedTimeZip


def _stamp(day: dt.date) -> dt.datetime:
    # a zip timestamp cannot be before 1980
    return dt.datetime.combine(max(day, dt.date(1980, 1, 1)), dt.time())


def render_xlsx(result: Audit, view: View) -> bytes:
    from openpyxl import Workbook
    from openpyxl.writer.excel import ExcelWriter

    del view  # a workbook looks the same everywhere
    stamp = _stamp(result.as_of)
    wb = Workbook(write_only=True)
    wb.properties.creator = f"bomaudit {__version__}"
    wb.properties.title = "bomaudit report"
    _add_styles(wb)
    _summary_sheet(wb, result)
    _skus_sheet(wb, result)
    _issues_sheet(wb, result)

    buf = io.BytesIO()
    archive = _zip_class(stamp.timetuple()[:6])(buf, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    # ExcelWriter rather than Workbook.save: save() stamps the clock time into docProps/core.xml
    wb.properties.created = wb.properties.modified = stamp
    ExcelWriter(wb, archive).save()
    return buf.getvalue()
