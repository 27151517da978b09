"""Backtest arithmetic: origins, MASE scaling, scores, sigma per step and interval shapes."""

from __future__ import annotations

import numpy as np
import pytest

from forecasting import backtest as bt


def test_origins_are_newest_first_and_respect_the_minimum_history():
    assert bt.backtest_origins(50, 6, 3, 3, 4) == [44, 41, 38]
    assert bt.backtest_origins(10, 6, 3, 3, 4) == [4]  # shortened: only 6 actuals after 4
    assert bt.backtest_origins(4, 6, 3, 3, 4) == []


def test_mase_scale_prefers_seasonal_then_naive_then_level():
    y = np.array([1.0, 5.0, 1.0, 5.0, 2.0, 6.0])
    assert bt.mase_scale(y, 2) == pytest.approx(0.5)  # |1-1|, |5-5|, |2-1|, |6-5|
    assert bt.mase_scale(np.array([1.0, 5.0, 1.0, 5.0]), 2) == pytest.approx(4.0)  # falls back to naive
    assert bt.mase_scale(y, 1) == pytest.approx(np.mean(np.abs(np.diff(y))))
    assert bt.mase_scale(np.array([3.0, 3.0, 3.0]), 1) == 3.0
    assert bt.mase_scale(np.zeros(4), 1) == 1.0


def test_score_mase_wape_and_bias_by_hand():
    y = np.array([10.0, 12, 10, 12, 10, 12, 14, 10])
    forecasts = np.array([[12.0, 12.0]])  # one origin at 6: actuals 14, 10
    s = bt.score("m", forecasts, y, [6], 1, None)
    scale = np.mean(np.abs(np.diff(y[:6])))  # 2.0
    assert s.mase == pytest.approx(2.0 / scale)
    assert s.wape == pytest.approx(4 / 24)
    assert s.bias == pytest.approx(0.0)
    assert s.n_origins == 1


def test_missing_actuals_are_not_scored():
    y = np.array([10.0, 12, 10, 12, 10, 12, 99, 10])
    s = bt.score("m", np.array([[12.0, 12.0]]), y, [6], 1, np.array([False] * 6 + [True, False]))
    assert s.wape == pytest.approx(2 / 10)


def test_newer_origins_weigh_more():
    y = np.r_[np.full(20, 10.0), [10.0, 10.0], [20.0, 20.0]]
    # origin 22 (newest) perfect, origin 20 off by 10
    forecasts = np.array([[20.0, 20.0], [20.0, 20.0]])
    s = bt.score("m", forecasts, y, [22, 20], 1, None)
    scale_new, scale_old = bt.mase_scale(y[:22], 1), bt.mase_scale(y[:20], 1)
    expected = np.average([0.0, 10.0 / scale_old], weights=[1.0, bt.ORIGIN_DECAY])
    assert scale_new > 0 and s.mase == pytest.approx(expected)


def test_sigma_by_step_is_non_decreasing_and_extrapolates():
    rng = np.random.default_rng(0)
    errors = rng.normal(0, 1, (40, 4)) * np.sqrt(np.arange(1, 5))  # random-walk-like growth
    sigma = bt.sigma_by_step(errors, 8)
    assert np.all(np.diff(sigma) >= 0)
    assert sigma[3] == pytest.approx(2.0, rel=0.25)
    assert sigma[7] > sigma[3]
    assert np.all(np.isnan(bt.sigma_by_step(np.full((2, 3), np.nan), 3)))


def test_sigma_is_flat_when_errors_do_not_grow():
    errors = np.tile([[3.0, -3.0, 3.0, -3.0]], (6, 1)).T  # |e| = 3 at every step
    np.testing.assert_allclose(bt.sigma_by_step(errors, 6), 3.0)


def test_parametric_intervals_equal_tailed_when_far_from_zero():
    lo80, hi80, lo95, hi95 = bt.parametric_intervals(np.array([100.0]), np.array([10.0]))
    assert (lo80[0], hi80[0]) == pytest.approx((100 - 12.8155, 100 + 12.8155), abs=1e-3)
    assert (lo95[0], hi95[0]) == pytest.approx((100 - 19.5996, 100 + 19.5996), abs=1e-3)
    t_hi80 = bt.parametric_intervals(np.array([100.0]), np.array([10.0]), df=5)[1]
    assert t_hi80[0] > hi80[0]  # few errors -> wider t bands


def test_parametric_intervals_become_one_sided_near_zero():
    lo80, hi80, _, _ = bt.parametric_intervals(np.array([1.0]), np.array([5.0]))
    assert lo80[0] == 0.0
    assert hi80[0] == pytest.approx(1 + 0.8416 * 5, abs=1e-3)  # 80% quantile, not 90%


def test_quantile_intervals_give_zero_band_for_mostly_zero_demand():
    u = np.r_[np.zeros(17), [3.0, 4.0, 5.0]]  # 85% of errors zero around a zero forecast
    lo80, hi80, lo95, hi95 = bt.quantile_intervals(np.zeros(2), np.ones(2), u)
    assert lo80.tolist() == [0.0, 0.0] and hi80.tolist() == [0.0, 0.0]
    assert hi95[0] > 3.0


def test_quantile_intervals_widen_with_sigma():
    u = np.linspace(-2, 2, 41)
    lo80, hi80, _, _ = bt.quantile_intervals(np.array([50.0, 50.0]), np.array([1.0, 3.0]), u)
    assert hi80[1] - lo80[1] == pytest.approx(3 * (hi80[0] - lo80[0]))
