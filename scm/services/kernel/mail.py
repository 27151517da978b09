"""Outgoing e-mail transport, and the pure text of the purchase-order mail.

`send_mail` takes the app's config mapping (no Flask import here) and hands one message to a backend:
- "smtp": the server at SCM_SMTP_HOST:SCM_SMTP_PORT (STARTTLS and login when SCM_SMTP_USER is set);
- "file": a local outbox, one `.eml` file per message under SCM_MAIL_DIR (default `instance/outbox/`)
  and one log line; the default when no SCM_SMTP_HOST is configured, so a demo never shows an SMTP error;
- "outbox": appended to `app_config["SCM_MAIL_OUTBOX"]` in memory (the default when TESTING).
SCM_MAIL_BACKEND chooses one explicitly. Messages to suppliers are not sent from here directly but
through `scm.services.kernel.outbox`, which records them with the business change and retries failures.
Composition is pure (`po_sent_message`): plain data in, (subject, body) out.
"""
from __future__ import annotations

import logging
import smtplib
import time
import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any, MutableMapping, Sequence

from scm import formatting

log = logging.getLogger("scm.mail")
DEFAULT_MAIL_DIR = Path(__file__).resolve().parent.parent.parent / "instance" / "outbox"


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


def backend(app_config: MutableMapping[str, Any]) -> str:
    """The backend in use: SCM_MAIL_BACKEND, else "outbox" when TESTING, "smtp" with SCM_SMTP_HOST, else "file"."""
    if app_config.get("SCM_MAIL_BACKEND"):
        return str(app_config["SCM_MAIL_BACKEND"]).lower()
    if app_config.get("TESTING"):
        return "outbox"
    return "smtp" if app_config.get("SCM_SMTP_HOST") else "file"


def send_mail(app_config: MutableMapping[str, Any], to: Sequence[str], subject: str, body: str) -> None:
    """Send one plain-text message to `to`. Raises MailError when there is no recipient or delivery fails."""
    recipients = [address for address in to if address]
    if not recipients:
        raise MailError("no recipient address")
    message = EmailMessage()
    message["From"] = app_config.get("SCM_MAIL_FROM") or "scm@localhost"
    message["To"] = ", ".join(recipients)
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="scm.local")
    message.set_content(body)
    kind = backend(app_config)
    if kind == "outbox":
        app_config.setdefault("SCM_MAIL_OUTBOX", []).append(message)
    elif kind == "file":
        _write_file(app_config, message)
    else:
        _smtp(app_config, message)


def _write_file(app_config: MutableMapping[str, Any], message: EmailMessage) -> None:
    folder = Path(app_config.get("SCM_MAIL_DIR") or DEFAULT_MAIL_DIR)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        # The transport's own clock (like the Date header), only for sortable file names.
        path = folder / f"{time.strftime('%Y%m%dT%H%M%S', time.gmtime())}-{uuid.uuid4().hex[:8]}.eml"
        path.write_bytes(bytes(message))
    except OSError as error:
        raise MailError(f"the local outbox {folder} is not writable: {error}") from error
    log.info("mail to %s, %r: written to %s (no SCM_SMTP_HOST configured)", message["To"], message["Subject"], path)


def _smtp(app_config: MutableMapping[str, Any], message: EmailMessage) -> None:
    try:
        with smtplib.SMTP(app_config.get("SCM_SMTP_HOST") or "localhost", int(app_config.get("SCM_SMTP_PORT") or 25),
                          timeout=15) as smtp:
            if app_config.get("SCM_SMTP_USER"):
                smtp.starttls()
                smtp.login(app_config["SCM_SMTP_USER"], app_config.get("SCM_SMTP_PASSWORD") or "")
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        raise MailError(f"the mail server refused the message: {error}") from error


def po_sent_message(*, number: str, supplier_name: str, currency: str, ship_to: str,
                    lines: Sequence[MailLine], total: Decimal) -> tuple[str, str]:
    """Subject and body of the mail that sends a purchase order to the supplier (pure)."""
    subject = f"Purchase order {number}"
    rows = [f"  {i}. {line.sku} {line.name}: {formatting.quantity(line.qty, unit=line.uom, sep=' ')} at "
            f"{formatting.unit_price(line.unit_price, currency, sep=' ')}, "
            f"promised {line.promised.isoformat() if line.promised else 'as soon as possible'}"
            for i, line in enumerate(lines, start=1)]
    body = "\n".join([
        f"Dear {supplier_name},", "",
        f"please supply purchase order {number}, delivered to {ship_to}:", "",
        *rows, "",
        f"Total: {formatting.money(total, currency, sep=' ')}", "",
        "Please confirm the order and the dates in the supplier portal.", "",
        "Thank you.",
    ])
    return subject, body
