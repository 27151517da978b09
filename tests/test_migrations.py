"""Migrations: one head, and upgrading an empty database gives exactly the models' schema."""
from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from scm.app import create_app
from scm.config import ROOT
from scm.models import Base
from tests.conftest import BASE_OVERRIDES, ON_POSTGRES, PG_URL


def test_one_head() -> None:
    from alembic.config import Config
    config = Config(str(ROOT / "migrations" / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1


@pytest.fixture
def empty_database_url(tmp_path: Path):  # type: ignore[no-untyped-def]
    if not ON_POSTGRES:
        yield f"sqlite:///{tmp_path / 'migrated.db'}"
        return
    name = f"scm_migrations_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    yield PG_URL.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()


def test_upgrade_from_empty_equals_models_and_downgrade_is_clean(empty_database_url: str) -> None:
    app = create_app({**BASE_OVERRIDES, "SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        upgrade()
        engine = create_engine(empty_database_url)
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
            assert diff == [], f"models and migrations differ: {diff}"
            conn.execute(text("INSERT INTO audit_log (at, actor_label, via, action, entity_type, entity_id) "
                              "VALUES (CURRENT_TIMESTAMP, 'test', 'cli', 'probe', 'probe', '1')"))
            with pytest.raises(DBAPIError, match="append-only"):
                conn.execute(text("DELETE FROM audit_log"))
            conn.rollback()
        downgrade(revision="base")
        with engine.connect() as conn:
            tables = set(conn.dialect.get_table_names(conn)) - {"alembic_version"}
        engine.dispose()
        from scm.extensions import db
        db.engine.dispose()
    assert tables == set()
