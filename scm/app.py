"""Application factory: wiring only. Business rules live in scm.services."""
from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

from scm.config import DEFAULT_SECRET_KEY, INSTANCE, ROOT, Config
from scm.extensions import csrf, db, limiter, login_manager, migrate

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
       "form-action 'self'; frame-ancestors 'none'")


class InsecureConfiguration(RuntimeError):
    """Raised at start-up when production would run with a known secret."""


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Build the Flask app. `overrides` replace Config values (tests, benchmarks)."""
    app = Flask(__name__, template_folder=str(ROOT / "templates"), static_folder="static",
                instance_path=str(INSTANCE))
    config = Config()
    app.config.from_object(config)
    app.config["IS_PRODUCTION"] = config.is_production
    app.config.update(overrides or {})
    _refuse_insecure(app)
    _check_settings(app)
    if app.config["SCM_PROXY_COUNT"]:
        hops = app.config["SCM_PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    INSTANCE.mkdir(exist_ok=True)
    register_extensions(app)
    register_security_headers(app)
    from blueprints import register_blueprints  # only the factory knows about blueprints
    register_blueprints(app)
    from scm.cli import register_cli
    register_cli(app)
    return app


def _refuse_insecure(app: Flask) -> None:
    if app.config.get("IS_PRODUCTION") and app.config["SECRET_KEY"] in (DEFAULT_SECRET_KEY, "", None):
        raise InsecureConfiguration("SCM_ENV=production needs a SECRET_KEY of your own (see README)")
    if app.config.get("IS_PRODUCTION") and len(app.config["SECRET_KEY"]) < 32:
        raise InsecureConfiguration("SECRET_KEY must be at least 32 characters in production")


def _check_settings(app: Flask) -> None:
    """Settings read per request are parsed once here, so a typo stops the start, not a count."""
    from scm.services.stock.counts import VarianceLimits
    VarianceLimits.from_config(app.config)  # raises ValueError naming the variable


def register_extensions(app: Flask) -> None:
    import scm.models  # noqa: F401  (registers every table on the metadata)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please log in to see that page."
    login_manager.session_protection = None  # our server-side sessions already end at logout
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            _configure_sqlite(db.engine)


def _configure_sqlite(engine: Engine) -> None:
    """WAL, full sync, foreign keys and IMMEDIATE transactions: SQLite must not oversell either."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves below
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # IMMEDIATE takes the write lock at BEGIN, so a read-then-write never sees stale stock.
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def register_security_headers(app: Flask) -> None:
    @app.after_request
    def _headers(response: Any) -> Any:
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        return response
