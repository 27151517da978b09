"""A forecast run over every series (or some items): the batch the nightly job, `flask scm forecast`
and `seed-demo` start.

Unlike a user action this is many transactions by design: the run row is committed first (so the
planning page shows it with its progress), the inputs are read and that read transaction ended (SQLite
would otherwise hold its write lock through minutes of computation), the series are computed in worker
processes with nothing held open, and the results are stored in a last transaction. A failure marks
the run failed and re-raises.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date

from sqlalchemy.orm import Session

from scm.models import ForecastRun
from scm.services.planning import forecast_runs as forecasts


def run_forecast_batch(session: Session, *, as_of: date, trigger: str, item_ids: list[int] | None = None,
                       workers: int | None = None, mp_context: object | None = None,
                       on_progress: Callable[[int, int], None] | None = None) -> ForecastRun:
    """Forecast every series and keep the run. Commits in steps: the run row first (so the planning
    page shows it), then nothing is held open during the long multi-process computation."""
    run_id = forecasts.start_run(session, as_of=as_of, trigger=trigger).id
    session.commit()
    last_report = [0.0]

    def progress(done: int, total: int) -> None:
        if on_progress:
            on_progress(done, total)
        if time.monotonic() - last_report[0] > 1 or done == total:  # at most once a second
            last_report[0] = time.monotonic()
            with Session(session.get_bind()) as side:
                forecasts.set_progress(side, run_id, done, total)
                side.commit()

    try:
        jobs = forecasts.load_inputs(session, as_of=as_of, item_ids=item_ids)
        session.commit()  # end the read transaction: SQLite would keep its write lock otherwise
        results = forecasts.compute(jobs, workers=workers, mp_context=mp_context, progress=progress)
        run = forecasts.store(session, run_id, jobs, results)
        session.commit()
        return run
    except Exception as error:
        session.rollback()
        forecasts.fail_run(session, run_id, f"{type(error).__name__}: {error}")
        session.commit()
        raise
