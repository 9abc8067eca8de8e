"""The roll-up on a multi-level DAG worked out by hand.

Graph (quantities per one parent; SUB is shared by A and B, A by P1 and P2, MAG1 appears
at two depths under P2; STEEL is a bulk line of 0.1 kg):

    P1 → A ×2, B ×3, SCREW ×10          P2 → A ×1, MAG1 ×4
    A  → SUB ×3, HOUSING ×1             B  → SUB ×2, MAG2 ×1
    SUB → MAG1 ×5, STEEL 0.1 kg (bulk)

Leaves: MAG1 2 g, Dy 5 % (0.1 g) + Tb 0.02 g, CN.  MAG2 20 g, Sm 25 % (5 g), JP.
HOUSING 500 g.  SCREW 1.5 g.  STEEL: Y 10 ppm, origin not given (assumed China by default).

By hand (grams):
    SUB  mass 5·2 + 100 = 110;   CN controlled 5·0.12 + 100·1e-5 = 0.601
    A    mass 3·110 + 500 = 830; CN 3·0.601 = 1.803
    B    mass 2·110 + 20 = 240;  CN 2·0.601 = 1.202; controlled 1.202 + 5 (Sm, JP) = 6.202
    P1   mass 2·830 + 3·240 + 10·1.5 = 2395; CN 2·1.803 + 3·1.202 = 7.212
         MAG1 count 2·3·5 + 3·2·5 = 60 → 7.2 g; STEEL 12 lines · 100 g = 1200 g → 0.012 g
    P2   mass 830 + 4·2 = 838;   CN 1.803 + 4·0.12 = 2.283; MAG1 count 15 + 4 = 19
"""

from __future__ import annotations

import pytest

from bomaudit.audit import AuditOptions, audit
from bomaudit.errors import BomauditError

from .conftest import AS_OF

BOM = """parent,sku,qty,uom
,P1,,
,P2,,
P1,A,2,EA
P1,B,3,EA
P1,SCREW,10,EA
P2,A,1,EA
P2,MAG1,4,EA
A,SUB,3,EA
A,HOUSING,1,EA
B,SUB,2,EA
B,MAG2,1,EA
SUB,MAG1,5,EA
SUB,STEEL,0.1,kg
"""

PARTS = """sku,mass_g,Dy_pct,Tb_g,Sm_pct,Y_ppm,re_origin,cn_tech
MAG1,2,5,0.02,,,CN,
MAG2,20,,,25,,JP,
HOUSING,500,,,,,,
SCREW,1.5,,,,,,
STEEL,,,,,10,,
"""


def run(write, **kw):
    bom = write("bom.csv", BOM)
    parts = write("parts.csv", kw.pop("parts", PARTS))
    result = audit(AuditOptions(files=(bom,), parts=(parts,), as_of=AS_OF, **kw))
    return {r["sku"]: r for r in result.skus.to_dicts()}, result


def test_masses_and_china_content_by_hand(write):
    skus, _ = run(write)
    expected = {
        "SUB": (110, 0.601, 0.601),
        "A": (830, 1.803, 1.803),
        "B": (240, 6.202, 1.202),
        "P1": (2395, 22.212, 7.212),
        "P2": (838, 2.283 + 0, 2.283),
    }
    for sku, (mass, controlled, cn) in expected.items():
        assert skus[sku]["mass_g"] == pytest.approx(mass, rel=1e-12), sku
        assert skus[sku]["controlled_g"] == pytest.approx(controlled, rel=1e-12), sku
        assert skus[sku]["cn_controlled_g"] == pytest.approx(cn, rel=1e-12), sku
        assert skus[sku]["cn_fraction"] == pytest.approx(cn / mass, rel=1e-12), sku
    assert skus["P1"]["Dy_g"] == pytest.approx(60 * 0.1)
    assert skus["P1"]["Tb_g"] == pytest.approx(60 * 0.02)
    assert skus["P1"]["Sm_g"] == pytest.approx(3 * 5)
    assert skus["P1"]["Sm_cn_g"] == 0
    assert skus["P1"]["Y_g"] == pytest.approx(1200 * 1e-5)


def test_kinds_and_verdicts(write):
    skus, _ = run(write)
    assert {s: r["kind"] for s, r in skus.items()} == {
        "P1": "product",
        "P2": "product",
        "A": "assembly",
        "B": "assembly",
        "SUB": "assembly",
        "MAG1": "part",
        "MAG2": "part",
        "HOUSING": "part",
        "SCREW": "part",
        "STEEL": "part",
    }
    assert skus["P1"]["verdict"] == "license-required"
    assert skus["MAG2"]["verdict"] == "clear"  # 25 % Sm but Japanese origin
    assert skus["HOUSING"]["verdict"] == "clear"
    # 10 ppm Y is under 0.1 %: clear, but the origin assumption is stated
    assert skus["STEEL"]["verdict"] == "clear"
    assert skus["STEEL"]["assumptions"] == ["rare-earth origin not given for 1 part(s) (STEEL): counted as China-origin (--unknown-origin china)"]
    assert skus["P1"]["assumptions"][0].startswith("rare-earth origin not given for 1 part(s) (STEEL)")
    assert skus["HOUSING"]["assumptions"] == []


def test_contributors_sum_over_every_path(write):
    skus, _ = run(write)
    p1 = skus["P1"]["contributors"]
    assert [c["sku"] for c in p1] == ["MAG1", "STEEL"]
    assert p1[0]["qty"] == pytest.approx(60)
    assert p1[0]["cn_controlled_g"] == pytest.approx(7.2)
    assert p1[0]["share"] == pytest.approx(7.2 / 7.212)
    assert p1[1]["qty"] == pytest.approx(1200)  # grams of bulk STEEL
    p2 = skus["P2"]["contributors"]
    assert p2[0]["sku"] == "MAG1" and p2[0]["qty"] == pytest.approx(19)
    assert skus["B"]["contributors"][0]["qty"] == pytest.approx(10)  # MAG2 is JP: not a contributor
    assert [c["sku"] for c in skus["B"]["contributors"]] == ["MAG1", "STEEL"]


def test_unknown_origin_mode_marks_missing_origin_unknown(write):
    skus, _ = run(write, unknown_origin="unknown")
    assert skus["STEEL"]["verdict"] == "unknown"
    assert skus["STEEL"]["unknown"] == ["STEEL"]
    assert skus["SUB"]["unknown"] == ["STEEL"]
    # the steel's yttrium no longer counts as Chinese
    assert skus["SUB"]["cn_controlled_g"] == pytest.approx(0.6)
    assert skus["P1"]["verdict"] == "license-required"  # over the threshold on MAG1 alone
    assert skus["STEEL"]["assumptions"] == []


def test_missing_mass_makes_ancestors_unknown_not_clear(write):
    parts = PARTS.replace("MAG1,2,5,0.02,,,CN,", "MAG1,2,,,,,CN,").replace("HOUSING,500,", "HOUSING,,")
    skus, _ = run(write, parts=parts)
    assert skus["HOUSING"]["verdict"] == "unknown"
    assert skus["A"]["unknown"] == ["HOUSING"]
    assert skus["P2"]["unknown"] == ["HOUSING"]
    assert skus["B"]["unknown"] == []
    assert skus["A"]["verdict"] == "unknown"
    assert skus["P1"]["verdict"] == "unknown"
    assert any("data missing for 1 part(s) below" in r for r in skus["P1"]["reasons"])


def test_cn_tech_is_carried_up(write):
    parts = PARTS.replace("HOUSING,500,,,,,,", "HOUSING,500,,,,,,yes").replace("MAG1,2,5,0.02,,,CN,", "MAG1,2,,,,,CN,")
    skus, _ = run(write, parts=parts)
    assert skus["HOUSING"]["cn_tech"] and skus["A"]["cn_tech"] and skus["P1"]["cn_tech"] and skus["P2"]["cn_tech"]
    assert not skus["B"]["cn_tech"] and not skus["SUB"]["cn_tech"]
    assert skus["B"]["verdict"] == "clear"
    assert skus["P2"]["verdict"] == "license-required"
    assert any("Chinese rare-earth technology" in r for r in skus["P2"]["reasons"])


def test_threshold_boundary_is_over(write):
    # P2's fraction exactly: at the threshold is over; within the documented relative tolerance
    # (floating-point error, rules.evaluate.THRESHOLD_REL_TOL = 1e-9) still over; clearly above it, not
    skus, _ = run(write)
    f = skus["P2"]["cn_fraction"]
    at, _ = run(write, threshold=f)
    hair, _ = run(write, threshold=f * (1 + 1e-12))
    above, _ = run(write, threshold=f * (1 + 1e-7))
    assert at["P2"]["over_threshold"] is True
    assert hair["P2"]["over_threshold"] is True
    assert above["P2"]["over_threshold"] is False


def test_cycle_is_named(write):
    bom = write("c.csv", "parent,sku,qty\n,TOP,\nTOP,A,1\nA,B,1\nB,C,2\nC,A,1\n")
    with pytest.raises(BomauditError) as exc:
        audit(AuditOptions(files=(bom,), as_of=AS_OF))
    assert "the BOM has a cycle: A → B → C → A" in str(exc.value)


def test_report_order_severity_then_fraction_then_sku(write):
    _, result = run(write)
    order = result.skus["sku"].to_list()
    verdicts = result.skus["verdict"].to_list()
    assert verdicts == sorted(verdicts, key=["license-required", "unknown", "clear"].index)
    lic = [s for s, v in zip(order, verdicts, strict=True) if v == "license-required"]
    fr = dict(zip(result.skus["sku"], result.skus["cn_fraction"], strict=True))
    assert [fr[s] for s in lic] == sorted((fr[s] for s in lic), reverse=True)
    assert order[0] == "MAG1"  # 0.12 / 2 = 6 %


def test_declared_assembly_mass_is_a_cross_check_not_added(write):
    # SUB really weighs 110 g; a declared 200 g is warned about and ignored, 112 g (within 5 %) is not
    parts = PARTS + "SUB,200,,,,,,\n"
    skus, result = run(write, parts=parts)
    assert skus["SUB"]["mass_g"] == pytest.approx(110)
    warnings = [p for p in result.issues if p.code == "mass-mismatch"]
    assert [w.sku for w in warnings] == ["SUB"]
    assert warnings[0].message.startswith("declared mass 200 g of 'SUB' differs from its parts' total 110 g by more than 5 %")
    _, result = run(write, parts=PARTS + "SUB,112,,,,,,\n")
    assert not [p for p in result.issues if p.code == "mass-mismatch"]


# The finished roll-up, on the value basis (prices per one unit):
#
#     KIT (declared price 300) → MOTOR ×2, MAG_B ×1        MOTOR (no price) → MAG_A ×3, SHAFT ×1
#
# MAG_A 10 g, Dy 5 % (0.5 g), CN, price 2.00, China-origin RE value 0.10.
# MAG_B 20 g, Dy 10 % (2 g), origin not given (assumed China), price 5.00, RE value 0.40.
# SHAFT 100 g, no rare earths, no price: its China-origin value is 0, its value is missing.
#
# KIT:   CN controlled 2·3·0.5 + 2 = 5 g: MAG_A ×6 3 g (60 %), MAG_B ×1 2 g (40 %)
#        cn_value 2·3·0.10 + 0.40 = 1.00 over the declared 300 → 1/300; SHAFT's missing
#        price is covered by the declared one, so nothing is unknown
# MOTOR: cn_value 0.30, value missing (SHAFT) and no declared price → no fraction; SHAFT unknown
VALUE_DAG = """parent,sku,qty,mass_g,Dy_pct,re_origin,unit_price,cn_re_value
,KIT,,,,,300,
KIT,MOTOR,2,,,,,
KIT,MAG_B,1,20,10,,5.00,0.40
MOTOR,MAG_A,3,10,5,CN,2.00,0.10
MOTOR,SHAFT,1,100,,,,
"""


def test_rollup_skus_carry_lists_and_value_fraction(write):
    from bomaudit.audit import AuditOptions, load_bom
    from bomaudit.rollup import RollupOptions, rollup
    from bomaudit.rules import load_pack
    from bomaudit.vocab import Basis

    bom = load_bom(AuditOptions(files=(write("bom.csv", VALUE_DAG),), as_of=AS_OF))
    rolled = rollup(bom, RollupOptions(controlled=load_pack().controlled, basis=Basis.value))
    skus = {r["sku"]: r for r in rolled.skus.to_dicts()}
    assert set(skus) == {"KIT", "MOTOR", "MAG_A", "MAG_B", "SHAFT"}

    kit = skus["KIT"]
    assert [(c["sku"], c["qty"]) for c in kit["contributors"]] == [("MAG_A", 6.0), ("MAG_B", 1.0)]
    assert [c["cn_controlled_g"] for c in kit["contributors"]] == [pytest.approx(3.0), pytest.approx(2.0)]
    assert [c["share"] for c in kit["contributors"]] == [pytest.approx(0.6), pytest.approx(0.4)]
    assert kit["unknown"] == []
    assert kit["assumed"] == ["MAG_B"]
    assert kit["value"] is None  # SHAFT has no price
    assert kit["declared_value"] == 300
    assert kit["denominator"] == 300
    assert kit["cn_value"] == pytest.approx(1.0)
    assert kit["cn_value_fraction"] == pytest.approx(1 / 300)

    motor = skus["MOTOR"]
    assert motor["contributors"] == [{"sku": "MAG_A", "qty": 3.0, "cn_controlled_g": pytest.approx(1.5), "share": 1.0}]
    assert motor["unknown"] == ["SHAFT"]
    assert motor["assumed"] == []
    assert motor["cn_value"] == pytest.approx(0.3)
    assert motor["denominator"] is None
    assert motor["cn_value_fraction"] is None

    assert skus["MAG_A"]["denominator"] == 2.0
    assert skus["MAG_A"]["cn_value_fraction"] == pytest.approx(0.05)
    assert skus["MAG_B"]["assumed"] == ["MAG_B"]
    assert skus["SHAFT"]["contributors"] is None  # no China-origin content: null, as after a left join
    assert skus["SHAFT"]["unknown"] == ["SHAFT"]
    assert skus["SHAFT"]["cn_value"] == 0
    assert skus["SHAFT"]["cn_value_fraction"] is None


def test_options_hold_vocabulary_members():
    from bomaudit.rollup import RollupOptions
    from bomaudit.rules import EvalOptions
    from bomaudit.vocab import Basis, EndUse, UnknownOrigin

    opts = RollupOptions(controlled=("Dy",), unknown_origin="unknown", basis="value")
    assert opts.unknown_origin is UnknownOrigin.unknown and opts.basis is Basis.value
    ev = EvalOptions(as_of=AS_OF, threshold=0.001, end_use="military", basis="mass")
    assert ev.end_use is EndUse.military and ev.basis is Basis.mass
    with pytest.raises(ValueError):
        RollupOptions(controlled=(), basis="volume")
