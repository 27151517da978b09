"""One lock for the replenishment plan and everything done with its suggestions.

The rule: the plan (nightly job or "Run the plan now") and every approval or edit of a suggestion
take this lock first, inside their own transaction, and hold it until they commit. So they run one
after the other, never interleaved:

- an approval that commits first is seen by the plan that follows (its draft counts as on order), and
- an approval that waits for a plan then finds its suggestion superseded and is refused;
- of two buyers approving the same suggestions, the second finds them approved and is refused.

Taking the lock is an UPDATE of one row: PostgreSQL holds the row lock until commit, SQLite the
database write lock (its transactions also begin IMMEDIATE). Taken again in the same transaction
(the nightly job plans, then auto-orders) it is simply held already.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from scm.models import PlanLock

PLAN = "plan"


def take(session: Session, *, by: str, now: datetime | None) -> None:
    """Block until no other transaction holds the plan lock, then hold it until this one ends.
    (`now`, when the caller knows it, is recorded with `by` for whoever inspects the row.)"""
    values = {"taken_by": by[:120], **({"taken_at": now} if now is not None else {})}
    stmt = update(PlanLock).where(PlanLock.name == PLAN).values(**values)
    if session.execute(stmt.execution_options(synchronize_session=False)).rowcount:
        return
    # A database built from the models has no row yet: create it once (a concurrent creator wins quietly).
    module = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(module.insert(PlanLock).values(name=PLAN, **values)
                    .on_conflict_do_nothing(index_elements=["name"]))
    session.execute(stmt.execution_options(synchronize_session=False))
