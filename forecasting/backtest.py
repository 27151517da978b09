"""Rolling-origin backtest: forecast the recent past from earlier data, score, derive error bands.

Origin ``o`` means "pretend only y[:o] is known, forecast y[o:o+h]". Candidates are scored by MASE
(mean absolute error divided by the in-sample one-season-ago error, or the one-period-ago error when
the series is not seasonal or too short) averaged over origins, plus WAPE and bias. Periods flagged
missing (stock-outs) are never used as actuals. The chosen model's backtest errors give ``sigma``
per horizon step and the empirical prediction intervals.
"""

from __future__ import annotations

import warnings
from dataclasses import replace
from typing import Sequence

import numpy as np

from .models import Model
from .types import CandidateScore, ModelOutput


#: Weight of each older backtest origin relative to the next newer one when averaging MASE.
ORIGIN_DECAY = 0.7


def backtest_origins(n: int, horizon: int, n_origins: int, stride: int, min_train: int) -> list[int]:
    """The last ``n_origins`` origins, ``stride`` periods apart, newest first.

    The newest origin leaves a full horizon of actuals when the series allows it, otherwise as many
    as possible. Origins with fewer than ``min_train`` observations before them are dropped.
    """
    newest = max(min_train, n - horizon)
    origins = [newest - i * stride for i in range(n_origins)]
    return [o for o in origins if min_train <= o < n]


def _messages(caught: Sequence[warnings.WarningMessage]) -> tuple[str, ...]:
    """Distinct warning texts, in order, as 'Category: message'."""
    seen: dict[str, None] = {}
    for w in caught:
        seen.setdefault(f"{w.category.__name__}: {w.message}", None)
    return tuple(seen)


def run_model(model: Model, y: np.ndarray, horizon: int, season: int,
              exog: np.ndarray | None = None, exog_future: np.ndarray | None = None) -> ModelOutput:
    """Call ``model.fit_predict`` recording (not printing) every warning into the output."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with np.errstate(all="ignore"):
            out = model.fit_predict(y, horizon, season, exog, exog_future)
    mean = np.asarray(out.mean, float)
    if mean.shape != (horizon,) or not np.all(np.isfinite(mean)):
        raise FloatingPointError(f"{model.name} produced a non-finite forecast")
    return replace(out, mean=mean, warnings=out.warnings + _messages(caught))


def rolling_forecasts(model: Model, y: np.ndarray, origins: Sequence[int], horizon: int, season: int,
                      exog: np.ndarray | None = None) -> tuple[np.ndarray, tuple[str, ...]]:
    """Forecasts from every origin (rows) using the model's one-pass path when it has one."""
    if model.rolling is not None:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with np.errstate(all="ignore"):
                fc = np.asarray(model.rolling(y, list(origins), horizon, season, exog), float)
        return fc, _messages(caught)
    rows, notes = [], []
    for o in origins:
        ex, ex_f = (None, None) if exog is None else (exog[:o], exog[o:o + horizon])
        if ex_f is not None and len(ex_f) < horizon:
            ex_f = np.concatenate([ex_f, np.zeros((horizon - len(ex_f),) + ex_f.shape[1:])])
        out = run_model(model, y[:o], horizon, season, ex, ex_f)
        rows.append(out.mean)
        notes.extend(out.warnings)
    return np.array(rows), tuple(dict.fromkeys(notes))


def mase_scale(y: np.ndarray, season: int) -> float:
    """In-sample MAE of the seasonal naive forecast (naive when season <= 1 or too short).

    Falls back to the naive scale when the seasonal one is 0, and to the mean level (or 1) for a
    constant series, so the score stays finite.
    """
    y = np.asarray(y, float)
    for lag in ((season, 1) if season > 1 else (1,)):
        if len(y) > lag:
            scale = float(np.mean(np.abs(y[lag:] - y[:-lag])))
            if scale > 0:
                return scale
    level = float(np.mean(np.abs(y))) if len(y) else 0.0
    return level if level > 0 else 1.0


def backtest_errors(forecasts: np.ndarray, y: np.ndarray, origins: Sequence[int],
                    missing: np.ndarray | None) -> np.ndarray:
    """Errors actual - forecast per origin and step; NaN beyond the data or at missing actuals."""
    k, horizon = forecasts.shape
    err = np.full((k, horizon), np.nan)
    for row, o in enumerate(origins):
        steps = min(horizon, len(y) - o)
        actual = y[o:o + steps]
        e = actual - forecasts[row, :steps]
        if missing is not None:
            e = np.where(missing[o:o + steps], np.nan, e)
        err[row, :steps] = e
    return err


def score(name: str, forecasts: np.ndarray, y: np.ndarray, origins: Sequence[int], season: int,
          missing: np.ndarray | None) -> CandidateScore:
    """MASE (mean over origins), WAPE and relative bias of one candidate's backtest forecasts."""
    err = backtest_errors(forecasts, y, origins, missing)
    mases, abs_err, actual_sum, signed = [], 0.0, 0.0, 0.0
    for row, o in enumerate(origins):
        ok = ~np.isnan(err[row])
        if not ok.any():
            continue
        e = err[row, ok]
        mases.append(float(np.mean(np.abs(e))) / mase_scale(y[:o], season))
        actual = forecasts[row, ok] + e
        abs_err += float(np.sum(np.abs(e)))
        actual_sum += float(np.sum(actual))
        signed -= float(np.sum(e))
    if not mases:
        return CandidateScore(name, float("inf"), float("inf"), 0.0, 0, "no backtest actuals")
    wape = abs_err / actual_sum if actual_sum > 0 else (0.0 if abs_err == 0 else float("inf"))
    bias = signed / actual_sum if actual_sum > 0 else 0.0
    # Newest origin first; older origins count less: after a level shift their errors describe a
    # world that no longer exists, and a single bad old window should not decide the model.
    weights = ORIGIN_DECAY ** np.arange(len(mases))
    return CandidateScore(name, float(np.average(mases, weights=weights)), wape, bias, len(mases))


def sigma_by_step(errors: np.ndarray, horizon: int) -> np.ndarray:
    """Forecast error std for steps 1..horizon from backtest errors (origins x steps, NaN allowed).

    The mean squared error per step is smoothed by a non-negative straight line var_h = a + b(h-1)
    (flat for stationary errors, linear growth for random-walk-like ones), which also extrapolates
    to steps the backtest could not reach. Root mean squared error is used, so bias widens bands.
    """
    if errors.size == 0:
        return np.full(horizon, np.nan)
    counts = np.sum(~np.isnan(errors), axis=0)
    ok = np.flatnonzero(counts > 0)
    if len(ok) == 0:
        return np.full(horizon, np.nan)
    mse = np.nansum(errors**2, axis=0)[ok] / counts[ok]
    x, v, w = ok.astype(float), mse, counts[ok].astype(float)
    a, b = _nonneg_line(x, v, w)
    return np.sqrt(a + b * np.arange(horizon))


def _nonneg_line(x: np.ndarray, v: np.ndarray, w: np.ndarray) -> tuple[float, float]:
    """Weighted least squares v ~ a + b x with a, b >= 0 (two-parameter NNLS in closed form)."""
    if len(x) > 1 and np.ptp(x) > 0:
        xm, vm = np.average(x, weights=w), np.average(v, weights=w)
        b = float(np.sum(w * (x - xm) * (v - vm)) / np.sum(w * (x - xm) ** 2))
        a = vm - b * xm
        if b >= 0 and a >= 0:
            return float(a), b
        if b < 0:
            return float(np.average(v, weights=w)), 0.0
        return 0.0, float(np.sum(w * x * v) / np.sum(w * x * x))
    return float(np.average(v, weights=w)), 0.0


def parametric_intervals(mean: np.ndarray, sigma: np.ndarray, df: float | None = None) -> tuple[np.ndarray, ...]:
    """80% and 95% bands around ``mean`` with per-step error std ``sigma``: (lo80, hi80, lo95, hi95).

    Errors are taken as Student-t with ``df`` degrees of freedom (sigma estimated from few backtest
    errors; None = normal). Demand cannot be negative, so the part of the distribution below 0 is a
    point mass at 0. When that mass exceeds the lower tail (1-p)/2 the interval becomes
    [0, p-quantile] instead of an equal-tailed one: still a p interval, but not the (1+p)/2 upper
    bound that would over-cover intermittent items (most of their periods are zero).
    """
    from scipy.special import ndtr, ndtri, stdtr, stdtrit  # ufuncs: much faster than scipy.stats

    mean = np.asarray(mean, float)
    sd = np.maximum(np.asarray(sigma, float), 1e-12)
    cdf = (lambda x: stdtr(df, x)) if df else ndtr
    ppf = (lambda q: float(stdtrit(df, q))) if df else (lambda q: float(ndtri(q)))
    p_zero = cdf(-mean / sd)
    bands = []
    for p in (0.8, 0.95):
        tail = (1 - p) / 2
        z = ppf(1 - tail)
        one_sided = p_zero >= tail
        lo = np.where(one_sided, 0.0, np.maximum(mean - z * sd, 0.0))
        hi = np.where(one_sided, mean + ppf(p) * sd, mean + z * sd)
        bands += [lo, hi]
    return tuple(bands)


#: Fewest standardised backtest errors for quantile intervals; below it the t-based bands are used.
MIN_QUANTILE_ERRORS = 12


def standardized_errors(errors: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    """Backtest errors divided by the step's sigma, pooled over origins and steps (NaNs dropped)."""
    if errors.size == 0:
        return np.array([])
    scaled = errors / np.maximum(sigma[: errors.shape[1]], 1e-12)
    return scaled[~np.isnan(scaled)]


def quantile_intervals(mean: np.ndarray, sigma: np.ndarray, u: np.ndarray) -> tuple[np.ndarray, ...]:
    """80% and 95% bands from the empirical distribution of standardised backtest errors ``u``.

    The predictive distribution of step h is max(0, mean_h + u·sigma_h): the error shape comes
    from the item's own backtest, its width grows with the horizon through sigma_h, and zero demand
    gets a point mass. As in ``parametric_intervals``, when that mass covers the lower tail the
    band is [0, p-quantile]: for an item with zero demand 85% of the time the honest 80% band is
    [0, 0], not [0, the 90% quantile].
    """
    values = np.maximum(mean[:, None] + np.asarray(sigma, float)[:, None] * u[None, :], 0.0)
    p_zero = np.mean(values <= 0, axis=1)
    bands = []
    for p in (0.8, 0.95):
        tail = (1 - p) / 2
        q = np.quantile(values, [tail, 1 - tail, p], axis=1)
        one_sided = p_zero >= tail
        bands += [np.where(one_sided, 0.0, q[0]), np.where(one_sided, q[2], q[1])]
    return tuple(bands)
