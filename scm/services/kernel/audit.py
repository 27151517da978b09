"""The audit log: every change writes who, when, what, before and after, in the same transaction."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from scm.models import AuditEntry
from scm.services.kernel.actors import Actor


def snapshot(obj: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    """A JSON-safe dict of `fields` of `obj`, for the before/after columns."""
    return {name: _jsonable(getattr(obj, name)) for name in fields}


def record(session: Session, actor: Actor, action: str, entity_type: str, entity_id: Any,
           before: dict | None = None, after: dict | None = None) -> AuditEntry:
    """Append one audit entry; flushed with the change it describes, so both commit or neither."""
    entry = AuditEntry(actor_id=actor.user_id, actor_label=actor.label, via=actor.via, action=action,
                       entity_type=entity_type, entity_id=str(entity_id or ""),
                       before=before, after=after)
    session.add(entry)
    return entry


def apply_changes(session: Session, actor: Actor, obj: Any, changes: dict[str, Any], *, fields: tuple[str, ...],
                  action: str, entity_type: str) -> Any:
    """Set `changes` on `obj` and audit only the fields whose values really changed (none: no entry)."""
    before = snapshot(obj, fields)
    for key, value in changes.items():
        setattr(obj, key, value)
    session.flush()
    old, new = changed_fields(before, snapshot(obj, fields))
    if new:
        record(session, actor, action, entity_type, obj.id, before=old, after=new)
    return obj


def changed_fields(before: dict, after: dict) -> tuple[dict, dict]:
    """Only the keys whose values differ, so an entry shows what really changed."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def query(*, entity_type: str = "", actor: str = "", action: str = "", entity_id: str = "") -> Select:
    """Audit entries matching the filters, newest first."""
    stmt = select(AuditEntry).order_by(AuditEntry.id.desc())
    if entity_type:
        stmt = stmt.where(AuditEntry.entity_type == entity_type)
    if actor:
        stmt = stmt.where(AuditEntry.actor_label.contains(actor))
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    if entity_id:
        stmt = stmt.where(AuditEntry.entity_id == entity_id)
    return stmt


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value
