"""Small builders for replenishment tests: a daily forecast from a fixed day, a planned pair."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.orm import Session

from scm.models import Forecast, ForecastRun, Item, Warehouse

AS_OF = date(2026, 3, 2)


def daily_forecast(session: Session, item: Item, warehouse: Warehouse, rates: list[float] | float, *,
                   sigma: float = 0.0, days: int = 56, start: date = AS_OF) -> Forecast:
    """A finished run holding a daily forecast of `rates` per day (a list gives day-by-day values)."""
    values = [float(rates)] * days if not isinstance(rates, list) else rates + [rates[-1]] * (days - len(rates))
    run = ForecastRun(as_of=start, trigger="cli", status="ok", series_total=1, series_done=1)
    session.add(run)
    session.flush()
    row = Forecast(run_id=run.id, item_id=item.id, warehouse_id=warehouse.id, freq="D", model="ses",
                   classification="smooth", history_end=start - timedelta(days=1),
                   period_starts=[(start + timedelta(days=k)).isoformat() for k in range(days)], mean=values,
                   lo80=values, hi80=values, lo95=values, hi95=values, sigma=[sigma] * days, backtest=[], params={},
                   warnings=[], mase=None, wape=None, bias=None)
    session.add(row)
    session.flush()
    return row
