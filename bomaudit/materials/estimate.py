"""Recognising parts from their text with the materials library, and estimating what they hold.

Pure: takes the parts to estimate (SKU, text, category, designator prefix, declared mass) and
the library, returns one row per part with the class that recognised it, the text that matched,
and, where it can be derived, element grams per unit at the low, typical and high figures and a
mass estimated from dimensions. Nothing is guessed beyond the library: a recognised part whose
mass (or a device's magnet mass) is not known gets no grams, and says why.

Recognition is vectorised (Polars regex over every part at once): the first class in library
order (rare-earth-bearing before free, then priority) whose ``any`` pattern, category or
designator prefix fits, and whose ``not`` patterns do not, decides the part.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bomaudit.materials.shapes import parse_shape

if TYPE_CHECKING:
    import polars as pl

    from bomaudit.materials.library import Content, Library, MaterialClass

#: columns of the frame :func:`estimate` returns, besides ``sku``
EST_COLUMNS = ("est_class", "est_name", "est_rule", "est_kind", "est_matched", "est_grade", "est_mass_g", "est_formula", "est_missing", "est_sources")


@dataclass(frozen=True, slots=True)
class Estimates:
    #: one row per part given: sku, est_class (null: not recognised), est_kind, est_matched (the
    #: text that matched), est_grade ("N42SH", "SH (GBD)"), est_mass_g (mass from dimensions, grams;
    #: null when the mass is declared or cannot be derived), est_formula (how that mass was
    #: computed), est_missing (why no grams could be derived: null when they could), est_sources
    #: (source keys); and per element E of ``elements``: E_lo, E_ty, E_hi (grams per unit; null
    #: without them)
    frame: pl.DataFrame
    elements: list[str]


def _alternation(patterns: tuple[str, ...]) -> str:
    return "(?i)" + "|".join(f"(?:{p})" for p in patterns)


def _condition(c: MaterialClass) -> pl.Expr:
    import polars as pl

    parts = []
    if c.any:
        parts.append(pl.col("_hay").str.contains(_alternation(c.any)))
    if c.categories:
        parts.append(pl.col("category").str.to_lowercase().is_in(list(c.categories)))
    if c.designators:
        parts.append(pl.col("refdes").str.contains(_alternation(c.designators)))
    cond = pl.any_horizontal(parts).fill_null(False)
    if c.not_:
        cond &= ~pl.col("_hay").str.contains(_alternation(c.not_)).fill_null(False)
    return cond


def recognise(parts: pl.DataFrame, lib: Library) -> pl.DataFrame:
    """``parts`` (sku, text, category, refdes) with ``est_class`` and ``est_matched`` (null where no class fits)."""
    import polars as pl

    hay = pl.concat_str([pl.col("sku"), pl.col("text"), pl.col("category")], separator=" | ", ignore_nulls=True)
    frame = parts.with_columns(_hay=hay)
    chain = None
    for c in lib.classes:
        cond = _condition(c)
        chain = pl.when(cond).then(pl.lit(c.id)) if chain is None else chain.when(cond).then(pl.lit(c.id))
    if chain is None:
        return parts.with_columns(est_class=pl.lit(None, pl.String), est_matched=pl.lit(None, pl.String))
    frame = frame.with_columns(est_class=chain.otherwise(pl.lit(None, pl.String)))
    matched = []
    for c in lib.classes:
        pieces = []
        if c.any:
            pieces.append(pl.col("_hay").str.extract(f"({_alternation(c.any)})", 1))
        if c.categories:
            pieces.append(pl.when(pl.col("category").str.to_lowercase().is_in(list(c.categories))).then(pl.format("category {}", pl.col("category"))))
        if c.designators:
            pieces.append(pl.when(pl.col("refdes").str.contains(_alternation(c.designators))).then(pl.format("designator {}", pl.col("refdes"))))
        matched.append(pl.when(pl.col("est_class") == c.id).then(pl.coalesce(pieces)))
    return frame.with_columns(est_matched=pl.coalesce(matched)).drop("_hay")


def estimate(parts: pl.DataFrame, lib: Library) -> Estimates:
    """``parts``: sku, text, category, refdes, mass_g (declared, grams; null where none)."""
    import polars as pl

    rec = recognise(parts, lib)
    bearing = {c.id for c in lib.classes if c.bearing}
    elements = sorted({ct.element for c in lib.classes for ct in (*c.content, *(x for g in c.grades for x in g.content))})
    rows = []
    # per-part work only for rare-earth-bearing matches (few); free parts need none
    todo = rec.filter(pl.col("est_class").is_in(list(bearing)))
    hay = pl.concat_str(["sku", "text"], separator=" | ", ignore_nulls=True).alias("hay")
    for sku, text, cls, mass in todo.select("sku", hay, "est_class", "mass_g").iter_rows():
        rows.append({"sku": sku, **_one(lib, lib.get(cls), text or "", mass, elements)})
    schema = {
        "sku": pl.String,
        "est_grade": pl.String,
        "est_mass_g": pl.Float64,
        "est_formula": pl.String,
        "est_missing": pl.String,
        "est_sources": pl.List(pl.String),
        **{f"{e}_{b}": pl.Float64 for e in elements for b in ("lo", "ty", "hi")},
    }
    detail = pl.DataFrame(rows, schema=schema) if rows else pl.DataFrame(schema=schema)
    kinds = {c.id: c.kind for c in lib.classes}
    out = (
        rec.select("sku", "est_class", "est_matched")
        .join(detail, on="sku", how="left")
        .with_columns(
            est_kind=pl.col("est_class").replace_strict(kinds, default=None, return_dtype=pl.String),
            est_name=pl.col("est_class").replace_strict({c.id: c.name for c in lib.classes}, default=None, return_dtype=pl.String),
            est_rule=pl.col("est_class").replace_strict({c.id: c.rule for c in lib.classes if c.rule}, default=None, return_dtype=pl.String),
            # each figure's source, as its address
            est_sources=pl.col("est_sources").list.eval(pl.element().replace({k: v.url for k, v in lib.sources.items()})),
        )
    )
    return Estimates(out.select("sku", *EST_COLUMNS, *[f"{e}_{b}" for e in elements for b in ("lo", "ty", "hi")]), elements)


GBD_NOTE = "grain-boundary diffused"


def grade_of(c: MaterialClass, text: str) -> tuple[str | None, list[Content] | None]:
    """(the grade as read, its content) for a class with a grade ladder; (None, None) without a
    grade in the text. A grain-boundary-diffused grade the library lacks takes the bulk one."""
    if not c.grade_pattern:
        return None, None
    m = re.search(c.grade_pattern, text, re.IGNORECASE)
    if not m:
        return None, None
    suffix = (m.group(2) or "").upper() if m.re.groups >= 2 else ""
    gbd = any(re.search(p, text, re.IGNORECASE) for p in c.gbd_any)
    grade = c.grade(suffix, gbd) or c.grade(suffix, False)
    if grade is None:
        return m.group(0).strip(), None
    return m.group(0).strip().upper() + (f" ({GBD_NOTE})" if grade.gbd else ""), list(grade.content)


def _figures(contents: list[Content], elements: list[str], grams: float) -> dict[str, float | None]:
    out: dict[str, float | None] = {f"{e}_{b}": None for e in elements for b in ("lo", "ty", "hi")}
    for ct in contents:
        out[f"{ct.element}_lo"] = ct.wt_pct.low / 100 * grams
        out[f"{ct.element}_ty"] = ct.wt_pct.typical / 100 * grams
        out[f"{ct.element}_hi"] = ct.wt_pct.high / 100 * grams
    for e in elements:  # an element the class does not hold is a zero of the estimate
        for b in ("lo", "ty", "hi"):
            if out[f"{e}_{b}"] is None:
                out[f"{e}_{b}"] = 0.0
    return out


def _sources(*groups: object) -> list[str]:
    seen: dict[str, None] = {}
    for g in groups:
        for s in getattr(g, "sources", ()) or ():
            seen[s] = None
    return list(seen)


def _missing(grade: str | None, why: str, sources: list[str], elements: list[str]) -> dict[str, object]:
    """A recognised part the library cannot estimate: no grams, and why."""
    return {
        "est_grade": grade,
        "est_mass_g": None,
        "est_formula": None,
        "est_missing": why,
        "est_sources": sources,
        **{f"{e}_{b}": None for e in elements for b in ("lo", "ty", "hi")},
    }


def _one(lib: Library, c: MaterialClass, text: str, mass: float | None, elements: list[str]) -> dict[str, object]:
    """One rare-earth-bearing part: grade, mass and element grams at low/typical/high, or why not."""
    if c.kind == "device":
        assert c.magnet is not None
        material = lib.get(c.magnet.material)
        # a device with its own measured magnet chemistry (hard drives) uses it, not its class's
        contents = list(c.content) or list(material.content)
        grade = None
        if c.magnet.grade is not None and not c.content:
            g = material.grade(c.magnet.grade, False)
            contents, grade = (list(g.content) if g else contents), f"{c.magnet.grade} (as such devices use)"
        gap = _not_found(contents)
        if gap:
            return _missing(grade, gap, [], elements)
        if c.magnet.mass_g is None or _not_found_figure(c.magnet.mass_g):
            return _missing(grade, f"magnet mass per {c.name.lower()} not found in the library's sources", [], elements)
        m = c.magnet.mass_g
        out = {"est_grade": grade, "est_mass_g": None, "est_sources": _sources(m, *(x.wt_pct for x in contents))}
        figures = _figures(contents, elements, 1.0)
        for e in elements:  # magnet grams (low/typical/high) × content (low/typical/high)
            for b, grams in (("lo", m.low), ("ty", m.typical), ("hi", m.high)):
                figures[f"{e}_{b}"] = (figures[f"{e}_{b}"] or 0.0) * grams
        return {**out, "est_formula": f"{m.low:g}–{m.high:g} g of {material.name.lower()} per device (typical {m.typical:g} g)", "est_missing": None, **figures}
    grade, contents = grade_of(c, text)
    if contents is None:  # no grade read: the class's own content, else the range of every grade
        contents = _widest([ct for g in c.grades for ct in g.content]) if c.grades and not c.content else list(c.content)
    gap = _not_found(contents)
    if gap:
        return _missing(grade, gap, _sources(*(x.wt_pct for x in contents)), elements)
    formula = None
    est_mass = None
    if mass is None or math.isnan(mass):
        shape = parse_shape(text) if c.shapes and c.density is not None else None
        if shape is None:
            why = "mass not given" + (" and no dimensions read from its text" if c.shapes else "")
            return _missing(grade, why, _sources(*(x.wt_pct for x in contents)), elements)
        assert c.density is not None
        est_mass = shape.volume_mm3 / 1000 * c.density.typical
        notes = "".join(f"; {a}" for a in shape.assumptions)
        formula = f"{shape.formula} × {c.density.typical:g} g/cm³ = {est_mass:.4g} g{notes}"
        mass = est_mass
    sources = _sources(*(x.wt_pct for x in contents), *([c.density] if est_mass is not None else []))
    return {
        "est_grade": grade,
        "est_mass_g": est_mass,
        "est_formula": formula,
        "est_missing": None,
        "est_sources": sources,
        **_figures(contents, elements, mass),
    }


def _not_found_figure(f: object) -> bool:
    return any(math.isnan(getattr(f, k)) for k in ("low", "typical", "high"))


def _not_found(contents: list[Content]) -> str | None:
    """Why an estimate cannot be made when a figure of its content is not in the sources, else None."""
    gaps = [f"{ct.element} {k}" for ct in contents for k in ("low", "typical", "high") if math.isnan(getattr(ct.wt_pct, k))]
    return f"the library's sources give no figure for {', '.join(gaps)}" if gaps else None


def _widest(contents: list[Content]) -> list[Content]:
    """Per element, the range over every grade of the ladder (a grade not read: any of them)."""
    import dataclasses

    by: dict[str, Content] = {}
    for ct in contents:
        prev = by.get(ct.element)
        if prev is None:
            by[ct.element] = ct
            continue
        f, g = prev.wt_pct, ct.wt_pct
        wide = dataclasses.replace(
            f,
            low=min(f.low, g.low),
            high=max(f.high, g.high),
            typical=max(f.typical, g.typical),
            evidence="interpolated" if "interpolated" in (f.evidence, g.evidence) else f.evidence,
        )
        by[ct.element] = dataclasses.replace(prev, wt_pct=wide)
    return list(by.values())
