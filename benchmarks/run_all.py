"""`make bench`: every performance figure the issues ask for, printed one block per benchmark."""
from __future__ import annotations

import importlib
import sys
import time

BENCHMARKS = ["benchmarks.bench_api", "benchmarks.bench_pages", "benchmarks.forecast_eval",
              "benchmarks.bench_simulation", "benchmarks.bench_planning"]


def main() -> int:
    only = sys.argv[1:]
    for name in BENCHMARKS:
        if only and not any(part in name for part in only):
            continue
        start = time.perf_counter()
        print(f"\n=== {name}", flush=True)
        sys.argv = [name]  # each benchmark parses its own (empty) arguments
        importlib.import_module(name).main()
        print(f"=== {name} done in {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
