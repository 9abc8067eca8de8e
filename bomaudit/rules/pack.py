"""Loading and checking a rule pack, and telling which rules are in force on a date."""

from __future__ import annotations

import datetime as dt
import difflib
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from bomaudit.errors import BomauditError, Problem, warning
from bomaudit.fields import SYMBOLS
from bomaudit.vocab import END_USES, Basis, EndUse, Verdict

BUILTIN = "cn-mofcom-2025"
TESTS = ("threshold", "cn_tech", "cn_origin")
#: what a licensing policy can say of an end use
OUTCOMES = tuple(v.value for v in (Verdict.license_required, Verdict.denied, Verdict.case_by_case, Verdict.exempt))
#: what a threshold rule's legal text takes the fraction of
LEGAL_BASES = tuple(b.value for b in (Basis.value, Basis.mass))
#: a pack reviewed longer ago than this before --as-of may be stale
STALE_DAYS = 180

# The keys each table of a pack may have: any other is refused (a misspelt ``suspended`` must not
# silently leave a rule in force).
TOP_KEYS = ("schema", "pack", "version", "reviewed", "title", "elements", "rules", "policy")
LIST_KEYS = ("announcement", "description", "symbols", "effective", "suspended", "sources")
RULE_KEYS = ("id", "announcement", "summary", "test", "elements", "threshold", "legal_basis", "categories", "effective", "suspended", "note", "sources")
#: keys that only a threshold rule uses
THRESHOLD_KEYS = ("elements", "threshold", "legal_basis")
WINDOW_KEYS = ("from", "until", "by")
POLICY_KEYS = ("id", "announcement", "sources", "end_uses")


@dataclass(frozen=True, slots=True)
class Window:
    start: dt.date
    until: dt.date  # first day the suspension no longer applies
    by: str


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    announcement: str
    summary: str
    test: str
    effective: dt.date
    suspended: tuple[Window, ...] = ()
    elements: str | None = None
    threshold: float | None = None
    legal_basis: str | None = None
    note: str | None = None
    sources: tuple[str, ...] = ()
    #: the rule applies only to SKUs of these categories (none: to every SKU)
    categories: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RuleStatus:
    rule: Rule
    in_force: bool
    why: str  # "in force", "not yet effective (from …)", "suspended until … by …"
    #: the verdict depends on a fact the sources left open (the rule's note applies)
    after_window: bool = False


@dataclass(frozen=True, slots=True)
class ElementList:
    id: str
    announcement: str
    symbols: tuple[str, ...]
    effective: dt.date
    description: str = ""
    suspended: tuple[Window, ...] = ()
    sources: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RulePack:
    pack: str
    version: str
    reviewed: dt.date
    title: str
    element_lists: dict[str, ElementList]
    rules: tuple[Rule, ...]
    end_uses: dict[str, str]
    policy_announcement: str = ""
    policy_sources: tuple[str, ...] = ()
    path: str = field(default="(built-in)")
    policy_id: str = "policy"

    @property
    def threshold_rule(self) -> Rule | None:
        return next((r for r in self.rules if r.test == "threshold"), None)

    @property
    def threshold(self) -> float:
        rule = self.threshold_rule
        return rule.threshold if rule is not None and rule.threshold is not None else 0.001

    @property
    def controlled(self) -> tuple[str, ...]:
        """Elements the threshold rule counts, in the pack's order."""
        rule = self.threshold_rule
        if rule is None or rule.elements is None:
            return ()
        return self.element_lists[rule.elements].symbols

    def status(self, rule: Rule, on: dt.date) -> RuleStatus:
        live, why = window_status(rule.effective, rule.suspended, on)
        after = live and rule.note is not None and any(on >= w.until for w in rule.suspended)
        return RuleStatus(rule, live, why, after_window=after)

    def statuses(self, on: dt.date) -> list[RuleStatus]:
        return [self.status(r, on) for r in self.rules]


def window_status(effective: dt.date, suspended: tuple[Window, ...], on: dt.date) -> tuple[bool, str]:
    """Whether something effective from ``effective`` and suspended in ``suspended`` applies on ``on``, and why."""
    for w in suspended:
        if w.start <= on < w.until:
            return False, f"suspended until {w.until.isoformat()} by {w.by}"
    if on < effective:
        return False, f"not yet effective (from {effective.isoformat()})"
    return True, "in force"


def pack_warnings(pack: RulePack, on: dt.date) -> list[Problem]:
    """A warning when the pack was last reviewed more than STALE_DAYS before ``on``."""
    age = (on - pack.reviewed).days
    if age > STALE_DAYS:
        return [
            warning(
                "stale-rules",
                f"rule pack {pack.pack} {pack.version} was last reviewed on {pack.reviewed.isoformat()}, {age} days before --as-of {on.isoformat()}: it may be stale",
                hint="check for newer announcements and update the pack (see README, 'Rule packs')",
            )
        ]
    return []


def load_pack(path: str | None = None) -> RulePack:
    """The built-in pack, or the one at ``path``; a malformed pack is an error naming the key."""
    if path is None:
        text = resources.files("bomaudit.rules.packs").joinpath(f"{BUILTIN}.toml").read_text("utf-8")
        where = f"(built-in {BUILTIN})"
    else:
        try:
            text = Path(path).read_text("utf-8")
        except OSError as exc:
            raise BomauditError.at("no-such-file", f"cannot read the rule pack ({exc.strerror})", "check the --rules path", file=path) from None
        except UnicodeDecodeError:
            raise BomauditError.at(
                "bad-rules", "is not text (not UTF-8), so not a TOML rule pack", "name the .toml rule pack with --rules", file=path
            ) from None
        where = path
        if "\x00" in text:
            raise BomauditError.at("bad-rules", "holds binary data, not a TOML rule pack", "name the .toml rule pack with --rules", file=path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise BomauditError.at("bad-rules", f"is not valid TOML ({exc})", "fix the syntax at that line", file=where) from None
    except RecursionError:
        raise BomauditError.at("bad-rules", "nests arrays or tables too deeply to be a rule pack", "see README, 'Rule packs'", file=where) from None
    return _parse(data, where)


class _Reader:
    def __init__(self, where: str) -> None:
        self.where = where

    def fail(self, key: str, expected: str) -> BomauditError:
        return BomauditError.at("bad-rules", f"key {key!r}: expected {expected}", "see README, 'Rule packs'", file=self.where)

    def known(self, table: dict[str, Any], keys: tuple[str, ...], name: str, what: str = "key") -> None:
        """Refuse a key of ``table`` (called ``name`` in messages; "" for the top level) not in ``keys``,
        suggesting the nearest known one."""
        for key in table:
            if key not in keys:
                place = f"in {name}" if name else "at the top level"
                close = difflib.get_close_matches(key, keys, n=1)
                hint = f"did you mean {close[0]!r}?" if close else f"the {what}s {place} are {', '.join(keys)}"
                known = "known" if what == "key" else f"a known {what}"
                raise BomauditError.at("bad-rules", f"key {key!r} {place} is not {known}", hint, file=self.where)

    def get(self, table: dict[str, Any], key: str, kind: type | tuple[type, ...], expected: str, prefix: str = "", default: Any = ...) -> Any:
        if key not in table:
            if default is not ...:
                return default
            raise self.fail(prefix + key, expected)
        value = table[key]
        if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,))):
            raise self.fail(prefix + key, expected)
        return value

    def date(self, table: dict[str, Any], key: str, prefix: str) -> dt.date:
        value = self.get(table, key, (dt.date,), "a date such as 2025-12-01", prefix)
        if isinstance(value, dt.datetime):
            raise self.fail(prefix + key, "a date without a time")
        return value

    def windows(self, table: dict[str, Any], prefix: str) -> tuple[Window, ...]:
        raw = self.get(table, "suspended", list, "a list of {from, until, by} tables", prefix, default=[])
        out = []
        for i, w in enumerate(raw):
            p = f"{prefix}suspended[{i}]."
            if not isinstance(w, dict):
                raise self.fail(f"{prefix}suspended[{i}]", "a table {from = DATE, until = DATE, by = TEXT}")
            self.known(w, WINDOW_KEYS, p[:-1])
            start, until = self.date(w, "from", p), self.date(w, "until", p)
            if until <= start:
                raise self.fail(p + "until", "a date after 'from'")
            out.append(Window(start, until, self.get(w, "by", str, "text naming the suspending act", p)))
        return tuple(out)

    def sources(self, table: dict[str, Any], prefix: str) -> tuple[str, ...]:
        raw = self.get(table, "sources", list, "a list of source URLs or citations", prefix, default=[])
        if not all(isinstance(s, str) for s in raw):
            raise self.fail(prefix + "sources", "a list of strings")
        return tuple(raw)


def _parse(data: dict[str, Any], where: str) -> RulePack:
    r = _Reader(where)
    r.known(data, TOP_KEYS, "")
    schema = r.get(data, "schema", str, '"bomaudit.rulepack/1"')
    if schema != "bomaudit.rulepack/1":
        raise r.fail("schema", '"bomaudit.rulepack/1"')
    lists = _element_lists(r, data)
    rules = _rules(r, data, lists)
    policy = r.get(data, "policy", dict, "a [policy] table", default={})
    r.known(policy, POLICY_KEYS, "policy")
    end_uses = _end_uses(r, policy)
    reviewed = r.date(data, "reviewed", "")
    return RulePack(
        r.get(data, "pack", str, "the pack's name"),
        str(r.get(data, "version", (str, int, float), "a version string")),
        reviewed,
        r.get(data, "title", str, "text", default=""),
        lists,
        rules,
        end_uses,
        r.get(policy, "announcement", str, "text", "policy.", default=""),
        r.sources(policy, "policy."),
        where,
        r.get(policy, "id", str, "the policy's id", "policy.", default="policy"),
    )


def _element_lists(r: _Reader, data: dict[str, Any]) -> dict[str, ElementList]:
    lists: dict[str, ElementList] = {}
    for key, table in r.get(data, "elements", dict, "a table of element lists").items():
        p = f"elements.{key}."
        if not isinstance(table, dict):
            raise r.fail(f"elements.{key}", "a table")
        r.known(table, LIST_KEYS, f"elements.{key}")
        symbols = r.get(table, "symbols", list, "a list of element symbols", p)
        bad = [s for s in symbols if s not in SYMBOLS]
        if bad or not symbols:
            raise r.fail(p + "symbols", f"rare-earth symbols from {', '.join(SYMBOLS)} (got {bad or 'none'})")
        lists[key] = ElementList(
            key,
            r.get(table, "announcement", str, "text", p),
            tuple(symbols),
            r.date(table, "effective", p),
            r.get(table, "description", str, "text", p, default=""),
            r.windows(table, p),
            r.sources(table, p),
        )
    return lists


def _rules(r: _Reader, data: dict[str, Any], lists: dict[str, ElementList]) -> tuple[Rule, ...]:
    rules: list[Rule] = []
    seen: set[str] = set()
    for i, table in enumerate(r.get(data, "rules", list, "an array of [[rules]] tables")):
        p = f"rules[{i}]."
        if not isinstance(table, dict):
            raise r.fail(f"rules[{i}]", "a table")
        r.known(table, RULE_KEYS, f"rules[{i}]")
        rid = r.get(table, "id", str, "a unique rule id", p)
        if rid in seen:
            raise r.fail(p + "id", f"a unique id ({rid!r} is used twice)")
        seen.add(rid)
        rules.append(_rule(r, table, p, rid, lists))
    if sum(x.test == "threshold" for x in rules) > 1:
        raise r.fail("rules", 'at most one rule with test = "threshold"')
    return tuple(rules)


def _rule(r: _Reader, table: dict[str, Any], p: str, rid: str, lists: dict[str, ElementList]) -> Rule:
    test = r.get(table, "test", str, f"one of {', '.join(TESTS)}", p)
    if test not in TESTS:
        raise r.fail(p + "test", f"one of {', '.join(TESTS)}")
    stray = [k for k in THRESHOLD_KEYS if k in table and test != "threshold"]
    if stray:
        raise BomauditError.at(
            "bad-rules",
            f'key {stray[0]!r} in {p[:-1]} applies only to a rule with test = "threshold", and this one has test = "{test}"',
            "remove it, or make the rule a threshold rule",
            file=r.where,
        )
    elements, threshold, basis = _threshold_terms(r, table, p, lists) if test == "threshold" else (None, None, None)
    categories = r.get(table, "categories", list, "a list of categories such as magnet, target", p, default=[])
    if not all(isinstance(c, str) for c in categories):
        raise r.fail(p + "categories", "a list of strings")
    return Rule(
        rid,
        r.get(table, "announcement", str, "text", p),
        r.get(table, "summary", str, "text", p, default=""),
        test,
        r.date(table, "effective", p),
        r.windows(table, p),
        elements,
        threshold,
        basis,
        r.get(table, "note", str, "text", p, default=None),
        r.sources(table, p),
        tuple(c.lower() for c in categories),
    )


def _threshold_terms(r: _Reader, table: dict[str, Any], p: str, lists: dict[str, ElementList]) -> tuple[str, float, str]:
    """A threshold rule's element list, threshold and legal basis."""
    elements = r.get(table, "elements", str, "the id of an [elements.*] list", p)
    if elements not in lists:
        raise r.fail(p + "elements", f"one of the element lists ({', '.join(lists) or 'none defined'})")
    threshold = r.get(table, "threshold", (int, float), "a fraction between 0 and 1 such as 0.001", p)
    if not 0 < threshold < 1:
        raise r.fail(p + "threshold", "a fraction between 0 and 1 such as 0.001")
    basis = r.get(table, "legal_basis", str, '"value" or "mass"', p, default=Basis.value.value)
    if basis not in LEGAL_BASES:
        raise r.fail(p + "legal_basis", '"value" or "mass"')
    return elements, float(threshold), basis


def _end_uses(r: _Reader, policy: dict[str, Any]) -> dict[str, str]:
    """The policy's end use -> outcome table."""
    end_uses = r.get(policy, "end_uses", dict, "a table of end use = outcome", "policy.", default={EndUse.civil.value: Verdict.license_required.value})
    r.known(end_uses, END_USES, "policy.end_uses", "end use")
    for use, outcome in end_uses.items():
        if outcome not in OUTCOMES:
            raise r.fail(f"policy.end_uses.{use}", f"one of {', '.join(OUTCOMES)}")
    return dict(end_uses)
