"""Spreadsheet import and export of business data: preview first, then apply all-or-nothing.

The flow (ARCHITECTURE principle 10): `preview` parses and validates every row (file checks, cell
types, then database lookups such as unknown SKUs), stores the upload as an ImportBatch and reports
every error with row and column; `apply` re-reads the stored file and applies it in the caller's
single transaction. A file applied before is recognised by its fingerprint.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Callable, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from scm.models import ImportBatch, Item, Warehouse, utcnow
from scm.services.kernel import audit
from scm.services.kernel.actors import Actor
from scm.services.kernel.errors import Conflict, ImportRejected, NotFound, ValidationFailed
from scm.services.planning import demand_sheets
from scm.services.stock import masterdata
from scm.services.stock import queries as stock_queries
from scm.services.stock import sheets as count_sheets
from scm.services.stock import units as units_of_measure
from scm.services.stock.sheets import STOCK_COUNTS
from scm.sheets import CellError, Column, EntitySpec, ParseResult, SpreadsheetRejected, export_rows, read_rows

CHUNK = 5000
ITEMS = EntitySpec("items", "Items", [
    Column("sku", "SKU", "text", required=True, max_length=64, comment="Unique item code", example="BOLT-M8"),
    Column("name", "Name", "text", required=True, max_length=200, example="Hex bolt M8"),
    Column("uom", "Unit", "text", required=True, max_length=16, example="ea",
           comment="A unit code from Admin → Units of measure (ea, pcs, box, kg, l, m…)"),
    Column("category", "Category", "text", max_length=80, example="Fasteners"),
    Column("unit_cost", "Unit cost", "decimal", places=4, min=Decimal(0), example="0.12"),
    Column("abc_class", "ABC class", "choice", choices=("A", "B", "C"), example="B"),
    Column("is_core", "Core item", "boolean", example="no"),
    Column("active", "Active", "boolean", example="yes"),
], key_columns=("sku",))
WAREHOUSES = EntitySpec("warehouses", "Warehouses", [
    Column("code", "Code", "text", required=True, max_length=16, example="WH-EAST"),
    Column("name", "Name", "text", required=True, max_length=120, example="East DC"),
    Column("address", "Address", "text", max_length=400),
    Column("latitude", "Latitude", "decimal", places=6, min=Decimal(-90), max=Decimal(90)),
    Column("longitude", "Longitude", "decimal", places=6, min=Decimal(-180), max=Decimal(180)),
    Column("active", "Active", "boolean", example="yes"),
], key_columns=("code",))
@dataclass(frozen=True)
class Importer:
    spec: EntitySpec
    check: Callable[[Session, ParseResult], list[CellError]]  # database-level checks, with locations
    apply: Callable[[Session, ParseResult, Actor], str]       # returns a one-line summary
    export: Callable[[Session], Iterable[dict[str, Any]]]
    import_roles: tuple[str, ...]
    label: str
    diff: Callable[[Session, ParseResult], list[dict[str, Any]]] | None = None  # changes shown in the preview
    # Importers whose preview is a review a person confirms (stock counts): `review` gives what the
    # preview shows, and `apply` then takes a 4th argument, the confirmation options (see apply()).
    review: Callable[[Session, ParseResult, Any], list[Any]] | None = None


# ---------------------------------------------------------------- items

def _cleaned_by(clean: Callable[[dict], dict]) -> Callable[[Session, ParseResult], list[CellError]]:
    """A checker that runs the entity's own validation (the one forms and the API use) on every row."""
    def check(_session: Session, result: ParseResult) -> list[CellError]:
        errors = []
        for number, row in zip(result.row_numbers, result.rows):
            try:
                clean({k: v for k, v in row.items() if v is not None})
            except ValidationFailed as failed:
                errors.extend(result.locate(number, key, msg, row.get(key))
                              for key, msgs in failed.field_errors.items() for msg in msgs)
        return errors
    return check


def _check_items(session: Session, result: ParseResult) -> list[CellError]:
    """The item form's own validation on every row, against the registered units of measure."""
    known = units_of_measure.known_codes(session)
    return _cleaned_by(lambda data: masterdata.clean_item(data, units=known))(session, result)


def _apply_items(session: Session, result: ParseResult, actor: Actor) -> str:
    existing = _by_key(session, Item, Item.sku, [r["sku"] for r in result.rows])
    created = updated = 0
    for row in result.rows:
        data = {k: v for k, v in row.items() if v is not None}
        if row["sku"] in existing:
            masterdata.update_item(session, existing[row["sku"]], data, actor=actor)
            updated += 1
        else:
            masterdata.create_item(session, data, actor=actor)
            created += 1
    return f"{created} item(s) created, {updated} updated"


def _export_items(session: Session) -> Iterable[dict[str, Any]]:
    for item in session.scalars(select(Item).order_by(Item.sku).execution_options(yield_per=2000)):
        yield {c.key: getattr(item, c.key) for c in ITEMS.columns}


# ---------------------------------------------------------------- warehouses

def _apply_warehouses(session: Session, result: ParseResult, actor: Actor) -> str:
    existing = _by_key(session, Warehouse, Warehouse.code, [r["code"].upper() for r in result.rows])
    created = updated = 0
    for row in result.rows:
        data = {k: (float(v) if k in ("latitude", "longitude") else v) for k, v in row.items() if v is not None}
        if row["code"].upper() in existing:
            masterdata.update_warehouse(session, existing[row["code"].upper()], data, actor=actor)
            updated += 1
        else:
            masterdata.create_warehouse(session, data, actor=actor)
            created += 1
    return f"{created} warehouse(s) created, {updated} updated"


def _export_warehouses(session: Session) -> Iterable[dict[str, Any]]:
    for warehouse in masterdata.list_warehouses(session):
        yield {c.key: getattr(warehouse, c.key) for c in WAREHOUSES.columns}


STOCK_VALUE = EntitySpec("stock_value", "Stock value", [
    Column("warehouse", "Warehouse", "text"), Column("value", "Stock value", "decimal")])


def _check_stock_value(_session: Session, result: ParseResult) -> list[CellError]:
    return [result.locate(result.row_numbers[0] if result.row_numbers else 1, None,
                          "stock value is computed from the stock and unit costs; it cannot be imported")]


def _apply_stock_value(_session: Session, _result: ParseResult, _actor: Actor) -> str:
    raise ImportRejected("stock value cannot be imported")


def _export_stock_value(session: Session) -> Iterable[dict[str, Any]]:
    """Stock value per warehouse and in total (`stock_queries.stock_values`, as the dashboard shows it)."""
    values = stock_queries.stock_values(session)
    yield from ({"warehouse": code, "value": value} for code, value in values.by_warehouse)
    yield {"warehouse": "Total", "value": values.total}


IMPORTERS: dict[str, Importer] = {
    "items": Importer(ITEMS, _check_items, _apply_items, _export_items, ("admin", "buyer"), "Items"),
    "warehouses": Importer(WAREHOUSES, _cleaned_by(masterdata.clean_warehouse), _apply_warehouses, _export_warehouses, ("admin",),
                           "Warehouses"),
    "stock_counts": Importer(STOCK_COUNTS, count_sheets.check_counts, count_sheets.apply_counts,
                             count_sheets.export_counts, ("admin", "warehouse"), "Opening stock and stock counts",
                             review=count_sheets.review_counts),
    "demand_history": Importer(demand_sheets.DEMAND_HISTORY, demand_sheets.check_demand, demand_sheets.apply_demand,
                               demand_sheets.export_demand, ("admin", "buyer"), "Demand history (past sales)"),
    "promotions": Importer(demand_sheets.PROMOTIONS, demand_sheets.check_promotions, demand_sheets.apply_promotions,
                           demand_sheets.export_promotions, ("admin", "buyer"), "Promotions"),
    "stock_value": Importer(STOCK_VALUE, _check_stock_value, _apply_stock_value, _export_stock_value, (),
                            "Stock value by warehouse (export only)"),
}


def _by_key(session: Session, model: Any, column: Any, keys: list[str]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    unique = sorted(set(keys))
    for start in range(0, len(unique), CHUNK):
        for obj in session.scalars(select(model).where(column.in_(unique[start:start + CHUNK]))):
            found[getattr(obj, column.key)] = obj
    return found


def importer(entity: str) -> Importer:
    if entity not in IMPORTERS:
        raise NotFound(f"nothing to import or export called {entity!r}")
    return IMPORTERS[entity]


def parse(session: Session, entity: str, data: bytes, filename: str) -> ParseResult:
    """Read and validate a file completely: file checks, cells, then database lookups.

    Raises ImportRejected for a file that cannot be read at all; otherwise every problem is in
    `result.errors` with its row and column (and `rows` is then empty).
    """
    spec_importer = importer(entity)
    try:
        result = read_rows(spec_importer.spec, data, filename)
    except SpreadsheetRejected as rejected:
        raise ImportRejected(rejected.message, report=rejected.report) from None
    if result.errors:
        return result
    lookup_errors = spec_importer.check(session, result)
    if lookup_errors:
        result.errors, result.error_count, result.rows = lookup_errors, len(lookup_errors), []
    return result


def preview(session: Session, entity: str, data: bytes, filename: str, *, actor: Actor) -> tuple[ImportBatch, ParseResult]:
    """Validate an upload and keep it as a batch awaiting confirmation (nothing is applied)."""
    result = parse(session, entity, data, filename)
    repeat = session.scalar(select(ImportBatch.id).where(
        ImportBatch.entity == entity, ImportBatch.fingerprint == result.fingerprint,
        ImportBatch.status == "applied"))
    summary = f"this exact file was already imported (batch {repeat})" if repeat else ""
    batch = ImportBatch(entity=entity, filename=filename[:255], fingerprint=result.fingerprint,
                        status="rejected" if result.errors else "previewed", row_count=result.row_count,
                        error_count=result.error_count or len(result.errors), summary=summary,
                        content=data, created_by=actor.user_id)
    session.add(batch)
    session.flush()
    return batch, result


def apply(session: Session, batch_id: int, *, actor: Actor, options: dict[str, Any] | None = None) -> ImportBatch:
    """Apply a previewed batch in the caller's transaction: every row or none.

    `options` reach importers that have a review (stock counts): the app `config` and the `confirm`
    fields of the confirmation page. Without them the defaults apply and nothing is confirmed.
    """
    batch = session.get(ImportBatch, batch_id, with_for_update=True)
    if batch is None or batch.created_by != actor.user_id:
        raise NotFound("no such import")
    if batch.status != "previewed":
        raise Conflict(f"this import is {batch.status}; upload the file again")
    result = parse(session, batch.entity, batch.content or b"", batch.filename)
    if result.errors:  # the database changed since the preview (e.g. an item was renamed)
        raise ImportRejected(f"{len(result.errors)} row(s) no longer valid; upload the file again",
                             report=[e.as_dict() for e in result.errors[:50]])
    found = importer(batch.entity)
    batch.summary = (found.apply(session, result, actor, options or {}) if found.review  # type: ignore[call-arg]
                     else found.apply(session, result, actor))
    batch.status, batch.applied_at, batch.content = "applied", utcnow(), None
    audit.record(session, actor, "import.apply", "import_batch", batch.id,
                 after={"entity": batch.entity, "file": batch.filename, "rows": batch.row_count,
                        "summary": batch.summary})
    return batch


def export(session: Session, entity: str) -> bytes:
    spec_importer = importer(entity)
    return export_rows(spec_importer.spec, spec_importer.export(session))


# Supplier sheets (suppliers, catalog, price breaks; scorecards export) live in their own module.
from scm.services.suppliers import sheets as _supplier_sheets  # noqa: E402

IMPORTERS.update({name: Importer(*parts) for name, parts in _supplier_sheets.SHEETS.items()})
from scm.services.purchasing import sheets as _purchasing_sheets

IMPORTERS.update({name: Importer(*parts) for name, parts in _purchasing_sheets.SHEETS.items()})
from scm.services.logistics import sheets as _logistics_sheets

IMPORTERS.update({name: Importer(*parts) for name, parts in _logistics_sheets.SHEETS.items()})

from scm.services.planning import sheets as _replenishment_sheets

IMPORTERS.update({name: Importer(*parts, diff=_replenishment_sheets.DIFFS.get(name))
                  for name, parts in _replenishment_sheets.SHEETS.items()})
