"""Renderers: each turns a scan result into ``str`` or ``bytes`` and never prints.

A new format is one module plus one line in :data:`FORMATS`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bomaudit.scan import ScanResult

#: format name -> (module, function); imported only when used
FORMATS: dict[str, tuple[str, str]] = {
    "table": ("bomaudit.render.table", "render_table"),
    "json": ("bomaudit.render.json", "render_json"),
    "jsonl": ("bomaudit.render.json", "render_jsonl"),
    "csv": ("bomaudit.render.csv", "render_csv"),
    "xlsx": ("bomaudit.render.xlsx", "render_xlsx"),
}

#: output suffix -> format, for ``-o`` without ``--format``
SUFFIXES = {".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".xlsx": "xlsx", ".txt": "table"}

#: formats whose output is bytes
BINARY = frozenset({"xlsx"})


def renderer(name: str) -> Callable[..., Any]:
    import importlib

    module, func = FORMATS[name]
    return getattr(importlib.import_module(module), func)


def render(name: str, result: ScanResult, **kw: Any) -> str | bytes:
    return renderer(name)(result, **kw)
