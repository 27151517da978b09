"""Turning daily observations into a regular period series, and classifying demand.

Business rules:
- Days without an observation had no demand (0).
- Periods are weeks starting on Monday (``W`` / ``W-MON``, labelled by their Monday), calendar months
  (``M``) or days (``D``). A period only partly inside [start, end] is dropped, because a partial week
  looks like a demand drop.
- Stock-out days are not demand observations: a period is scaled up from its in-stock days, and a
  period with more than half its days out of stock is flagged ``missing`` so the engine imputes it
  instead of learning "low demand".
- Negative quantities are rejected (returns belong in the ledger, not in demand).
"""

from __future__ import annotations

from datetime import date
from typing import Hashable, Sequence

import numpy as np
import pandas as pd

from .types import Classification, SeriesInput

#: Syntetos-Boylan cut-offs on average demand interval and squared CV of demand sizes.
ADI_CUTOFF = 1.32
CV2_CUTOFF = 0.49
#: Below this many observed periods an item is classified ``new`` and gets a simple fallback.
MIN_PERIODS = 8

_PERIOD_FREQ = {"D": "D", "W": "W-SUN", "W-MON": "W-SUN", "M": "M", "MS": "M"}


def prepare_series(
    dates: Sequence[date | str | np.datetime64],
    quantities: Sequence[float],
    *,
    freq: str = "W",
    stockout: Sequence[bool] | None = None,
    promotion: Sequence[float] | None = None,
    start: date | str | None = None,
    end: date | str | None = None,
    key: Hashable = None,
) -> SeriesInput:
    """Build a regular ``SeriesInput`` from daily observations of one item.

    ``dates``/``quantities`` may repeat a day (summed). ``stockout`` flags rows whose day was out of
    stock (a day is a stock-out day if any of its rows is flagged; add a zero-quantity row for a
    stock-out day without sales). ``promotion`` gives each row's promotion regressor (0/1 or uplift
    fraction); a period's regressor is the mean over its days. ``start`` defaults to the first date,
    ``end`` (the as-of date, inclusive) to the last one.

    Raises ValueError for negative or non-finite quantities, mismatched lengths, an unknown ``freq``
    or ``end`` before ``start``.
    """
    if freq not in _PERIOD_FREQ:
        raise ValueError(f"unknown freq {freq!r}; use one of {sorted(_PERIOD_FREQ)}")
    daily = _daily_frame(dates, quantities, stockout, promotion, start, end)
    periods = daily.index.to_period(_PERIOD_FREQ[freq])
    grouped = daily.groupby(periods)
    n_days = grouped.size()
    full_length = np.array([_days_in(p) for p in n_days.index])
    complete = n_days.to_numpy() == full_length  # drop partial periods at either end
    in_stock = grouped["in_stock_qty"].sum().to_numpy()[complete]
    in_stock_days = grouped["in_stock"].sum().to_numpy()[complete]
    days = full_length[complete]
    promo = grouped["promotion"].mean().to_numpy()[complete]
    # Scale from in-stock days so a half-week stock-out does not halve the week's demand.
    with np.errstate(invalid="ignore", divide="ignore"):
        values = np.where(in_stock_days > 0, in_stock * days / np.maximum(in_stock_days, 1), 0.0)
    missing = in_stock_days * 2 < days
    starts = tuple(p.start_time.date().isoformat() for p in n_days.index[complete])
    return SeriesInput(
        key=key,
        values=tuple(values),
        missing=tuple(missing) if missing.any() else None,
        promotions=tuple(promo) if promotion is not None else None,
        period_starts=starts,
        freq="W" if freq == "W-MON" else ("M" if freq == "MS" else freq),
    )


def _days_in(period: pd.Period) -> int:
    """Number of days in a period (7 for weeks, 28-31 for months, 1 for days)."""
    return int((period.end_time.normalize() - period.start_time.normalize()).days) + 1


def _daily_frame(
    dates: Sequence, quantities: Sequence[float], stockout: Sequence[bool] | None,
    promotion: Sequence[float] | None, start: date | str | None, end: date | str | None,
) -> pd.DataFrame:
    """One row per calendar day from start to end with demand, stock-out and promotion columns."""
    idx = pd.DatetimeIndex(pd.to_datetime(list(dates))).normalize()
    qty = np.asarray(quantities, dtype=float).ravel()
    if len(idx) != len(qty):
        raise ValueError(f"{len(idx)} dates but {len(qty)} quantities")
    if not np.all(np.isfinite(qty)):
        raise ValueError("quantities must be finite numbers")
    if (qty < 0).any():
        bad = int(np.flatnonzero(qty < 0)[0])
        raise ValueError(f"demand must not be negative: {qty[bad]} on {idx[bad].date()}")
    so = np.zeros(len(qty), bool) if stockout is None else np.asarray(stockout, dtype=bool).ravel()
    pr = np.zeros(len(qty)) if promotion is None else np.asarray(promotion, dtype=float).ravel()
    if len(so) != len(qty) or len(pr) != len(qty):
        raise ValueError("stockout and promotion must have one entry per observation")
    lo = pd.Timestamp(start) if start is not None else (idx.min() if len(idx) else None)
    hi = pd.Timestamp(end) if end is not None else (idx.max() if len(idx) else None)
    if lo is None or hi is None:
        raise ValueError("no observations: give start and end for an item without demand")
    if hi < lo:
        raise ValueError(f"end {hi.date()} is before start {lo.date()}")
    frame = pd.DataFrame({"qty": qty, "stockout": so, "promotion": pr}, index=idx)
    frame = frame[(frame.index >= lo) & (frame.index <= hi)]
    day = frame.groupby(level=0).agg({"qty": "sum", "stockout": "max", "promotion": "max"})
    day = day.reindex(pd.date_range(lo.normalize(), hi.normalize(), freq="D"))
    day = day.fillna({"qty": 0.0, "stockout": False, "promotion": 0.0})
    day["stockout"] = day["stockout"].astype(bool)
    day["in_stock"] = (~day["stockout"]).astype(int)
    day["in_stock_qty"] = day["qty"].where(~day["stockout"], 0.0)
    return day


def classify(
    values: Sequence[float], missing: Sequence[bool] | None = None, min_periods: int = MIN_PERIODS
) -> Classification:
    """Classify demand by ADI and CV² (Syntetos-Boylan cut-offs 1.32 and 0.49).

    Missing periods are left out. Fewer than ``min_periods`` observed periods gives ``new``; a series
    with no demand at all is ``intermittent`` with ADI = inf (nothing to forecast but zero).
    """
    y = np.asarray(values, dtype=float)
    if missing is not None:
        y = y[~np.asarray(missing, dtype=bool)]
    n = len(y)
    nonzero = y[y > 0]
    k = len(nonzero)
    adi = n / k if k else float("inf")
    cv2 = float(np.var(nonzero) / np.mean(nonzero) ** 2) if k > 1 else 0.0
    if n < min_periods:
        category = "new"
    elif adi < ADI_CUTOFF:
        category = "smooth" if cv2 < CV2_CUTOFF else "erratic"
    else:
        category = "intermittent" if cv2 < CV2_CUTOFF else "lumpy"
    return Classification(category=category, adi=float(adi), cv2=cv2, n_periods=n, n_nonzero=k)


def impute_missing(values: np.ndarray, missing: np.ndarray | None, window: int = 4) -> np.ndarray:
    """Replace missing periods by the mean of up to ``window`` preceding observed periods.

    Only earlier periods are used so a backtest origin never sees the future; a leading gap takes
    the mean of all observed periods (nothing earlier exists). With nothing observed it returns 0s.
    """
    y = np.asarray(values, dtype=float).copy()
    if missing is None or not np.any(missing):
        return y
    miss = np.asarray(missing, dtype=bool)
    observed = y[~miss]
    fallback = float(observed.mean()) if len(observed) else 0.0
    recent: list[float] = []
    for t in range(len(y)):
        if miss[t]:
            y[t] = float(np.mean(recent[-window:])) if recent else fallback
        else:
            recent.append(y[t])
    return y
