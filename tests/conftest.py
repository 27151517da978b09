"""Fixtures: a fresh app and database per test (SQLite file copy, or truncated PostgreSQL)."""
from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from scm.app import create_app
from scm.extensions import db as _db
from scm.models import Base
from tests import factories

PG_URL = os.environ.get("SCM_TEST_DATABASE_URL", "")
ON_POSTGRES = bool(PG_URL)
BASE_OVERRIDES = {"TESTING": True, "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
                  "SECRET_KEY": "test-secret-key-that-is-long-enough-for-prod-checks"}


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
    tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
    with _db.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


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
