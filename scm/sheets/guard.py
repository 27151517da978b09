"""Checks made on an uploaded file BEFORE any spreadsheet library parses it.

Why this exists: python-calamine is fast, but it allocates a dense rows x columns grid spanning
the cells it finds, and pre-sizes its string table from the file's own `uniqueCount`. A 5 KB xlsx
with one cell in A1 and one in XFD1048576 (or a cell without a position after a far one, or a
cell carrying two `r` attributes, or `uniqueCount="4000000000"`) makes it request hundreds of GB,
and Rust then aborts the whole process - the web worker dies, no exception is raised. So every
sheet part is scanned here with bounded regular expressions: every cell holding a value must carry
exactly one explicit position, and the used rectangle must fit the limits. The zip container is
inspected without extracting anything to disk: size, member count, compression ratio,
encryption, CRCs (every member is inflated once in memory, bounded by the declared sizes).

Everything raises `SpreadsheetRejected` with a sentence meant for the uploader.
"""
from __future__ import annotations

import codecs
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import chain
from pathlib import PurePosixPath

from scm.sheets.spec import SpreadsheetRejected

MB = 1024 * 1024


@dataclass(frozen=True)
class ReadLimits:
    """Upper bounds for one upload. Defaults fit 200,000 rows of a 20-column sheet."""

    max_bytes: int = 20 * MB
    max_rows: int = 200_000            # rows below the header (blank ones included)
    max_columns: int = 64
    max_cells: int = 4_000_000         # used rectangle (rows x columns) of any sheet
    max_uncompressed: int = 200 * MB   # all zip members together, inflated
    max_members: int = 500             # a normal workbook has 10-30
    max_ratio: int = 100               # inflated/compressed, for members over ratio_floor
    ratio_floor: int = 1 * MB
    max_declared_count: int = 10_000_000   # count="..." attributes calamine may pre-size from
    max_errors: int = 10_000           # cell errors kept; the rest are only counted


XLSX, CSV = "xlsx", "csv"
_UNSUPPORTED = {
    ".xls": "old Excel 97-2003 (.xls) files", ".xlsm": "macro-enabled workbooks (.xlsm)",
    ".xlsb": "binary workbooks (.xlsb)", ".ods": "OpenDocument spreadsheets (.ods)",
    ".numbers": "Apple Numbers files", ".tsv": "tab-separated files", ".txt": "text files",
}
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_UTF16_MESSAGE = "The CSV file is saved as UTF-16 ('Unicode Text'); save it as 'CSV UTF-8' instead."
_SAVE_AS = "Open it in Excel or LibreOffice and save it as 'Excel Workbook (.xlsx)' or 'CSV UTF-8'."
_SIGNATURES = (
    (b"%PDF", "a PDF document"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an Excel 97-2003 (.xls) file or a password-protected workbook"),
    (b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"), (b"GIF8", "a GIF image"),
    (b"PK\x03\x04", "a zip archive"), (b"PK\x05\x06", "an empty zip archive"),
    (b"\x1f\x8b", "a gzip archive"), (b"{\\rtf", "an RTF document"),
)

# Element-name prefix such as "x:" in <x:c>, kept short so scans stay linear.
_P = rb"(?:[^\s<>/:=\"'!?]{1,64}:)?"
_C_ANY = re.compile(rb"<" + _P + rb"c[\s/>]")
# A cell start tag with its first well-formed r="A1" attribute; groups: attributes before r,
# column letters, row digits, attributes after. Bounded so a scan is linear in the file size.
_C_REF = re.compile(rb"<" + _P + rb"c(\s[^<>]{0,4000}?)(?<=\s)r\s*=\s*[\"']([A-Za-z]{1,10})(\d{1,10})[\"']"
                    rb"([^<>]{0,4000})>")
_R_ATTR = re.compile(rb"\sr\s*=")
_COUNT_ATTR = re.compile(rb"(?<=\s)(uniqueCount|count)\s*=\s*[\"'](\d{1,30})[\"']")


def check_upload(data: bytes, filename: str, limits: ReadLimits) -> str:
    """Return XLSX or CSV after the size, type and container checks; raise SpreadsheetRejected."""
    if not data:
        raise SpreadsheetRejected("The file is empty (0 bytes).")
    if len(data) > limits.max_bytes:
        raise SpreadsheetRejected(
            f"The file is too large ({len(data) / MB:.1f} MB); the limit is {limits.max_bytes / MB:g} MB.")
    suffix = PurePosixPath((filename or "").replace("\\", "/")).suffix.lower()
    if suffix == ".csv":
        if data.startswith(_UTF16_BOMS):
            raise SpreadsheetRejected(_UTF16_MESSAGE)
        if looks_binary(data):
            raise SpreadsheetRejected(f"This is not a CSV text file: it looks like {describe(data)}.")
        return CSV
    if suffix != ".xlsx":
        what = _UNSUPPORTED.get(suffix, f"'{suffix}' files" if suffix else "files without an extension")
        raise SpreadsheetRejected(f"{what[0].upper()}{what[1:]} are not supported. {_SAVE_AS}")
    if not data.startswith(b"PK\x03\x04"):
        raise SpreadsheetRejected(
            f"This is not an Excel .xlsx workbook: the file looks like {describe(data)}. {_SAVE_AS}")
    inspect_xlsx(data, limits)
    return XLSX


def describe(data: bytes) -> str:
    """A human name for what the bytes look like ("a PDF document")."""
    for magic, name in _SIGNATURES:
        if data.startswith(magic):
            return name
    if not looks_binary(data):
        head = data.lstrip()[:1]
        return "an HTML or XML document" if head == b"<" else "a text file"
    return "unrecognised binary data"


def looks_binary(data: bytes) -> bool:
    return b"\x00" in data[:8192] or any(data.startswith(m) for m, _ in _SIGNATURES)


def decode_csv(data: bytes) -> str:
    """CSV must be UTF-8 (with or without BOM, as Excel's 'CSV UTF-8' writes it)."""
    if data.startswith(_UTF16_BOMS):
        raise SpreadsheetRejected(_UTF16_MESSAGE)
    if b"\x00" in data:
        raise SpreadsheetRejected("The CSV file contains NUL bytes; it is not a text file.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise SpreadsheetRejected(
            f"The CSV file is not valid UTF-8 (first bad byte on line {line}). "
            "Save it from Excel as 'CSV UTF-8 (Comma delimited)'.") from None


# --------------------------------------------------------------------------- xlsx container

def inspect_xlsx(data: bytes, limits: ReadLimits) -> None:
    """Zip-level and XML-level checks of an .xlsx (see module docstring)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, OverflowError):
        raise SpreadsheetRejected("The workbook is damaged or incomplete (the zip container cannot be "
                                  "read). Upload the original file again.") from None
    with archive:
        _check_members(infos, limits)
        for info in infos:
            _check_member_content(_read_member(archive, info), limits)


def _check_members(infos: list[zipfile.ZipInfo], limits: ReadLimits) -> None:
    names = [info.filename for info in infos]
    if len(infos) > limits.max_members:
        raise SpreadsheetRejected(f"The workbook has too many parts ({len(infos)}); "
                                  f"at most {limits.max_members} are allowed.")
    if len(set(names)) != len(names):
        raise SpreadsheetRejected("The workbook is damaged: it contains the same part twice.")
    if "mimetype" in names or "content.xml" in names:
        raise SpreadsheetRejected(f"This is an OpenDocument spreadsheet, not an .xlsx workbook. {_SAVE_AS}")
    if "xl/workbook.bin" in names:
        raise SpreadsheetRejected(f"This is a binary (.xlsb) workbook, not an .xlsx workbook. {_SAVE_AS}")
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        what = "a Word document" if "word/document.xml" in names else "a zip archive"
        raise SpreadsheetRejected(f"This is not an Excel workbook (it is {what} without "
                                  f"xl/workbook.xml). {_SAVE_AS}")
    total = 0
    for info in infos:
        if info.flag_bits & 0x41:               # 0x01 encrypted, 0x40 strong encryption
            raise SpreadsheetRejected("The workbook is encrypted or password-protected; remove the "
                                      "password in Excel and upload it again.")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise SpreadsheetRejected("The workbook uses an unsupported compression method.")
        total += info.file_size
        if info.file_size > limits.ratio_floor and (
                info.compress_size == 0 or info.file_size > info.compress_size * limits.max_ratio):
            raise SpreadsheetRejected("The workbook is refused: one of its parts expands more than "
                                      f"{limits.max_ratio} times when unpacked (a 'zip bomb').")
    if total > limits.max_uncompressed:
        raise SpreadsheetRejected(f"The workbook is too large when unpacked ({total / MB:.0f} MB; "
                                  f"the limit is {limits.max_uncompressed / MB:g} MB).")


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """Inflate one member in memory; zipfile stops at the declared size and checks the CRC."""
    try:
        return archive.read(info)
    except Exception:   # zlib.error, BadZipFile (bad CRC), EOFError, ...: all mean a damaged file
        raise SpreadsheetRejected("The workbook is damaged or incomplete (a part cannot be "
                                  "unpacked). Upload the original file again.") from None


def _check_member_content(content: bytes, limits: ReadLimits) -> None:
    if content.startswith((*_UTF16_BOMS, b"<\x00", b"\x00<")):
        # Our scans read UTF-8 bytes; a UTF-16 part could hide cells from them.
        raise SpreadsheetRejected("The workbook uses an unsupported text encoding (UTF-16 XML).")
    # Every member is scanned whatever its name: calamine finds parts through the workbook's
    # relationships, so a sheet could be stored under any name.
    _check_declared_counts(content, limits)
    if b"sheetData" in content:
        _check_sheet_cells(content, limits)


def _check_declared_counts(xml: bytes, limits: ReadLimits) -> None:
    """calamine pre-sizes its shared-string table from uniqueCount; refuse absurd declarations."""
    if b"ount" not in xml:                       # fast path: sheets rarely declare counts
        return
    for match in _COUNT_ATTR.finditer(xml):
        value = int(match.group(2))
        honest_max = len(xml) // 4 + 16 if match.group(1) == b"uniqueCount" else limits.max_declared_count
        if value > min(honest_max, limits.max_declared_count):
            raise SpreadsheetRejected("The workbook is damaged: it declares an impossible number of "
                                      "entries.")


def _check_sheet_cells(xml: bytes, limits: ReadLimits) -> None:
    """Every cell tag must carry exactly one position, and the used rectangle must be small.

    Stricter than needed (calamine ignores empty cells) but simple: Excel, LibreOffice and openpyxl
    always write r="..." on every cell. Scanned in slices so memory stays small for big sheets.
    """
    if b"\x00" in xml:
        raise SpreadsheetRejected("The workbook is damaged: a sheet contains NUL bytes.")
    last_row = last_column = 0
    for part in _slices(xml):
        refs = _C_REF.findall(part)
        if len(refs) != len(_C_ANY.findall(part)) or _R_ATTR.search(
                b"\x00".join(chain.from_iterable((before, after) for before, _, _, after in refs))):
            raise SpreadsheetRejected("The workbook has cells without a valid position; it was not "
                                      f"written by a spreadsheet program. {_SAVE_AS}")
        if refs:
            last_row = max(last_row, max(map(int, (row for _, _, row, _ in refs))))
            last_column = max(last_column, *map(_column_number, {letters for _, letters, _, _ in refs}))
    if last_row > limits.max_rows + 1:
        raise SpreadsheetRejected(f"The sheet has too many rows (data reaches row {last_row:,}); at most "
                                  f"{limits.max_rows:,} rows below the header are allowed.")
    if last_column > limits.max_columns:
        raise SpreadsheetRejected(f"The sheet has data in column {last_column:,} (counting from A); at "
                                  f"most {limits.max_columns} columns are allowed. Delete the extra columns.")
    if last_row * last_column > limits.max_cells:
        raise SpreadsheetRejected(f"The sheet is too large ({last_row:,} rows x {last_column} columns); "
                                  f"at most {limits.max_cells:,} cells are allowed.")


def _slices(xml: bytes, size: int = 1 << 20) -> Iterator[bytes]:
    """Cut before a "<" so that no tag - hence no match of the scans above - is split."""
    start = 0
    while start < len(xml):
        end = xml.find(b"<", start + size)
        end = len(xml) if end == -1 else end
        yield xml[start:end]
        start = end


def _column_number(letters: bytes) -> int:
    number = 0
    for char in letters.upper():
        number = number * 26 + (char - 64)
    return number
