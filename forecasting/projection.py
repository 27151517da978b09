"""Projected stock day by day, stock-out dates and stock-out probabilities, for many series at once.

Plain numpy arrays in and out (one row per item × warehouse, one column per day from `as_of`), no I/O.
Day 0 is `as_of`. Receipts due on a day arrive before that day's demand; the projection is the
end-of-day stock:

    projected[t] = available + Σ_{k≤t} (receipts[k] − demand[k])          available = on hand − reserved

A stock-out is the first day the projection is below zero. The probability of a stock-out before day
`L` (the earliest day an order placed today could arrive) treats demand over days 0..L−1 as normal with
mean Σ mean_k and variance Σ σ_k² (the forecast's per-step error spread, i.e. its backtest error):

    P = 1 − Φ((available + receipts before L − Σ mean) / sqrt(Σ σ²))
"""
from __future__ import annotations

import calendar
import math
from datetime import date, timedelta
from functools import lru_cache

import numpy as np
from scipy.special import ndtr

DAYS_PER_PERIOD = {"D": 1, "W": 7}


def period_days(freq: str, start: date) -> int:
    """Days in the forecast period starting on `start` (a month's own length for monthly forecasts)."""
    if freq == "M":
        return calendar.monthrange(start.year, start.month)[1]
    return DAYS_PER_PERIOD[freq]


def daily_profile(freq: str, period_starts: list[str], mean: list, sigma: list, start: date,
                  days: int) -> tuple[np.ndarray, np.ndarray]:
    """Daily mean demand and daily sigma for `days` days from `start`, from a period forecast.

    A period's mean is spread evenly over its days; its sigma scales with 1/sqrt(days) (days assumed
    independent, as `policy.daily_from_period`). Days before the first period use the first period's
    rate, days after the last one the last period's rate. Missing values count as zero demand.
    """
    if not period_starts:
        return np.zeros(days), np.zeros(days)
    lengths, index = _layout(freq, tuple(period_starts), start, days)
    count = len(period_starts)
    means = np.array([m or 0.0 for m in mean[:count]] + [0.0] * (count - len(mean)), dtype=float) / lengths
    sigmas = np.array([s or 0.0 for s in sigma[:count]] + [0.0] * (count - len(sigma)), dtype=float) / np.sqrt(lengths)
    return np.maximum(means[index], 0.0), np.maximum(sigmas[index], 0.0)


@lru_cache(maxsize=256)
def _layout(freq: str, period_starts: tuple[str, ...], start: date, days: int) -> tuple[np.ndarray, np.ndarray]:
    """Days per period and, for each day from `start`, the index of its period (shared by most series)."""
    starts = [date.fromisoformat(s) for s in period_starts]
    lengths = np.array([period_days(freq, s) for s in starts], dtype=float)
    offsets = np.array([(s - start).days for s in starts])
    index = np.clip(np.searchsorted(offsets, np.arange(days), side="right") - 1, 0, len(starts) - 1)
    return lengths, index


def project(available: np.ndarray, receipts: np.ndarray, demand: np.ndarray) -> np.ndarray:
    """End-of-day projected stock, shape (series, days)."""
    return available[:, None] + np.cumsum(receipts - demand, axis=1)


def first_stockout(projected: np.ndarray) -> np.ndarray:
    """Index of the first day below zero for each row, or -1 when the projection never goes below zero."""
    below = projected < -1e-9
    return np.where(below.any(axis=1), below.argmax(axis=1), -1)


def shortage_before(projected: np.ndarray, days: np.ndarray) -> np.ndarray:
    """The largest shortfall (a positive quantity) over days 0..days−1 of each row (0 when none)."""
    horizon = projected.shape[1]
    mask = np.arange(horizon)[None, :] < np.clip(days, 1, horizon)[:, None]
    lowest = np.where(mask, projected, np.inf).min(axis=1)
    return np.maximum(-lowest, 0.0)


def shortage_between(projected: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """The largest shortfall (a positive quantity) over days start..end−1 of each row (0 when none)."""
    horizon = projected.shape[1]
    days = np.arange(horizon)[None, :]
    mask = (days >= np.clip(start, 0, horizon)[:, None]) & (days < np.clip(end, 1, horizon)[:, None])
    lowest = np.where(mask, projected, np.inf).min(axis=1)
    return np.maximum(-lowest, 0.0)


def stockout_probability(available: np.ndarray, receipts: np.ndarray, demand: np.ndarray,
                         sigma: np.ndarray, days: np.ndarray) -> np.ndarray:
    """P(demand over days 0..days−1 exceeds available stock plus what arrives in that window)."""
    horizon = demand.shape[1]
    mask = np.arange(horizon)[None, :] < np.clip(days, 1, horizon)[:, None]
    supply = available + (receipts * mask).sum(axis=1)
    mu = (demand * mask).sum(axis=1)
    sd = np.sqrt((sigma**2 * mask).sum(axis=1))
    with np.errstate(divide="ignore", invalid="ignore"):
        p = 1.0 - ndtr((supply - mu) / sd)
    return np.where(sd > 0, p, (mu > supply).astype(float))


def lead_time_sigma_demand(sigma: np.ndarray, lead_time_days: float) -> float:
    """sqrt(Σ σ_t²) over the first `lead_time_days` days of one row (fractional last day pro rata):
    the forecast's own error over the lead time, used by the 'backtest' safety-stock method."""
    whole = int(math.floor(lead_time_days))
    variance = float((sigma[:whole] ** 2).sum())
    if whole < len(sigma):
        variance += (lead_time_days - whole) * float(sigma[whole] ** 2)
    return math.sqrt(variance)


def day(as_of: date, index: int) -> date:
    return as_of + timedelta(days=int(index))
