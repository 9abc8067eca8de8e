"""Renderers: each turns a scan result into ``str``, ``bytes`` or a list of byte chunks, and never prints.

Chunks let a large report go to its file without being copied into one string first.

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


Rendered = str | bytes | list[bytes | memoryview]


def render(name: str, result: ScanResult, **kw: Any) -> Rendered:
    return renderer(name)(result, **kw)


def chunks(rendered: Rendered) -> list[bytes | memoryview]:
    """What :func:`render` returned, as byte chunks to write in order (text is UTF-8)."""
    if isinstance(rendered, str):
        return [rendered.encode("utf-8")]
    if isinstance(rendered, bytes):
        return [rendered]
    return rendered


def as_text(rendered: Rendered) -> str:
    """The whole rendering as one string (tests, small reports)."""
    return rendered if isinstance(rendered, str) else b"".join(chunks(rendered)).decode("utf-8")
