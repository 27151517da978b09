"""Stock balances and moves over the API; posts honour Idempotency-Key."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import g, jsonify, request

from blueprints.api import serializers
from blueprints.api.core import api_actor, api_roles, json_body, page_args
from blueprints.common import STAFF, STOCK_WRITERS, commit
from scm.extensions import db
from scm.services.kernel import idempotency
from scm.services.kernel.errors import ValidationFailed
from scm.services.stock import masterdata
from scm.services.stock import queries as stock_queries
from scm.services.stock import requests as stock_requests


def _filter_ids() -> tuple[int | None, int | None]:
    item_id = request.args.get("item_id", type=int)
    warehouse_id = request.args.get("warehouse_id", type=int)
    if request.args.get("sku"):
        item_id = masterdata.item_by_sku(db.session, request.args["sku"]).id
    if request.args.get("warehouse"):
        warehouse_id = masterdata.warehouse_by_code(db.session, request.args["warehouse"]).id
    return item_id, warehouse_id


@api_roles(*STAFF)
def balances() -> Any:
    page, per_page = page_args(100, 1000)
    item_id, warehouse_id = _filter_ids()
    stmt = stock_queries.balance_query(item_id=item_id, warehouse_id=warehouse_id)
    rows = db.session.execute(stmt.limit(per_page).offset((page - 1) * per_page))
    return jsonify(balances=[serializers.balance(r) for r in rows], page=page, per_page=per_page)


@api_roles(*STAFF)
def stock_value() -> Any:
    """Σ on hand × unit cost per warehouse and in total (the dashboard's figure)."""
    values = stock_queries.stock_values(db.session)
    return jsonify(total=str(values.total),
                   by_warehouse=[{"warehouse": code, "value": str(value)} for code, value in values.by_warehouse])


@api_roles(*STAFF)
def list_moves() -> Any:
    """A feed in id order: pass the returned next_after_id as after_id to read on."""
    _page, limit = page_args(100, 1000)
    item_id, warehouse_id = _filter_ids()
    since = None
    if request.args.get("since"):
        try:
            since = datetime.fromisoformat(request.args["since"])
            if since.tzinfo is None:
                raise ValueError
        except ValueError:
            raise ValidationFailed({"since": ["an ISO 8601 timestamp with a time zone"]}) from None
    stmt = stock_queries.move_query(item_id=item_id, warehouse_id=warehouse_id, kind=request.args.get("kind", ""),
                                    since=since, after_id=request.args.get("after_id", type=int),
                                    newest_first=False).limit(limit)
    moves = [serializers.move(m, sku, code) for m, sku, code in db.session.execute(stmt)]
    return jsonify(moves=moves, next_after_id=moves[-1]["id"] if moves else request.args.get("after_id", type=int))


@api_roles(*STOCK_WRITERS)
def post_move() -> Any:
    body = json_body()

    def work() -> tuple[dict, int]:
        posted = stock_requests.post_move_request(db.session, body, actor=api_actor())
        return {"moves": [serializers.move(m, posted.sku, posted.codes[m.warehouse_id]) for m in posted.moves]}, 201

    payload, status = commit(lambda: idempotency.run_once(
        db.session, user_id=g.api_user.id, key=request.headers.get("Idempotency-Key"),
        fingerprint=idempotency.request_fingerprint("POST", request.path, body), work=work))
    return jsonify(payload), status
