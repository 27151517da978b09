"""Declarative base, naming convention and the column types every model shares.

Quantities and money are stored as scaled integers (BIGINT) on every database: SQLite has no exact
decimal type, and the stock guard `on_hand + delta >= reserved` must be exact arithmetic, never float.
"""
from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, DateTime, MetaData
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """The current time, UTC-aware (the one clock models use for defaults)."""
    return datetime.now(timezone.utc)


class ScaledDecimal(TypeDecorator):
    """A Decimal stored as an integer count of 10**-places units (exact on SQLite and PostgreSQL)."""

    impl = BigInteger
    cache_ok = True

    def __init__(self, places: int) -> None:
        super().__init__()
        self.places = places
        self.factor = 10**places
        self.quantum = Decimal(1).scaleb(-places)

    def process_bind_param(self, value: Any, dialect: Any) -> int | None:
        if value is None:
            return None
        scaled = Decimal(str(value)) * self.factor
        if scaled != scaled.to_integral_value():
            raise ValueError(f"{value} has more than {self.places} decimal places")
        return int(scaled)

    def process_result_value(self, value: Any, dialect: Any) -> Decimal | None:
        if value is None:
            return None
        return (Decimal(int(value)) / self.factor).quantize(self.quantum)

    def coerce_compared_value(self, op: Any, value: Any) -> "ScaledDecimal":
        return self


class Quantity(ScaledDecimal):
    """Stock quantity with 3 decimal places (grams of a kilo, millilitres of a litre)."""

    cache_ok = True

    def __init__(self) -> None:
        super().__init__(3)


class Money(ScaledDecimal):
    """Money or unit cost with 4 decimal places."""

    cache_ok = True

    def __init__(self) -> None:
        super().__init__(4)


class Percent(ScaledDecimal):
    """A percentage or a 0-100 score with 2 decimal places (stored ×100: CHECKs compare 100.00 as 10000)."""

    cache_ok = True

    def __init__(self) -> None:
        super().__init__(2)


class UTCDateTime(TypeDecorator):
    """Timezone-aware datetimes in and out, stored as UTC (SQLite would otherwise drop the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware UTC datetime")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
