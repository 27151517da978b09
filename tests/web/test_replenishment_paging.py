"""Alerts and suggestions pages are paginated with a constant number of queries; approving works page by page."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import event, select

from scm.models import PurchaseOrder, Suggestion, utcnow
from scm.services.planning import replenishment
from tests import factories as f
from tests import replen_factories as rf
from tests import supplier_factories as sf

TODAY = utcnow().date()


@pytest.fixture
def shop(session):  # type: ignore[no-untyped-def]
    main, acme = f.warehouse(session, "MAIN"), f.supplier(session, "ACME")
    return main, acme


def short_items(session, shop, count, start=0):  # type: ignore[no-untyped-def]
    """`count` items that run out at MAIN in 3 days (a critical warning and a buy suggestion each)."""
    main, acme = shop
    for k in range(start, start + count):
        item = f.item(session, f"ITEM-{k:02d}", abc_class="B")
        sf.entry(session, acme, item, "primary", 100000, lead=7)
        f.stock(session, item, main, 30)
        rf.daily_forecast(session, item, main, 10.0, start=TODAY)
    replenishment.plan(session, as_of=TODAY, actor=f.actor(), now=datetime.now(timezone.utc))
    session.commit()


def open_ids(session):  # type: ignore[no-untyped-def]
    session.expire_all()
    return [s.id for s in session.scalars(select(Suggestion).where(Suggestion.status == "open").order_by(Suggestion.id))]


def test_pages_of_suggestions_and_alerts(client, session, shop):  # type: ignore[no-untyped-def]
    short_items(session, shop, 5)
    f.login(client, session, f.user(session, "buyer"))
    first = client.get("/replenishment/suggestions?per_page=2").get_data(as_text=True)
    assert "ITEM-00" in first and "ITEM-01" in first and "ITEM-02" not in first and "1–2 of 5" in first
    last = client.get("/replenishment/suggestions?per_page=2&page=3").get_data(as_text=True)
    assert "ITEM-04" in last and "ITEM-03" not in last
    alerts = client.get("/replenishment/warnings?per_page=2&page=2").get_data(as_text=True)
    assert "ITEM-02" in alerts and "ITEM-03" in alerts and "ITEM-00" not in alerts and "3–4 of 5" in alerts


def test_approve_selected_and_approve_all_shown_on_a_later_page(client, session, shop):  # type: ignore[no-untyped-def]
    short_items(session, shop, 5)
    f.login(client, session, f.user(session, "buyer", approval_limit=100000))
    ids = open_ids(session)
    page_two = client.get("/replenishment/suggestions?per_page=2&page=2").get_data(as_text=True)
    shown = [i for i in ids if f'name="shown" value="{i}"' in page_two]
    assert shown == ids[2:4] and "Approve all 2 shown" in page_two

    response = client.post("/replenishment/suggestions?per_page=2&page=2", data={
        "select": str(shown[0]), **{f"qty-{i}": "200" for i in shown}, "do": "approve"})
    assert response.status_code == 302 and "page=2" in response.headers["Location"]
    assert open_ids(session) == [i for i in ids if i != shown[0]]     # only the selected line

    page_two = client.get("/replenishment/suggestions?per_page=2&page=2").get_data(as_text=True)
    shown = [i for i in open_ids(session) if f'name="shown" value="{i}"' in page_two]
    client.post("/replenishment/suggestions?per_page=2&page=2", data={
        "shown": [str(i) for i in shown], **{f"qty-{i}": "100" for i in shown}, "do": "approve_all"})
    assert open_ids(session) == [i for i in ids if i not in (ids[2], *shown)]
    orders = list(session.scalars(select(PurchaseOrder).order_by(PurchaseOrder.id)))
    assert [len(o.lines) for o in orders] == [1, 2] and all(o.status == "draft" for o in orders)


@pytest.mark.parametrize("url", ["/replenishment/warnings", "/replenishment/suggestions"])
def test_the_pages_run_the_same_queries_for_one_row_or_many(client, session, shop, url):  # type: ignore[no-untyped-def]
    from scm.extensions import db
    f.login(client, session, f.user(session, "buyer"))
    statements: list[str] = []

    def count(*args):  # type: ignore[no-untyped-def]
        statements.append(args[2])

    def queries() -> int:
        statements.clear()
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert client.get(url).status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return len(statements)

    short_items(session, shop, 1)
    one = queries()
    short_items(session, shop, 6, start=1)
    assert queries() == one
