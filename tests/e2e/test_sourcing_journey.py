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
