"""One item in one warehouse as the plan sees it: every term of its arithmetic and the rule that says
whether ordering now is justified (see `replenishment`'s docstring). Its own module so that the plan,
its suggestions and its warnings all read it without importing each other."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from scm.services.planning.figures import PairFigures, cover, short

DEFAULT_LEAD_DAYS = 14


@dataclass
class PairPlan:
    """Every figure of one item in one warehouse (floats in units of the item and days)."""

    item_id: int
    warehouse_id: int
    sku: str
    on_hand: float
    reserved: float
    on_order: float
    in_transit: float
    open_orders: list[str]
    as_of: date | None = None
    on_order_lines: list[dict] = field(default_factory=list)    # the PO lines counted in on order
    in_transit_lines: list[dict] = field(default_factory=list)  # the transfers counted in transit
    service_level: float = 0.0
    review_days: int = 7
    min_cover_days: int = 3
    lead_time: float = DEFAULT_LEAD_DAYS
    lead_sigma: float = 0.0
    lead_basis: str = "default (no usable supplier)"
    supplier_code: str = ""
    earliest_days: int = DEFAULT_LEAD_DAYS
    daily: float = 0.0
    daily_sigma: float = 0.0
    safety: float = 0.0          # SS(L): protects one lead time; in ROP and the rule's threshold
    safety_cover: float = 0.0    # SS(L + R): in the order-up-to level
    reorder_point: float = 0.0
    order_up_to: float = 0.0
    stockout_day: int = -1
    cover_days: float | None = None
    probability: float = 0.0
    qty_short: float = 0.0
    severity: str | None = None
    need: float = 0.0
    bridge: float = 0.0  # shortfall from day E to the end of L + R: what late receipts leave uncovered
    cycle_days: int = 0  # ⌈L + R⌉: the day an order placed at the next review could arrive
    lowest: float = 0.0  # the lowest projected stock before that day, and its day
    lowest_day: int = 0
    auto_order: bool = False
    unit_decimals: int = 3  # what the item's unit of measure allows: quantities short are shown in it
    notes: list[str] = field(default_factory=list)
    projected: np.ndarray | None = field(default=None, repr=False)   # end-of-day stock, per day
    receipts: np.ndarray | None = field(default=None, repr=False)    # what arrives, per day
    demand: np.ndarray | None = field(default=None, repr=False)      # mean forecast demand, per day

    @property
    def available(self) -> float:
        return self.on_hand - self.reserved

    @property
    def position(self) -> float:
        return self.available + self.on_order + self.in_transit

    @property
    def short_of_safety(self) -> float:
        """How far the projection falls below SS(L) before the next review's order could arrive (0: not)."""
        return max(self.safety - self.lowest, 0.0)

    @property
    def justified(self) -> bool:
        """The rule of the module docstring: ordering now is justified."""
        return self.short_of_safety > 1e-9

    def day(self, index: int) -> date:
        return (self.as_of or date.min) + timedelta(days=int(index))

    def why(self) -> str:
        """The rule applied to this pair, in words."""
        review, arrives = self.day(self.review_days), self.day(self.cycle_days)
        low = f"the projected stock falls to {self.lowest:.2f} on {self.day(self.lowest_day)}"
        if not self.justified:
            return (f"no order needed now: the projected stock stays at or above the safety stock {self.safety:.2f} "
                    f"until {arrives}, when an order placed at the next review ({review}) could arrive")
        if self.need > 0:
            return (f"without an order now {low}, below the safety stock {self.safety:.2f}, before an order placed "
                    f"at the next review ({review}) could arrive ({arrives})")
        if self.severity is None:
            return (f"no order now: {low}, below the safety stock {self.safety:.2f}, but the position "
                    f"{self.position:.2f} is above the reorder point and no stock-out is projected")
        late = (f"; that comes before any new order could arrive ({self.day(self.earliest_days)}): expedite what "
                "is on order" if self.lowest < 0 and self.lowest_day < self.earliest_days else "")
        return (f"nothing more to order: what is on order and in transit brings the position {self.position:.2f} "
                f"to the order-up-to level {self.order_up_to:.2f}, although {low}{late}")

    def details(self) -> dict:
        """The arithmetic a buyer reads beside the suggestion (units and days). Each sum is shown with terms
        rounded so that they add up to the rounded total (a term may differ from its own rounding by 0.01)."""
        r = lambda v: round(float(v), 2)  # noqa: E731
        q = lambda v: round(float(v), 3)  # noqa: E731  quantities: exact to the ledger's 0.001
        lead_part, cover_part = r(self.daily * self.lead_time), r(self.daily * (self.lead_time + self.review_days))
        rop, upto = r(self.reorder_point), r(self.order_up_to)
        return {"forecast_lead_time": lead_part, "forecast_review": r(self.daily * self.review_days),
                "forecast_cover": cover_part, "cover_period_days": r(self.lead_time + self.review_days),
                "daily_demand": round(self.daily, 3), "sigma_daily": round(self.daily_sigma, 3),
                "lead_time_days": r(self.lead_time), "lead_time_sigma": r(self.lead_sigma),
                "lead_time_basis": self.lead_basis, "review_days": self.review_days,
                "service_level": r(self.service_level), "safety_stock": r(rop - lead_part),
                "safety_stock_cover": r(upto - cover_part), "reorder_point": rop, "order_up_to": upto,
                "on_hand": q(self.on_hand), "reserved": q(self.reserved), "on_order": q(self.on_order),
                "in_transit": q(self.in_transit), "position": q(self.position), "need": r(self.need),
                "bridge": r(self.bridge), "severity": self.severity, "open_orders": self.open_orders,
                "on_order_lines": self.on_order_lines, "in_transit_lines": self.in_transit_lines,
                "next_review_on": self.day(self.review_days).isoformat(),
                "review_order_arrives_on": self.day(self.cycle_days).isoformat(),
                "lowest_projected": r(self.lowest), "lowest_on": self.day(self.lowest_day).isoformat(),
                "why": self.why(), "notes": list(self.notes),
                **self.figures().as_json()}

    def figures(self) -> PairFigures:
        """Stock-out date (first projected day below zero), quantity short in the unit's decimals and
        days of cover: the figures every page, the API and the export show for this pair."""
        stockout = self.day(self.stockout_day) if self.stockout_day >= 0 else None
        return PairFigures(stockout, short(self.qty_short, self.unit_decimals), cover(self.cover_days))
