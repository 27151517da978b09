"""Top-level forecasting: choose a model per series by backtest, forecast with intervals.

``forecast_series`` is pure (plain data in, frozen ``ForecastResult`` out); ``forecast_many`` runs it
over many series in worker processes. Candidate sets depend on the demand class so that slow or
unsuitable models are never tried: intermittent and lumpy series get the intermittent family,
series that pass the seasonality test get seasonal naive, the Holt-Winters family and Theta, the
rest the non-seasonal smoothing family; SARIMAX joins when there is a promotion history. The
statsmodels ETS model is in the registry but not in a default set (about 100 ms per fit, so a
backtest of it would cost more than the whole default set): name it in ``candidates`` to use it.
A mean of the best three candidates competes as one more candidate.
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Callable, Hashable, Iterable, Sequence

import numpy as np

from . import promotions as promo
from .backtest import (backtest_errors, backtest_origins, parametric_intervals, quantile_intervals,
                       rolling_forecasts, run_model, score, sigma_by_step, standardized_errors,
                       MIN_QUANTILE_ERRORS)
from .models import REGISTRY, Model, is_seasonal
from .series import classify, impute_missing
from .types import CandidateScore, Classification, ForecastResult, ModelOutput, SeriesInput

SEASONAL_CANDIDATES = ("seasonal_naive", "ses", "holt_damped", "hw_additive", "hw_multiplicative",
                       "hw_log", "theta")
SMOOTH_CANDIDATES = ("naive", "moving_average", "ses", "holt_damped", "theta")
INTERMITTENT_CANDIDATES = ("naive", "moving_average", "croston", "sba", "tsb", "adida", "imapa")
COMBINATION = "combination"
#: Number of best candidates averaged into the ``combination`` candidate.
COMBINE_TOP = 3
#: Fewest observations before the oldest backtest origin.
MIN_TRAIN = 4


@dataclass(frozen=True)
class _Prepared:
    """A series ready for fitting: imputed demand, de-promoted demand and the promotion factors."""

    y: np.ndarray             # imputed demand (scoring target)
    base: np.ndarray          # demand with the promotion uplift divided out (fitting target)
    missing: np.ndarray | None
    exog: np.ndarray | None
    exog_future: np.ndarray | None
    factor_hist: np.ndarray   # 1 + u·x over the history
    factor_future: np.ndarray
    uplift: float | None
    notes: tuple[str, ...]


@dataclass(frozen=True)
class _Candidate:
    model: Model
    forecasts: np.ndarray     # backtest forecasts, origins x horizon, promotion re-applied
    score: CandidateScore
    notes: tuple[str, ...]


def default_candidates(category: str, seasonal: bool, has_promotions: bool) -> tuple[str, ...]:
    """Registry names tried for a demand class (the engine then drops those the data cannot support).

    ``seasonal`` is the verdict of ``models.is_seasonal``: seasonal models on a series without a
    season only add chances to pick noise that happened to fit the backtest windows.
    """
    if category in ("intermittent", "lumpy"):
        names = INTERMITTENT_CANDIDATES
    elif seasonal:
        names = SEASONAL_CANDIDATES + ("naive",)
    else:
        names = SMOOTH_CANDIDATES
    return names + (("sarimax",) if has_promotions else ())


def forecast_series(
    history: SeriesInput,
    horizon: int,
    season: int,
    promotions: Sequence[float] | None = None,
    *,
    candidates: Sequence[str] | None = None,
    n_origins: int = 3,
    stride: int | None = None,
    sigma_origins: int = 8,
    combine: bool = True,
    interval_method: str = "auto",
) -> ForecastResult:
    """Forecast ``horizon`` periods of one series, choosing the model by rolling-origin backtest.

    ``season`` is the seasonal period in periods (52 weekly, 12 monthly, 1 for none). ``promotions``
    is the planned promotion regressor for the forecast periods (same units as
    ``history.promotions``). ``candidates`` overrides the per-class default set with registry names.
    ``n_origins`` backtest origins ``stride`` periods apart (default horizon // 2) score candidates.
    ``sigma_origins`` origins (same stride, reaching further back) measure the chosen model's error
    spread for ``sigma`` and the intervals: more than are needed to choose, because the chosen
    model's errors on its own selection windows are optimistic.
    ``interval_method``: ``empirical`` (quantiles of scaled backtest errors), ``parametric``
    (Student-t bands from the backtest sigma), ``model`` (the model's own intervals where it has
    them, else parametric) or ``auto``: empirical for intermittent and lumpy demand, whose
    zero-inflated errors a symmetric distribution describes badly, parametric otherwise, because a
    dozen correlated backtest errors understate the tails of continuous demand.

    Raises ValueError for a non-positive horizon/season, unknown model names, negative history or
    a promotion plan whose length is not ``horizon``.
    """
    _check_arguments(horizon, season, n_origins, interval_method, candidates)
    prep = _prepare(history, horizon, promotions)
    cls = classify(history.values, history.missing)
    if interval_method == "auto":
        interval_method = "empirical" if cls.category in ("intermittent", "lumpy") else "parametric"
    stride = stride or max(1, horizon // 2)
    origins = backtest_origins(len(prep.y), horizon, n_origins, stride, MIN_TRAIN)
    if cls.category == "new" or not origins:
        return _fallback(history.key, prep, cls, horizon)
    names = tuple(candidates or default_candidates(
        cls.category, is_seasonal(prep.base, season), prep.exog is not None))
    cands, skipped = _backtest_candidates(prep, names, origins, horizon, season)
    if not cands:
        return _fallback(history.key, prep, cls, horizon, ("no candidate model could be fitted",))
    options, table = _choose(cands, names, prep, origins, season, combine)
    table = tuple(sorted(table + skipped, key=_rank))
    wide = backtest_origins(len(prep.y), horizon, max(sigma_origins, n_origins), stride, MIN_TRAIN)
    failures: list[str] = []
    for members in options:
        try:
            spread = _spread(prep, members, wide, horizon, season)
            return _final(history.key, prep, cls, members, spread, table, horizon, season,
                          interval_method, tuple(failures))
        except Exception as exc:  # noqa: BLE001 - the refit on all data failed: use the next best option
            failures.append(f"{'+'.join(c.model.name for c in members)} failed on the full history: {exc}")
    return _fallback(history.key, prep, cls, horizon, tuple(failures))


def _check_arguments(horizon: int, season: int, n_origins: int, interval_method: str,
                     candidates: Sequence[str] | None) -> None:
    """Raise ValueError for arguments forecast_series cannot work with."""
    if horizon < 1 or season < 1 or n_origins < 1:
        raise ValueError("horizon, season and n_origins must be at least 1")
    if interval_method not in ("auto", "empirical", "parametric", "model"):
        raise ValueError("interval_method must be 'auto', 'empirical', 'parametric' or 'model'")
    unknown = [c for c in candidates or () if c not in REGISTRY]
    if unknown:
        raise ValueError(f"unknown models {unknown}; known: {sorted(REGISTRY)}")


def _rank(s: CandidateScore) -> tuple[float, str]:
    return (s.mase if np.isfinite(s.mase) else np.inf, s.model)


def _choose(cands: list[_Candidate], names: Sequence[str], prep: _Prepared, origins: list[int],
            season: int, combine: bool) -> tuple[list[list[_Candidate]], list[CandidateScore]]:
    """Rank candidates by backtest MASE (ties: order of ``names``, simpler first).

    Returns the options best first (each the list of models whose mean is the forecast) and the
    score table. The mean of the top three competes as ``combination``: averaging models with
    different errors is usually more accurate and more stable than any one of them.
    """
    ranked = sorted(cands, key=lambda c: (c.score.mase, names.index(c.model.name)))
    options = [[c] for c in ranked]
    table = [c.score for c in ranked]
    if combine and len(ranked) >= COMBINE_TOP:
        members = ranked[:COMBINE_TOP]
        comb_fc = np.mean([c.forecasts for c in members], axis=0)
        comb = score(COMBINATION, comb_fc, prep.y, origins, season, prep.missing)
        table.append(comb)
        if comb.mase < ranked[0].score.mase:
            options.insert(0, members)
    return options, table


def _prepare(history: SeriesInput, horizon: int, future: Sequence[float] | None) -> _Prepared:
    """Impute stock-out periods and remove the estimated promotion uplift from the history."""
    missing = np.array(history.missing, bool) if history.missing is not None else None
    y = impute_missing(np.array(history.values, float), missing)
    x_hist = np.array(history.promotions, float) if history.promotions is not None else None
    x_future = np.zeros(horizon) if future is None else np.asarray(future, float).ravel()
    if len(x_future) != horizon:
        raise ValueError(f"promotions has {len(x_future)} entries for a horizon of {horizon}")
    notes: list[str] = []
    uplift = None
    if promo.has_variation(x_hist):
        uplift = promo.estimate_uplift(y, x_hist)
    if uplift is None and future is not None and np.any(x_future != 0):
        # The regressor is the planner's expected uplift fraction: with too little promotion history
        # to learn how promotions really perform, apply it as entered (u = 1).
        uplift = 1.0
        notes.append("no promotion history to learn from: the planned uplift is applied as entered")
    exog = x_hist if promo.has_variation(x_hist) else None
    f_hist = promo.multiplier(uplift, x_hist, len(y))
    f_future = promo.multiplier(uplift, x_future, horizon)
    return _Prepared(y=y, base=y / f_hist, missing=missing, exog=exog,
                     exog_future=x_future if exog is not None else None,
                     factor_hist=f_hist, factor_future=f_future, uplift=uplift, notes=tuple(notes))


def _backtest_one(model: Model, prep: _Prepared, origins: list[int], horizon: int,
                  season: int) -> tuple[np.ndarray, tuple[str, ...]]:
    """Backtest forecasts of one model (origins x horizon), promotion re-applied, clipped at 0."""
    data = prep.y if model.uses_exog else prep.base
    fc, notes = rolling_forecasts(model, data, origins, horizon, season, prep.exog)
    if not model.uses_exog:
        factor = np.r_[prep.factor_hist, np.ones(horizon)]
        fc = fc * np.array([factor[o:o + horizon] for o in origins])
    return np.maximum(fc, 0.0), notes


def _backtest_candidates(prep: _Prepared, names: Sequence[str], origins: list[int], horizon: int,
                         season: int) -> tuple[list[_Candidate], list[CandidateScore]]:
    """Backtest every applicable candidate; a model that raises is reported, not fatal."""
    out: list[_Candidate] = []
    failed: list[CandidateScore] = []
    for name in names:
        model = REGISTRY[name]
        reason = _not_applicable(model, prep, origins, season)
        if reason:
            failed.append(CandidateScore(name, np.inf, np.inf, 0.0, 0, reason))
            continue
        try:
            fc, notes = _backtest_one(model, prep, origins, horizon, season)
        except Exception as exc:  # noqa: BLE001 - one failing model must not sink the batch
            failed.append(CandidateScore(name, np.inf, np.inf, 0.0, 0, f"{type(exc).__name__}: {exc}"))
            continue
        if not np.all(np.isfinite(fc)):
            failed.append(CandidateScore(name, np.inf, np.inf, 0.0, 0, "non-finite forecast"))
            continue
        out.append(_Candidate(model, fc, score(name, fc, prep.y, origins, season, prep.missing), notes))
    return out, failed


@dataclass(frozen=True)
class _Spread:
    """Backtest error spread of the chosen model: sigma per step, standardised errors, origins used."""

    sigma: np.ndarray
    u: np.ndarray
    n_origins: int


def _spread(prep: _Prepared, members: list[_Candidate], origins: list[int], horizon: int,
            season: int) -> _Spread:
    """Error spread of the chosen model (or mean of models) over ``origins``."""
    need = max(c.model.min_length(season) for c in members)
    usable = [o for o in origins if o >= need]
    if not usable:
        return _Spread(np.full(horizon, np.nan), np.array([]), 0)
    fc = np.mean([_backtest_one(c.model, prep, usable, horizon, season)[0] for c in members], axis=0)
    errors = backtest_errors(fc, prep.y, usable, prep.missing)
    sigma = sigma_by_step(errors, horizon)
    return _Spread(sigma, standardized_errors(errors, sigma), len(usable))


def _t_df(n_errors: int) -> float:
    """Degrees of freedom for intervals from a sigma estimated on ``n_errors`` backtest origins."""
    return float(max(3, n_errors - 1))


def _not_applicable(model: Model, prep: _Prepared, origins: list[int], season: int) -> str | None:
    """Why a model is not offered (None when it is): every backtest origin needs enough and
    suitable data for it."""
    if model.min_length(season) > min(origins):
        return f"needs {model.min_length(season)} periods before the oldest backtest origin"
    if model.needs_positive and np.any(prep.base <= 0):
        return "needs strictly positive demand"
    if model.uses_exog and prep.exog is None:
        return "needs a promotion history with variation"
    return None


def _final(key: Hashable, prep: _Prepared, cls: Classification, chosen: list[_Candidate],
           spread: _Spread, table: tuple[CandidateScore, ...], horizon: int, season: int,
           interval_method: str, failures: tuple[str, ...] = ()) -> ForecastResult:
    """Refit the chosen model(s) on all data and assemble the result with intervals.

    Intervals: the model's own (``interval_method='model'``, when it has them), else quantiles of
    the standardised backtest errors (``empirical``) when there are enough of them, else Student-t
    bands with sigma (``parametric``)."""
    sigma = spread.sigma
    outputs: list[ModelOutput] = []
    for cand in chosen:
        data = prep.y if cand.model.uses_exog else prep.base
        out = run_model(cand.model, data, horizon, season, prep.exog, prep.exog_future)
        factor = np.ones(horizon) if cand.model.uses_exog else prep.factor_future
        outputs.append(_scaled(out, factor))
    mean = np.maximum(np.mean([o.mean for o in outputs], axis=0), 0.0)
    notes = [*prep.notes, *failures, *(w for c in chosen for w in c.notes),
             *(w for o in outputs for w in o.warnings)]
    if not np.all(np.isfinite(sigma)):
        sigma = np.full(horizon, float(np.std(prep.y)))
        notes.append("no backtest errors: sigma from the history's spread")
    own = outputs[0] if len(outputs) == 1 and outputs[0].has_intervals else None
    if interval_method == "model" and own is not None:
        bands, method = (own.lower80, own.upper80, own.lower95, own.upper95), "model"
    elif interval_method == "empirical" and len(spread.u) >= MIN_QUANTILE_ERRORS:
        bands, method = _empirical_bands(mean, spread), "empirical"
    else:
        bands, method = parametric_intervals(mean, sigma, _t_df(spread.n_origins)), "parametric"
    if len(chosen) == 1:
        name, params = chosen[0].model.name, dict(outputs[0].params)
    else:
        name, params = COMBINATION, {"members": [c.model.name for c in chosen], "method": "mean",
                                     **{c.model.name: dict(o.params) for c, o in zip(chosen, outputs)}}
    return _result(key, name, params, mean, bands, sigma, table, cls, method, prep.uplift, notes)


def _empirical_bands(mean: np.ndarray, spread: _Spread) -> tuple[np.ndarray, ...]:
    """Quantile bands from the standardised backtest errors; the 95% band is at least as wide as
    the Student-t one, because its tails rest on the two or three most extreme of a few dozen
    errors and an empirical quantile of so few understates them."""
    lo80, hi80, lo95, hi95 = quantile_intervals(mean, spread.sigma, spread.u)
    _, _, t_lo95, t_hi95 = parametric_intervals(mean, spread.sigma, _t_df(spread.n_origins))
    return lo80, hi80, np.minimum(lo95, t_lo95), np.maximum(hi95, t_hi95)


def _scaled(out: ModelOutput, factor: np.ndarray) -> ModelOutput:
    """Apply the promotion factor to the forecast and any own intervals."""
    def f(a: np.ndarray | None) -> np.ndarray | None:
        return None if a is None else np.asarray(a, float) * factor
    return ModelOutput(f(out.mean), f(out.lower80), f(out.upper80), f(out.lower95), f(out.upper95),
                       out.params, out.warnings)


def _result(key: Hashable, name: str, params: dict, mean: np.ndarray, bands: Sequence[np.ndarray],
            sigma: np.ndarray, table: tuple[CandidateScore, ...], cls: Classification, method: str,
            uplift: float | None, notes: Iterable[str]) -> ForecastResult:
    """Clip at zero, force lo95 <= lo80 <= mean <= hi80 <= hi95 and freeze into a ForecastResult."""
    lo80 = np.clip(bands[0], 0.0, mean)
    lo95 = np.clip(bands[2], 0.0, lo80)
    hi80 = np.maximum(bands[1], mean)
    hi95 = np.maximum(bands[3], hi80)

    def tup(a: np.ndarray) -> tuple[float, ...]:
        return tuple(float(v) for v in a)

    return ForecastResult(
        key=key, model=name, params=params, mean=tup(mean), lo80=tup(lo80), hi80=tup(hi80),
        lo95=tup(lo95), hi95=tup(hi95), sigma=tup(sigma), backtest=table, classification=cls,
        interval_method=method, promo_uplift=uplift, warnings=tuple(dict.fromkeys(notes)),
    )


def _fallback(key: Hashable, prep: _Prepared, cls: Classification, horizon: int,
              notes: tuple[str, ...] = ()) -> ForecastResult:
    """Too little history to backtest: forecast the mean of the observed periods.

    Sigma is the history's standard deviation, floored at the Poisson value sqrt(mean) so a short
    constant history does not claim certainty.
    """
    observed = prep.base if prep.missing is None else prep.base[~prep.missing]
    level = float(observed.mean()) if len(observed) else 0.0
    spread = float(np.std(observed, ddof=1)) if len(observed) > 1 else 0.0
    sd = max(spread, np.sqrt(level)) * np.sqrt(1 + 1 / max(len(observed), 1))
    mean = np.full(horizon, level) * prep.factor_future
    sigma = np.full(horizon, sd)
    reason = "too little history for a backtest: mean of the observed periods"
    bands = parametric_intervals(mean, sigma, _t_df(len(observed)))
    return _result(key, "moving_average", {"window": len(observed), "reason": "new"}, mean, bands,
                   sigma, (), cls, "parametric", prep.uplift, prep.notes + notes + (reason,))


def _forecast_chunk(args: tuple) -> list[ForecastResult]:
    """Worker entry point: forecast a chunk of series (module level so it pickles)."""
    inputs, horizon, season, plans, kwargs = args
    return [forecast_series(s, horizon, season, p, **kwargs) for s, p in zip(inputs, plans)]


def forecast_many(
    inputs: Sequence[SeriesInput],
    horizon: int,
    season: int,
    *,
    promotions: Sequence[Sequence[float] | None] | None = None,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    chunksize: int | None = None,
    mp_context: object | None = None,
    **kwargs: object,
) -> list[ForecastResult]:
    """Forecast many series, in input order, using ``workers`` processes (default: all cores).

    ``workers=1`` runs in this process. ``promotions`` holds one future regressor (or None) per
    series. ``progress(done, total)`` is called as series complete. ``mp_context`` is passed to
    ``ProcessPoolExecutor`` (use ``multiprocessing.get_context('forkserver')`` from a threaded
    server). Other keyword arguments go to ``forecast_series``.
    """
    total = len(inputs)
    plans = list(promotions) if promotions is not None else [None] * total
    if len(plans) != total:
        raise ValueError("promotions must have one entry per series")
    if workers == 1 or total <= 1:
        results = []
        for i, (s, p) in enumerate(zip(inputs, plans)):
            results.append(forecast_series(s, horizon, season, p, **kwargs))
            if progress:
                progress(i + 1, total)
        return results
    workers = workers or os.cpu_count() or 1
    size = chunksize or max(1, min(32, total // (workers * 4) or 1))
    chunks = [(i, list(inputs[i:i + size]), plans[i:i + size]) for i in range(0, total, size)]
    results_by_start: dict[int, list[ForecastResult]] = {}
    done = 0
    with ProcessPoolExecutor(max_workers=workers, mp_context=mp_context) as pool:
        futures = {pool.submit(_forecast_chunk, (chunk, horizon, season, plan, kwargs)): start
                   for start, chunk, plan in chunks}
        for fut in as_completed(futures):
            results_by_start[futures[fut]] = fut.result()
            done += len(results_by_start[futures[fut]])
            if progress:
                progress(done, total)
    return [r for start in sorted(results_by_start) for r in results_by_start[start]]
