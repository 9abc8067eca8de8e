"""Renderers of the finished result, one module per format (see :mod:`bomaudit.render.interface`).

A new format is one module plus one line in :data:`REPORTS` and one member of :class:`Format`.
"""

from __future__ import annotations

from enum import StrEnum

from bomaudit.render.interface import Rendered, Renderer, View, as_text, chunks


class Format(StrEnum):
    """Report formats of ``scan``."""

    table = "table"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"
    xlsx = "xlsx"


class CheckFormat(StrEnum):
    """Formats of ``validate``."""

    table = "table"
    json = "json"


#: scan's report formats; a test checks that every Format has exactly one
REPORTS: dict[Format, Renderer] = {
    Format.table: Renderer("table", (".txt",), False, "bomaudit.render.table", "render_table"),
    Format.json: Renderer("json", (".json",), False, "bomaudit.render.json", "render_json"),
    Format.jsonl: Renderer("jsonl", (".jsonl", ".ndjson"), False, "bomaudit.render.json", "render_jsonl"),
    Format.csv: Renderer("csv", (".csv",), False, "bomaudit.render.csv", "render_csv"),
    Format.xlsx: Renderer("xlsx", (".xlsx",), True, "bomaudit.render.xlsx", "render_xlsx"),
}

#: validate's formats
CHECKS: dict[CheckFormat, Renderer] = {
    CheckFormat.table: Renderer("table", (".txt",), False, "bomaudit.render.validation", "render_check_text"),
    CheckFormat.json: Renderer("json", (".json",), False, "bomaudit.render.validation", "render_check_json"),
}


def format_for(suffix: str) -> Format | None:
    """The report format an ``-o`` suffix names, if any."""
    return next((f for f, r in REPORTS.items() if suffix.lower() in r.suffixes), None)


__all__ = ["CHECKS", "REPORTS", "CheckFormat", "Format", "Rendered", "Renderer", "View", "as_text", "chunks", "format_for"]
