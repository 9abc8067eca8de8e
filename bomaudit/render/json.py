"""JSON (SPEC §4) and JSON Lines: sorted keys, full-precision floats, no clock time."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from bomaudit import report

if TYPE_CHECKING:
    from bomaudit.scan import ScanResult


def render_json(result: ScanResult, **_: Any) -> str:
    # compact: the indenting encoder is pure Python and four times slower on large reports
    return json.dumps(report.build(result), sort_keys=True, ensure_ascii=False, allow_nan=False, separators=(",", ":")) + "\n"


def render_jsonl(result: ScanResult, **_: Any) -> str:
    lines = (json.dumps(rec, sort_keys=True, ensure_ascii=False, allow_nan=False, separators=(",", ":")) for rec in report.sku_records(result))
    return "".join(line + "\n" for line in lines)
