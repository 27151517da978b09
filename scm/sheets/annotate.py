"""Give the user their file back with every problem marked, so they can fix it and re-upload.

Cells with errors are filled red and carry a comment with the message(s); an "Errors" sheet lists
row, column, value and message with a link to each cell. Annotations from an earlier round
(our comments and fills, the old Errors sheet) are removed first, so a file can go round the
upload-fix loop several times. A CSV upload comes back as a new workbook holding its values.

openpyxl rewrites the workbook: values, styles, comments and validation survive; charts and
images do not (they never matter for an import file).
"""
from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Sequence

from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from scm.sheets.guard import ReadLimits, decode_csv, inspect_xlsx
from scm.sheets.spec import ERRORS_SHEET, CellError, SpreadsheetRejected
from scm.sheets.values import export_text, unneutralise

ANNOTATION_AUTHOR = "Import check"          # marks our comments so the next round can remove them
ERROR_FILL = PatternFill("solid", fgColor="FFC7CE")
_NO_FILL = PatternFill(fill_type=None)
_ERRORS_HEADER = ("Row", "Column", "Column header", "Value", "Problem")


def annotate_errors(data: bytes, errors: Sequence[CellError], *, sheet_name: str | None = None,
                    error_count: int | None = None, limits: ReadLimits | None = None) -> bytes:
    """The uploaded file as .xlsx with the error cells marked and an Errors sheet added.

    `sheet_name` is `ParseResult.sheet_name` (default: the first sheet). `error_count` is
    `ParseResult.error_count`, to say how many errors were left out when the list was capped.
    `limits` should be those given to read_rows. Raises SpreadsheetRejected if the file itself
    cannot be read.
    """
    data = bytes(data)
    if data.startswith(b"PK\x03\x04"):
        book, sheet = _open_xlsx(data, sheet_name, limits or ReadLimits())
        _remove_previous_annotations(book, sheet)
    else:
        book, sheet = _workbook_from_csv(decode_csv(data))
    _mark_cells(sheet, errors)
    _add_errors_sheet(book, sheet.title, errors, error_count)
    book.active = book.worksheets.index(sheet)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _open_xlsx(data: bytes, sheet_name: str | None, limits: ReadLimits) -> tuple[Workbook, Worksheet]:
    if len(data) > limits.max_bytes:
        raise SpreadsheetRejected("The file is too large to annotate.")
    inspect_xlsx(data, limits)                   # same container checks as the import
    try:
        book = load_workbook(io.BytesIO(data), rich_text=False)
    except Exception as exc:
        raise SpreadsheetRejected(f"The workbook could not be opened for annotation ({exc}).") from None
    if sheet_name and sheet_name in book.sheetnames:
        return book, book[sheet_name]
    return book, book.worksheets[0]


def _remove_previous_annotations(book: Workbook, sheet: Worksheet) -> None:
    if ERRORS_SHEET in book.sheetnames and book[ERRORS_SHEET] is not sheet:
        del book[ERRORS_SHEET]
    # _cells holds only cells that exist; iter_rows() would materialise every empty one.
    for cell in list(sheet._cells.values()):
        if cell.comment is not None and cell.comment.author == ANNOTATION_AUTHOR:
            cell.comment = None
            cell.fill = _NO_FILL


def _workbook_from_csv(text: str) -> tuple[Workbook, Worksheet]:
    book = Workbook()
    sheet = book.active
    sheet.title = "Data"
    first_line = text[:65536].split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    try:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            # Values go back exactly as uploaded (text), kept safe from formula evaluation.
            sheet.append([export_text(unneutralise(value)) for value in row])
    except csv.Error as exc:
        raise SpreadsheetRejected(f"The CSV file could not be read ({exc}).") from None
    return book, sheet


def _mark_cells(sheet: Worksheet, errors: Sequence[CellError]) -> None:
    messages: dict[str, list[str]] = defaultdict(list)
    for error in errors:
        if error.column:
            messages[f"{error.column}{error.row}"].append(error.message)
    for coordinate, texts in messages.items():
        cell = sheet[coordinate]
        cell.fill = ERROR_FILL
        text = "\n".join(dict.fromkeys(texts))     # same message twice is shown once
        cell.comment = Comment(text, ANNOTATION_AUTHOR, width=260,
                               height=max(40, 16 * (text.count("\n") + 1 + len(text) // 40) + 10))


def _add_errors_sheet(book: Workbook, data_title: str, errors: Sequence[CellError],
                      error_count: int | None) -> None:
    sheet = book.create_sheet(ERRORS_SHEET)
    sheet.append(_ERRORS_HEADER)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for error in errors:
        sheet.append([error.row, error.column, export_text(error.header), export_text(error.value),
                      export_text(error.message)])
        if error.column:
            link_cell = sheet.cell(row=sheet.max_row, column=1)
            location = f"'{data_title.replace(chr(39), chr(39) * 2)}'!{error.column}{error.row}"
            link_cell.hyperlink = Hyperlink(ref=link_cell.coordinate, location=location)
            link_cell.style = "Hyperlink"
    if error_count is not None and error_count > len(errors):
        sheet.append([None, None, None, None,
                      f"... and {error_count - len(errors):,} more errors not listed; fix these and "
                      "upload again to see the rest."])
    sheet.freeze_panes = "A2"
    for letter, width in zip("ABCDE", (8, 9, 24, 30, 70)):
        sheet.column_dimensions[letter].width = width
