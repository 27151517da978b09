"""Bulk writes for set-based jobs (the replenishment plan): many rows, one compiled statement each.

Both helpers use executemany with one statement compiled once (psycopg 3 pipelines it, SQLite runs it
in-process). A multi-row `INSERT ... VALUES (...), (...)` was tried and measured slower: SQLAlchemy
compiles such a statement anew for every chunk, and compiling 20,000 bind parameters costs seconds.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

CHUNK = 5000


def insert_rows(session: Session, model: Any, rows: list[dict[str, Any]], chunk: int = CHUNK) -> None:
    """Insert `rows` (dicts with the same keys) into the model's table (column types applied)."""
    for start in range(0, len(rows), chunk):
        session.execute(model.__table__.insert(), rows[start:start + chunk])


def update_rows(session: Session, model: Any, rows: list[dict[str, Any]], chunk: int = CHUNK) -> None:
    """Update rows by primary key "id"; every dict carries the same keys."""
    for start in range(0, len(rows), chunk):
        session.execute(update(model), rows[start:start + chunk])
