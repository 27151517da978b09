"""forecast_series / forecast_many on synthetic series with known structure."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forecasting import REGISTRY, ForecastResult, forecast_many, forecast_series
from forecasting.engine import INTERMITTENT_CANDIDATES

from .synthetic import as_input, flat, intermittent, seasonal

SEASONAL_MODELS = {"seasonal_naive", "seasonal_ses", "hw_additive", "hw_multiplicative", "hw_log"}


def assert_ordered(r: ForecastResult) -> None:
    """lo95 <= lo80 <= mean <= hi80 <= hi95, nothing negative, one value per horizon step."""
    a = np.array([r.lo95, r.lo80, r.mean, r.hi80, r.hi95])
    assert a.shape[1] == len(r.sigma)
    assert np.all(a >= 0)
    assert np.all(np.diff(a, axis=0) >= -1e-9), a


def _members(r: ForecastResult) -> set[str]:
    return set(r.params["members"]) if r.model == "combination" else {r.model}


def test_seasonal_series_gets_a_seasonal_model_and_follows_the_pattern():
    y = seasonal(108)
    r = forecast_series(as_input(y[:96]), 12, 12)
    assert _members(r) & SEASONAL_MODELS, r.model
    assert r.classification.category == "smooth"
    # the forecast follows the season: correlated with the truth, far better than its mean
    assert np.corrcoef(r.mean, y[96:])[0, 1] > 0.95
    assert np.mean(np.abs(np.array(r.mean) - y[96:])) < 0.25 * np.mean(np.abs(y[96:] - y[96:].mean()))


def test_intermittent_series_gets_the_intermittent_family():
    r = forecast_series(as_input(intermittent(60)), 6, 12)
    assert r.classification.category in ("intermittent", "lumpy")
    assert _members(r) <= set(INTERMITTENT_CANDIDATES)
    tried = {s.model for s in r.backtest}
    assert {"croston", "sba", "tsb"} <= tried
    assert not tried & {"hw_additive", "seasonal_naive", "ets"}
    assert_ordered(r)


def test_flat_series_gets_a_flat_forecast_without_trend():
    y = flat(60)
    r = forecast_series(as_input(y), 12, 12)
    mean = np.array(r.mean)
    assert np.ptp(mean) < 0.15 * y.mean()
    assert abs(mean.mean() - 100) < 8
    assert abs(mean[-1] - mean[0]) < 0.05 * y.mean()


def test_six_week_old_item_falls_back_to_its_mean_and_is_classified_new():
    r = forecast_series(as_input([4.0, 6.0, 5.0, 7.0, 3.0, 5.0], freq="W"), 8, 52)
    assert r.classification.category == "new"
    assert r.model == "moving_average"
    assert r.mean == pytest.approx((5.0,) * 8)
    assert all(s > 0 for s in r.sigma)
    assert any("too little history" in w for w in r.warnings)
    assert_ordered(r)


def test_item_without_history_forecasts_zero():
    r = forecast_series(as_input([]), 3, 1)
    assert r.mean == (0.0, 0.0, 0.0) and r.classification.category == "new"


def test_stockout_periods_are_not_learned_as_low_demand():
    y = flat(60, seed=7)
    censored = y.copy()
    censored[-4:] = 0.0  # sold nothing because the shelf was empty
    missing = (False,) * 56 + (True,) * 4
    with_flags = forecast_series(as_input(censored, missing=missing), 4, 1)
    ignored = forecast_series(as_input(censored), 4, 1)
    assert np.mean(with_flags.mean) > 85
    assert np.mean(ignored.mean) < np.mean(with_flags.mean) - 20  # the control: flags matter


def test_negative_history_is_rejected():
    with pytest.raises(ValueError, match="negative"):
        forecast_series(as_input([1.0, 2.0, -3.0] * 5), 2, 1)


def test_bad_arguments_are_rejected():
    with pytest.raises(ValueError, match="unknown models"):
        forecast_series(as_input(flat(30)), 2, 1, candidates=["prophet"])
    with pytest.raises(ValueError, match="horizon"):
        forecast_series(as_input(flat(30)), 0, 1)
    with pytest.raises(ValueError, match="promotions has 1 entries"):
        forecast_series(as_input(flat(30)), 2, 1, promotions=[1.0])


def test_statsmodels_warnings_are_captured_not_printed(recwarn, capsys):
    # ETS on a constant series fails to converge and statsmodels warns about it.
    r = forecast_series(as_input([5.0] * 40), 3, 4, candidates=["ets"])
    assert any("ConvergenceWarning" in w for w in r.warnings)
    assert len(recwarn) == 0
    assert capsys.readouterr() == ("", "")


def test_backtest_table_explains_the_choice():
    r = forecast_series(as_input(seasonal(96)), 12, 12)
    scored = [s for s in r.backtest if s.error is None]
    assert scored == sorted(scored, key=lambda s: s.mase)
    assert r.model == scored[0].model
    assert all(s.n_origins == 3 for s in scored)
    skipped = [s for s in r.backtest if s.error]
    assert all(not np.isfinite(s.mase) for s in skipped)
    json.dumps(r.as_dict())  # the UI can serialise it


def test_sigma_grows_or_stays_with_the_horizon():
    r = forecast_series(as_input(np.cumsum(np.random.default_rng(3).normal(0, 5, 80)) + 200), 8, 1)
    assert np.all(np.diff(r.sigma) >= -1e-9)
    assert r.sigma[0] > 0


def test_promotions_lift_the_forecast_and_offer_sarimax():
    rng = np.random.default_rng(11)
    x = (rng.random(80) < 0.2).astype(float)
    y = np.round(rng.normal(100, 5, 80) * (1 + 0.5 * x))
    r = forecast_series(as_input(y, promotions=tuple(x)), 4, 1, promotions=[1, 0, 0, 1])
    assert r.promo_uplift == pytest.approx(0.5, abs=0.1)
    assert "sarimax" in {s.model for s in r.backtest if s.error is None}
    assert r.mean[0] > 1.3 * r.mean[1] and r.mean[3] > 1.3 * r.mean[2]
    plain = forecast_series(as_input(y, promotions=tuple(x)), 4, 1)
    assert np.mean(plain.mean) < 112  # the promotion spikes were not learned as the level


def test_future_promotions_without_history_are_ignored_with_a_warning():
    r = forecast_series(as_input(flat(40)), 2, 1, promotions=[1.0, 1.0])
    assert any("no promotion history" in w for w in r.warnings)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.integers(0, 50), min_size=0, max_size=40), st.integers(1, 6), st.sampled_from([1, 4, 12]))
def test_intervals_are_always_ordered_and_non_negative(values, horizon, season):
    r = forecast_series(as_input(np.array(values, float)), horizon, season)
    assert len(r.mean) == horizon
    assert_ordered(r)


def test_forecast_many_with_two_workers_equals_one_worker():
    inputs = [as_input(seasonal(60, seed=i), key=("A", i)) for i in range(4)]
    inputs += [as_input(intermittent(50, seed=i), key=("B", i)) for i in range(4)]
    seen: list[tuple[int, int]] = []
    one = forecast_many(inputs, 6, 12, workers=1)
    two = forecast_many(inputs, 6, 12, workers=2, chunksize=3, progress=lambda d, t: seen.append((d, t)))
    assert [r.key for r in two] == [s.key for s in inputs]
    assert one == two
    assert seen[-1] == (8, 8) and [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_every_default_candidate_is_registered():
    from forecasting.engine import SEASONAL_CANDIDATES, SMOOTH_CANDIDATES
    for name in SEASONAL_CANDIDATES + SMOOTH_CANDIDATES + INTERMITTENT_CANDIDATES:
        assert name in REGISTRY


def test_daily_history_with_a_stockout_end_to_end():
    from datetime import date, timedelta

    from forecasting import prepare_series

    rng = np.random.default_rng(5)
    days = [date(2024, 1, 1) + timedelta(days=i) for i in range(20 * 7)]
    qty = rng.poisson(10, len(days)).astype(float)
    stockout = np.zeros(len(days), bool)
    stockout[-17:] = True  # the last 2.5 weeks the shelf was empty
    qty[stockout] = 0.0
    series = prepare_series(days, qty, stockout=stockout, key=("SKU-1", "WH1"))
    assert series.missing[-2:] == (True, True) and series.values[-3] > 0
    r = forecast_series(series, 4, 52)
    assert r.key == ("SKU-1", "WH1")
    assert 55 < np.mean(r.mean) < 85  # about 70 a week, not dragged towards the empty weeks


def test_forecast_many_in_process_reports_progress():
    seen: list[tuple[int, int]] = []
    out = forecast_many([as_input(flat(30, seed=i), key=i) for i in range(3)], 2, 1, workers=1,
                        progress=lambda d, t: seen.append((d, t)))
    assert [r.key for r in out] == [0, 1, 2]
    assert seen == [(1, 3), (2, 3), (3, 3)]
