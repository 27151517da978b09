"""Dual sourcing: the rule for core items (every reason it can fail), and who gets an order.

`allocate` is pure: most tests build SupplierOption values by hand. The database tests check the rule's
queries and that `choose_suppliers` loads blockers, price breaks and actual lead times correctly.
"""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import event

from scm.services.suppliers import scorecard_facts, sourcing, catalog as supplier_catalog
from scm.services.suppliers.allocation import PriceTier, SupplierOption, allocate, price_for, round_order_quantity
from scm.services.kernel.errors import ValidationFailed
from tests import factories as f
from tests.supplier_factories import certify, entry, require

D = Decimal
AS_OF = date(2026, 3, 2)  # a Monday


def option(code: str, role: str = "primary", lead: int = 7, capacity: int | str = 1000, **kw) -> SupplierOption:
    ids = {"ACME": 1, "GLOBEX": 2, "INITECH": 3, "UMBRELLA": 4}
    kw.setdefault("price_breaks", (PriceTier(D(0), D("2.00"), "USD"),))
    return SupplierOption(ids.get(code, 9), code, role, lead, D(capacity), **kw)


def only(allocation):  # type: ignore[no-untyped-def]
    assert len(allocation.lines) == 1, allocation
    return allocation.lines[0]


# ---------------------------------------------------------------- allocate (pure)

def test_the_primary_gets_the_whole_order_while_it_is_fine():
    line = only(allocate([option("GLOBEX", "backup", lead=3), option("ACME")], D(100), AS_OF + timedelta(14), AS_OF))
    assert (line.supplier_code, line.quantity, line.late) == ("ACME", D(100), False)
    assert line.expected_arrival == AS_OF + timedelta(7)
    assert line.reason.startswith("primary") and "stated" in line.reason


def test_failover_when_the_primary_is_blocked():
    result = allocate([option("ACME", status="blocked", status_reason="bankrupt"), option("GLOBEX", "backup")],
                      D(50), AS_OF + timedelta(14), AS_OF)
    line = only(result)
    assert line.supplier_code == "GLOBEX"
    assert "failover" in line.reason and "ACME is blocked: bankrupt" in line.reason
    assert result.notes == ("ACME (primary) skipped: ACME is blocked: bankrupt",)


def test_failover_when_the_primary_certificate_expired():
    expired = "ACME's ISO 9001 certificate expired on 2026-02-28; BOLT requires it"
    line = only(allocate([option("ACME", blockers=(expired,)), option("GLOBEX", "backup")], D(5),
                         AS_OF + timedelta(14), AS_OF))
    assert line.supplier_code == "GLOBEX" and expired in line.reason


def test_capacity_short_splits_the_rest_to_the_backup():
    # need-by in 14 days = 2 weeks; the primary makes 30 a week, so 60 by need-by
    result = allocate([option("ACME", capacity=30), option("GLOBEX", "backup", capacity=500)], D(100),
                      AS_OF + timedelta(14), AS_OF)
    assert [(l.supplier_code, l.quantity, l.late) for l in result.lines] == [("ACME", D(60), False),
                                                                             ("GLOBEX", D(40), False)]
    assert "ACME can make only 60 by need-by (30/week × 2 weeks)" in result.lines[1].reason


def test_capacity_counts_at_least_one_week():
    result = allocate([option("ACME", lead=1, capacity=30), option("GLOBEX", "backup", lead=1)], D(40),
                      AS_OF + timedelta(2), AS_OF)
    assert [(l.supplier_code, l.quantity) for l in result.lines] == [("ACME", D(30)), ("GLOBEX", D(10))]


def test_a_primary_too_slow_for_need_by_fails_over_to_a_faster_backup():
    line = only(allocate([option("ACME", lead=30), option("GLOBEX", "backup", lead=5)], D(10),
                         AS_OF + timedelta(10), AS_OF))
    assert line.supplier_code == "GLOBEX" and not line.late
    assert "failover: primary ACME would arrive 2026-04-01" in line.reason


def test_the_real_lead_time_is_the_actual_mean_after_three_deliveries():
    slow_in_practice = option("ACME", lead=5, actual_lead_time_mean=D(20), deliveries=3)
    line = only(allocate([slow_in_practice, option("GLOBEX", "backup", lead=8)], D(10), AS_OF + timedelta(10), AS_OF))
    assert line.supplier_code == "GLOBEX" and "actual mean of 3 deliveries" in line.reason
    two_deliveries = option("ACME", lead=5, actual_lead_time_mean=D(20), deliveries=2)
    assert only(allocate([two_deliveries, option("GLOBEX", "backup", lead=8)], D(10), AS_OF + timedelta(10),
                         AS_OF)).supplier_code == "ACME"


def test_split_share_gives_each_supplier_its_share():
    result = allocate([option("ACME", split_share=D(70)), option("GLOBEX", "backup")], D(200),
                      AS_OF + timedelta(21), AS_OF)
    assert [(l.supplier_code, l.quantity) for l in result.lines] == [("ACME", D(140)), ("GLOBEX", D(60))]
    assert "split share 70 %" in result.lines[0].reason and "ACME takes its 70 % share" in result.lines[1].reason


def test_a_share_is_ignored_when_nobody_else_can_deliver_in_time():
    line = only(allocate([option("ACME", split_share=D(70)), option("GLOBEX", "backup", lead=40)], D(200),
                         AS_OF + timedelta(21), AS_OF))
    assert (line.supplier_code, line.quantity) == ("ACME", D(200))


def test_moq_and_order_multiple_round_up():
    assert round_order_quantity(D(33), D(50), D(20)) == D(60)
    assert round_order_quantity(D(130), D(50), D(20)) == D(140)
    assert round_order_quantity(D("2.2"), D(0), D(0)) == D("2.2")
    line = only(allocate([option("ACME", moq=D(50), order_multiple=D(20))], D(33), AS_OF + timedelta(14), AS_OF))
    assert line.quantity == D(60) and "MOQ 50, multiple 20" in line.reason


def test_price_break_is_chosen_for_the_rounded_quantity_and_the_date():
    tiers = (PriceTier(D(1), D("5.00"), "USD"), PriceTier(D(100), D("4.00"), "USD"),
             PriceTier(D(100), D("3.00"), "USD", valid_to=AS_OF - timedelta(1)),      # expired
             PriceTier(D(100), D("2.00"), "USD", valid_from=AS_OF + timedelta(1)),    # not yet valid
             PriceTier(D(500), D("3.50"), "USD"))
    # 90 rounds up to 100 (multiple 50): the 100+ break applies, not the 1+ one
    line = only(allocate([option("ACME", order_multiple=D(50), price_breaks=tiers)], D(90), AS_OF + timedelta(14),
                         AS_OF))
    assert (line.quantity, line.unit_price, line.currency) == (D(100), D("4.00"), "USD")
    assert line.amount == D("400.00")
    assert price_for(tiers, D(99), AS_OF).unit_price == D("5.00")
    assert price_for(tiers, D(500), AS_OF).unit_price == D("3.50")
    assert price_for(tiers, D(100), AS_OF + timedelta(1)).unit_price == D("2.00")
    assert price_for((), D(1), AS_OF) is None


def test_nobody_on_time_goes_to_the_fastest_and_says_late():
    result = allocate([option("ACME", lead=30), option("GLOBEX", "backup", lead=20)], D(10), AS_OF + timedelta(7),
                      AS_OF)
    line = only(result)
    assert line.supplier_code == "GLOBEX" and line.late and result.late
    assert "nobody can deliver by 2026-03-09" in line.reason and "will be late" in line.reason


def test_more_than_all_on_time_capacity_puts_the_rest_on_the_quickest_finisher():
    result = allocate([option("ACME", capacity=100), option("GLOBEX", "backup", capacity=10)], D(400),
                      AS_OF + timedelta(7), AS_OF)
    acme = next(l for l in result.lines if l.supplier_code == "ACME")
    assert acme.quantity == D(390) and acme.late  # 100 on time + 290 late: ACME finishes them sooner than GLOBEX
    assert acme.expected_arrival == AS_OF + timedelta(7 + 7 * 3)


def test_no_usable_supplier_gives_no_lines_and_says_why():
    result = allocate([option("ACME", status="blocked")], D(1), AS_OF + timedelta(7), AS_OF)
    assert result.lines == () and "no supplier can be used" in result.notes[-1]
    with pytest.raises(ValueError):
        allocate([option("ACME")], D(0), AS_OF, AS_OF)


# ---------------------------------------------------------------- the dual-sourcing rule (database)

@pytest.fixture
def suppliers(session):  # type: ignore[no-untyped-def]
    return {code: f.supplier(session, code, status=status, status_reason="reason" if status != "active" else "")
            for code, status in (("ACME", "active"), ("GLOBEX", "active"), ("BLOCKD", "blocked"),
                                 ("SMALL", "active"), ("NOCERT", "active"))}


def reasons(session) -> dict[str, tuple[str, ...]]:  # type: ignore[no-untyped-def]
    return {v.sku: v.reasons for v in sourcing.violations(session, AS_OF)}


def test_each_way_of_breaking_the_rule_is_reported(session, suppliers):
    s = suppliers
    f.item(session, "NOTHING", is_core=True)
    entry(session, s["ACME"], f.item(session, "NOBACKUP", is_core=True), "primary", 100)
    entry(session, s["GLOBEX"], f.item(session, "NOPRIMARY", is_core=True), "backup", 100)
    blocked = f.item(session, "BLOCKEDBACKUP", is_core=True)
    entry(session, s["ACME"], blocked, "primary", 100)
    entry(session, s["BLOCKD"], blocked, "backup", 100)
    low = f.item(session, "LOWCAP", is_core=True)
    entry(session, s["ACME"], low, "primary", 100)
    entry(session, s["SMALL"], low, "backup", D("49.999"))
    certified = f.item(session, "CERTIFIED", is_core=True)
    require(session, certified, "ISO 9001")
    entry(session, s["ACME"], certified, "primary", 100)
    entry(session, s["NOCERT"], certified, "backup", 100)
    certify(session, s["ACME"], "ISO 9001", expires=AS_OF)                      # valid through today
    certify(session, s["NOCERT"], "ISO 9001", expires=AS_OF - timedelta(1))     # expired yesterday
    primary_blocked = f.item(session, "PRIMARYBLOCKED", is_core=True)
    entry(session, s["BLOCKD"], primary_blocked, "primary", 100)
    entry(session, s["GLOBEX"], primary_blocked, "backup", 100)
    fine = f.item(session, "FINE", is_core=True)
    entry(session, s["ACME"], fine, "primary", 100)
    entry(session, s["SMALL"], fine, "backup", 50)                               # exactly 50 %: enough
    entry(session, s["ACME"], f.item(session, "NOTCORE"), "primary", 100)
    assert reasons(session) == {
        "NOTHING": ("no_primary", "no_backup"), "NOBACKUP": ("no_backup",), "NOPRIMARY": ("no_primary",),
        "BLOCKEDBACKUP": ("backup_blocked",), "LOWCAP": ("capacity_too_low",),
        "CERTIFIED": ("certificate_expired",), "PRIMARYBLOCKED": ("primary_blocked",)}
    messages = {v.sku: v.messages for v in sourcing.violations(session, AS_OF)}
    assert messages["CERTIFIED"] == ("backup NOCERT's ISO 9001 certificate expired on 2026-03-01",)
    assert messages["LOWCAP"] == ("backup SMALL can make 49.999/week, less than 50 % of primary ACME's 100/week",)


def test_an_inactive_backup_entry_does_not_count_and_fixing_it_clears_the_item(session, suppliers):
    item = f.item(session, "CORE-1", is_core=True)
    entry(session, suppliers["ACME"], item, "primary", 100)
    backup = entry(session, suppliers["GLOBEX"], item, "backup", 100, active=False)
    assert reasons(session) == {"CORE-1": ("no_backup",)}
    supplier_catalog.update_entry(session, backup, {"active": True}, actor=f.actor())
    assert reasons(session) == {}


def test_the_rule_uses_the_same_few_queries_for_many_items(session, suppliers, db):
    def count_queries(n: int) -> int:
        for i in range(n):
            item = f.item(session, f"BULK-{n}-{i}", is_core=True)
            entry(session, suppliers["ACME"], item, "primary", 100)
        session.flush()
        statements: list[str] = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            found = sourcing.violations(session, AS_OF)
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        assert len(found) >= n
        return len(statements)

    assert count_queries(3) == count_queries(40) <= 4


# ---------------------------------------------------------------- choose_suppliers (database)

def test_choose_suppliers_loads_blockers_prices_and_actual_lead_times(session, suppliers):
    item = f.item(session, "VALVE", is_core=True)
    require(session, item, "ISO 9001")
    certify(session, suppliers["ACME"], "ISO 9001", expires=AS_OF + timedelta(100))
    certify(session, suppliers["GLOBEX"], "ISO 9001", expires=AS_OF + timedelta(100))
    entry(session, suppliers["ACME"], item, "primary", 1000, lead=5,
          breaks=[{"min_qty": 0, "unit_price": "3.00"}, {"min_qty": 100, "unit_price": "2.50"}])
    entry(session, suppliers["GLOBEX"], item, "backup", 1000, lead=9, moq=20, multiple=10,
          breaks=[{"min_qty": 0, "unit_price": "3.10"}])
    result = sourcing.choose_suppliers(session, item.id, "100", AS_OF + timedelta(14), AS_OF)
    line = only(result)
    assert (line.supplier_code, line.quantity, line.unit_price, result.sku) == ("ACME", D(100), D("2.50"), "VALVE")

    for n in range(3):  # ACME really takes 20 days
        scorecard_facts.record_delivery(session, supplier_id=suppliers["ACME"].id, item_id=item.id,
                                        ordered_on=date(2026, 1, 1 + n), promised_on=date(2026, 1, 6 + n),
                                        received_on=date(2026, 1, 21 + n), qty_ordered=10, qty_received=10,
                                        unit_price="2.50", currency="USD", stated_lead_time_days=5)
    line = only(sourcing.choose_suppliers(session, item.id, "15", AS_OF + timedelta(14), AS_OF))
    assert (line.supplier_code, line.quantity) == ("GLOBEX", D(20))
    assert "actual mean of 3 deliveries" in line.reason

    certify(session, suppliers["GLOBEX"], "ISO 9001", issued=AS_OF - timedelta(400), expires=AS_OF - timedelta(1),
            replace=True)
    result = sourcing.choose_suppliers(session, item.id, "15", AS_OF + timedelta(14), AS_OF)
    assert [l.supplier_code for l in result.lines] == ["ACME"] and result.late
    assert any("GLOBEX's ISO 9001 certificate expired" in note for note in result.notes)


def test_choose_suppliers_refuses_nonsense(session, suppliers):
    item = f.item(session, "X")
    for quantity, need_by in (("0", AS_OF), ("abc", AS_OF), ("1", AS_OF - timedelta(1))):
        with pytest.raises(ValidationFailed):
            sourcing.choose_suppliers(session, item.id, quantity, need_by, AS_OF)
