"""Neutralising spreadsheet formulas in text that came from input files (OWASP CSV injection)."""

from __future__ import annotations

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell_text(value: str) -> str:
    """Text that a spreadsheet will show, never evaluate: a leading ``'`` defuses formulas."""
    if value.startswith(FORMULA_START):
        return "'" + value
    return value
