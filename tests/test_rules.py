"""The rule pack as data: dates, suspensions, end uses, value basis, custom and malformed packs."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bomaudit.audit import AuditOptions, audit
from bomaudit.cli import app
from bomaudit.errors import BomauditError
from bomaudit.rules import load_pack

runner = CliRunner()
BUILTIN = Path(__file__).resolve().parents[1] / "bomaudit" / "rules" / "packs" / "cn-mofcom-2025.toml"

# DRIVE: 4 CN magnets of 10 g with 5 % Dy (0.5 g each, 2 g in all) + 1000 g frame → 2/1040 = 0.19 %
# SENSOR: a JP part made with Chinese rare-earth technology (cn_tech), no content
BOM = """parent,sku,qty,mass_g,Dy_pct,re_origin,cn_tech,category,unit_price,cn_re_value
,DRIVE,,,,,,,,
,SENSOR_KIT,,,,,,,,
DRIVE,MAG,4,10,5,CN,,magnet,2.00,0.50
DRIVE,FRAME,1,1000,,,,,40.00,
SENSOR_KIT,SENSOR,1,3,,JP,yes,,5.00,
"""


def verdicts(write, on: str, **kw) -> dict[str, dict]:
    path = write("bom.csv", kw.pop("bom", BOM))
    result = audit(AuditOptions(files=(path,), as_of=dt.date.fromisoformat(on), **kw))
    return {r["sku"]: r for r in result.skus.to_dicts()}


@pytest.mark.parametrize(
    ("on", "drive", "mag", "sensor"),
    [
        # before No. 61: nothing applies
        ("2025-10-08", "clear", "clear", "clear"),
        # prong 3 (re-export of China-origin items) from 2025-10-09: the magnet itself, not the drive
        ("2025-10-09", "clear", "license-required", "clear"),
        ("2025-11-06", "clear", "license-required", "clear"),
        # No. 70 suspends everything from 2025-11-07
        ("2025-11-07", "clear", "clear", "clear"),
        ("2025-11-30", "clear", "clear", "clear"),
        ("2025-12-01", "clear", "clear", "clear"),
        ("2026-11-09", "clear", "clear", "clear"),
        # after the window (the conservative reading of an unconfirmed fact)
        ("2026-11-10", "license-required", "license-required", "license-required"),
    ],
)
def test_verdicts_across_every_boundary(write, on, drive, mag, sensor):
    v = verdicts(write, on)
    assert (v["DRIVE"]["verdict"], v["MAG"]["verdict"], v["SENSOR_KIT"]["verdict"]) == (drive, mag, sensor)
    assert v["DRIVE"]["over_threshold"] is True  # over whatever the date: only the verdict changes
    assert v["DRIVE"]["cn_fraction"] == pytest.approx(2 / 1040)


def test_reasons_name_the_rule_and_why_it_is_not_in_force(write):
    v = verdicts(write, "2025-11-07")
    assert v["DRIVE"]["reasons"] == [
        "China-origin controlled content 0.1923 % of mass is at or above the 0.1 % threshold "
        "(no61-de-minimis: not in force on 2025-11-07, suspended until 2026-11-10 by MOFCOM Announcement No. 70 of 2025)"
    ]
    early = verdicts(write, "2025-10-08")
    assert "not yet effective (from 2025-12-01)" in early["DRIVE"]["reasons"][0]
    late = verdicts(write, "2026-11-10")
    assert "a conservative reading: see the rule's note" in late["DRIVE"]["reasons"][0]
    assert any(r.startswith("made with Chinese rare-earth technology") and "no61-technology" in r for r in late["SENSOR_KIT"]["reasons"])


def test_in_force_and_notes_in_json_report(write):
    path = write("bom.csv", BOM)
    out = runner.invoke(app, ["scan", path, "-f", "json", "--as-of", "2026-11-10"]).stdout
    rules = json.loads(out)["rules"]
    assert rules["in_force"] == ["no61-de-minimis", "no61-technology", "no61-reexport"]
    assert set(rules["notes"]) == {"no61-de-minimis", "no61-technology", "no61-reexport"}
    out = runner.invoke(app, ["scan", path, "-f", "json", "--as-of", "2025-10-20"]).stdout
    assert json.loads(out)["rules"]["in_force"] == ["no61-reexport"]


@pytest.mark.parametrize(
    ("use", "expected", "code"),
    [
        ("civil", "license-required", 1),
        ("military", "denied", 1),
        ("advanced-semiconductor", "case-by-case", 1),
        ("military-ai", "case-by-case", 1),
        ("humanitarian", "exempt", 0),
    ],
)
def test_end_uses(write, use, expected, code):
    v = verdicts(write, "2026-11-28", end_use=use)
    assert v["DRIVE"]["verdict"] == expected
    if expected != "license-required":
        assert f"end use {use}: {expected} under the licensing policy (no61-licensing-policy)" in v["DRIVE"]["reasons"]
    result = runner.invoke(app, ["scan", write("b.csv", BOM), "--end-use", use, "--as-of", "2026-11-28"])
    assert result.exit_code == code


def test_clear_stays_clear_whatever_the_end_use(write):
    v = verdicts(write, "2025-11-20", end_use="military")
    assert v["DRIVE"]["verdict"] == "clear"


def test_end_use_column_overrides_option(write):
    bom = """parent,sku,qty,mass_g,Dy_pct,re_origin,end_use
,DRIVE,,,,,military
,DRIVE_B,,,,,
DRIVE,MAG,4,10,5,CN,
DRIVE_B,MAG,4,,,,
"""
    v = verdicts(write, "2026-11-28", bom=bom)
    assert v["DRIVE"]["verdict"] == "denied"
    assert v["DRIVE_B"]["verdict"] == "license-required"


VALUE_BOM = """parent,sku,qty,mass_g,Dy_pct,re_origin,unit_price,cn_re_value
,PRICED,,,,,{price},
PRICED,MAG,4,10,5,CN,2.00,0.05
PRICED,FRAME,1,1000,,,40.00,
"""


def test_value_basis_with_declared_assembly_price(write):
    v = verdicts(write, "2026-11-28", bom=VALUE_BOM.format(price="500"), basis="value")
    # 4 × 0.05 = 0.20 of China-origin content in a 500.00 item: 0.04 %, under 0.1 %
    assert v["PRICED"]["cn_value"] == pytest.approx(0.2)
    assert v["PRICED"]["cn_value_fraction"] == pytest.approx(0.2 / 500)
    assert v["PRICED"]["verdict"] == "clear"
    assert v["PRICED"]["over_threshold"] is False
    assert v["PRICED"]["cn_fraction"] == pytest.approx(2 / 1040)  # the mass fraction is still shown
    assert v["PRICED"]["assumptions"] == []


def test_value_basis_without_declared_price_uses_rolled_up_value(write):
    v = verdicts(write, "2026-11-28", bom=VALUE_BOM.format(price=""), basis="value")
    # 0.20 / (4 × 2.00 + 40.00) = 0.4167 %: over
    assert v["PRICED"]["cn_value_fraction"] == pytest.approx(0.2 / 48)
    assert v["PRICED"]["verdict"] == "license-required"
    assert v["PRICED"]["assumptions"] == ["no unit_value declared for this assembly: its value is the sum of its parts' values"]


def test_value_basis_missing_values_is_unknown_never_clear(write):
    bom = VALUE_BOM.format(price="").replace("CN,2.00,0.05", "CN,2.00,")
    v = verdicts(write, "2026-11-28", bom=bom, basis="value")
    assert v["MAG"]["verdict"] == "unknown"
    assert v["PRICED"]["verdict"] == "unknown"
    assert v["PRICED"]["unknown"] == ["MAG"]
    assert v["FRAME"]["verdict"] == "clear"  # no controlled content: its China-origin value is 0


def test_custom_pack_with_another_element_set(write, tmp_path: Path):
    text = BUILTIN.read_text().replace('symbols = ["Sm", "Gd", "Tb", "Dy", "Lu", "Sc", "Y"]', 'symbols = ["Nd"]')
    pack = tmp_path / "nd.toml"
    pack.write_text(text)
    bom = "parent,sku,qty,mass_g,Dy_pct,Nd_pct,re_origin\n,M,,,,,\nM,MAG,1,10,5,30,CN\nM,CASE,1,90,,,\n"
    builtin = verdicts(write, "2026-11-28", bom=bom)
    custom = verdicts(write, "2026-11-28", bom=bom, rules=str(pack))
    assert builtin["M"]["controlled_g"] == pytest.approx(0.5)
    assert custom["M"]["controlled_g"] == pytest.approx(3.0)
    assert custom["M"]["Dy_g"] == pytest.approx(0.5)  # still reported, not counted


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("threshold = 0.001", "threshold = 2", "key 'rules[0].threshold': expected a fraction between 0 and 1 such as 0.001"),
        ("effective = 2025-12-01", 'effective = "soon"', "key 'rules[0].effective': expected a date such as 2025-12-01"),
        ('test = "cn_tech"', 'test = "vibes"', "key 'rules[1].test': expected one of threshold, cn_tech, cn_origin"),
        ('elements = "no18"', 'elements = "no99"', "key 'rules[0].elements': expected one of the element lists (no18, no57)"),
        ('symbols = ["Ho", "Er", "Tm", "Eu", "Yb"]', 'symbols = ["Ho", "Xx"]', "key 'elements.no57.symbols': expected rare-earth symbols"),
        ('military = "denied"', 'military = "forbidden"', "key 'policy.end_uses.military': expected one of license-required, denied, case-by-case, exempt"),
        ("reviewed = 2026-11-28", "", "key 'reviewed': expected a date such as 2025-12-01"),
        ('pack = "cn-mofcom-2025"', "pack = [", "is not valid TOML"),
    ],
)
def test_malformed_packs(tmp_path: Path, old: str, new: str, message: str):
    text = BUILTIN.read_text()
    assert old in text
    path = tmp_path / "bad.toml"
    path.write_text(text.replace(old, new, 1))
    with pytest.raises(BomauditError, match=None) as exc:
        load_pack(str(path))
    assert str(exc.value).startswith(f"{path}: ")
    assert message in str(exc.value)
    result = runner.invoke(app, ["rules", "--rules", str(path)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {path}: ")


def test_stale_pack_warning(write):
    path = write("bom.csv", BOM)
    result = runner.invoke(app, ["scan", path, "--as-of", "2027-06-01", "-f", "json"])
    issues = json.loads(result.stdout)["issues"]
    assert issues[0]["code"] == "stale-rules"
    assert "was last reviewed on 2026-11-28, 185 days before --as-of 2027-06-01" in issues[0]["message"]
    fresh = runner.invoke(app, ["scan", path, "--as-of", "2027-05-27", "-f", "json"])
    assert all(i["code"] != "stale-rules" for i in json.loads(fresh.stdout)["issues"])


def test_rules_command_json_and_table():
    result = runner.invoke(app, ["rules", "--as-of", "2025-10-20", "--format", "json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    status = {r["id"]: (r["in_force"], r["status"]) for r in data["rules"]}
    assert status == {
        "no61-de-minimis": (False, "not yet effective (from 2025-12-01)"),
        "no61-technology": (False, "not yet effective (from 2025-12-01)"),
        "no61-reexport": (True, "in force"),
    }
    assert data["elements"]["no18"]["symbols"] == ["Sm", "Gd", "Tb", "Dy", "Lu", "Sc", "Y"]
    assert data["elements"]["no57"]["status"] == "not yet effective (from 2025-11-08)"
    assert all(r["sources"] for r in data["rules"])
    table = runner.invoke(app, ["rules", "--as-of", "2026-11-09"]).stdout
    assert "suspended until" in table and "2026-11-10" in table
    assert "https://www.sscollege.cn/en/news/44800.html" in table


def test_reasons_and_assumptions_keep_texts_holding_the_list_separator(write):
    """Reasons and assumptions are built by joining texts with the ASCII unit separator and
    splitting again; a part number holding that character must not split its assumption."""
    bom = "parent,sku,qty,mass_g,Dy_pct\n,DRIVE,,,\nDRIVE,MAG\x1f7,4,10,5\nDRIVE,FRAME,1,1000,\n"
    v = verdicts(write, "2026-11-28", bom=bom)
    assert v["DRIVE"]["assumptions"] == ["rare-earth origin not given for 1 part(s) (MAG\x1f7): counted as China-origin (--unknown-origin china)"]
    assert len(v["DRIVE"]["reasons"]) == 1 and v["DRIVE"]["reasons"][0].startswith("China-origin controlled")


#: a key misspelt or unknown in every table of a pack: refused, naming the table and the nearest known key
UNKNOWN_KEYS = [
    ('pack = "cn-mofcom-2025"', 'pak = "cn-mofcom-2025"', "key 'pak' at the top level is not known — did you mean 'pack'?"),
    ("reviewed = 2026-11-28", "reviewed = 2026-11-28\nrevieved = 2026-11-29", "key 'revieved' at the top level is not known — did you mean 'reviewed'?"),
    ('description = "Medium', 'descripton = "Medium', "key 'descripton' in elements.no18 is not known — did you mean 'description'?"),
    ('symbols = ["Ho"', 'symbol = ["Ho"', "key 'symbol' in elements.no57 is not known — did you mean 'symbols'?"),
    ('id = "no61-de-minimis"', 'id = "no61-de-minimis"\nthreshhold = 0.01', "key 'threshhold' in rules[0] is not known — did you mean 'threshold'?"),
    (
        'suspended = [{ from = 2025-11-07, until = 2026-11-10, by = "MOFCOM Announcement No. 70 of 2025" }]\nnote = "What happened on or after 2026-11-10 is',
        'suspendid = [{ from = 2025-11-07, until = 2026-11-10, by = "MOFCOM Announcement No. 70 of 2025" }]\nnote = "What happened on or after 2026-11-10 is',
        "key 'suspendid' in rules[1] is not known — did you mean 'suspended'?",
    ),
    (
        "{ from = 2025-11-07, until = 2026-11-10,",
        "{ from = 2025-11-07, untill = 2026-11-10,",
        "key 'untill' in elements.no57.suspended[0] is not known — did you mean 'until'?",
    ),
    (
        'id = "no61-licensing-policy"',
        'id = "no61-licensing-policy"\nannouncment = "x"',
        "key 'announcment' in policy is not known — did you mean 'announcement'?",
    ),
    ('civil = "license-required"', 'civilian = "license-required"', "key 'civilian' in policy.end_uses is not a known end use — did you mean 'civil'?"),
    (
        'military = "denied"',
        'military = "denied"\nspace = "denied"',
        "key 'space' in policy.end_uses is not a known end use — the end uses in policy.end_uses are civil, military, advanced-semiconductor, military-ai, humanitarian",
    ),
    (
        'title = "PRC',
        'zzz = 1\ntitle = "PRC',
        "key 'zzz' at the top level is not known — the keys at the top level are schema, pack, version, reviewed, title, elements, rules, policy",
    ),
    (
        'test = "cn_tech"',
        'test = "cn_tech"\nthreshold = 0.01',
        'key \'threshold\' in rules[1] applies only to a rule with test = "threshold", and this one has test = "cn_tech" — remove it, or make the rule a threshold rule',
    ),
]


@pytest.mark.parametrize(("old", "new", "message"), UNKNOWN_KEYS, ids=[m.split("'")[1] for _, _, m in UNKNOWN_KEYS])
def test_unknown_keys_are_refused_with_the_nearest_known_one(tmp_path: Path, old: str, new: str, message: str):
    """A misspelt ``suspended`` used to leave the rule in force all year; a misspelt end use, unapplied."""
    text = BUILTIN.read_text()
    assert old in text
    path = tmp_path / "pack.toml"
    path.write_text(text.replace(old, new, 1))
    with pytest.raises(BomauditError) as exc:
        load_pack(str(path))
    assert str(exc.value) == f"{path}: {message}"
    result = runner.invoke(app, ["scan", "-", "--rules", str(path)], input="sku,qty\nA,1\n")
    assert (result.exit_code, result.stderr) == (2, f"error: {path}: {message}\n")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (bytes(range(256)) * 4, "is not text (not UTF-8), so not a TOML rule pack — name the .toml rule pack with --rules"),
        (b'schema = "bomaudit.rulepack/1"\x00\n', "holds binary data, not a TOML rule pack — name the .toml rule pack with --rules"),
        (b"a = " + b"[" * 50_000 + b"]" * 50_000, "nests arrays or tables too deeply to be a rule pack — see README, 'Rule packs'"),
        (b"a = " + b"{b = " * 5_000 + b"1" + b"}" * 5_000, "nests arrays or tables too deeply to be a rule pack — see README, 'Rule packs'"),
    ],
    ids=["binary", "nul", "deep-arrays", "deep-tables"],
)
def test_binary_and_deeply_nested_packs_are_located_errors(tmp_path: Path, content: bytes, message: str):
    path = tmp_path / "pack.toml"
    path.write_bytes(content)
    result = runner.invoke(app, ["rules", "--rules", str(path)])
    assert (result.exit_code, result.stderr) == (2, f"error: {path}: {message}\n")


def test_the_built_in_pack_uses_only_known_keys():
    assert load_pack().pack == "cn-mofcom-2025"
