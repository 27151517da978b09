"""Policy simulation: inventory arithmetic, no look-ahead, calibration to a fill rate."""

from __future__ import annotations

import numpy as np
import pytest

from forecasting import SeriesInput
from forecasting.policy import order_up_to, order_up_to_levels, safety_stock
from forecasting.simulation import (ReplaySettings, calibrate, compare, plan_many, plan_series, replay,
                                    simulate)
from tests.forecasting.synthetic import intermittent, seasonal


def _series(values, key="s") -> SeriesInput:
    return SeriesInput(key, tuple(float(v) for v in values), freq="M")


def _noisy(seed: int) -> SeriesInput:
    """Seasonal demand with noise of 20% of the level: z = 0 is not enough for a 95% fill rate."""
    rng = np.random.default_rng(100 + seed)
    return _series(np.maximum(0, seasonal(72, seed=seed) + rng.normal(0, 40, 72)).round(1), key=seed)


@pytest.mark.parametrize("lead_time", [0, 1, 3])
def test_constant_demand_is_fully_served_with_half_a_period_of_stock(lead_time: int) -> None:
    settings = ReplaySettings(replay=12, lead_time=lead_time)
    plan = plan_series(_series([10] * 40), settings)
    for policy in ("forecast", "minmax"):
        result = simulate([plan], policy, 1.645, settings)
        assert result.fill_rate == 1.0
        assert result.stockout_periods == 0
        # σ = 0, so no safety stock: on hand runs from d·R = 10 down to 0 each period, 5 on average.
        assert result.avg_on_hand == pytest.approx(5.0)


def test_lost_sales_are_not_backordered() -> None:
    served, lost, avg = replay(np.array([[8.0, 0.0, 3.0]]), np.full((1, 3), 10.0), None, np.array([5.0]),
                               lead_time=1, review=1)
    # Start: 10 − 5 on hand. Period 0: 5 of 8 served, 3 lost; the order of 5 arrives in period 1.
    assert served.tolist() == [[5.0, 0.0, 3.0]]
    assert lost.tolist() == [[3.0, 0.0, 0.0]]
    # Period 1 holds 5 (the lost 3 are not owed), period 2 receives 5 more and serves 3.
    assert avg.tolist() == [[2.5, 5.0, 8.5]]


def test_minmax_orders_only_at_or_below_min() -> None:
    demand = np.array([[1.0, 1.0, 1.0, 1.0]])
    served, lost, avg = replay(demand, np.full((1, 4), 10.0), np.full((1, 4), 7.0), np.array([0.0]),
                               lead_time=0, review=1)
    # 10 on hand; position 10, 9, 8 are above min 7; at 7 it orders 3 back up to 10.
    assert avg.tolist() == [[9.5, 8.5, 7.5, 9.5]]
    assert lost.sum() == 0


def test_a_demand_step_costs_a_few_periods_then_the_forecast_policy_catches_up() -> None:
    settings = ReplaySettings(replay=12, candidates=("ses",))
    plan = plan_series(_series([10] * 40 + [30] * 12), settings)
    result = simulate([plan], "forecast", 1.645, settings)
    assert 0 < result.stockout_periods <= 3
    assert result.series[0].fill_rate < 1
    # Later forecasts have learnt the new level.
    assert plan.mean[-1] == pytest.approx(30, rel=0.05)


@pytest.mark.parametrize("values, candidates", [
    (seasonal(72), None), (intermittent(60), None), (seasonal(72), ("theta",)), (seasonal(72), ("hw_additive",)),
])
def test_no_look_ahead_poisoned_future_does_not_change_earlier_decisions(values, candidates) -> None:
    settings = ReplaySettings(replay=12, candidates=candidates)
    clean = plan_series(_series(values), settings)
    t0 = len(values) - 12
    for cut in (t0, t0 + 5):
        poisoned = np.array(values, float)
        poisoned[cut:] = 1e6
        dirty = plan_series(_series(poisoned), settings)
        known = cut - t0 + 1  # reviews at origins t0 .. cut saw only data before their origin
        assert dirty.model == clean.model
        for field in ("mean", "sigma", "hist_mean", "hist_sigma"):
            assert getattr(dirty, field)[:known] == getattr(clean, field)[:known], field
        assert getattr(dirty, "mean")[known:] != getattr(clean, "mean")[known:] or known == 12


def test_calibration_reaches_the_target_and_more_safety_means_more_stock() -> None:
    settings = ReplaySettings(replay=12, service_level=0.97)
    plans, skipped = plan_many([_noisy(s) for s in range(6)], settings, workers=1)
    assert not skipped and len(plans) == 6
    for policy in ("forecast", "minmax"):
        tuned = calibrate(plans, policy, settings)
        assert 0.97 - 1e-9 <= tuned.fill_rate <= 0.99  # min/max jumps: (s, S) orders are all or nothing
        low, high = simulate(plans, policy, 0.5, settings), simulate(plans, policy, 2.5, settings)
        assert high.avg_on_hand > low.avg_on_hand and high.fill_rate >= low.fill_rate


def test_on_seasonal_demand_the_forecast_policy_needs_less_stock_than_minmax() -> None:
    settings = ReplaySettings(replay=12)
    plans, _ = plan_many([_series(seasonal(72, seed=s), key=s) for s in range(4)], settings, workers=1)
    result = compare(plans, settings)
    forecast, minmax = result.calibrated
    assert forecast.fill_rate >= 0.95 and minmax.fill_rate >= 0.95
    assert result.saving > 0.15


def test_per_series_calibration_tunes_every_series() -> None:
    settings = ReplaySettings(replay=12)
    plans, _ = plan_many([_noisy(s) for s in range(3)], settings, workers=1)
    tuned = calibrate(plans, "forecast", settings, per_series=True)
    assert all(o.fill_rate >= 0.95 - 1e-9 for o in tuned.series), [o.fill_rate for o in tuned.series]
    assert len({o.parameter for o in tuned.series}) > 1


def test_too_short_series_and_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="replay needs"):
        plan_series(_series([1] * 10), ReplaySettings(replay=12))
    _, skipped = plan_many([_series([1] * 10)], ReplaySettings(replay=12), workers=1)
    assert len(skipped) == 1
    with pytest.raises(ValueError):
        ReplaySettings(replay=12, service_level=1.0)
    with pytest.raises(ValueError):
        ReplaySettings(replay=0)


def test_vectorised_levels_match_the_scalar_formula() -> None:
    ss = safety_stock(1.645, 3, 4.0, 10.0, 0.5)
    assert order_up_to_levels(1.645, 10.0, 4.0, 2, 1, 0.5) == pytest.approx(order_up_to(10.0, 2, 1, ss))
    levels = order_up_to_levels(np.array([[0.0], [-1.0]]), np.array([[10.0, 20.0]]), np.array([[4.0, 0.0]]), 1, 1)
    assert levels.tolist() == [[20.0, 40.0], [20.0, 40.0]]
    with pytest.raises(ValueError):
        order_up_to_levels(1.0, -1.0, 1.0, 1, 1)
