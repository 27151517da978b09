"""Hostile and broken upload files, built in memory (no binary fixtures are committed).

`corpus()` returns `Case`s: what to upload (bytes + filename + read_rows keyword arguments), whether
it must be rejected as a whole (`SpreadsheetRejected`) or come back with cell errors and no rows,
and a fragment the message must contain, so every case also proves the message is specific.
"""
from __future__ import annotations

import datetime as dt
import io
import random
import struct
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st
from openpyxl import Workbook

from scm.sheets import Column, EntitySpec, ReadLimits, export_rows


def _service_has_no_quantity(row: dict[str, Any]) -> list[tuple[str | None, str]]:
    if row["kind"] == "service" and row["qty"]:
        return [("qty", "a service has no quantity")]
    return []


ITEM_SPEC = EntitySpec(
    name="items", title="Items", key_columns=["sku"], row_validator=_service_has_no_quantity,
    columns=[
        Column("sku", "SKU", "text", required=True, max_length=20, example="BOLT-M8"),
        Column("name", "Name", "text", required=True, max_length=200),
        Column("qty", "Quantity", "integer", min=0, max=1_000_000),
        Column("unit_cost", "Unit cost", "decimal", min=Decimal(0), places=2, example=Decimal("1.25")),
        Column("since", "Since", "date", min=dt.date(2000, 1, 1)),
        Column("active", "Active", "boolean"),
        Column("kind", "Kind", "choice", choices=["raw", "finished", "service"], required=True),
        Column("updated_at", "Updated at", "datetime"),
    ])
HEADERS = ITEM_SPEC.headers()


def sample_rows(count: int = 3) -> list[dict[str, Any]]:
    """Valid rows, as read_rows returns them."""
    return [{"sku": f"SKU-{i}", "name": f"Item {i}", "qty": i, "unit_cost": Decimal(i) / 4,
             "since": dt.date(2024, 1, 1) + dt.timedelta(days=i), "active": i % 2 == 0,
             "kind": "raw", "updated_at": dt.datetime(2024, 5, 1, 8, i, tzinfo=dt.timezone.utc)}
            for i in range(1, count + 1)]


def grid_xlsx(grid: Sequence[Sequence[Any]], title: str = "Items") -> bytes:
    """An .xlsx holding exactly these cell values (strings stay strings, even '=...')."""
    book = Workbook()
    sheet = book.active
    sheet.title = title
    for r, row in enumerate(grid, start=1):
        for c, value in enumerate(row, start=1):
            if value is not None:
                cell = sheet.cell(row=r, column=c, value=value)
                if isinstance(value, str):
                    cell.data_type = "s"          # openpyxl would turn "=..." into a formula
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_bytes(lines: Sequence[str], encoding: str = "utf-8") -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


# --------------------------------------------------------------------------- raw OOXML parts

_MAIN_NS = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/'
    b'2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
    b'package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override '
    b'PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    b'spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType='
    b'"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
ROOT_RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
    b'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
    b'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
WORKBOOK = (
    b'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="' + _MAIN_NS + b'" xmlns:r="http://'
    b'schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Items" '
    b'sheetId="1" r:id="rId1"/></sheets></workbook>')
WORKBOOK_RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
    b'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
    b'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')


def inline(ref: str, text: str) -> bytes:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'.encode()


def header_row() -> bytes:
    cells = b"".join(inline(f"{chr(65 + i)}1", h) for i, h in enumerate(HEADERS))
    return b'<row r="1">' + cells + b"</row>"


def sheet_xml(body: bytes) -> bytes:
    return (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="' + _MAIN_NS + b'"><sheetData>'
            + body + b"</sheetData></worksheet>")


def raw_xlsx(sheet_body: bytes | None = None, *, parts: dict[str, bytes] | None = None,
             drop: Sequence[str] = (), compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A hand-made .xlsx: header row + `sheet_body`, with parts replaced, added or dropped."""
    members = {"[Content_Types].xml": CONTENT_TYPES, "_rels/.rels": ROOT_RELS,
               "xl/workbook.xml": WORKBOOK, "xl/_rels/workbook.xml.rels": WORKBOOK_RELS,
               "xl/worksheets/sheet1.xml": sheet_xml(header_row() + (sheet_body or b""))}
    members.update(parts or {})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, content in members.items():
            if name not in drop:
                archive.writestr(name, content)
    return buffer.getvalue()


def set_flag_bits(data: bytes, member: str, bits: int) -> bytes:
    """Set general-purpose flag bits of one member in both its local and central headers."""
    out = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo(member)
    local = info.header_offset
    struct.pack_into("<H", out, local + 6, struct.unpack_from("<H", out, local + 6)[0] | bits)
    central = out.find(b"PK\x01\x02")
    while central != -1:
        name_len = struct.unpack_from("<H", out, central + 28)[0]
        if bytes(out[central + 46: central + 46 + name_len]) == member.encode():
            struct.pack_into("<H", out, central + 8, struct.unpack_from("<H", out, central + 8)[0] | bits)
            break
        central = out.find(b"PK\x01\x02", central + 4)
    return bytes(out)


def valid_row(number: int, sku: str = "A-1", extra: bytes = b"") -> bytes:
    return (f'<row r="{number}">'.encode() + inline(f"A{number}", sku) + inline(f"B{number}", "Bolt")
            + extra + inline(f"G{number}", "raw") + b"</row>")


def number_cell(ref: str, literal: bytes) -> bytes:
    """A numeric cell with any literal, e.g. b"1e400" (parsed as inf) that openpyxl cannot write."""
    return f'<c r="{ref}"><v>'.encode() + literal + b"</v></c>"


# --------------------------------------------------------------------------- the corpus

@dataclass(frozen=True)
class Case:
    name: str
    filename: str
    data: bytes
    expect: str                           # fragment of the message (case-insensitive)
    outcome: str = "rejected"             # or "errors": ParseResult with errors and no rows
    kwargs: dict[str, Any] = field(default_factory=dict)


def corpus() -> list[Case]:
    return _container_cases() + _structure_cases() + _csv_cases() + _content_cases()


def _container_cases() -> list[Case]:
    rng = random.Random(20240229)
    good = export_rows(ITEM_SPEC, sample_rows(5))
    bomb = raw_xlsx(valid_row(2), parts={"xl/media/padding.xml": b"<a>" + b" " * 8 * 1024 * 1024 + b"</a>"})
    many = raw_xlsx(valid_row(2), parts={f"xl/extra/p{i}.xml": b"<a/>" for i in range(600)})
    incompressible = {f"xl/media/n{i}.bin": rng.randbytes(600_000) for i in range(3)}
    corrupted = bytearray(good)
    corrupted[len(good) // 2] ^= 0xFF
    return [
        Case("zero bytes", "items.xlsx", b"", "empty"),
        Case("random bytes named .xlsx", "items.xlsx", rng.randbytes(4096), "not an Excel"),
        Case("PDF renamed .xlsx", "items.xlsx", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "PDF"),
        Case("HTML saved as .xlsx", "items.xlsx", b"<html><table><tr><td>SKU</td></tr></table></html>", "HTML"),
        Case("gzip renamed .xlsx", "items.xlsx", b"\x1f\x8b\x08\x00" + rng.randbytes(100), "gzip"),
        Case("OLE2 (password-protected or .xls)", "items.xlsx",
             b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), "password-protected"),
        Case("truncated xlsx", "items.xlsx", good[: len(good) // 2], "damaged"),
        Case("flipped byte (bad CRC)", "items.xlsx", bytes(corrupted), "damaged"),
        Case("zip bomb (8 MB of spaces)", "items.xlsx", bomb, "zip bomb"),
        Case("too large when unpacked", "items.xlsx", raw_xlsx(valid_row(2), parts=incompressible),
             "too large when unpacked", kwargs={"limits": ReadLimits(max_uncompressed=1024 * 1024)}),
        Case("too many zip members", "items.xlsx", many, "too many parts"),
        Case("zip without workbook.xml", "items.xlsx", raw_xlsx(valid_row(2), drop=["xl/workbook.xml"]),
             "xl/workbook.xml"),
        Case("encrypted zip member", "items.xlsx",
             set_flag_bits(raw_xlsx(valid_row(2)), "xl/worksheets/sheet1.xml", 0x1), "encrypted"),
        Case("OpenDocument content named .xlsx", "items.xlsx",
             raw_xlsx(parts={"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"}), "OpenDocument"),
        Case("Word document named .xlsx", "items.xlsx",
             raw_xlsx(parts={"word/document.xml": b"<w/>"}, drop=["xl/workbook.xml"]), "Word document"),
        Case("xlsb parts", "items.xlsx", raw_xlsx(parts={"xl/workbook.bin": b"\x00"}), "xlsb"),
        Case("file over max_bytes", "items.xlsx", good, "too large", kwargs={"max_bytes": 1000}),
        Case("xlsx content named .xls", "items.xls", good, "not supported"),
        Case("xlsx content named .ods", "items.ods", good, "not supported"),
        Case("no extension", "items", good, "without an extension"),
    ]


def _structure_cases() -> list[Case]:
    far = valid_row(2) + b'<row r="1048576">' + inline("XFD1048576", "x") + b"</row>"
    implicit = valid_row(2) + b'<row r="3"><c><v>1</v></c></row>'
    two_refs = valid_row(2) + b'<row r="3"><c r="A3" r="XFD1048576"><v>1</v></c></row>'
    wide = valid_row(2) + b'<row r="3">' + inline("BZ3", "far") + b"</row>"
    huge_sst = (b'<?xml version="1.0"?><sst xmlns="' + _MAIN_NS + b'" count="1" '
                b'uniqueCount="4000000000"><si><t>x</t></si></sst>')
    utf16 = sheet_xml(header_row()).decode().encode("utf-16")
    broken_xml = sheet_xml(header_row() + valid_row(2)).replace(b"</sheetData>", b"")
    return [
        Case("cells spanning A1:XFD1048576 (allocation bomb)", "items.xlsx", raw_xlsx(far), "too many rows"),
        Case("cell without position after a far one", "items.xlsx", raw_xlsx(implicit), "valid position"),
        Case("cell with two r attributes", "items.xlsx", raw_xlsx(two_refs), "valid position"),
        Case("data far to the right", "items.xlsx", raw_xlsx(wide), "columns are allowed"),
        Case("uniqueCount of 4 billion", "items.xlsx",
             raw_xlsx(valid_row(2), parts={"xl/sharedStrings.xml": huge_sst}), "impossible number"),
        Case("UTF-16 sheet part", "items.xlsx", raw_xlsx(parts={"xl/worksheets/sheet1.xml": utf16}), "UTF-16"),
        Case("malformed sheet XML", "items.xlsx",
             raw_xlsx(parts={"xl/worksheets/sheet1.xml": broken_xml}), "could not be read"),
        Case("workbook without any cell", "items.xlsx", grid_xlsx([]), "empty"),
        Case("header but no data rows", "items.xlsx", grid_xlsx([HEADERS]), "no data rows"),
        Case("data without a header row", "items.xlsx", grid_xlsx([["A-1", "Bolt", 1]]), "column headers"),
        Case("too many rows (xlsx)", "items.xlsx",
             grid_xlsx([HEADERS] + [[f"S{i}", "n", None, None, None, None, "raw"] for i in range(10)]),
             "too many rows", kwargs={"max_rows": 5}),
    ]


def _csv_cases() -> list[Case]:
    header = ",".join(HEADERS)
    return [
        Case("empty CSV", "items.csv", b"", "empty"),
        Case("blank-lines-only CSV", "items.csv", b"\r\n\r\n   \r\n", "empty"),
        Case("CSV in Windows-1252", "items.csv", csv_bytes([header, "A-1,Caf\u00e9,,,,,raw"], "cp1252"), "UTF-8"),
        Case("CSV in UTF-16", "items.csv", csv_bytes([header], "utf-16"), "UTF-16"),
        Case("CSV with NUL bytes up front", "items.csv", b"SKU\x00,Name\r\n", "not a CSV"),
        Case("CSV with NUL bytes later", "items.csv", csv_bytes([header] + ["A,B,,,,,raw"] * 2000) + b"\x00",
             "NUL"),
        Case("CSV field over the csv module limit", "items.csv",
             csv_bytes([header, "A-1," + "x" * 200_000 + ",,,,,raw"]), "malformed"),
        Case("CSV with too many fields", "items.csv", csv_bytes([header, "A" + ",x" * 300]), "fields"),
        Case("too many rows (CSV)", "items.csv",
             csv_bytes([header] + [f"S{i},n,,,,,raw" for i in range(10)]), "too many rows",
             kwargs={"max_rows": 5}),
        Case("xlsx bytes named .csv", "items.csv", export_rows(ITEM_SPEC, sample_rows(1)), "not a CSV"),
    ]


def _content_cases() -> list[Case]:
    def rows(*data: list[Any]) -> bytes:
        return grid_xlsx([HEADERS, *data])
    ok = ["A-1", "Bolt", 1, 1.5, dt.date(2024, 1, 1), "yes", "raw", None]
    return [
        Case("unknown column", "items.xlsx", grid_xlsx([HEADERS + ["Colour"], ok + ["red"]]),
             "unknown column 'Colour' in column I", "errors"),
        Case("duplicate header", "items.xlsx", grid_xlsx([HEADERS + ["SKU"], ok + ["A-2"]]),
             "duplicate column 'SKU' (also in column A)", "errors"),
        Case("missing required column", "items.xlsx", grid_xlsx([HEADERS[1:], ok[1:]]),
             "missing required column 'SKU'", "errors"),
        Case("duplicate key rows", "items.xlsx", rows(ok, ["B-1", *ok[1:]], ok),
             "duplicate SKU 'A-1' (also on row 2)", "errors"),
        Case("wrong type in every column", "items.xlsx",
             rows(["x" * 21, "Bolt", "many", "cheap", "soon", "maybe", "gadget", "noon"]),
             "expected a whole number", "errors"),
        Case("1e400 in a decimal column", "items.xlsx", rows(ok[:3] + ["1e400"] + ok[4:]), "too large", "errors"),
        Case("NaN in a decimal column", "items.xlsx", rows(ok[:3] + ["NaN"] + ok[4:]), "expected a number", "errors"),
        Case("1e400 number cell in a decimal column", "items.xlsx",
             raw_xlsx(valid_row(2, extra=number_cell("D2", b"1e400"))), "expected a number", "errors"),
        Case("NaN number cell in a decimal column", "items.xlsx",
             raw_xlsx(valid_row(2, extra=number_cell("D2", b"NaN"))), "expected a number", "errors"),
        Case("-inf number cell in an integer column", "items.xlsx",
             raw_xlsx(valid_row(2, extra=number_cell("C2", b"-inf"))), "expected a whole number", "errors"),
        Case("2024-02-30", "items.xlsx", rows(ok[:4] + ["2024-02-30"] + ok[5:]), "not a valid date", "errors"),
        Case("text too long", "items.xlsx", rows(["S" * 21] + ok[1:]), "at most 20 characters", "errors"),
        Case("value under a blank header", "items.xlsx", grid_xlsx([HEADERS + [None], ok + ["lost"]]),
             "which has no header", "errors"),
    ]


# --------------------------------------------------------------------------- hypothesis strategies

NOISE = [b'r="XFD1048576"', b"<c><v>1</v></c>", b'count="99999999999"', b'uniqueCount="999999"',
         b"<x:c r='ZZ1'>", b'<c r="A9999999">', b"<", b'"', b"\xff\xfe", b"\x00"]


def random_upload() -> st.SearchStrategy[tuple[bytes, str]]:
    """Random bytes, optionally behind a zip or CSV-header prefix, named .xlsx or .csv."""
    prefixes = st.sampled_from([b"", b"PK\x03\x04", ("\ufeff" + ",".join(HEADERS) + "\r\n").encode()])
    return st.tuples(prefixes, st.binary(max_size=3000), st.sampled_from(["x.xlsx", "x.csv"])).map(
        lambda parts: (parts[0] + parts[1], parts[2]))


@st.composite
def mangled_workbook(draw: st.DrawFn) -> tuple[bytes, str]:
    """A real export with a slice of one of its XML parts replaced by noise, re-zipped with valid
    CRCs, so the damage reaches the XML parser instead of stopping at the zip layer."""
    base = _base_parts()
    part = draw(st.sampled_from(sorted(base)))
    content = base[part]
    start = draw(st.integers(0, len(content)))
    end = draw(st.integers(start, min(len(content), start + 40)))
    noise = draw(st.binary(max_size=40) | st.sampled_from(NOISE))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, original in base.items():
            archive.writestr(name, content[:start] + noise + content[end:] if name == part else original)
    return buffer.getvalue(), "m.xlsx"


_BASE: dict[str, bytes] = {}


def _base_parts() -> dict[str, bytes]:
    if not _BASE:
        with zipfile.ZipFile(io.BytesIO(export_rows(ITEM_SPEC, sample_rows(3)))) as archive:
            _BASE.update({name: archive.read(name) for name in archive.namelist()})
    return _BASE
