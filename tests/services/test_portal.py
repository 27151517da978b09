"""The portal service: every read and write is scoped to the supplier the caller passes (the session's)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from scm.models import ShippingNotice, Warehouse
from scm.services import portal
from scm.services.purchasing import orders as purchasing
from scm.services.kernel.actors import Actor
from scm.services.kernel.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from tests import factories as f
from tests.portal_factories import NOW, SHIP, two_suppliers

HEADER = {"carrier": "DHL", "tracking_number": "JD0001", "ship_date": SHIP, "expected_arrival": date(2026, 3, 9)}


@pytest.fixture
def pair(session):  # type: ignore[no-untyped-def]
    return two_suppliers(session)


def test_list_shows_only_own_orders_from_sent_onwards(session, pair):
    a, b = pair
    assert [o.id for o in portal.list_orders(session, a.supplier.id)] == [a.sent.id]
    assert [o.id for o in portal.list_orders(session, b.supplier.id)] == [b.sent.id]
    assert [o.id for o in portal.list_orders(session, a.supplier.id, "open")] == [a.sent.id]
    assert portal.list_orders(session, a.supplier.id, "draft") == []


def test_another_suppliers_or_a_draft_order_is_not_found(session, pair):
    a, b = pair
    assert portal.get_order(session, a.supplier.id, a.sent.id).id == a.sent.id
    for po_id in (b.sent.id, a.draft.id, a.approved.id, 999999):
        with pytest.raises(NotFound):
            portal.get_order(session, a.supplier.id, po_id)


def test_confirm_in_full(session, pair):
    a, _b = pair
    order = portal.confirm(session, a.supplier.id, a.sent.id, actor=a.actor, now=NOW)
    assert order.status == "confirmed"
    assert [line.confirmed_qty for line in order.lines] == [Decimal("10.000"), Decimal("4.000")]


def test_partial_confirm_and_proposed_dates(session, pair):
    a, b = pair
    first = a.sent.lines[0]
    order = portal.confirm(session, a.supplier.id, a.sent.id, actor=a.actor, now=NOW,
                           lines={first.id: (Decimal("6"), date(2026, 3, 20))})
    assert order.status == "partially_confirmed"
    assert (first.confirmed_qty, first.confirmed_date) == (Decimal("6.000"), date(2026, 3, 20))
    line = b.sent.lines[1]
    order = portal.propose_dates(session, b.supplier.id, b.sent.id, actor=b.actor, now=NOW,
                                 dates={line.id: date(2026, 4, 1)})
    assert order.status == "confirmed" and line.confirmed_date == date(2026, 4, 1)


def test_cross_supplier_writes_are_refused_and_change_nothing(session, pair):
    a, b = pair
    calls = [
        lambda: portal.confirm(session, a.supplier.id, b.sent.id, actor=a.actor, now=NOW),
        lambda: portal.reject(session, a.supplier.id, b.sent.id, actor=a.actor, now=NOW, reason="no"),
        lambda: portal.create_notice(session, a.supplier.id, b.sent.id, actor=a.actor, now=NOW, data=HEADER,
                                     lines={b.sent.lines[0].id: "1"}),
        lambda: portal.confirm(session, a.supplier.id, a.draft.id, actor=a.actor, now=NOW),
        lambda: portal.list_notices(session, a.supplier.id, b.sent.id),
    ]
    for call in calls:
        with pytest.raises(NotFound):
            call()
    # the session's supplier and the actor's company must agree
    with pytest.raises(PermissionDenied):
        portal.confirm(session, b.supplier.id, b.sent.id, actor=a.actor, now=NOW)
    with pytest.raises(PermissionDenied):
        portal.confirm(session, b.supplier.id, b.sent.id, actor=f.actor(), now=NOW)
    session.expire_all()
    assert b.sent.status == "sent" and all(line.confirmed_qty is None for line in b.sent.lines)
    assert a.draft.status == "draft"


def test_reject_needs_a_reason(session, pair):
    a, _b = pair
    with pytest.raises(ValidationFailed):
        portal.reject(session, a.supplier.id, a.sent.id, actor=a.actor, now=NOW, reason="  ")
    order = portal.reject(session, a.supplier.id, a.sent.id, actor=a.actor, now=NOW, reason="no capacity")
    assert order.status == "rejected" and order.reject_reason == "no capacity"


def test_a_notice_needs_a_confirmed_order_and_marks_it_in_transit(session, pair):
    a, _b = pair
    line = a.sent.lines[0]
    with pytest.raises(InvalidTransition):
        portal.create_notice(session, a.supplier.id, a.sent.id, actor=a.actor, now=NOW, data=HEADER,
                             lines={line.id: "1"})
    portal.confirm(session, a.supplier.id, a.sent.id, actor=a.actor, now=NOW)
    notice = portal.create_notice(session, a.supplier.id, a.sent.id, actor=a.actor, now=NOW, data=HEADER,
                                  lines={line.id: "4"})
    assert notice.supplier_id == a.supplier.id and [(n.po_line_id, n.qty) for n in notice.lines] == [(line.id, Decimal("4.000"))]
    assert a.sent.status == "in_transit"
    # a second notice on an order already in transit is fine, and the status stays
    portal.create_notice(session, a.supplier.id, a.sent.id, actor=a.actor, now=NOW, data=HEADER, lines={line.id: "6"})
    assert a.sent.status == "in_transit"
    assert portal.noticed_qty(session, a.sent.id) == {line.id: Decimal("10.000")}


def test_notice_quantities_are_capped_by_confirmed_minus_noticed(session, pair):
    a, _b = pair
    first, second = a.sent.lines
    portal.confirm(session, a.supplier.id, a.sent.id, actor=a.actor, now=NOW, lines={first.id: ("6", None)})
    with pytest.raises(ValidationFailed) as failed:
        portal.create_notice(session, a.supplier.id, a.sent.id, actor=a.actor, now=NOW, data=HEADER,
                             lines={first.id: "7"})
    assert "at most 6" in failed.value.field_errors[f"lines[{first.id}]"][0]
    portal.create_notice(session, a.supplier.id, a.sent.id, actor=a.actor, now=NOW, data=HEADER, lines={first.id: "5"})
    bad = [{first.id: "2"}, {second.id: "-1"}, {second.id: "abc"}, {second.id: "0"}, {999999: "1"}, {}]
    for lines in bad:
        with pytest.raises(ValidationFailed):
            portal.create_notice(session, a.supplier.id, a.sent.id, actor=a.actor, now=NOW, data=HEADER, lines=lines)
    assert session.scalar(select(func.count()).select_from(ShippingNotice)) == 1


def test_notice_header_is_validated(session, pair):
    a, _b = pair
    portal.confirm(session, a.supplier.id, a.sent.id, actor=a.actor, now=NOW)
    line = a.sent.lines[0]
    with pytest.raises(ValidationFailed) as failed:
        portal.create_notice(session, a.supplier.id, a.sent.id, actor=a.actor, now=NOW, lines={line.id: "1"},
                             data={**HEADER, "carrier": "", "expected_arrival": date(2026, 3, 1)})
    assert set(failed.value.field_errors) == {"carrier", "expected_arrival"}


def test_forecast_only_for_own_catalog_items_summed_over_warehouses(session, pair):
    a, b = pair
    east, west = session.scalar(select(Warehouse).where(Warehouse.code == "WH-PORTAL")), f.warehouse(session, "WH-W")
    f.forecast(session, a.item, east, weeks=3, level=10.0)
    f.forecast(session, a.item, west, weeks=3, level=5.0)
    f.forecast(session, b.item, east, weeks=3, level=99.0)
    mine = portal.my_forecast(session, a.supplier.id)
    assert [x.sku for x in mine] == ["ALPHA-A"]
    assert [qty for _start, qty in mine[0].periods] == [15.0, 15.0, 15.0]
    assert [x.sku for x in portal.my_forecast(session, b.supplier.id)] == ["BETA-A"]
    assert portal.my_forecast(session, f.supplier(session).id) == []


def test_certificates_and_documents_are_the_suppliers_own(session, pair):
    a, b = pair
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    cert = portal.add_certificate(session, a.supplier.id, {"cert_type": "ISO 9001", "issued_on": date(2026, 1, 1),
                                                            "expires_on": date(2027, 1, 1)},
                                  actor=a.actor, file=pdf, filename="iso.pdf")
    assert cert.supplier_id == a.supplier.id
    assert portal.get_document(session, a.supplier.id, cert.document_id).supplier_id == a.supplier.id
    with pytest.raises(NotFound):
        portal.get_document(session, b.supplier.id, cert.document_id)
    with pytest.raises(PermissionDenied):
        portal.add_certificate(session, b.supplier.id, {}, actor=a.actor)
    assert portal.list_certificates(session, b.supplier.id) == []


def test_staff_actor_is_not_a_portal_actor(session, pair):
    a, _b = pair
    buyer = Actor.for_user(f.user(session, "buyer"), "web")
    with pytest.raises(PermissionDenied):
        portal.reject(session, a.supplier.id, a.sent.id, actor=buyer, now=NOW, reason="x")
    assert purchasing.get_order(session, a.sent.id).status == "sent"
