"""Promotion uplift for models that cannot take a regressor.

Rule: demand in a period with promotion regressor x (0/1, or the planned uplift fraction) is
baseline x (1 + u·x). ``u`` is estimated from history as the median of (demand / local baseline - 1)/x
over promoted periods, where the local baseline is the median of the nearest non-promoted periods.
Those models are fitted on the de-promoted history (so spikes are not learned as level or season)
and their forecasts are multiplied by (1 + u·x_future). SARIMAX instead gets x as an exogenous
regressor and estimates an additive effect itself.
"""

from __future__ import annotations

import numpy as np

#: Non-promoted neighbours on each side used for the local baseline.
NEIGHBOURS = 4


def has_variation(x: np.ndarray | None) -> bool:
    """True when a regressor exists and is not constant (a constant column cannot be estimated)."""
    return x is not None and len(x) > 1 and float(np.ptp(x)) > 0


def estimate_uplift(y: np.ndarray, x: np.ndarray) -> float | None:
    """Median relative uplift per unit of regressor, or None when it cannot be estimated
    (fewer than two promoted periods with a positive baseline)."""
    y, x = np.asarray(y, float), np.asarray(x, float)
    plain = np.flatnonzero(x <= 0)
    ratios = []
    for t in np.flatnonzero(x > 0):
        before = plain[plain < t][-NEIGHBOURS:]
        after = plain[plain > t][:NEIGHBOURS]
        neighbours = np.concatenate([before, after])
        if len(neighbours) == 0:
            continue
        base = float(np.median(y[neighbours]))
        if base > 0:
            ratios.append((y[t] / base - 1.0) / x[t])
    if len(ratios) < 2:
        return None
    # Clip so one freak period cannot turn a promotion into a 10x forecast or a negative one.
    return float(np.clip(np.median(ratios), -0.9, 5.0))


def multiplier(uplift: float | None, x: np.ndarray | None, length: int) -> np.ndarray:
    """Per-period factor 1 + u·x (ones when there is no uplift or no regressor)."""
    if uplift is None or x is None:
        return np.ones(length)
    return np.maximum(1.0 + uplift * np.asarray(x, float)[:length], 0.05)
