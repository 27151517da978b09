"""Logistics on a phone: a supplier sends a shipping notice with a tracking number; signed carrier
webhooks mark it in transit and then delayed; the buyer sees the alert on the shipments board and on
the PO page; the warehouse receives what was shipped, and the alert is gone everywhere while the order's
figures (total, open quantity) match a hand computation on the list and the order page. (The live
server checks webhook timestamps against its clock, so this journey signs with the real time and uses
dates relative to today.)"""
from __future__ import annotations

import json
import time
import urllib.request
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from scm.services.logistics import webhooks
from tests import factories as f
from tests import logistics_factories as lf
from tests.e2e.conftest import shot
from tests.page_figures import number, order_page_figures, table_rows


@pytest.fixture
def live_app(make_app):  # type: ignore[no-untyped-def]
    return make_app(WTF_CSRF_ENABLED=True, TESTING=False, PROPAGATE_EXCEPTIONS=False,
                    SCM_WEBHOOK_SECRET_FASTX=lf.SECRET)


def post_webhook(base: str, payload: dict, msg_id: str) -> dict:
    body = json.dumps(payload).encode()
    stamp = int(time.time())
    request = urllib.request.Request(f"{base}/api/v1/logistics/webhooks/fastx", data=body, method="POST", headers={
        "Content-Type": "application/json", "webhook-id": msg_id, "webhook-timestamp": str(stamp),
        "webhook-signature": webhooks.sign(lf.SECRET, msg_id, stamp, body)})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def login(page, base: str, email: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(f.PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def test_notice_webhooks_and_the_buyers_alert(page, live_server, seeded):
    today = datetime.now(timezone.utc).date()

    def data(session):  # type: ignore[no-untyped-def]
        lf.carrier(session)
        order, supplier_user = lf.confirmed_order(session)
        supplier_user.email = "sam@acme.example"
        f.user(session, "buyer", email="bea@example.com")
        f.user(session, "warehouse", email="will@example.com")
        return order.id, order.number, order.lines[0].id
    po_id, po_number, line_id = seeded(data)

    login(page, live_server, "sam@acme.example")
    page.goto(f"{live_server}/portal/orders/{po_id}/notices/new")
    page.get_by_label("Carrier").fill("Fastx Express")
    page.get_by_label("Tracking number").fill("FX-123456")
    page.get_by_label("Ship date").fill(today.isoformat())
    page.get_by_label("Expected arrival").fill((today + timedelta(days=2)).isoformat())
    page.get_by_label(f"Quantity for line {line_id}").fill("60")
    shot(page, "logistics-01-notice-form")
    page.get_by_role("button", name="Send shipping notice").click()
    page.get_by_text("Shipping notice sent.").wait_for()
    page.get_by_text("FX-123456").first.wait_for()
    shot(page, "logistics-02-notice-sent")

    now = datetime.now(timezone.utc)
    first = post_webhook(live_server, {"tracking_number": "FX-123456", "status": "in_transit",
                                       "occurred_at": (now + timedelta(seconds=1)).isoformat()}, "msg_e2e_1")
    assert first["outcome"] == "recorded"
    late = post_webhook(live_server, {"tracking_number": "FX-123456", "status": "at_hub", "location": "Leipzig",
                                      "occurred_at": (now + timedelta(seconds=2)).isoformat(),
                                      "eta": (today + timedelta(days=6)).isoformat()}, "msg_e2e_2")
    assert late["outcome"] == "recorded"

    page.context.clear_cookies()
    login(page, live_server, "bea@example.com")
    page.goto(f"{live_server}/dashboard")  # the buyer's home page raises it first
    late_panel = page.locator("[data-panel='late_inbound']")
    late_panel.get_by_text("late by 4 days").wait_for()
    late_panel.get_by_role("link", name=po_number).wait_for()
    shot(page, "logistics-03a-dashboard-alert")
    page.goto(f"{live_server}/logistics/?late=1")
    page.get_by_role("link", name=po_number).first.wait_for()
    assert page.locator(".badge-danger", has_text="late").count() >= 1
    shot(page, "logistics-03-board-late")
    page.get_by_role("link", name=po_number).first.click()
    page.get_by_text("Late by 4 days").wait_for()
    page.get_by_text("Leipzig").first.wait_for()
    shot(page, "logistics-04-shipment-detail")
    page.goto(f"{live_server}/purchasing/orders/{po_id}")
    page.get_by_text("is late by 4 days").wait_for()
    shot(page, "logistics-05-po-alert")
    page.goto(f"{live_server}/logistics/where")
    page.get_by_text("Where is it").first.wait_for()
    shot(page, "logistics-06-where-is-it")
    _receive_the_shipment(page, live_server, po_id)
    _alert_gone_and_figures_right(page, live_server, po_id, po_number)


def _receive_the_shipment(page, base: str, po_id: int) -> None:  # type: ignore[no-untyped-def]
    """The warehouse receives the 60 shipped (of 100 ordered)."""
    page.context.clear_cookies()
    login(page, base, "will@example.com")
    page.goto(f"{base}/receiving/orders/{po_id}")
    page.locator("fieldset").first.get_by_label("Received").fill("60")
    page.get_by_role("button", name="Post receipt").click()
    page.get_by_text("posted for").wait_for()


def _alert_gone_and_figures_right(page, base: str, po_id: int, po_number: str) -> None:  # type: ignore[no-untyped-def]
    # By hand: 100 ordered at 2.00 = 200.00; 60 received, 40 open. The shipment carried 60: received in full.
    total, still_open = Decimal("200.00"), Decimal(100) - Decimal(60)
    page.context.clear_cookies()
    login(page, base, "bea@example.com")
    page.goto(f"{base}/purchasing/orders")
    row = table_rows(page.content())[po_number]
    assert (number(row["Total"]).quantize(Decimal("0.01")), number(row["Open qty"])) == (total, still_open)
    page.goto(f"{base}/purchasing/orders/{po_id}")
    page_total, page_open, _lines = order_page_figures(page.content())
    assert (page_total.quantize(Decimal("0.01")), page_open) == (total, still_open)
    assert "is late by" not in page.content()
    shot(page, "logistics-07-po-received-no-alert")
    page.locator("section[aria-labelledby='shipments-title'] a").first.click()
    page.wait_for_url("**/logistics/shipments/*")
    page.locator("h1").get_by_text("Received").wait_for()
    assert "Late by" not in page.content()
    shot(page, "logistics-08-shipment-received")
    page.goto(f"{base}/logistics/?late=1")
    assert page.get_by_role("link", name=po_number).count() == 0


def test_carrier_unknown_tracking_and_outbound_on_a_phone(page, live_server, seeded):
    """A buyer adds a carrier, attaches a webhook with a mistyped tracking number to its shipment; the
    warehouse creates an outbound shipment and dispatches it."""
    def data(session):  # type: ignore[no-untyped-def]
        lf.carrier(session)
        shipment = lf.notice_shipment(session, tracking="FX-778899")
        f.user(session, "buyer", email="bea@example.com")
        f.user(session, "warehouse", email="wes@example.com")
        item, warehouse = f.item(session, "OUT-E2E"), f.warehouse(session, "WH-E2E", name="E2E store")
        f.stock(session, item, warehouse, 20)
        return shipment.id
    shipment_id = seeded(data)

    login(page, live_server, "bea@example.com")
    page.goto(f"{live_server}/logistics/carriers/new")
    page.get_by_label("Code").fill("parcelo")
    page.get_by_label("Name").fill("Parcelo")
    page.get_by_label("Tracking URL template").fill("https://parcelo.example/t/{tracking}")
    page.get_by_label("Days of service 1").fill("4")
    page.get_by_label("Service 2", exact=True).fill("express")
    page.get_by_label("Days of service 2").fill("1")
    shot(page, "logistics-07-carrier-form")
    page.get_by_role("button", name="Create carrier").click()
    page.get_by_text("Carrier PARCELO saved.").wait_for()
    page.get_by_role("row", name="PARCELO").get_by_text("express: 1 d").wait_for()
    shot(page, "logistics-08-carriers")

    now = datetime.now(timezone.utc)
    unknown = post_webhook(live_server, {"tracking_number": "FX-778989", "status": "at_hub", "location": "Leipzig",
                                         "occurred_at": (now + timedelta(seconds=1)).isoformat()}, "msg_e2e_typo")
    assert unknown["outcome"] == "unmatched"
    page.goto(f"{live_server}/logistics/unmatched")
    page.get_by_role("link", name="Review FX-778989").click()
    page.get_by_text("Open shipments it may belong to").wait_for()
    page.get_by_label("Shipment id or tracking number").fill("FX-778899")
    page.get_by_label("Also give the shipment this tracking number").check()
    shot(page, "logistics-09-review-unknown")
    page.get_by_role("button", name="Attach and record").click()
    page.get_by_text("Update recorded on the shipment.").wait_for()
    assert page.url.endswith(f"/logistics/shipments/{shipment_id}")
    page.get_by_text("FX-778989").first.wait_for()

    page.context.clear_cookies()
    login(page, live_server, "wes@example.com")
    page.goto(f"{live_server}/logistics/outbound/new")
    page.get_by_label("From warehouse").select_option(label="WH-E2E — E2E store")
    page.get_by_label("Order reference").fill("SO-E2E-1")
    page.get_by_label("Customer").fill("Ann Smith")
    page.get_by_label("SKU of line 1").fill("OUT-E2E")
    page.get_by_label("Quantity of line 1").fill("3")
    shot(page, "logistics-10-outbound-form")
    page.get_by_role("button", name="Create and reserve").click()
    page.get_by_text("Outbound shipment created").wait_for()
    page.get_by_role("button", name="Dispatch (issue the stock)").click()
    page.get_by_text("Dispatched: the reserved stock was issued as a sale.").wait_for()
    shot(page, "logistics-11-outbound-dispatched")
