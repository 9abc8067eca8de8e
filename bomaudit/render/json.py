"""JSON (SPEC §4) and JSON Lines: sorted keys, full-precision floats, no clock time."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bomaudit import report

if TYPE_CHECKING:
    from bomaudit.scan import ScanResult


def render_json(result: ScanResult, **_: Any) -> list[bytes | memoryview]:
    # compact, one SKU per line: the indenting encoder is pure Python and four times slower
    return report.build_json(result)


def render_jsonl(result: ScanResult, **_: Any) -> list[bytes | memoryview]:
    return [report.lines_bytes(report.sku_json(result), "\n")]
