"""p95 of the stock list page with 100k items and 1M moves (goal ≤ 150 ms), plus the item list,
the dashboard as an admin sees it (every panel, after the `dashboard-figures` job; goal ≤ 1 s cold and warm),
and import/export of 100k-row workbooks (goals: import ≤ 15 s end to end, export ≤ 10 s)."""
from __future__ import annotations

import json
import os
import time

from benchmarks.common import SECRET, Timer, database, fill_big, kinds, p95

ITEMS = int(os.environ.get("SCM_BENCH_ITEMS", "100000"))
MOVES = int(os.environ.get("SCM_BENCH_MOVES", "1000000"))
REQUESTS = 40
PAGES = {
    "stock list, first page": "/stock/",
    "stock list, search 'washer'": "/stock/?q=washer",
    "stock list, one warehouse, sorted by on hand": "/stock/?warehouse=2&sort=-on_hand",
    "stock list, page 1000": "/stock/?page=1000",
    "item list, first page": "/items",
    "item list, search": "/items?q=SKU-0999",
    "item ledger": "/stock/items/4242/ledger",
}
# Pages seen as an admin (all panels), after the `dashboard-figures` job wrote its snapshots.
ADMIN_PAGES = {"dashboard (admin: every panel)": "/dashboard"}
ADMIN_REQUESTS = 20


def _app(url: str):  # type: ignore[no-untyped-def]
    from scm.app import create_app
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET, "RATELIMIT_ENABLED": False})


def page_latencies(url: str, role: str = "warehouse", pages: dict[str, str] | None = None,
                   requests: int = REQUESTS, first_view: bool = False) -> dict[str, float]:
    """p95 per page in ms; with first_view also the very first request of a fresh app (cold)."""
    from scm.extensions import db
    from tests import factories
    app = _app(url)
    client = app.test_client()
    with app.app_context():
        user = factories.user(db.session, role)
        factories.login(client, db.session, user)
        db.session.remove()
    out = {}
    for name, path in (PAGES if pages is None else pages).items():
        samples = []
        for _ in range(requests):
            start = time.perf_counter()
            response = client.get(path)
            samples.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (path, response.status_code)
        out[name] = round(p95(samples), 1)
        if first_view:
            out[f"{name}, first view (cold)"] = round(samples[0], 1)
    with app.app_context():
        db.engine.dispose()
    return out


def dashboard_job_seconds(url: str) -> float:
    """Run the `dashboard-figures` job once (as the scheduler would) and return its wall time."""
    from scm import jobs
    from scm.extensions import db
    from scm.models import utcnow
    app = _app(url)
    with app.app_context():
        with Timer() as timer:
            run = jobs.run_job(db.session, jobs.job_by_id("dashboard-figures"), now=utcnow(), force=True)
        assert run is not None and run.status == "ok", run and run.result
        print(f"        dashboard-figures job: {timer.seconds:.1f} s ({run.result})")
        db.session.remove()
        db.engine.dispose()
    return round(timer.seconds, 2)


def dashboard_only() -> list[dict]:
    """Only the dashboard row: build the data, run the job, time the page (`python -m benchmarks.bench_pages dashboard`)."""
    results = []
    for kind in kinds():
        with database(kind) as url:
            fill_big(url, ITEMS, MOVES)
            job_s = dashboard_job_seconds(url)
            pages = page_latencies(url, "admin", ADMIN_PAGES, ADMIN_REQUESTS, first_view=True)
        results.append({"database": kind, "dashboard_job_s": job_s, "p95_ms": pages})
        print(f"dashboard [{kind:10}] {ITEMS} items, {MOVES} moves: job {job_s:.1f} s; {pages}")
    return results


def spreadsheet_timings(url: str) -> dict[str, float]:
    """Export 100k items; then import a 100k-line stock count (preview + apply, as a user does)."""
    from sqlalchemy import select

    from scm.extensions import db
    from scm.models import Item, Warehouse
    from scm.services import importers
    from scm.services.stock import sheets as count_sheets
    from scm.services.stock.counts import VarianceLimits
    from scm.services.kernel.actors import Actor
    from scm.sheets import export_rows
    from tests import factories
    app = _app(url)
    with app.app_context():
        actor = Actor.for_user(factories.user(db.session, "admin"), "web")
        db.session.commit()
        with Timer() as export_timer:
            exported = importers.export(db.session, "items")
        code = db.session.scalar(select(Warehouse.code).order_by(Warehouse.id))
        skus = list(db.session.scalars(select(Item.sku).order_by(Item.id).limit(ITEMS)))
        workbook = export_rows(importers.STOCK_COUNTS, ({"warehouse": code, "sku": sku, "counted": n % 97} for n, sku in enumerate(skus)))
        with Timer() as import_timer:
            batch, result = importers.preview(db.session, "stock_counts", workbook, "count.xlsx", actor=actor)
            db.session.commit()
            assert not result.errors, result.errors[:3]
            # A person confirms the large variances a second time; the benchmark does it with the tokens.
            reviews = count_sheets.review_counts(db.session, result, VarianceLimits())
            confirm = {f"large-{r.warehouse_code}": r.large_token for r in reviews}
            importers.apply(db.session, batch.id, actor=actor, options={"confirm": confirm})
            db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return {"export_items_s": round(export_timer.seconds, 2), "export_rows": ITEMS,
            "export_bytes": len(exported), "import_count_s": round(import_timer.seconds, 2),
            "import_rows": len(skus)}


def main() -> list[dict]:
    results = []
    for kind in kinds():
        with database(kind) as url:
            with Timer() as build:
                fill_big(url, ITEMS, MOVES)
            pages = page_latencies(url)
            job_s = dashboard_job_seconds(url)
            pages.update(page_latencies(url, "admin", ADMIN_PAGES, ADMIN_REQUESTS, first_view=True))
            sheets = spreadsheet_timings(url)
        results.append({"database": kind, "build_s": round(build.seconds, 1), "p95_ms": pages,
                        "dashboard_job_s": job_s, **sheets})
        print(f"pages [{kind:10}] {ITEMS} items, {MOVES} moves (built in {build.seconds:.0f} s); p95 over {REQUESTS} "
              "requests (goal ≤ 150 ms):")
        for name, value in pages.items():
            print(f"        {name:48} {value:7.1f} ms")
        print(f"sheets[{kind:10}] export {ITEMS} items {sheets['export_items_s']:.2f} s (goal ≤ 10 s) | import "
              f"{sheets['import_rows']}-row stock count {sheets['import_count_s']:.2f} s (goal ≤ 15 s)")
    return results


if __name__ == "__main__":
    import sys
    print(json.dumps(dashboard_only() if sys.argv[1:] == ["dashboard"] else main(), indent=1))
