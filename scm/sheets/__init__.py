"""Spreadsheet framework: one column spec per entity drives the template, the import and the export.

Pure (no Flask, no database), so views, the API, the CLI and tests all call the same functions:

    spec = EntitySpec("items", "Items", [Column("sku", "SKU", "text", required=True, max_length=40),
                                         Column("unit_cost", "Unit cost", "decimal", min=Decimal(0))],
                      key_columns=["sku"])
    build_template(spec)                  -> bytes (.xlsx with comments, validation, frozen header)
    export_rows(spec, rows)               -> bytes (.xlsx; export_csv for CSV)
    result = read_rows(spec, data, "upload.xlsx")
    if result.errors: annotate_errors(data, result.errors, sheet_name=result.sheet_name)

Error contract (principle 10, all-or-nothing):
  * problems with the file as a whole raise `SpreadsheetRejected(message)` - empty, too big,
    not an .xlsx/.csv, damaged, zip bomb, encrypted, too many rows/columns, not UTF-8, no header
    row, no data rows - before any row is validated;
  * problems with cells never raise: every one is collected into `ParseResult.errors` (row number
    and column letter as shown in Excel, header, value, message), and then `rows` is empty.
  The importer raises `errors.ImportRejected(report=...)` from a ParseResult with errors.

Formula injection: exports prefix text that could be read as a formula with an apostrophe; the
reader strips exactly that apostrophe again (details in `spreadsheet_values`).
"""
from __future__ import annotations

from scm.sheets.annotate import annotate_errors
from scm.sheets.guard import ReadLimits
from scm.sheets.reader import read_rows
from scm.sheets.spec import CellError, Column, ColumnType, EntitySpec, ParseResult, SpreadsheetRejected
from scm.sheets.values import neutralise, unneutralise
from scm.sheets.writer import build_template, describe_column, export_csv, export_rows

__all__ = [
    "CellError", "Column", "ColumnType", "EntitySpec", "ParseResult", "ReadLimits",
    "SpreadsheetRejected", "annotate_errors", "build_template", "describe_column", "export_csv",
    "export_rows", "neutralise", "read_rows", "unneutralise",
]
