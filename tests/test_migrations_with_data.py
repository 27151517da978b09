"""Migrations on a database that holds data, as a real upgrade meets it: the demo data at the head,
down to the last release's revision and up again. Table rebuilds on SQLite (batch migrations) must
keep every row and every reference, and the ledger must still add up."""
from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import func, select

from scm.app import create_app
from scm.extensions import db
from scm.models import Item, PurchaseOrder, Shipment, ShipmentLine, StockMove
from scm.services.stock import ledger as stock_ledger
from tests.conftest import BASE_OVERRIDES
from tests.test_migrations import empty_database_url  # noqa: F401  (fixture)

LAST_RELEASE = "0010"


def _counts() -> dict[str, int]:
    return {model.__tablename__: db.session.scalar(select(func.count()).select_from(model)) or 0
            for model in (Item, PurchaseOrder, Shipment, ShipmentLine, StockMove)}


def test_the_demo_data_survives_down_to_the_last_release_and_up_again(empty_database_url):  # noqa: F811
    app = create_app({**BASE_OVERRIDES, "SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        upgrade()
        seeded = app.test_cli_runner().invoke(args=["scm", "seed-demo", "--items", "12", "--no-simulate"])
        assert seeded.exit_code == 0, seeded.output
        before = _counts()
        assert all(before.values()), before
        db.session.remove()
        downgrade(revision=LAST_RELEASE)
        upgrade()
        assert _counts() == before
        assert stock_ledger.ledger_check(db.session) == []
        db.session.remove()
        db.engine.dispose()
