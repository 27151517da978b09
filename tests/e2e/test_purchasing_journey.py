"""Purchase to receipt across three roles, each in its own browser: a buyer drafts an order, reads the
supplier e-mail in the preview and sends it; the supplier confirms part of it in the portal and
announces the shipment; the warehouse receives it on a phone with one line partly rejected; the buyer
sees the order partially received and the supplier's quality score move from 'no activity' to 93.8.

The figures a person reads (the order total and open quantity on the list, the order page and the
receiving list; the shipment's status and what is still expected on it) are checked against a hand
computation made here, before and after the partial receipt."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from scm.models import PurchaseOrder, StockBalance, utcnow
from scm.services.suppliers import profiles as suppliers
from tests import factories as f
from tests.e2e.conftest import shot
from tests.page_figures import number, order_page_figures, table_rows

number_of = number  # the helpers below have a parameter called `number` (the PO number)

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
# By hand: 100 BOLT-M8 at 0.40 + 200 NUT-M8 at 0.10 = 40.00 + 20.00 = 60.00 USD, 300 open.
ORDERED = {"BOLT-M8": (Decimal(100), Decimal("0.40")), "NUT-M8": (Decimal(200), Decimal("0.10"))}
TOTAL = sum((qty * price for qty, price in ORDERED.values()), Decimal(0))
# The receipt: 100 BOLT-M8 (10 of them rejected) and 60 NUT-M8 of the 120 shipped: 200 − 60 = 140 open.
RECEIVED = {"BOLT-M8": Decimal(100), "NUT-M8": Decimal(60)}
OPEN_AFTER = sum((qty - RECEIVED[sku] for sku, (qty, _p) in ORDERED.items()), Decimal(0))


def _money(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"))


def _figures_read(page, base: str, number_: str) -> tuple[Decimal, Decimal]:  # type: ignore[no-untyped-def]
    """The total and open quantity as the list page and the order page show them (they must agree)."""
    page.goto(f"{base}/purchasing/orders")
    row = table_rows(page.content())[number_]
    listed = (_money(number(row["Total"])), number(row["Open qty"]))
    page.get_by_role("link", name=number_).click()                     # ends on the order page
    page.wait_for_url("**/purchasing/orders/*")
    total, open_qty, _lines = order_page_figures(page.content())
    assert (_money(total), open_qty) == listed, (listed, total, open_qty)
    return listed


def _people(session):  # type: ignore[no-untyped-def]
    acme = f.supplier(session, "ACME", name="Acme Industrial")
    suppliers.add_contact(session, acme.id, {"name": "Sales", "email": "sales@acme.example"}, actor=f.actor())
    bolt, nut = f.item(session, "BOLT-M8", name="Hex bolt M8"), f.item(session, "NUT-M8", name="Hex nut M8")
    f.catalog(session, acme, bolt, moq="50", multiple="10", breaks=[{"min_qty": "0", "unit_price": "0.40"}])
    f.catalog(session, acme, nut, breaks=[{"min_qty": "0", "unit_price": "0.10"}])
    f.warehouse(session, "WH-EAST", name="East")
    f.user(session, "buyer", email="bea@example.com", approval_limit=Decimal("5000"))
    f.user(session, "supplier", email="sam@acme.example", supplier_id=acme.id)
    f.user(session, "warehouse", email="will@example.com")
    return acme.id


def _login(browser, base: str, email: str, viewport: dict, landing: str):  # type: ignore[no-untyped-def]
    page = browser.new_context(viewport=viewport).new_page()
    page.set_default_timeout(15000)
    page.goto(f"{base}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(f.PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}{landing}")
    return page


def _buyer_drafts_and_sends(browser, base: str) -> str:  # type: ignore[no-untyped-def]
    page = _login(browser, base, "bea@example.com", DESKTOP, "/dashboard")
    page.goto(f"{base}/purchasing/orders/new")
    page.get_by_label("Supplier").select_option(label="ACME — Acme Industrial")
    page.get_by_label("SKU, line 1").fill("BOLT-M8")
    page.get_by_label("Quantity, line 1").fill("45")
    page.get_by_label("SKU, line 2").fill("NUT-M8")
    page.get_by_label("Quantity, line 2").fill("200")
    page.get_by_role("button", name="Create draft").click()
    page.get_by_text("below the minimum order quantity of 50").wait_for()  # the MOQ, named with the SKU
    page.get_by_label("Quantity, line 1").fill("100")
    page.get_by_role("button", name="Create draft").click()
    page.wait_for_url("**/purchasing/orders/*")
    number = page.locator("h1").inner_text().split()[0]
    assert _figures_read(page, base, number) == (_money(TOTAL), Decimal(300))
    page.get_by_role("button", name="Submit").click()
    page.get_by_text("Submitted.").wait_for()
    page.get_by_role("link", name="Send to supplier").click()          # the preview of the e-mail first
    page.wait_for_url("**/send")
    assert page.locator("#mail-to").inner_text() == "sales@acme.example"
    body = page.locator("#mail-body").inner_text()
    assert "BOLT-M8 Hex bolt M8: 100 ea at 0.40 USD" in body and f"Total: {TOTAL:,.2f} USD" in body
    shot(page, "purchasing-01a-buyer-mail-preview")
    page.get_by_role("button", name="Confirm and send").click()
    page.get_by_text("E-mailed to sales@acme.example").wait_for()
    shot(page, "purchasing-01-buyer-sent")
    page.context.close()
    return number


def _supplier_confirms_part_and_ships(browser, base: str, number: str) -> None:  # type: ignore[no-untyped-def]
    page = _login(browser, base, "sam@acme.example", PHONE, "/portal/")
    page.get_by_role("link", name=number).first.click()
    page.get_by_role("link", name="Confirm or propose dates").click()
    page.locator("tr", has_text="NUT-M8").get_by_role("textbox").first.fill("120")
    shot(page, "purchasing-02-supplier-confirms")
    page.get_by_role("button", name="Confirm order").click()
    page.get_by_text(f"{number} confirmed.").wait_for()
    page.get_by_role("link", name="New shipping notice").click()
    page.get_by_label("Carrier").fill("DHL")
    page.get_by_label("Tracking number").fill("JD014600006")
    today = utcnow().date()
    page.get_by_label("Ship date").fill(today.isoformat())
    page.get_by_label("Expected arrival").fill((today + timedelta(days=2)).isoformat())
    page.locator("tr", has_text="BOLT-M8").get_by_role("textbox").first.fill("100")
    page.locator("tr", has_text="NUT-M8").get_by_role("textbox").first.fill("120")
    page.get_by_role("button", name="Send shipping notice").click()
    page.get_by_text("Shipping notice sent.").wait_for()
    shot(page, "purchasing-03-supplier-notice")
    page.context.close()


def _warehouse_receives_with_a_rejection(browser, base: str, number: str) -> None:  # type: ignore[no-untyped-def]
    page = _login(browser, base, "will@example.com", PHONE, "/dashboard")
    page.goto(f"{base}/receiving")
    assert number_of(table_rows(page.content())[number]["Open qty"]) == Decimal(300)   # nothing received yet
    page.get_by_role("link", name=number).click()
    bolt = page.locator("fieldset", has_text="BOLT-M8")
    bolt.get_by_label("Received").fill("100")
    bolt.get_by_label("Rejected").fill("10")
    bolt.get_by_label("Reject reason").fill("threads damaged")
    page.locator("fieldset", has_text="NUT-M8").get_by_label("Received").fill("60")
    shot(page, "purchasing-04-warehouse-receives")
    page.get_by_role("button", name="Post receipt").click()
    page.get_by_text(f"posted for {number}").wait_for()
    page.goto(f"{base}/receiving")
    assert number_of(table_rows(page.content())[number]["Open qty"]) == OPEN_AFTER
    page.context.close()


def _quality_score(page, base: str, supplier_id: int) -> str:  # type: ignore[no-untyped-def]
    """Recompute the scorecards as the buyer would, then read this month's quality pass rate."""
    page.goto(f"{base}/scorecards")
    page.get_by_role("button", name="Recompute now").click()
    page.get_by_text("Scorecards recomputed").wait_for()
    page.goto(f"{base}/scorecards/{supplier_id}")
    return page.locator("tr", has=page.locator("th", has_text="Quality pass rate")).inner_text()


def test_buyer_supplier_and_warehouse_take_an_order_to_partially_received(browser, live_server, seeded, live_app):
    supplier_id = seeded(_people)
    number = _buyer_drafts_and_sends(browser, live_server)
    _supplier_confirms_part_and_ships(browser, live_server, number)

    buyer = _login(browser, live_server, "bea@example.com", DESKTOP, "/dashboard")
    assert "no activity" in _quality_score(buyer, live_server, supplier_id)  # confirmed, nothing inspected yet
    _warehouse_receives_with_a_rejection(browser, live_server, number)

    assert _figures_read(buyer, live_server, number) == (_money(TOTAL), OPEN_AFTER)
    buyer.get_by_text("partially received").first.wait_for()
    buyer.get_by_text("JD014600006", exact=True).wait_for()  # the shipping notice
    buyer.get_by_text("threads damaged").wait_for()
    shot(buyer, "purchasing-05-buyer-partially-received")
    buyer.locator("section[aria-labelledby='shipments-title'] a").first.click()
    buyer.wait_for_url("**/logistics/shipments/*")
    buyer.get_by_text("Partially received").first.wait_for()              # 100 + 60 of 100 + 120 arrived
    contents = table_rows(buyer.locator("section[aria-labelledby='lines-title']").inner_html())
    assert number_of(contents["NUT-M8"]["Received"].split("(")[0]) == RECEIVED["NUT-M8"]
    assert "60 still expected" in contents["NUT-M8"]["Received"]              # 120 shipped − 60 received
    assert number_of(contents["BOLT-M8"]["Received"]) == RECEIVED["BOLT-M8"]
    shot(buyer, "purchasing-05b-shipment-partially-received")
    assert "93.8" in _quality_score(buyer, live_server, supplier_id)  # 150 accepted of 160 inspected
    shot(buyer, "purchasing-06-scorecard-moved")

    with live_app.app_context():
        from scm.extensions import db
        order = db.session.scalar(select(PurchaseOrder).where(PurchaseOrder.number == number))
        assert order.status == "partially_received"
        on_hand = {b.item_id: b.on_hand for b in db.session.scalars(select(StockBalance))}
        assert sorted(on_hand.values()) == [60, 90]
        db.session.close()
    (mail,) = live_app.config["SCM_MAIL_OUTBOX"]
    assert mail["To"] == "sales@acme.example" and number in mail["Subject"]
