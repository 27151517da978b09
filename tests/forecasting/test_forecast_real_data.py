"""The product against seasonal naive on a fixed sample of the real data sets (fast)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from forecasting import SeriesInput, forecast_many
from forecasting.evaluate import eligible, load_series, scale_of

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
PBS = DATA / "pbs_monthly_scripts.csv.gz"
CARPARTS = DATA / "carparts_monthly_demand.csv.gz"


def _sample(path: Path, id_cols: list[str], value_col: str, horizon: int, n: int, **filters):
    if not path.exists():
        pytest.skip(f"real data not found at {path} (shared data directory absent)")
    series = load_series(str(path), id_cols, "month", value_col, "M")
    keys = [k for k, v in series.items() if eligible(v, horizon, **filters)]
    rng = np.random.default_rng(20240601)
    picked = sorted(rng.choice(len(keys), n, replace=False))
    return [series[keys[i]] for i in picked]


def _mean_mase(values, horizon, lag, forecasts):
    return float(np.mean([np.mean(np.abs(v[-horizon:] - np.asarray(f))) / scale_of(v[:-horizon], lag)
                          for v, f in zip(values, forecasts)]))


@pytest.mark.parametrize("name, path, id_cols, value_col, horizon, lag, n, filters", [
    ("pbs", PBS, ["concession", "type", "atc2"], "scripts", 12, 12, 20,
     {"min_nonzero_frac": 0.9, "min_nonzero_window": 60, "require_train_demand": False}),
    ("carparts", CARPARTS, ["part"], "demand", 6, 1, 60,
     {"min_nonzero_frac": 0.0, "min_nonzero_window": 0, "require_train_demand": True}),
])
def test_product_is_not_worse_than_seasonal_naive(name, path, id_cols, value_col, horizon, lag, n, filters):
    values = _sample(path, id_cols, value_col, horizon, n, **filters)
    inputs = [SeriesInput(key=i, values=tuple(v[:-horizon])) for i, v in enumerate(values)]
    results = forecast_many(inputs, horizon, 12, workers=1)
    product = _mean_mase(values, horizon, lag, [r.mean for r in results])
    snaive = _mean_mase(values, horizon, lag, [v[-horizon - 12:-12] for v in values])
    assert product <= snaive * 1.02, (name, product, snaive)
    covered = np.mean(np.concatenate([(v[-horizon:] >= r.lo95) & (v[-horizon:] <= r.hi95)
                                      for v, r in zip(values, results)]))
    assert covered >= 0.7, (name, covered)
