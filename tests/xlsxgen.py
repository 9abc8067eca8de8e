"""Hand-built XLSX workbooks for hostile-input tests: small, exact, and free of openpyxl's fixes.

openpyxl writes only well-formed workbooks; an attacker's file is whatever bytes they like. These
builders write the zip parts directly, so a test can put a cell at XFD1048576, a DTD in a part, a
size the zip's directory lies about, or 9,000 sheets, in a few kilobytes.
"""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Iterable

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_CT = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>{}</Types>'
)
_OVERRIDE = '<Override PartName="/xl/worksheets/sheet{}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
#: a two-line BOM: a header and one part
BOM_ROWS = [(1, [("A1", "sku"), ("B1", "qty")]), (2, [("A2", "P1"), ("B2", 1)])]


def cell(ref: str, value: object) -> str:
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'


def sheet_xml(rows: Iterable[tuple[int, list[tuple[str, object]]]], dimension: str | None = None, prolog: str = "") -> str:
    out = [f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<worksheet xmlns="{MAIN}">']
    if dimension:
        out.append(f'<dimension ref="{dimension}"/>')
    out.append("<sheetData>")
    out.extend(f'<row r="{r}">' + "".join(cell(ref, v) for ref, v in cells) + "</row>" for r, cells in rows)
    out.append("</sheetData></worksheet>")
    return "".join(out)


def workbook(sheets: list[tuple[str, str | bytes]], extra: dict[str, str | bytes] | None = None, hidden: Iterable[str] = (), level: int = 6) -> bytes:
    """A workbook of ``sheets`` (name, sheet XML), with ``extra`` parts added as they are."""
    hidden = set(hidden)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as z:
        z.writestr("[Content_Types].xml", _CT.format("".join(_OVERRIDE.format(i + 1) for i in range(len(sheets)))))
        z.writestr("_rels/.rels", _ROOT_RELS)
        entries = "".join(
            f'<sheet name="{n}" sheetId="{i + 1}" r:id="rId{i + 1}"' + (' state="hidden"' if n in hidden else "") + "/>" for i, (n, _) in enumerate(sheets)
        )
        z.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            f"<sheets>{entries}</sheets></workbook>",
        )
        rels = "".join(
            f'<Relationship Id="rId{i + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{i + 1}.xml"/>'
            for i in range(len(sheets))
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}</Relationships>',
        )
        for i, (_, xml) in enumerate(sheets):
            z.writestr(f"xl/worksheets/sheet{i + 1}.xml", xml)
        for name, content in (extra or {}).items():
            z.writestr(name, content)
    return buf.getvalue()


def lie_about_size(data: bytes, part: str, declared: int) -> bytes:
    """The workbook with ``part``'s uncompressed size rewritten to ``declared`` in both its local
    header and the central directory: what a bomb that fools size checks does."""
    out = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        info = zf.getinfo(part)
    struct.pack_into("<I", out, info.header_offset + 22, declared)
    name = part.encode()
    central = out.find(b"PK\x01\x02")
    while central >= 0:
        length = struct.unpack_from("<H", out, central + 28)[0]
        if bytes(out[central + 46 : central + 46 + length]) == name:
            struct.pack_into("<I", out, central + 24, declared)
            return bytes(out)
        central = out.find(b"PK\x01\x02", central + 4)
    raise ValueError(f"no central directory entry for {part}")


def rows_xml(count: int, start: int = 2) -> Iterable[str]:
    """``count`` one-part rows of a sheet, as XML text pieces."""
    for r in range(start, start + count):
        yield f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>P{r}</t></is></c><c r="B{r}"><v>1</v></c></row>'


def long_sheet(count: int) -> bytes:
    head = f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><sheetData>' + '<row r="1">' + cell("A1", "sku") + cell("B1", "qty") + "</row>"
    return (head + "".join(rows_xml(count)) + "</sheetData></worksheet>").encode()


def ole_file(streams: Iterable[str]) -> bytes:
    """The first bytes of an OLE compound file naming ``streams`` in its directory (enough for a
    reader that tells an encrypted workbook or a legacy .xls by its magic and stream names)."""
    directory = b"".join(s.encode("utf-16-le").ljust(64, b"\x00") + b"\x00" * 64 for s in ["Root Entry", *streams])
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + directory + b"\x00" * 1024
