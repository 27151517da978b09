"""Replenishment with a fixed as_of: formulas, projection, warning severities, transfers and orders."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import select

from forecasting import policy as formulas
from scm.models import PurchaseOrder, StockWarning, Suggestion
from scm.services.planning import (
    replenishment,
    approval as replenishment_approval,
    policies as replenishment_policy,
    warnings as stock_warnings,
)
from scm.services.kernel.actors import Actor
from tests import factories as f
from tests import replen_factories as rf
from tests import supplier_factories as sf

D = Decimal
AS_OF = rf.AS_OF
NOW = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
Z95 = formulas.z_for_service_level(0.95)


def run(session, as_of=AS_OF, **kw):  # type: ignore[no-untyped-def]
    return replenishment.plan(session, as_of=as_of, actor=f.actor(), now=NOW, **kw)


def pair_of(session, item, warehouse, as_of=AS_OF):  # type: ignore[no-untyped-def]
    inputs = replenishment.replenishment_inputs.load(session, as_of=as_of)
    return next(p for p in replenishment.compute(inputs) if (p.item_id, p.warehouse_id) == (item.id, warehouse.id))


def warning_of(session, item):  # type: ignore[no-untyped-def]
    return session.scalar(select(StockWarning).where(StockWarning.item_id == item.id,
                                                     StockWarning.status != "resolved"))


def suggestions(session):  # type: ignore[no-untyped-def]
    return list(session.scalars(select(Suggestion).where(Suggestion.status == "open").order_by(Suggestion.id)))


@pytest.fixture
def world(session):  # type: ignore[no-untyped-def]
    """One B-class item (95 %) at MAIN, 10 a day with σ 3 a day, primary ACME with a 7-day stated lead time."""
    main = f.warehouse(session, "MAIN", latitude=52.0, longitude=5.0)
    item = f.item(session, "BOLT", abc_class="B")
    acme = f.supplier(session, "ACME")
    sf.entry(session, acme, item, "primary", 100000, lead=7)
    rf.daily_forecast(session, item, main, 10.0, sigma=3.0)
    return main, item, acme


def test_safety_stock_reorder_point_and_order_up_to_follow_the_formulas(session, world):  # type: ignore[no-untyped-def]
    main, item, _acme = world
    f.stock(session, item, main, 600)       # lasts 60 days: beyond the 56-day horizon
    pair = pair_of(session, item, main)
    assert pair.service_level == 95 and pair.lead_time == 7 and pair.review_days == 7
    assert pair.safety == pytest.approx(Z95 * (7 * 3**2) ** 0.5)                      # z·sqrt(L·σd²)
    assert pair.reorder_point == pytest.approx(10 * 7 + Z95 * (7 * 9) ** 0.5)          # d·L + SS
    assert pair.order_up_to == pytest.approx(10 * 14 + Z95 * (14 * 9) ** 0.5)          # d·(L+R) + SS(L+R)
    assert pair.severity is None and pair.need == 0


def test_lead_time_variability_from_actual_receipts_enters_safety_stock(session, world):  # type: ignore[no-untyped-def]
    main, item, acme = world
    for k, days in enumerate((6, 8, 10)):
        ordered = date(2026, 1, 5) + timedelta(days=k * 14)
        sf.delivery(session, acme, item, ordered=ordered, promised=ordered + timedelta(days=7),
                    received=ordered + timedelta(days=days), receipt=f"R{k}")
    pair = pair_of(session, item, main)
    assert (pair.lead_time, pair.lead_sigma) == (8, pytest.approx(2.0))
    assert "actual mean of 3 deliveries" in pair.lead_basis
    assert pair.safety == pytest.approx(Z95 * (8 * 9 + 10**2 * 2**2) ** 0.5)      # z·sqrt(L·σd² + d²·σL²)


def test_backtest_method_and_defaults_by_abc_class(session, world):  # type: ignore[no-untyped-def]
    main, item, _acme = world
    admin = Actor.for_user(f.user(session, "admin"), "web")
    replenishment_policy.set_policy(session, item.id, main.id, {"safety_method": "backtest", "service_level": "99"},
                                    actor=admin)
    pair = pair_of(session, item, main)
    z = formulas.z_for_service_level(0.99)
    assert pair.safety == pytest.approx(z * (7 * 9) ** 0.5)  # Σσ_t² over 7 days of a flat σ = 7·σ²
    other = f.item(session, "NUT", abc_class="A")
    assert replenishment_policy.get_policy(session, other.id, main.id).service_level == 98


def test_a_stock_out_before_any_order_could_arrive_is_critical(session, world):  # type: ignore[no-untyped-def]
    main, item, _acme = world
    f.stock(session, item, main, 30)
    run(session)
    warning = warning_of(session, item)
    assert warning.severity == "critical"
    assert warning.stockout_on == AS_OF + timedelta(days=3)   # 30 covers days 0-2
    assert warning.qty_short == D(40)                         # 70 demand before day 7, 30 in stock
    assert warning.stockout_probability == pytest.approx(1.0, abs=1e-3)


def test_below_reorder_point_is_a_warning_and_far_stock_out_is_watch(session, world):  # type: ignore[no-untyped-def]
    main, item, _acme = world
    f.stock(session, item, main, 80)        # stock-out day 8, after the 7-day lead time; below ROP 83
    run(session)
    assert warning_of(session, item).severity == "warning"
    f.stock(session, item, main, 100)       # 180: above ROP, stock-out day 18 inside the 56-day horizon
    run(session)
    warning = warning_of(session, item)
    assert (warning.severity, warning.stockout_on) == ("watch", AS_OF + timedelta(days=18))


def test_minimum_days_of_cover_always_warns(session, world):  # type: ignore[no-untyped-def]
    main, item, acme = world
    f.stock(session, item, main, 20)        # 2 days of cover
    order = f.purchase_order(session, acme, main, [(item, 500)], status="sent")
    order.lines[0].promised_date = AS_OF    # the stock arrives today: no stock-out, position above ROP
    run(session)
    warning = warning_of(session, item)
    assert warning.severity == "warning" and "days of cover" in warning.reason
    assert warning.days_of_cover == pytest.approx(2.0)


def test_projection_includes_open_orders_at_their_expected_date(session, world):  # type: ignore[no-untyped-def]
    """(A shipment ETA moved by its carrier: tests/services/test_replenishment_inbound.py.)"""
    main, item, acme = world
    f.stock(session, item, main, 60)
    order = f.purchase_order(session, acme, main, [(item, 100)], status="sent")   # expected day 7
    run(session)
    warning = warning_of(session, item)
    assert warning.severity == "critical" and warning.stockout_on == AS_OF + timedelta(days=6)
    assert warning.qty_short == D(10) and warning.open_orders == [order.number]
    pair = pair_of(session, item, main)
    assert pair.on_order == 100 and pair.stockout_day == 6


def test_warnings_resolve_themselves_when_the_projection_recovers(session, world):  # type: ignore[no-untyped-def]
    main, item, _acme = world
    f.stock(session, item, main, 30)
    run(session)
    warning = warning_of(session, item)
    stock_warnings.acknowledge(session, warning.id, actor=Actor.for_user(f.user(session, "buyer"), "web"), now=NOW)
    assert warning.status == "acknowledged"
    f.stock(session, item, main, 1000)
    run(session)
    session.refresh(warning)
    assert (warning.status, warning.resolved_on) == ("resolved", AS_OF)
    assert stock_warnings.open_warnings(session) == []


def test_buyers_are_emailed_once_and_again_only_on_escalation(session, app, world):  # type: ignore[no-untyped-def]
    main, item, _acme = world
    f.user(session, "buyer", email="buyer@example.com")
    f.stock(session, item, main, 80)
    run(session)
    assert stock_warnings.notify_buyers(session, app.config, now=NOW) == 1
    run(session)
    assert stock_warnings.notify_buyers(session, app.config, now=NOW) == 0     # no repeat spam
    from scm.services.stock import ledger as stock_ledger
    stock_ledger.issue(session, item_id=item.id, warehouse_id=main.id, qty=D(60), reason="sale", actor=f.actor())
    run(session)
    assert warning_of(session, item).severity == "critical"
    assert stock_warnings.notify_buyers(session, app.config, now=NOW) == 1
    outbox = app.config["SCM_MAIL_OUTBOX"]
    assert len(outbox) == 2 and "BOLT" in outbox[1].get_content() and outbox[1]["To"] == "buyer@example.com"


def test_transfer_before_buy_from_the_nearest_warehouse(session, world):  # type: ignore[no-untyped-def]
    main, item, _acme = world
    near = f.warehouse(session, "NEAR", latitude=52.1, longitude=5.1)
    far = f.warehouse(session, "FAR", latitude=40.0, longitude=-3.0)
    for wh, qty in ((near, 100), (far, 50)):
        rf.daily_forecast(session, item, wh, 1.0)
        f.stock(session, item, wh, qty)      # order-up-to 14: 86 and 36 above it
    f.stock(session, item, main, 30)
    run(session)
    rows = suggestions(session)
    need = 10 * 14 + Z95 * (14 * 9) ** 0.5 - 30
    transfers = [r for r in rows if r.kind == "transfer"]
    assert [(r.from_warehouse_id, r.qty) for r in transfers] == [(near.id, D(86)), (far.id, D(36))]
    assert "transfer before buy: NEAR" in transfers[0].reason
    (buy,) = [r for r in rows if r.kind == "buy"]
    assert need - 122 == pytest.approx(6.46, abs=0.01) and buy.qty == D(7)  # the remainder, to whole units


def test_supplier_split_with_failover_and_rounding(session, world):  # type: ignore[no-untyped-def]
    main, item, acme = world
    session.execute(Suggestion.__table__.delete())
    from scm.models import CatalogEntry
    entry = session.scalar(select(CatalogEntry).where(CatalogEntry.supplier_id == acme.id))
    entry.capacity_per_week, entry.moq, entry.order_multiple = D(50), D(0), D(25)   # 50 a week: not enough
    backup = f.supplier(session, "BKP")
    sf.entry(session, backup, item, "backup", 100000, lead=5, moq=100, multiple=10)
    f.stock(session, item, main, 80)        # a warning, not critical: ACME's 7 days are in time
    run(session)
    rows = [r for r in suggestions(session) if r.kind == "buy"]
    assert [(r.supplier_id, r.qty) for r in rows] == [(acme.id, D(50)), (backup.id, D(100))]
    assert rows[0].details["lead_time_days"] == 7 and "split: ACME can make only 50" in rows[1].reason
    acme.status, acme.status_reason = "blocked", "quality"
    run(session)
    (only,) = [r for r in suggestions(session) if r.kind == "buy"]
    assert only.supplier_id == backup.id and only.qty == D(100)          # 78.46 rounded up to the MOQ
    assert "failover: primary ACME cannot be used" in only.reason


def test_buyer_approves_suggestions_into_one_draft_per_supplier_and_warehouse(session, world):  # type: ignore[no-untyped-def]
    main, item, _acme = world
    second = f.item(session, "NUT", abc_class="B")
    sf.entry(session, _acme, second, "primary", 100000, lead=7)
    rf.daily_forecast(session, second, main, 5.0)
    f.stock(session, item, main, 30)
    run(session)
    buyer = Actor.for_user(f.user(session, "buyer", approval_limit=D(100000)), "web")
    ids = [r.id for r in suggestions(session)]
    first = suggestions(session)[0]
    replenishment_approval.update_suggestion(session, first.id, qty="200", supplier_id=None, actor=buyer)
    result = replenishment_approval.approve(session, ids, actor=buyer, now=NOW)
    (order,) = result.orders
    assert order.status == "draft" and len(order.lines) == 2
    assert sorted(line.qty_ordered for line in order.lines)[-1] == D(200)
    assert all(r.status == "approved" and r.po_id == order.id for r in session.scalars(select(Suggestion)
                                                                                     .where(Suggestion.id.in_(ids))))


def test_auto_order_sends_within_the_buyers_limit_and_waits_above_it(session, world):  # type: ignore[no-untyped-def]
    main, item, _acme = world
    generous = Actor.for_user(f.user(session, "buyer", approval_limit=D(10000)), "web")
    replenishment_policy.set_policy(session, item.id, main.id, {"auto_order": "yes"}, actor=generous)
    f.stock(session, item, main, 30)
    plan = run(session)
    assert replenishment_approval.auto_order(session, plan.id, now=NOW) == {
        "sent": 1, "pending_approval": 0, "refused": 0, "no_buyer": 0}
    order = session.scalar(select(PurchaseOrder))
    assert order.status == "sent" and order.created_by == generous.user_id

    stingy = Actor.for_user(f.user(session, "buyer", approval_limit=D(10)), "web")
    other = f.warehouse(session, "WEST")
    rf.daily_forecast(session, item, other, 10.0)
    replenishment_policy.set_policy(session, item.id, other.id, {"auto_order": "yes"}, actor=stingy)
    plan = run(session)
    counts = replenishment_approval.auto_order(session, plan.id, now=NOW)
    assert counts["pending_approval"] == 1
    assert session.scalar(select(PurchaseOrder).where(PurchaseOrder.warehouse_id == other.id)).status == \
        "pending_approval"


def test_nightly_job_plans_orders_and_emails_once_per_day(session, app, world):  # type: ignore[no-untyped-def]
    from scm.jobs import job_by_id, run_job
    main, item, _acme = world
    f.user(session, "buyer", email="buyer@example.com")
    f.stock(session, item, main, 30)
    session.commit()
    job = job_by_id("replenishment-plan")
    done = run_job(session, job, now=NOW)
    assert done.status == "ok" and "1 item-warehouse pair(s)" in done.result and "1 warning(s) e-mailed" in done.result
    assert run_job(session, job, now=NOW + timedelta(hours=1)) is None       # claimed once per day
    hourly = run_job(session, job_by_id("stock-warnings"), now=NOW)
    assert hourly.status == "ok" and "0 warning(s) e-mailed" in hourly.result
    assert len(app.config["SCM_MAIL_OUTBOX"]) == 1


def test_bulk_supplier_options_equal_the_sourcing_service(session, world):  # type: ignore[no-untyped-def]
    from scm.services.planning import plan_inputs as replenishment_inputs
    from scm.services.suppliers import sourcing
    _main, item, acme = world
    backup = f.supplier(session, "BKP")
    sf.entry(session, backup, item, "backup", 500, lead=5, moq=10, multiple=5,
             breaks=[{"min_qty": "0", "unit_price": "3.00"}, {"min_qty": "100", "unit_price": "2.50"}])
    sf.require(session, item, "ISO 9001")
    sf.certify(session, acme, "ISO 9001", expires=AS_OF + timedelta(days=30))
    sf.delivery(session, backup, item, ordered=date(2026, 1, 5), promised=date(2026, 1, 10),
                received=date(2026, 1, 12), receipt="R1")
    bulk, _sigma = replenishment_inputs.supplier_options(session, [item.id], AS_OF)
    key = lambda o: o.supplier_id  # noqa: E731
    assert sorted(bulk[item.id], key=key) == sorted(sourcing.options_for(session, item.id, AS_OF), key=key)
    assert [o.blockers != () for o in sorted(bulk[item.id], key=key)] == [False, True]  # BKP lacks ISO 9001
