"""Writing spreadsheets from an EntitySpec: the blank template, the .xlsx export, the CSV export.

The template carries the rules (header comments, data validation, cell formats) so users get
told in Excel before they upload; the import still checks everything again.
Exports use openpyxl's write-only mode: rows are streamed, not held as a worksheet in memory.
"""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from scm.sheets.spec import Column, ColumnType, EntitySpec, show_value
from scm.sheets.values import MAX_DECIMAL_DIGITS, MAX_INTEGER, excel_datetime, export_text, make_exporter

LAST_ROW = 1_048_576                       # Excel's last row: validation covers the whole column
LISTS_SHEET = "Lists"                      # hidden sheet for choice lists too long for a formula
COMMENT_AUTHOR = "SCM"
_HEADER_FONT = Font(bold=True, color="FFFFFF")
_REQUIRED_FILL = PatternFill("solid", fgColor="1F4E78")
_OPTIONAL_FILL = PatternFill("solid", fgColor="5B7FA6")
_HEADER_BORDER = Border(bottom=Side(style="thin", color="000000"))
_HEADER_ALIGN = Alignment(vertical="center")
_DATE_FORMAT, _DATETIME_FORMAT = "yyyy-mm-dd", "yyyy-mm-dd hh:mm:ss"
_TYPE_NAMES = {
    ColumnType.TEXT: "text", ColumnType.INTEGER: "whole number", ColumnType.DATE: "date (YYYY-MM-DD)",
    ColumnType.DATETIME: "date and time (YYYY-MM-DD HH:MM, UTC)", ColumnType.BOOLEAN: "yes or no",
    ColumnType.CHOICE: "one of a list",
}


# --------------------------------------------------------------------------- template

def build_template(spec: EntitySpec) -> bytes:
    """A blank .xlsx: styled, frozen header with a comment per column, validation, formats."""
    book = Workbook()
    sheet = book.active
    sheet.title = spec.title
    for index, column in enumerate(spec.columns, start=1):
        letter = get_column_letter(index)
        cell = sheet.cell(row=1, column=index, value=column.header)
        _style_header(cell, column)
        cell.comment = _header_comment(spec, column)
        sheet.column_dimensions[letter].width = column_width(column)
        number_format = _number_format(column)
        if number_format:
            # Column-level format: what the user types becomes a date/number/text as intended
            # ("@" keeps SKUs like 00123 from losing their zeros).
            sheet.column_dimensions[letter].number_format = number_format
        validation = _validation(book, column, letter)
        if validation is not None:
            sheet.add_data_validation(validation)
    sheet.freeze_panes = "A2"
    return _save(book)


def describe_column(column: Column, *, unique: bool = False) -> str:
    """The help text of a column (template comment; also usable on an upload page)."""
    lines = [column.header, f"Type: {_type_name(column)}",
             "Required" if column.required else "Optional (may be left blank)"]
    if unique:
        lines.append("Must be unique within the file")
    bounds = _bounds_text(column)
    if bounds:
        lines.append(bounds)
    if column.type is ColumnType.CHOICE:
        lines.append("Allowed: " + ", ".join(column.choices or ()))
    if column.comment:
        lines.append(column.comment)
    if column.example is not None:
        lines.append(f"Example: {show_value(column.example)}")
    return "\n".join(lines)


def column_width(column: Column) -> float:
    if column.width:
        return column.width
    longest = max(len(column.header), len(show_value(column.example)), 8)
    return float(min(longest + 4, 50))


def _type_name(column: Column) -> str:
    if column.type is ColumnType.DECIMAL:
        return f"number, up to {column.places} decimal places"
    if column.type is ColumnType.TEXT and column.max_length:
        return f"text, at most {column.max_length} characters"
    return _TYPE_NAMES[column.type]


def _bounds_text(column: Column) -> str:
    low, high = show_value(column.min), show_value(column.max)
    if column.min is not None and column.max is not None:
        return f"Between {low} and {high}"
    if column.min is not None:
        return f"At least {low}"
    return f"At most {high}" if column.max is not None else ""


def _style_header(cell: Any, column: Column) -> None:
    cell.font = _HEADER_FONT
    cell.fill = _REQUIRED_FILL if column.required else _OPTIONAL_FILL
    cell.border = _HEADER_BORDER
    cell.alignment = _HEADER_ALIGN


def _header_comment(spec: EntitySpec, column: Column) -> Comment:
    text = describe_column(column, unique=column.key in spec.key_columns and len(spec.key_columns) == 1)
    lines = sum(1 + len(line) // 40 for line in text.splitlines())
    return Comment(text, COMMENT_AUTHOR, height=max(60, 16 * lines + 10), width=260)


def _number_format(column: Column) -> str | None:
    if column.type is ColumnType.DECIMAL:
        return "#,##0" + ("." + "0" * column.places if column.places else "")
    if column.type is ColumnType.DATE:
        return _DATE_FORMAT
    if column.type is ColumnType.DATETIME:
        return _DATETIME_FORMAT
    if column.type in (ColumnType.TEXT, ColumnType.CHOICE):
        return "@"
    return None


def _validation(book: Workbook, column: Column, letter: str) -> DataValidation | None:
    """Excel-side validation: a hint only, the import re-checks everything."""
    kind = column.type
    if kind in (ColumnType.CHOICE, ColumnType.BOOLEAN):
        choices = list(column.choices or ()) if kind is ColumnType.CHOICE else ["yes", "no"]
        validation = DataValidation(type="list", formula1=_list_formula(book, column, choices))
    elif kind in (ColumnType.INTEGER, ColumnType.DECIMAL):
        limit = MAX_INTEGER if kind is ColumnType.INTEGER else Decimal(10) ** MAX_DECIMAL_DIGITS - 1
        low = column.min if column.min is not None else -limit
        high = column.max if column.max is not None else limit
        validation = DataValidation(type="whole" if kind is ColumnType.INTEGER else "decimal",
                                    operator="between", formula1=str(low), formula2=str(high))
    elif kind in (ColumnType.DATE, ColumnType.DATETIME):
        low = column.min if column.min is not None else dt.date(1900, 1, 1)
        high = column.max if column.max is not None else dt.date(9999, 12, 31)
        validation = DataValidation(type="date", operator="between",
                                    formula1=_excel_date(low), formula2=_excel_date(high))
    elif column.max_length:
        validation = DataValidation(type="textLength", operator="lessThanOrEqual",
                                    formula1=str(column.max_length))
    else:
        return None
    validation.allow_blank = True
    validation.showErrorMessage = True
    validation.showInputMessage = True
    validation.errorTitle = column.header[:32]
    validation.error = f"{column.header}: {_type_name(column)}. {_bounds_text(column)}"[:255]
    validation.promptTitle = column.header[:32]
    validation.prompt = describe_column(column).split("\n", 1)[-1][:255]
    validation.add(f"{letter}2:{letter}{LAST_ROW}")
    return validation


def _list_formula(book: Workbook, column: Column, choices: list[str]) -> str:
    inline = ",".join(choices)
    if len(inline) <= 250 and not any("," in c or '"' in c for c in choices):
        return f'"{inline}"'
    # Excel caps an inline list at 255 characters: keep long lists on a hidden sheet.
    lists = book[LISTS_SHEET] if LISTS_SHEET in book.sheetnames else book.create_sheet(LISTS_SHEET)
    lists.sheet_state = "hidden"
    index = lists.max_column + 1 if lists["A1"].value is not None else 1
    list_letter = get_column_letter(index)
    for row, choice in enumerate(choices, start=1):
        lists.cell(row=row, column=index, value=export_text(choice))
    return f"{LISTS_SHEET}!${list_letter}$1:${list_letter}${len(choices)}"


def _excel_date(value: dt.date) -> str:
    day = value.date() if isinstance(value, dt.datetime) else value
    return f"DATE({day.year},{day.month},{day.day})"


# --------------------------------------------------------------------------- export

def export_rows(spec: EntitySpec, rows: Iterable[Mapping[str, Any]]) -> bytes:
    """An .xlsx of `rows` (mappings keyed by column key) that `read_rows` reads back unchanged.

    Numbers stay numbers (decimals get a number format), dates stay dates, booleans are yes/no,
    text is neutralised against formula injection. Streams with openpyxl's write-only mode.
    """
    book = Workbook(write_only=True)
    sheet = book.create_sheet(spec.title)
    for index, column in enumerate(spec.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column_width(column)
    sheet.freeze_panes = "A2"
    sheet.append([_header_cell(sheet, column) for column in spec.columns])
    plan = [(c.key, make_exporter(c), _cell_style(sheet, c)) for c in spec.columns]
    count = 0
    for row in rows:
        sheet.append([_export_cell(sheet, exporter(row.get(key)), style)
                      for key, exporter, style in plan])
        count += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(spec.columns))}{count + 1}"
    return _save(book)


def export_csv(spec: EntitySpec, rows: Iterable[Mapping[str, Any]]) -> bytes:
    """UTF-8 CSV with BOM (so Excel detects the encoding), ISO dates, neutralised text."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(spec.headers())
    plan = [(c.key, make_exporter(c, for_csv=True)) for c in spec.columns]
    for row in rows:
        writer.writerow([csv_field(exporter(row.get(key))) for key, exporter in plan])
    return codecs.BOM_UTF8 + buffer.getvalue().encode("utf-8")


def csv_field(cell: Any) -> str:
    """An exported cell value as CSV text."""
    if cell is None:
        return ""
    if isinstance(cell, Decimal):
        return format(cell, "f")
    if isinstance(cell, dt.datetime):
        return excel_datetime(cell).isoformat(sep=" ")
    if isinstance(cell, dt.date):
        return cell.isoformat()
    return cell if isinstance(cell, str) else repr(cell)


def _header_cell(sheet: Worksheet, column: Column) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, column.header)
    _style_header(cell, column)
    return cell


def _cell_style(sheet: Worksheet, column: Column) -> Any:
    """A shared style array for decimal cells (building one per cell would double export time)."""
    if column.type is not ColumnType.DECIMAL:
        return None
    prototype = WriteOnlyCell(sheet, 0)
    prototype.number_format = _number_format(column)
    return prototype._style


def _export_cell(sheet: Worksheet, value: Any, style: Any) -> Any:
    if style is None or not isinstance(value, (int, float, Decimal)):
        return value
    cell = WriteOnlyCell(sheet, value)
    cell._style = style                  # shared, never mutated: openpyxl only reads it on save
    return cell


def _save(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
