"""Reading an uploaded .xlsx/.csv against an EntitySpec: guard, parse, validate every row.

Error contract (all-or-nothing imports, principle 10):
  * file-level problems raise `SpreadsheetRejected` (empty, too big, wrong type, damaged, zip bomb,
    too many rows or columns, no recognisable header row, no data rows);
  * everything about particular cells is collected - never stopping at the first - into
    `ParseResult.errors` as `CellError`s with the row number and column letter the user sees in
    Excel (unknown, duplicate or missing columns are reported on the header row);
  * whenever `errors` is non-empty, `rows` is empty.
"""
from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

from scm.sheets.guard import CSV, ReadLimits, check_upload, decode_csv
from scm.sheets.spec import (
    ERRORS_SHEET,
    CellError,
    Column,
    EntitySpec,
    ParseResult,
    SpreadsheetRejected,
    column_letter,
    normalise_header,
    show_value,
)
from scm.sheets.values import Converter, InvalidCell, as_text, make_converter, unneutralise

Grid = Sequence[Sequence[Any]]


def read_rows(spec: EntitySpec, data: bytes, filename: str, *, max_bytes: int | None = None,
              max_rows: int | None = None, limits: ReadLimits | None = None) -> ParseResult:
    """Check, parse and validate an upload; see the module docstring for the error contract.

    `filename` decides the format (.xlsx or .csv; anything else is refused). `max_bytes`
    (default 20 MB) and `max_rows` (default 200,000 rows below the header) override the same
    fields of `limits`, which holds the other bounds (columns, zip ratio, error cap, ...).
    `ParseResult.fingerprint` is the SHA-256 of the bytes, to spot a re-upload of the same file.
    """
    data = bytes(data)
    limits = limits or ReadLimits()
    limits = replace(limits, max_bytes=limits.max_bytes if max_bytes is None else max_bytes,
                     max_rows=limits.max_rows if max_rows is None else max_rows,
                     max_columns=max(limits.max_columns, len(spec.columns) + 10))
    kind = check_upload(data, filename, limits)
    if kind == CSV:
        sheet_name, grid = "CSV", _csv_grid(spec, decode_csv(data), limits)
    else:
        sheet_name, grid = _xlsx_grid(spec, data)
    return validate_grid(spec, grid, sheet_name, hashlib.sha256(data).hexdigest(), limits)


# --------------------------------------------------------------------------- parsing

def _xlsx_grid(spec: EntitySpec, data: bytes) -> tuple[str, Grid]:
    """The sheet's cells as a grid anchored at A1 (so indexes are Excel rows/columns)."""
    try:
        with CalamineWorkbook.from_filelike(io.BytesIO(data)) as book:
            name = _pick_sheet(book, spec)
            return name, book.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except SpreadsheetRejected:
        raise
    except Exception as exc:
        raise _unreadable(exc) from None
    except BaseException as exc:    # pyo3 turns a Rust panic into PanicException, a BaseException
        if type(exc).__name__ != "PanicException":
            raise
        raise _unreadable(exc) from None


def _unreadable(exc: BaseException) -> SpreadsheetRejected:
    detail = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
    return SpreadsheetRejected(f"The workbook could not be read; it may be damaged ({detail}). "
                               "Open it in Excel, save it again as .xlsx and upload that.")


def _pick_sheet(book: CalamineWorkbook, spec: EntitySpec) -> str:
    """The sheet titled like the spec, else the first visible worksheet (never 'Errors')."""
    sheets = [m for m in book.sheets_metadata if m.typ == SheetTypeEnum.WorkSheet]
    for meta in sheets:
        if normalise_header(meta.name) == normalise_header(spec.title):
            return meta.name
    for meta in sheets:
        if meta.visible == SheetVisibleEnum.Visible and meta.name.casefold() != ERRORS_SHEET.casefold():
            return meta.name
    raise SpreadsheetRejected("The workbook has no visible worksheet to import.")


def _csv_grid(spec: EntitySpec, text: str, limits: ReadLimits) -> Grid:
    """Parse CSV text; the delimiter (, ; or TAB) is the one that makes the header match best."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(spec, text))
    grid: list[list[str]] = []
    try:
        for row in reader:
            if len(grid) > limits.max_rows:
                raise SpreadsheetRejected(f"The file has too many rows; at most {limits.max_rows:,} "
                                          "rows below the header are allowed.")
            if len(row) > limits.max_columns:
                raise SpreadsheetRejected(f"Line {reader.line_num} has {len(row)} fields; at most "
                                          f"{limits.max_columns} columns are allowed.")
            grid.append(row)
    except csv.Error as exc:
        raise SpreadsheetRejected(f"The CSV file is malformed on line {reader.line_num}: {exc}.") from None
    return grid


def _sniff_delimiter(spec: EntitySpec, text: str) -> str:
    known = {normalise_header(c.header) for c in spec.columns} | {c.key for c in spec.columns}
    first_line = text[:65536].split("\n", 1)[0]

    def score(delimiter: str) -> int:
        cells = next(csv.reader([first_line], delimiter=delimiter), [])
        return sum(normalise_header(cell) in known for cell in cells)
    return max((",", ";", "\t"), key=score)     # max() keeps the first on ties: ","


# --------------------------------------------------------------------------- validation

@dataclass
class _Layout:
    """Where each spec column sits in this particular file."""

    header_row: int                                   # 1-based
    fields: list[tuple[int, Column, Converter]] = field(default_factory=list)
    letters: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    unlabelled: list[int] = field(default_factory=list)


class _Collector:
    """Keeps the first `cap` errors and counts them all."""

    def __init__(self, cap: int) -> None:
        self.errors: list[CellError] = []
        self.count = 0
        self.cap = cap

    def add(self, row: int, column: str, header: str, value: str, message: str) -> None:
        self.count += 1
        if len(self.errors) < self.cap:
            self.errors.append(CellError(row, column, header, value, message))


def validate_grid(spec: EntitySpec, grid: Grid, sheet_name: str, fingerprint: str,
                  limits: ReadLimits) -> ParseResult:
    """Match the header, convert and check every row, collect every error."""
    header_index = next((i for i, row in enumerate(grid) if not _row_blank(row)), None)
    if header_index is None:
        raise SpreadsheetRejected(f"The sheet '{sheet_name}' is empty. The first row should hold the "
                                  f"column headers: {', '.join(spec.headers())}.")
    errors = _Collector(limits.max_errors)
    layout = _match_header(spec, grid[header_index], header_index + 1, sheet_name, errors)
    rows, numbers = _validate_rows(spec, grid, layout, errors, limits)
    if not numbers and not errors.count:
        raise SpreadsheetRejected(f"The sheet '{sheet_name}' has a header but no data rows.")
    row_count = len(numbers)
    if errors.count:
        rows, numbers = [], []               # all or nothing
    return ParseResult(rows=rows, errors=errors.errors, sheet_name=sheet_name, row_count=row_count,
                       fingerprint=fingerprint, row_numbers=numbers, column_letters=layout.letters,
                       headers=layout.headers, error_count=errors.count)


def _match_header(spec: EntitySpec, cells: Sequence[Any], row: int, sheet_name: str,
                  errors: _Collector) -> _Layout:
    """Headers match case- and space-insensitively (or by key); any order; extras are errors."""
    lookup = {normalise_header(c.key): c for c in spec.columns}
    lookup.update({normalise_header(c.header): c for c in spec.columns})
    layout = _Layout(header_row=row)
    for index, raw in enumerate(cells):
        letter = column_letter(index)
        if _blank(raw):
            layout.unlabelled.append(index)
            continue
        text = as_text(raw)
        column = lookup.get(normalise_header(text))
        if column is None:
            errors.add(row, letter, text, text, f"unknown column '{text}' in column {letter}; "
                       f"the columns are: {', '.join(spec.headers())}")
        elif column.key in layout.letters:
            errors.add(row, letter, text, text,
                       f"duplicate column '{text}' (also in column {layout.letters[column.key]})")
        else:
            layout.letters[column.key] = letter
            layout.headers[column.key] = column.header
            layout.fields.append((index, column, make_converter(column)))
    if not layout.fields:
        raise SpreadsheetRejected(
            f"Row {row} of sheet '{sheet_name}' should hold the column headers "
            f"({', '.join(spec.headers())}), but none of them was found.")
    for column in spec.columns:
        if column.required and column.key not in layout.letters:
            errors.add(row, "", column.header, "", f"missing required column '{column.header}'")
    return layout


def _validate_rows(spec: EntitySpec, grid: Grid, layout: _Layout, errors: _Collector,
                   limits: ReadLimits) -> tuple[list[dict[str, Any]], list[int]]:
    absent = [c.key for c in spec.columns if c.key not in layout.letters]
    first_seen: dict[tuple[Any, ...], int] = {}
    reported_unlabelled: set[int] = set()
    rows: list[dict[str, Any]] = []
    numbers: list[int] = []
    for index in range(layout.header_row, len(grid)):
        cells = grid[index]
        if _row_blank(cells):
            continue                         # blank rows are skipped, they are not errors
        number = index + 1
        if len(numbers) >= limits.max_rows:
            raise SpreadsheetRejected(f"The sheet has too many rows; at most {limits.max_rows:,} "
                                      "rows below the header are allowed.")
        values, ok = _convert_row(cells, number, layout, errors)
        values.update(dict.fromkeys(absent))
        _check_unlabelled(cells, number, layout, reported_unlabelled, errors)
        if ok and spec.key_columns:
            ok = _check_key(spec, values, number, layout, first_seen, errors)
        if ok and spec.row_validator is not None:
            _run_row_validator(spec, values, number, layout, errors)
        rows.append(values)
        numbers.append(number)
    return rows, numbers


def _convert_row(cells: Sequence[Any], number: int, layout: _Layout,
                 errors: _Collector) -> tuple[dict[str, Any], bool]:
    values: dict[str, Any] = {}
    ok = True
    width = len(cells)
    for index, column, convert in layout.fields:
        raw = cells[index] if index < width else None
        if type(raw) is str and raw[:1] == "'":
            raw = unneutralise(raw)
        if _blank(raw):
            values[column.key] = None
            if column.required:
                errors.add(number, layout.letters[column.key], column.header, "", "required")
                ok = False
            continue
        try:
            values[column.key] = convert(raw)
        except InvalidCell as exc:
            values[column.key] = None
            errors.add(number, layout.letters[column.key], column.header, show_value(raw), str(exc))
            ok = False
    return values, ok


def _check_unlabelled(cells: Sequence[Any], number: int, layout: _Layout, reported: set[int],
                      errors: _Collector) -> None:
    """A value under a blank header would be silently lost; report each such column once."""
    for index in layout.unlabelled:
        if index < len(cells) and index not in reported and not _blank(cells[index]):
            reported.add(index)
            letter = column_letter(index)
            errors.add(number, letter, "", show_value(cells[index]),
                       f"value in column {letter}, which has no header")


def _check_key(spec: EntitySpec, values: dict[str, Any], number: int, layout: _Layout,
               first_seen: dict[tuple[Any, ...], int], errors: _Collector) -> bool:
    key = tuple(values[k] for k in spec.key_columns)
    if any(part is None for part in key):
        return True
    first = first_seen.setdefault(key, number)
    if first == number:
        return True
    label = " + ".join(spec.column(k).header for k in spec.key_columns)
    shown = " / ".join(show_value(part) for part in key)
    errors.add(number, layout.letters.get(spec.key_columns[0], ""), label, shown,
               f"duplicate {label} '{shown}' (also on row {first})")
    return False


def _run_row_validator(spec: EntitySpec, values: dict[str, Any], number: int, layout: _Layout,
                       errors: _Collector) -> None:
    assert spec.row_validator is not None
    for key, message in spec.row_validator(values):
        letter = layout.letters.get(key, "") if key else ""
        header = spec.column(key).header if key else ""
        errors.add(number, letter, header, show_value(values.get(key)) if key else "", message)


def _blank(value: Any) -> bool:
    return value is None or value == "" or (type(value) is str and value.isspace())


def _row_blank(cells: Sequence[Any]) -> bool:
    return all(_blank(value) for value in cells)
