"""Cell conversion, both ways: raw spreadsheet cell -> typed Python value, and back.

Reading: `make_converter(column)` returns a function that turns one non-blank raw cell (as
python-calamine or the CSV reader hands it over: str, float, int, bool, date, datetime) into the
column's Python type, or raises `InvalidCell` with a message for the user.

Writing: `make_exporter(column)` turns a Python value into what goes into an .xlsx cell (the CSV
writer formats that further), with formula injection neutralised.

Formula injection rule (documented contract, symmetric so exports round-trip):
  * on export, a text cell whose value - after any leading apostrophes - starts with one of
    = + - @ TAB CR gets one extra leading apostrophe, so Excel, LibreOffice and anything that later
    re-saves the file as CSV treat it as text, never as a formula (the apostrophe is visible);
  * on import, exactly one leading apostrophe is removed from a text cell whose remainder, after
    any further apostrophes, starts with one of those characters. So "=1+1" -> "'=1+1" -> "=1+1".
  * a text typed as '=1+1 in Excel is stored as "=1+1" and imported as the text "=1+1" (text columns
    keep formula-looking strings as plain text; nothing is ever evaluated). A real formula cell is
    read as its cached value, i.e. what Excel displayed when the file was saved.
"""
from __future__ import annotations

import datetime as dt
import enum
import math
import re
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from scm.sheets.spec import Column, ColumnType, show_value

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NEUTRALISE_FIRST = frozenset(FORMULA_TRIGGERS) | {"'"}
MAX_INTEGER = 2**63 - 1          # what a BIGINT column holds
MAX_DECIMAL_DIGITS = 15          # digits before the point; Excel keeps 15 significant digits
TRUE_WORDS = frozenset({"yes", "y", "true", "1"})
FALSE_WORDS = frozenset({"no", "n", "false", "0"})

_NUMBER_TEXT = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_DATE_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME_TEXT = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?)?(?:Z|[+-]\d{2}:?\d{2})?")

_OOXML_ESCAPE = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)")

Converter = Callable[[Any], Any]


class InvalidCell(ValueError):
    """A cell's value does not fit its column; the message is shown to the user."""


# --------------------------------------------------------------------------- formula injection

def neutralise(text: str) -> str:
    """Prefix one apostrophe when the text could be taken for a formula (see module docstring)."""
    return "'" + text if text.lstrip("'")[:1] in FORMULA_TRIGGERS else text


def unneutralise(text: str) -> str:
    """Undo `neutralise`: drop one leading apostrophe if what follows could be a formula."""
    if text[:1] == "'" and text.lstrip("'")[:1] in FORMULA_TRIGGERS:
        return text[1:]
    return text


# --------------------------------------------------------------------------- reading

def make_converter(column: Column) -> Converter:
    """The function that converts one non-blank raw cell of `column` (raises InvalidCell)."""
    factory = _CONVERTER_FACTORIES[column.type]
    return factory(column)


def as_text(raw: Any) -> str:
    """Any raw cell as text: numbers without a spurious '.0', dates in ISO form."""
    if isinstance(raw, str):
        return raw.strip()
    if isinstance(raw, float) and math.isfinite(raw) and raw.is_integer():
        return str(int(raw))
    return show_value(raw, limit=10**9)


def _text_converter(column: Column) -> Converter:
    limit = column.max_length

    def convert(raw: Any) -> str:
        text = as_text(raw)
        if limit is not None and len(text) > limit:
            raise InvalidCell(f"must be at most {limit} characters (has {len(text)})")
        return text
    return convert


def _integer_converter(column: Column) -> Converter:
    def convert(raw: Any) -> int:
        if isinstance(raw, bool):
            raise InvalidCell("expected a whole number")
        if isinstance(raw, int):
            number = Decimal(raw)
        elif isinstance(raw, float):
            number = _decimal_from_float(raw, "expected a whole number")
        elif isinstance(raw, str):
            number = _decimal_from_text(raw, "expected a whole number")
        else:
            raise InvalidCell("expected a whole number")
        if number.adjusted() > 18 or abs(number) > MAX_INTEGER:
            raise InvalidCell("is too large")
        if number != number.to_integral_value():
            raise InvalidCell("expected a whole number")
        value = int(number)
        _check_bounds(column, value)
        return value
    return convert


def _decimal_converter(column: Column) -> Converter:
    exponent = Decimal(1).scaleb(-column.places)

    def convert(raw: Any) -> Decimal:
        if isinstance(raw, bool):
            raise InvalidCell("expected a number")
        if isinstance(raw, int):
            number = Decimal(raw)
        elif isinstance(raw, float):
            number = _decimal_from_float(raw, "expected a number")
        elif isinstance(raw, str):
            number = _decimal_from_text(raw, "expected a number")
        else:
            raise InvalidCell("expected a number")
        if number and number.adjusted() >= MAX_DECIMAL_DIGITS:
            raise InvalidCell(f"is too large (at most {MAX_DECIMAL_DIGITS} digits before the point)")
        value = number.quantize(exponent, rounding=ROUND_HALF_UP)
        value = value.copy_abs() if value.is_zero() else value   # no "-0.00"
        _check_bounds(column, value)
        return value
    return convert


def _decimal_from_float(raw: float, message: str) -> Decimal:
    if not math.isfinite(raw):
        raise InvalidCell(message)
    # repr() is the shortest text that round-trips, so a typed 0.1 stays 0.1, not 0.1000000000000000055
    return Decimal(repr(raw))


def _decimal_from_text(raw: str, message: str) -> Decimal:
    text = raw.strip()
    if not _NUMBER_TEXT.fullmatch(text):
        if "," in text:
            message += " (use a point for decimals and no thousands separators)"
        raise InvalidCell(message)
    try:
        return Decimal(text)
    except InvalidOperation:        # pragma: no cover - the regex admits only valid literals
        raise InvalidCell(message) from None


def _date_converter(column: Column) -> Converter:
    def convert(raw: Any) -> dt.date:
        if isinstance(raw, dt.datetime):
            if raw.time() != dt.time(0):
                raise InvalidCell("expected a date without a time")
            value = raw.date()
        elif isinstance(raw, dt.date):
            value = raw
        elif isinstance(raw, str):
            value = _date_from_text(raw.strip())
        elif isinstance(raw, (int, float)) and not isinstance(raw, bool):
            raise InvalidCell("expected a date (YYYY-MM-DD); the cell holds a number - format it as a date")
        else:
            raise InvalidCell("expected a date (YYYY-MM-DD)")
        _check_bounds(column, value)
        return value
    return convert


def _date_from_text(text: str) -> dt.date:
    if _DATE_TEXT.fullmatch(text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise InvalidCell("is not a valid date") from None
    moment = _datetime_from_text(text, "expected a date (YYYY-MM-DD)")
    if moment.time() != dt.time(0):
        raise InvalidCell("expected a date without a time")
    return moment.date()


def _datetime_converter(column: Column) -> Converter:
    def convert(raw: Any) -> dt.datetime:
        if isinstance(raw, dt.datetime):
            value = raw
        elif isinstance(raw, dt.date):
            value = dt.datetime.combine(raw, dt.time(0))
        elif isinstance(raw, str):
            value = _datetime_from_text(raw.strip(), "expected a date and time (YYYY-MM-DD HH:MM)")
        else:
            raise InvalidCell("expected a date and time (YYYY-MM-DD HH:MM)")
        # Spreadsheets have no time zones: naive times are taken as UTC, offsets are converted.
        value = value.replace(tzinfo=dt.timezone.utc) if value.tzinfo is None \
            else value.astimezone(dt.timezone.utc)
        _check_bounds(column, value)
        return value
    return convert


def _datetime_from_text(text: str, message: str) -> dt.datetime:
    if not _DATETIME_TEXT.fullmatch(text):
        raise InvalidCell(message)
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        raise InvalidCell("is not a valid date or time") from None


def _boolean_converter(column: Column) -> Converter:
    def convert(raw: Any) -> bool:
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, (int, float)) and raw in (0, 1):
            return bool(raw)
        word = as_text(raw).casefold()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise InvalidCell("must be yes or no")
    return convert


def _choice_converter(column: Column) -> Converter:
    choices = tuple(column.choices or ())
    lookup = {choice.casefold(): choice for choice in choices}
    shown = ", ".join(choices[:12]) + (f", ... ({len(choices)} values)" if len(choices) > 12 else "")

    def convert(raw: Any) -> str:
        try:
            return lookup[as_text(raw).casefold()]
        except KeyError:
            raise InvalidCell(f"must be one of: {shown}") from None
    return convert


def _check_bounds(column: Column, value: Any) -> None:
    low, high = _bound(column.min, value), _bound(column.max, value)
    is_time = isinstance(value, dt.date)
    if low is not None and value < low:
        raise InvalidCell(_bound_message(column, is_time))
    if high is not None and value > high:
        raise InvalidCell(_bound_message(column, is_time))


def _bound(bound: Any, value: Any) -> Any:
    """Bounds given as dates apply to datetime columns from/to midnight UTC."""
    if bound is None:
        return None
    if not isinstance(value, dt.datetime) and isinstance(bound, dt.datetime):
        return bound.date()
    if isinstance(value, dt.datetime) and not isinstance(bound, dt.datetime):
        return dt.datetime.combine(bound, dt.time(0), tzinfo=dt.timezone.utc)
    if isinstance(value, dt.datetime) and bound.tzinfo is None:
        return bound.replace(tzinfo=dt.timezone.utc)
    return bound


def _bound_message(column: Column, is_time: bool) -> str:
    low, high = column.min, column.max
    if is_time:
        if low is not None and high is not None:
            return f"must be between {show_value(low)} and {show_value(high)}"
        return f"must be on or after {show_value(low)}" if low is not None \
            else f"must be on or before {show_value(high)}"
    if low is not None and high is not None:
        return f"must be between {low} and {high}"
    return f"must be ≥ {low}" if low is not None else f"must be ≤ {high}"


_CONVERTER_FACTORIES: dict[ColumnType, Callable[[Column], Converter]] = {
    ColumnType.TEXT: _text_converter,
    ColumnType.INTEGER: _integer_converter,
    ColumnType.DECIMAL: _decimal_converter,
    ColumnType.DATE: _date_converter,
    ColumnType.DATETIME: _datetime_converter,
    ColumnType.BOOLEAN: _boolean_converter,
    ColumnType.CHOICE: _choice_converter,
}


# --------------------------------------------------------------------------- writing

def make_exporter(column: Column, *, for_csv: bool = False) -> Callable[[Any], Any]:
    """Python value -> value for an openpyxl cell: real numbers and dates, neutralised text.

    With `for_csv` text is not given the xlsx-only escapes (see `xlsx_escape`). Text columns get a
    short path of their own: exports call this once per cell, 600,000 times for 100k rows.
    """
    kind = column.type
    text = export_text if for_csv else _xlsx_text
    if kind in (ColumnType.TEXT, ColumnType.CHOICE):
        def export_plain_text(value: Any) -> Any:
            if value is None:
                return None
            return text(value.value if isinstance(value, enum.Enum) else value)
        return export_plain_text

    def export(value: Any) -> Any:
        if isinstance(value, enum.Enum):
            value = value.value
        if value is None:
            return None
        if kind is ColumnType.BOOLEAN and isinstance(value, bool):
            return "yes" if value else "no"
        if kind in (ColumnType.INTEGER, ColumnType.DECIMAL) and _is_finite_number(value):
            return int(value) if kind is ColumnType.INTEGER and value == int(value) else value
        if kind is ColumnType.DATE and isinstance(value, dt.date):
            day = value.date() if isinstance(value, dt.datetime) else value
            return day if _excel_can_hold(day) else day.isoformat()
        if kind is ColumnType.DATETIME and isinstance(value, dt.date):
            moment = excel_datetime(value)
            return moment if _excel_can_hold(moment) else moment.isoformat(sep=" ")
        return text(value)
    return export


def export_text(value: Any) -> str:
    """Text for a cell: control characters XML cannot hold removed, formula triggers neutralised."""
    text = value if isinstance(value, str) else show_value(value, limit=10**9)
    if not text.isprintable():                 # cheap test first; most text is printable
        text = ILLEGAL_CHARACTERS_RE.sub("", text)
    return neutralise(text) if text[:1] in _NEUTRALISE_FIRST else text


def _xlsx_text(value: Any) -> str:
    return xlsx_escape(export_text(value))


def xlsx_escape(text: str) -> str:
    """Protect text that xlsx readers would otherwise alter.

    OOXML readers (Excel, calamine) decode "_x0041_" as "A" and XML turns CR into LF, so a literal
    "_xHHHH_" gets its underscore escaped (as Excel itself does) and CR is written as "_x000D_".
    """
    if "_x" in text:
        text = _OOXML_ESCAPE.sub("_x005F_", text)
    return text.replace("\r", "_x000D_") if "\r" in text else text


def excel_datetime(value: dt.date) -> dt.datetime:
    """Excel has no time zones: aware datetimes are written in UTC; whole seconds only."""
    if not isinstance(value, dt.datetime):
        return dt.datetime.combine(value, dt.time(0))
    if value.tzinfo is not None:
        value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return value.replace(microsecond=0)


def _excel_can_hold(value: dt.date) -> bool:
    """Excel dates start in 1900 (and its 1900 leap-year bug shifts Jan-Feb 1900): earlier days
    are written as ISO text, which the reader accepts too."""
    return (value.year, value.month) >= (1900, 3)


def _is_finite_number(value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return False
    return value.is_finite() if isinstance(value, Decimal) else math.isfinite(value)
