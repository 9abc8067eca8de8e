"""The materials library: classes of material, device and plainly-free part, how each is
recognised, its rare-earth content as low / typical / high wt %, its density, and a source per number.

Data, not code: the built-in library is ``packs/materials-2026.toml``; ``--materials FILE`` adds
classes or replaces built-in ones of the same ``id``. A malformed file is an error naming the file
and the key. Every figure must name a source of the library and say how it was got (``quoted``,
``computed`` or ``interpolated``); a number without one is refused, so an estimate is always
traceable to where its figures came from.
"""

from __future__ import annotations

import difflib
import math
import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from bomaudit.errors import BomauditError
from bomaudit.fields import SYMBOLS

BUILTIN = "materials-2026"
KINDS = ("material", "device", "free")
EVIDENCE = ("quoted", "computed", "interpolated")
AUTHORITY = ("peer-reviewed", "standard", "manufacturer", "secondary")
HINT = "see README, 'Materials library'"
#: a figure the sources do not give (written as such, never invented)
NOT_FOUND = "not found"

LIBRARY_KEYS = ("id", "version", "date", "description")
SOURCE_KEYS = ("url", "title", "authority", "note")
CLASS_KEYS = (
    *("id", "name", "kind", "priority", "any", "not", "categories", "designators", "note", "density", "shapes"),
    *("content", "grade_pattern", "grade", "gbd_any", "magnet", "rule"),
)
FIGURE_KEYS = ("low", "typical", "high", "source", "evidence", "derivation")
CONTENT_KEYS = ("element", *FIGURE_KEYS)
GRADE_KEYS = ("suffix", "gbd", "content", "note")
MAGNET_KEYS = ("class", "grade", "mass", "mass_low", "mass_typical", "mass_high", "source", "evidence", "derivation", "note")


@dataclass(frozen=True, slots=True)
class Source:
    key: str
    url: str
    title: str = ""
    authority: str = ""


@dataclass(frozen=True, slots=True)
class Figure:
    """A sourced range: low <= typical <= high; a figure the sources do not give is NaN ("not found")."""

    low: float
    typical: float
    high: float
    sources: tuple[str, ...]
    evidence: str
    derivation: str = ""


@dataclass(frozen=True, slots=True)
class Content:
    element: str
    wt_pct: Figure  # wt % of the material (of a device's magnet; of an LED package)


@dataclass(frozen=True, slots=True)
class Grade:
    suffix: str  # "" for plain N grades
    gbd: bool
    content: tuple[Content, ...]
    note: str = ""


@dataclass(frozen=True, slots=True)
class Magnet:
    """The magnet inside a device: its material class (and grade) and grams per device, or None where no source gives it."""

    material: str
    grade: str | None
    mass_g: Figure | None
    note: str = ""


@dataclass(frozen=True, slots=True)
class MaterialClass:
    id: str
    name: str
    kind: str  # material | device | free
    priority: int
    any: tuple[str, ...]
    not_: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    designators: tuple[str, ...] = ()
    note: str = ""
    density: Figure | None = None  # g/cm3
    shapes: bool = False
    content: tuple[Content, ...] = ()
    grade_pattern: str | None = None
    grades: tuple[Grade, ...] = ()
    gbd_any: tuple[str, ...] = ()
    magnet: Magnet | None = None
    rule: str = ""  # free classes: why such a part holds no controlled rare earths
    origin: str = ""  # the file it comes from (the built-in library or a --materials file)

    @property
    def bearing(self) -> bool:
        """Holds or may hold rare earths (every class but the free ones)."""
        return self.kind != "free"

    def grade(self, suffix: str, gbd: bool) -> Grade | None:
        for g in self.grades:
            if g.suffix == suffix and g.gbd == gbd:
                return g
        return None


@dataclass(frozen=True, slots=True)
class Library:
    id: str
    version: str
    date: str
    description: str
    classes: tuple[MaterialClass, ...]  # in matching order: rare-earth-bearing first, then free; priority, then id
    sources: dict[str, Source] = field(default_factory=dict)
    files: tuple[str, ...] = ()  # where it was read from

    def get(self, class_id: str) -> MaterialClass:
        return next(c for c in self.classes if c.id == class_id)

    def label(self) -> str:
        return f"{self.id} {self.version}"


def load_library(extra: list[str] | tuple[str, ...] = ()) -> Library:
    """The built-in library, with the classes of each ``extra`` file added (a class of the same id replaces the built-in one)."""
    text = resources.files("bomaudit.materials.packs").joinpath(f"{BUILTIN}.toml").read_text("utf-8")
    base = _parse(_toml(text, f"(built-in {BUILTIN})"), f"(built-in {BUILTIN})", builtin=True)
    classes = {c.id: c for c in base.classes}
    sources = dict(base.sources)
    files = [f"(built-in {BUILTIN})"]
    for path in extra:
        lib = _parse(_toml(_read(path), path), path, builtin=False)
        sources.update(lib.sources)
        classes.update({c.id: c for c in lib.classes})
        files.append(path)
    lib = Library(base.id, base.version, base.date, base.description, _ordered(classes.values()), sources, tuple(files))
    for c in lib.classes:
        _check_references(c, lib)
    return lib


def _ordered(classes: Any) -> tuple[MaterialClass, ...]:
    """Rare-earth-bearing classes before free ones, so a free rule never decides a part that a
    bearing class also recognises ("stepper motor" is never a free "motor mount"); then priority, then id."""
    return tuple(sorted(classes, key=lambda c: (not c.bearing, -c.priority, c.id)))


def _read(path: str) -> str:
    try:
        text = Path(path).read_text("utf-8")
    except OSError as exc:
        raise BomauditError.at("no-such-file", f"cannot read the materials file ({exc.strerror})", "check the --materials path", file=path) from None
    except UnicodeDecodeError:
        raise BomauditError.at("bad-materials", "is not text (not UTF-8), so not a TOML materials file", HINT, file=path) from None
    if "\x00" in text:
        raise BomauditError.at("bad-materials", "holds binary data, not a TOML materials file", HINT, file=path)
    return text


def _toml(text: str, where: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise BomauditError.at("bad-materials", f"is not valid TOML ({exc})", "fix the syntax at that line", file=where) from None
    except RecursionError:
        raise BomauditError.at("bad-materials", "nests arrays or tables too deeply to be a materials file", HINT, file=where) from None


class _Reader:
    def __init__(self, where: str, sources: dict[str, Source], check_patterns: bool = True) -> None:
        self.where = where
        self.sources = sources
        # the built-in library's patterns are checked by its tests, not on every run (0.3 s)
        self.check_patterns = check_patterns

    def fail(self, key: str, expected: str) -> BomauditError:
        return BomauditError.at("bad-materials", f"key {key!r}: expected {expected}", HINT, file=self.where)

    def known(self, table: dict[str, Any], keys: tuple[str, ...], name: str) -> None:
        for key in table:
            if key not in keys:
                close = difflib.get_close_matches(key, keys, n=1)
                hint = f"did you mean {close[0]!r}?" if close else f"the keys of {name or 'the top level'} are {', '.join(keys)}"
                raise BomauditError.at("bad-materials", f"key {key!r} in {name or 'the top level'} is not known", hint, file=self.where)

    def get(self, table: dict[str, Any], key: str, kind: type | tuple[type, ...], expected: str, prefix: str, default: Any = ...) -> Any:
        if key not in table:
            if default is not ...:
                return default
            raise self.fail(prefix + key, expected)
        value = table[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if not isinstance(value, kind) or (isinstance(value, bool) and bool not in kinds):
            raise self.fail(prefix + key, expected)
        return value

    def texts(self, table: dict[str, Any], key: str, prefix: str, regex: bool = False) -> tuple[str, ...]:
        raw = self.get(table, key, list, "a list of strings", prefix, default=[])
        if not all(isinstance(s, str) and s for s in raw):
            raise self.fail(prefix + key, "a list of non-empty strings")
        if regex:
            for i, pattern in enumerate(raw):
                _check_regex(self, pattern, f"{prefix}{key}[{i}]")
        return tuple(raw)

    def number(self, table: dict[str, Any], key: str, prefix: str, not_found: bool = False) -> float:
        if not_found and table.get(key) == NOT_FOUND:
            return math.nan  # the sources give none: an estimate that needs it cannot be made
        value = self.get(table, key, (int, float), "a number" + (f" or {NOT_FOUND!r}" if not_found else ""), prefix)
        if not math.isfinite(value) or value < 0:
            raise self.fail(prefix + key, "a finite number, 0 or more")
        return float(value)

    def figure(self, table: dict[str, Any], prefix: str, names: tuple[str, str, str] = ("low", "typical", "high"), most: float | None = None) -> Figure:
        low, typ, high = (self.number(table, n, prefix, not_found=True) for n in names)
        known = [x for x in (low, typ, high) if not math.isnan(x)]
        if known != sorted(known):
            raise self.fail(prefix + names[1], f"{names[0]} <= {names[1]} <= {names[2]} (here {low:g}, {typ:g}, {high:g})")
        if most is not None and max(known, default=0.0) > most:
            raise self.fail(prefix + names[2], f"at most {most:g}")
        raw = table.get("source")
        srcs = (raw,) if isinstance(raw, str) else tuple(raw) if isinstance(raw, list) and all(isinstance(s, str) for s in raw) else None
        if not srcs:
            raise self.fail(prefix + "source", "the key of a [sources] entry (or a list of them): every figure names its source")
        for s in srcs:
            if s not in self.sources:
                close = difflib.get_close_matches(s, list(self.sources), n=1)
                hint = f"did you mean {close[0]!r}?" if close else "add it under [sources]"
                raise BomauditError.at("bad-materials", f"key {prefix}source: {s!r} is not a source of the library", hint, file=self.where)
        if not known:  # nothing found: the figure says so and needs no evidence
            return Figure(low, typ, high, srcs, NOT_FOUND, self.get(table, "derivation", str, "text", prefix, default=""))
        evidence = self.get(table, "evidence", str, f"one of {', '.join(EVIDENCE)}", prefix)
        if evidence not in EVIDENCE:
            raise self.fail(prefix + "evidence", f"one of {', '.join(EVIDENCE)}")
        derivation = self.get(table, "derivation", str, "text", prefix, default="")
        if evidence != "quoted" and not derivation.strip():
            raise self.fail(prefix + "derivation", f"the arithmetic or method behind a {evidence} figure")
        return Figure(low, typ, high, srcs, evidence, derivation)

    def contents(self, table: dict[str, Any], prefix: str) -> tuple[Content, ...]:
        raw = self.get(table, "content", list, "a list of [[content]] tables", prefix, default=[])
        out = []
        for i, c in enumerate(raw):
            p = f"{prefix}content[{i}]."
            if not isinstance(c, dict):
                raise self.fail(p[:-1], "a table")
            self.known(c, CONTENT_KEYS, p[:-1])
            el = self.get(c, "element", str, "an element symbol such as Dy", p)
            if el not in SYMBOLS:
                raise self.fail(p + "element", f"a rare-earth element symbol ({', '.join(SYMBOLS)})")
            out.append(Content(el, self.figure(c, p, most=100.0)))
        if len({c.element for c in out}) != len(out):
            raise self.fail(prefix + "content", "each element once")
        return tuple(out)


def _check_regex(r: _Reader, pattern: str, key: str) -> None:
    if not r.check_patterns:
        return
    # Polars matches with Rust's regex crate: no look-around or back-references
    if re.search(r"\(\?<?[=!]|\\[1-9]", pattern):
        raise r.fail(key, "a regular expression without look-around or back-references (Rust regex syntax)")
    try:
        re.compile(pattern)
    except re.error as exc:
        raise r.fail(key, f"a valid regular expression ({exc})") from None


def _parse(data: dict[str, Any], where: str, builtin: bool) -> Library:
    r = _Reader(where, {}, check_patterns=not builtin)
    r.known(data, ("library", "sources", "class"), "")
    head = r.get(data, "library", dict, "a [library] table with id and version", "", default={} if not builtin else ...)
    r.known(head, LIBRARY_KEYS, "[library]")
    sources: dict[str, Source] = {}
    for key, s in r.get(data, "sources", dict, "a [sources] table", "", default={}).items():
        p = f"sources.{key}."
        if not isinstance(s, dict):
            raise r.fail(p[:-1], "a table with url and title")
        r.known(s, SOURCE_KEYS, p[:-1])
        authority = r.get(s, "authority", str, f"one of {', '.join(AUTHORITY)}", p, default="")
        if authority and authority not in AUTHORITY:
            raise r.fail(p + "authority", f"one of {', '.join(AUTHORITY)}")
        sources[key] = Source(key, r.get(s, "url", str, "the source's address", p), r.get(s, "title", str, "text", p, default=""), authority)
    r.sources = sources
    if not builtin:
        # a --materials file may cite the built-in library's sources
        base = _toml(resources.files("bomaudit.materials.packs").joinpath(f"{BUILTIN}.toml").read_text("utf-8"), BUILTIN)
        r.sources = {**{k: Source(k, v.get("url", "")) for k, v in base.get("sources", {}).items()}, **sources}
    classes = [_class(r, c, i, where) for i, c in enumerate(r.get(data, "class", list, "a list of [[class]] tables", "", default=[]))]
    ids = [c.id for c in classes]
    if len(set(ids)) != len(ids):
        dup = next(i for i in ids if ids.count(i) > 1)
        raise BomauditError.at("bad-materials", f"class {dup!r} is defined twice", "give each [[class]] its own id", file=where)
    return Library(
        r.get(head, "id", str, "text", "library.", default="materials"),
        r.get(head, "version", str, "text", "library.", default=""),
        str(head.get("date", "")),
        r.get(head, "description", str, "text", "library.", default=""),
        _ordered(classes),
        sources,
    )


def _class(r: _Reader, c: Any, i: int, where: str) -> MaterialClass:
    p = f"class[{i}]."
    if not isinstance(c, dict):
        raise r.fail(p[:-1], "a table")
    r.known(c, CLASS_KEYS, p[:-1])
    cid = r.get(c, "id", str, "a lowercase id such as ndfeb-sintered", p)
    if not re.fullmatch(r"[a-z0-9][a-z0-9.\-]*", cid):
        raise r.fail(p + "id", "lowercase letters, digits, '-' and '.'")
    p = f"class {cid!r}: "
    kind = r.get(c, "kind", str, f"one of {', '.join(KINDS)}", p)
    if kind not in KINDS:
        raise r.fail(p + "kind", f"one of {', '.join(KINDS)}")
    patterns = r.texts(c, "any", p, regex=True)
    categories = tuple(s.lower() for s in r.texts(c, "categories", p))
    designators = r.texts(c, "designators", p, regex=True)
    if not (patterns or categories or designators):
        raise r.fail(p + "any", "at least one pattern (or categories, or designators) that recognises the class")
    density = None
    if "density" in c:
        d = r.get(c, "density", dict, "a table {low, typical, high, source, evidence}", p)
        r.known(d, FIGURE_KEYS, f"{p}density")
        density = r.figure(d, f"{p}density.")
    shapes = r.get(c, "shapes", bool, "true or false", p, default=False)
    if shapes and density is None:
        raise r.fail(p + "density", "a density: a mass from dimensions needs one (shapes = true)")
    grades = []
    for j, g in enumerate(r.get(c, "grade", list, "a list of [[class.grade]] tables", p, default=[])):
        gp = f"{p}grade[{j}]."
        if not isinstance(g, dict):
            raise r.fail(gp[:-1], "a table")
        r.known(g, GRADE_KEYS, gp[:-1])
        grades.append(
            Grade(
                r.get(g, "suffix", str, 'a grade suffix such as "SH" ("" for N)', gp).upper(),
                r.get(g, "gbd", bool, "true or false", gp, default=False),
                r.contents(g, gp),
                r.get(g, "note", str, "text", gp, default=""),
            )
        )
    grade_pattern = r.get(c, "grade_pattern", str, "a regular expression", p, default=None)
    if grade_pattern is not None:
        _check_regex(r, grade_pattern, p + "grade_pattern")
    if grades and grade_pattern is None:
        raise r.fail(p + "grade_pattern", "the pattern that reads the grade (its grades need one)")
    magnet = _magnet(r, c, p) if "magnet" in c else None
    rule = r.get(c, "rule", str, "text", p, default="")
    content = r.contents(c, p)
    if kind == "free":
        if not rule.strip():
            raise r.fail(p + "rule", "the rule that says why such a part holds no controlled rare earths")
        if content or magnet or grades:
            raise r.fail(p + "kind", "'material' or 'device': a free class has no content, magnet or grades")
    if kind == "device" and magnet is None:
        raise r.fail(p + "magnet", "a [class.magnet] table: the magnet material inside the device")
    if kind == "material" and not content and not grades:
        raise r.fail(p + "content", "the material's element content (zero is written as 0)")
    return MaterialClass(
        id=cid,
        name=r.get(c, "name", str, "text", p),
        kind=kind,
        priority=r.get(c, "priority", int, "a whole number", p, default=0),
        any=patterns,
        not_=r.texts(c, "not", p, regex=True),
        categories=categories,
        designators=designators,
        note=r.get(c, "note", str, "text", p, default=""),
        density=density,
        shapes=shapes,
        content=content,
        grade_pattern=grade_pattern,
        grades=tuple(grades),
        gbd_any=r.texts(c, "gbd_any", p, regex=True),
        magnet=magnet,
        rule=rule,
        origin=where,
    )


def _magnet(r: _Reader, c: dict[str, Any], p: str) -> Magnet:
    m = r.get(c, "magnet", dict, "a table {class, mass_low, mass_typical, mass_high, source} or {class, mass = 'not found'}", p)
    p = f"{p}magnet."
    r.known(m, MAGNET_KEYS, p[:-1])
    material = r.get(m, "class", str, "the id of the magnet's material class", p)
    grade = r.get(m, "grade", str, "a grade suffix such as SH", p, default=None)
    if m.get("mass") is not None:
        if m["mass"] != NOT_FOUND or any(k in m for k in ("mass_low", "mass_typical", "mass_high")):
            raise r.fail(p + "mass", "'not found' (and no mass_low/typical/high), or leave it out and give the three masses")
        mass = None
    else:
        mass = r.figure(m, p, ("mass_low", "mass_typical", "mass_high"))
    return Magnet(material, grade.upper() if grade is not None else None, mass, r.get(m, "note", str, "text", p, default=""))


def _check_references(c: MaterialClass, lib: Library) -> None:
    if c.magnet is None:
        return
    ids = {k.id for k in lib.classes}
    if c.magnet.material not in ids:
        raise BomauditError.at("bad-materials", f"class {c.id!r}: magnet.class {c.magnet.material!r} is not a class of the library", HINT, file=c.origin)
    material = lib.get(c.magnet.material)
    if c.magnet.grade is not None and material.grade(c.magnet.grade, False) is None:
        raise BomauditError.at("bad-materials", f"class {c.id!r}: magnet.grade {c.magnet.grade!r} is not a grade of {material.id!r}", HINT, file=c.origin)
