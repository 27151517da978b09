"""A buyer on a phone: finds a core item without a valid backup on the sourcing page, adds a backup with
enough capacity, and the item leaves the list."""
from __future__ import annotations

from sqlalchemy import select

from scm.models import CatalogEntry
from tests import factories as f
from tests.e2e.conftest import shot
from tests.supplier_factories import entry


def test_buyer_adds_a_missing_backup_and_the_item_leaves_the_sourcing_list(page, live_server, seeded, live_app):
    def data(session):  # type: ignore[no-untyped-def]
        acme = f.supplier(session, "ACME", name="Acme Industrial")
        globex = f.supplier(session, "GLOBEX", name="Globex Components")
        small = f.supplier(session, "SMALL", name="Small Works")
        pump, valve = f.item(session, "PUMP-1", name="Pump", is_core=True), f.item(session, "VALVE-1", is_core=True)
        entry(session, acme, pump, "primary", 200, lead=10)
        entry(session, acme, valve, "primary", 100, lead=10)
        entry(session, small, valve, "backup", 20, lead=10)   # too small: stays on the list
        fine = f.item(session, "FINE-1", is_core=True)
        entry(session, globex, fine, "primary", 100)
        entry(session, small, fine, "backup", 60)
        f.user(session, "buyer", email="bea@example.com")
    seeded(data)

    page.goto(f"{live_server}/login")
    page.get_by_label("Email").fill("bea@example.com")
    page.get_by_label("Password").fill(f.PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server}/dashboard")

    page.get_by_role("button", name="Menu").click()
    page.locator("summary", has_text="Suppliers").click()
    page.get_by_role("link", name="Sourcing", exact=True).click()
    page.wait_for_url(f"{live_server}/sourcing")
    pump_row = page.locator("tr[data-sku='PUMP-1']")
    pump_row.get_by_text("No backup", exact=True).wait_for()
    page.locator("tr[data-sku='VALVE-1']").get_by_text("Capacity too low", exact=True).wait_for()
    assert page.locator("tr[data-sku='FINE-1']").count() == 0
    shot(page, "sourcing-01-problems")

    pump_row.get_by_role("link", name="Add backup").click()
    page.wait_for_url("**/catalog/new?**")
    assert page.get_by_label("Item SKU").input_value() == "PUMP-1"
    assert page.get_by_label("Sourcing role").input_value() == "backup"
    page.get_by_label("Supplier", exact=True).select_option(label="GLOBEX — Globex Components")
    page.get_by_label("Stated lead time (days)").fill("12")
    page.get_by_label("Capacity per week").fill("120")
    page.get_by_label("From quantity, break 1").fill("0")
    page.get_by_label("Unit price, break 1").fill("9.50")
    page.get_by_label("Currency, break 1").fill("USD")
    shot(page, "sourcing-02-backup-form")
    page.get_by_role("button", name="Add to catalog").click()

    page.wait_for_url(f"{live_server}/sourcing")
    page.get_by_text("Saved.").wait_for()
    assert page.locator("tr[data-sku='PUMP-1']").count() == 0
    assert page.locator("tr[data-sku='VALVE-1']").count() == 1
    page.get_by_text("1 item", exact=True).wait_for()
    shot(page, "sourcing-03-item-gone")

    with live_app.app_context():
        from scm.extensions import db
        backup = db.session.scalar(select(CatalogEntry).where(CatalogEntry.role == "backup",
                                                              CatalogEntry.capacity_per_week == 120))
        assert backup is not None and backup.lead_time_days == 12
        db.session.close()


def _scored_month(session):  # type: ignore[no-untyped-def]
    """GLOBEX: 3 on-time receipts (90 % accepted) and 3 orders confirmed after 96 h; ACME: 3 late receipts;
    SMALL: one quick confirmation and nothing else (not enough evidence)."""
    from datetime import datetime, timedelta, timezone

    from scm.models import utcnow
    from scm.services.suppliers import scorecard_facts, scorecards
    from tests.supplier_factories import delivery
    today = utcnow().date()
    month = today.replace(day=1) if today.day >= 6 else (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    acme, globex, small = (f.supplier(session, c, name=n) for c, n in (
        ("ACME", "Acme Industrial"), ("GLOBEX", "Globex Components"), ("SMALL", "Small Works")))
    pump, fine = f.item(session, "PUMP-1", is_core=True), f.item(session, "FINE-1", is_core=True)
    entry(session, acme, pump, "primary", 200)
    entry(session, globex, fine, "primary", 100)
    entry(session, small, fine, "backup", 60)
    for n in range(3):
        delivery(session, globex, fine, ordered=month, promised=month + timedelta(days=3),
                 received=month + timedelta(days=2), stated=3, receipt=f"g{n}", line=f"g{n}")
        scorecard_facts.record_inspection(session, supplier_id=globex.id, item_id=fine.id, inspected_on=month,
                                          qty_inspected=10, qty_accepted=9, receipt_ref=f"g{n}")
        delivery(session, acme, pump, ordered=month, promised=month + timedelta(days=1),
                 received=month + timedelta(days=4), stated=1, receipt=f"a{n}", line=f"a{n}")
        scorecard_facts.record_inspection(session, supplier_id=acme.id, item_id=pump.id, inspected_on=month,
                                          qty_inspected=10, qty_accepted=10, receipt_ref=f"a{n}")
        sent = datetime(month.year, month.month, 1, 8, tzinfo=timezone.utc) + timedelta(hours=n)
        scorecard_facts.record_po_sent(session, supplier_id=globex.id, po_ref=f"G-{n}", sent_at=sent)
        scorecard_facts.record_confirmation(session, supplier_id=globex.id, po_ref=f"G-{n}",
                                            confirmed_at=sent + timedelta(hours=96))
    scorecard_facts.record_po_sent(session, supplier_id=small.id, po_ref="S-1", sent_at=datetime(
        month.year, month.month, 1, 8, tzinfo=timezone.utc))
    scorecard_facts.record_confirmation(session, supplier_id=small.id, po_ref="S-1", confirmed_at=datetime(
        month.year, month.month, 1, 9, tzinfo=timezone.utc))
    scorecards.refresh(session, today)
    f.user(session, "buyer", email="bea@example.com")


def _score(text: str):  # type: ignore[no-untyped-def]
    from tests.page_numbers import number
    return number(text)


def test_buyer_reads_the_scores_on_the_ranking_and_the_scorecard_page(page, live_server, seeded):
    from decimal import Decimal
    seeded(_scored_month)
    # By hand. GLOBEX: on-time 100, quality 90, lead time 100 (a day early, no spread), fill 100, price 100
    # (its own break is the best), responsiveness 50 ((168 − 96) / 144): (2500 + 2250 + 1500 + 1500 + 1000 + 500)
    # / 100 = 92.50. ACME: on-time 0, quality 100, lead time 0 (3 days late on 1 stated), fill 100, price 100, no
    # orders: (0 + 2500 + 0 + 1500 + 1000) / 90 = 55.56. SMALL: responsiveness only: not ranked.
    globex, acme = Decimal("92.5"), Decimal("55.6")
    page.goto(f"{live_server}/login")
    page.get_by_label("Email").fill("bea@example.com")
    page.get_by_label("Password").fill(f.PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server}/dashboard")
    ranked = page.locator("[data-panel='supplier-ranking'] tr[data-supplier]")
    assert [ranked.nth(i).get_attribute("data-supplier") for i in range(ranked.count())] == ["GLOBEX", "ACME"]
    assert _score(page.locator("[data-panel='supplier-ranking'] tr[data-supplier='GLOBEX'] [data-col='overall']")
                  .inner_text()) == Decimal("92.50")

    page.goto(f"{live_server}/scorecards")
    row = lambda code: page.locator(f"tr[data-supplier='{code}']")  # noqa: E731
    assert row("GLOBEX").locator("[data-col='rank']").inner_text().strip() == "1"
    assert row("ACME").locator("[data-col='rank']").inner_text().strip() == "2"
    assert _score(row("GLOBEX").locator("[data-col='overall']").inner_text()) == globex
    assert _score(row("ACME").locator("[data-col='overall']").inner_text()) == acme
    assert _score(row("GLOBEX").locator("[data-col='quality']").inner_text()) == Decimal("90.0")
    assert _score(row("GLOBEX").locator("[data-col='responsiveness']").inner_text()) == Decimal("50.0")
    assert row("SMALL").locator("[data-col='rank']").inner_text().strip() == ""
    assert row("SMALL").locator("[data-col='standing']").inner_text().strip() == "not enough evidence"
    shot(page, "sourcing-04-ranking")

    row("GLOBEX").get_by_role("link", name="GLOBEX").click()
    page.wait_for_url("**/scorecards/**")
    assert _score(page.locator("[data-col='overall']").first.inner_text()) == globex
    assert page.locator("[data-col='standing']").first.inner_text().strip() == "preferred"
    assert _score(page.locator("tr[data-metric='quality'] [data-col='score']").inner_text()) == Decimal("90.0")
    assert "3 inspections, 30 inspected" in page.locator("tr[data-metric='quality'] [data-col='evidence']").inner_text()
    assert _score(page.locator("tr[data-metric='responsiveness'] [data-col='score']").inner_text()) == Decimal("50.0")
    shot(page, "sourcing-05-scorecard")
