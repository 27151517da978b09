"""Units of measure over the API: staff read them, admins add and edit them."""
from __future__ import annotations

from typing import Any

from flask import jsonify

from blueprints.api.core import api_actor, api_roles, json_body
from blueprints.common import ADMIN, STAFF, commit
from scm.extensions import db
from scm.models import UnitOfMeasure
from scm.services.stock import units as units_of_measure


def unit_json(unit: UnitOfMeasure) -> dict[str, Any]:
    return {"code": unit.code, "name": unit.name, "decimals": unit.decimals}


@api_roles(*STAFF)
def list_units() -> Any:
    return jsonify(units=[unit_json(u) for u in units_of_measure.list_units(db.session)])


@api_roles(*ADMIN)
def create_unit() -> Any:
    body = json_body()
    unit = commit(lambda: units_of_measure.create_unit(db.session, body, actor=api_actor()))
    return jsonify(unit_json(unit)), 201


@api_roles(*ADMIN)
def update_unit(code: str) -> Any:
    body = json_body()
    unit = commit(lambda: units_of_measure.update_unit(
        db.session, units_of_measure.get_unit(db.session, code), body, actor=api_actor()))
    return jsonify(unit_json(unit))
