"""Regenerate the sample BOMs in this folder.

    python sample_boms/make_samples.py

Deterministic: no randomness, no clock. The same script gives byte-identical files (the .xlsx
carries a fixed document date and fixed zip timestamps). Every composition number is either a
row of ../shared/real_boms/reference_composition.csv or a MODEL ASSUMPTION; README.md in this
folder says which, and gives the hand-computed roll-up of every product.
"""

from __future__ import annotations

import csv
import io
import re
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent

# A fixed date for the workbook's document properties and zip entries ("exported 2026-10-02").
EXPORT_DATE = (2026, 10, 2, 0, 0, 0)
EXPORT_ISO = "2026-10-02T00:00:00Z"

# --- MODEL ASSUMPTIONS shared by several samples (see README.md, "Sources") ------------------
# Sintered NdFeB, total rare earth 30.5 wt% (sdmmagnetic: 29.0-32.5 wt%); Nd/Pr split within the
# wungiel row (Nd 20-30, Pr 0.5-7); Dy per grade from the N / H / SH / UH model rows.
NDFEB_N = {"Nd": 24.0, "Pr": 6.5, "Dy": 0.0}  # N48/N52: "NdFeB grade N ... Dy 0 (model)"
NDFEB_H = {"Nd": 22.5, "Pr": 6.0, "Dy": 2.0}  # N48H: "grade H ... Dy 1-3 (model)"
NDFEB_SH = {"Nd": 21.0, "Pr": 5.5, "Dy": 4.0}  # N45SH: "grade SH ... Dy 3-5 (model)"
# HDD magnets: REE split of the Danish HDD waste stream (reegain: 850 kg Nd, 140 kg Pr, 40 kg Dy)
# at 31 wt% total REE -> Nd 25.6, Pr 4.2, Dy 1.2 wt% (computed in that row).
HDD_AVG = {"Nd": 25.6, "Pr": 4.2, "Dy": 1.2}


def blank(x: float | str | None) -> float | str:
    """An empty cell for zero/None (a blank element cell means zero), else the value."""
    return "" if x in (None, 0, 0.0, "") else x


def write_delimited(name: str, header: list[str], rows: list[list], delimiter: str = ",", decimal_comma: bool = False) -> Path:
    path = HERE / name
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, delimiter=delimiter, lineterminator="\n")
        w.writerow(header)
        for row in rows:
            w.writerow([fmt(v, decimal_comma) for v in row])
    return path


def fmt(v: object, decimal_comma: bool = False) -> str:
    """Plain decimal text; with decimal_comma, European style: 1.150,0 and 22,5."""
    if v is None or v == "":
        return ""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return str(v)
    if not decimal_comma:
        return repr(v) if isinstance(v, float) else str(v)
    text = f"{v:,.1f}" if isinstance(v, float) else f"{v:,}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


# --- 1. EV traction motor: indented, xlsx ------------------------------------------------------

EV_HEADER = ["Level", "Part Number", "Description", "Qty", "UoM", "Weight (kg)", "Dy_pct", "Tb_pct", "RE Origin", "CN Tech"]
# N42SH: Dy 4.5 wt% ("grade SH (150C) e.g. N42SH, Dy 3-5 (model)"), Tb 0.5 wt% (grain-boundary
# diffusion, regulation.md "Tb 0.5-1 %"). 48 x 30 g = 1.44 kg per motor ("1-2 kg per EV drive motor").
_BRG_KIT = [
    (2, "BRG-KIT-6207", "Bearing kit 6207 (bearing, wave spring, circlip)", 1, "EA", None),
    (3, "BRG-6207-C3", "Deep-groove ball bearing 6207-2RS C3", 1, "EA", 0.29),
    (3, "WSPR-72", "Wave spring washer 72 mm", 1, "EA", 0.006),
    (3, "CIRC-72", "Circlip DIN 472, 72 mm", 1, "EA", 0.008),
]
EV_ROWS: list[tuple] = [
    (0, "EM-150", "EV traction motor EM-150, 150 kW IPM synchronous", 1, "EA", 59.8),
    (1, "ROT-10", "Rotor assembly", 1, "EA", 16.44),
    (2, "SHAFT-10", "Rotor shaft, 42CrMo4", 1, "EA", 4.3),
    (2, "LAM-ROT-10", "Rotor lamination stack, M270-35A", 1, "EA", 10.0),
    (2, "MAGSET-6", "Magnet set, one pole (6 segments, double-V)", 8, "EA", None),
    (3, "MAG-N42SH", "Sintered NdFeB magnet segment N42SH, 30 g", 6, "EA", 0.03, 4.5, 0.5, "CN", "yes"),
    (3, "ADH-EP2K", "Magnet bonding epoxy, 2-component", 4, "g", None),
    (2, "BAL-RING-10", "Balancing ring, brass", 2, "EA", 0.334),
    (1, "STA-150", "Stator assembly", 1, "EA", 26.5),
    (2, "LAM-STA-150", "Stator lamination stack, M250-35A", 1, "EA", 18.5),
    (2, "WDG-HP48", "Hairpin winding set, copper, 48 slots", 1, "EA", 7.2),
    (2, "LINER-NMX", "Slot liner, Nomex 410", 48, "EA", 0.004),
    (2, "NTC-10K", "Winding temperature sensor NTC 10k", 2, "EA", 0.002),
    (2, "VARN-EI", "Impregnation resin, epoxy", 0.6, "kg", None),
    (1, "HSG-150", "Motor housing with water jacket, AlSi9Cu3", 1, "EA", 11.5),
    (1, "ES-DE-150", "End shield assembly, drive end", 1, "EA", None),
    (2, "ES-DE-CAST", "End shield casting, drive end", 1, "EA", 2.1),
    *_BRG_KIT,
    (1, "ES-NDE-150", "End shield assembly, non-drive end", 1, "EA", None),
    (2, "ES-NDE-CAST", "End shield casting, non-drive end", 1, "EA", 1.8),
    *_BRG_KIT,  # the same sub-assembly again, with the same children
    (2, "RSLV-8P", "Variable-reluctance resolver, 8-pole", 1, "EA", 0.15),
    (1, "TBOX-HV", "HV terminal box with busbars", 1, "EA", 0.6),
    (1, "SCR-M6X20", "Hex socket screw M6x20, 10.9", 24, "EA", 0.006),
]


def make_ev() -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "BOM"
    ws.append(["EV traction motor EM-150 — engineering BOM"])
    ws.append(["exported 2026-10-02"])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append(EV_HEADER)
    for cell in ws[3]:
        cell.font = Font(bold=True)
    for level, pn, desc, qty, uom, kg, *rest in EV_ROWS:
        dy, tb, origin, tech = (*rest, None, None, None, None)[:4]
        ws.append([level, pn, desc, qty, uom, kg, dy, tb, origin, tech])
    for col, width in zip("ABCDEFGHIJ", (7, 15, 50, 6, 6, 12, 8, 8, 10, 8), strict=True):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A4"

    notes = wb.create_sheet("Notes")
    for line in (
        "Sample BOM for bomaudit (sample_boms/make_samples.py); not a real product.",
        "Weights are per one unit of the line, in kg; assembly weights are a cross-check of the roll-up.",
        "Qty of a line whose UoM is g or kg is the mass of bulk material per one parent.",
        "MAG-N42SH: Dy 4.5 wt% (SH-grade model row, 3-5 %), Tb 0.5 wt% (grain-boundary diffusion).",
    ):
        notes.append([line])
    notes.column_dimensions["A"].width = 100

    wb.properties.creator = "bomaudit sample generator"
    buf = io.BytesIO()
    wb.save(buf)
    path = HERE / "ev_traction_motor.xlsx"
    path.write_bytes(_deterministic_zip(buf.getvalue()))
    return path


def _deterministic_zip(data: bytes) -> bytes:
    """Re-pack an xlsx with fixed timestamps so the file is byte-identical on every run."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                text = body.decode("utf-8")
                text = re.sub(r"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:)", rf"\g<1>{EXPORT_ISO}\g<3>", text)
                body = text.encode("utf-8")
            zi = zipfile.ZipInfo(info.filename, date_time=EXPORT_DATE)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            dst.writestr(zi, body)
    return out.getvalue()


# --- 2. Wind generator: parent-child, csv ------------------------------------------------------

WIND_HEADER = ["parent", "sku", "qty", "description", "mass_kg", "Dy_pct", "Tb_pct", "re_origin", "cn_tech"]
# 3 MW x 0.5 t/MW = 1500 kg NdFeB (encyclopedia.pub: "0.5 (average used) t per MW"), Dy ~4 wt%
# ("NdFeB wind-turbine magnets, Dy ~4"). 24 segments x 10 modules x 5 blocks x 1.25 kg = 1500 kg.
_MAG_CN = ("MAGBLK-CN", "Sintered NdFeB block 100x50x33 mm, wind grade, supplier CN", 1.25, 4, None, "CN", "no")
_MAG_JP = ("MAGBLK-JP", "Sintered NdFeB block 100x50x33 mm, wind grade, supplier JP", 1.25, 4, None, "JP", "no")
WIND_ROWS: list[tuple] = [
    ("", "WTG-3MW-DD", 1, "3 MW direct-drive permanent-magnet wind generator"),
    ("WTG-3MW-DD", "GEN-ROTOR-3M", 1, "Generator rotor assembly, outer rotor"),
    ("WTG-3MW-DD", "GEN-STATOR-3M", 1, "Generator stator assembly"),
    ("WTG-3MW-DD", "MAIN-BRG-3M", 1, "Main bearing, double-row tapered roller", 3200),
    ("WTG-3MW-DD", "COOL-3M", 1, "Air-to-air generator cooling unit", 1400),
    ("WTG-3MW-DD", "BRAKE-3M", 1, "Rotor brake and lock system", 650),
    ("GEN-ROTOR-3M", "ROT-HSG-3M", 1, "Rotor housing and spokes, welded S355", 24000),
    ("GEN-ROTOR-3M", "RSEG-A", 10, "Rotor pole segment, CN-sourced magnet modules"),
    ("GEN-ROTOR-3M", "RSEG-B", 12, "Rotor pole segment, JP-sourced magnet modules"),
    ("GEN-ROTOR-3M", "RSEG-L", 2, "Rotor pole segment with lifting lug, CN-sourced magnet modules"),
    ("RSEG-A", "YOKE-SEG", 1, "Segment back-iron plate, S355", 380),
    ("RSEG-A", "MM-CN-5", 10, "Magnet module, 5 blocks, CN-sourced"),
    ("RSEG-A", "BOLT-M16", 16, "Hex bolt M16x60, 8.8", 0.13),
    ("RSEG-B", "YOKE-SEG", 1, "Segment back-iron plate, S355", 380),
    ("RSEG-B", "MM-JP-5", 10, "Magnet module, 5 blocks, JP-sourced"),
    ("RSEG-B", "BOLT-M16", 16, "Hex bolt M16x60, 8.8", 0.13),
    ("RSEG-L", "YOKE-SEG", 1, "Segment back-iron plate, S355", 380),
    ("RSEG-L", "MM-CN-5", 10, "Magnet module, 5 blocks, CN-sourced"),
    ("RSEG-L", "BOLT-M16", 16, "Hex bolt M16x60, 8.8", 0.13),
    ("RSEG-L", "LUG-M30", 1, "Lifting lug, forged", 4.5),
    ("MM-CN-5", _MAG_CN[0], 5, *_MAG_CN[1:]),
    ("MM-CN-5", "CARRIER-MM", 1, "Magnet module carrier tray, stainless", 2.2),
    ("MM-CN-5", "BANDAGE-GF", 1, "Glass-fibre bandage and resin", 0.35),
    ("MM-JP-5", _MAG_JP[0], 5, *_MAG_JP[1:]),
    ("MM-JP-5", "CARRIER-MM", 1, "Magnet module carrier tray, stainless", 2.2),
    ("MM-JP-5", "BANDAGE-GF", 1, "Glass-fibre bandage and resin", 0.35),
    ("GEN-STATOR-3M", "STA-FRAME-3M", 1, "Stator frame, welded", 18000),
    ("GEN-STATOR-3M", "STA-CORE-3M", 1, "Stator core, laminated electrical steel", 22000),
    ("GEN-STATOR-3M", "STA-WDG-3M", 1, "Stator winding, form-wound copper coils", 9000),
    ("GEN-STATOR-3M", "STA-PT100", 12, "PT100 winding temperature sensor", 0.05),
]


def make_wind() -> Path:
    rows = []
    for parent, sku, qty, desc, *rest in WIND_ROWS:
        kg, dy, tb, origin, tech = (*rest, None, None, None, None, None)[:5]
        rows.append([parent, sku, qty, desc, blank(kg), blank(dy), blank(tb), blank(origin), blank(tech)])
    return write_delimited("wind_generator_pc.csv", WIND_HEADER, rows)


# --- 3. Smartphone: flat BOM + parts file, csv -------------------------------------------------

PHONE_BOM_HEADER = ["Item", "Description", "Qty", "UoM"]
PHONE_PARTS_HEADER = ["part_number", "mass_g", "Nd_pct", "Pr_pct", "Dy_pct", "Tb_pct", "Y_pct", "re_origin", "category"]
# (item, description, qty, uom, mass_g per unit, composition, re_origin, category)
PHONE: list[tuple] = [
    ("PCBA-MAIN", "Main logic board, assembled", 1, "EA", 18.0, None, "", "pcba"),
    ("BAT-4500", "Li-ion pouch battery 4500 mAh", 1, "EA", 62.0, None, "", "battery"),
    ("DISP-OLED-67", "6.7-inch OLED display module with cover glass", 1, "EA", 38.0, None, "", "display"),
    ("GLASS-BACK", "Back glass, aluminosilicate", 1, "EA", 14.0, None, "", "mechanical"),
    ("FRAME-AL", "Mid-frame, 7000-series aluminium", 1, "EA", 30.0, None, "", "mechanical"),
    ("THERM-VC", "Vapour chamber, copper", 1, "EA", 6.0, None, "", "thermal"),
    ("CAM-MAIN", "Main camera module (OIS magnets listed separately)", 1, "EA", 6.5, None, "", "camera"),
    ("MAG-OIS-N48H", "OIS actuator magnet, NdFeB N48H", 4, "EA", 0.1, NDFEB_H, "CN", "magnet"),
    ("CAM-UW", "Ultra-wide camera module", 1, "EA", 2.5, None, "", "camera"),
    ("CAM-FRONT", "Front camera module", 1, "EA", 1.0, None, "", "camera"),
    ("SPK-BOT", "Loudspeaker module, frame, diaphragm, coil (magnet listed separately)", 1, "EA", 1.8, None, "", "acoustic"),
    ("MAG-SPK-N52", "Loudspeaker magnet, NdFeB N52", 1, "EA", 0.9, NDFEB_N, "CN", "magnet"),
    ("RCV-EAR", "Earpiece receiver (magnet listed separately)", 1, "EA", 0.6, None, "", "acoustic"),
    ("MAG-RCV-N52", "Receiver magnet, NdFeB N52", 1, "EA", 0.3, NDFEB_N, "CN", "magnet"),
    ("LRA-HAPTIC", "Linear haptic actuator, body, spring, coil (magnets listed separately)", 1, "EA", 3.5, None, "", "haptic"),
    ("MAG-LRA-N45SH", "Haptic actuator magnet, high-coercivity NdFeB N45SH", 2, "EA", 0.6, NDFEB_SH, "CN", "magnet"),
    ("MAG-RING-N52", "Wireless-charging alignment ring magnet segment, NdFeB N52", 16, "EA", 0.16, NDFEB_N, "CN", "magnet"),
    ("COIL-WPC", "Wireless charging coil with ferrite sheet", 1, "EA", 4.0, None, "", "coil"),
    ("LED-FLASH", "Flash LED package (phosphor listed separately)", 2, "EA", 0.02, None, "", "led"),
    ("PHOS-YAGCE", "YAG:Ce phosphor in flash LEDs (bulk, per phone)", 1, "mg", None, {"Y": 44.9}, "CN", "phosphor"),
    ("SIM-TRAY", "SIM tray, stainless", 1, "EA", 1.2, None, "", "mechanical"),
    ("BTN-SET", "Side button set", 1, "EA", 0.8, None, "", "mechanical"),
    ("ADH-PSA", "Adhesive set, pressure-sensitive", 1, "EA", 1.5, None, "", "adhesive"),
    ("SCR-M1.2", "Screw M1.2 x 3, pentalobe", 30, "EA", 0.02, None, "", "fastener"),
]


def make_phone() -> tuple[Path, Path]:
    bom = write_delimited("smartphone_flat.csv", PHONE_BOM_HEADER, [[pn, desc, qty, uom] for pn, desc, qty, uom, *_ in PHONE])
    parts = []
    for pn, _desc, _qty, _uom, mass_g, comp, origin, category in PHONE:
        c = comp or {}
        parts.append([pn, blank(mass_g), *(blank(c.get(e)) for e in ("Nd", "Pr", "Dy", "Tb", "Y")), origin, category])
    return bom, write_delimited("smartphone_parts.csv", PHONE_PARTS_HEADER, parts)


# --- 4. Hard disk drive: indented with ERP-style dotted levels, tsv --------------------------------

HDD_HEADER = ["Level", "Part Number", "Description", "Qty", "UoM", "mass_g", "Nd_pct", "Pr_pct", "Dy_pct", "re_origin", "cn_tech"]
# Magnet masses are ILLUSTRATIVE (no public per-drive figure: "NOT FOUND in public sources").
HDD_ROWS: list[tuple] = [
    ("0", "HDD-35-8T", "3.5-inch hard disk drive, 8 TB, 5 platters", 1, 650),
    (".1", "HDA-35", "Head-disk assembly", 1, None),
    ("..2", "BASE-35", "Base casting, die-cast aluminium", 1, 300),
    ("..2", "COVER-35", "Top cover, aluminium", 1, 95),
    ("..2", "PLAT-95", "Platter 95 mm, aluminium substrate", 5, 17),
    ("..2", "SPACER-95", "Disk spacer ring", 4, 1.5),
    ("..2", "CLAMP-95", "Disk clamp", 1, 3),
    ("..2", "SPM-35", "Spindle motor, fluid-dynamic bearing", 1, None),
    ("...3", "SPM-MAG", "Spindle rotor ring magnet, NdFeB, 8-pole", 1, 2.5, HDD_AVG, "CN", "no"),
    ("...3", "SPM-HUB", "Spindle hub, stainless", 1, 20),
    ("...3", "SPM-STAT", "Spindle stator with windings", 1, 16),
    ("...3", "SPM-FDB", "Fluid-dynamic bearing sleeve and shaft", 1, 9),
    ("..2", "VCM-35", "Voice-coil motor", 1, None),
    ("...3", "VCM-MAG-N50", "VCM magnet plate, NdFeB N50", 2, 9, {**HDD_AVG, "Dy": 0.0}, "JP", "no"),
    ("...3", "VCM-YOKE", "VCM yoke plate, steel", 2, 22),
    ("..2", "HSA-35", "Head stack assembly, 10 heads", 1, 14),
    ("..2", "RAMP-35", "Load/unload ramp", 1, 0.5),
    ("..2", "FILT-35", "Recirculation filter", 1, 0.8),
    (".1", "PCBA-HDD", "Controller board, assembled", 1, 32),
    (".1", "SCR-M2", "Screw M2 x 4, cover", 12, 0.25),
]


def make_hdd() -> Path:
    rows = []
    for level, pn, desc, qty, mass_g, *rest in HDD_ROWS:
        comp, origin, tech = (*rest, None, None, None)[:3]
        c = comp or {}
        rows.append([level, pn, desc, qty, "EA", blank(mass_g), *(blank(c.get(e)) for e in ("Nd", "Pr", "Dy")), blank(origin), blank(tech)])
    return write_delimited("hard_disk_drive.tsv", HDD_HEADER, rows, delimiter="\t")


# --- 5. Fin actuation section with Sm2Co17 magnets: parent-child, csv + parquet -------------------

FIN_HEADER = ["parent", "sku", "qty", "uom", "description", "mass_g", "Sm_pct", "Y_pct", "re_origin", "cn_tech", "category", "end_use"]
# Sm2Co17: Sm 25 wt% ("Sm2Co17 magnet ... Sm ~25 (23-28)"); 7YSZ: Y 5.5 wt% ("YSZ thermal barrier
# coating (7YSZ) ... -> Y = 5.5 wt% (computed)"); the YSZ origin is deliberately not given.
FIN_ROWS: list[tuple] = [
    ("", "CAS-4F", 1, "EA", "Control actuation section, 4 fins, guided munition", None, None, None, "", "", "", "military"),
    ("CAS-4F", "FA-100", 4, "EA", "Fin actuator, electromechanical"),
    ("CAS-4F", "CAS-HSG", 1, "EA", "CAS housing, Ti-6Al-4V", 850),
    ("CAS-4F", "CAS-ECU", 1, "EA", "Actuator control electronics, assembled", 120),
    ("CAS-4F", "HSHLD-CAS", 1, "EA", "Aft heat shield with thermal-barrier coating"),
    ("HSHLD-CAS", "HSHLD-PLATE", 1, "EA", "Heat shield plate, Inconel 718", 180),
    ("HSHLD-CAS", "YSZ-7", 12, "g", "7YSZ thermal-barrier powder, plasma-sprayed (bulk)", None, None, 5.5, "", "", "ceramic"),
    ("FA-100", "BLDC-22", 1, "EA", "Brushless DC motor, 22 mm"),
    ("FA-100", "BSCREW-6", 1, "EA", "Ball screw and crank linkage", 95),
    ("FA-100", "POT-FB", 1, "EA", "Position sensor, conductive-plastic potentiometer", 12),
    ("FA-100", "FA-HSG", 1, "EA", "Actuator housing, 7075-T6", 140),
    ("FA-100", "FIN-SHAFT", 1, "EA", "Fin shaft with bearings", 60),
    ("BLDC-22", "MAG-SMCO-ARC", 4, "EA", "Sm2Co17 arc magnet segment", 2.5, 25, None, "CN", "no", "magnet"),
    ("BLDC-22", "ROTOR-SHAFT-22", 1, "EA", "Rotor shaft with back iron", 18),
    ("BLDC-22", "STATOR-22", 1, "EA", "Stator, laminated, copper winding", 45),
    ("BLDC-22", "HALL-SOT23", 3, "EA", "Hall-effect sensor", 0.05),
    ("BLDC-22", "MOT-CAN-22", 1, "EA", "Motor can, stainless", 25),
]


def _fin_table() -> list[list]:
    out = []
    for row in FIN_ROWS:
        parent, sku, qty, uom, desc, *rest = row
        mass_g, sm, y, origin, tech, category, end_use = (*rest, None, None, None, "", "", "", "")[:7]
        out.append([parent, sku, qty, uom, desc, mass_g, sm, y, origin, tech, category, end_use])
    return out


def make_fin() -> list[Path]:
    table = _fin_table()
    csv_path = write_delimited("fin_actuator_smco.csv", FIN_HEADER, [[blank(v) if i >= 5 else v for i, v in enumerate(r)] for r in table])
    paths = [csv_path]
    try:
        import polars as pl
    except ImportError:  # polars is a bomaudit dependency; without it, skip the Parquet copy
        print("polars not installed: fin_actuator_smco.parquet not written", file=sys.stderr)
        return paths
    text_cols = {"parent", "sku", "uom", "description", "re_origin", "cn_tech", "category", "end_use"}
    schema = {c: (pl.String if c in text_cols else pl.Float64) for c in FIN_HEADER}
    columns: dict[str, list] = {c: [] for c in FIN_HEADER}
    for r in table:
        for c, v in zip(FIN_HEADER, r, strict=True):
            if c in text_cols:
                columns[c].append(v or None)
            else:
                columns[c].append(None if v is None else float(v))
    pq = HERE / "fin_actuator_smco.parquet"
    pl.DataFrame(columns, schema=schema).write_parquet(pq, compression="zstd", statistics=False)
    paths.append(pq)
    return paths


# --- 6. European export: ';' separated, decimal commas, parent-child -------------------------------

EU_HEADER = ["Parent", "Part No", "Description", "Qty", "Weight (g)", "Dy wt%", "Tb wt%", "RE Origin", "CN Tech"]
# N38UH: Dy 6 wt% ("grade UH (180C) e.g. N38UH, Dy 5-7 (model)"), Tb 0.5 wt% (regulation.md,
# grain-boundary diffusion "Tb 0.5-1 %"); 16 x 22.5 g = 360 g of magnet (MODEL ASSUMPTION).
EU_ROWS: list[tuple] = [
    ("", "SRV-140", 1, "AC servo motor, 140 mm flange, with holding brake"),
    ("SRV-140", "SRV-ROT", 1, "Rotor assembly"),
    ("SRV-ROT", "MAG-N38UH", 16, "Sintered NdFeB magnet N38UH", 22.5, 6.0, 0.5, "CN", "no"),
    ("SRV-ROT", "SRV-SHAFT", 1, "Shaft, C45", 1150.0),
    ("SRV-ROT", "SRV-RLAM", 1, "Rotor lamination stack", 1380.0),
    ("SRV-140", "SRV-STA", 1, "Stator with winding", 4850.0),
    ("SRV-140", "SRV-HSG", 1, "Housing and flanges, aluminium", 2250.0),
    ("SRV-140", "SRV-ENC", 1, "Absolute encoder, 23 bit", 185.0),
    ("SRV-140", "SRV-BRK", 1, "Holding brake, 24 V", 640.0),
    ("SRV-140", "SRV-BRG", 2, "Ball bearing 6205", 128.5),
    ("SRV-140", "SRV-CON", 2, "Connector M23", 62.5),
]


def make_eu() -> Path:
    rows = []
    for parent, pn, qty, desc, *rest in EU_ROWS:
        g, dy, tb, origin, tech = (*rest, None, None, None, None, None)[:5]
        rows.append([parent, pn, desc, qty, blank(g), blank(dy), blank(tb), blank(origin), blank(tech)])
    return write_delimited("european_export_semicolon.csv", EU_HEADER, rows, delimiter=";", decimal_comma=True)


def main() -> None:
    written = [make_ev(), make_wind(), *make_phone(), make_hdd(), *make_fin(), make_eu()]
    for path in written:
        print(path.relative_to(HERE.parent))


if __name__ == "__main__":
    main()
