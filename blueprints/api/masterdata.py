"""Items and warehouses over the API."""
from __future__ import annotations

from typing import Any

from flask import jsonify, request
from sqlalchemy import func, select

from blueprints.api import serializers
from blueprints.api.core import api_actor, api_roles, json_body, page_args
from blueprints.common import ADMIN, CATALOG_WRITERS, STAFF, commit
from scm.extensions import db
from scm.models import Warehouse
from scm.services.stock import masterdata


@api_roles(*STAFF)
def list_items() -> Any:
    page, per_page = page_args()
    active = {"true": True, "false": False}.get(request.args.get("active", ""))
    stmt = masterdata.item_query(q=request.args.get("q", ""), category=request.args.get("category", ""),
                                 active=active)
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = db.session.scalars(stmt.limit(per_page).offset((page - 1) * per_page))
    return jsonify(items=[serializers.item(i) for i in rows], page=page, per_page=per_page, total=total)


@api_roles(*STAFF)
def get_item(item_id: int) -> Any:
    return jsonify(serializers.item(masterdata.get_item(db.session, item_id)))


@api_roles(*CATALOG_WRITERS)
def create_item() -> Any:
    body = json_body()
    item = commit(lambda: masterdata.create_item(db.session, body, actor=api_actor()))
    return jsonify(serializers.item(item)), 201


@api_roles(*CATALOG_WRITERS)
def update_item(item_id: int) -> Any:
    body = json_body()
    item = commit(lambda: masterdata.update_item(db.session, masterdata.get_item(db.session, item_id), body,
                                                 actor=api_actor()))
    return jsonify(serializers.item(item))


@api_roles(*STAFF)
def list_warehouses() -> Any:
    return jsonify(warehouses=[serializers.warehouse(w) for w in masterdata.list_warehouses(db.session)])


@api_roles(*STAFF)
def get_warehouse(warehouse_id: int) -> Any:
    return jsonify(serializers.warehouse(masterdata.get_warehouse(db.session, warehouse_id)))


@api_roles(*ADMIN)
def create_warehouse() -> Any:
    body = json_body()
    warehouse: Warehouse = commit(lambda: masterdata.create_warehouse(db.session, body, actor=api_actor()))
    return jsonify(serializers.warehouse(warehouse)), 201


@api_roles(*ADMIN)
def update_warehouse(warehouse_id: int) -> Any:
    body = json_body()
    warehouse = commit(lambda: masterdata.update_warehouse(
        db.session, masterdata.get_warehouse(db.session, warehouse_id), body, actor=api_actor()))
    return jsonify(serializers.warehouse(warehouse))
