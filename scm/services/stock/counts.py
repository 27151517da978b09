"""The review of a cycle count before it posts: counted against on hand, per line and in value.

A count sets on hand to what was counted, so a count of the wrong warehouse, or a shelf counted
half, wipes stock out. Before anything posts, the person sees every line: on hand (the figure the
difference is taken from), counted, the difference in quantity, its value at the item's unit cost
(base currency) and its share of on hand. A line is a *large variance* when

    |difference| / on hand ≥ share limit      (SCM_COUNT_VARIANCE_SHARE, default 50 %), or
    |difference × unit cost| ≥ value limit    (SCM_COUNT_VARIANCE_VALUE, default 1,000),

and stock counted where the system has none is large too (its share has no base; it is what a
count of the wrong warehouse looks like). Large lines need a second, explicit confirmation: the
ledger (`stock_ledger.post_count`) refuses them with `LargeCountVariance` unless the caller passes
the token of exactly those lines, recomputed from on hand at posting time.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Iterable, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from scm.models import Item, StockBalance, Warehouse
from scm.services.kernel.errors import DomainError, InsufficientStock, NotFound, ValidationFailed
from scm.services.stock import units as units_of_measure
from scm.services.stock.ledger_inputs import quantity
from scm.services.stock.ledger_inputs import warehouse as warehouse_by_id

CENT = Decimal("0.01")
TENTH = Decimal("0.1")
HUNDRED = Decimal(100)
CHUNK = 5000


@dataclass(frozen=True)
class VarianceLimits:
    """When a count line is a large variance: share in percent of on hand, value in base currency."""

    share_pct: Decimal = Decimal(50)
    value: Decimal = Decimal(1000)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> "VarianceLimits":
        return cls(_limit(config, "SCM_COUNT_VARIANCE_SHARE", cls.share_pct),
                   _limit(config, "SCM_COUNT_VARIANCE_VALUE", cls.value))


def _limit(config: Mapping[str, Any], key: str, default: Decimal) -> Decimal:
    raw = config.get(key)
    if raw in (None, ""):
        return default
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        raise ValueError(f"{key} must be a number, not {raw!r}") from None
    if not value.is_finite() or value <= 0:
        raise ValueError(f"{key} must be a number above 0, not {raw!r}")
    return value


@dataclass(frozen=True)
class ReviewLine:
    item_id: int
    sku: str
    name: str
    uom: str
    unit_cost: Decimal
    on_hand: Decimal
    counted: Decimal
    large: bool = False

    @property
    def difference(self) -> Decimal:
        return self.counted - self.on_hand

    @property
    def value(self) -> Decimal:
        """The difference at the item's unit cost, in base currency, to the cent."""
        return (self.difference * self.unit_cost).quantize(CENT)

    @property
    def share_pct(self) -> Decimal | None:
        """The difference as a percentage of on hand (one decimal); None when nothing was on hand."""
        if self.on_hand == 0:
            return None
        return (self.difference / self.on_hand * HUNDRED).quantize(TENTH)


def is_large(line: ReviewLine, limits: VarianceLimits) -> bool:
    if line.difference == 0:
        return False
    share = line.share_pct
    return share is None or abs(share) >= limits.share_pct or abs(line.value) >= limits.value


@dataclass(frozen=True)
class CountReview:
    warehouse_id: int
    warehouse_code: str
    warehouse_name: str
    lines: tuple[ReviewLine, ...]
    limits: VarianceLimits

    @property
    def differences(self) -> list[ReviewLine]:
        return [line for line in self.lines if line.difference != 0]

    @property
    def large(self) -> list[ReviewLine]:
        return [line for line in self.lines if line.large]

    @property
    def value(self) -> Decimal:
        """Σ value of the differences (what the count adds to or takes from the stock value)."""
        return sum((line.value for line in self.lines), Decimal(0))

    @property
    def token(self) -> str:
        """Names the on-hand figures this review used; a posting compares it with its own."""
        return digest(self.warehouse_id, [(line.item_id, line.on_hand, line.counted) for line in self.lines])

    @property
    def large_token(self) -> str:
        """What the second confirmation confirms: exactly these large lines with these figures."""
        return digest(self.warehouse_id, [(line.item_id, line.on_hand, line.counted) for line in self.large])


class LargeCountVariance(DomainError):
    """A count with large variances was not confirmed for exactly these lines (one review per warehouse)."""

    code = "large_count_variance"
    http_status = 409

    def __init__(self, reviews: list[CountReview]) -> None:
        large = [(review, line) for review in reviews for line in review.large]
        limits = reviews[0].limits
        super().__init__(
            f"{len(large)} counted line(s) differ by {limits.share_pct.normalize():f} % or more of on hand, "
            f"or by {limits.value.normalize():f} or more in value: check them and confirm again",
            confirm_tokens={review.warehouse_code: review.large_token for review in reviews},
            confirm_token=reviews[0].large_token if len(reviews) == 1 else None,
            lines=[{"warehouse": review.warehouse_code, "sku": line.sku, "on_hand": str(line.on_hand),
                    "counted": str(line.counted), "difference": str(line.difference), "value": str(line.value),
                    "share_pct": None if line.share_pct is None else str(line.share_pct)}
                   for review, line in large])
        self.reviews = reviews


def posted_message(number: str, warehouse_code: str, differences: int) -> str:
    """What a person is told when a count posts: "Count CNT-000012 posted in WH-EAST: 3 differences"."""
    return f"Count {number} posted in {warehouse_code}: {differences} difference{'' if differences == 1 else 's'}"


def digest(warehouse_id: int, lines: Iterable[tuple[int, Decimal, Decimal]]) -> str:
    text = ";".join(f"{i}:{o.normalize():f}:{c.normalize():f}" for i, o, c in sorted(lines))
    return hashlib.sha256(f"{warehouse_id}|{text}".encode()).hexdigest()[:24]


def build(session: Session, warehouse: Warehouse, figures: Iterable[tuple[int, Decimal, Decimal]],
          limits: VarianceLimits) -> CountReview:
    """A review of (item id, on hand, counted) lines, in the order given, with the items' facts loaded."""
    figures = list(figures)
    facts: dict[int, Any] = {}
    ids = [item_id for item_id, _o, _c in figures]
    for start in range(0, len(ids), CHUNK):
        facts.update({row.id: row for row in session.execute(
            select(Item.id, Item.sku, Item.name, Item.uom, Item.unit_cost).where(Item.id.in_(ids[start:start + CHUNK])))})
    lines = []
    for item_id, on_hand, counted in figures:
        fact = facts[item_id]
        line = ReviewLine(item_id, fact.sku, fact.name, fact.uom, fact.unit_cost, on_hand, counted)
        lines.append(ReviewLine(**{**line.__dict__, "large": is_large(line, limits)}))
    return CountReview(warehouse.id, warehouse.code, warehouse.name, tuple(lines), limits)


def validated(session: Session, warehouse_id: int, counts: list[tuple[int, Decimal]]
              ) -> tuple[Warehouse, dict[int, Decimal]]:
    """The warehouse and {item id: counted} of a count, in line order, or the error a person must fix:
    an item counted twice, a bad quantity, an unknown item, more decimals than the item's unit allows."""
    warehouse = warehouse_by_id(session, warehouse_id)
    seen: dict[int, Decimal] = {}
    for item_id, counted in counts:
        if item_id in seen:
            sku = session.scalar(select(Item.sku).where(Item.id == item_id)) or item_id
            raise ValidationFailed({"lines": [f"{sku} is counted twice; put its whole count on one line"]})
        seen[item_id] = quantity(counted, "counted", allow_zero=True)
    if not seen:
        raise ValidationFailed({"lines": ["a count needs at least one line"]})
    ids = list(seen)
    found: set[int] = set()
    for start in range(0, len(ids), CHUNK):
        found.update(session.scalars(select(Item.id).where(Item.id.in_(ids[start:start + CHUNK]))))
    missing = [i for i in ids if i not in found]
    if missing:
        raise NotFound(f"item {missing[0]} does not exist")
    units_of_measure.check_lines(session, seen.items())
    return warehouse, seen


def require_confirmation(session: Session, warehouse: Warehouse, figures: list[tuple[int, Decimal, Decimal]],
                         limits: VarianceLimits, confirmed: str | None) -> None:
    """Refuse the large lines among (item id, on hand, counted) unless `confirmed` is their token."""
    review = build(session, warehouse, [f for f in figures if f[1] != f[2]], limits)
    if review.large and review.large_token != confirmed:
        raise LargeCountVariance([review])


def review_count(session: Session, *, warehouse_id: int, counts: list[tuple[int, Decimal]],
                 limits: VarianceLimits) -> CountReview:
    """What posting `counts` now would do, validated as the posting is and read without locking."""
    warehouse, seen = validated(session, warehouse_id, counts)
    balances: dict[int, tuple[Decimal, Decimal]] = {}
    ids = list(seen)
    for start in range(0, len(ids), CHUNK):
        balances.update({r.item_id: (r.on_hand, r.reserved) for r in session.execute(
            select(StockBalance.item_id, StockBalance.on_hand, StockBalance.reserved).where(
                StockBalance.warehouse_id == warehouse.id, StockBalance.item_id.in_(ids[start:start + CHUNK])))})
    zero = (Decimal(0), Decimal(0))
    review = build(session, warehouse, [(i, balances.get(i, zero)[0], c) for i, c in seen.items()], limits)
    for line in review.lines:
        on_hand, reserved = balances.get(line.item_id, zero)
        if line.counted < reserved:  # the posting refuses this too; say it before anyone confirms
            raise InsufficientStock(sku=line.sku, warehouse=warehouse.code, on_hand=on_hand, reserved=reserved,
                                    requested=on_hand - line.counted)
    return review
