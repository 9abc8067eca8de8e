"""JSON (SPEC §4) and JSON Lines: sorted keys, full-precision floats, no clock time."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bomaudit import report

if TYPE_CHECKING:
    from bomaudit.scan import ScanResult


def render_json(result: ScanResult, **_: Any) -> str:
    # compact: the indenting encoder is pure Python and four times slower on large reports
    return report.build_json(result) + "\n"


def render_jsonl(result: ScanResult, **_: Any) -> str:
    lines = report.sku_json(result)
    return "\n".join(lines.to_list()) + "\n" if lines.len() else ""
