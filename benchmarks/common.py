"""Shared helpers for the benchmarks: databases to run on, big synthetic data, timing."""
from __future__ import annotations

import os
import statistics
import subprocess
import tempfile
import time
import uuid
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Iterator

from sqlalchemy import create_engine, text

PG_ADMIN_URL = os.environ.get("SCM_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
SECRET = "benchmark-secret-key-0123456789-abcdefghijklmnop"


def postgres_available() -> bool:
    try:
        return subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1"], timeout=5).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


@contextmanager
def database(kind: str) -> Iterator[str]:
    """A throw-away empty database URL: a SQLite file, or a new PostgreSQL database."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            yield f"sqlite:///{Path(tmp) / 'bench.db'}"
        return
    name = f"scm_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


def kinds() -> list[str]:
    return ["sqlite", "postgresql"] if postgres_available() else ["sqlite"]


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[18] if len(samples) >= 20 else max(samples)


def fill_big(url: str, items: int, moves: int, warehouses: int = 3) -> None:
    """`items` items, `warehouses` warehouses and `moves` receipt/issue moves whose sums are the
    balances (so ledger-check stays clean), written with bulk SQL for speed."""
    from scm.models import Base
    engine = create_engine(url)
    Base.metadata.create_all(engine)
    now = "2026-01-01 00:00:00+00:00"
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO warehouses (code, name, address, active, created_at) VALUES "
                          + ", ".join(f"('WH{w}', 'Warehouse {w}', '', true, '{now}')" for w in range(warehouses))))
        conn.execute(text("INSERT INTO items (sku, name, uom, category, unit_cost, abc_class, is_core, active, "
                          "created_at, updated_at) VALUES (:sku, :name, 'ea', :cat, 25000, 'C', false, true, :t, :t)"),
                     [{"sku": f"SKU-{i:06d}", "name": f"Item {i} {('bolt','nut','washer','cable')[i % 4]}",
                       "cat": f"Cat {i % 50}", "t": now} for i in range(items)])
        balances: dict[tuple[int, int], int] = {}
        rows = []
        for m in range(moves):
            item_id, wh = (m * 7919) % items + 1, (m % warehouses) + 1
            key = (item_id, wh)
            delta = 5000 if balances.get(key, 0) < 3000 or m % 3 else -1000  # scaled ×1000
            balances[key] = balances.get(key, 0) + delta
            rows.append({"i": item_id, "w": wh, "d": delta, "k": "receipt" if delta > 0 else "issue",
                         "r": "" if delta > 0 else "sale", "b": balances[key], "t": now})
            if len(rows) == 50_000:
                _insert_moves(conn, rows)
                rows = []
        if rows:
            _insert_moves(conn, rows)
        conn.execute(text("INSERT INTO stock_balances (item_id, warehouse_id, on_hand, reserved, updated_at) "
                          "VALUES (:i, :w, :q, 0, :t)"),
                     [{"i": i, "w": w, "q": q, "t": now} for (i, w), q in balances.items()])
    engine.dispose()


def _insert_moves(conn, rows: list[dict]) -> None:  # type: ignore[no-untyped-def]
    conn.execute(text("INSERT INTO stock_moves (item_id, warehouse_id, qty_delta, kind, reason, source_type, "
                      "balance_after, posted_at, note) VALUES (:i, :w, :d, :k, :r, 'bench', :b, :t, '')"), rows)


class Timer:
    def __enter__(self) -> "Timer":
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self.start


def decimal(value: float) -> Decimal:
    return Decimal(str(round(value, 3)))
