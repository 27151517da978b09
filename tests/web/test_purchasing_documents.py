"""The order page's documents: lines imported from a spreadsheet into a draft (all or nothing, errors by
row and column), rejected goods returned to the supplier, and the supplier's shipping notices."""
from __future__ import annotations

import io
from datetime import timedelta

from scm.models import ReceiptLine, utcnow
from scm.services import portal
from scm.services.purchasing import receiving
from scm.services.kernel.actors import Actor
from tests import factories as f
from tests.web import test_purchasing_pages as pages
from tests.web.test_purchasing_pages import TODAY, _order, _sent_order

world = pages.world  # the same fixture: a supplier with a catalog entry, an item, a warehouse
HEADER = "SKU,Quantity,Promised date,Unit price\n"


def _upload(client, po_id: int, text: str, name: str = "lines.csv"):  # type: ignore[no-untyped-def]
    return client.post(f"/purchasing/orders/{po_id}/lines/import",
                       data={"file": (io.BytesIO((HEADER + text).encode()), name)},
                       content_type="multipart/form-data")


def test_a_buyer_imports_draft_lines_priced_from_the_catalog(client, session, login_as, world):
    draft = f.purchase_order(session, world["supplier"], world["warehouse"], [(world["item"], 10)])
    session.commit()
    login_as("buyer")
    page = client.get(f"/purchasing/orders/{draft.id}").get_data(as_text=True)
    assert "Add lines from a spreadsheet" in page
    template = client.get(f"/purchasing/orders/{draft.id}/lines/template.xlsx")
    assert template.status_code == 200 and template.data[:2] == b"PK"

    response = _upload(client, draft.id, f"BOLT-1,100,{(TODAY + timedelta(days=20)).isoformat()},\n")

    assert response.status_code == 302
    lines = _order(session, draft.id).lines
    assert [(line.qty_ordered, line.unit_price) for line in lines] == [(10, 2), (100, 1.5)]


def test_one_bad_row_rejects_the_file_naming_row_and_column(client, session, login_as, world):
    draft = f.purchase_order(session, world["supplier"], world["warehouse"], [(world["item"], 10)])
    session.commit()
    login_as("buyer")

    response = _upload(client, draft.id, "BOLT-1,20,,\nNOPE-9,5,,\nBOLT-1,7,,\n")

    body = response.get_data(as_text=True)
    assert response.status_code == 422 and "Nothing was imported" in body
    assert "no item with this SKU" in body and "NOPE-9" in body
    assert "7 is below the minimum order quantity of 10" in body  # row 4, column B
    assert len(_order(session, draft.id).lines) == 1


def test_a_sent_order_takes_no_imported_lines(client, session, login_as, world):
    order = _sent_order(session, world)
    login_as("buyer")
    assert "Add lines from a spreadsheet" not in client.get(f"/purchasing/orders/{order.id}").get_data(as_text=True)
    response = _upload(client, order.id, "BOLT-1,20,,\n")
    assert response.status_code == 302 and len(_order(session, order.id).lines) == 1
    assert "only a draft takes new lines" in client.get(f"/purchasing/orders/{order.id}").get_data(as_text=True)


def _rejected_receipt_line(session, world) -> ReceiptLine:  # type: ignore[no-untyped-def]
    order = _sent_order(session, world)
    receipt = receiving.receive(session, order.id, lines=[(order.lines[0].id, "10", "7", "3", "dented")],
                                actor=Actor.system("dock", via="cli"), now=utcnow())
    session.commit()
    return receipt.lines[0]


def test_warehouse_returns_rejected_goods_from_the_order_page(client, session, login_as, world):
    row = _rejected_receipt_line(session, world)
    login_as("warehouse")
    receipt = session.get(ReceiptLine, row.id)
    po_id = receiving.order_of_receipt_line(session, row.id)
    assert "Return to supplier" in client.get(f"/purchasing/orders/{po_id}").get_data(as_text=True)

    client.post(f"/receiving/receipt-lines/{row.id}/return", data={"qty": "2", "note": "RMA-7"})
    too_many = client.post(f"/receiving/receipt-lines/{row.id}/return", data={"qty": "2"}, follow_redirects=True)

    session.expire_all()
    assert session.get(ReceiptLine, receipt.id).qty_returned == 2
    assert "at most 1 rejected remains to return" in too_many.get_data(as_text=True)
    assert "RMA-7" in client.get(f"/purchasing/orders/{po_id}").get_data(as_text=True)  # in the history


def test_buyer_sees_the_suppliers_shipping_notices(client, session, login_as, world):
    order = _sent_order(session, world)
    supplier_user = f.user(session, "supplier", supplier_id=world["supplier"].id)
    actor = Actor.for_user(supplier_user, "web")
    portal.confirm(session, world["supplier"].id, order.id, actor=actor, now=utcnow())
    portal.create_notice(session, world["supplier"].id, order.id, actor=actor, now=utcnow(),
                         data={"carrier": "DHL", "tracking_number": "JD014600", "ship_date": TODAY,
                               "expected_arrival": TODAY + timedelta(days=3)},
                         lines={order.lines[0].id: "12"})
    session.commit()
    login_as("buyer")
    body = client.get(f"/purchasing/orders/{order.id}").get_data(as_text=True)
    assert "JD014600" in body and "DHL" in body and "BOLT-1</code> × 12" in body
    assert (TODAY + timedelta(days=3)).isoformat() in body
