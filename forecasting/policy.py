"""Inventory policy arithmetic used by the replenishment planner (pure functions, floats, days).

Safety stock follows the standard formula for random demand and random lead time:
    SS = z · sqrt(L · σd² + d² · σL²)
with L the mean lead time (days), σL its standard deviation (days), d the mean daily demand and
σd the standard deviation of daily demand. The reorder point of a continuous-review (s, Q) policy is
d·L + SS; the order-up-to level of a periodic-review (R, S) policy is d·(L + R) + SS, where SS must
then protect L + R days (pass ``lead_time_days + review_period_days`` to ``safety_stock``).
"""

from __future__ import annotations

import math
from statistics import NormalDist


def _non_negative(**values: float) -> None:
    """Raise ValueError naming the first negative or non-finite argument."""
    for name, value in values.items():
        if not math.isfinite(value) or value < 0:
            raise ValueError(f"{name} must be a finite number >= 0, got {value}")


def z_for_service_level(p: float) -> float:
    """Standard normal quantile for a cycle service level ``p`` (e.g. 0.95 -> 1.645).

    Raises ValueError unless 0 < p < 1 (100% service would need infinite stock).
    """
    if not 0 < p < 1:
        raise ValueError(f"service level must be strictly between 0 and 1, got {p}")
    return NormalDist().inv_cdf(p)


def safety_stock(z: float, lead_time_days: float, sigma_daily_demand: float,
                 mean_daily_demand: float, sigma_lead_time_days: float = 0.0) -> float:
    """Safety stock z · sqrt(L·σd² + d²·σL²) in units of demand.

    A negative ``z`` (service level below 50%) gives 0: stock is never planned below the mean.
    Raises ValueError for negative lead times, demand or standard deviations.
    """
    _non_negative(lead_time_days=lead_time_days, sigma_daily_demand=sigma_daily_demand,
                  mean_daily_demand=mean_daily_demand, sigma_lead_time_days=sigma_lead_time_days)
    variance = lead_time_days * sigma_daily_demand**2 + mean_daily_demand**2 * sigma_lead_time_days**2
    return max(0.0, z) * math.sqrt(variance)


def reorder_point(mean_daily_demand: float, lead_time_days: float, safety_stock_units: float) -> float:
    """Inventory position at which to reorder: expected lead-time demand d·L plus safety stock."""
    _non_negative(mean_daily_demand=mean_daily_demand, lead_time_days=lead_time_days,
                  safety_stock_units=safety_stock_units)
    return mean_daily_demand * lead_time_days + safety_stock_units


def order_up_to(mean_daily_demand: float, lead_time_days: float, review_period_days: float,
                safety_stock_units: float) -> float:
    """Order-up-to level S = d·(L + R) + SS for periodic review every R days."""
    _non_negative(mean_daily_demand=mean_daily_demand, lead_time_days=lead_time_days,
                  review_period_days=review_period_days, safety_stock_units=safety_stock_units)
    return mean_daily_demand * (lead_time_days + review_period_days) + safety_stock_units


def daily_from_period(mean_per_period: float, sigma_per_period: float, days_per_period: float) -> tuple[float, float]:
    """Convert a period forecast (e.g. weekly mean and sigma) to daily mean and sigma.

    Assumes days within a period are independent, so sigma scales with the square root of days.
    """
    if days_per_period <= 0:
        raise ValueError(f"days_per_period must be > 0, got {days_per_period}")
    _non_negative(mean_per_period=mean_per_period, sigma_per_period=sigma_per_period)
    return mean_per_period / days_per_period, sigma_per_period / math.sqrt(days_per_period)


def order_up_to_levels(z, mean_per_period, sigma_per_period, lead_time: float, review_period: float,
                       sigma_lead_time: float = 0.0):
    """Vectorised ``order_up_to(d, L, R, safety_stock(z, L + R, σd, d, σL))`` over numpy arrays.

    The same formula S = d·(L + R) + max(0, z)·sqrt((L + R)·σd² + d²·σL²), for a whole replay at once
    (arrays broadcast: e.g. z per series against d and σd per series × review). Units are whatever
    period ``d``, ``σd``, ``L`` and ``R`` share (days in the planner, weeks or months in a replay).
    Raises ValueError for negative or non-finite inputs.
    """
    import numpy as np

    d = np.asarray(mean_per_period, float)
    sd = np.asarray(sigma_per_period, float)
    _non_negative(lead_time=lead_time, review_period=review_period, sigma_lead_time=sigma_lead_time)
    if not (np.all(np.isfinite(d)) and np.all(d >= 0) and np.all(np.isfinite(sd)) and np.all(sd >= 0)):
        raise ValueError("mean and sigma per period must be finite numbers >= 0")
    cover = lead_time + review_period
    variance = cover * sd**2 + d**2 * sigma_lead_time**2
    return d * cover + np.maximum(0.0, np.asarray(z, float)) * np.sqrt(variance)


def safety_stock_from_error(z: float, sigma_lead_time_demand: float, mean_daily_demand: float,
                            sigma_lead_time_days: float = 0.0) -> float:
    """Safety stock from the forecast's own error over the lead time: z · sqrt(σ_LT² + d²·σL²).

    `sigma_lead_time_demand` is the spread of the forecast error summed over the lead time (the
    backtest error, sqrt(Σ σ_t²)); with a constant daily σd it equals the formula's sqrt(L)·σd.
    """
    _non_negative(sigma_lead_time_demand=sigma_lead_time_demand, mean_daily_demand=mean_daily_demand,
                  sigma_lead_time_days=sigma_lead_time_days)
    return max(0.0, z) * math.sqrt(sigma_lead_time_demand**2 + mean_daily_demand**2 * sigma_lead_time_days**2)
