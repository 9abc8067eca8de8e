"""The materials library (issue #13): loading and checking it, mass from dimensions, estimates
through the roll-up with their low/typical/high range, verdict bands and the supplier request list.

Figures here come from a small library written in the test (``LIB``), so each expected number is
computed by hand from it; the built-in library's own figures are tested in test_materials_builtin.py.
"""

from __future__ import annotations

import json
import math
import textwrap

import pytest
from typer.testing import CliRunner

from bomaudit.cli import app
from bomaudit.errors import BomauditError
from bomaudit.materials import load_library
from bomaudit.materials.shapes import parse_shape

runner = CliRunner()
AS_OF = "2026-12-01"

#: a test library: one magnet class with two grades, a device with a magnet mass, one without, a free class
LIB = textwrap.dedent(
    """
    [library]
    id = "test"
    version = "1"

    [sources.t]
    url = "https://example.org/figures"
    title = "test figures"

    [[class]]
    id = "t-magnet"
    name = "Test magnet"
    kind = "material"
    priority = 900
    any = ['\\btestmag\\b']
    density = { low = 7.0, typical = 7.5, high = 8.0, source = "t", evidence = "quoted" }
    shapes = true
    grade_pattern = '\\bn(\\d{2})(sh)?\\b'
    [[class.grade]]
    suffix = ""
    content = [{ element = "Dy", low = 0, typical = 0, high = 0.5, source = "t", evidence = "quoted" }]
    [[class.grade]]
    suffix = "SH"
    content = [{ element = "Dy", low = 1, typical = 4, high = 6, source = "t", evidence = "interpolated", derivation = "by hand" }]

    [[class]]
    id = "t-motor"
    name = "Test motor"
    kind = "device"
    priority = 900
    any = ['\\btestmotor\\b']
    magnet = { class = "t-magnet", grade = "SH", mass_low = 10, mass_typical = 20, mass_high = 30, source = "t", evidence = "computed", derivation = "by hand" }

    [[class]]
    id = "t-fan"
    name = "Test fan"
    kind = "device"
    priority = 900
    any = ['\\btestfan\\b']
    magnet = { class = "t-magnet", mass = "not found" }

    [[class]]
    id = "t-screw"
    name = "Test screw"
    kind = "free"
    priority = 900
    any = ['\\btestscrew\\b']
    not = ['magnet']
    rule = "a steel screw holds no rare earths"
    """
)


@pytest.fixture
def lib_file(tmp_path):
    p = tmp_path / "lib.toml"
    p.write_text(LIB, encoding="utf-8")
    return p


def _scan(tmp_path, lib_file, bom: str, *extra: str) -> tuple[int, dict, str]:
    path = tmp_path / "bom.csv"
    path.write_text(bom, encoding="utf-8")
    result = runner.invoke(app, ["scan", str(path), "--materials", str(lib_file), "-f", "json", "--as-of", AS_OF, *extra])
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout), result.stderr


def _by_sku(report: dict) -> dict[str, dict]:
    return {s["sku"]: s for s in report["skus"]}


# --- mass from dimensions: hand computations ---------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind", "volume"),
    [
        ("Sintered NdFeB magnet N42SH 20x10x5 mm", "block", 20 * 10 * 5),
        ("N52 disc magnet 10x3", "disc", math.pi / 4 * 10**2 * 3),
        ("Ø12.7 x 3.175 mm", "disc", math.pi / 4 * 12.7**2 * 3.175),
        ("ring magnet OD20 x ID10 x 5mm", "ring", math.pi / 4 * (20**2 - 10**2) * 5),
        ("ring 20x10x5", "ring", math.pi / 4 * (20**2 - 10**2) * 5),
        ('block 1/2 x 1/4 x 1/8"', "block", 12.7 * 6.35 * 3.175),
        ("disc 1-1/2 x 1/4 in", "disc", math.pi / 4 * 38.1**2 * 6.35),
        ("NdFeB 6mm dia x 2mm", "disc", math.pi / 4 * 36 * 2),
        ("arc R10 x r8 x 30° x 20 mm", "arc", 30 / 360 * math.pi * (100 - 64) * 20),
        ("ball magnet 5mm", "sphere", math.pi / 6 * 125),
        ("10 x 2,5 mm disc", "disc", math.pi / 4 * 100 * 2.5),
        ("cube 5x5x5 cm", "block", 50**3),
    ],
)
def test_shape_volume_by_hand(text, kind, volume):
    shape = parse_shape(text)
    assert shape is not None and shape.kind == kind
    assert shape.volume_mm3 == pytest.approx(volume, rel=1e-12)


@pytest.mark.parametrize(
    "text",
    [
        "2212 920KV brushless motor",  # a motor's size code is not a dimension list
        "arc segment magnet 10x8x20",  # an arc without its angle
        "ring 10x20x5",  # inner diameter larger than the outer
        "magnet 10 mm x 3 in",  # mixed units
        "sintered magnet",
    ],
)
def test_no_volume_when_the_text_does_not_give_one(text):
    assert parse_shape(text) is None


def test_assumptions_are_said():
    assert parse_shape("D6x2").assumptions == ("no unit written: read as millimetres",)
    assert "two dimensions read as a disc, diameter × height" in parse_shape("magnet 12.7 x 3.175 mm").assumptions


# --- the library file: every figure sourced, every key known -----------------------------


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        (('kind = "free"', 'kind = "freee"'), "kind"),
        (('source = "t", evidence = "quoted" }\n', 'source = "nowhere", evidence = "quoted" }\n'), "not a source"),
        (("low = 1, typical = 4, high = 6", "low = 5, typical = 4, high = 6"), "low <= typical <= high"),
        (('evidence = "interpolated", derivation = "by hand"', 'evidence = "interpolated"'), "derivation"),
        (("any = ['\\btestscrew\\b']", "any = ['(?=screw)']"), "look-around"),
        (
            (
                'rule = "a steel screw holds no rare earths"',
                'rule = "x"\ncontent = [{ element = "Dy", low = 0, typical = 0, high = 0, source = "t", evidence = "quoted" }]',
            ),
            "free class",
        ),
        (("priority = 900\nany = ['\\btestmotor\\b']", "priorty = 900\nany = ['\\btestmotor\\b']"), "did you mean 'priority'"),
        (('element = "Dy", low = 1', 'element = "Xx", low = 1'), "element symbol"),
        (('grade = "SH", mass_low', 'grade = "ZZ", mass_low'), "not a grade"),
    ],
)
def test_a_malformed_materials_file_is_refused_with_its_key(tmp_path, change, needle):
    old, new = change
    assert old in LIB, old
    p = tmp_path / "bad.toml"
    p.write_text(LIB.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(BomauditError) as err:
        load_library((str(p),))
    assert needle in str(err.value), str(err.value)
    result = runner.invoke(app, ["materials", "--materials", str(p)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert str(p) in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_a_materials_file_replaces_a_class_of_the_same_id_and_is_listed(tmp_path, lib_file):
    lib = load_library((str(lib_file),))
    assert {"t-magnet", "t-motor", "t-fan", "t-screw"} <= {c.id for c in lib.classes}
    # rare-earth-bearing classes are tried before every free one
    kinds = [c.kind for c in lib.classes]
    assert "free" not in kinds[: kinds.index("free")] and all(k == "free" for k in kinds[kinds.index("free") :])
    out = runner.invoke(app, ["materials", "--materials", str(lib_file), "-f", "json"])
    assert out.exit_code == 0
    data = json.loads(out.stdout)
    fan = next(c for c in data["classes"] if c["id"] == "t-fan")
    assert fan["magnet"]["mass_g"] == "not found" and fan["from"] == str(lib_file)
    sh = next(g for g in next(c for c in data["classes"] if c["id"] == "t-magnet")["grades"] if g["suffix"] == "SH")
    assert sh["content_wt_pct"]["Dy"]["sources"] == ["https://example.org/figures"]


# --- estimates through the roll-up: hand-computed -----------------------------------------

BOM = (
    "Part Number,Description,Qty,Mass (g)\n"
    "MAG,testmag N42SH 20x10x5 mm,4,\n"  # 1 cm³ × 7.5 = 7.5 g; Dy 1/4/6 % = 0.075/0.3/0.45 g
    "MOT,testmotor 5010,2,100\n"  # magnet 10/20/30 g × Dy 1/4/6 % = 0.1/0.8/1.8 g
    "SCR,testscrew M3x8,10,1\n"  # free, 1 g
    "HSG,housing,1,1000\n"  # no data
)


def test_estimates_by_hand(tmp_path, lib_file):
    code, report, _ = _scan(tmp_path, lib_file, BOM)
    skus = _by_sku(report)
    mag = skus["MAG"]
    assert mag["mass_g"] == pytest.approx(7.5)
    assert mag["cn_controlled_g"] == pytest.approx(0.3)
    assert mag["estimate"]["cn_controlled_g"] == pytest.approx({"low": 0.075, "typical": 0.3, "high": 0.45})
    assert mag["estimated_from"]["class"] == "t-magnet" and mag["estimated_from"]["grade"] == "N42SH"
    assert "20·10·5 = 1000 mm³ × 7.5 g/cm³ = 7.5 g" in mag["estimated_from"]["mass"]["formula"]
    assert mag["coverage"]["estimated"] == {"parts": 1.0, "mass_g": 7.5}
    mot = skus["MOT"]
    assert mot["estimate"]["cn_controlled_g"] == pytest.approx({"low": 0.1, "typical": 0.8, "high": 1.8})
    assert mot["mass_g"] == 100  # the device's declared mass; its magnet mass is inside it
    scr = skus["SCR"]
    assert scr["verdict"] == "clear" and scr["estimated_from"]["rule"] == "a steel screw holds no rare earths"
    top = skus["bom"]
    # 4 × 7.5 + 2 × 100 + 10 × 1 + 1000 = 1240 g; CN Dy 4 × 0.3 + 2 × 0.8 = 2.8 g (typical)
    assert top["mass_g"] == pytest.approx(1240)
    assert top["cn_controlled_g"] == pytest.approx(2.8)
    assert top["estimate"]["cn_controlled_g"] == pytest.approx({"low": 4 * 0.075 + 2 * 0.1, "typical": 2.8, "high": 4 * 0.45 + 2 * 1.8})
    # HSG has no data: unknown, and the request list puts the widest estimated range first
    assert top["verdict"] == "license-required"  # 2.8 / 1240 = 0.226 % ≥ 0.1 % on what is known
    assert [r["sku"] for r in top["requests"]] == ["MOT", "MAG", "HSG"]
    assert top["requests"][0]["high_g"] == pytest.approx(3.6) and top["requests"][0]["low_g"] == pytest.approx(0.2)
    assert top["estimate"]["over_at"] == "typical"
    assert code == 1


@pytest.mark.parametrize(
    ("housing_g", "band", "verdict"),
    [
        # China Dy: low 0.5, typical 2.8, high 5.4 g over 240 g + housing
        (100, "low", "license-required"),  # 0.5 / 340 = 0.147 %: over even at low
        (1000, "typical", "license-required"),  # 2.8 / 1240 = 0.226 %; low 0.04 %
        (3000, "high", "unknown"),  # 2.8 / 3240 = 0.086 %; high 5.4 / 3240 = 0.167 %
        (6000, None, "clear"),  # high 5.4 / 6240 = 0.0865 %
    ],
)
def test_verdict_bands(tmp_path, lib_file, housing_g, band, verdict):
    parts = tmp_path / "parts.csv"
    parts.write_text("sku,Dy_pct\nHSG,0\n", encoding="utf-8")
    bom = BOM.replace("HSG,housing,1,1000", f"HSG,housing,1,{housing_g}")
    _, report, _ = _scan(tmp_path, lib_file, bom, "--parts", str(parts))
    top = _by_sku(report)["bom"]
    assert top["estimate"]["over_at"] == band
    assert top["verdict"] == verdict, top["reasons"]
    if band == "high":
        assert any("over only at the high estimate" in r for r in top["reasons"])


def test_a_magnet_is_never_assumed_free_and_declared_data_wins(tmp_path, lib_file):
    parts = tmp_path / "parts.csv"
    parts.write_text("sku,Dy_pct,Mass (g)\nMAG,0.1,7.5\n", encoding="utf-8")
    _, report, _ = _scan(tmp_path, lib_file, BOM, "--parts", str(parts), "--assume-free-unlisted")
    skus = _by_sku(report)
    assert skus["MAG"]["estimated_from"] is None and skus["MAG"]["cn_controlled_g"] == pytest.approx(0.0075)
    assert skus["MOT"]["coverage"]["estimated"]["parts"] == 1  # estimated, not assumed free
    assert skus["HSG"]["coverage"]["assumed"]["parts"] == 1


def test_recognised_but_not_estimable_stays_unknown_and_is_asked_first(tmp_path, lib_file):
    bom = "Part Number,Description,Qty,Mass (g)\nFAN,testfan 40mm,1,20\nMAG,testmag N42,1,\nSCR,testscrew,4,1\n"
    code, report, _ = _scan(tmp_path, lib_file, bom)
    skus = _by_sku(report)
    for sku in ("FAN", "MAG"):  # a device whose magnet mass is not found; a magnet with no mass or dimensions
        assert skus[sku]["verdict"] == "unknown"
        assert skus[sku]["coverage"]["none"]["parts"] == 1
    assert "magnet mass per test fan not found" in skus["FAN"]["estimated_from"]["missing"]
    top = skus["bom"]
    assert top["verdict"] == "unknown" and code == 1
    assert [r["sku"] for r in top["requests"]][:2] == ["FAN", "MAG"]
    assert any("recognised as holding rare earths but not estimable" in r for r in top["reasons"])


def test_free_parts_without_mass_do_not_block_a_clear_but_never_make_one_over(tmp_path, lib_file):
    # only free parts, no masses: nothing controlled below, clear
    _, report, _ = _scan(tmp_path, lib_file, "Part Number,Description,Qty\nSCR,testscrew M3,10\n")
    assert _by_sku(report)["bom"]["verdict"] == "clear"
    # a magnet of known mass with screws of unknown mass: over on the known mass only -> unknown, with the mass needed
    _, report, _ = _scan(tmp_path, lib_file, "Part Number,Description,Qty\nMAG,testmag N42SH 20x10x5 mm,1\nSCR,testscrew M3,10\n")
    top = _by_sku(report)["bom"]
    assert top["verdict"] == "unknown" and top["over_threshold"] is False
    # 0.3 g / 0.001 = 300 g in all; 7.5 g known: the screws would have to weigh 292.5 g
    assert any("at least 292.5 g" in r for r in top["reasons"]), top["reasons"]


def test_estimates_off(tmp_path, lib_file):
    _, report, _ = _scan(tmp_path, lib_file, BOM, "--estimates", "off")
    skus = _by_sku(report)
    assert all(s["estimate"] is None and s["estimated_from"] is None for s in skus.values())
    assert skus["bom"]["verdict"] == "unknown" and skus["MAG"]["coverage"]["none"]["parts"] == 1


def test_the_table_shows_the_estimate_and_the_request_list(tmp_path, lib_file):
    path = tmp_path / "bom.csv"
    path.write_text(BOM, encoding="utf-8")
    result = runner.invoke(app, ["scan", str(path), "--materials", str(lib_file), "--as-of", AS_OF], env={"COLUMNS": "200"})
    assert "over at typ." in result.stdout and "0.04–0.44 %" in result.stdout  # the product: 0.5 / 1240 to 5.4 / 1240
    assert "ask suppliers first for bom: MOT ×2 (0.2–3.6 g est.), MAG ×4 (0.3–1.8 g est.), HSG ×1 (no data)" in result.stdout
