"""Warehouse staff on a phone: receive, transfer, be stopped from over-issuing, issue, count (with the
review of the differences and the second confirmation of a large one), and read the same on-hand
figures on the stock list and on the item's ledger page, checked against a hand computation."""
from __future__ import annotations

import re
from decimal import Decimal

from sqlalchemy import select

from scm.models import StockBalance
from scm.services.stock import ledger as stock_ledger
from tests import factories as f
from tests.e2e.conftest import shot

D = Decimal
UNIT_COST = D("2.50")


def number(text: str) -> Decimal:
    """A figure as shown: thousands separators, (non-breaking) spaces, currency codes, % and − handled."""
    cleaned = re.sub(r"[^\d.,+\-]", "", text.replace("\u2212", "-")).replace(",", "")
    return D(cleaned)


def table_rows(page, selector: str) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    """The rows of a table as {header: cell text}, read from the page the browser shows."""
    # A header's own words, without sort arrows or screen-reader notes ("SKU▲ (sorted ascending)").
    headers = [re.sub(r"[▲▼↕].*$", "", h).strip() for h in page.locator(f"{selector} thead th").all_text_contents()]
    rows = []
    for row in page.locator(f"{selector} tbody tr").all():
        cells = [c.strip() for c in row.locator("td").all_text_contents()]
        rows.append(dict(zip(headers, cells)))
    return rows


def stock_list(page, server: str) -> dict[str, Decimal]:  # type: ignore[no-untyped-def]
    """On hand of BOLT-M8 per warehouse, as the stock list shows it."""
    page.goto(f"{server}/stock/?q=BOLT-M8")
    return {row["Warehouse"]: number(row["On hand"]) for row in table_rows(page, "table.table")}


def ledger(page, server: str, item_id: int) -> list[tuple[str, str, Decimal, Decimal]]:  # type: ignore
    """(warehouse, kind, change, running balance) of every move on the item's ledger page, oldest first."""
    page.goto(f"{server}/stock/items/{item_id}/ledger")
    return [(r["Warehouse"], r["Kind"].lower(), number(r["Change"]), number(r["Running balance"]))
            for r in reversed(table_rows(page, "table.ledger"))]


def count(page, server: str, warehouse_label: str, sku: str, counted: str) -> None:  # type: ignore
    page.goto(f"{server}/stock/count")
    page.get_by_label("Warehouse counted").select_option(label=warehouse_label)
    page.locator("input[name='lines-0-sku']").fill(sku)
    page.locator("input[name='lines-0-quantity']").fill(counted)
    page.get_by_role("button", name="Review differences").click()
    page.locator("#count-review").wait_for()


def test_warehouse_journey_figures_agree_on_every_page(page, live_server, seeded, live_app):
    def data(session):  # type: ignore[no-untyped-def]
        f.warehouse(session, "WH-EAST", name="East DC")
        f.warehouse(session, "WH-WEST", name="West DC")
        f.user(session, "warehouse", email="wes@example.com")
        return f.item(session, "BOLT-M8", name="Hex bolt M8", unit_cost=UNIT_COST).id
    item_id = seeded(data)
    expected = {"WH-EAST": D(0), "WH-WEST": D(0)}   # the hand computation, move by move
    moves: list[tuple[str, str, Decimal, Decimal]] = []

    def book(warehouse: str, kind: str, change: Decimal) -> None:
        expected[warehouse] += change
        moves.append((warehouse, kind, change, expected[warehouse]))

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
    book("WH-EAST", "receipt", D(10))
    shot(page, "warehouse-02-received")

    page.goto(f"{live_server}/stock/transfer")
    page.get_by_label("From", exact=True).select_option(label="WH-EAST — East DC")
    page.get_by_label("To", exact=True).select_option(label="WH-WEST — West DC")
    page.locator("input[name='lines-0-sku']").fill("BOLT-M8")
    page.locator("input[name='lines-0-quantity']").fill("4")
    page.get_by_role("button", name="Post transfer").click()
    page.get_by_text("Transfer T-").wait_for()
    book("WH-EAST", "transfer out", D(-4))
    book("WH-WEST", "transfer in", D(4))
    shot(page, "warehouse-03-transferred")

    page.goto(f"{live_server}/stock/issue")
    page.get_by_label("Item SKU").fill("BOLT-M8")
    page.get_by_label("Warehouse").select_option(label="WH-EAST — East DC")
    page.get_by_label("Quantity").fill("7")
    page.get_by_role("button", name="Post issue").click()
    page.get_by_text("only 6 on hand in WH-EAST").wait_for()
    shot(page, "warehouse-04-over-issue-refused")
    page.get_by_label("Quantity").fill("2")
    page.get_by_role("button", name="Post issue").click()
    page.get_by_text("Posted: -2").wait_for()
    book("WH-EAST", "issue", D(-2))

    # A count of WH-EAST: the review shows on hand, the difference, its value and share before posting.
    count(page, live_server, "WH-EAST — East DC", "BOLT-M8", "3")
    [line] = table_rows(page, "#count-review")
    on_hand = expected["WH-EAST"]
    assert (number(line["On hand"]), number(line["Counted"]), number(line["Difference"])) == (on_hand, D(3), D(3) - on_hand)
    assert number(line["Value"]) == ((D(3) - on_hand) * UNIT_COST).quantize(D("0.01"))      # −2.50
    assert number(line["Share"]) == ((D(3) - on_hand) / on_hand * 100).quantize(D("0.1"))   # −25.0 %
    shot(page, "warehouse-05-count-review")
    page.get_by_role("button", name="Post count").click()
    page.get_by_text("posted in WH-EAST: 1 difference").wait_for()
    assert re.search(r"Count CNT-\d{6} posted in WH-EAST: 1 difference", page.inner_text("main"))
    book("WH-EAST", "count", D(3) - on_hand)
    shot(page, "warehouse-06-count-posted")

    # A count of 0 in WH-WEST is −100 %: asked once more, with the line listed, before it posts.
    count(page, live_server, "WH-WEST — West DC", "BOLT-M8", "0")
    page.get_by_role("button", name="Post count").click()
    [large] = table_rows(page, "#count-large")
    assert (number(large["On hand"]), number(large["Difference"]), number(large["Share"])) == \
        (expected["WH-WEST"], -expected["WH-WEST"], D(-100))
    shot(page, "warehouse-07-count-large-confirm")
    page.get_by_role("button", name="Post count with these large differences").click()
    page.get_by_text("posted in WH-WEST: 1 difference").wait_for()
    book("WH-WEST", "count", -expected["WH-WEST"])

    # The same figures on the stock list and on the item's ledger page.
    assert stock_list(page, live_server) == expected == {"WH-EAST": D(3), "WH-WEST": D(0)}
    shot(page, "warehouse-08-stock-list")
    assert ledger(page, live_server, item_id) == moves
    shot(page, "warehouse-09-ledger")

    with live_app.app_context():
        from scm.extensions import db
        rows = dict(db.session.execute(select(StockBalance.warehouse_id, StockBalance.on_hand)).all())
        assert sorted(rows.values()) == [D(0), D(3)]
        assert stock_ledger.ledger_check(db.session) == []
        db.session.close()
