"""Domain errors and warnings, each carrying where in the input it happened.

Only ``cli.py`` turns these into output and exit codes; the core raises and
returns them and never prints.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

#: how many rows or cells one message lists before "and N more"
MAX_LISTED = 10


#: characters that end a line for str.splitlines (and for terminals and log readers): a message
#: quoting a cell that holds one is still one line
_LINE_BREAKS = {ord(c): repr(c)[1:-1] for c in "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"}


def one_line(text: str) -> str:
    """``text`` with its line-breaking characters written as escapes (``\\n``, ``\\x0b``…)."""
    return text.translate(_LINE_BREAKS)


def listed(items: Sequence[object], limit: int = MAX_LISTED) -> str:
    """``2, 5, 9``, or ``2, 5, 9 and 40 more``: the first ``limit`` items and a count of the rest."""
    shown = ", ".join(map(str, items[:limit]))
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


@dataclass(frozen=True, slots=True)
class Location:
    """A place in the input as a person sees it (rows are 1-based, header = its own row; the file
    ``-`` is standard input)."""

    file: str | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None

    def describe(self) -> str:
        parts: list[str] = []
        if self.file:
            parts.append("standard input" if self.file == "-" else self.file)
        if self.sheet:
            parts.append(f"sheet {self.sheet!r}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column!r}")
        return ", ".join(parts)


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding. ``severity`` is ``error`` (the run cannot be trusted) or ``warning``."""

    code: str
    message: str
    hint: str | None = None
    where: Location = field(default_factory=Location)
    sku: str | None = None
    severity: str = "error"

    def line(self) -> str:
        place = self.where.describe()
        text = f"{place}: {self.message}" if place else self.message
        if self.hint:
            text += f" — {self.hint}"
        return one_line(text)

    def as_dict(self) -> dict[str, Any]:
        return {
            "severity": self.severity,
            "code": self.code,
            "message": self.message if not self.hint else f"{self.message} — {self.hint}",
            "file": self.where.file,
            "sheet": self.where.sheet,
            "row": self.where.row,
            "column": self.where.column,
            "sku": self.sku,
        }


def warning(code: str, message: str, **kw: Any) -> Problem:
    return Problem(code=code, message=message, severity="warning", **kw)


class BomauditError(Exception):
    """The run cannot be trusted; carries one or more problems (exit status 2)."""

    MAX_REPORTED = 50

    def __init__(self, problems: Problem | list[Problem]) -> None:
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        super().__init__("\n".join(p.line() for p in self.problems))

    @classmethod
    def at(cls, code: str, message: str, hint: str | None = None, **where: Any) -> BomauditError:
        return cls(Problem(code=code, message=message, hint=hint, where=Location(**where)))


class Collector:
    """Gathers errors across a stage so one run reports them all (up to a limit)."""

    def __init__(self) -> None:
        self.errors: list[Problem] = []
        self.warnings: list[Problem] = []

    def error(self, code: str, message: str, hint: str | None = None, *, sku: str | None = None, **where: Any) -> None:
        self.errors.append(Problem(code=code, message=message, hint=hint, where=Location(**where), sku=sku))

    def warn(self, code: str, message: str, hint: str | None = None, *, sku: str | None = None, **where: Any) -> None:
        self.warnings.append(warning(code, message, hint=hint, where=Location(**where), sku=sku))

    def raise_if_errors(self) -> None:
        if self.errors:
            raise BomauditError(self.errors)
