"""Roll-up step 2: what each leaf contributes per one unit: mass, element masses, value, flags.

Arrays are per node (position in the graph's names); an assembly's entries are 0 or False,
since a SKU with children is described entirely by them (SPEC §3).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bomaudit.errors import Collector, listed
from bomaudit.fields import CONCENTRATION_UNITS, MASS_UNITS, MEASURES, SYMBOLS
from bomaudit.normalise import CONTENT_PLACE
from bomaudit.vocab import Provenance, UnknownOrigin

if TYPE_CHECKING:
    import numpy as np
    import polars as pl

    from bomaudit.normalise import Bom, TableInfo
    from bomaudit.rollup.graph import Graph
    from bomaudit.rollup.model import RollupOptions


@dataclass(frozen=True, slots=True)
class Leaves:
    attrs: pl.DataFrame  # the BOM's attributes, row i for node i (null where none)
    elements: list[str]  # element symbols with data, in the BOM's order
    #: summed through the DAG: <El>_g, <El>_cn_g, mass_g, value, cn_value
    sums: dict[str, np.ndarray]
    #: propagated as "any below": cn_tech, unknown_n, value_missing, cn_value_missing
    flags: dict[str, np.ndarray]
    declared_mass: np.ndarray  # mass_g as given (an assembly's is a cross-check)
    value: np.ndarray  # unit_value as given (an assembly's is its declared price)
    cn_value: np.ndarray  # China-origin rare-earth value; 0 where there is no China content
    unknown: np.ndarray  # a leaf with data missing
    assumed: np.ndarray  # a leaf whose origin was not given and is counted as China
    #: per node: where its composition comes from (a leaf's only; False for assemblies)
    provenance: dict[Provenance, np.ndarray]
    #: a leaf whose parts-file row was joined on a loose key (--sku-match loose): an assumption
    loose: np.ndarray
    #: a leaf whose amount on some line rests on an assumed unit (Bom.units_assumed): an assumption
    units_assumed: np.ndarray
    #: per node, what the materials library made of it (sku, est_* columns; null where nothing), or None without estimates
    estimates: pl.DataFrame | None = None


def leaf_values(bom: Bom, graph: Graph, options: RollupOptions, issues: Collector) -> Leaves:
    """Raises BomauditError where a part's rare-earth content is more than its mass."""
    import numpy as np

    n, leaf = graph.n, graph.leaf
    elements = [e for e in bom.elements]
    a = graph.names.to_frame("sku").with_row_index("id").join(bom.attrs, on="sku", how="left").sort("id")
    bulk_node = np.zeros(n, dtype=bool)
    bulk_node[graph.child[graph.bulk]] = True
    mass = a["mass_g"].to_numpy().astype(np.float64)
    declared_mass = mass.copy()
    mass = np.where(bulk_node, 1.0, mass)  # a bulk material's unit is one gram
    measured, mass = _measured_masses(bom, graph, a, mass, issues)
    declared = leaf & a["composition_declared"].fill_null(False).to_numpy().astype(bool)
    # a part used by measure is weighed per metre (m², L): the library's masses and grams are per piece
    est = _estimates(a, leaf & ~declared & ~measured, bulk_node, mass, options) if options.library is not None else None
    if est is not None:
        held = {e for e in est.elements if any(t.any() for t in est.grams[e])}  # elements some estimate holds
        elements = [e for e in SYMBOLS if e in elements or e in held]
        mass = np.where(est.mass_known, est.mass, mass)
    cols, unknown_leaf, total_re = _element_masses(a, elements, leaf, (bulk_node, measured), mass, declared_mass)
    over = leaf & ~np.isnan(mass) & (total_re > mass * (1 + 1e-9))
    if over.any():
        _content_over_mass(bom.tables, a, cols, mass, np.flatnonzero(over)[:20], issues)
    provenance = _provenance(a, leaf, options.assume_free_unlisted, est.estimated if est is not None else None)
    low, high, free_no_mass = _apply_estimates(est, cols, elements, mass, unknown_leaf)
    if est is not None:
        # an estimate whose high figure holds rare earths needs an origin as much as a typical one
        # does: an N-grade magnet (typically no Dy, up to 0.5 %) is not free of China-origin content
        total_re = sum((np.maximum(cols[f"{e}_g"], high[e]) for e in elements), np.zeros(n))
    unknown_leaf |= provenance[Provenance.none]
    no_origin = a["re_origin"].is_null().to_numpy()
    as_china = options.unknown_origin is UnknownOrigin.china
    origin_assumed = leaf & no_origin & (total_re > 0) & as_china
    origin_unknown = leaf & no_origin & (total_re > 0) & (not as_china)
    unknown_leaf |= origin_unknown
    is_cn = (a["re_origin"] == "CN").fill_null(False).to_numpy()
    cn_share = np.where(is_cn | origin_assumed, 1.0, 0.0)
    for el in elements:
        cols[f"{el}_cn_g"] = cols[f"{el}_g"] * cn_share
    counted = [e for e in elements if e in options.controlled]
    cols["cn_controlled_lo_g"] = sum((low[e] * cn_share for e in counted), np.zeros(n))
    cols["cn_controlled_hi_g"] = sum((high[e] * cn_share for e in counted), np.zeros(n))
    cols["mass_g"] = np.where(leaf, np.nan_to_num(mass), 0.0)
    value = a["unit_value"].to_numpy().astype(np.float64)
    cn_value = a["cn_re_value"].to_numpy().astype(np.float64)
    # a part without China-origin controlled content has none of its value either
    leaf_cn_controlled = sum((cols[f"{e}_cn_g"] for e in elements if e in options.controlled), np.zeros(n))
    cn_value = np.where(np.isnan(cn_value) & (leaf_cn_controlled == 0), 0.0, cn_value)
    cols["value"] = np.where(leaf, np.nan_to_num(value), 0.0)
    cols["cn_value"] = np.where(leaf, np.nan_to_num(cn_value), 0.0)
    flags = {
        "cn_tech": a["cn_tech"].fill_null(False).to_numpy().astype(bool),
        "unknown_n": unknown_leaf,
        "value_missing": leaf & np.isnan(value),
        "cn_value_missing": leaf & np.isnan(cn_value),
        # an estimate with a range below: the verdict is read at the low, typical and high figures
        "estimated": provenance[Provenance.estimated] & (cols["cn_controlled_hi_g"] > 0),
        "free_no_mass": free_no_mass,
    }
    loose = leaf & graph.names.is_in(sorted({bom_sku for _, bom_sku in bom.loose_matches})).to_numpy()
    units_assumed = leaf & graph.names.is_in(bom.units_assumed).to_numpy()
    estimates = est.frame if est is not None else None
    return Leaves(a, elements, cols, flags, declared_mass, value, cn_value, unknown_leaf, origin_assumed, provenance, loose, units_assumed, estimates)


def _provenance(a: pl.DataFrame, leaf: np.ndarray, assume_free: bool, estimated: np.ndarray | None) -> dict[Provenance, np.ndarray]:
    """A part's composition is ``declared`` when an input table with element columns has a row
    for it (a blank cell there is a declared zero), else ``estimated`` when the materials library
    could estimate it, else ``assumed`` free under --assume-free-unlisted, else ``none``: unknown,
    never silently free. A recognised magnet is estimated, never assumed free."""
    import numpy as np

    declared = leaf & a["composition_declared"].fill_null(False).to_numpy().astype(bool)
    est = estimated if estimated is not None else np.zeros(leaf.size, dtype=bool)
    unlisted = leaf & ~declared & ~est
    return {
        Provenance.declared: declared,
        Provenance.estimated: est,
        Provenance.assumed: unlisted if assume_free else np.zeros(leaf.size, dtype=bool),
        Provenance.none: np.zeros(leaf.size, dtype=bool) if assume_free else unlisted,
    }


def _apply_estimates(
    est: _Est | None, cols: dict[str, np.ndarray], elements: list[str], mass: np.ndarray, unknown_leaf: np.ndarray
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], np.ndarray]:
    """Estimated parts take the library's typical grams in ``cols`` (in place); returns the low
    and high grams per element (the declared ones where not estimated) and the parts estimated
    free that have no mass. ``unknown_leaf`` loses those: a part with no controlled content only
    lowers the fraction, so without a mass it does not make the SKU unknown (the fraction is then
    over the known mass, and said so)."""
    import numpy as np

    low = {el: cols[f"{el}_g"].copy() for el in elements}
    high = {el: cols[f"{el}_g"].copy() for el in elements}
    if est is None:
        return low, high, np.zeros(mass.size, dtype=bool)
    for el in (e for e in elements if e in est.grams):
        lo, ty, hi = est.grams[el]
        cols[f"{el}_g"] = np.where(est.estimated, ty, cols[f"{el}_g"])
        low[el] = np.where(est.estimated, lo, low[el])
        high[el] = np.where(est.estimated, hi, high[el])
    free_no_mass = est.free & np.isnan(mass)
    unknown_leaf &= ~free_no_mass
    return low, high, free_no_mass


@dataclass(frozen=True, slots=True)
class _Est:
    frame: pl.DataFrame  # per node: sku and the est_* columns (null where not estimated)
    elements: list[str]
    estimated: np.ndarray  # the library gave the part's content (free, or grams at three figures)
    free: np.ndarray  # estimated free of controlled rare earths
    mass: np.ndarray  # a mass from dimensions (NaN where none)
    mass_known: np.ndarray
    grams: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]  # element -> low, typical, high grams per unit


def _estimates(a: pl.DataFrame, todo: np.ndarray, bulk_node: np.ndarray, mass: np.ndarray, options: RollupOptions) -> _Est | None:
    """What the materials library makes of the leaves in ``todo`` (no declared composition)."""
    import numpy as np
    import polars as pl

    from bomaudit.materials import estimate
    from bomaudit.materials.estimate import EST_COLUMNS

    assert options.library is not None
    todo = todo & ~bulk_node  # a bulk material line is a material by mass: its concentrations are declared or missing
    if not todo.any():
        return None
    n = todo.size
    ids = np.flatnonzero(todo)
    parts = a.select("sku", "text", "category", "refdes", "description").with_columns(mass_g=pl.Series(mass, dtype=pl.Float64).fill_nan(None))
    parts = parts.with_columns(text=pl.coalesce("text", "description")).drop("description")[pl.Series(ids)]
    est = estimate(parts, options.library())  # loaded only when a part needs it
    full = pl.DataFrame({"id": ids}).with_columns(est.frame)
    frame = pl.DataFrame({"id": np.arange(n)}).join(full, on="id", how="left").sort("id")
    kind = frame["est_kind"]
    free = (kind == "free").fill_null(False).to_numpy()
    has_grams = np.zeros(n, dtype=bool)
    grams = {}
    for el in est.elements:
        trio = tuple(frame[f"{el}_{b}"].fill_null(np.nan).to_numpy().astype(np.float64) for b in ("lo", "ty", "hi"))
        has_grams |= ~np.isnan(trio[1])
        grams[el] = tuple(np.where(free, 0.0, np.nan_to_num(t)) for t in trio)
    est_mass = frame["est_mass_g"].fill_null(np.nan).to_numpy().astype(np.float64)
    content = [
        pl.struct(pl.lit(el).alias("element"), pl.col(f"{el}_lo").alias("low"), pl.col(f"{el}_ty").alias("typical"), pl.col(f"{el}_hi").alias("high"))
        for el in est.elements
    ]
    frame = frame.with_columns(
        est_content=pl.concat_list(content).list.eval(pl.element().filter(pl.element().struct.field("high") > 0)) if content else pl.lit(None)
    )
    return _Est(frame.select("id", *EST_COLUMNS, "est_content"), est.elements, free | has_grams, free, est_mass, ~np.isnan(est_mass), grams)


def _measured_masses(bom: Bom, graph: Graph, a: pl.DataFrame, mass: np.ndarray, issues: Collector) -> tuple[np.ndarray, np.ndarray]:
    """(parts used by measure, mass per unit with theirs): a part used by length, area or volume
    weighs its mass per metre, square metre or litre (``mass_per_m_g``…), its unit being one of
    those; without one its mass is unknown (NaN, never a piece's mass: a per-piece mass says
    nothing per metre), with a warning naming the parts, their rows and what to add. A sub-assembly
    used by measure is an error: its children are counted per piece."""
    import numpy as np
    import polars as pl

    measured = np.zeros(graph.n, dtype=bool)
    if not (graph.measure != "").any():
        return measured, mass
    mass = mass.copy()
    missing = np.zeros(graph.n, dtype=bool)
    for dim, (_, column) in MEASURES.items():
        nodes = np.zeros(graph.n, dtype=bool)
        nodes[graph.child[graph.measure == dim]] = True
        per = a[column].to_numpy().astype(np.float64)
        mass = np.where(nodes, per, mass)
        missing |= nodes & graph.leaf & np.isnan(per)
        measured |= nodes
    assemblies = measured & ~graph.leaf
    for i in np.flatnonzero(assemblies)[:20].tolist():
        sku = graph.names[i]
        rec = bom.edges.filter((pl.col("child") == sku) & pl.col("measure").is_not_null()).row(0, named=True)
        issues.error(
            "measure-of-assembly",
            f"{sku!r} has parts of its own but is used by {rec['measure']} here: its parts are counted per piece, not per {MEASURES[rec['measure']][0]}",
            "give the line a count, or list the material as a part without children",
            sku=sku,
            file=rec["_file"],
            sheet=rec["_sheet"],
            row=rec["_row"],
        )
    issues.raise_if_errors()
    if missing.any():
        _warn_measured_without_mass(bom, graph.names.filter(pl.Series(missing)).to_list(), a.filter(pl.Series(missing)), issues)
    return measured & graph.leaf, mass


def _warn_measured_without_mass(bom: Bom, skus: list[str], a: pl.DataFrame, issues: Collector) -> None:
    """One warning for the parts used by measure without a mass per unit of it: their rows, and,
    for those with a per-piece mass only, that it cannot be used."""
    import polars as pl

    lines = bom.edges.filter(pl.col("child").is_in(skus) & pl.col("measure").is_not_null()).sort("_file", "_row")
    first = lines.row(0, named=True)
    rows = lines.filter((pl.col("_file") == first["_file"]) & (pl.col("_sheet").eq_missing(first["_sheet"])))["_row"].to_list()
    by_piece = a.filter(pl.col("mass_g").is_not_null())["sku"].to_list()
    dims = sorted(set(lines["measure"].to_list()), key=list(MEASURES).index)
    per = " or ".join(f"'mass per {MEASURES[d][0]}'" for d in dims)
    also = f"; {listed(by_piece)} has a mass per piece only, which says nothing per {MEASURES[dims[0]][0]}" if by_piece else ""
    issues.warn(
        "measure-without-mass",
        f"{len(skus)} part(s) used by {'/'.join(dims)} ({listed(skus)}; row(s) {listed(rows)}) have no {per}: their mass and content are unknown{also}",
        f"give each a {per.replace(chr(39), '')} (a column such as 'mass per m (g)', 'kg/m', 'g/m2' or 'g/L') in a --parts file, with its composition "
        "as concentrations (Dy_pct)",
        sku=skus[0],
        file=first["_file"],
        sheet=first["_sheet"],
        row=first["_row"],
    )


def _element_masses(
    a: pl.DataFrame, elements: list[str], leaf: np.ndarray, kinds: tuple[np.ndarray, np.ndarray], mass: np.ndarray, declared_mass: np.ndarray
) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """(<El>_g per leaf, leaves with data missing, total rare-earth grams per leaf).

    An element is given in grams or as a fraction of the mass; a bulk material's is per gram. A
    part used by measure (``measured``) takes concentrations of its mass per metre (m², L); its
    element given in grams is unknown, since grams per piece say nothing per metre. ``kinds``:
    (bulk parts, parts used by measure).
    """
    import numpy as np

    bulk_node, measured = kinds
    cols: dict[str, np.ndarray] = {}
    unknown_leaf = leaf & np.isnan(mass)
    total_re = np.zeros(leaf.size)
    for el in elements:
        g = a[f"{el}_g"].to_numpy().astype(np.float64)
        frac = a[f"{el}_frac"].to_numpy().astype(np.float64)
        unk = a[f"{el}_unk"].fill_null(False).to_numpy().astype(bool)
        from_frac = frac * np.where(bulk_node, 1.0, mass)
        if bulk_node.any():
            # a bulk material given by element mass and mass: per gram
            g = np.where(bulk_node & ~np.isnan(g), g / declared_mass, g)
        grams_of_measured = measured & ~np.isnan(g) & np.isnan(frac)
        g = np.where(measured, np.nan, g)
        value = np.where(~np.isnan(g), g, from_frac)
        missing = (np.isnan(value) & (~np.isnan(frac) | unk)) | grams_of_measured
        unknown_leaf |= leaf & missing
        value = np.where(np.isnan(value), 0.0, value)
        cols[f"{el}_g"] = np.where(leaf, value, 0.0)
        total_re += cols[f"{el}_g"]
    return cols, unknown_leaf, total_re


def _content_over_mass(tables: list[TableInfo], a: pl.DataFrame, cols: dict[str, np.ndarray], mass: np.ndarray, over: np.ndarray, issues: Collector) -> None:
    """Raises an error for each part of ``over``, whose rare-earth content is more than its mass,
    at the row that gives its content and the column of its largest element."""
    for i in over.tolist():
        rec = a.row(i, named=True)
        grams = {k[: -len("_g")]: float(col[i]) for k, col in cols.items()}
        total = sum(grams.values(), 0.0)
        el = max(grams, key=grams.__getitem__)
        file, sheet, row = (rec[c] for c in CONTENT_PLACE)
        issues.error(
            "content-over-mass",
            f"rare-earth content of {rec['sku']!r} ({total:g} g) is more than its mass ({mass[i]:g} g)",
            "check the units of its element and mass columns (g or kg, % or ppm) and correct the value that is wrong",
            sku=rec["sku"],
            file=file,
            sheet=sheet,
            row=row,
            column=_element_header(tables, file, sheet, el, by_mass=rec[f"{el}_g"] is not None),
        )
    issues.raise_if_errors()


def _element_header(tables: list[TableInfo], file: str | None, sheet: str | None, el: str, by_mass: bool) -> str | None:
    """The header that gives element ``el`` (as a mass, or as a concentration) in that table, if it has one."""
    units = MASS_UNITS if by_mass else CONCENTRATION_UNITS
    for info in tables:
        if info.path == file and info.sheet == sheet:
            for key, header in info.fields.items():
                sym, _, unit = key.split(" (")[0].partition("_")
                if sym == el and unit in units:
                    return header
    return None
