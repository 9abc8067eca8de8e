"""The renderer contract: a renderer reads a finished :class:`~bomaudit.audit.Audit` (or a
:class:`~bomaudit.audit.Check`) and returns its output; it never prints, never writes a file and
never calls back into the pipeline."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

#: what a renderer returns: text, bytes, or byte chunks to write in order (a big report need not
#: be copied into one string)
Rendered = str | bytes | list[bytes | memoryview]


@dataclass(frozen=True, slots=True)
class View:
    """How the reader will see it; only the table looks at these."""

    show_all: bool = False
    color: bool = False
    width: int | None = None


@dataclass(frozen=True, slots=True)
class Renderer:
    """One output format: its name, the ``-o`` suffixes that choose it, whether it is binary, and
    where its function lives (imported only when used, so ``--help`` stays fast)."""

    name: str
    suffixes: tuple[str, ...]
    binary: bool
    module: str
    function: str

    def render(self, result: Any, view: View = View()) -> Rendered:
        func: Callable[[Any, View], Rendered] = getattr(importlib.import_module(self.module), self.function)
        return func(result, view)


def chunks(rendered: Rendered) -> list[bytes | memoryview]:
    """A rendering as byte chunks to write in order (text is UTF-8)."""
    if isinstance(rendered, str):
        return [rendered.encode("utf-8")]
    if isinstance(rendered, bytes):
        return [rendered]
    return rendered


def as_text(rendered: Rendered) -> str:
    """The whole rendering as one string (tests, small reports)."""
    return rendered if isinstance(rendered, str) else b"".join(chunks(rendered)).decode("utf-8")
