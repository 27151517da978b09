"""Spreadsheets of the supplier area: suppliers, catalog entries and price breaks (import and export)
and scorecards (export only). Registered in `scm.services.importers.IMPORTERS`.

Database checks point at the cell: an unknown supplier code or SKU, a price break for a supplier and
item without a catalog entry, an item that would end up with two primary suppliers. An import applies
every row or none (the caller's transaction).
"""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from scm.models import CatalogEntry, Item, PriceBreak, Supplier, utcnow
from scm.models.supplier_catalog import SOURCING_ROLES
from scm.models.suppliers import SUPPLIER_STATUSES
from scm.services.kernel.actors import Actor
from scm.services.kernel.errors import ImportRejected, ValidationFailed
from scm.services.suppliers import catalog as supplier_catalog
from scm.services.suppliers import profiles as suppliers
from scm.services.suppliers import scorecards
from scm.sheets import CellError, Column, EntitySpec, ParseResult
from scm.sheets.importer import Importer

CHUNK = 5000
SUPPLIERS = EntitySpec("suppliers", "Suppliers", [
    Column("code", "Code", "text", required=True, max_length=32, comment="Unique supplier code", example="ACME"),
    Column("name", "Name", "text", required=True, max_length=200, example="Acme Industrial Supply"),
    Column("status", "Status", "choice", choices=SUPPLIER_STATUSES, example="active"),
    Column("status_reason", "Status reason", "text", max_length=500, comment="Required for probation and blocked"),
    Column("status_since", "Status since", "date"),
    Column("payment_terms", "Payment terms", "text", max_length=80, example="Net 30"),
    Column("currency", "Currency", "text", max_length=3, comment="ISO 4217 code", example="USD"),
    Column("notes", "Notes", "text", max_length=5000),
], key_columns=("code",))
CATALOG = EntitySpec("catalog", "Supplier catalog", [
    Column("supplier", "Supplier", "text", required=True, max_length=32, comment="Supplier code", example="ACME"),
    Column("sku", "SKU", "text", required=True, max_length=64, example="BOLT-M8"),
    Column("supplier_sku", "Supplier SKU", "text", max_length=64, example="AC-558-M8"),
    Column("role", "Role", "choice", required=True, choices=SOURCING_ROLES, example="primary"),
    Column("moq", "MOQ", "decimal", places=3, min=Decimal(0), example="100"),
    Column("order_multiple", "Order multiple", "decimal", places=3, min=Decimal(0), comment="0 = any quantity",
           example="50"),
    Column("lead_time_days", "Lead time (days)", "integer", required=True, min=0, max=730, example=14),
    Column("capacity_per_week", "Capacity per week", "decimal", required=True, places=3, min=Decimal("0.001"),
           example="2000"),
    Column("split_share", "Split share %", "decimal", places=2, min=Decimal("0.01"), max=Decimal(100)),
    Column("active", "Active", "boolean", example="yes"),
], key_columns=("supplier", "sku"))
PRICE_BREAKS = EntitySpec("price_breaks", "Price breaks", [
    Column("supplier", "Supplier", "text", required=True, max_length=32, example="ACME"),
    Column("sku", "SKU", "text", required=True, max_length=64, example="BOLT-M8"),
    Column("min_qty", "Minimum quantity", "decimal", required=True, places=3, min=Decimal(0), example="100"),
    Column("unit_price", "Unit price", "decimal", required=True, places=4, min=Decimal(0), example="0.095"),
    Column("currency", "Currency", "text", required=True, max_length=3, example="USD"),
    Column("valid_from", "Valid from", "date"),
    Column("valid_to", "Valid to", "date"),
], key_columns=("supplier", "sku", "min_qty", "currency", "valid_from"))
SCORECARDS = EntitySpec("scorecards", "Scorecards", [
    Column("supplier", "Supplier", "text"), Column("supplier_name", "Supplier name", "text"),
    Column("period", "Period", "text"), Column("label", "Label", "text"), Column("period_start", "Period start", "date"),
    Column("overall", "Overall", "decimal"), Column("standing", "Standing", "text"),
    Column("on_time", "On-time", "decimal"), Column("on_time_lines", "On-time lines %", "decimal"),
    Column("on_time_qty", "On-time quantity %", "decimal"), Column("quality", "Quality", "decimal"),
    Column("lead_time", "Lead-time reliability", "decimal"),
    Column("lead_time_mean_days", "Lead time mean (days)", "decimal"),
    Column("lead_time_std_days", "Lead time std (days)", "decimal"),
    Column("lead_time_stated_days", "Stated lead time (days)", "decimal"),
    Column("fill_rate", "Fill rate", "decimal"), Column("price", "Price", "decimal"),
    Column("responsiveness", "Responsiveness", "decimal"),
    Column("responsiveness_hours", "Hours to confirm", "decimal"),
    Column("replace_candidate", "Replace candidate", "boolean"), Column("deliveries", "Deliveries", "integer"),
    Column("inspections", "Inspections", "integer"), Column("orders", "Orders", "integer"),
    Column("rated", "Enough evidence", "boolean"), Column("metrics_counted", "Metrics with enough facts", "integer"),
    Column("lines", "Lines judged", "integer"), Column("overdue_lines", "Overdue lines", "integer"),
    Column("received_receipts", "Receipts with goods", "integer"),
    Column("priced_receipts", "Priced receipts", "integer"), Column("qty_inspected", "Quantity inspected", "decimal"),
    Column("orders_scored", "Orders scored", "integer"), Column("blocking", "Blocks new orders", "boolean"),
])


def _by_key(session: Session, column: Any, keys: Iterable[str]) -> dict[str, Any]:
    unique, found = sorted(set(keys)), {}
    for start in range(0, len(unique), CHUNK):
        for obj in session.scalars(select(column.class_).where(column.in_(unique[start:start + CHUNK]))):
            found[getattr(obj, column.key)] = obj
    return found


def _field_errors(result: ParseResult, number: int, row: dict, failed: ValidationFailed,
                  rename: dict[str, str] | None = None) -> list[CellError]:
    rename = rename or {}
    return [result.locate(number, rename.get(key, key) if rename.get(key, key) in row else None, msg,
                          row.get(rename.get(key, key))) for key, msgs in failed.field_errors.items() for msg in msgs]


# ---------------------------------------------------------------- suppliers

def _check_suppliers(session: Session, result: ParseResult) -> list[CellError]:
    existing = _by_key(session, Supplier.code, [r["code"].upper() for r in result.rows])
    errors = []
    for number, row in zip(result.row_numbers, result.rows):
        try:
            suppliers.clean_supplier({k: v for k, v in row.items() if v is not None}, existing.get(row["code"].upper()))
        except ValidationFailed as failed:
            errors.extend(_field_errors(result, number, row, failed))
    return errors


def _apply_suppliers(session: Session, result: ParseResult, actor: Actor) -> str:
    existing = _by_key(session, Supplier.code, [r["code"].upper() for r in result.rows])
    as_of, created, updated = utcnow().date(), 0, 0  # the moment of confirmation dates a status change
    for row in result.rows:
        data = {k: v for k, v in row.items() if v is not None}
        if row["code"].upper() in existing:
            suppliers.update_supplier(session, existing[row["code"].upper()], data, actor=actor, as_of=as_of)
            updated += 1
        else:
            suppliers.create_supplier(session, data, actor=actor, as_of=as_of)
            created += 1
    return f"{created} supplier(s) created, {updated} updated"


def _export_suppliers(session: Session) -> Iterable[dict[str, Any]]:
    for supplier in session.scalars(select(Supplier).order_by(Supplier.code)):
        yield {c.key: getattr(supplier, c.key) for c in SUPPLIERS.columns}


# ---------------------------------------------------------------- catalog entries

def _lookups(session: Session, result: ParseResult) -> tuple[dict[str, Supplier], dict[str, Item]]:
    return (_by_key(session, Supplier.code, [str(r["supplier"]).upper() for r in result.rows]),
            _by_key(session, Item.sku, [r["sku"] for r in result.rows]))


def _unknown(result: ParseResult, number: int, row: dict, found: tuple[dict, dict]) -> list[CellError]:
    errors = []
    if str(row["supplier"]).upper() not in found[0]:
        errors.append(result.locate(number, "supplier", "no supplier with this code", row["supplier"]))
    if row["sku"] not in found[1]:
        errors.append(result.locate(number, "sku", "no item with this SKU", row["sku"]))
    return errors


def _existing_entries(session: Session, supplier_ids: set[int], item_ids: set[int]) -> dict[tuple[int, int], Any]:
    if not supplier_ids or not item_ids:
        return {}
    stmt = select(CatalogEntry).where(CatalogEntry.supplier_id.in_(sorted(supplier_ids)),
                                      CatalogEntry.item_id.in_(sorted(item_ids)))
    return {(e.supplier_id, e.item_id): e for e in session.scalars(stmt)}


def _check_catalog(session: Session, result: ParseResult) -> list[CellError]:
    found = _lookups(session, result)
    errors: list[CellError] = []
    for number, row in zip(result.row_numbers, result.rows):
        missing = _unknown(result, number, row, found)
        errors.extend(missing)
        try:
            supplier_catalog.clean_entry({k: v for k, v in row.items() if v is not None})
        except ValidationFailed as failed:
            errors.extend(_field_errors(result, number, row, failed))
    return errors or _check_primaries(session, result, found)


def _check_primaries(session: Session, result: ParseResult, found: tuple[dict, dict]) -> list[CellError]:
    """After the import each item may have at most one active primary supplier."""
    keyed = {(found[0][str(r["supplier"]).upper()].id, found[1][r["sku"]].id): (n, r)
             for n, r in zip(result.row_numbers, result.rows)}
    item_ids = {item_id for _s, item_id in keyed}
    stmt = (select(CatalogEntry.supplier_id, CatalogEntry.item_id, Supplier.code)
            .join(Supplier, Supplier.id == CatalogEntry.supplier_id)
            .where(CatalogEntry.item_id.in_(sorted(item_ids)), CatalogEntry.role == "primary",
                   CatalogEntry.active.is_(True)))
    primaries: dict[int, set[int]] = defaultdict(set)
    codes = {s.id: code for code, s in found[0].items()}
    for supplier_id, item_id, code in session.execute(stmt):
        codes[supplier_id] = code
        if (supplier_id, item_id) not in keyed:
            primaries[item_id].add(supplier_id)
    for (supplier_id, item_id), (_n, row) in keyed.items():
        if row["role"] == "primary" and row.get("active") is not False:
            primaries[item_id].add(supplier_id)
    errors = []
    for (supplier_id, item_id), (number, row) in keyed.items():
        if row["role"] == "primary" and len(primaries[item_id]) > 1:
            others = sorted(codes.get(s) or f"supplier {s}" for s in primaries[item_id] - {supplier_id})
            errors.append(result.locate(number, "role", f"{row['sku']} would have more than one primary "
                                                        f"(also {', '.join(others)})", row["role"]))
    return errors


def _apply_catalog(session: Session, result: ParseResult, actor: Actor) -> str:
    found = _lookups(session, result)
    existing = _existing_entries(session, {s.id for s in found[0].values()}, {i.id for i in found[1].values()})
    created = updated = 0
    # demotions first, so a primary can move from one supplier to another within one file
    for row in sorted(result.rows, key=lambda r: r["role"] == "primary"):
        supplier, item = found[0][str(row["supplier"]).upper()], found[1][row["sku"]]
        data = {k: v for k, v in row.items() if v is not None and k not in ("supplier", "sku")}
        entry = existing.get((supplier.id, item.id))
        if entry is not None:
            supplier_catalog.update_entry(session, entry, data, actor=actor)
            updated += 1
        else:
            supplier_catalog.create_entry(session, {**data, "supplier_id": supplier.id, "item_id": item.id,
                                                    "price_breaks": []}, actor=actor)
            created += 1
    return f"{created} catalog entr{'y' if created == 1 else 'ies'} created, {updated} updated"


def _export_catalog(session: Session) -> Iterable[dict[str, Any]]:
    for row in session.execute(supplier_catalog.entry_query().execution_options(yield_per=2000)):
        entry = row[0]
        yield {"supplier": row[1], "sku": row[4], **{c.key: getattr(entry, c.key) for c in CATALOG.columns[2:]}}


# ---------------------------------------------------------------- price breaks

def _check_breaks(session: Session, result: ParseResult) -> list[CellError]:
    found = _lookups(session, result)
    entries = _existing_entries(session, {s.id for s in found[0].values()}, {i.id for i in found[1].values()})
    errors: list[CellError] = []
    for number, row in zip(result.row_numbers, result.rows):
        missing = _unknown(result, number, row, found)
        errors.extend(missing)
        if not missing and (found[0][str(row["supplier"]).upper()].id, found[1][row["sku"]].id) not in entries:
            errors.append(result.locate(number, "sku", f"{row['supplier']} has no catalog entry for this SKU; "
                                                       "import the catalog first", row["sku"]))
        try:
            supplier_catalog.clean_price_breaks([row], "USD")
        except ValidationFailed as failed:
            for message in failed.field_errors["price_breaks"]:
                column = next((k for k, w in (("currency", "currency"), ("valid_to", "valid to"),
                                              ("valid_from", "valid from"), ("unit_price", "unit price"))
                               if w in message), None)
                errors.append(result.locate(number, column, message.replace("break 1: ", ""), row.get(column or "")))
    return errors


def _apply_breaks(session: Session, result: ParseResult, actor: Actor) -> str:
    """Each (supplier, SKU) in the file gets exactly the breaks listed for it (the others are replaced)."""
    found = _lookups(session, result)
    entries = _existing_entries(session, {s.id for s in found[0].values()}, {i.id for i in found[1].values()})
    grouped: dict[tuple[int, int], list[dict]] = defaultdict(list)
    for row in result.rows:
        grouped[(found[0][str(row["supplier"]).upper()].id, found[1][row["sku"]].id)].append(row)
    for key, rows in sorted(grouped.items()):
        supplier_catalog.update_entry(session, entries[key], {"price_breaks": rows}, actor=actor)
    return f"{len(result.rows)} price break(s) for {len(grouped)} catalog entr{'y' if len(grouped) == 1 else 'ies'}"


def _export_breaks(session: Session) -> Iterable[dict[str, Any]]:
    stmt = (select(PriceBreak, Supplier.code, Item.sku).join(CatalogEntry, CatalogEntry.id == PriceBreak.entry_id)
            .join(Supplier, Supplier.id == CatalogEntry.supplier_id).join(Item, Item.id == CatalogEntry.item_id)
            .order_by(Supplier.code, Item.sku, PriceBreak.currency, PriceBreak.min_qty)
            .execution_options(yield_per=2000))
    for price, code, sku in session.execute(stmt):
        yield {"supplier": code, "sku": sku, **{c.key: getattr(price, c.key) for c in PRICE_BREAKS.columns[2:]}}


# ---------------------------------------------------------------- scorecards (export only)

def _check_scorecards(session: Session, result: ParseResult) -> list[CellError]:
    return [result.locate(result.row_numbers[0] if result.row_numbers else 1, None,
                          "scorecards are computed from deliveries, inspections and orders; they cannot be imported")]


def _apply_scorecards(session: Session, result: ParseResult, actor: Actor) -> str:
    raise ImportRejected("scorecards cannot be imported")


# This area's entities of the Spreadsheets page (`scm.services.importers` joins every area's).
IMPORTERS: dict[str, Importer] = {
    "suppliers": Importer(SUPPLIERS, _check_suppliers, _apply_suppliers, _export_suppliers, ("admin", "buyer"), "Suppliers"),
    "catalog": Importer(CATALOG, _check_catalog, _apply_catalog, _export_catalog, ("admin", "buyer"),
                "Supplier catalog (terms and sourcing roles)"),
    "price_breaks": Importer(PRICE_BREAKS, _check_breaks, _apply_breaks, _export_breaks, ("admin", "buyer"),
                     "Supplier price breaks"),
    "scorecards": Importer(SCORECARDS, _check_scorecards, _apply_scorecards, scorecards.export_rows, (),
                   "Supplier scorecards (export only)"),
}
