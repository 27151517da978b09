"""The demo data and the URL of every GET page on it, for the crawls (tests/web/test_crawl.py and
tests/e2e/test_phone_crawl.py): each route's ids are filled with a real demo object the role may see."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable

from flask import Flask
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from scm.demo import core as demo
from scm.models import (
    Carrier,
    CatalogEntry,
    Forecast,
    ForecastRun,
    ImportBatch,
    OutgoingMail,
    PurchaseOrder,
    PurchaseOrderLine,
    Shipment,
    StockCount,
    StockMove,
    Supplier,
    SupplierDocument,
    Transfer,
    UnmatchedTrackingEvent,
    User,
    Warehouse,
)
from scm.models.purchasing import UNSENT_STATUSES
from scm.services import importers

DEMO_ITEMS = 24
# Routes that are not pages to look at: files, or actions that only redirect.
NOT_PAGES = {"static", "auth.logout", "main.healthz"}


@dataclass(frozen=True)
class DemoData:
    password: str


def demo_app_data(app: Flask) -> DemoData:
    """Load the demo data into the test database with the real command (a small assortment)."""
    result = app.test_cli_runner().invoke(args=["scm", "seed-demo", "--items", str(DEMO_ITEMS)])
    assert result.exit_code == 0, result.output
    return DemoData(password=demo.DEMO_PASSWORD)


def _supplier_id(session: Session) -> int | None:
    return session.scalar(select(User.supplier_id).where(User.email == "supplier@demo.local"))


def _first(session: Session, stmt: Select) -> Any:
    return session.execute(stmt.limit(1)).first()


def _po(session: Session, role: str) -> Any:
    """The order with the most lines (the richest page); for a supplier, one of its own it may see."""
    stmt = (select(PurchaseOrder.id).join(PurchaseOrderLine, PurchaseOrderLine.po_id == PurchaseOrder.id)
            .group_by(PurchaseOrder.id).order_by(func.count().desc(), PurchaseOrder.id))
    if role == "supplier":
        stmt = stmt.where(PurchaseOrder.supplier_id == _supplier_id(session), PurchaseOrder.sent_at.is_not(None),
                          PurchaseOrder.status.not_in(UNSENT_STATUSES))
    return _first(session, stmt)


def _document(session: Session, role: str) -> Any:
    stmt = select(SupplierDocument.supplier_id, SupplierDocument.id).order_by(SupplierDocument.id)
    if role == "supplier":
        stmt = stmt.where(SupplierDocument.supplier_id == _supplier_id(session))
    return _first(session, stmt)


def _forecast_key(session: Session, _role: str) -> Any:
    latest = select(func.max(ForecastRun.id)).scalar_subquery()
    return _first(session, select(Forecast.item_id, Forecast.warehouse_id).where(Forecast.run_id == latest)
                  .order_by(Forecast.item_id))


def _one(model: Any, order: Any = None) -> Callable[[Session, str], Any]:
    return lambda session, _role: _first(session, select(model.id).order_by(order if order is not None else model.id))


# Argument names of a route -> the ids to put in them (None: no such object in the demo, skip the page).
FILLERS: dict[tuple[str, ...], Callable[[Session, str], Any]] = {
    ("po_id",): _po,
    ("item_id",): lambda s, r: _first(s, select(StockMove.item_id).order_by(StockMove.id)),
    ("warehouse_id",): _one(Warehouse),
    ("supplier_id",): _one(Supplier),
    ("user_id",): _one(User),
    ("entry_id",): _one(CatalogEntry),
    ("carrier_id",): _one(Carrier),
    ("shipment_id",): _one(Shipment),
    ("unmatched_id",): _one(UnmatchedTrackingEvent),
    ("count_id",): _one(StockCount),
    ("transfer_id",): _one(Transfer),
    ("batch_id",): _one(ImportBatch),
    ("document_id",): lambda s, r: (_document(s, r) or (None, None))[1:],
    ("supplier_id", "document_id"): _document,
    ("item_id", "warehouse_id"): _forecast_key,
    ("job_id",): lambda s, r: ("forecast-refresh",),
    ("code",): lambda s, r: ("ea",),
    ("po_id", "mail_id"): lambda s, r: _first(s, select(OutgoingMail.po_id, OutgoingMail.id).order_by(OutgoingMail.id)),
}


def _fill(rule_text: str, names: tuple[str, ...], values: tuple) -> str:
    url = rule_text
    for name, value in zip(names, values):
        url = re.sub(rf"<(?:[a-z]+:)?{name}>", str(value), url)
    return url


def crawl_urls(session: Session, role: str, app: Flask | None = None) -> list[str]:
    """Every GET page (no API route, no file download) with real ids; spreadsheet pages per entity."""
    from flask import current_app
    rules = (app or current_app).url_map.iter_rules()
    urls: list[str] = []
    for rule in sorted(rules, key=lambda r: r.rule):
        if "GET" not in rule.methods or rule.endpoint in NOT_PAGES or rule.rule.startswith("/api/"):
            continue
        if rule.rule.endswith((".xlsx", ".pdf")) or "/documents/" in rule.rule:
            continue
        names = tuple(re.findall(r"<(?:[a-z]+:)?([a-z_]+)>", rule.rule))
        if names == ("entity",):
            urls += [_fill(rule.rule, names, (name,)) for name in importers.IMPORTERS]
            continue
        if not names:
            urls.append(rule.rule)
            continue
        filler = FILLERS.get(names)
        assert filler is not None, f"no demo object for the arguments {names} of {rule.rule}: add a filler"
        values = filler(session, role)
        if values and all(v is not None for v in values):
            urls.append(_fill(rule.rule, names, tuple(values)))
    return urls
