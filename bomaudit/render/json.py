"""JSON (SPEC §4) and JSON Lines: sorted keys, full-precision floats, no clock time."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bomaudit.render import report

if TYPE_CHECKING:
    from bomaudit.audit import Audit
    from bomaudit.render.interface import View


def render_json(result: Audit, view: View) -> list[bytes | memoryview]:
    del view
    # compact, one SKU per line: the indenting encoder is pure Python and four times slower
    return report.build_json(result)


def render_jsonl(result: Audit, view: View) -> list[bytes | memoryview]:
    del view
    return [report.lines_bytes(report.sku_json(result), "\n")]
