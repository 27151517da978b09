"""The forecasting model registry: one signature, one explicit list.

Every model is ``fit_predict(y, horizon, season, exog, exog_future) -> ModelOutput`` over a plain
float array (oldest first, missing periods already imputed). ``min_length(season)`` is the shortest
history the model can use; the engine does not offer a model to a shorter series. Models that can
forecast from many backtest origins in one pass also provide ``rolling(y, origins, horizon, season,
exog) -> array (origins x horizon)``; the others are refitted per origin by the backtest.

Point forecasts are clipped at 0 by the engine (demand is never negative). Intervals are produced
here only by the statsmodels state-space models; everything else gets empirical backtest intervals.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from . import sm_models
from .smoothing import EtsSpec, croston_path, ets_grid_forecasts, ses_path, tsb_path
from .types import ModelOutput

FitPredict = Callable[[np.ndarray, int, int, "np.ndarray | None", "np.ndarray | None"], ModelOutput]
Rolling = Callable[[np.ndarray, Sequence[int], int, int, "np.ndarray | None"], np.ndarray]


@dataclass(frozen=True)
class Model:
    """A registry entry. ``family`` groups models for the per-classification candidate sets."""

    name: str
    family: str
    fit_predict: FitPredict
    min_length: Callable[[int], int]
    rolling: Rolling | None = None
    needs_positive: bool = False
    uses_exog: bool = False
    description: str = ""


def _from_rolling(rolling: Rolling, params: Callable[[np.ndarray, int], dict] | None = None) -> FitPredict:
    """Build ``fit_predict`` from a rolling implementation: one origin at the end of the data."""

    def fit_predict(y, horizon, season, exog=None, exog_future=None):
        mean = rolling(y, [len(y)], horizon, season, exog)[0]
        return ModelOutput(mean=mean, params=params(y, season) if params else {})

    return fit_predict


# --- baselines -----------------------------------------------------------------------------------

def _naive_rolling(y, origins, horizon, season, exog=None):
    """Last observed value, repeated."""
    return np.array([np.full(horizon, y[o - 1]) for o in origins])


def _snaive_rolling(y, origins, horizon, season, exog=None):
    """Value of the same season position one season earlier (naive when season <= 1)."""
    m = max(1, season)
    steps = np.arange(horizon)
    return np.array([y[o - m + steps % m] for o in origins])


def _ma_window(season: int) -> int:
    """Window of the moving average: a year of monthly data, a quarter of weekly data, else 6."""
    return 12 if season >= 12 and season < 52 else (13 if season >= 52 else 6)


def _ma_rolling(y, origins, horizon, season, exog=None):
    """Mean of the last window periods, flat."""
    w = _ma_window(season)
    return np.array([np.full(horizon, y[max(0, o - w):o].mean()) for o in origins])


# --- exponential smoothing (fast grid, see smoothing.py) -----------------------------------------

def _ets_model(spec_of: Callable[[int], EtsSpec], log: bool = False) -> tuple[Rolling, FitPredict]:
    """Rolling and fit_predict for a grid-fitted exponential smoothing form (optionally on log scale)."""

    def rolling(y, origins, horizon, season, exog=None):
        data = np.log(y) if log else y
        fc, _ = ets_grid_forecasts(data, origins, horizon, spec_of(season))
        return np.exp(fc) if log else fc

    def fit_predict(y, horizon, season, exog=None, exog_future=None):
        data = np.log(y) if log else y
        fc, params = ets_grid_forecasts(data, [len(y)], horizon, spec_of(season))
        return ModelOutput(mean=np.exp(fc[0]) if log else fc[0], params=params[0])

    return rolling, fit_predict


_SES = _ets_model(lambda m: EtsSpec(None, False, None))
_HOLT = _ets_model(lambda m: EtsSpec("add", True, None))
_HW_ADD = _ets_model(lambda m: EtsSpec("add", True, "add", m))
_HW_MUL = _ets_model(lambda m: EtsSpec("add", True, "mul", m))
_HW_LOG = _ets_model(lambda m: EtsSpec("add", True, "add", m), log=True)
_SEASONAL_SES = _ets_model(lambda m: EtsSpec(None, False, "add", m))


# --- theta ---------------------------------------------------------------------------------------

#: Seasons of recent history used to estimate Theta's seasonal indices.
THETA_SEASONS = 4
#: Seasons of recent history examined by the seasonality test.
SEASONALITY_TEST_SEASONS = 8


def _acf_says_seasonal(x: np.ndarray, m: int) -> bool:
    """Lag-m autocorrelation beyond the 90% limit with Bartlett's variance (as in the classical
    Theta method's seasonality test)."""
    n = len(x)
    x = x - x.mean()
    denom = float(x @ x)
    if denom == 0:
        return False
    acf = np.array([x[k:] @ x[: n - k] / denom for k in range(1, m + 1)])
    limit = 1.645 * np.sqrt((1 + 2 * np.sum(acf[: m - 1] ** 2)) / n)
    return bool(abs(acf[m - 1]) > limit)


def _centred_ma(y: np.ndarray, m: int) -> tuple[np.ndarray, int]:
    """2xm (even m) or m (odd m) centred moving average and the offset of its first value."""
    kernel = np.r_[0.5, np.ones(m - 1), 0.5] / m if m % 2 == 0 else np.ones(m) / m
    return np.convolve(y, kernel, mode="valid"), (len(kernel) - 1) // 2


def is_seasonal(y: np.ndarray, m: int) -> bool:
    """Does the recent history (up to SEASONALITY_TEST_SEASONS seasons) have a season of length m?

    The autocorrelation test runs on data detrended by a centred moving average when there are
    three seasons or more: on raw data a trend dominates every autocorrelation and hides the season.
    False for fewer than two seasons or constant data.
    """
    if m <= 1 or len(y) < 2 * m + 1:
        return False
    x = np.asarray(y[-SEASONALITY_TEST_SEASONS * m:], float)
    if len(x) < 3 * m:
        return _acf_says_seasonal(x, m)
    trend, offset = _centred_ma(x, m)
    return _acf_says_seasonal(x[offset: offset + len(trend)] - trend, m)


def seasonal_indices(y: np.ndarray, m: int) -> tuple[np.ndarray, str] | None:
    """Classical decomposition seasonal indices over the last few seasons and their kind ('mul'
    for strictly positive data, else 'add'), or None when ``is_seasonal`` says there is no season.

    Only recent seasons are used: after a level shift (a product delisted, a price change) old
    seasonal swings would otherwise be added to a much smaller level.
    """
    if not is_seasonal(y, m):
        return None
    start = max(0, len(y) - THETA_SEASONS * m)
    y = y[start:]
    trend, offset = _centred_ma(y, m)
    # Index k of the result applies to periods t of the full series with t % m == k.
    positions = (np.arange(len(trend)) + offset + start) % m
    part = y[offset: offset + len(trend)]
    if np.all(y > 0):
        ratio = part / trend
        idx = np.array([ratio[positions == i].mean() for i in range(m)])
        return idx / idx.mean(), "mul"
    dev = part - trend
    idx = np.array([dev[positions == i].mean() for i in range(m)])
    return idx - idx.mean(), "add"


def _theta(y, horizon, season, exog=None, exog_future=None):
    """Theta method (Assimakopoulos-Nikolopoulos as SES with drift, Hyndman-Billah 2003) on
    seasonally adjusted data; drift is half the least-squares slope."""
    n = len(y)
    found = seasonal_indices(y, season)
    pos = np.arange(n + horizon) % max(season, 1)
    x = y
    if found is not None:
        idx, kind = found
        x = y / idx[pos[:n]] if kind == "mul" else y - idx[pos[:n]]
    level, alpha = ses_path(x, [n])[0]
    slope = np.polyfit(np.arange(n, dtype=float), x, 1)[0] if n > 1 else 0.0
    steps = np.arange(1, horizon + 1)
    drift = slope / 2 * (steps - 1 + 1 / alpha - (1 - alpha) ** n / alpha)
    mean = level + drift
    if found is not None:
        mean = mean * idx[pos[n:]] if kind == "mul" else mean + idx[pos[n:]]
    return ModelOutput(mean=mean, params={"alpha": alpha, "drift": float(slope / 2),
                                          "seasonal": None if found is None else kind})


# --- intermittent demand -------------------------------------------------------------------------

def _croston_rolling(debias: bool, alpha: float = 0.1) -> Rolling:
    """Croston (size / interval); SBA multiplies by (1 - alpha/2) to remove Croston's upward bias."""
    factor = 1 - alpha / 2 if debias else 1.0

    def rolling(y, origins, horizon, season, exog=None):
        states = croston_path(y, origins, alpha)
        return np.array([np.full(horizon, factor * s / p) for s, p in states])

    return rolling


def _tsb_rolling(y, origins, horizon, season, exog=None):
    """TSB: smoothed demand probability times smoothed size; decays towards 0 for dying items."""
    return np.array([np.full(horizon, f) for f, _ in tsb_path(y, origins)])


def _aggregate(y: np.ndarray, k: int) -> np.ndarray:
    """Non-overlapping sums of k periods, aligned to the end (the oldest remainder is dropped)."""
    n = len(y) // k * k
    return y[len(y) - n:].reshape(-1, k).sum(axis=1)


def _adi(y: np.ndarray) -> float:
    """Average inter-demand interval (periods per non-zero period)."""
    nz = int(np.count_nonzero(y))
    return len(y) / nz if nz else float(len(y))


def _ses_on_level(y: np.ndarray, k: int) -> float:
    """Per-period SES forecast of the k-period temporal aggregate."""
    agg = _aggregate(y, k)
    if len(agg) < 2:
        return float(y.mean())
    return ses_path(agg, [len(agg)])[0][0] / k


def _adida(y, horizon, season, exog=None, exog_future=None):
    """ADIDA: SES on buckets as long as the average demand interval, spread back evenly."""
    k = max(1, int(round(_adi(y))))
    k = min(k, max(1, len(y) // 3))
    return ModelOutput(mean=np.full(horizon, _ses_on_level(y, k)), params={"level": k})


def _imapa(y, horizon, season, exog=None, exog_future=None):
    """IMAPA: mean of the SES forecasts at every aggregation level 1..max(2, ADI)."""
    top = min(max(2, int(np.ceil(_adi(y)))), max(1, len(y) // 3), 12)
    levels = range(1, top + 1)
    mean = float(np.mean([_ses_on_level(y, k) for k in levels]))
    return ModelOutput(mean=np.full(horizon, mean), params={"levels": top})


# --- registry ------------------------------------------------------------------------------------

def _seasonal_min(m: int) -> int:
    return 2 * max(m, 1) + 2


REGISTRY: dict[str, Model] = {
    m.name: m
    for m in (
        Model("naive", "baseline", _from_rolling(_naive_rolling), lambda m: 1, _naive_rolling,
              description="last value"),
        Model("seasonal_naive", "baseline", _from_rolling(_snaive_rolling), lambda m: max(m, 1),
              _snaive_rolling, description="same period last season"),
        Model("moving_average", "baseline",
              _from_rolling(_ma_rolling, lambda y, m: {"window": _ma_window(m)}), lambda m: 1,
              _ma_rolling, description="mean of the recent window"),
        Model("ses", "smoothing", _SES[1], lambda m: 3, _SES[0],
              description="simple exponential smoothing"),
        Model("holt_damped", "smoothing", _HOLT[1], lambda m: 8, _HOLT[0],
              description="Holt linear trend, damped"),
        Model("seasonal_ses", "seasonal", _SEASONAL_SES[1], _seasonal_min, _SEASONAL_SES[0],
              description="level + additive season, no trend"),
        Model("hw_additive", "seasonal", _HW_ADD[1], _seasonal_min, _HW_ADD[0],
              description="Holt-Winters, damped trend, additive season"),
        Model("hw_multiplicative", "seasonal", _HW_MUL[1], _seasonal_min, _HW_MUL[0],
              needs_positive=True, description="Holt-Winters, damped trend, multiplicative season"),
        Model("hw_log", "seasonal", _HW_LOG[1], _seasonal_min, _HW_LOG[0], needs_positive=True,
              description="Holt-Winters additive on log demand (multiplicative, median forecast)"),
        Model("theta", "smoothing", _theta, lambda m: 4,
              description="Theta: SES with half the linear drift, seasonally adjusted"),
        Model("ets", "statespace", sm_models.ets_fit_predict, sm_models.ets_min_length,
              description="statsmodels ETSModel A,Ad,A (A,Ad,N when short) with its own intervals"),
        Model("sarimax", "statespace", sm_models.sarimax_fit_predict, sm_models.sarimax_min_length,
              uses_exog=True, description="statsmodels SARIMAX with promotions as regressor"),
        Model("croston", "intermittent", _from_rolling(_croston_rolling(False)), lambda m: 2,
              _croston_rolling(False), description="Croston, alpha 0.1"),
        Model("sba", "intermittent", _from_rolling(_croston_rolling(True)), lambda m: 2,
              _croston_rolling(True), description="Syntetos-Boylan approximation"),
        Model("tsb", "intermittent", _from_rolling(_tsb_rolling), lambda m: 2, _tsb_rolling,
              description="Teunter-Syntetos-Babai"),
        Model("adida", "intermittent", _adida, lambda m: 6,
              description="temporal aggregation at the demand interval + SES"),
        Model("imapa", "intermittent", _imapa, lambda m: 6,
              description="mean over aggregation levels of SES"),
    )
}
