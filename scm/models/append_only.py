"""Database triggers that make the stock ledger and the audit log append-only.

The same statements are used by `create_all` (tests) through DDL events and by the Alembic migration.
"""
from __future__ import annotations

from sqlalchemy import DDL, Table, event

APPEND_ONLY_TABLES = ("stock_moves", "audit_log")

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION scm_reject_change() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP;
END
$$ LANGUAGE plpgsql
"""


def sqlite_statements(table: str) -> list[str]:
    return [
        f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: UPDATE refused'); END",
        f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: DELETE refused'); END",
    ]


def postgresql_statements(table: str) -> list[str]:
    return [
        PG_FUNCTION,
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION scm_reject_change()",
    ]


def statements_for(dialect: str, table: str) -> list[str]:
    """The trigger DDL for one table on one dialect ('sqlite' or 'postgresql')."""
    return sqlite_statements(table) if dialect == "sqlite" else postgresql_statements(table)


def attach(table: Table) -> None:
    """Create the triggers whenever `table` is created by metadata.create_all."""
    for statement in sqlite_statements(table.name):
        event.listen(table, "after_create", DDL(statement).execute_if(dialect="sqlite"))
    for statement in postgresql_statements(table.name):
        # DDL() applies %-formatting for table substitution, so a literal % must be doubled.
        event.listen(table, "after_create", DDL(statement.replace("%", "%%")).execute_if(dialect="postgresql"))
