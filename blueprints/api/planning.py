"""Demand history in, forecasts out."""
from __future__ import annotations

from typing import Any

from flask import jsonify, request

from blueprints.api.core import api_actor, api_roles, json_body
from blueprints.common import CATALOG_WRITERS, STAFF, commit
from scm.extensions import db
from scm.models import utcnow
from scm.services.kernel.errors import ValidationFailed
from scm.services.planning import demand
from scm.services.planning import forecast_runs as forecasts
from scm.services.stock import masterdata


@api_roles(*CATALOG_WRITERS)
def post_demand() -> Any:
    """Past demand per item, warehouse and day; a repeated day replaces the earlier figure."""
    body = json_body()
    count = commit(lambda: demand.record_demand(db.session, body.get("records"), source="api",
                                                actor=api_actor(), today=utcnow().date()))
    return jsonify(recorded=count), 201


@api_roles(*STAFF)
def get_forecast() -> Any:
    """The newest forecast of one item in one warehouse (?sku=...&warehouse=...)."""
    if not request.args.get("sku") or not request.args.get("warehouse"):
        raise ValidationFailed({"sku": ["give sku and warehouse"]})
    item = masterdata.item_by_sku(db.session, request.args["sku"])
    warehouse = masterdata.warehouse_by_code(db.session, request.args["warehouse"])
    row = forecasts.forecast_for(db.session, item.id, warehouse.id)
    return jsonify(sku=item.sku, warehouse=warehouse.code, run_id=row.run_id, model=row.model, freq=row.freq,
                   classification=row.classification, history_end=row.history_end.isoformat(),
                   periods=[{"start": s, "mean": m, "lo80": l8, "hi80": h8, "lo95": l9, "hi95": h9}
                            for s, m, l8, h8, l9, h9 in zip(row.period_starts, row.mean, row.lo80, row.hi80,
                                                            row.lo95, row.hi95)],
                   backtest={"mase": row.mase, "wape": row.wape, "bias": row.bias}, candidates=row.backtest)
