"""The model registry: one signature, sensible output, one-pass backtests equal to refits."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from forecasting.backtest import run_model
from forecasting.models import REGISTRY, Model
from forecasting.smoothing import EtsSpec, ets_grid_forecasts
from forecasting.types import ModelOutput

from .synthetic import intermittent, seasonal

FAST = [name for name, m in REGISTRY.items() if m.family != "statespace"]


@pytest.mark.parametrize("name", FAST)
def test_every_fast_model_forecasts_the_horizon_with_finite_values(name):
    y = seasonal(60)
    out = run_model(REGISTRY[name], y, 7, 12)
    assert out.mean.shape == (7,)
    assert np.all(np.isfinite(out.mean))
    assert isinstance(out.params, dict)


@pytest.mark.parametrize("name", [n for n, m in REGISTRY.items() if m.rolling is not None])
def test_one_pass_backtest_equals_refitting_on_the_truncated_history(name):
    model = REGISTRY[name]
    y = seasonal(72, seed=3)
    origins = [60, 66]
    rolled = model.rolling(y, origins, 6, 12, None)
    for row, o in enumerate(origins):
        single = model.rolling(y, [o], 6, 12, None)[0]
        refit = model.fit_predict(y[:o], 6, 12, None, None).mean
        np.testing.assert_allclose(single, refit, rtol=1e-9)
        if name in ("naive", "seasonal_naive", "moving_average", "croston", "sba"):
            # parameter-free states: every origin of one pass equals a refit exactly
            np.testing.assert_allclose(rolled[row], refit, rtol=1e-9)


def test_holt_winters_recovers_a_clean_seasonal_pattern():
    t = np.arange(72)
    y = 100 + 30 * np.sin(2 * np.pi * t / 12)
    fc, params = ets_grid_forecasts(y, [60], 12, EtsSpec("add", True, "add", 12))
    np.testing.assert_allclose(fc[0], y[60:72], atol=3.0)
    assert 0 < params[0]["alpha"] < 1


def test_seasonal_naive_repeats_last_season():
    y = np.arange(24, dtype=float)
    out = run_model(REGISTRY["seasonal_naive"], y, 14, 12)
    assert out.mean.tolist() == list(range(12, 24)) + [12.0, 13.0]


def test_croston_and_sba_on_regular_intermittent_demand():
    y = np.array([0, 0, 6] * 10, dtype=float)  # size 6 every 3 periods: 2 per period
    croston = run_model(REGISTRY["croston"], y, 3, 1).mean
    sba = run_model(REGISTRY["sba"], y, 3, 1).mean
    np.testing.assert_allclose(croston, 2.0, rtol=1e-6)
    np.testing.assert_allclose(sba, 2.0 * 0.95, rtol=1e-6)


def test_tsb_decays_after_demand_stops():
    y = np.r_[intermittent(40, p=0.5), np.zeros(20)]
    early = run_model(REGISTRY["tsb"], y[:40], 1, 1).mean[0]
    late = run_model(REGISTRY["tsb"], y, 1, 1).mean[0]
    assert late < early / 2


def test_min_length_grows_with_season_for_seasonal_models():
    for name in ("hw_additive", "hw_multiplicative", "hw_log", "seasonal_ses"):
        assert REGISTRY[name].min_length(52) > REGISTRY[name].min_length(12) >= 24


def test_registry_names_match_keys_and_only_sarimax_takes_a_regressor():
    assert all(name == model.name for name, model in REGISTRY.items())
    assert [n for n, m in REGISTRY.items() if m.uses_exog] == ["sarimax"]


def test_run_model_records_warnings_instead_of_printing(recwarn, capsys):
    def noisy(y, horizon, season, exog=None, exog_future=None):
        warnings.warn("optimizer did not converge", RuntimeWarning)
        return ModelOutput(mean=np.zeros(horizon))

    out = run_model(Model("noisy", "test", noisy, lambda m: 1), np.ones(5), 2, 1)
    assert out.warnings == ("RuntimeWarning: optimizer did not converge",)
    assert len(recwarn) == 0
    assert capsys.readouterr() == ("", "")


def test_run_model_rejects_a_non_finite_forecast():
    def broken(y, horizon, season, exog=None, exog_future=None):
        return ModelOutput(mean=np.full(horizon, np.nan))

    with pytest.raises(FloatingPointError):
        run_model(Model("broken", "test", broken, lambda m: 1), np.ones(5), 2, 1)


def test_statsmodels_ets_has_its_own_ordered_intervals():
    y = seasonal(40, season=4, seed=5)
    out = run_model(REGISTRY["ets"], y, 4, 4)
    assert out.has_intervals
    assert np.all(out.lower95 <= out.lower80) and np.all(out.lower80 <= out.mean)
    assert np.all(out.mean <= out.upper80) and np.all(out.upper80 <= out.upper95)


def test_sarimax_uses_the_promotion_regressor():
    rng = np.random.default_rng(4)
    x = (rng.random(48) < 0.25).astype(float)
    y = 50 + 40 * x + rng.normal(0, 2, 48)
    out = run_model(REGISTRY["sarimax"], y, 2, 1, x, np.array([1.0, 0.0]))
    assert out.mean[0] - out.mean[1] == pytest.approx(40, abs=6)
    assert out.params["x1"] == pytest.approx(40, abs=6)
