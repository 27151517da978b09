"""Nobody orders twice (file SQLite here, PostgreSQL with SCM_TEST_DATABASE_URL): the nightly plan job and a
buyer approving the same suggestion at the same moment, and two buyers approving the same suggestion
at the same moment, leave exactly one buy of the need, a draft or an open suggestion, never both.

The guard is `replenishment_lock`: the plan and every approval take the same lock row first, so one
waits for the other; the approval that waited re-reads its suggestions and is refused with a message
saying why (replaced by a newer plan, or already approved). Each race is widened by a pause inside the
racing transaction (the plan sleeps after loading its inputs, a draft waits before it is written).

Negative controls: the same races with the lock taken away and on an engine without SQLite's
IMMEDIATE transactions (the plain driver: no lock between the read and the write) DO order twice,
which proves these tests can see the failure the lock prevents.
"""
from __future__ import annotations

import time
from datetime import datetime, timezone
from decimal import Decimal

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from scm import jobs
from scm.models import PurchaseOrder, PurchaseOrderLine, Suggestion
from scm.services.planning import (
    replenishment,
    approval as replenishment_approval,
    plan_inputs as replenishment_inputs,
    plan_lock as replenishment_lock,
)
from scm.services.purchasing import orders as purchasing
from scm.services.stock import ledger as stock_ledger
from scm.services.kernel.actors import Actor
from scm.services.kernel.errors import InvalidTransition
from scm.services.kernel.transaction import run_in_transaction
from tests import factories as f
from tests import replen_factories as rf
from tests import supplier_factories as sf
from tests.concurrency.harness import run_together

NOW = datetime(2026, 3, 2, 4, tzinfo=timezone.utc)   # the nightly job's hour, on the forecast's first day


@pytest.fixture
def planned(session):  # type: ignore[no-untyped-def]
    """BOLT at MAIN runs out in 3 days; last night's plan suggested one buy from ACME."""
    main, bolt, acme = f.warehouse(session, "MAIN"), f.item(session, "BOLT", abc_class="B"), f.supplier(session, "ACME")
    sf.entry(session, acme, bolt, "primary", 100000, lead=7)
    rf.daily_forecast(session, bolt, main, 10.0, sigma=3.0, start=NOW.date())
    f.stock(session, bolt, main, 30)
    replenishment.plan(session, as_of=NOW.date(), actor=f.actor(), now=NOW)
    (suggestion,) = session.scalars(select(Suggestion).where(Suggestion.status == "open"))
    buyers = [Actor.for_user(f.user(session, "buyer", approval_limit=Decimal(100000)), "web") for _ in range(2)]
    ids = suggestion.id, bolt.id
    session.commit()
    session.close()   # SQLite transactions begin IMMEDIATE: hold none while the workers race
    return ids, buyers


def buys_of(session, item_id: int) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """(draft or later orders of the item, open buy suggestions of the item)."""
    session.expire_all()
    orders = session.scalar(select(func.count(func.distinct(PurchaseOrderLine.po_id))).where(
        PurchaseOrderLine.item_id == item_id))
    open_buys = session.scalar(select(func.count()).select_from(Suggestion).where(
        Suggestion.item_id == item_id, Suggestion.kind == "buy", Suggestion.status == "open"))
    return orders, open_buys


@pytest.fixture
def slow_plan(monkeypatch):  # type: ignore[no-untyped-def]
    """The plan pauses between loading its inputs and writing its suggestions."""
    load = replenishment_inputs.load

    def slow(*args, **kwargs):  # type: ignore[no-untyped-def]
        inputs = load(*args, **kwargs)
        time.sleep(0.5)
        return inputs

    monkeypatch.setattr(replenishment_inputs, "load", slow)


@pytest.fixture
def slow_draft(monkeypatch):  # type: ignore[no-untyped-def]
    """A draft waits a moment before it is written (after its suggestions were read)."""
    create = purchasing.create_draft

    def slow(*args, **kwargs):  # type: ignore[no-untyped-def]
        time.sleep(0.3)
        return create(*args, **kwargs)

    monkeypatch.setattr(purchasing, "create_draft", slow)


@pytest.fixture
def unguarded(db, monkeypatch):  # type: ignore[no-untyped-def]
    """No plan lock, and (SQLite) the plain driver's transactions instead of IMMEDIATE ones."""
    monkeypatch.setattr(replenishment_lock, "take", lambda session, **_kw: None)
    engine = create_engine(db.engine.url, **({"connect_args": {"timeout": 30}}
                                             if db.engine.dialect.name == "sqlite" else {}))
    yield engine
    engine.dispose()


def _job_and_buyer(app, planned):  # type: ignore[no-untyped-def]
    (suggestion_id, _item_id), buyers = planned

    def task(s: Session, index: int) -> object:
        if index == 0:   # the nightly job: plan, auto-order, e-mail (what the scheduler runs)
            with app.app_context():
                return run_in_transaction(s, lambda: jobs.replenishment_plan(s, NOW, app.config))
        time.sleep(0.15)   # the buyer presses "Approve" while the plan is running
        return run_in_transaction(s, lambda: replenishment_approval.approve(s, [suggestion_id], actor=buyers[0],
                                                                            now=NOW))
    return task


def _two_buyers(planned):  # type: ignore[no-untyped-def]
    (suggestion_id, _item_id), buyers = planned

    def task(s: Session, index: int) -> str:
        result = run_in_transaction(s, lambda: replenishment_approval.approve(s, [suggestion_id],
                                                                              actor=buyers[index], now=NOW))
        return result.orders[0].number
    return task


def test_the_plan_job_and_a_buyer_approving_at_once_buy_once(app, db, session, planned, slow_plan):
    outcomes = run_together(db.engine, 2, _job_and_buyer(app, planned))
    refused = outcomes.of_type(InvalidTransition)
    assert outcomes.errors == refused and len(refused) <= 1
    assert buys_of(session, planned[0][1]) in {(1, 0), (0, 1)}   # a draft, or the newer plan's suggestion
    if refused:    # the approval waited for the plan: its suggestion was replaced, nothing was ordered
        assert "replaced by a newer plan" in refused[0].message and "nothing was ordered" in refused[0].message
    else:          # the approval went first: the plan counted its draft as on order
        (order,) = session.scalars(select(PurchaseOrder))
        assert order.status == "draft"
    run_in_transaction(session, lambda: replenishment.plan(session, as_of=NOW.date(), actor=f.actor(), now=NOW))
    assert sum(buys_of(session, planned[0][1])) == 1     # and the next plan does not add a second
    assert stock_ledger.ledger_check(session) == []


def test_two_buyers_approving_the_same_suggestion_at_once_make_one_draft(db, session, planned, slow_draft):
    outcomes = run_together(db.engine, 2, _two_buyers(planned))
    assert len(outcomes.results) == 1 and len(outcomes.of_type(InvalidTransition)) == 1 == len(outcomes.errors)
    assert "already approved" in outcomes.errors[0].message and outcomes.results[0] in outcomes.errors[0].message
    assert buys_of(session, planned[0][1]) == (1, 0)
    assert stock_ledger.ledger_check(session) == []


def test_negative_control_without_the_lock_the_job_and_a_buyer_buy_twice(app, session, planned, slow_plan,
                                                                         unguarded):
    outcomes = run_together(unguarded, 2, _job_and_buyer(app, planned))
    assert outcomes.errors == []
    assert buys_of(session, planned[0][1]) == (1, 1)     # a draft and the same buy suggested again


def test_negative_control_without_the_lock_two_buyers_make_two_drafts(session, planned, slow_draft, unguarded):
    outcomes = run_together(unguarded, 2, _two_buyers(planned))
    assert outcomes.errors == [] and len(outcomes.results) == 2
    assert buys_of(session, planned[0][1]) == (2, 0)
