"""A magnet's (or ceramic part's) volume from the dimensions written in its description.

Shapes, all in millimetres (inches and centimetres converted: 1 in = 25.4 mm exactly):

- disc or cylinder, D × H: ``π/4 · D² · H`` ("Ø10x3", "D10 x 3 mm", "10x3 disc", "dia 10 x 3")
- ring, OD × ID × H: ``π/4 · (OD² − ID²) · H`` ("ring 20x10x5", "OD20 x ID10 x 5")
- block, L × W × H: ``L · W · H`` ("20x10x5 mm", "block 1/2 x 1/4 x 1/8 in")
- arc segment, R × r × angle × L: ``angle/360 · π · (R² − r²) · L`` ("arc R10 x r8 x 30° x 20")
- sphere, D: ``π/6 · D³`` ("sphere 5mm", "ball magnet Ø5")

Two dimensions with no shape word read as a disc (D × H: a block needs three); dimensions with
no unit are read as millimetres. Both are assumptions, and the formula says so. An arc without its
angle, or a text whose dimensions do not fit one shape, gives no volume: the part's mass stays
unknown rather than guessed.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

_NUM = r"(\d+\s*-\s*\d+/\d+|\d+/\d+|\d+(?:[.,]\d+)?)"
_UNIT = r"(?:\s*(mm|cm|in\b|inch(?:es)?\b|\"|''|”|″))?"
_SEP = r"\s*[x×X*]\s*"
_DIMS = re.compile(rf"{_NUM}{_UNIT}(?:\s*(?:dia\.?|diameter|Ø|⌀))?(?:{_SEP}{_NUM}{_UNIT})(?:{_SEP}{_NUM}{_UNIT})?(?:{_SEP}{_NUM}{_UNIT})?", re.IGNORECASE)
_PREFIXED = re.compile(rf"(?:Ø|⌀|φ|\bdia\.?|\bd|\bod)\s*{_NUM}{_UNIT}{_SEP}(?:(?:id|d)\s*{_NUM}{_UNIT}{_SEP})?(?:h|t|l)?\s*{_NUM}{_UNIT}", re.IGNORECASE)
_ARC = re.compile(rf"\br\s*{_NUM}{_UNIT}{_SEP}r\s*{_NUM}{_UNIT}{_SEP}(\d+(?:\.\d+)?)\s*(?:°|deg\b|degrees?\b){_SEP}(?:l\s*)?{_NUM}{_UNIT}", re.IGNORECASE)
_ANGLE = re.compile(r"(\d+(?:\.\d+)?)\s*(?:°|deg\b|degrees?\b)", re.IGNORECASE)
_SPHERE_WORDS = re.compile(r"\b(sphere|spherical|ball)\b|球", re.IGNORECASE)
_RING_WORDS = re.compile(r"\b(ring|annular|annulus|countersunk|counterbore|toroid)\b|\bod\s*\d|\bid\s*\d|环|ringmagnet|pierścień|anneau|anillo", re.IGNORECASE)
_ARC_WORDS = re.compile(r"\b(arc|segment|tile|curved)\b|瓦|bogen", re.IGNORECASE)
_DISC_WORDS = re.compile(
    r"\b(disc|disk|round|cylinder|cylindrical|rod|button|coin|dia\.?)\b|Ø|⌀|圆|scheibe|zylinder|krążek|walec|disque|disco|cilindro", re.IGNORECASE
)
_BLOCK_WORDS = re.compile(r"\b(block|rectangular|rectangle|cuboid|bar|square|cube|plate)\b|方|quader|blok|bloc|bloque|prostopad", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Shape:
    kind: str  # disc, ring, block, arc, sphere
    dims_mm: tuple[float, ...]
    volume_mm3: float
    formula: str  # how the volume was computed, with the numbers
    assumptions: tuple[str, ...] = ()


def _number(text: str) -> float:
    text = text.replace(",", ".").replace(" ", "")
    if "-" in text:  # 1-1/2
        whole, frac = text.split("-", 1)
        return float(whole) + _number(frac)
    if "/" in text:
        num, den = text.split("/", 1)
        return float(num) / float(den)
    return float(text)


def _scale(unit: str | None) -> float | None:
    if not unit:
        return None
    unit = unit.lower()
    if unit == "mm":
        return 1.0
    if unit == "cm":
        return 10.0
    return 25.4  # in, inch, ", ''


def _g(x: float) -> str:
    return f"{x:.4g}"


def parse_shape(text: str) -> Shape | None:
    """The shape and volume read from ``text``, or None when its dimensions do not give one."""
    arc = _ARC.search(text)
    if arc:
        return _arc(arc)
    match = _PREFIXED.search(text)
    groups: list[tuple[str, str | None]]
    if match:
        if not match.group(3):
            text += " disc"  # D10 x 3, Ø10x3: a diameter
        g = match.groups()
        groups = [(g[0], g[1])] + ([(g[2], g[3])] if g[2] else []) + [(g[4], g[5])]
    else:
        match = _DIMS.search(text)
        if not match:
            return _sphere(text)
        g = match.groups()
        groups = [(g[i], g[i + 1]) for i in range(0, len(g), 2) if g[i]]
    units = {u.lower() if u.lower() not in ('"', "''", "”", "″") else "in" for _, u in groups if u}
    units = {"in" if u.startswith("inch") else u for u in units}
    assumptions: list[str] = []
    if len(units) > 1:
        return None  # mixed units in one dimension list: not read
    scale = _scale(next(iter(units))) if units else None
    if scale is None:
        scale = 1.0
        assumptions.append("no unit written: read as millimetres")
    dims = tuple(_number(n) * scale for n, _ in groups)
    if any(d <= 0 for d in dims):
        return None
    return _solid(text, dims, assumptions)


def _solid(text: str, dims: tuple[float, ...], assumptions: list[str]) -> Shape | None:
    unit = " mm"
    if _ARC_WORDS.search(text):
        return None  # an arc needs R, r, its angle and its length (see _ARC)
    if len(dims) == 3 and _RING_WORDS.search(text):
        od, i_d, h = dims
        if i_d >= od:
            return None
        v = math.pi / 4 * (od**2 - i_d**2) * h
        return Shape("ring", dims, v, f"ring OD{_g(od)} × ID{_g(i_d)} × {_g(h)}{unit}: π/4·({_g(od)}² − {_g(i_d)}²)·{_g(h)} = {_g(v)} mm³", tuple(assumptions))
    if len(dims) == 3:
        a, b, c = dims
        v = a * b * c
        return Shape("block", dims, v, f"block {_g(a)} × {_g(b)} × {_g(c)}{unit}: {_g(a)}·{_g(b)}·{_g(c)} = {_g(v)} mm³", tuple(assumptions))
    if len(dims) == 2 and not _BLOCK_WORDS.search(text) and not _RING_WORDS.search(text):
        d, h = dims
        if not _DISC_WORDS.search(text):
            assumptions.append("two dimensions read as a disc, diameter × height")
        v = math.pi / 4 * d**2 * h
        return Shape("disc", dims, v, f"disc Ø{_g(d)} × {_g(h)}{unit}: π/4·{_g(d)}²·{_g(h)} = {_g(v)} mm³", tuple(assumptions))
    return None


def _arc(m: re.Match[str]) -> Shape | None:
    r_out, u1, r_in, u2, angle, length, u3 = m.groups()
    units = {("in" if u.lower() in ('"', "''", "”", "″") or u.lower().startswith("in") else u.lower()) for u in (u1, u2, u3) if u}
    if len(units) > 1:
        return None
    scale = _scale(next(iter(units))) if units else None
    assumptions = () if scale is not None else ("no unit written: read as millimetres",)
    outer, inner, length_mm = (_number(x) * (scale or 1.0) for x in (r_out, r_in, length))
    theta = float(angle)
    if not 0 < inner < outer or not 0 < theta <= 360 or length_mm <= 0:
        return None
    v = theta / 360 * math.pi * (outer**2 - inner**2) * length_mm
    formula = (
        f"arc R{_g(outer)} × r{_g(inner)} × {_g(theta)}° × {_g(length_mm)} mm: {_g(theta)}/360·π·({_g(outer)}² − {_g(inner)}²)·{_g(length_mm)} = {_g(v)} mm³"
    )
    return Shape("arc", (outer, inner, theta, length_mm), v, formula, assumptions)


def _sphere(text: str) -> Shape | None:
    if not _SPHERE_WORDS.search(text):
        return None
    m = re.search(rf"{_NUM}{_UNIT}", text, re.IGNORECASE)
    if not m:
        return None
    scale = _scale(m.group(2))
    assumptions = [] if scale is not None else ["no unit written: read as millimetres"]
    d = _number(m.group(1)) * (scale or 1.0)
    if d <= 0:
        return None
    v = math.pi / 6 * d**3
    return Shape("sphere", (d,), v, f"sphere Ø{_g(d)} mm: π/6·{_g(d)}³ = {_g(v)} mm³", tuple(assumptions))
