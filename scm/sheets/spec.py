"""Column specs and result types shared by the spreadsheet template, import and export.

One `EntitySpec` per entity (items, suppliers, price lists, ...) describes its columns once; the
same object then builds the blank template, validates an upload and writes an export, so the three
can never disagree about a header, a type or an allowed value.

Pure Python: no Flask, no database. See `scm.sheets` for the public entry points.
"""
from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from openpyxl.utils import get_column_letter

# A cross-field check: gets a row whose cells are all individually valid, returns
# (column_key or None, message) pairs; None puts the error on the row rather than a cell.
RowValidator = Callable[[Mapping[str, Any]], Sequence[tuple[str | None, str]]]

ERRORS_SHEET = "Errors"          # sheet added by annotate_errors; never read as data
_SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


class SpreadsheetRejected(Exception):
    """The file as a whole cannot be read (too big, not a workbook, zip bomb, no header...).

    Raised before any row is looked at, so no rows are ever returned with it. `message` is a
    sentence meant for the person who uploaded the file; `report` is a JSON-friendly dict.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
        self.report = {"error": "spreadsheet_rejected", "message": message}


class ColumnType(str, enum.Enum):
    TEXT = "text"
    INTEGER = "integer"
    DECIMAL = "decimal"
    DATE = "date"
    DATETIME = "datetime"
    BOOLEAN = "boolean"
    CHOICE = "choice"


@dataclass(frozen=True)
class Column:
    """One column of a spreadsheet: its header, type and the rules a cell must follow.

    `min`/`max` bound integer, decimal, date and datetime values (inclusive). `places` is the number
    of decimal places a decimal is rounded to (ROUND_HALF_UP). Text is stripped of surrounding
    whitespace before `max_length` is checked. `example` is shown in the template's header comment.
    """

    key: str
    header: str
    type: ColumnType | str
    required: bool = False
    comment: str = ""
    choices: Sequence[str] | None = None
    min: int | Decimal | dt.date | None = None
    max: int | Decimal | dt.date | None = None
    max_length: int | None = None
    example: Any = None
    width: float | None = None
    places: int = 2

    def __post_init__(self) -> None:
        object.__setattr__(self, "type", ColumnType(self.type))
        if self.choices is not None:
            object.__setattr__(self, "choices", tuple(str(c) for c in self.choices))
        if self.type is ColumnType.CHOICE and not self.choices:
            raise ValueError(f"choice column {self.key!r} needs choices")
        if not self.key.isidentifier():
            raise ValueError(f"column key {self.key!r} must be an identifier")
        if not self.header.strip() or self.header[0] in "=+-@":
            raise ValueError(f"column {self.key!r} needs a header that is not formula-like")
        if not 0 <= self.places <= 10:
            raise ValueError("places must be between 0 and 10")


@dataclass(frozen=True)
class EntitySpec:
    """The spreadsheet layout of one entity.

    `name` is the machine name ("items"), `title` the sheet title shown in Excel ("Items").
    `key_columns` must be unique within one file (e.g. SKU); a repeat is reported on the later row
    and names the earlier one.
    """

    name: str
    title: str
    columns: Sequence[Column]
    key_columns: Sequence[str] = ()
    row_validator: RowValidator | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "columns", tuple(self.columns))
        object.__setattr__(self, "key_columns", tuple(self.key_columns))
        if not self.columns:
            raise ValueError("a spec needs at least one column")
        if len(self.title) > 31 or not self.title.strip() or _SHEET_TITLE_FORBIDDEN.search(self.title):
            raise ValueError(f"{self.title!r} is not a valid Excel sheet title")
        if self.title.casefold() == ERRORS_SHEET.casefold():
            raise ValueError(f"{ERRORS_SHEET!r} is reserved for the error report")
        keys = [c.key for c in self.columns]
        headers = [normalise_header(c.header) for c in self.columns]
        if len(set(keys)) != len(keys) or len(set(headers)) != len(headers):
            raise ValueError("column keys and headers must be unique")
        unknown = set(self.key_columns) - set(keys)
        if unknown:
            raise ValueError(f"key columns not in spec: {sorted(unknown)}")

    def column(self, key: str) -> Column:
        for col in self.columns:
            if col.key == key:
                return col
        raise KeyError(key)

    def headers(self) -> list[str]:
        return [c.header for c in self.columns]


@dataclass(frozen=True)
class CellError:
    """One problem found in an uploaded file, located as the user sees it in Excel.

    `row` is 1-based (the header is normally row 1). `column` is the letter ("C"), or "" when the
    problem has no cell (a missing column, a row-level rule). `value` is the offending cell shown
    as text, "" when blank.
    """

    row: int
    column: str
    header: str
    value: str
    message: str

    def __str__(self) -> str:
        where = f"Row {self.row}" + (f", column {self.column}" if self.column else "")
        what = f" ({self.header})" if self.header else ""
        got = f" (got {self.value!r})" if self.value else ""
        return f"{where}{what}: {self.message}{got}"

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "header": self.header,
                "value": self.value, "message": self.message}


@dataclass
class ParseResult:
    """What `read_rows` found.

    Contract: when `errors` is non-empty, `rows` is empty (all-or-nothing import). Otherwise
    `rows[i]` holds every spec column key (None for blank optional cells) and came from the
    spreadsheet row `row_numbers[i]`. `column_letters` maps each column key present in the file
    to its letter, so later checks (e.g. "unknown supplier") can still point at a cell via
    `locate`. `error_count` counts every error even when `errors` was capped.
    """

    rows: list[dict[str, Any]]
    errors: list[CellError]
    sheet_name: str
    row_count: int
    fingerprint: str
    row_numbers: list[int] = field(default_factory=list)
    column_letters: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    error_count: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    def locate(self, row_number: int, key: str | None, message: str, value: Any = "") -> CellError:
        """A CellError for a problem found after parsing (e.g. by the importer's DB lookups)."""
        letter = self.column_letters.get(key, "") if key else ""
        header = self.headers.get(key, key or "") if key else ""
        return CellError(row_number, letter, header, show_value(value), message)


def normalise_header(text: Any) -> str:
    """Header matching ignores case and runs of whitespace ("Unit  price " == "unit price")."""
    return " ".join(str(text).split()).casefold()


def column_letter(index0: int) -> str:
    """Excel column letter of a 0-based column index (0 -> "A")."""
    return get_column_letter(index0 + 1)


def show_value(value: Any, limit: int = 80) -> str:
    """A cell value as the user would recognise it, shortened for error messages."""
    if value is None:
        return ""
    if isinstance(value, bool):
        text = "TRUE" if value else "FALSE"
    elif isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        text = str(int(value))
    elif isinstance(value, dt.datetime):
        text = value.isoformat(sep=" ")
    elif isinstance(value, dt.date):
        text = value.isoformat()
    else:
        text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
