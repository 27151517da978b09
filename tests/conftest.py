"""Fixtures: a fresh app and database per test (SQLite file copy, or truncated PostgreSQL)."""
from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Callable, Iterator

import pytest
from hypothesis import settings
from flask import Flask
from flask.testing import FlaskClient
from jinja2 import BytecodeCache
from jinja2.bccache import Bucket
from sqlalchemy import create_engine, text

from scm.app import create_app
from scm.extensions import db as _db
from scm.models import Base
from scm.models.items import standard_unit_rows
from tests import factories

# In CI every property-based test replays the same examples (a build must be reproducible); locally and
# under `make fuzz` they explore new ones.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

PG_URL = os.environ.get("SCM_TEST_DATABASE_URL", "")
ON_POSTGRES = bool(PG_URL)
BASE_OVERRIDES = {"TESTING": True, "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
                  "SECRET_KEY": "test-secret-key-that-is-long-enough-for-prod-checks"}


class TemplateBytecode(BytecodeCache):
    """Compiled templates shared by every test's app (each test builds a new app; Jinja would recompile)."""

    def __init__(self) -> None:
        self.store: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if bucket.key in self.store:
            bucket.bytecode_from_string(self.store[bucket.key])

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.store[bucket.key] = bucket.bytecode_to_string()


BYTECODE = TemplateBytecode()


class IsolatedClient(FlaskClient):
    """Every request in its own app context (own `g`, own db session), as in production.

    The `app` fixture keeps an app context pushed for the whole test, and Flask would reuse it for
    test-client requests: Flask-Login's cached user and the db session would then leak from one
    request, and one client, to the next. The test's own session is committed first, so what the
    test created is visible and SQLite's write lock is free.
    """

    def open(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        _db.session.commit()
        with self.application.app_context():
            return super().open(*args, **kwargs)


def _prepare_postgres() -> None:
    engine = create_engine(PG_URL)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    Base.metadata.create_all(engine)
    engine.dispose()


@pytest.fixture(scope="session")
def database_template(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A schema built once per run: a SQLite file to copy, or the PostgreSQL test database."""
    if ON_POSTGRES:
        _prepare_postgres()
        return PG_URL
    path = tmp_path_factory.mktemp("template") / "template.db"
    app = create_app({**BASE_OVERRIDES, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    with app.app_context():
        _db.create_all()
        _db.engine.dispose()
    return str(path)


def _truncate_all() -> None:
    """Empty every table. DELETE with triggers off is ~50x faster than TRUNCATE on small tables;
    the append-only triggers would otherwise refuse it (they are what production must keep)."""
    with _db.engine.begin() as conn:
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())
        # Reference data a fresh schema starts with (create_all seeds it; see scm.models.items).
        conn.execute(Base.metadata.tables["units_of_measure"].insert(), standard_unit_rows())


@pytest.fixture
def database_url(database_template: str, tmp_path: Path) -> str:
    if ON_POSTGRES:
        return database_template
    target = tmp_path / "scm.db"
    shutil.copyfile(database_template, target)
    return f"sqlite:///{target}"


@pytest.fixture
def make_app(database_url: str) -> Iterator[Callable[..., Flask]]:
    """Build an app on the test database with extra config overrides."""
    apps: list[Flask] = []

    def build(**overrides: object) -> Flask:
        app = create_app({**BASE_OVERRIDES, "SQLALCHEMY_DATABASE_URI": database_url, **overrides})
        app.test_client_class = IsolatedClient
        app.jinja_env.bytecode_cache = BYTECODE
        apps.append(app)
        return app

    yield build
    for app in apps:
        with app.app_context():
            _db.session.remove()
            if ON_POSTGRES and app is apps[0]:
                _truncate_all()
            _db.engine.dispose()


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Iterator[Flask]:
    application = make_app()
    with application.app_context():
        yield application


@pytest.fixture
def db(app: Flask):  # type: ignore[no-untyped-def]
    return _db


@pytest.fixture
def session(db):  # type: ignore[no-untyped-def]
    return db.session


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def login_as(client: FlaskClient, session):  # type: ignore[no-untyped-def]
    """login_as('buyer') -> the logged-in User (created on the fly)."""

    def _login(role: str, **fields: object):  # type: ignore[no-untyped-def]
        user = factories.user(session, role, **fields)
        return factories.login(client, session, user)

    return _login
