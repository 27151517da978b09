"""Synthetic demand series with known structure, shared by the forecasting tests."""

from __future__ import annotations

import numpy as np

from forecasting import SeriesInput


def seasonal(n: int = 96, season: int = 12, seed: int = 0, level: float = 200.0) -> np.ndarray:
    """Strong stable seasonality (amplitude 40% of level) plus small noise, no trend."""
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    pattern = 1 + 0.4 * np.sin(2 * np.pi * t / season) + 0.15 * np.cos(4 * np.pi * t / season)
    return np.round(level * pattern + rng.normal(0, 0.03 * level, n), 1)


def intermittent(n: int = 60, seed: int = 1, p: float = 0.25) -> np.ndarray:
    """Demand in about a quarter of the periods, sizes 1-6."""
    rng = np.random.default_rng(seed)
    occurs = rng.random(n) < p
    occurs[:3] = [True, False, False]  # make sure there is early demand
    return np.where(occurs, rng.integers(1, 7, n), 0).astype(float)


def flat(n: int = 60, seed: int = 2, level: float = 100.0) -> np.ndarray:
    """Level with noise only: no trend, no season."""
    return np.round(np.random.default_rng(seed).normal(level, 0.08 * level, n), 1)


def as_input(values: np.ndarray, key: object = "item", **kwargs: object) -> SeriesInput:
    """Wrap an array as a SeriesInput."""
    return SeriesInput(key=key, values=tuple(values), **kwargs)
