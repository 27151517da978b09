"""Scorecards: every metric on hand-made facts, idle periods, weights, standings, the replace flag,
monthly vs quarterly, and the refresh that stores snapshots (idempotent)."""
from __future__ import annotations

import ast
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from scm.models import ScorecardSnapshot
from scm.services.suppliers import scorecard_facts, scorecards
from scm.services.kernel.errors import NotFound, ValidationFailed
from scm.services.suppliers.scorecard_metrics import (
    Delivery, Facts, Inspection, Period, PurchaseOrder, Settings, compute, overall_score, period_of, periods_between,
    standing_for,
)
from tests import factories as f
from tests.supplier_factories import at, delivery

D = Decimal
MARCH = period_of("month", date(2026, 3, 15))
NOW = datetime(2026, 4, 1, tzinfo=timezone.utc)
THIN = Settings(min_metrics=1, min_facts=1)   # grade on any evidence: for tests of the other rules


def deliver(received: date, *, promised: date = date(2026, 3, 10), ordered: date = date(2026, 3, 1), line: str = "",
            qty: str = "10", got: str | None = None, price: str = "1.00", best: str | None = None,
            stated: int = 9, supplier: int = 1) -> Delivery:
    return Delivery(supplier, line, ordered, promised, received, D(qty), D(got if got is not None else qty), D(price),
                    stated, D(best) if best else None)


def one(facts: Facts, period: Period = MARCH, settings: Settings = Settings()):  # type: ignore[no-untyped-def]
    scores = compute(facts, [period], settings, now=NOW)
    assert len(scores) == 1
    return scores[0]


def test_periods_are_calendar_months_and_quarters():
    assert MARCH == Period("month", date(2026, 3, 1), date(2026, 3, 31)) and MARCH.label == "2026-03"
    q = period_of("quarter", date(2026, 11, 30))
    assert (q.start, q.end, q.label) == (date(2026, 10, 1), date(2026, 12, 31), "2026-Q4")
    assert [p.label for p in periods_between("month", date(2025, 12, 5), date(2026, 2, 1))] == \
        ["2025-12", "2026-01", "2026-02"]
    assert period_of("month", date(2024, 2, 10)).end == date(2024, 2, 29)


def test_on_time_delivery_by_line_and_by_quantity():
    facts = Facts(deliveries=(
        deliver(date(2026, 3, 9), line="L1", qty="30"),                 # early
        deliver(date(2026, 3, 10), line="L2", qty="10"),                # on the day: on time
        deliver(date(2026, 3, 11), line="L3", qty="60"),                # late
        deliver(date(2026, 3, 10), line="L4", qty="20", got="10"),      # part on time ...
        deliver(date(2026, 3, 12), line="L4", qty="20", got="10"),      # ... rest late: the line is late
    ))
    score = one(facts)
    assert score.on_time_lines == D("50.00")                   # L1, L2 of 4 lines
    assert score.on_time_qty == D("41.67")                     # (30 + 10 + 10) / 120
    assert score.on_time == D("45.83")                         # mean of 50 and 41.67
    assert score.deliveries == 5


def test_fill_rate_counts_each_line_once_and_caps_over_delivery():
    facts = Facts(deliveries=(
        deliver(date(2026, 3, 5), line="A", qty="100", got="60"),
        deliver(date(2026, 3, 8), line="A", qty="100", got="30"),       # line A: 90 of 100
        deliver(date(2026, 3, 5), line="B", qty="50", got="70"),        # over-delivered: counts 50
        deliver(date(2026, 3, 5), line="C", qty="50", got="0"),         # closed short
    ))
    assert one(facts).fill_rate == D("70.00")                 # (90 + 50 + 0) / 200


def test_quality_pass_rate():
    facts = Facts(inspections=(Inspection(1, date(2026, 3, 3), D(80), D(76)), Inspection(1, date(2026, 3, 20), D(20), D(20)),
                               Inspection(1, date(2026, 4, 1), D(10), D(0))))  # April: not in March
    assert one(facts).quality == D("96.00")


def test_lead_time_reliability_mean_and_spread_against_stated():
    # actual lead times 8, 10, 12 days (mean 10, std 1.633), stated 9: 1 day slow and erratic
    facts = Facts(deliveries=tuple(deliver(date(2026, 3, 1) + timedelta(days=n)) for n in (8, 10, 12)))
    score = one(facts)
    assert (score.lead_time_mean_days, score.lead_time_std_days, score.lead_time_stated_days) == \
        (D("10.00"), D("1.63"), D("9.00"))
    assert score.lead_time == D("70.74")                      # 100 × (1 − (1 + 1.633) / 9)
    early_and_steady = Facts(deliveries=tuple(deliver(date(2026, 3, 6)) for _ in range(3)))
    assert one(early_and_steady).lead_time == D("100.00")      # 5 days against 9 stated: no penalty
    hopeless = Facts(deliveries=(deliver(date(2026, 3, 31), stated=2),))
    assert one(hopeless).lead_time == D("0.00")
    # items with different stated lead times, each delivered exactly as stated: perfectly reliable
    as_stated = Facts(deliveries=(deliver(date(2026, 3, 6), stated=5), deliver(date(2026, 3, 21), stated=20)))
    assert (one(as_stated).lead_time, one(as_stated).lead_time_std_days) == (D("100.00"), D("0.00"))


def test_price_competitiveness_against_the_best_catalog_price():
    facts = Facts(deliveries=(deliver(date(2026, 3, 5), qty="10", price="2.00", best="1.80"),
                              deliver(date(2026, 3, 6), qty="30", price="1.00", best="1.00"),
                              deliver(date(2026, 3, 7), qty="5", price="9.00", best=None)))  # no catalog price
    assert one(facts).price == D("96.00")                      # (18 + 30) / (20 + 30)
    cheaper_than_catalog = Facts(deliveries=(deliver(date(2026, 3, 5), price="0.90", best="1.00"),))
    assert one(cheaper_than_catalog).price == D("100.00")


def test_responsiveness_in_hours_from_sent_to_confirmed():
    sent = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
    facts = Facts(orders=(PurchaseOrder(1, sent, sent + timedelta(hours=12)),         # 100
                          PurchaseOrder(1, sent, sent + timedelta(hours=96)),         # 50: halfway 24..168
                          PurchaseOrder(1, sent, None),                               # unconfirmed after a week: 0
                          PurchaseOrder(1, datetime(2026, 3, 31, 12, tzinfo=timezone.utc), None)))  # too young
    score = one(facts)
    assert score.responsiveness == D("50.00") and score.responsiveness_hours == D("54.00")
    assert score.orders == 4


def test_a_period_without_facts_is_no_activity_not_zero():
    facts = Facts(deliveries=(deliver(date(2026, 3, 5)),))
    april = period_of("month", date(2026, 4, 1))
    march, idle = compute(facts, [MARCH, april], THIN, now=NOW)
    assert march.overall is not None and march.standing is not None
    assert idle.period == april and idle.no_activity
    assert (idle.overall, idle.on_time, idle.quality, idle.lead_time, idle.fill_rate, idle.price,
            idle.responsiveness, idle.standing) == (None,) * 8
    # a supplier with no facts at all still gets an honest row
    assert compute(Facts(), [MARCH], now=NOW, supplier_ids=[7])[0].no_activity


def test_overall_is_the_weighted_mean_of_the_metrics_with_data():
    weights = {"on_time": 25, "quality": 25, "lead_time": 15, "fill_rate": 15, "price": 10, "responsiveness": 10}
    assert overall_score({"on_time": D(80), "quality": D(100), "price": None}, weights) == D("90.00")
    assert overall_score({"on_time": D(80), "lead_time": D(40)}, weights) == D("65.00")   # (25·80 + 15·40) / 40
    assert overall_score({"price": None}, weights) is None
    assert overall_score({"on_time": D(50)}, {**weights, "on_time": 0}) is None
    facts = Facts(deliveries=(deliver(date(2026, 3, 5)),), inspections=(Inspection(1, date(2026, 3, 5), D(10), D(5)),))
    score = one(facts)  # on-time 100, lead time 100 (4 days vs 9), fill 100, quality 50; no price or responsiveness
    assert score.overall == D("84.38")  # (100 × 55 + 50 × 25) / 80 = 84.375


def test_standings_follow_the_thresholds():
    settings = Settings(preferred_min=90, approved_min=75, watch_min=60)
    assert [standing_for(D(v), settings) for v in ("90", "89.99", "75", "74.99", "60", "59.99", "0")] == \
        ["preferred", "approved", "approved", "watch", "watch", "probation", "probation"]
    assert standing_for(None, settings) is None
    assert standing_for(D(80), Settings(preferred_min=80, approved_min=70, watch_min=50)) == "preferred"


def test_replace_candidate_after_n_bad_periods_in_a_row_idle_periods_skipped():
    months = periods_between("month", date(2026, 1, 1), date(2026, 6, 1))
    late = {1: 20, 2: 20, 4: 20, 5: 20}  # Jan, Feb bad; Mar idle; Apr, May bad; Jun good
    deliveries = [deliver(date(2026, m, late.get(m, 5)), promised=date(2026, m, 10), ordered=date(2026, m, 1))
                  for m in (1, 2, 4, 5, 6)]
    scores = compute(Facts(deliveries=tuple(deliveries)), months, Settings(replace_after=3, min_metrics=1, min_facts=1),
                     now=NOW)
    assert [s.standing for s in scores] == ["probation", "probation", None, "probation", "probation", "preferred"]
    assert [s.replace_candidate for s in scores] == [False, False, False, True, True, False]
    assert [s.replace_candidate for s in compute(Facts(deliveries=tuple(deliveries)), months,
                                                 Settings(replace_after=2, min_metrics=1, min_facts=1),
                                                 now=NOW)][:2] == [False, True]


def test_monthly_and_quarterly_periods_aggregate_the_same_facts():
    facts = Facts(deliveries=(deliver(date(2026, 1, 9), promised=date(2026, 1, 10), ordered=date(2026, 1, 1)),
                              deliver(date(2026, 2, 20), promised=date(2026, 2, 10), ordered=date(2026, 2, 1),
                                      qty="30")))
    periods = periods_between("month", date(2026, 1, 1), date(2026, 3, 31)) + [period_of("quarter", date(2026, 1, 1))]
    by = {s.period.label: s for s in compute(facts, periods, now=NOW)}
    assert (by["2026-01"].on_time_qty, by["2026-02"].on_time_qty, by["2026-03"].on_time_qty) == (D(100), D(0), None)
    assert by["2026-Q1"].on_time_qty == D("25.00") and by["2026-Q1"].on_time_lines == D("50.00")
    assert by["2026-Q1"].deliveries == 2


def test_the_computation_module_touches_no_database_and_no_clock():
    source = Path(scorecards.__file__).with_name("scorecard_metrics.py").read_text()
    imported = {node.module for node in ast.walk(ast.parse(source)) if isinstance(node, ast.ImportFrom)}
    assert not {m for m in imported if m and m.split(".")[0] in {"sqlalchemy", "flask", "scm"}}, imported


# ---------------------------------------------------------------- facts interface and refresh (database)

@pytest.fixture
def acme(session):  # type: ignore[no-untyped-def]
    return f.supplier(session, "ACME"), f.item(session, "BOLT")


def test_facts_interface_is_idempotent_and_validates(session, acme):
    supplier, item = acme
    first = delivery(session, supplier, item, ordered=date(2026, 3, 1), promised=date(2026, 3, 8),
                     received=date(2026, 3, 9), receipt="R-1")
    again = delivery(session, supplier, item, ordered=date(2026, 3, 1), promised=date(2026, 3, 8),
                     received=date(2026, 3, 9), receipt="R-1")
    assert first.id == again.id
    with pytest.raises(ValidationFailed):
        delivery(session, supplier, item, ordered=date(2026, 3, 1), promised=date(2026, 3, 8),
                 received=date(2026, 2, 1))
    with pytest.raises(ValidationFailed):
        scorecard_facts.record_inspection(session, supplier_id=supplier.id, item_id=item.id,
                                          inspected_on=date(2026, 3, 9), qty_inspected=5, qty_accepted=6)
    scorecard_facts.record_po_sent(session, supplier_id=supplier.id, po_ref="PO-1", sent_at=at(date(2026, 3, 1)))
    scorecard_facts.record_po_sent(session, supplier_id=supplier.id, po_ref="PO-1", sent_at=at(date(2026, 3, 5)))
    fact = scorecard_facts.record_confirmation(session, supplier_id=supplier.id, po_ref="PO-1",
                                               confirmed_at=at(date(2026, 3, 2)))
    assert (fact.sent_at, fact.confirmed_at) == (at(date(2026, 3, 1)), at(date(2026, 3, 2)))
    with pytest.raises(NotFound):
        scorecard_facts.record_confirmation(session, supplier_id=supplier.id, po_ref="PO-404",
                                            confirmed_at=at(date(2026, 3, 2)))


def test_the_best_catalog_price_is_captured_with_the_delivery(session, acme):
    from tests.supplier_factories import entry
    supplier, item = acme
    entry(session, supplier, item, "primary", 100, breaks=[{"min_qty": 0, "unit_price": "2.00"},
                                                           {"min_qty": 50, "unit_price": "1.50"}])
    entry(session, f.supplier(session, "CHEAP"), item, "backup", 100,
          breaks=[{"min_qty": 0, "unit_price": "1.90", "valid_to": "2026-02-28"}])
    fact = delivery(session, supplier, item, ordered=date(2026, 3, 1), promised=date(2026, 3, 8),
                    received=date(2026, 3, 9), qty_ordered=10, price="2.00")
    assert fact.best_price == D("2.00")  # CHEAP's price had expired on the order date
    assert delivery(session, supplier, item, ordered=date(2026, 2, 1), promised=date(2026, 2, 8),
                    received=date(2026, 2, 9), qty_ordered=60).best_price == D("1.50")


def test_refresh_stores_snapshots_and_is_idempotent(session, acme):
    supplier, item = acme
    idle = f.supplier(session, "IDLE")
    for n in range(3):
        delivery(session, supplier, item, ordered=date(2026, 2, 1 + n), promised=date(2026, 2, 8 + n),
                 received=date(2026, 2, 8 + n + n), stated=7)
    as_of = date(2026, 3, 15)
    first = scorecards.refresh(session, as_of)
    count = session.scalar(select(func.count()).select_from(ScorecardSnapshot))
    assert first.snapshots == count == 2 * (12 + 4)   # 12 months and 4 quarters (Q2 2025 .. Q1 2026) each
    feb = session.scalar(select(ScorecardSnapshot).where(ScorecardSnapshot.supplier_id == supplier.id,
                                                         ScorecardSnapshot.period == "month",
                                                         ScorecardSnapshot.period_start == date(2026, 2, 1)))
    assert feb.on_time_lines == D("33.33") and feb.deliveries == 3
    before = {(s.supplier_id, s.period, s.period_start, s.overall) for s in session.scalars(select(ScorecardSnapshot))}
    scorecards.refresh(session, as_of)
    after = {(s.supplier_id, s.period, s.period_start, s.overall) for s in session.scalars(select(ScorecardSnapshot))}
    assert before == after and len(after) == count
    assert all(s.overall is None for s in scorecards.history(session, idle.id))
    assert scorecards.current_standing(session, supplier.id).period_start == date(2026, 2, 1)
    period, rows = scorecards.ranking(session)
    assert period == date(2026, 2, 1) and [r.code for r in rows] == ["ACME", "IDLE"]


def test_settings_validate_and_recompute(session, acme):
    supplier, item = acme
    delivery(session, supplier, item, ordered=date(2026, 3, 1), promised=date(2026, 3, 8), received=date(2026, 3, 20))
    scorecard_facts.record_inspection(session, supplier_id=supplier.id, item_id=item.id,
                                      inspected_on=date(2026, 3, 20), qty_inspected=10, qty_accepted=10)
    with pytest.raises(ValidationFailed) as bad:
        scorecards.update_settings(session, {"preferred_min": 50, "approved_min": 70}, actor=f.actor())
    assert "approved_min" in bad.value.field_errors
    with pytest.raises(ValidationFailed):
        scorecards.update_settings(session, {f"weight_{m}": 0 for m in scorecards.METRICS}, actor=f.actor())
    only_quality = {f"weight_{m}": 0 for m in scorecards.METRICS} | {"weight_quality": 10, "min_metrics": 1,
                                                                     "min_facts": 1}
    scorecards.update_settings(session, only_quality, actor=f.actor(), as_of=date(2026, 3, 31))
    march = scorecards.current_standing(session, supplier.id)
    assert march.overall == D(100) and march.standing == "preferred"   # only quality counts now
    assert scorecards.get_settings(session).weights["on_time"] == 0


def test_the_scorecards_job_refreshes_for_the_day(session, acme):
    from scm import jobs
    supplier, item = acme
    delivery(session, supplier, item, ordered=date(2026, 3, 1), promised=date(2026, 3, 8), received=date(2026, 3, 8))
    result = jobs.scorecards_refresh(session, datetime(2026, 3, 20, 3, 15, tzinfo=timezone.utc), {})
    assert result == "16 scorecard snapshot(s) for 1 supplier(s), 2 with activity"  # March and Q1 2026
    assert jobs.job_by_id("scorecards").run is jobs.scorecards_refresh
