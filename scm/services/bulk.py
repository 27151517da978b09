"""Bulk writes for set-based jobs (the replenishment plan): many rows in few statements.

`insert_rows` sends multi-row INSERT ... VALUES statements (one round trip per chunk instead of one per
row). `update_rows` updates rows by primary key: on PostgreSQL one `UPDATE ... FROM (VALUES ...)` per
chunk, elsewhere an executemany (SQLite runs those in-process, already fast).
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import Integer, cast, column, insert, update, values
from sqlalchemy.orm import Session

CHUNK = 1000


def insert_rows(session: Session, model: Any, rows: list[dict[str, Any]], chunk: int = CHUNK) -> None:
    """Insert `rows` (dicts with the same keys) into the model's table, `chunk` rows per statement."""
    for start in range(0, len(rows), chunk):
        session.execute(insert(model).values(rows[start:start + chunk]))


def update_rows(session: Session, model: Any, rows: list[dict[str, Any]], chunk: int = CHUNK) -> None:
    """Update rows by "id"; every dict carries the same keys. Column types (scaled decimals, JSON,
    dates) are applied as for any other statement."""
    if not rows:
        return
    if session.get_bind().dialect.name != "postgresql":
        for start in range(0, len(rows), chunk):
            session.execute(update(model), rows[start:start + chunk])
        return
    table = model.__table__
    keys = [k for k in rows[0] if k != "id"]
    for start in range(0, len(rows), chunk):
        part = rows[start:start + chunk]
        data = values(column("id", Integer), *(column(k, table.c[k].type) for k in keys), name="v").data(
            [(r["id"], *(r[k] for k in keys)) for r in part])
        session.execute(update(table).where(table.c.id == data.c.id)
                        .values({k: cast(data.c[k], table.c[k].type) for k in keys}))
