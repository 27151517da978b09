"""Stock moves per second through POST /api/v1/stock/moves with 16 concurrent clients against
gunicorn, beside the same server's rate for a trivial endpoint (goal: ratio ≥ 0.35)."""
from __future__ import annotations

import http.client
import json
import os
import random
import subprocess
import sys
import threading
import time
from pathlib import Path

from benchmarks.common import SECRET, database, kinds

CLIENTS = 16
SECONDS = float(os.environ.get("SCM_BENCH_SECONDS", "8"))
ROOT = Path(__file__).resolve().parent.parent


def prepare(url: str) -> str:
    """Schema, 200 items with stock in one warehouse, and a warehouse user's API token."""
    from scm.app import create_app
    from scm.extensions import db
    from scm.services.kernel import accounts
    from scm.services.stock import masterdata, ledger as stock_ledger
    from scm.services.kernel.actors import Actor
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET})
    with app.app_context():
        db.create_all()
        actor = Actor.system("bench", via="cli")
        warehouse = masterdata.create_warehouse(db.session, {"code": "WH-BENCH", "name": "Bench"}, actor=actor)
        for n in range(200):
            item = masterdata.create_item(db.session, {"sku": f"B-{n:04d}", "name": f"Bench {n}"}, actor=actor)
            stock_ledger.receive(db.session, item_id=item.id, warehouse_id=warehouse.id, qty=1_000_000, actor=actor)
        user = accounts.create_user(db.session, {"email": "bench@example.com", "name": "Bench", "role": "warehouse"},
                                    password="benchmark-password", actor=actor)
        _token, clear = accounts.create_api_token(db.session, user, "bench", actor=actor)
        db.session.commit()
        db.engine.dispose()
    return clear


def hammer(port: int, request: callable, seconds: float) -> tuple[int, int]:  # type: ignore[valid-type]
    """CLIENTS keep-alive connections sending `request(conn)` until the time is up."""
    done, failed, lock = [0], [0], threading.Lock()
    stop = time.monotonic() + seconds

    def client(seed: int) -> None:
        rng = random.Random(seed)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        ok = bad = 0
        while time.monotonic() < stop:
            status = request(conn, rng)
            ok, bad = (ok + 1, bad) if status < 300 else (ok, bad + 1)
        conn.close()
        with lock:
            done[0] += ok
            failed[0] += bad

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return done[0], failed[0]


def run_one(kind: str) -> dict:
    with database(kind) as url:
        token = prepare(url)
        port = 5600 + random.randint(0, 300)
        env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": SECRET, "SCM_ENV": "production",
               "SCM_RATELIMIT_ENABLED": "0"}
        server = subprocess.Popen([sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers",
                                   os.environ.get("SCM_BENCH_WORKERS", "4"), "--threads",
                                   os.environ.get("SCM_BENCH_THREADS", "4"), "--log-level", "warning", "wsgi:app"],
                                  cwd=ROOT, env=env)
        try:
            _wait(port)

            def trivial(conn, _rng):  # type: ignore[no-untyped-def]
                conn.request("GET", "/healthz")
                response = conn.getresponse()
                response.read()
                return response.status

            def post(conn, rng):  # type: ignore[no-untyped-def]
                kind_ = "receipt" if rng.random() < 0.5 else "issue"
                body = json.dumps({"kind": kind_, "sku": f"B-{rng.randrange(200):04d}", "warehouse": "WH-BENCH",
                                   "quantity": "1", "reason": "sale"})
                conn.request("POST", "/api/v1/stock/moves", body=body, headers={
                    "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
                response = conn.getresponse()
                response.read()
                return response.status

            def authed_read(conn, _rng):  # type: ignore[no-untyped-def]
                conn.request("GET", "/api/v1/warehouses", headers={"Authorization": f"Bearer {token}"})
                response = conn.getresponse()
                response.read()
                return response.status

            hammer(port, trivial, 1.5)  # warm-up: workers import lazily and connection pools fill
            trivial_ok, _ = hammer(port, trivial, SECONDS)
            read_ok, _ = hammer(port, authed_read, SECONDS)
            moves_ok, moves_failed = hammer(port, post, SECONDS)
        finally:
            server.terminate()
            server.wait(timeout=30)
        drift = _ledger_drift(url)
    trivial_rate, read_rate, moves_rate = trivial_ok / SECONDS, read_ok / SECONDS, moves_ok / SECONDS
    return {"database": kind, "trivial_rps": round(trivial_rate, 1), "authed_read_rps": round(read_rate, 1),
            "moves_per_s": round(moves_rate, 1), "ratio": round(moves_rate / trivial_rate, 3),
            "ratio_vs_authed_read": round(moves_rate / read_rate, 3), "failed_posts": moves_failed,
            "ledger_drift": drift}


def _wait(port: int) -> None:
    for _ in range(200):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("gunicorn did not start")


def _ledger_drift(url: str) -> int:
    from scm.app import create_app
    from scm.extensions import db
    from scm.services.stock import ledger as stock_ledger
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET})
    with app.app_context():
        drift = len(stock_ledger.ledger_check(db.session))
        db.session.close()
        db.engine.dispose()
    return drift


def main() -> list[dict]:
    results = [run_one(kind) for kind in kinds()]
    for r in results:
        print(f"api   [{r['database']:10}] GET /healthz {r['trivial_rps']:7.1f}/s | authenticated GET "
              f"{r['authed_read_rps']:7.1f}/s | POST stock/moves {r['moves_per_s']:6.1f}/s | ratio {r['ratio']:.3f} "
              f"(goal ≥ 0.35; {r['ratio_vs_authed_read']:.3f} vs the authenticated read) | failed "
              f"{r['failed_posts']} | ledger drift {r['ledger_drift']}")
    return results


if __name__ == "__main__":
    print(json.dumps(main(), indent=1))
