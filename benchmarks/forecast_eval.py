"""Forecast accuracy, calibration and speed on the two real data sets (shared/data/README.md).

    python -m benchmarks.forecast_eval [--data-dir DIR] [--workers W] [--methods a,b] [--json]

Runs ``python -m forecasting.evaluate`` in-process for
- pbs: last 12 months held out, season 12, MASE scaled by in-sample seasonal naive, series non-zero
  in at least 90% of their last 60 months;
- carparts: last 6 months held out, season 12, MASE scaled by in-sample naive, parts with demand
  before the holdout;
prints a table per data set and the goal checks (or the full JSON with --json).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Sequence

from forecasting.evaluate import evaluate, parse_args

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"

DATASETS = {
    "pbs": ["pbs_monthly_scripts.csv.gz", "--id-cols", "concession,type,atc2", "--date-col", "month",
            "--value-col", "scripts", "--freq", "M", "--horizon", "12", "--season", "12",
            "--scale", "seasonal", "--eligible", "pbs"],
    "carparts": ["carparts_monthly_demand.csv.gz", "--id-cols", "part", "--date-col", "month",
                 "--value-col", "demand", "--freq", "M", "--horizon", "6", "--season", "12",
                 "--scale", "naive", "--eligible", "any-demand"],
}
#: Goals from the forecasting issue: mean MASE ceiling and minimum series/s per core.
GOALS = {"pbs": (0.95, 10.0), "carparts": (1.00, 100.0)}
COVERAGE80 = (0.75, 0.85)


def run(data_dir: Path, workers: int | None, methods: str | None) -> dict[str, dict]:
    """Evaluate both data sets; returns {name: evaluation JSON object}."""
    out = {}
    for name, spec in DATASETS.items():
        argv = [str(data_dir / spec[0]), *spec[1:]]
        if workers:
            argv += ["--workers", str(workers)]
        if methods:
            argv += ["--methods", methods]
        out[name] = evaluate(parse_args(argv))
    return out


def report(results: dict[str, dict]) -> str:
    """Human-readable table and goal checks."""
    lines = []
    for name, res in results.items():
        lines.append(f"\n{name}: {res['eligible_series']} series, horizon {res['horizon']}, "
                     f"MASE scale {res['scale']}, {res['workers']} workers")
        lines.append(f"  {'method':<18}{'MASE mean':>10}{'median':>9}{'WAPE':>8}{'bias':>8}"
                     f"{'cov80':>8}{'cov95':>8}{'series/s/core':>15}")
        for method, s in sorted(res["results"].items(), key=lambda kv: (kv[0] != "product", kv[1]["mase_mean"] or 9e9)):
            if s["mase_mean"] is None:
                continue
            lines.append(f"  {method:<18}{s['mase_mean']:>10.3f}{s['mase_median']:>9.3f}{s['wape']:>8.3f}"
                         f"{s['bias']:>8.3f}{s['coverage80']:>8.3f}{s['coverage95']:>8.3f}"
                         f"{s['series_per_s_per_core']:>15.1f}")
        p = res["results"]["product"]
        mase_goal, speed_goal = GOALS[name]
        checks = [("mean MASE <= %.2f" % mase_goal, p["mase_mean"] <= mase_goal),
                  ("80%% coverage in %.2f-%.2f" % COVERAGE80, COVERAGE80[0] <= p["coverage80"] <= COVERAGE80[1]),
                  ("series/s/core >= %g" % speed_goal, p["series_per_s_per_core"] >= speed_goal)]
        lines.append("  goals: " + ", ".join(f"{label}: {'met' if ok else 'NOT met'}" for label, ok in checks))
        lines.append(f"  chosen models: {res['product_models']}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry point."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data-dir", type=Path, default=DEFAULT_DATA)
    p.add_argument("--workers", type=int, default=None)
    p.add_argument("--methods", default=None)
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    if not args.data_dir.exists():
        print(f"data directory {args.data_dir} not found", file=sys.stderr)
        return 2
    results = run(args.data_dir, args.workers, args.methods)
    print(json.dumps(results, indent=2) if args.json else report(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
