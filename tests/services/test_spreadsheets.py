"""Spreadsheet framework: template, export, import, error annotation, hostile files."""
from __future__ import annotations

import ast
import datetime as dt
import io
import os
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from scm.sheets import (CellError, Column, EntitySpec, ParseResult, ReadLimits,
                                       SpreadsheetRejected, annotate_errors, build_template,
                                       export_csv, export_rows, neutralise, read_rows, unneutralise)
from tests.services.spreadsheet_corpus import (HEADERS, ITEM_SPEC, corpus, grid_xlsx, inline,
                                               mangled_workbook, random_upload, raw_xlsx,
                                               sample_rows, valid_row)

SPEC = ITEM_SPEC
FUZZ_EXAMPLES = int(os.environ.get("SCM_FUZZ_EXAMPLES", "2000"))     # `make fuzz`
OK = ["A-1", "Bolt", 1, 1.5, dt.date(2024, 1, 1), "yes", "raw", None]


def read_grid(*rows: list[Any], spec: EntitySpec = SPEC, **kwargs: Any) -> ParseResult:
    return read_rows(spec, grid_xlsx([HEADERS, *rows]), "upload.xlsx", **kwargs)


def located(result: ParseResult) -> set[tuple[int, str, str]]:
    return {(e.row, e.column, e.message) for e in result.errors}


# --------------------------------------------------------------------------- round trip

def tricky_rows() -> list[dict[str, Any]]:
    rows = sample_rows(3)
    rows[0].update(name="=HYPERLINK(\"http://evil\",\"x\")", unit_cost=Decimal("0.10"), active=True)
    rows[1].update(name="-5 + @SUM(A1)", qty=None, since=None, updated_at=None, active=None)
    rows[2].update(name="'=already quoted", unit_cost=Decimal("1234567.89"), kind="service", qty=0)
    return rows


@pytest.mark.parametrize("writer, filename", [(export_rows, "items.xlsx"), (export_csv, "items.csv")])
def test_export_then_read_gives_back_the_same_rows(writer: Any, filename: str) -> None:
    rows = tricky_rows()
    result = read_rows(SPEC, writer(SPEC, rows), filename)
    assert result.errors == []
    assert result.rows == rows
    assert result.row_numbers == [2, 3, 4]
    assert isinstance(result.rows[0]["unit_cost"], Decimal)


_text = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=30).filter(
    lambda s: s == s.strip() and s != "")
_row = st.fixed_dictionaries({
    "name": _text,
    "qty": st.none() | st.integers(0, 1_000_000),
    "unit_cost": st.none() | st.decimals(0, 10**9, places=2, allow_nan=False, allow_infinity=False),
    "since": st.none() | st.dates(dt.date(2000, 1, 1), dt.date(9999, 12, 31)),
    "active": st.none() | st.booleans(),
    "kind": st.sampled_from(["raw", "finished"]),
    "updated_at": st.none() | st.datetimes(dt.datetime(1901, 1, 1), dt.datetime(9998, 1, 1)).map(
        lambda d: d.replace(microsecond=0, tzinfo=dt.timezone.utc)),
})


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_row, min_size=1, max_size=8), st.sampled_from(["x.xlsx", "x.csv"]))
def test_round_trip_property(rows: list[dict[str, Any]], filename: str) -> None:
    rows = [{"sku": f"S{i}", **row} for i, row in enumerate(rows)]
    writer = export_rows if filename.endswith("xlsx") else export_csv
    result = read_rows(SPEC, writer(SPEC, rows), filename)
    assert result.errors == []
    assert result.rows == rows


_CALENDAR = EntitySpec("c", "Calendar", [Column("day", "Day", "date"), Column("at", "At", "datetime")])


@settings(max_examples=60, deadline=None)
@given(st.dates(), st.datetimes().map(lambda d: d.replace(microsecond=0, tzinfo=dt.timezone.utc)))
def test_dates_round_trip_over_the_whole_calendar(day: dt.date, at: dt.datetime) -> None:
    # Excel cannot hold days before 1900-03-01 as dates: those are exported as ISO text.
    rows = [{"day": day, "at": at}]
    assert read_rows(_CALENDAR, export_rows(_CALENDAR, rows), "c.xlsx").rows == rows


@given(st.text(max_size=20))
def test_neutralise_is_undone_by_unneutralise(text: str) -> None:
    assert unneutralise(neutralise(text)) == text
    assert neutralise(text)[:1] not in ("=", "+", "-", "@", "\t", "\r")


# --------------------------------------------------------------------------- export

def test_export_has_real_types_styles_and_no_formulas() -> None:
    book = load_workbook(io.BytesIO(export_rows(SPEC, tricky_rows())))
    sheet = book["Items"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:H4"
    assert [c.value for c in sheet[1]] == HEADERS and sheet["A1"].font.b
    assert sheet["D2"].data_type == "n" and sheet["D2"].number_format == "#,##0.00"
    assert sheet["E2"].is_date and sheet["H2"].is_date
    assert sheet["C2"].value == 1 and sheet["F2"].value == "yes"
    assert sheet["B2"].value.startswith("'=") and sheet["B3"].value.startswith("'-")
    assert sheet["B4"].value == "''=already quoted"
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_export_csv_is_utf8_with_bom_and_neutralised() -> None:
    text = export_csv(SPEC, tricky_rows()).decode("utf-8")
    assert text.startswith("\ufeffSKU,Name,")
    assert "'=HYPERLINK" in text and ",0.10," in text and "2024-05-01 08:01:00" in text


def test_export_accepts_any_iterable_and_odd_values() -> None:
    def generate() -> Any:
        yield {"sku": "S1", "name": "bad\x01char", "qty": Decimal("3"), "kind": "raw",
               "updated_at": dt.datetime(2024, 1, 1, 12, tzinfo=dt.timezone(dt.timedelta(hours=2)))}
    result = read_rows(SPEC, export_rows(SPEC, generate()), "x.xlsx")
    assert result.rows[0]["name"] == "badchar" and result.rows[0]["qty"] == 3
    assert result.rows[0]["updated_at"] == dt.datetime(2024, 1, 1, 10, tzinfo=dt.timezone.utc)


# --------------------------------------------------------------------------- template

def test_template_has_comments_validation_formats_and_frozen_header() -> None:
    book = load_workbook(io.BytesIO(build_template(SPEC)))
    sheet = book["Items"]
    assert sheet.freeze_panes == "A2" and sheet.max_row == 1
    assert [c.value for c in sheet[1]] == HEADERS
    assert all(c.comment is not None for c in sheet[1])
    assert "Required" in sheet["A1"].comment.text and "Example: BOLT-M8" in sheet["A1"].comment.text
    assert "unique" in sheet["A1"].comment.text
    assert "raw, finished, service" in sheet["G1"].comment.text
    rules = {str(dv.sqref): dv for dv in sheet.data_validations.dataValidation}
    assert rules["G2:G1048576"].type == "list" and rules["G2:G1048576"].formula1 == '"raw,finished,service"'
    assert rules["F2:F1048576"].formula1 == '"yes,no"'
    assert (rules["C2:C1048576"].type, rules["C2:C1048576"].formula1) == ("whole", "0")
    assert rules["D2:D1048576"].type == "decimal"
    assert rules["E2:E1048576"].type == "date" and rules["E2:E1048576"].formula1 == "DATE(2000,1,1)"
    assert rules["A2:A1048576"].type == "textLength"
    assert sheet.column_dimensions["A"].number_format == "@"
    assert sheet.column_dimensions["E"].number_format == "yyyy-mm-dd"


def test_template_keeps_long_choice_lists_on_a_hidden_sheet() -> None:
    choices = [f"category number {i}" for i in range(40)]
    spec = EntitySpec("c", "Cats", [Column("cat", "Category", "choice", choices=choices)])
    book = load_workbook(io.BytesIO(build_template(spec)))
    assert book["Lists"].sheet_state == "hidden"
    assert book["Cats"].data_validations.dataValidation[0].formula1 == "Lists!$A$1:$A$40"


def test_filled_in_template_imports() -> None:
    book = load_workbook(io.BytesIO(build_template(SPEC)))
    book["Items"].append(OK)
    buffer = io.BytesIO()
    book.save(buffer)
    result = read_rows(SPEC, buffer.getvalue(), "filled.xlsx")
    assert result.errors == [] and result.rows[0]["unit_cost"] == Decimal("1.50")


# --------------------------------------------------------------------------- validation

def test_every_error_is_collected_with_row_and_column() -> None:
    result = read_grid(
        OK,
        ["x" * 21, None, "many", "cheap", "soon", "maybe", "gadget", "noon"],
        [],                                               # blank row: skipped, keeps numbering
        ["A-2", "Bolt", -1, -0.5, dt.date(1999, 12, 31), 2, "raw", "2024-13-01"],
        ["A-3", "Bolt", 1.5, "1,5", "2024-02-30", "yes", "service", "2024-01-01T10:00:00+02:00"],
    )
    assert result.rows == [] and result.row_count == 4 and result.error_count == len(result.errors)
    assert located(result) == {
        (3, "A", "must be at most 20 characters (has 21)"),
        (3, "B", "required"),
        (3, "C", "expected a whole number"),
        (3, "D", "expected a number"),
        (3, "E", "expected a date (YYYY-MM-DD)"),
        (3, "F", "must be yes or no"),
        (3, "G", "must be one of: raw, finished, service"),
        (3, "H", "expected a date and time (YYYY-MM-DD HH:MM)"),
        (5, "C", "must be between 0 and 1000000"),
        (5, "D", "must be ≥ 0"),
        (5, "E", "must be on or after 2000-01-01"),
        (5, "F", "must be yes or no"),
        (5, "H", "is not a valid date or time"),
        (6, "C", "expected a whole number"),
        (6, "D", "expected a number (use a point for decimals and no thousands separators)"),
        (6, "E", "is not a valid date"),
    }
    error = next(e for e in result.errors if (e.row, e.column) == (6, "C"))
    assert (error.header, error.value) == ("Quantity", "1.5")
    assert str(error) == "Row 6, column C (Quantity): expected a whole number (got '1.5')"


@pytest.mark.parametrize("column, raw, expected", [
    (Column("n", "N", "integer"), 3.0, 3),
    (Column("n", "N", "integer"), " 42 ", 42),
    (Column("n", "N", "integer"), "1e3", 1000),
    (Column("d", "D", "decimal", places=2), 0.1, Decimal("0.10")),
    (Column("d", "D", "decimal", places=3), 2.675, Decimal("2.675")),
    (Column("d", "D", "decimal", places=2), "2.675", Decimal("2.68")),      # ROUND_HALF_UP
    (Column("d", "D", "decimal", places=0), "-0.4", Decimal("0")),
    (Column("t", "T", "text"), 12345.0, "12345"),
    (Column("t", "T", "text"), "  padded  ", "padded"),
    (Column("b", "B", "boolean"), "TRUE", True),
    (Column("b", "B", "boolean"), "No", False),
    (Column("b", "B", "boolean"), 1.0, True),
    (Column("c", "C", "choice", choices=["Raw", "Finished"]), "raw", "Raw"),
    (Column("dt", "DT", "date"), dt.datetime(2024, 2, 29), dt.date(2024, 2, 29)),
    (Column("dt", "DT", "date"), "2024-02-29", dt.date(2024, 2, 29)),
    (Column("ts", "TS", "datetime"), "2024-01-01 10:00Z", dt.datetime(2024, 1, 1, 10, tzinfo=dt.timezone.utc)),
    (Column("ts", "TS", "datetime"), dt.date(2024, 1, 1), dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)),
])
def test_values_are_converted(column: Column, raw: Any, expected: Any) -> None:
    spec = EntitySpec("x", "X", [column])
    result = read_rows(spec, grid_xlsx([[column.header], [raw]], title="X"), "x.xlsx")
    assert result.errors == []
    assert result.rows == [{column.key: expected}]
    assert type(result.rows[0][column.key]) is type(expected)


@pytest.mark.parametrize("column, raw, message", [
    (Column("n", "N", "integer"), True, "expected a whole number"),
    (Column("n", "N", "integer"), "1" * 30, "is too large"),
    (Column("n", "N", "integer"), "1e999999999", "is too large"),
    (Column("d", "D", "decimal"), "1e400", "is too large"),
    (Column("d", "D", "decimal"), "NaN", "expected a number"),
    (Column("d", "D", "decimal"), "-Infinity", "expected a number"),
    (Column("d", "D", "decimal"), "1_000", "expected a number"),
    (Column("d", "D", "decimal", max=Decimal(10)), 10.01, "must be ≤ 10"),
    (Column("dt", "DT", "date"), dt.datetime(2024, 1, 1, 12, 30), "expected a date without a time"),
    (Column("dt", "DT", "date"), 45000.0, "the cell holds a number"),
    (Column("dt", "DT", "date"), "01/02/2024", "expected a date (YYYY-MM-DD)"),
    (Column("dt", "DT", "date", max=dt.date(2030, 1, 1)), "2031-01-01", "on or before 2030-01-01"),
    (Column("ts", "TS", "datetime"), "2024-02-30 10:00", "is not a valid date or time"),
    (Column("t", "T", "text", max_length=3), "abcd", "at most 3 characters"),
    (Column("c", "C", "choice", choices=[str(i) for i in range(20)]), "x", "11, ... (20 values)"),
])
def test_bad_values_get_a_clear_message(column: Column, raw: Any, message: str) -> None:
    spec = EntitySpec("x", "X", [column])
    result = read_rows(spec, grid_xlsx([[column.header], [raw]], title="X"), "x.xlsx")
    assert result.rows == []
    assert len(result.errors) == 1 and message in result.errors[0].message
    assert (result.errors[0].row, result.errors[0].column) == (2, "A")


def test_headers_match_in_any_order_case_and_spacing() -> None:
    result = read_rows(SPEC, grid_xlsx([["  kind ", "unit  COST", "name", "sku"],
                                        ["raw", 2, "Nut", "N-1"]]), "x.xlsx")
    assert result.errors == []
    assert result.rows[0] == {"sku": "N-1", "name": "Nut", "unit_cost": Decimal("2.00"), "kind": "raw",
                              "qty": None, "since": None, "active": None, "updated_at": None}
    assert result.column_letters == {"kind": "A", "unit_cost": "B", "name": "C", "sku": "D"}


def test_header_may_start_below_row_one_and_rows_keep_excel_numbers() -> None:
    result = read_rows(SPEC, grid_xlsx([[], [], HEADERS, OK, [], ["A-2", "Bolt", 1, "bad", None, None, "raw"]]), "x.xlsx")
    assert located(result) == {(6, "D", "expected a number")}


def test_duplicate_keys_name_both_rows_and_all_repeats() -> None:
    result = read_grid(OK, ["B-1", *OK[1:]], OK, OK)
    assert located(result) == {(4, "A", "duplicate SKU 'A-1' (also on row 2)"),
                               (5, "A", "duplicate SKU 'A-1' (also on row 2)")}


def test_composite_keys() -> None:
    spec = EntitySpec("p", "Prices", [Column("supplier", "Supplier", "text"), Column("sku", "SKU", "text")],
                      key_columns=["supplier", "sku"])
    result = read_rows(spec, grid_xlsx([["Supplier", "SKU"], ["ACME", "X"], ["ACME", "Y"], ["ACME", "X"]],
                                       title="Prices"), "p.xlsx")
    assert located(result) == {(4, "A", "duplicate Supplier + SKU 'ACME / X' (also on row 2)")}


def test_row_validator_runs_on_valid_rows_only() -> None:
    result = read_grid(["S-1", "Consulting", 3, None, None, None, "service", None],
                       ["S-2", "Broken", "x", None, None, None, "service", None])
    assert located(result) == {(2, "C", "a service has no quantity"), (3, "C", "expected a whole number")}


def test_header_problems_are_reported_on_the_header_row() -> None:
    result = read_rows(SPEC, grid_xlsx([["Name", "Kind", "Colour", "name"], ["Bolt", "raw", "red", "x"]]),
                       "x.xlsx")
    assert {(e.row, e.column, e.message.split(";")[0]) for e in result.errors} == {
        (1, "C", "unknown column 'Colour' in column C"),
        (1, "D", "duplicate column 'name' (also in column A)"),
        (1, "", "missing required column 'SKU'"),
    }


def test_errors_are_capped_but_counted() -> None:
    result = read_grid(*[[f"S{i}", "n", "bad", "bad", None, None, "raw"] for i in range(30)],
                       limits=ReadLimits(max_errors=10))
    assert len(result.errors) == 10 and result.error_count == 60


def test_formula_cells_are_read_as_cached_values_and_formula_text_stays_text() -> None:
    body = (b'<row r="2">' + inline("A2", "=1+1") + inline("B2", "=cmd|'/C calc'!A0")
            + b'<c r="C2"><f>1+1</f><v>2</v></c>' + inline("G2", "raw") + b"</row>")
    result = read_rows(SPEC, raw_xlsx(body), "f.xlsx")
    assert result.errors == []
    assert (result.rows[0]["sku"], result.rows[0]["name"], result.rows[0]["qty"]) == (
        "=1+1", "=cmd|'/C calc'!A0", 2)


def test_fingerprint_is_sha256_of_the_bytes() -> None:
    data = export_rows(SPEC, sample_rows(2))
    first, again = read_rows(SPEC, data, "a.xlsx"), read_rows(SPEC, data, "b.xlsx")
    assert first.fingerprint == again.fingerprint and len(first.fingerprint) == 64


def test_sheet_named_like_the_spec_is_preferred() -> None:
    book = load_workbook(io.BytesIO(grid_xlsx([["notes"]], title="Read me")))
    book.create_sheet("ITEMS").append(HEADERS)
    book["ITEMS"].append(OK)
    buffer = io.BytesIO()
    book.save(buffer)
    result = read_rows(SPEC, buffer.getvalue(), "x.xlsx")
    assert result.sheet_name == "ITEMS" and result.errors == []


def test_csv_with_semicolons_is_understood() -> None:
    data = ("\ufeff" + ";".join(HEADERS) + "\r\nA-1;Bolt;2;1.5;2024-01-02;no;raw;\r\n").encode()
    result = read_rows(SPEC, data, "EXPORT.CSV")
    assert result.errors == [] and result.rows[0]["unit_cost"] == Decimal("1.50")


def test_locate_points_later_errors_at_cells() -> None:
    result = read_rows(SPEC, grid_xlsx([["Kind", "SKU", "Name"], ["raw", "A-1", "Bolt"]]), "x.xlsx")
    assert result.locate(2, "sku", "unknown SKU", "A-1") == CellError(2, "B", "SKU", "A-1", "unknown SKU")


# --------------------------------------------------------------------------- hostile files

CORPUS = corpus()


def test_corpus_is_large_enough() -> None:
    assert len(CORPUS) >= 20
    assert len({case.name for case in CORPUS}) == len(CORPUS)


@pytest.mark.parametrize("case", CORPUS, ids=[case.name for case in CORPUS])
def test_hostile_file_is_refused_with_a_clear_message(case: Any) -> None:
    if case.outcome == "rejected":
        with pytest.raises(SpreadsheetRejected) as caught:
            read_rows(SPEC, case.data, case.filename, **case.kwargs)
        assert case.expect.lower() in caught.value.message.lower()
        assert caught.value.report["message"] == caught.value.message
    else:
        result = read_rows(SPEC, case.data, case.filename, **case.kwargs)
        assert result.rows == [] and result.row_numbers == []
        assert any(case.expect.lower() in e.message.lower() for e in result.errors), result.errors


def assert_refused_cleanly(data: bytes, filename: str) -> None:
    try:
        result = read_rows(SPEC, data, filename)
    except SpreadsheetRejected as exc:
        assert exc.message
    else:
        assert result.rows or result.errors


# derandomize: `make test` replays the same examples every run. The reader guards against the native
# crashes python-calamine is known to have on hostile XML, but a rare one may remain; random hunting
# for it belongs to `make fuzz`, not to a build that must be reproducible.
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(random_upload())
def test_random_bytes_never_crash_the_reader(upload: tuple[bytes, str]) -> None:
    assert_refused_cleanly(*upload)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(mangled_workbook())
def test_workbooks_with_mangled_xml_never_crash_the_reader(upload: tuple[bytes, str]) -> None:
    assert_refused_cleanly(*upload)


@pytest.mark.fuzz
@settings(max_examples=FUZZ_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(random_upload() | mangled_workbook())
def test_fuzz_hostile_uploads_never_crash_the_reader(upload: tuple[bytes, str]) -> None:
    assert_refused_cleanly(*upload)


def test_cells_far_apart_are_refused_before_parsing() -> None:
    # Without the guard python-calamine tries to allocate 512 GB and aborts the process.
    far = valid_row(2) + b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    with pytest.raises(SpreadsheetRejected, match="too many rows"):
        read_rows(SPEC, raw_xlsx(far), "x.xlsx")
    with pytest.raises(SpreadsheetRejected, match="too large"):
        read_rows(SPEC, raw_xlsx(valid_row(2) + b'<row r="3"><c r="BL60000"><v>1</v></c></row>'),
                  "x.xlsx", limits=ReadLimits(max_columns=100, max_cells=1_000_000))


# --------------------------------------------------------------------------- annotate

def test_annotated_workbook_marks_cells_and_lists_errors() -> None:
    upload = grid_xlsx([HEADERS + ["Colour"], OK + ["red"], ["A-2", "Bolt", "x", "y", *OK[4:]]])
    result = read_rows(SPEC, upload, "x.xlsx")
    book = load_workbook(io.BytesIO(annotate_errors(upload, result.errors, sheet_name=result.sheet_name)))
    sheet, listing = book["Items"], book["Errors"]
    assert sheet["C3"].fill.fgColor.rgb.endswith("FFC7CE") and "whole number" in sheet["C3"].comment.text
    assert sheet["I1"].comment is not None and sheet["A2"].comment is None
    assert [c.value for c in listing[1]] == ["Row", "Column", "Column header", "Value", "Problem"]
    assert listing.max_row == 1 + len(result.errors)
    assert listing["A2"].hyperlink.location == "'Items'!I1"
    assert book.active.title == "Items"


def test_annotated_file_can_be_fixed_and_uploaded_again() -> None:
    upload = grid_xlsx([HEADERS, ["A-1", "Bolt", "x", *OK[3:]]])
    first = read_rows(SPEC, upload, "x.xlsx")
    annotated = annotate_errors(upload, first.errors, sheet_name=first.sheet_name)
    book = load_workbook(io.BytesIO(annotated))
    book["Items"]["C2"] = 5
    fixed = io.BytesIO()
    book.save(fixed)
    second = read_rows(SPEC, fixed.getvalue(), "x.xlsx")
    assert second.errors == [] and second.rows[0]["qty"] == 5
    again = load_workbook(io.BytesIO(annotate_errors(fixed.getvalue(), [], sheet_name="Items")))
    assert again["Items"]["C2"].comment is None and again["Items"]["C2"].fill.fill_type is None
    assert again["Errors"].max_row == 1


def test_annotating_a_csv_builds_a_workbook_from_its_values() -> None:
    upload = ("SKU,Name,Kind,Quantity\r\n=evil(),Bolt,raw,x\r\n").encode()
    result = read_rows(SPEC, upload, "x.csv")
    book = load_workbook(io.BytesIO(annotate_errors(upload, result.errors, error_count=99)))
    sheet = book["Data"]
    assert sheet["A2"].value == "'=evil()" and sheet["A2"].data_type == "s"
    assert sheet["D2"].comment.text == "expected a whole number"
    assert "98 more errors" in book["Errors"].cell(row=book["Errors"].max_row, column=5).value


def test_annotate_refuses_hostile_files() -> None:
    with pytest.raises(SpreadsheetRejected):
        annotate_errors(raw_xlsx(valid_row(2) + b'<row r="9"><c r="XFD1048576"><v>1</v></c></row>'), [])


# --------------------------------------------------------------------------- spec and purity

@pytest.mark.parametrize("make", [
    lambda: Column("x", "X", "choice"),
    lambda: Column("not a key", "X", "text"),
    lambda: Column("x", "=X", "text"),
    lambda: Column("x", "X", "money"),
    lambda: EntitySpec("x", "Bad/Title", [Column("a", "A", "text")]),
    lambda: EntitySpec("x", "Errors", [Column("a", "A", "text")]),
    lambda: EntitySpec("x", "X", [Column("a", "A", "text"), Column("b", " a ", "text")]),
    lambda: EntitySpec("x", "X", [Column("a", "A", "text")], key_columns=["b"]),
])
def test_bad_specs_are_refused(make: Any) -> None:
    with pytest.raises(ValueError):
        make()


def test_spreadsheet_modules_stay_pure() -> None:
    services = Path(__file__).resolve().parents[2] / "scm" / "services"
    for path in services.glob("spreadsheet*.py"):
        tree = ast.parse(path.read_text())
        imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                    for alias in node.names}
        imported |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        assert not {m for m in imported if m.split(".")[0] in ("flask", "sqlalchemy", "flask_sqlalchemy")
                    or m.startswith("scm.models") or m == "scm.extensions"}, path.name
        assert len(path.read_text().splitlines()) <= 500, path.name
