"""Purchase orders: drafting from the catalog, approval limits, every transition legal and illegal."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import select

from scm.models import AuditEntry, DeliveryFact, PoFact, PurchaseOrder
from scm.services.purchasing import orders as purchasing, receiving
from scm.services.kernel.actors import Actor
from scm.services.purchasing.figures import figures_of
from scm.services.kernel.errors import Conflict, InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from tests import factories as f
from tests.supplier_factories import certify, require

D = Decimal
AS_OF = date(2026, 3, 2)
NOW = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)


@pytest.fixture
def world(session):  # type: ignore[no-untyped-def]
    supplier = f.supplier(session, "ACME", currency="USD")
    item, warehouse = f.item(session, "BOLT-1"), f.warehouse(session, "MAIN")
    f.catalog(session, supplier, item, moq="10", multiple="5", lead=10,
              breaks=[{"min_qty": "0", "unit_price": "2.00"}, {"min_qty": "100", "unit_price": "1.50"}])
    buyer = f.user(session, "buyer", approval_limit=D(500))
    return {"supplier": supplier, "item": item, "warehouse": warehouse, "buyer": buyer,
            "actor": Actor.for_user(buyer, via="web")}


def draft(session, world, qty="50", **kw):  # type: ignore[no-untyped-def]
    result = purchasing.create_draft(session, supplier_id=world["supplier"].id, warehouse_id=world["warehouse"].id,
                                     lines=[(world["item"].id, qty, None)], actor=world["actor"], as_of=AS_OF, **kw)
    return result.order


def staff(session, role: str, limit: str = "0") -> Actor:  # type: ignore[no-untyped-def]
    return Actor.for_user(f.user(session, role, approval_limit=D(limit)), via="web")


def statuses(session, order) -> list[tuple]:  # type: ignore[no-untyped-def]
    return [(e.from_status, e.to_status) for e in purchasing.history(session, order.id)]


# ---------------------------------------------------------------- drafting

def test_a_draft_takes_the_price_break_for_its_quantity_and_the_supplier_currency(session, world):
    small, large = draft(session, world, "50"), draft(session, world, "100")
    assert (small.lines[0].unit_price, large.lines[0].unit_price) == (D("2.0000"), D("1.5000"))
    assert (small.status, small.currency, figures_of(small).total, figures_of(large).total) == ("draft", "USD", D("100"), D("150"))
    assert small.lines[0].stated_lead_time_days == 10 and small.created_by == world["buyer"].id
    assert statuses(session, small) == [(None, "draft")]
    assert session.scalar(select(AuditEntry).where(AuditEntry.action == "purchase_order.create",
                                                   AuditEntry.entity_id == str(small.id))) is not None


def test_po_numbers_are_unique_and_sequential(session, world):
    numbers = [draft(session, world).number for _ in range(4)]
    assert numbers == ["PO-000001", "PO-000002", "PO-000003", "PO-000004"]


def test_an_explicit_price_and_promised_date_are_kept(session, world):
    order = purchasing.create_draft(session, supplier_id=world["supplier"].id, warehouse_id=world["warehouse"].id,
                                    lines=[(world["item"].id, D(20), AS_OF + timedelta(5), D("1.75"))],
                                    actor=world["actor"], as_of=AS_OF).order
    assert (order.lines[0].unit_price, order.lines[0].promised_date) == (D("1.75"), AS_OF + timedelta(5))
    precise = purchasing.create_draft(session, supplier_id=world["supplier"].id, warehouse_id=world["warehouse"].id,
                                      lines=[(world["item"].id, D(20), None, D("1.2345"))], actor=world["actor"],
                                      as_of=AS_OF).order
    assert precise.lines[0].unit_price == D("1.2345")
    with pytest.raises(ValidationFailed, match="at most 4 decimals"):
        purchasing.create_draft(session, supplier_id=world["supplier"].id, warehouse_id=world["warehouse"].id,
                                lines=[(world["item"].id, D(20), None, D("1.23456"))], actor=world["actor"],
                                as_of=AS_OF)


def test_below_moq_is_refused_naming_the_sku(session, world):
    with pytest.raises(ValidationFailed, match="BOLT-1: 5 is below the minimum order quantity of 10"):
        draft(session, world, "5")


def test_a_fraction_of_an_each_item_is_refused_when_drafting_not_at_receipt(session, world):
    with pytest.raises(ValidationFailed, match="BOLT-1 is counted in ea: whole numbers only"):
        draft(session, world, "10.5")


def test_off_multiple_is_refused_naming_the_sku_and_the_nearest_quantities(session, world):
    with pytest.raises(ValidationFailed, match=r"BOLT-1: 12 is not a multiple of 5 \(order 10 or 15\)"):
        draft(session, world, "12")


def test_an_item_outside_the_catalog_or_without_a_price_is_refused(session, world):
    other = f.item(session, "NUT-9")
    with pytest.raises(ValidationFailed, match="NUT-9 is not in ACME's active catalog"):
        purchasing.create_draft(session, supplier_id=world["supplier"].id, warehouse_id=world["warehouse"].id,
                                lines=[(other.id, D(10), None)], actor=world["actor"], as_of=AS_OF)
    with pytest.raises(ValidationFailed, match="no EUR price break"):
        draft(session, world, "50", currency="EUR")


def test_bad_input_is_refused(session, world):
    for qty in ("0", "-1", "1.0005", "abc"):
        with pytest.raises(ValidationFailed):
            draft(session, world, qty)
    with pytest.raises(ValidationFailed, match="at least one line"):
        purchasing.create_draft(session, supplier_id=world["supplier"].id, warehouse_id=world["warehouse"].id,
                                lines=[], actor=world["actor"], as_of=AS_OF)


def test_a_blocked_supplier_is_refused_with_the_reason(session, world):
    world["supplier"].status, world["supplier"].status_reason = "blocked", "quality escape"
    with pytest.raises(Conflict, match="ACME is blocked: quality escape") as caught:
        draft(session, world)
    assert caught.value.details["blockers"] == ["ACME is blocked: quality escape"]


def test_a_missing_required_certificate_blocks_the_order(session, world):
    require(session, world["item"], "ISO 9001")
    with pytest.raises(Conflict, match="ISO 9001"):
        draft(session, world)
    certify(session, world["supplier"], "ISO 9001", issued=AS_OF - timedelta(days=10),
            expires=AS_OF + timedelta(days=400))
    assert draft(session, world).status == "draft"


def test_probation_comes_back_as_a_warning(session, world):
    world["supplier"].status, world["supplier"].status_reason = "probation", "late twice"
    result = purchasing.create_draft(session, supplier_id=world["supplier"].id, warehouse_id=world["warehouse"].id,
                                     lines=[(world["item"].id, D(50), None)], actor=world["actor"], as_of=AS_OF)
    assert result.warnings == ["ACME is on probation: late twice"]


def test_only_buyers_and_admins_create_orders(session, world):
    world["actor"] = staff(session, "warehouse")
    with pytest.raises(PermissionDenied):
        draft(session, world)


# ---------------------------------------------------------------- approval limits

def test_submit_within_the_limit_approves_at_once(session, world):
    order = draft(session, world, "250")  # 375.00 ≤ 500
    purchasing.submit(session, order.id, actor=world["actor"], now=NOW)
    assert (order.status, order.approved_by, order.approved_at) == ("approved", world["buyer"].id, NOW)
    assert statuses(session, order)[-1] == ("draft", "approved")


def test_submit_above_the_limit_waits_for_someone_whose_limit_covers_it(session, world):
    order = draft(session, world, "400")  # 600.00 > 500
    purchasing.submit(session, order.id, actor=world["actor"], now=NOW)
    assert (order.status, order.submitted_at) == ("pending_approval", NOW)
    with pytest.raises(PermissionDenied, match="someone else"):
        purchasing.approve(session, order.id, actor=world["actor"], now=NOW)
    with pytest.raises(PermissionDenied, match="above your approval limit"):
        purchasing.approve(session, order.id, actor=staff(session, "buyer", "599.99"), now=NOW)
    with pytest.raises(PermissionDenied):
        purchasing.approve(session, order.id, actor=staff(session, "warehouse", "100000"), now=NOW)
    approver = staff(session, "buyer", "600")
    purchasing.approve(session, order.id, actor=approver, now=NOW + timedelta(hours=1))
    assert (order.status, order.approved_by, order.approved_at) == ("approved", approver.user_id,
                                                                     NOW + timedelta(hours=1))


def test_an_admin_approves_any_total_but_not_their_own(session, world):
    admin = staff(session, "admin")
    world["actor"] = admin
    own = draft(session, world, "400")
    purchasing.submit(session, own.id, actor=admin, now=NOW)
    with pytest.raises(PermissionDenied):
        purchasing.approve(session, own.id, actor=admin, now=NOW)
    purchasing.approve(session, own.id, actor=staff(session, "admin"), now=NOW)
    assert own.status == "approved"


# ---------------------------------------------------------------- the lifecycle

def to_sent(session, world, qty="50"):  # type: ignore[no-untyped-def]
    order = draft(session, world, qty)
    purchasing.submit(session, order.id, actor=world["actor"], now=NOW)
    purchasing.send(session, order.id, actor=world["actor"], now=NOW + timedelta(hours=1))
    return order


def test_the_whole_lifecycle_records_who_and_when(session, world):
    order = to_sent(session, world)
    supplier_user = f.user(session, "supplier", supplier_id=world["supplier"].id)
    seller = Actor.for_user(supplier_user, via="web")
    purchasing.confirm(session, order.id, actor=seller, now=NOW + timedelta(hours=5))
    purchasing.mark_in_transit(session, order.id, actor=seller, now=NOW + timedelta(days=3))
    receiving.receive(session, order.id, lines=[(order.lines[0].id, D(50), D(50), D(0), "")],
                      actor=staff(session, "warehouse"), now=NOW + timedelta(days=9))
    purchasing.close(session, order.id, actor=world["actor"], now=NOW + timedelta(days=10))
    assert statuses(session, order) == [(None, "draft"), ("draft", "approved"), ("approved", "sent"),
                                        ("sent", "confirmed"), ("confirmed", "in_transit"),
                                        ("in_transit", "received"), ("received", "closed")]
    assert (order.sent_at, order.confirmed_at, order.closed_at) == (
        NOW + timedelta(hours=1), NOW + timedelta(hours=5), NOW + timedelta(days=10))
    assert order.lines[0].confirmed_qty == D(50)
    fact = session.scalar(select(PoFact).where(PoFact.po_ref == order.number))
    assert (fact.sent_at, fact.confirmed_at) == (NOW + timedelta(hours=1), NOW + timedelta(hours=5))
    actions = session.scalars(select(AuditEntry.action).where(AuditEntry.entity_type == "purchase_order",
                                                              AuditEntry.entity_id == str(order.id))).all()
    assert {"purchase_order.sent", "purchase_order.confirmed", "purchase_order.closed"} <= set(actions)


def test_a_partial_confirmation_with_other_dates(session, world):
    order = to_sent(session, world)
    line = order.lines[0]
    purchasing.confirm(session, order.id, lines={line.id: (D(30), AS_OF + timedelta(20))}, actor=world["actor"],
                       now=NOW + timedelta(hours=2))
    assert (order.status, line.confirmed_qty, line.confirmed_date) == ("partially_confirmed", D(30),
                                                                       AS_OF + timedelta(20))


def test_confirming_more_than_ordered_or_another_line_is_refused(session, world):
    order = to_sent(session, world)
    with pytest.raises(ValidationFailed, match="more than the 50 ordered"):
        purchasing.confirm(session, order.id, lines={order.lines[0].id: (D(51), None)}, actor=world["actor"], now=NOW)
    assert (order.status, order.lines[0].confirmed_qty) == ("sent", None)
    with pytest.raises(ValidationFailed, match="is not on"):
        purchasing.confirm(session, order.id, lines={999999: (D(1), None)}, actor=world["actor"], now=NOW)


def test_another_suppliers_user_sees_no_such_order(session, world):
    order = to_sent(session, world)
    stranger = Actor.for_user(f.user(session, "supplier"), via="web")
    with pytest.raises(NotFound):
        purchasing.confirm(session, order.id, actor=stranger, now=NOW)
    with pytest.raises(NotFound):
        purchasing.reject_by_supplier(session, order.id, actor=stranger, now=NOW, reason="no")
    assert order.status == "sent"


def test_the_supplier_rejects_with_a_reason_and_the_order_is_closed(session, world):
    order = to_sent(session, world)
    with pytest.raises(ValidationFailed):
        purchasing.reject_by_supplier(session, order.id, actor=world["actor"], now=NOW, reason=" ")
    purchasing.reject_by_supplier(session, order.id, actor=world["actor"], now=NOW + timedelta(hours=3),
                                  reason="discontinued")
    assert (order.status, order.reject_reason, order.rejected_at) == ("rejected", "discontinued",
                                                                      NOW + timedelta(hours=3))
    purchasing.close(session, order.id, actor=world["actor"], now=NOW + timedelta(days=1))
    assert order.status == "closed"


def test_sending_to_a_supplier_blocked_since_approval_is_refused(session, world):
    order = draft(session, world)
    purchasing.submit(session, order.id, actor=world["actor"], now=NOW)
    world["supplier"].status = "blocked"
    with pytest.raises(Conflict, match="cannot be sent"):
        purchasing.send(session, order.id, actor=world["actor"], now=NOW)


@pytest.mark.parametrize("steps", [(), ("submit",), ("submit", "send"), ("submit", "send", "confirm"),
                                   ("submit", "send", "confirm", "transit")])
def test_cancel_from_any_state_before_a_receipt(session, world, steps):
    order = draft(session, world, "400")
    purchasing.submit(session, order.id, actor=world["actor"], now=NOW) if steps else None
    if "send" in steps:
        purchasing.approve(session, order.id, actor=staff(session, "admin"), now=NOW)
        purchasing.send(session, order.id, actor=world["actor"], now=NOW)
    if "confirm" in steps:
        purchasing.confirm(session, order.id, actor=world["actor"], now=NOW)
    if "transit" in steps:
        purchasing.mark_in_transit(session, order.id, actor=world["actor"], now=NOW)
    with pytest.raises(ValidationFailed, match="say why"):
        purchasing.cancel(session, order.id, actor=world["actor"], now=NOW, reason="")
    purchasing.cancel(session, order.id, actor=world["actor"], now=NOW + timedelta(days=1), reason="plan changed")
    assert (order.status, order.cancel_reason, order.cancelled_at) == ("cancelled", "plan changed",
                                                                       NOW + timedelta(days=1))


def test_no_cancel_after_a_receipt_and_a_short_close_counts_the_missing_lines(session, world):
    other = f.item(session, "NUT-2")
    f.catalog(session, world["supplier"], other)
    order = purchasing.create_draft(session, supplier_id=world["supplier"].id, warehouse_id=world["warehouse"].id,
                                    lines=[(world["item"].id, D(50), None), (other.id, D(10), None)],
                                    actor=world["actor"], as_of=AS_OF).order
    purchasing.submit(session, order.id, actor=world["actor"], now=NOW)
    purchasing.send(session, order.id, actor=world["actor"], now=NOW)
    receiving.receive(session, order.id, lines=[(order.lines[0].id, D(20), D(20), D(0), "")],
                      actor=staff(session, "warehouse"), now=NOW + timedelta(days=8))
    with pytest.raises(InvalidTransition, match="has receipts"):
        purchasing.cancel(session, order.id, actor=world["actor"], now=NOW, reason="too late")
    purchasing.close(session, order.id, actor=world["actor"], now=NOW + timedelta(days=20))
    zero = session.scalar(select(DeliveryFact).where(DeliveryFact.line_ref == str(order.lines[1].id)))
    assert (order.status, zero.qty_received, zero.qty_ordered) == ("closed", D(0), D(10))


# ---------------------------------------------------------------- illegal moves

def _act(session, order, action: str, actor: Actor) -> None:  # type: ignore[no-untyped-def]
    calls = {
        "submit": lambda: purchasing.submit(session, order.id, actor=actor, now=NOW),
        "approve": lambda: purchasing.approve(session, order.id, actor=actor, now=NOW),
        "send": lambda: purchasing.send(session, order.id, actor=actor, now=NOW),
        "confirm": lambda: purchasing.confirm(session, order.id, actor=actor, now=NOW),
        "reject": lambda: purchasing.reject_by_supplier(session, order.id, actor=actor, now=NOW, reason="x"),
        "transit": lambda: purchasing.mark_in_transit(session, order.id, actor=actor, now=NOW),
        "cancel": lambda: purchasing.cancel(session, order.id, actor=actor, now=NOW, reason="x"),
        "close": lambda: purchasing.close(session, order.id, actor=actor, now=NOW),
    }
    calls[action]()


ILLEGAL = [
    ("draft", "approve", "approved"), ("draft", "send", "sent"), ("draft", "confirm", "confirmed"),
    ("draft", "reject", "rejected"), ("draft", "transit", "in_transit"), ("draft", "close", "closed"),
    ("pending_approval", "submit", "pending_approval"), ("pending_approval", "send", "sent"),
    ("pending_approval", "close", "closed"), ("approved", "submit", "pending_approval"),
    ("approved", "approve", "approved"), ("approved", "confirm", "confirmed"), ("approved", "transit", "in_transit"),
    ("approved", "close", "closed"), ("sent", "send", "sent"), ("sent", "close", "closed"),
    ("confirmed", "confirm", "confirmed"), ("confirmed", "reject", "rejected"), ("confirmed", "close", "closed"),
    ("in_transit", "send", "sent"), ("in_transit", "confirm", "confirmed"), ("in_transit", "close", "closed"),
    ("received", "cancel", "cancelled"), ("received", "transit", "in_transit"),
    ("rejected", "confirm", "confirmed"), ("rejected", "cancel", "cancelled"), ("rejected", "send", "sent"),
    ("closed", "cancel", "cancelled"), ("closed", "close", "closed"), ("closed", "submit", "pending_approval"),
    ("cancelled", "submit", "pending_approval"), ("cancelled", "send", "sent"), ("cancelled", "cancel", "cancelled"),
    ("cancelled", "confirm", "confirmed"), ("cancelled", "close", "closed"),
]


@pytest.mark.parametrize("current,action,wanted", ILLEGAL)
def test_illegal_moves_are_refused_naming_both_statuses(session, world, current, action, wanted):
    order = draft(session, world)
    order.status = current
    session.flush()
    with pytest.raises(InvalidTransition) as caught:
        _act(session, order, action, staff(session, "admin"))
    assert caught.value.details == {"current": current, "wanted": wanted}
    assert f"is {current}" in caught.value.message and wanted in caught.value.message
    session.expire_all()
    assert session.get(PurchaseOrder, order.id).status == current


def test_the_transition_table_covers_every_status():
    from scm.models.purchasing import PO_STATUSES
    assert set(purchasing.TRANSITIONS) == set(PO_STATUSES)
    assert all(targets <= set(PO_STATUSES) for targets in purchasing.TRANSITIONS.values())
