"""Outgoing e-mail: SMTP configured by settings, or an in-memory outbox (tests, development).

`send_mail` takes the app's config mapping (no Flask import here). With SCM_MAIL_BACKEND "outbox"
(the default when TESTING) messages are appended to `app_config["SCM_MAIL_OUTBOX"]` instead of sent.
Composition is pure (`po_sent_message`): plain data in, (subject, body) out.
"""
from __future__ import annotations

import smtplib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from email.message import EmailMessage
from typing import Any, MutableMapping, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from scm.models import Item, Supplier, SupplierContact, Warehouse
from scm.services import order_figures, purchasing


class MailError(RuntimeError):
    """The message could not be handed to the mail server."""


@dataclass(frozen=True)
class MailLine:
    sku: str
    name: str
    qty: Decimal
    uom: str
    unit_price: Decimal
    promised: date | None


def _backend(app_config: MutableMapping[str, Any]) -> str:
    default = "outbox" if app_config.get("TESTING") else "smtp"
    return (app_config.get("SCM_MAIL_BACKEND") or default).lower()


def send_mail(app_config: MutableMapping[str, Any], to: Sequence[str], subject: str, body: str) -> None:
    """Send one plain-text message to `to`. Raises MailError when there is no recipient or SMTP fails."""
    recipients = [address for address in to if address]
    if not recipients:
        raise MailError("no recipient address")
    message = EmailMessage()
    message["From"] = app_config.get("SCM_MAIL_FROM") or "scm@localhost"
    message["To"] = ", ".join(recipients)
    message["Subject"] = subject
    message.set_content(body)
    if _backend(app_config) == "outbox":
        app_config.setdefault("SCM_MAIL_OUTBOX", []).append(message)
        return
    try:
        with smtplib.SMTP(app_config.get("SCM_SMTP_HOST") or "localhost", int(app_config.get("SCM_SMTP_PORT") or 25),
                          timeout=15) as smtp:
            if app_config.get("SCM_SMTP_USER"):
                smtp.starttls()
                smtp.login(app_config["SCM_SMTP_USER"], app_config.get("SCM_SMTP_PASSWORD") or "")
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        raise MailError(f"the mail server refused the message: {error}") from error


def _fmt(value: Decimal) -> str:
    return f"{value.normalize():f}"


def po_sent_message(*, number: str, supplier_name: str, currency: str, ship_to: str,
                    lines: Sequence[MailLine], total: Decimal) -> tuple[str, str]:
    """Subject and body of the mail that sends a purchase order to the supplier (pure)."""
    subject = f"Purchase order {number}"
    rows = [f"  {i}. {line.sku} {line.name}: {_fmt(line.qty)} {line.uom} at {_fmt(line.unit_price)} {currency}, "
            f"promised {line.promised.isoformat() if line.promised else 'as soon as possible'}"
            for i, line in enumerate(lines, start=1)]
    body = "\n".join([
        f"Dear {supplier_name},", "",
        f"please supply purchase order {number}, delivered to {ship_to}:", "",
        *rows, "",
        f"Total: {_fmt(total)} {currency}", "",
        "Please confirm the order and the dates in the supplier portal.", "",
        "Thank you.",
    ])
    return subject, body


def po_sent_mail(session: Session, po_id: int) -> tuple[list[str], str, str]:
    """(recipients, subject, body) for a sent order: every contact of its supplier with an e-mail."""
    order = purchasing.get_order(session, po_id)
    supplier = session.get(Supplier, order.supplier_id)
    warehouse = session.get(Warehouse, order.warehouse_id)
    items = {i.id: i for i in session.scalars(select(Item).where(Item.id.in_([ln.item_id for ln in order.lines])))}
    lines = [MailLine(items[ln.item_id].sku, items[ln.item_id].name, ln.qty_ordered, items[ln.item_id].uom,
                      ln.unit_price, ln.confirmed_date or ln.promised_date) for ln in order.lines]
    to = list(session.scalars(select(SupplierContact.email).where(SupplierContact.supplier_id == supplier.id,
                                                                 SupplierContact.email != "")
                              .order_by(SupplierContact.id)))
    subject, body = po_sent_message(number=order.number, supplier_name=supplier.name, currency=order.currency,
                                    ship_to=f"{warehouse.code} {warehouse.name}", lines=lines,
                                    total=order_figures.figures_of(order).total)
    return to, subject, body
