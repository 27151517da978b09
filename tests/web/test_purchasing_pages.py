"""Purchase order and receiving pages: drafting by form, the transition buttons, the supplier e-mail,
the printable view, the list filters, and the warehouse receiving form with inspection."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import select

from scm.models import PurchaseOrder, StockBalance, utcnow
from scm.services.kernel import mail as mailer
from scm.services.purchasing import orders as purchasing
from scm.services.stock import ledger as stock_ledger
from scm.services.suppliers import profiles as suppliers
from scm.services.kernel.actors import Actor
from tests import factories as f

TODAY = utcnow().date()


@pytest.fixture
def world(session):  # type: ignore[no-untyped-def]
    supplier = f.supplier(session, "ACME", name="Acme Parts")
    suppliers.add_contact(session, supplier.id, {"name": "Sales", "email": "sales@acme.example"}, actor=f.actor())
    item = f.item(session, "BOLT-1", name="Hex bolt")
    f.catalog(session, supplier, item, moq="10", multiple="5",
              breaks=[{"min_qty": "0", "unit_price": "2.00"}, {"min_qty": "100", "unit_price": "1.50"}])
    warehouse = f.warehouse(session, "WH-A", name="Main")
    session.commit()
    return {"supplier": supplier, "item": item, "warehouse": warehouse}


def _draft_data(world, qty: str = "20", **extra):  # type: ignore[no-untyped-def]
    return {"supplier_id": world["supplier"].id, "warehouse_id": world["warehouse"].id, "currency": "",
            "lines-0-sku": "BOLT-1", "lines-0-quantity": qty,
            "lines-0-promised_date": (TODAY + timedelta(days=30)).isoformat(), **extra}


def _order(session, number_or_id) -> PurchaseOrder:  # type: ignore[no-untyped-def]
    session.expire_all()
    return session.get(PurchaseOrder, number_or_id)


def _sent_order(session, world, qty: int = 20, *, as_of: date | None = None,  # type: ignore[no-untyped-def]
                promised: date | None = None):
    """A sent order through the service (approved by a system actor), committed."""
    as_of = as_of or TODAY
    now = datetime(as_of.year, as_of.month, as_of.day, 9, tzinfo=timezone.utc)
    order, _ = purchasing.create_draft(session, supplier_id=world["supplier"].id, warehouse_id=world["warehouse"].id,
                                       lines=[(world["item"].id, Decimal(qty), promised)], actor=f.actor(), as_of=as_of)
    purchasing.submit(session, order.id, actor=f.actor(), now=now)
    purchasing.approve(session, order.id, actor=Actor.system("approver", via="cli"), now=now)
    purchasing.send(session, order.id, actor=f.actor(), now=now)
    session.commit()
    return order


def test_buyer_creates_a_draft_priced_from_the_catalog(client, session, login_as, world):
    login_as("buyer")
    response = client.post("/purchasing/orders/new", data=_draft_data(world, "100"))
    assert response.status_code == 302
    order = session.scalar(select(PurchaseOrder))
    assert response.headers["Location"].endswith(f"/purchasing/orders/{order.id}")
    assert order.status == "draft" and order.currency == "USD"
    assert order.lines[0].unit_price == Decimal("1.50") and order.lines[0].qty_ordered == 100
    page = client.get(f"/purchasing/orders/{order.id}").get_data(as_text=True)
    assert order.number in page and "BOLT-1" in page and "Submit" in page


def test_an_explicit_price_wins(client, session, login_as, world):
    login_as("buyer")
    client.post("/purchasing/orders/new", data=_draft_data(world, "20", **{"lines-0-unit_price": "1.25"}))
    assert session.scalar(select(PurchaseOrder)).lines[0].unit_price == Decimal("1.25")


@pytest.mark.parametrize("qty, message", [("3", "below the minimum order quantity of 10"),
                                          ("12", "is not a multiple of 5")])
def test_moq_and_multiple_errors_are_form_errors(client, session, login_as, world, qty, message):
    login_as("buyer")
    response = client.post("/purchasing/orders/new", data=_draft_data(world, qty))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert session.scalar(select(PurchaseOrder)) is None


def test_a_line_error_names_the_form_row(client, login_as, world):
    login_as("buyer")
    data = _draft_data(world, **{"lines-0-sku": "", "lines-0-quantity": "", "lines-2-sku": "BOLT-1",
                                 "lines-2-quantity": "7"})
    response = client.post("/purchasing/orders/new", data=data)
    assert response.status_code == 422
    assert "line 3: BOLT-1: 7 is below the minimum order quantity" in response.get_data(as_text=True)


def test_unknown_sku_and_blocked_supplier_are_422(client, session, login_as, world):
    login_as("buyer")
    response = client.post("/purchasing/orders/new", data=_draft_data(world, **{"lines-0-sku": "NOPE"}))
    assert response.status_code == 422 and "no item with SKU" in response.get_data(as_text=True)
    world["supplier"].status, world["supplier"].status_reason = "blocked", "quality failures"
    session.commit()
    response = client.post("/purchasing/orders/new", data=_draft_data(world))
    assert response.status_code == 422 and "cannot take this order" in response.get_data(as_text=True)


def test_probation_warning_is_flashed(client, session, login_as, world):
    world["supplier"].status, world["supplier"].status_reason = "probation", "late deliveries"
    session.commit()
    login_as("buyer")
    response = client.post("/purchasing/orders/new", data=_draft_data(world), follow_redirects=True)
    assert response.status_code == 200
    assert "late deliveries" in response.get_data(as_text=True)


def test_submit_approve_send_by_buttons_and_the_supplier_email(app, client, session, login_as, world):
    login_as("buyer")  # approval limit 0: the order needs an approver
    client.post("/purchasing/orders/new", data=_draft_data(world))
    order = session.scalar(select(PurchaseOrder))
    client.post(f"/purchasing/orders/{order.id}/submit")
    assert _order(session, order.id).status == "pending_approval"
    login_as("admin")
    client.post(f"/purchasing/orders/{order.id}/approve")
    assert _order(session, order.id).status == "approved"
    response = client.post(f"/purchasing/orders/{order.id}/send", follow_redirects=True)
    assert _order(session, order.id).status == "sent"
    assert "E-mailed to sales@acme.example" in response.get_data(as_text=True)
    [message] = app.config["SCM_MAIL_OUTBOX"]
    assert message["To"] == "sales@acme.example" and message["Subject"] == f"Purchase order {order.number}"
    body = message.get_content()
    promised = (TODAY + timedelta(days=30)).isoformat()
    assert "BOLT-1 Hex bolt: 20 ea at 2.00 USD" in body and f"promised {promised}" in body
    assert "WH-A Main" in body and "Total: 40.00 USD" in body
    history = client.get(f"/purchasing/orders/{order.id}").get_data(as_text=True)
    assert "pending approval" in history and "sent" in history


def test_a_failed_email_is_flashed_and_the_order_stays_sent(app, client, session, login_as, world):
    app.config.update(SCM_MAIL_BACKEND="smtp", SCM_SMTP_HOST="127.0.0.1", SCM_SMTP_PORT=9)
    order = f.purchase_order(session, world["supplier"], world["warehouse"], [(world["item"], 20)], status="approved")
    session.commit()
    login_as("buyer")
    response = client.post(f"/purchasing/orders/{order.id}/send", follow_redirects=True)
    assert response.status_code == 200
    assert "the e-mail failed" in response.get_data(as_text=True)
    assert _order(session, order.id).status == "sent"


def test_an_illegal_transition_is_refused_with_a_flash(client, session, login_as, world):
    order = f.purchase_order(session, world["supplier"], world["warehouse"], [(world["item"], 20)])
    session.commit()
    login_as("buyer")
    response = client.post(f"/purchasing/orders/{order.id}/send", follow_redirects=True)
    assert "it cannot become sent" in response.get_data(as_text=True)
    assert _order(session, order.id).status == "draft"
    response = client.post(f"/purchasing/orders/{order.id}/cancel", data={"reason": ""}, follow_redirects=True)
    assert "say why the order is cancelled" in response.get_data(as_text=True)
    client.post(f"/purchasing/orders/{order.id}/cancel", data={"reason": "not needed"})
    assert _order(session, order.id).status == "cancelled"
    assert _order(session, order.id).cancel_reason == "not needed"


def test_the_print_page(client, session, login_as, world):
    order = f.purchase_order(session, world["supplier"], world["warehouse"], [(world["item"], 20)])
    session.commit()
    login_as("viewer")
    response = client.get(f"/purchasing/orders/{order.id}/print")
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and "print-page" in text
    assert order.number in text and "Acme Parts" in text and "BOLT-1" in text and "<script" not in text


def test_the_list_filters(client, session, login_as, world):
    draft = f.purchase_order(session, world["supplier"], world["warehouse"], [(world["item"], 20)])
    late = _sent_order(session, world, as_of=date(2026, 3, 2), promised=date(2026, 3, 20))
    on_time = _sent_order(session, world, promised=TODAY + timedelta(days=60))
    other = f.warehouse(session, "WH-B")
    session.commit()
    login_as("viewer")

    def numbers(query: str) -> set[str]:
        text = client.get(f"/purchasing/orders{query}").get_data(as_text=True)
        return {o.number for o in (draft, late, on_time) if o.number in text}

    assert numbers("") == {draft.number, late.number, on_time.number}
    assert numbers("?status=draft") == {draft.number}
    assert numbers("?late=1") == {late.number}
    assert numbers(f"?supplier={world['supplier'].id}&status=sent") == {late.number, on_time.number}
    assert numbers(f"?warehouse={other.id}") == set()
    assert "late</span>" in client.get("/purchasing/orders?late=1").get_data(as_text=True)


def test_receiving_partially_with_a_reject_split(client, session, login_as, world):
    order = _sent_order(session, world)
    line = order.lines[0]
    login_as("warehouse")
    listing = client.get("/receiving").get_data(as_text=True)
    assert order.number in listing
    response = client.post(f"/receiving/orders/{order.id}", data={
        f"received-{line.id}": "10", f"rejected-{line.id}": "2", f"reason-{line.id}": "dented"})
    assert response.status_code == 302
    session.expire_all()
    line = _order(session, order.id).lines[0]
    assert (line.qty_received, line.qty_accepted, line.qty_rejected) == (10, 8, 2)
    assert _order(session, order.id).status == "partially_received"
    balance = session.scalar(select(StockBalance).where(StockBalance.item_id == world["item"].id))
    assert balance.on_hand == 8
    detail = client.get(f"/purchasing/orders/{order.id}").get_data(as_text=True)
    assert "dented" in detail and "partially received" in detail
    assert stock_ledger.ledger_check(session) == []


@pytest.mark.parametrize("fields, message", [
    ({"received": "30"}, "would exceed the 20 ordered plus 5 % tolerance"),
    ({"received": "5", "accepted": "5", "rejected": "1", "reason": "x"}, "must equal received"),
    ({"received": "5", "rejected": "1"}, "give a reason for the rejected quantity"),
    ({"received": "abc"}, "is not a number"),
])
def test_receiving_errors_are_422_and_post_nothing(client, session, login_as, world, fields, message):
    order = _sent_order(session, world)
    line_id = order.lines[0].id
    login_as("warehouse")
    response = client.post(f"/receiving/orders/{order.id}", data={f"{k}-{line_id}": v for k, v in fields.items()})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _order(session, order.id).lines[0].qty_received == 0
    assert stock_ledger.ledger_check(session) == []


def test_receiving_nothing_is_422_and_a_full_receipt_completes_the_order(client, session, login_as, world):
    order = _sent_order(session, world)
    line_id = order.lines[0].id
    login_as("admin")
    response = client.post(f"/receiving/orders/{order.id}", data={})
    assert response.status_code == 422 and "nothing was received" in response.get_data(as_text=True)
    client.post(f"/receiving/orders/{order.id}", data={f"received-{line_id}": "20"})
    assert _order(session, order.id).status == "received"
    assert f"/receiving/orders/{order.id}" not in client.get("/receiving").get_data(as_text=True)


def test_the_mail_text_is_a_pure_function():
    lines = [mailer.MailLine("A-1", "Widget", Decimal("12.500"), "kg", Decimal("3.2500"), date(2026, 5, 1)),
             mailer.MailLine("B-2", "Gadget", Decimal("1"), "ea", Decimal("10"), None)]
    subject, body = mailer.po_sent_message(number="PO-000007", supplier_name="Acme", currency="EUR",
                                           ship_to="WH-A Main", lines=lines, total=Decimal("50.6250"))
    assert subject == "Purchase order PO-000007"
    assert "Dear Acme," in body and "PO-000007" in body
    assert "1. A-1 Widget: 12.5 kg at 3.25 EUR, promised 2026-05-01" in body
    assert "2. B-2 Gadget: 1 ea at 10.00 EUR, promised as soon as possible" in body
    assert "Total: 50.63 EUR" in body


def test_send_mail_outbox_and_no_recipient():
    config: dict = {"SCM_MAIL_BACKEND": "outbox", "SCM_MAIL_FROM": "buyer@us.example"}
    mailer.send_mail(config, ["a@x.example", ""], "Hi", "Body")
    [message] = config["SCM_MAIL_OUTBOX"]
    assert message["From"] == "buyer@us.example" and message["To"] == "a@x.example"
    with pytest.raises(mailer.MailError):
        mailer.send_mail(config, [""], "Hi", "Body")


def test_the_list_runs_the_same_queries_for_one_order_or_many(app, client, session, login_as, world):
    from sqlalchemy import event

    from scm.extensions import db
    login_as("viewer")
    statements: list[str] = []

    def count(*args):  # type: ignore[no-untyped-def]
        statements.append(args[2])

    def queries() -> int:
        statements.clear()
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert client.get("/purchasing/orders").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return len(statements)

    _sent_order(session, world)
    one = queries()
    for _ in range(5):
        _sent_order(session, world)
    assert queries() == one


@pytest.mark.parametrize("role, receiving", [("warehouse", True), ("viewer", False), ("buyer", False)])
def test_nav_entries(client, login_as, role, receiving):
    login_as(role)
    text = client.get("/purchasing/orders").get_data(as_text=True)
    assert 'href="/purchasing/orders"' in text
    assert ('href="/receiving"' in text) is receiving
