"""Excel 97–2003 (.xls) workbooks for tests, written with xlwt (the ``test`` extra): there is no
.xls writer in bomaudit's own dependencies."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pytest

xlwt = pytest.importorskip("xlwt")

#: BIFF error codes (xlwt's own name table maps some of them wrongly)
ERROR_CODES = {"#NULL!": 0x00, "#DIV/0!": 0x07, "#VALUE!": 0x0F, "#REF!": 0x17, "#NAME?": 0x1D, "#NUM!": 0x24, "#N/A": 0x2A}


class Error(str):
    """A cell holding this spreadsheet error."""


class Percent(float):
    """A number in a cell formatted as a percentage (0.05 shows 5%)."""


Row = Iterable[object]


def write_xls(path: Path, sheets: Iterable[tuple[str, Iterable[Row]]], hidden: Iterable[str] = (), start: tuple[int, int] = (0, 0)) -> Path:
    """A workbook with these sheets (name, rows), the rows starting at ``start`` (row, column from 0)."""
    book = xlwt.Workbook()
    percent = xlwt.easyxf(num_format_str="0.0%")
    hidden = set(hidden)
    for name, rows in sheets:
        sheet = book.add_sheet(name)
        if name in hidden:
            sheet.visibility = 1
        for i, row in enumerate(rows):
            for j, value in enumerate(row):
                r, c = start[0] + i, start[1] + j
                if value is None:
                    continue
                if isinstance(value, Error):
                    sheet.row(r).set_cell_error(c, ERROR_CODES[str(value)])
                elif isinstance(value, Percent):
                    sheet.write(r, c, float(value), percent)
                else:
                    sheet.write(r, c, value)
    book.save(str(path))
    return path
