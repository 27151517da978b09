"""Which suppliers get an order, and how much each: the pure part of `sourcing.choose_suppliers`.

Plain options in, a frozen Allocation out; no database and no clock (`as_of` is an argument), so tests
call `allocate` with hand-made options. The rules, in order:

1. A supplier that is blocked, or lacks a certificate the item requires, is skipped (with a note why).
2. Usable suppliers are tried primary first, then backups, then alternates (faster first within a role).
   The real lead time is the mean actual lead time of the last deliveries when there are at least
   three, else the stated one. A supplier is on time when `as_of + real lead time <= need_by`.
3. Only on-time suppliers share the order. The first on-time one takes it all unless split shares are
   set (each supplier with a share takes that share, the first one without a share takes the rest) or
   its capacity is short: capacity per week × weeks until need-by (at least one week). What one cannot
   make flows to the next on-time supplier.
4. Each line is rounded up to the MOQ and then to the order multiple; its unit price is the price break
   valid on `as_of` with the highest minimum quantity not above the rounded quantity.
5. When nobody can deliver in time, or on-time capacity is not enough, the rest goes to the supplier
   that can deliver soonest, and the line says it will be late.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from scm import formatting

ROLE_ORDER = {"primary": 0, "backup": 1, "alternate": 2}
MIN_DELIVERIES_FOR_ACTUAL = 3
ZERO = Decimal(0)
QTY = Decimal("0.001")


@dataclass(frozen=True)
class PriceTier:
    min_qty: Decimal
    unit_price: Decimal
    currency: str
    valid_from: date | None = None
    valid_to: date | None = None

    def valid_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)


@dataclass(frozen=True)
class SupplierOption:
    """One catalog entry of the item, with what the allocation needs to know about its supplier."""

    supplier_id: int
    supplier_code: str
    role: str
    lead_time_days: int
    capacity_per_week: Decimal
    moq: Decimal = ZERO
    order_multiple: Decimal = ZERO
    price_breaks: tuple[PriceTier, ...] = ()
    split_share: Decimal | None = None
    status: str = "active"
    status_reason: str = ""
    blockers: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    actual_lead_time_mean: Decimal | None = None
    deliveries: int = 0
    supplier_sku: str = ""

    @property
    def real_lead_time(self) -> Decimal:
        if self.actual_lead_time_mean is not None and self.deliveries >= MIN_DELIVERIES_FOR_ACTUAL:
            return self.actual_lead_time_mean
        return Decimal(self.lead_time_days)

    @property
    def lead_time_basis(self) -> str:
        if self.actual_lead_time_mean is not None and self.deliveries >= MIN_DELIVERIES_FOR_ACTUAL:
            return f"actual mean of {self.deliveries} deliveries"
        return "stated"

    def arrival(self, as_of: date) -> date:
        return as_of + timedelta(days=math.ceil(self.real_lead_time))

    def why_not(self) -> str | None:
        """Why this supplier may not be used at all (None when it may)."""
        if self.status == "blocked":
            return f"{self.supplier_code} is blocked" + (f": {self.status_reason}" if self.status_reason else "")
        return self.blockers[0] if self.blockers else None


@dataclass(frozen=True)
class AllocationLine:
    supplier_id: int
    supplier_code: str
    role: str
    quantity: Decimal
    unit_price: Decimal | None
    currency: str | None
    expected_arrival: date
    late: bool
    reason: str

    @property
    def amount(self) -> Decimal | None:
        return None if self.unit_price is None else (self.quantity * self.unit_price).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class Allocation:
    quantity: Decimal
    need_by: date
    as_of: date
    lines: tuple[AllocationLine, ...]
    notes: tuple[str, ...] = ()
    item_id: int | None = None
    sku: str = ""

    @property
    def allocated(self) -> Decimal:
        return sum((line.quantity for line in self.lines), ZERO)

    @property
    def late(self) -> bool:
        return any(line.late for line in self.lines)


def round_order_quantity(quantity: Decimal, moq: Decimal, multiple: Decimal) -> Decimal:
    """Up to the MOQ, then up to a whole number of order multiples (0 means none)."""
    rounded = max(quantity, moq)
    if multiple > 0:
        rounded = (rounded / multiple).to_integral_value(rounding=ROUND_CEILING) * multiple
    return rounded.quantize(QTY, rounding=ROUND_CEILING)


def price_for(tiers: tuple[PriceTier, ...], quantity: Decimal, on: date) -> PriceTier | None:
    """The break valid on `on` with the highest minimum quantity not above `quantity` (cheapest on a tie)."""
    fitting = [t for t in tiers if t.valid_on(on) and t.min_qty <= quantity]
    if not fitting:
        return None
    return min(fitting, key=lambda t: (-t.min_qty, t.unit_price))


def allocate(options: list[SupplierOption] | tuple[SupplierOption, ...], quantity: Decimal, need_by: date,
             as_of: date) -> Allocation:
    """Split `quantity` of one item over its suppliers (see the module docstring for the rules)."""
    if quantity <= 0:
        raise ValueError("quantity must be greater than zero")
    notes = [f"{o.supplier_code} ({o.role}) skipped: {o.why_not()}" for o in _ranked(options) if o.why_not()]
    usable = [o for o in _ranked(options) if not o.why_not()]
    if not usable:
        notes.append("no supplier can be used for this item: add a catalog entry or fix the problems above")
        return Allocation(quantity, need_by, as_of, (), tuple(notes))
    weeks = max(Decimal(1), Decimal((need_by - as_of).days) / 7)
    on_time = [o for o in usable if o.arrival(as_of) <= need_by]
    assigned, rest = _share_out(on_time, quantity, weeks)
    lines = [_line(o, qty, weeks, need_by, as_of, _reason(o, on_time, options, weeks, quantity, need_by, as_of))
             for o, qty in assigned if qty > 0]
    if rest > 0:
        lines = _late_remainder(lines, usable, rest, weeks, need_by, as_of, bool(on_time))
    for option in {o.supplier_id: o for o, _q in assigned}.values():
        notes.extend(option.warnings)
    if sum((line.quantity for line in lines), ZERO) > quantity:
        notes.append(f"ordering {_fmt(sum((line.quantity for line in lines), ZERO))} for {_fmt(quantity)} "
                     "needed: rounded up to MOQ and order multiples")
    return Allocation(quantity, need_by, as_of, tuple(lines), tuple(notes))


def _ranked(options: list[SupplierOption] | tuple[SupplierOption, ...]) -> list[SupplierOption]:
    return sorted(options, key=lambda o: (ROLE_ORDER.get(o.role, 9), o.real_lead_time, o.supplier_code))


def _share_out(on_time: list[SupplierOption], quantity: Decimal, weeks: Decimal
               ) -> tuple[list[tuple[SupplierOption, Decimal]], Decimal]:
    """(option, quantity before rounding) for the on-time suppliers, and what they cannot make."""
    if not on_time:
        return [], quantity
    targets = _targets(on_time, quantity)
    assigned, carry = [], ZERO
    for option, target in zip(on_time, targets):
        want = target + carry
        can = want if want <= option.capacity_per_week * weeks else _fit(option, option.capacity_per_week * weeks)
        assigned.append([option, can])
        carry = want - can
    for pair in assigned:  # spare capacity of suppliers whose share was smaller than their capacity
        spare = pair[0].capacity_per_week * weeks - pair[1]
        take = carry if carry <= spare else _fit(pair[0], spare)
        if take > 0 and pair[1] + take >= pair[0].moq:
            pair[1] += take
            carry -= take
    rounded = [(o, round_order_quantity(q, o.moq, o.order_multiple) if q > 0 else ZERO) for o, q in assigned]
    return rounded, max(ZERO, carry)


def _fit(option: SupplierOption, capacity: Decimal) -> Decimal:
    """The most this supplier can be given within `capacity`: whole multiples, and at least the MOQ or nothing."""
    fitted = capacity
    if option.order_multiple > 0:
        fitted = (capacity / option.order_multiple).to_integral_value(rounding=ROUND_FLOOR) * option.order_multiple
    return fitted if fitted >= option.moq and fitted > 0 else ZERO


def _targets(on_time: list[SupplierOption], quantity: Decimal) -> list[Decimal]:
    """Split shares where set (scaled down if they exceed 100 %); the first supplier without one gets the rest."""
    shares = [o.split_share if o.split_share and len(on_time) > 1 else None for o in on_time]
    total = sum((s for s in shares if s), ZERO)
    scale = Decimal(100) / total if total > 100 else Decimal(1)
    targets = [quantity * s * scale / 100 if s else ZERO for s in shares]
    rest = quantity - sum(targets, ZERO)
    taker = next((i for i, s in enumerate(shares) if not s), 0)
    targets[taker] += rest
    return targets


def _line(option: SupplierOption, quantity: Decimal, weeks: Decimal, need_by: date, as_of: date,
          reason: str) -> AllocationLine:
    capacity = option.capacity_per_week * weeks
    arrival = _arrival(option, quantity, weeks, as_of)
    tier = price_for(option.price_breaks, quantity, as_of)
    if quantity > capacity or arrival > need_by:
        reason += f"; will be late: expected {arrival.isoformat()}, need-by {need_by.isoformat()}"
    if tier is None:
        reason += f"; no price break valid on {as_of.isoformat()}"
    return AllocationLine(option.supplier_id, option.supplier_code, option.role, quantity,
                          tier.unit_price if tier else None, tier.currency if tier else None, arrival,
                          arrival > need_by, reason)


def _arrival(option: SupplierOption, quantity: Decimal, weeks: Decimal, as_of: date) -> date:
    """Lead time after `as_of`, plus a week per week of output beyond what it can make by need-by."""
    extra = quantity - option.capacity_per_week * weeks
    arrival = option.arrival(as_of)
    if extra > 0:
        arrival += timedelta(weeks=math.ceil(extra / option.capacity_per_week))
    return arrival


def _reason(option: SupplierOption, on_time: list[SupplierOption], options: list[SupplierOption] | tuple,
            weeks: Decimal, quantity: Decimal, need_by: date, as_of: date) -> str:
    parts = [f"{option.role}, arrives {option.arrival(as_of).isoformat()} "
             f"(lead time {formatting.days(option.real_lead_time)}, {option.lead_time_basis})"]
    first = on_time[0]
    if option is first and option.role != "primary":
        parts.insert(0, "failover: " + _primary_problem(options, need_by, as_of))
    if option is not first:
        capacity = first.capacity_per_week * weeks
        if first.split_share and len(on_time) > 1:
            parts.insert(0, f"split: {first.supplier_code} takes its {_fmt(first.split_share)} % share")
        elif capacity < quantity:
            parts.insert(0, f"split: {first.supplier_code} can make only {_fmt(capacity)} by "
                            f"need-by ({_fmt(first.capacity_per_week)}/week × "
                            f"{formatting.number(weeks, 1)} weeks)")
        else:
            parts.insert(0, "split")
    if option.split_share and len(on_time) > 1:
        parts.append(f"split share {_fmt(option.split_share)} %")
    if option.moq > 0 or option.order_multiple > 0:
        parts.append(f"MOQ {_fmt(option.moq)}, multiple {_fmt(option.order_multiple)}")
    return "; ".join(parts)


def _primary_problem(options: list[SupplierOption] | tuple, need_by: date, as_of: date) -> str:
    primary = next((o for o in _ranked(options) if o.role == "primary"), None)
    if primary is None:
        return "the item has no primary supplier"
    if primary.why_not():
        return f"primary {primary.supplier_code} cannot be used ({primary.why_not()})"
    return (f"primary {primary.supplier_code} would arrive {primary.arrival(as_of).isoformat()} "
            f"(lead time {formatting.days(primary.real_lead_time)}, {primary.lead_time_basis}), after need-by "
            f"{need_by.isoformat()}")


def _late_remainder(lines: list[AllocationLine], usable: list[SupplierOption], rest: Decimal, weeks: Decimal,
                    need_by: date, as_of: date, some_on_time: bool) -> list[AllocationLine]:
    """Give what nobody can deliver in time to the supplier that delivers soonest, flagged late."""
    def finish(option: SupplierOption) -> date:
        already = sum((line.quantity for line in lines if line.supplier_id == option.supplier_id), ZERO)
        return _arrival(option, round_order_quantity(already + rest, option.moq, option.order_multiple), weeks,
                        as_of)

    fastest = min(usable, key=lambda o: (finish(o), ROLE_ORDER.get(o.role, 9), o.supplier_code))
    existing = next((line for line in lines if line.supplier_id == fastest.supplier_id), None)
    why = (f"{_fmt(rest)} more than the on-time suppliers can make by need-by" if some_on_time
           else f"nobody can deliver by {need_by.isoformat()}; {fastest.supplier_code} is the fastest")
    if existing is None:
        quantity = round_order_quantity(rest, fastest.moq, fastest.order_multiple)
        line = _line(fastest, quantity, weeks, need_by, as_of,
                     f"late: {why}; {fastest.role}, lead time {formatting.days(fastest.real_lead_time)} "
                     f"({fastest.lead_time_basis})")
        return lines + [line]
    quantity = round_order_quantity(existing.quantity + rest, fastest.moq, fastest.order_multiple)
    merged = _line(fastest, quantity, weeks, need_by, as_of, f"{existing.reason}; late: {why}")
    return [merged if line is existing else line for line in lines]


def _fmt(value: Decimal) -> str:
    return formatting.quantity(value)
