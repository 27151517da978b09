"""Series preparation: daily observations to regular periods, stock-outs, classification."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

from forecasting import SeriesInput, classify, impute_missing, prepare_series


def _days(start: date, n: int) -> list[date]:
    return [start + timedelta(days=i) for i in range(n)]


def test_weekly_aggregation_fills_missing_days_with_zero_and_labels_mondays():
    # 2024-01-01 is a Monday; observations only on two days of the second week.
    s = prepare_series([date(2024, 1, 1), date(2024, 1, 9), date(2024, 1, 11)], [5, 2, 3],
                       start=date(2024, 1, 1), end=date(2024, 1, 21))
    assert s.values == (5.0, 5.0, 0.0)
    assert s.period_starts == ("2024-01-01", "2024-01-08", "2024-01-15")
    assert s.freq == "W"


def test_partial_periods_at_both_ends_are_dropped():
    # Wednesday 3 Jan to Wednesday 24 Jan: only the weeks of 8 and 15 Jan are complete.
    dates = _days(date(2024, 1, 3), 22)
    s = prepare_series(dates, [1.0] * 22, freq="W-MON")
    assert s.period_starts == ("2024-01-08", "2024-01-15")
    assert s.values == (7.0, 7.0)


def test_monthly_aggregation_sums_repeated_days():
    s = prepare_series(["2024-01-05", "2024-01-05", "2024-02-10"], [1, 2, 4], freq="M",
                       start="2024-01-01", end="2024-02-29")
    assert s.values == (3.0, 4.0)
    assert s.period_starts == ("2024-01-01", "2024-02-01")


def test_negative_quantities_are_rejected_with_the_date():
    with pytest.raises(ValueError, match="negative.*2024-01-02"):
        prepare_series(["2024-01-01", "2024-01-02"], [3, -1])


def test_series_input_rejects_negative_and_nan_values():
    with pytest.raises(ValueError, match="must not be negative"):
        SeriesInput(key="x", values=(1.0, -2.0))
    with pytest.raises(ValueError, match="finite"):
        SeriesInput(key="x", values=(1.0, float("nan")))
    with pytest.raises(ValueError, match="missing has 1 flags for 2 values"):
        SeriesInput(key="x", values=(1.0, 2.0), missing=(True,))


def test_unknown_freq_and_reversed_dates_are_rejected():
    with pytest.raises(ValueError, match="unknown freq"):
        prepare_series(["2024-01-01"], [1], freq="Q")
    with pytest.raises(ValueError, match="before start"):
        prepare_series(["2024-01-01"], [1], start="2024-02-01", end="2024-01-01")


def test_partial_stockout_scales_up_and_long_stockout_marks_the_week_missing():
    dates = _days(date(2024, 1, 1), 14)
    qty = [10.0] * 7 + [10.0, 10.0, 0, 0, 0, 0, 0]
    # Week 1: two stock-out days (sold 0) -> scaled from the 5 in-stock days. Week 2: 5 of 7 out.
    stockout = [False] * 5 + [True, True] + [False, False] + [True] * 5
    qty[5] = qty[6] = 0.0
    s = prepare_series(dates, qty, stockout=stockout)
    assert s.values[0] == pytest.approx(70.0)
    assert s.missing == (False, True)


def test_promotion_regressor_is_the_share_of_promoted_days():
    dates = _days(date(2024, 1, 1), 14)
    s = prepare_series(dates, [1.0] * 14, promotion=[1.0] * 7 + [0.0] * 7)
    assert s.promotions == (1.0, 0.0)


@pytest.mark.parametrize("values, category", [
    ([10, 11, 9, 10, 12, 10, 9, 11, 10, 10], "smooth"),
    ([1, 30, 2, 25, 1, 40, 3, 1, 35, 2], "erratic"),
    ([0, 0, 5, 0, 0, 4, 0, 0, 5, 0, 0, 6], "intermittent"),
    ([0, 0, 1, 0, 0, 40, 0, 0, 2, 0, 0, 30], "lumpy"),
    ([3, 4, 5, 4, 3, 4], "new"),
])
def test_syntetos_boylan_classes(values, category):
    assert classify(values).category == category


def test_classification_statistics_and_missing_periods_excluded():
    c = classify([0, 4, 0, 4, 0, 4, 0, 4, 99], missing=[False] * 8 + [True])
    assert (c.n_periods, c.n_nonzero) == (8, 4)
    assert c.adi == pytest.approx(2.0)
    assert c.cv2 == pytest.approx(0.0)
    assert classify([0] * 10).adi == float("inf")


def test_impute_missing_uses_only_earlier_observed_periods():
    y = np.array([10.0, 20.0, 0.0, 30.0, 0.0])
    out = impute_missing(y, np.array([False, False, True, False, True]), window=2)
    assert out.tolist() == [10.0, 20.0, 15.0, 30.0, 25.0]
    # a leading gap has nothing earlier: mean of everything observed
    assert impute_missing(np.array([0.0, 6.0, 8.0]), np.array([True, False, False]))[0] == 7.0
