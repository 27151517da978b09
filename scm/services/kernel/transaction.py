"""Commit one unit of work at the edge, retrying it on deadlock or serialization failure.

Services flush and never commit; views, API handlers, jobs and CLI commands call `run_in_transaction`.
"""
from __future__ import annotations

import time
from typing import Callable, TypeVar

from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session

T = TypeVar("T")
MAX_ATTEMPTS = 4  # the first try and at most 3 retries
RETRYABLE_SQLSTATES = {"40001", "40P01"}  # serialization_failure, deadlock_detected


def is_retryable(error: DBAPIError) -> bool:
    """Deadlocks and serialization failures on PostgreSQL, 'database is locked' on SQLite."""
    sqlstate = getattr(error.orig, "sqlstate", None)
    if sqlstate in RETRYABLE_SQLSTATES:
        return True
    return isinstance(error, OperationalError) and "database is locked" in str(error.orig)


def run_in_transaction(session: Session, work: Callable[[], T]) -> T:
    """Run `work`, commit, and return its result; roll back on any error (re-raised).

    The whole unit of work is retried so that no half-applied attempt is ever committed.
    """
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            result = work()
            session.commit()
            return result
        except DBAPIError as error:
            session.rollback()
            if attempt == MAX_ATTEMPTS or not is_retryable(error):
                raise
            time.sleep(0.01 * 2**attempt)
        except BaseException:
            session.rollback()
            raise
    raise AssertionError("unreachable")
