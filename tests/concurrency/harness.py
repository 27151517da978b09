"""Start N workers at the same instant, each with its own database session, and collect outcomes."""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any, Callable

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session


@dataclass
class Outcomes:
    results: list[Any] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)

    def of_type(self, kind: type) -> list[BaseException]:
        return [e for e in self.errors if isinstance(e, kind)]


def run_together(engine: Engine, workers: int, task: Callable[[Session, int], Any],
                 repeat: int = 1) -> Outcomes:
    """Run task(session, worker_index) `repeat` times in each of `workers` threads, released together."""
    barrier = threading.Barrier(workers)
    outcomes = Outcomes()
    lock = threading.Lock()

    def worker(index: int) -> None:
        with Session(engine, expire_on_commit=False) as session:
            barrier.wait()
            for _ in range(repeat):
                try:
                    result = task(session, index)
                    with lock:
                        outcomes.results.append(result)
                except BaseException as error:  # collected and asserted on by the test
                    session.rollback()
                    with lock:
                        outcomes.errors.append(error)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes
