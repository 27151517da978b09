"""The evaluation CLI on a small synthetic long-format file."""

from __future__ import annotations

import gzip
import json

import numpy as np
import pandas as pd
import pytest

from forecasting import evaluate

from .synthetic import intermittent, seasonal


@pytest.fixture
def demand_file(tmp_path):
    months = pd.period_range("2015-01", periods=60, freq="M").astype(str)
    rows = []
    for i in range(3):
        rows += [{"month": m, "sku": f"S{i}", "site": "X", "qty": v} for m, v in zip(months, seasonal(60, seed=i))]
    for i in range(2):
        rows += [{"month": m, "sku": f"I{i}", "site": "X", "qty": v} for m, v in zip(months, intermittent(60, seed=i))]
    rows += [{"month": m, "sku": "DEAD", "site": "X", "qty": 0.0} for m in months]
    path = tmp_path / "demand.csv.gz"
    with gzip.open(path, "wt") as fh:
        pd.DataFrame(rows).to_csv(fh, index=False)
    return path


def _run(capsys, *argv):
    assert evaluate.main([str(a) for a in argv]) == 0
    return json.loads(capsys.readouterr().out)


def test_cli_prints_one_json_object_with_product_and_baselines(demand_file, capsys):
    out = _run(capsys, demand_file, "--id-cols", "sku,site", "--date-col", "month", "--value-col", "qty",
               "--freq", "M", "--horizon", "6", "--season", "12", "--workers", "1",
               "--eligible", "any-demand", "--methods", "seasonal_naive,naive,croston")
    assert out["eligible_series"] == 5  # the all-zero item has no demand before the holdout
    assert set(out["results"]) == {"product", "seasonal_naive", "naive", "croston"}
    product = out["results"]["product"]
    for key in ("mase_mean", "mase_median", "wape", "bias", "coverage80", "coverage95", "series",
                "series_per_s", "series_per_s_per_core"):
        assert product[key] is not None, key
    assert product["series"] == 5
    assert 0 <= product["coverage80"] <= product["coverage95"] <= 1
    assert out["best_single"] in ("seasonal_naive", "naive", "croston")


def test_cli_filters_and_samples(demand_file, capsys):
    base = [demand_file, "--id-cols", "sku", "--date-col", "month", "--value-col", "qty", "--freq", "M",
            "--horizon", "6", "--workers", "1", "--methods", "naive"]
    strict = _run(capsys, *base, "--min-nonzero-frac", "0.9", "--min-nonzero-window", "24")
    assert strict["eligible_series"] == 3  # only the seasonal items sell in 90% of months
    sampled = _run(capsys, *base, "--sample", "2", "--seed", "1")
    assert sampled["results"]["product"]["series"] == 2


def test_summarise_by_hand():
    class R:  # the attributes summarise reads
        mean, lo80, hi80, lo95, hi95 = (2.0, 2.0), (1.0, 1.0), (3.0, 3.0), (0.0, 0.0), (9.0, 9.0)

    stats = evaluate.summarise([R()], [np.array([1.0, 2.0, 4.0])], [np.array([2.0, 4.0])], 1, 1.0, 1)
    assert stats["mase_mean"] == pytest.approx(1.0 / 1.5, abs=1e-4)  # MAE 1 / naive MAE 1.5
    assert stats["wape"] == pytest.approx(2 / 6, abs=1e-4)
    assert stats["bias"] == pytest.approx(-2 / 6, abs=1e-4)
    assert stats["coverage80"] == 0.5 and stats["coverage95"] == 1.0
