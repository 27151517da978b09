"""Inventory policy arithmetic, checked against hand-computed numbers."""

from __future__ import annotations

import math

import pytest

from forecasting.policy import (daily_from_period, order_up_to, reorder_point, safety_stock,
                                z_for_service_level)


@pytest.mark.parametrize("p, z", [(0.5, 0.0), (0.9, 1.28155), (0.95, 1.64485), (0.99, 2.32635)])
def test_z_for_service_level(p, z):
    assert z_for_service_level(p) == pytest.approx(z, abs=1e-5)


@pytest.mark.parametrize("p", [0.0, 1.0, -0.1, 1.5])
def test_z_rejects_impossible_service_levels(p):
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        z_for_service_level(p)


def test_safety_stock_with_demand_and_lead_time_variability():
    # 1.65 * sqrt(4 * 10^2 + 50^2 * 1^2) = 1.65 * sqrt(2900) = 88.8552
    assert safety_stock(1.65, 4, 10, 50, 1) == pytest.approx(88.8552, abs=1e-4)


def test_safety_stock_with_fixed_lead_time_is_z_sigma_sqrt_l():
    # 2 * 5 * sqrt(9) = 30
    assert safety_stock(2.0, 9, 5, 100) == pytest.approx(30.0)


def test_safety_stock_is_never_negative_and_rejects_negative_inputs():
    assert safety_stock(-1.0, 4, 10, 50, 1) == 0.0
    with pytest.raises(ValueError, match="lead_time_days"):
        safety_stock(1.0, -1, 10, 50)
    with pytest.raises(ValueError, match="sigma_daily_demand"):
        safety_stock(1.0, 1, float("nan"), 50)


def test_reorder_point_and_order_up_to():
    assert reorder_point(50, 4, 88.8552) == pytest.approx(288.8552)
    # periodic review every 7 days, lead time 4: 50 * 11 + 30 = 580
    assert order_up_to(50, 4, 7, 30) == pytest.approx(580.0)
    with pytest.raises(ValueError):
        reorder_point(-1, 4, 0)


def test_daily_from_weekly_forecast():
    mean, sigma = daily_from_period(70.0, 14.0, 7)
    assert mean == pytest.approx(10.0)
    assert sigma == pytest.approx(14.0 / math.sqrt(7))
    with pytest.raises(ValueError):
        daily_from_period(70.0, 14.0, 0)
