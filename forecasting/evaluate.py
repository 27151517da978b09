"""Holdout evaluation of the forecaster on a long-format demand file.

    python -m forecasting.evaluate FILE --id-cols COL[,COL...] --date-col COL --value-col COL \
        --freq D|W|M --horizon H [--season S] [--scale seasonal|naive] [--eligible pbs|any-demand] \
        [--min-nonzero-frac F --min-nonzero-window W] [--require-train-demand] \
        [--sample N --seed K] [--workers W] [--methods a,b,...] [--n-origins N] \
        [--sigma-origins N] [--interval-method auto|empirical|parametric|model]

The last H periods of every eligible series are held out; the product (model chosen per series by
backtest on the data before the holdout) and each single method forecast them, and ONE JSON object
is printed with mean/median MASE, pooled WAPE and bias, 80%/95% interval coverage, series count
and speed. MASE is scaled by the in-sample seasonal naive error (``--scale seasonal``) or the naive
error (``--scale naive``) of the training part, as in /work/shared/data/README.md.

This module is the only place in ``forecasting`` that does I/O.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from typing import Sequence

import numpy as np
import pandas as pd

from .engine import forecast_many
from .models import REGISTRY
from .types import ForecastResult, SeriesInput

_PERIOD = {"D": "D", "W": "W-SUN", "M": "M"}
PRESETS = {"pbs": {"min_nonzero_frac": 0.9, "min_nonzero_window": 60},
           "any-demand": {"require_train_demand": True}}


def load_series(path: str, id_cols: Sequence[str], date_col: str, value_col: str,
                freq: str) -> dict[tuple, np.ndarray]:
    """Regular series per id: from the id's first period to the file's last period, gaps = 0."""
    df = pd.read_csv(path, usecols=list(id_cols) + [date_col, value_col])
    df = df.dropna(subset=[value_col])
    ordinal = pd.PeriodIndex(pd.to_datetime(df[date_col]), freq=_PERIOD[freq]).asi8
    df = df.assign(_ord=ordinal)
    last = int(df["_ord"].max())
    series: dict[tuple, np.ndarray] = {}
    for key, group in df.groupby(list(id_cols), sort=True):
        first = int(group["_ord"].min())
        values = np.zeros(last - first + 1)
        np.add.at(values, group["_ord"].to_numpy() - first, group[value_col].to_numpy(float))
        series[key if isinstance(key, tuple) else (key,)] = values
    return series


def eligible(values: np.ndarray, horizon: int, min_nonzero_frac: float, min_nonzero_window: int,
             require_train_demand: bool) -> bool:
    """Data README filters: share of non-zero periods in the last window; demand before holdout."""
    if len(values) <= horizon:
        return False
    if min_nonzero_window and min_nonzero_frac:
        recent = values[-min_nonzero_window:]
        if np.mean(recent > 0) < min_nonzero_frac:
            return False
    return not require_train_demand or values[:-horizon].sum() > 0


def scale_of(train: np.ndarray, lag: int) -> float:
    """In-sample MAE of the lag-``lag`` naive forecast (nan when undefined or zero)."""
    if len(train) <= lag:
        return float("nan")
    s = float(np.mean(np.abs(train[lag:] - train[:-lag])))
    return s if s > 0 else float("nan")


def summarise(results: Sequence[ForecastResult], trains: Sequence[np.ndarray],
              actuals: Sequence[np.ndarray], lag: int, elapsed: float, workers: int) -> dict:
    """Accuracy, calibration and speed figures for one method over all series."""
    mases, abs_err, signed, total, in80, in95, points = [], 0.0, 0.0, 0.0, 0, 0, 0
    for res, train, actual in zip(results, trains, actuals):
        f = np.asarray(res.mean)
        err = f - actual
        scale = scale_of(train, lag)
        if np.isfinite(scale):
            mases.append(float(np.mean(np.abs(err))) / scale)
        abs_err += float(np.abs(err).sum())
        signed += float(err.sum())
        total += float(actual.sum())
        in80 += int(np.sum((actual >= np.asarray(res.lo80) - 1e-9) & (actual <= np.asarray(res.hi80) + 1e-9)))
        in95 += int(np.sum((actual >= np.asarray(res.lo95) - 1e-9) & (actual <= np.asarray(res.hi95) + 1e-9)))
        points += len(actual)
    n = len(results)
    return {
        "mase_mean": round(float(np.mean(mases)), 4) if mases else None,
        "mase_median": round(float(np.median(mases)), 4) if mases else None,
        "wape": round(abs_err / total, 4) if total else None,
        "bias": round(signed / total, 4) if total else None,
        "coverage80": round(in80 / points, 4) if points else None,
        "coverage95": round(in95 / points, 4) if points else None,
        "series": n,
        "series_scored_mase": len(mases),
        "seconds": round(elapsed, 2),
        "series_per_s": round(n / elapsed, 1) if elapsed > 0 else None,
        "series_per_s_per_core": round(n / elapsed / workers, 1) if elapsed > 0 else None,
    }


def _run(inputs: list[SeriesInput], args: argparse.Namespace, **kwargs) -> tuple[list[ForecastResult], float]:
    start = time.perf_counter()
    results = forecast_many(inputs, args.horizon, args.season, workers=args.workers,
                            n_origins=args.n_origins, sigma_origins=args.sigma_origins,
                            interval_method=args.interval_method, **kwargs)
    return results, time.perf_counter() - start


def evaluate(args: argparse.Namespace) -> dict:
    """Run the holdout evaluation described in the module docstring and return the JSON object."""
    filters = {"min_nonzero_frac": args.min_nonzero_frac, "min_nonzero_window": args.min_nonzero_window,
               "require_train_demand": args.require_train_demand}
    if args.eligible:
        filters.update(PRESETS[args.eligible])
    series = load_series(args.file, args.id_cols.split(","), args.date_col, args.value_col, args.freq)
    keys = [k for k, v in series.items() if eligible(v, args.horizon, **filters)]
    if args.sample and args.sample < len(keys):
        rng = np.random.default_rng(args.seed)
        keys = [keys[i] for i in sorted(rng.choice(len(keys), args.sample, replace=False))]
    trains = [series[k][:-args.horizon] for k in keys]
    actuals = [series[k][-args.horizon:] for k in keys]
    inputs = [SeriesInput(key=k, values=tuple(t), freq=args.freq) for k, t in zip(keys, trains)]
    lag = args.season if args.scale == "seasonal" else 1
    workers = args.workers or os.cpu_count() or 1
    out: dict = {"file": os.path.basename(args.file), "horizon": args.horizon, "season": args.season,
                 "scale": args.scale, "workers": workers, "eligible_series": len(keys),
                 "filters": filters, "results": {}}
    product, elapsed = _run(inputs, args)
    out["results"]["product"] = summarise(product, trains, actuals, lag, elapsed, workers)
    out["product_models"] = dict(Counter(r.model for r in product).most_common())
    out["classes"] = dict(Counter(r.classification.category for r in product).most_common())
    for name in _methods(args.methods):
        res, elapsed = _run(inputs, args, candidates=[name], combine=False)
        # Score a method only where it ran (e.g. multiplicative models skip series with zeros).
        ran = [i for i, r in enumerate(res) if r.model == name]
        stats = summarise([res[i] for i in ran], [trains[i] for i in ran], [actuals[i] for i in ran],
                          lag, elapsed, workers)
        stats["not_applicable"] = len(res) - len(ran)
        stats["series_per_s"] = round(len(res) / elapsed, 1)
        stats["series_per_s_per_core"] = round(len(res) / elapsed / workers, 1)
        out["results"][name] = stats
    singles = {k: v for k, v in out["results"].items() if k != "product" and v["mase_mean"] is not None}
    if singles:
        out["best_single"] = min(singles, key=lambda k: singles[k]["mase_mean"])
    return out


def _methods(spec: str | None) -> list[str]:
    """Single methods to evaluate: the given list, or every registry model not needing a regressor
    or statsmodels (ETS/SARIMAX are slow; name them explicitly to include them)."""
    if spec:
        names = [m.strip() for m in spec.split(",") if m.strip()]
        unknown = [m for m in names if m not in REGISTRY]
        if unknown:
            raise SystemExit(f"unknown methods {unknown}; known: {sorted(REGISTRY)}")
        return names
    return [n for n, m in REGISTRY.items() if m.family != "statespace"]


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Command-line options (see module docstring)."""
    p = argparse.ArgumentParser(prog="python -m forecasting.evaluate", description=__doc__.split("\n\n")[0])
    p.add_argument("file")
    p.add_argument("--id-cols", required=True)
    p.add_argument("--date-col", required=True)
    p.add_argument("--value-col", required=True)
    p.add_argument("--freq", choices=sorted(_PERIOD), required=True)
    p.add_argument("--horizon", type=int, required=True)
    p.add_argument("--season", type=int, default=None, help="default 12 monthly, 52 weekly, 7 daily")
    p.add_argument("--scale", choices=("seasonal", "naive"), default=None,
                   help="MASE scaling (default seasonal when season > 1)")
    p.add_argument("--eligible", choices=sorted(PRESETS), default=None)
    p.add_argument("--min-nonzero-frac", type=float, default=0.0)
    p.add_argument("--min-nonzero-window", type=int, default=0)
    p.add_argument("--require-train-demand", action="store_true")
    p.add_argument("--sample", type=int, default=None)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--workers", type=int, default=None)
    p.add_argument("--n-origins", type=int, default=3, help="backtest origins to choose a model")
    p.add_argument("--sigma-origins", type=int, default=8, help="backtest origins for sigma")
    p.add_argument("--interval-method", choices=("auto", "empirical", "parametric", "model"),
                   default="auto")
    p.add_argument("--methods", default=None, help="comma-separated single methods to compare")
    args = p.parse_args(argv)
    if args.season is None:
        args.season = {"M": 12, "W": 52, "D": 7}[args.freq]
    if args.scale is None:
        args.scale = "seasonal" if args.season > 1 else "naive"
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry point: print one JSON object."""
    args = parse_args(argv)
    json.dump(evaluate(args), sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
