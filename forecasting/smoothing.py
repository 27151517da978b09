"""Fast exponential smoothing by vectorised grid search.

Why not statsmodels here: a statsmodels Holt-Winters fit costs 40-90 ms, and choosing a model by
rolling-origin backtest needs one fit per origin per candidate. Instead every parameter combination
of a coarse grid is filtered at once (numpy arrays over the grid, one Python loop over time), and
the states and cumulative squared one-step errors are snapshotted at each backtest origin. The
forecast from origin ``o`` then uses the parameters with the least squared error on data before
``o`` -- an honest refit at every origin for the price of a single pass.

Initial states are heuristic (a least-squares line plus mean seasonal deviations over the first
seasons, as in Hyndman et al. 2008, section 2.6) and use only data before the earliest origin.
Origins are counted in observations: origin ``o`` sees ``y[:o]`` and forecasts ``y[o:o+h]``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

_ALPHAS = (0.03, 0.08, 0.15, 0.25, 0.4, 0.6, 0.8, 0.95)
_BETAS = (0.005, 0.03, 0.1)
_GAMMAS = (0.01, 0.05, 0.15, 0.3, 0.5, 0.7, 0.9)
_PHIS = (0.85, 0.93, 0.98)
# Squared errors of the first seasons are not counted: they mostly measure the heuristic initial
# states, and counting them pushes the choice towards over-reactive parameters.
_BURN_SEASONS = 2
_SES_ALPHAS = tuple(np.round(np.linspace(0.02, 0.98, 25), 3))


@dataclass(frozen=True)
class EtsSpec:
    """Exponential smoothing form: trend None/'add' (optionally damped), seasonal None/'add'/'mul'."""

    trend: str | None
    damped: bool
    seasonal: str | None
    period: int = 1


def _grid(spec: EtsSpec) -> dict[str, np.ndarray]:
    """Parameter combinations within the usual limits (beta <= alpha, gamma <= 1 - alpha)."""
    alphas = _SES_ALPHAS if spec.trend is None and spec.seasonal is None else _ALPHAS
    rows = []
    for a in alphas:
        for b in (_BETAS if spec.trend else (0.0,)):
            if b > a:
                continue
            for g in (_GAMMAS if spec.seasonal else (0.0,)):
                if g > 1 - a:
                    continue
                for p in (_PHIS if spec.damped else (1.0,)):
                    rows.append((a, b, g, p))
    arr = np.array(rows, dtype=float)
    return {"alpha": arr[:, 0], "beta": arr[:, 1], "gamma": arr[:, 2], "phi": arr[:, 3]}


def heuristic_init(y: np.ndarray, spec: EtsSpec, n_init: int) -> tuple[float, float, np.ndarray]:
    """Initial level, trend and seasonal states from the first ``n_init`` observations.

    Fits a straight line over up to four whole seasons (ten points when non-seasonal) and takes the
    mean deviation (or ratio) from that line per season position.
    """
    m = spec.period if spec.seasonal else 1
    if spec.seasonal:
        k = max(1, min(4, n_init // m)) * m
    else:
        k = max(2, min(10, n_init))
    seg = y[:k]
    t = np.arange(len(seg), dtype=float)
    slope, intercept = (np.polyfit(t, seg, 1) if spec.trend and len(seg) > 1 else (0.0, seg.mean()))
    line = intercept + slope * t
    season = np.zeros(m) if spec.seasonal != "mul" else np.ones(m)
    if spec.seasonal == "add":
        dev = seg - line
        season = np.array([dev[i::m].mean() for i in range(m)])
        season -= season.mean()
    elif spec.seasonal == "mul":
        ratio = seg / np.maximum(line, 1e-9)
        season = np.array([ratio[i::m].mean() for i in range(m)])
        season = np.clip(season / season.mean(), 0.05, None)
    # Level at "time -1", so the first one-step forecast is level + trend (+ season).
    return float(intercept - slope), float(slope), season


def ets_grid_forecasts(
    y: np.ndarray, origins: Sequence[int], horizon: int, spec: EtsSpec
) -> tuple[np.ndarray, list[dict[str, float]]]:
    """Forecasts of ``horizon`` steps from each origin, refitting the parameters at every origin.

    Returns an array of shape (len(origins), horizon) and the chosen parameters per origin (alpha,
    plus beta and phi with a trend and gamma with a season).
    """
    y = np.asarray(y, dtype=float)
    origins = list(origins)
    grid = _grid(spec)
    m = spec.period if spec.seasonal else 1
    l0, b0, s0 = heuristic_init(y, spec, min(origins))
    snaps = _filter(y, max(origins), spec, grid, (l0, b0, s0), set(origins))
    out = np.empty((len(origins), horizon))
    params: list[dict[str, float]] = []
    steps = np.arange(1, horizon + 1)
    for row, o in enumerate(origins):
        sse, level, trend, season = snaps[o]
        g = int(np.argmin(sse))
        alpha, beta, gamma, phi = (float(grid[k][g]) for k in ("alpha", "beta", "gamma", "phi"))
        if spec.trend is None:
            trend_path = np.zeros(horizon)
        elif spec.damped:
            trend_path = trend[g] * phi * (1 - phi**steps) / (1 - phi)
        else:
            trend_path = trend[g] * steps
        base = level[g] + trend_path
        idx = (o + steps - 1) % m
        if spec.seasonal == "add":
            out[row] = base + season[idx, g]
        elif spec.seasonal == "mul":
            out[row] = base * season[idx, g]
        else:
            out[row] = base
        chosen = {"alpha": alpha}
        if spec.trend:
            chosen.update(beta=beta, phi=phi)
        if spec.seasonal:
            chosen["gamma"] = gamma
        params.append(chosen)
    return out, params


def _filter(
    y: np.ndarray, n: int, spec: EtsSpec, grid: dict[str, np.ndarray],
    init: tuple[float, float, np.ndarray], keep: set[int],
) -> dict[int, tuple[np.ndarray, ...]]:
    """Run the error-correction recursions for every grid point; snapshot state at ``keep`` times."""
    alpha, beta, gamma, phi = grid["alpha"], grid["beta"], grid["gamma"], grid["phi"]
    size = len(alpha)
    m = spec.period if spec.seasonal else 1
    level = np.full(size, init[0])
    trend = np.full(size, init[1] if spec.trend else 0.0)
    season = np.repeat(init[2][:, None], size, axis=1)  # (m, size): row per season position
    sse = np.zeros(size)
    mul = spec.seasonal == "mul"
    # Keep at least one season of scored errors before the earliest snapshot.
    burn = min(_BURN_SEASONS * m, max(0, min(keep) - m)) if spec.seasonal else 0
    snaps: dict[int, tuple[np.ndarray, ...]] = {}
    with np.errstate(all="ignore"):  # diverging grid points become nan/inf and lose on SSE
        for t in range(n + 1):
            if t in keep:
                finite_sse = np.where(np.isfinite(sse), sse, np.inf)
                snaps[t] = (finite_sse, level.copy(), trend.copy(), season.copy())
            if t == n:
                break
            s_t = season[t % m]
            damp = phi * trend
            base = level + damp
            if mul:
                err = y[t] - base * s_t
                level = base + alpha * err / s_t
                trend = damp + beta * err / s_t
                season[t % m] = s_t + gamma * err / base
            else:
                err = y[t] - base - s_t
                level = base + alpha * err
                if spec.trend:
                    trend = damp + beta * err
                if spec.seasonal:
                    season[t % m] = s_t + gamma * err
            if t >= burn:
                sse += err * err
    return snaps


def ses_path(y: np.ndarray, origins: Sequence[int],
             alphas: Sequence[float] = _SES_ALPHAS) -> list[tuple[float, float]]:
    """Simple exponential smoothing level and chosen alpha at each origin (least squares on the
    data before it)."""
    spec = EtsSpec(trend=None, damped=False, seasonal=None)
    grid = {"alpha": np.asarray(alphas, float), "beta": np.zeros(len(alphas)),
            "gamma": np.zeros(len(alphas)), "phi": np.ones(len(alphas))}
    init = (float(np.mean(y[: max(1, min(4, min(origins)))])), 0.0, np.zeros(1))
    snaps = _filter(np.asarray(y, float), max(origins), spec, grid, init, set(origins))
    result = []
    for o in origins:
        sse, level, _, _ = snaps[o]
        g = int(np.argmin(sse))
        result.append((float(level[g]), float(grid["alpha"][g])))
    return result


def croston_path(y: np.ndarray, origins: Sequence[int], alpha: float = 0.1) -> list[tuple[float, float]]:
    """Croston's smoothed demand size and inter-demand interval at each origin.

    Initialised with the first demand and its interval; (0, 1) before any demand.
    """
    y = np.asarray(y, dtype=float)
    keep = set(origins)
    size, interval, since = 0.0, 1.0, 0
    started = False
    states: dict[int, tuple[float, float]] = {}
    for t in range(max(origins) + 1):
        if t in keep:
            states[t] = (size, interval) if started else (0.0, 1.0)
        if t == len(y):
            break
        since += 1
        if y[t] > 0:
            if not started:
                size, interval, started = y[t], float(since), True
            else:
                size += alpha * (y[t] - size)
                interval += alpha * (since - interval)
            since = 0
    return [states[o] for o in origins]


def tsb_path(
    y: np.ndarray, origins: Sequence[int],
    alphas: Sequence[float] = (0.05, 0.1, 0.2, 0.3), betas: Sequence[float] = (0.02, 0.05, 0.1, 0.2),
) -> list[tuple[float, dict[str, float]]]:
    """Teunter-Syntetos-Babai forecast (probability x size) at each origin, with (alpha, beta) chosen
    by least squares on data before the origin from a small grid."""
    y = np.asarray(y, dtype=float)
    a, b = np.meshgrid(np.asarray(alphas, float), np.asarray(betas, float))
    a, b = a.ravel(), b.ravel()
    nonzero = np.flatnonzero(y[: min(origins)] > 0)
    size = np.full(len(a), float(y[nonzero[0]]) if len(nonzero) else 0.0)
    prob = np.full(len(a), len(nonzero) / max(min(origins), 1))
    sse = np.zeros(len(a))
    keep = set(origins)
    states: dict[int, tuple[float, dict[str, float]]] = {}
    for t in range(max(origins) + 1):
        if t in keep:
            g = int(np.argmin(sse))
            states[t] = (float(prob[g] * size[g]), {"alpha": float(a[g]), "beta": float(b[g])})
        if t == len(y):
            break
        err = y[t] - prob * size
        sse += err * err
        occurred = y[t] > 0
        prob = prob + b * (float(occurred) - prob)
        if occurred:
            size = size + a * (y[t] - size)
    return [states[o] for o in origins]
