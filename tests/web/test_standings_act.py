"""Standings that act: three rated probation months block new orders to a supplier (what purchasing's
create_draft checks) until an admin overrides it with a reason (audited, on the supplier page, revocable);
a replace candidate opens a review on the sourcing page listing who could take over, closed by a buyer."""
from __future__ import annotations

from datetime import date, timedelta

import lxml.html
import pytest
from sqlalchemy import select

from scm.models import AuditEntry, SourcingReview, utcnow
from scm.services.purchasing import orders as purchasing
from scm.services.suppliers import scorecard_facts, scorecards
from scm.services.kernel.errors import Conflict
from tests import factories as f
from tests.page_numbers import money, number
from tests.supplier_factories import certify, delivery, entry, require


def _months_back(today: date, n: int) -> date:
    index = today.year * 12 + today.month - 1 - n
    return date(index // 12, index % 12 + 1, 1)


def _bad_months(session, supplier, item) -> None:  # type: ignore[no-untyped-def]
    """The last three complete months: three late receipts, half of each inspection rejected (overall 34)."""
    today = utcnow().date()
    for back in (3, 2, 1):
        month = _months_back(today, back)
        for n in range(3):
            delivery(session, supplier, item, ordered=month, promised=month + timedelta(days=2),
                     received=month + timedelta(days=20), stated=2, receipt=f"{month}-{n}", line=f"{month}-{n}")
            scorecard_facts.record_inspection(session, supplier_id=supplier.id, item_id=item.id,
                                              inspected_on=month + timedelta(days=20), qty_inspected=10,
                                              qty_accepted=5, receipt_ref=f"{month}-{n}")


@pytest.fixture
def world(session):  # type: ignore[no-untyped-def]
    bad, good, blocked, uncertified = (f.supplier(session, c) for c in ("BAD", "GOOD", "BLK", "NOCERT"))
    blocked.status, blocked.status_reason = "blocked", "insolvent"
    item, warehouse = f.item(session, "VALVE"), f.warehouse(session, "WH1")
    require(session, item, "ISO 9001")
    for s in (bad, good, blocked):
        certify(session, s, "ISO 9001", expires=utcnow().date() + timedelta(days=300))
    entry(session, bad, item, "primary", 400, breaks=[{"min_qty": "0", "unit_price": "4.00"}])
    entry(session, good, item, "backup", 300, moq=10, breaks=[{"min_qty": "0", "unit_price": "4.60"}])
    entry(session, blocked, item, "alternate", 900)
    entry(session, uncertified, item, "alternate", 900)
    _bad_months(session, bad, item)
    scorecards.refresh(session, utcnow().date())
    return bad, good, item, warehouse


def _doc(response):  # type: ignore[no-untyped-def]
    return lxml.html.fromstring(response.get_data(as_text=True))


def test_a_run_of_probation_months_blocks_new_orders_until_an_admin_overrides(client, login_as, session, world):
    bad, _good, item, warehouse = world
    latest = scorecards.current_standing(session, bad.id)
    assert latest.standing == "probation" and latest.rated and latest.blocking
    with pytest.raises(Conflict, match="new orders are blocked"):
        purchasing.create_draft(session, supplier_id=bad.id, warehouse_id=warehouse.id, lines=[(item.id, 10, None)],
                                actor=f.actor(), as_of=utcnow().date())
    admin = login_as("admin")
    page = _doc(client.get(f"/suppliers/{bad.id}"))
    assert "new orders are blocked" in page.xpath('//*[@data-testid="scorecard-block"]')[0].text_content()
    refused = client.post(f"/suppliers/{bad.id}/order-overrides", data={"override-reason": ""})
    assert refused.status_code == 422
    granted = client.post(f"/suppliers/{bad.id}/order-overrides",
                          data={"override-reason": "only source until GOOD is qualified",
                                "override-expires_on": (utcnow().date() + timedelta(days=30)).isoformat()})
    assert granted.status_code == 302
    order, _warnings = purchasing.create_draft(session, supplier_id=bad.id, warehouse_id=warehouse.id,
                                               lines=[(item.id, 10, None)], actor=f.actor(), as_of=utcnow().date())
    assert order.id
    entry_ = session.scalar(select(AuditEntry).where(AuditEntry.action == "order_block_override.create"))
    assert entry_.actor_id == admin.id and "only source" in str(entry_.after)
    page = _doc(client.get(f"/suppliers/{bad.id}"))
    assert page.xpath('//*[@data-testid="scorecard-block-lifted"]')
    row = page.xpath("//tr[@data-override]")[0]
    assert "only source until GOOD is qualified" in row.text_content() and "in force" in row.text_content()
    revoke = client.post(f"/suppliers/{bad.id}/order-overrides/{row.get('data-override')}/revoke")
    assert revoke.status_code == 302
    assert session.scalar(select(AuditEntry.id).where(AuditEntry.action == "order_block_override.revoke"))
    with pytest.raises(Conflict):
        purchasing.create_draft(session, supplier_id=bad.id, warehouse_id=warehouse.id, lines=[(item.id, 10, None)],
                                actor=f.actor(), as_of=utcnow().date())


def test_only_admins_override(client, login_as, session, world):
    bad = world[0]
    login_as("buyer")
    assert client.post(f"/suppliers/{bad.id}/order-overrides", data={"override-reason": "please"}).status_code == 403


def test_a_replace_candidate_opens_a_review_listing_who_could_take_over(client, login_as, session, world):
    bad, good, _item, _warehouse = world
    assert scorecards.current_standing(session, bad.id).replace_candidate
    login_as("buyer")
    page = _doc(client.get("/sourcing"))
    review = page.xpath('//*[@data-review="BAD"]')[0]
    rows = {r.get("data-takeover"): r for r in review.xpath(".//tr[@data-takeover]")}
    assert list(rows) == ["VALVE/GOOD"]           # the blocked and the uncertified alternates are left out
    cell = lambda col: rows["VALVE/GOOD"].xpath(f'.//*[@data-col="{col}"]')[0].text_content()  # noqa: E731
    assert number(cell("capacity")) == 300 and number(cell("primary_capacity")) == 400 and number(cell("share")) == 75
    assert money(cell("price")) == money("4.60") and money(cell("primary_price")) == money("4.00")
    review_id = session.scalar(select(SourcingReview.id).where(SourcingReview.supplier_id == bad.id))
    bad_close = client.post(f"/sourcing/reviews/{review_id}/close", data={f"review-{review_id}-decision": "keep"})
    assert bad_close.status_code == 422
    assert session.get(SourcingReview, review_id).status == "open"
    closed = client.post(f"/sourcing/reviews/{review_id}/close",
                         data={f"review-{review_id}-decision": "dual_source",
                               f"review-{review_id}-note": "split VALVE 50/50 with GOOD"})
    assert closed.status_code == 302
    assert session.scalar(select(AuditEntry.id).where(AuditEntry.action == "sourcing_review.close"))
    assert not _doc(client.get("/sourcing")).xpath('//*[@data-review="BAD"]')
    scorecards.refresh(session, utcnow().date())     # a re-run does not reopen a decided review
    assert session.get(SourcingReview, review_id).status == "closed"
    assert session.scalar(select(SourcingReview.id).where(SourcingReview.status == "open")) is None
