"""What is expected into each warehouse: open PO lines at their planned date, capped by confirmations."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from scm.services import inbound, purchasing, receiving
from scm.services.actors import Actor
from tests import factories as f

D = Decimal
NOW = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)


def test_open_lines_arrive_on_their_planned_date_and_received_quantity_is_gone(session):  # type: ignore[no-untyped-def]
    supplier, warehouse = f.supplier(session, "ACME"), f.warehouse(session, "MAIN")
    bolt, nut = f.item(session, "BOLT-1"), f.item(session, "NUT-1")
    f.catalog(session, supplier, bolt, lead=7)
    f.catalog(session, supplier, nut, lead=10)
    draft = f.purchase_order(session, supplier, warehouse, [(bolt, 5)])  # drafts are not expected
    order = f.purchase_order(session, supplier, warehouse, [(bolt, 100), (nut, 40)], status="sent")
    bolt_line, nut_line = order.lines
    receiving.receive(session, order.id, lines=[(bolt_line.id, "30", "30", "0", "")],
                      actor=Actor.for_user(f.user(session, "warehouse"), via="web"), now=NOW)

    rows = inbound.expected_receipts(session)

    assert [(r.item_id, r.qty_open, r.expected_date) for r in rows] == [
        (bolt.id, D(70), order.ordered_on + timedelta(days=7)),
        (nut.id, D(40), order.ordered_on + timedelta(days=10))]
    assert all(r.po_id != draft.id for r in rows)
    assert rows[0].delayed_days == 0


def test_partial_confirmation_caps_what_is_expected_and_its_date_wins(session):  # type: ignore[no-untyped-def]
    supplier, warehouse, bolt = f.supplier(session, "ACME"), f.warehouse(session, "MAIN"), f.item(session, "BOLT-1")
    f.catalog(session, supplier, bolt, lead=7)
    user = f.user(session, "supplier", supplier_id=supplier.id)
    order = f.purchase_order(session, supplier, warehouse, [(bolt, 100)], status="sent")
    purchasing.confirm(session, order.id, actor=Actor.for_user(user, via="web"), now=NOW,
                       lines={order.lines[0].id: ("60", date(2026, 4, 1))})

    (row,) = inbound.expected_receipts(session, item_ids=[bolt.id], warehouse_ids=[warehouse.id])

    assert (row.qty_open, row.expected_date) == (D(60), date(2026, 4, 1))
    assert inbound.expected_receipts(session, warehouse_ids=[warehouse.id + 99]) == []
