"""Warehouse staff on a phone: log in, receive, transfer, and see a clear error for an over-issue."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from scm.models import StockBalance
from scm.services import stock_ledger
from tests import factories as f
from tests.e2e.conftest import shot


def test_warehouse_receives_transfers_and_is_stopped_from_over_issuing(page, live_server, seeded, live_app):
    def data(session):  # type: ignore[no-untyped-def]
        f.warehouse(session, "WH-EAST", name="East DC")
        f.warehouse(session, "WH-WEST", name="West DC")
        f.item(session, "BOLT-M8", name="Hex bolt M8")
        f.user(session, "warehouse", email="wes@example.com")
    seeded(data)

    page.goto(f"{live_server}/login")
    page.get_by_label("Email").fill("wes@example.com")
    page.get_by_label("Password").fill(f.PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server}/dashboard")
    shot(page, "warehouse-01-dashboard")

    page.goto(f"{live_server}/stock/receive")
    page.get_by_label("Item SKU").fill("BOLT-M8")
    page.get_by_label("Warehouse").select_option(label="WH-EAST — East DC")
    page.get_by_label("Quantity").fill("10")
    page.get_by_role("button", name="Post receipt").click()
    page.get_by_text("Posted: +10").wait_for()
    shot(page, "warehouse-02-received")

    page.goto(f"{live_server}/stock/transfer")
    page.get_by_label("From", exact=True).select_option(label="WH-EAST — East DC")
    page.get_by_label("To", exact=True).select_option(label="WH-WEST — West DC")
    page.locator("input[name='lines-0-sku']").fill("BOLT-M8")
    page.locator("input[name='lines-0-quantity']").fill("4")
    page.get_by_role("button", name="Post transfer").click()
    page.get_by_text("Transfer T-").wait_for()
    shot(page, "warehouse-03-transferred")

    page.goto(f"{live_server}/stock/issue")
    page.get_by_label("Item SKU").fill("BOLT-M8")
    page.get_by_label("Warehouse").select_option(label="WH-EAST — East DC")
    page.get_by_label("Quantity").fill("7")
    page.get_by_role("button", name="Post issue").click()
    page.get_by_text("only 6 on hand in WH-EAST").wait_for()
    shot(page, "warehouse-04-over-issue-refused")

    with live_app.app_context():
        from scm.extensions import db
        rows = dict(db.session.execute(select(StockBalance.warehouse_id, StockBalance.on_hand)).all())
        assert sorted(rows.values()) == [Decimal(4), Decimal(6)]
        assert stock_ledger.ledger_check(db.session) == []
        db.session.close()
