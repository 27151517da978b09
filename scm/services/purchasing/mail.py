"""The e-mail that sends a purchase order to its supplier: who gets it, and what it says.

One composition for the preview the buyer reads before sending and for the message recorded by
`purchasing.send` (so the preview is exactly what the supplier receives). Recipients are every
contact of the supplier with an e-mail address, in the order they were added. The figures come
from `order_figures` (the same total as the order page).
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from scm.models import Item, PurchaseOrder, Supplier, SupplierContact, Warehouse
from scm.services.kernel import mail as mailer
from scm.services.purchasing import figures as order_figures


@dataclass(frozen=True)
class Composed:
    recipients: tuple[str, ...]
    subject: str
    body: str


def compose(session: Session, order: PurchaseOrder) -> Composed:
    """The supplier's recipients, subject and body for `order` (lines are promised dates, confirmed if any)."""
    supplier = session.get(Supplier, order.supplier_id)
    warehouse = session.get(Warehouse, order.warehouse_id)
    ids = sorted({line.item_id for line in order.lines})
    items = {i.id: i for i in session.scalars(select(Item).where(Item.id.in_(ids)))} if ids else {}
    lines = [mailer.MailLine(items[ln.item_id].sku, items[ln.item_id].name, ln.qty_ordered, items[ln.item_id].uom,
                             ln.unit_price, ln.confirmed_date or ln.promised_date) for ln in order.lines]
    to = tuple(session.scalars(select(SupplierContact.email).where(SupplierContact.supplier_id == supplier.id,
                                                                  SupplierContact.email != "")
                               .order_by(SupplierContact.id)))
    subject, body = mailer.po_sent_message(number=order.number, supplier_name=supplier.name, currency=order.currency,
                                           ship_to=f"{warehouse.code} {warehouse.name}", lines=lines,
                                           total=order_figures.figures_of(order).total)
    return Composed(to, subject, body)
