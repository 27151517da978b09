"""One Config class: every setting comes from the environment (SCM_* variables, DATABASE_URL, SECRET_KEY)."""
from __future__ import annotations

import os
from pathlib import Path

DEFAULT_SECRET_KEY = "dev-only-not-secret"
ROOT = Path(__file__).resolve().parent.parent
INSTANCE = ROOT / "instance"


def _bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    return default if raw is None else raw.strip().lower() in {"1", "true", "yes", "on"}


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if not url:
        return f"sqlite:///{INSTANCE / 'scm.db'}"
    # Heroku-style URLs name the old driver; we ship psycopg 3.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


class Config:
    """Settings read once at app creation. Override in tests with `create_app({...})`."""

    def __init__(self) -> None:
        self.SCM_ENV = os.environ.get("SCM_ENV", "development")
        self.SECRET_KEY = os.environ.get("SECRET_KEY", DEFAULT_SECRET_KEY)
        self.SQLALCHEMY_DATABASE_URI = _database_url()
        self.SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
        self.WTF_CSRF_ENABLED = True
        self.WTF_CSRF_TIME_LIMIT = None  # tie CSRF to the session, not the clock: long counts on a phone
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_SECURE = _bool("SCM_SECURE_COOKIES", self.SCM_ENV == "production")
        self.REMEMBER_COOKIE_DURATION = 0
        self.MAX_CONTENT_LENGTH = int(os.environ.get("SCM_MAX_UPLOAD_BYTES", 25 * 1024 * 1024))
        self.RATELIMIT_STORAGE_URI = os.environ.get("SCM_RATELIMIT_STORAGE_URI", "memory://")
        self.RATELIMIT_ENABLED = _bool("SCM_RATELIMIT_ENABLED", True)
        self.SCM_LOGIN_RATE_LIMIT = os.environ.get("SCM_LOGIN_RATE_LIMIT", "10 per minute")
        self.SCM_PAGE_SIZE = 50
        # Behind N reverse proxies, trust N X-Forwarded-For/Proto hops (rate limits key on the client).
        self.SCM_PROXY_COUNT = int(os.environ.get("SCM_PROXY_COUNT", "0"))
        # Outgoing mail (purchase orders to suppliers, stock warnings to buyers). Backend "smtp" when
        # SCM_SMTP_HOST is set, else "file" (.eml files in SCM_MAIL_DIR and a log line: no SMTP error on a
        # demo); "outbox" keeps them in memory (the default when TESTING). SCM_MAIL_BACKEND forces one.
        self.SCM_MAIL_BACKEND = os.environ.get("SCM_MAIL_BACKEND", "")
        self.SCM_MAIL_DIR = os.environ.get("SCM_MAIL_DIR", str(INSTANCE / "outbox"))
        self.SCM_SMTP_HOST = os.environ.get("SCM_SMTP_HOST", "")
        self.SCM_SMTP_PORT = int(os.environ.get("SCM_SMTP_PORT", "25"))
        self.SCM_SMTP_USER = os.environ.get("SCM_SMTP_USER", "")
        self.SCM_SMTP_PASSWORD = os.environ.get("SCM_SMTP_PASSWORD", "")
        self.SCM_MAIL_FROM = os.environ.get("SCM_MAIL_FROM", "scm@localhost")
        # How numbers read on pages, e-mails and PDFs (a Babel locale such as en_US, de_DE, fr_FR).
        self.SCM_LOCALE = os.environ.get("SCM_LOCALE", "en_US")
        # The currency item costs, stock values and approval limits are kept in.
        self.SCM_BASE_CURRENCY = os.environ.get("SCM_BASE_CURRENCY", "USD").strip().upper()
        # A count line is a large variance (confirmed a second time) from this share of on hand, in
        # percent, or from this value of the difference at unit cost, in base currency.
        self.SCM_COUNT_VARIANCE_SHARE = os.environ.get("SCM_COUNT_VARIANCE_SHARE", "50")
        self.SCM_COUNT_VARIANCE_VALUE = os.environ.get("SCM_COUNT_VARIANCE_VALUE", "1000")

    @property
    def is_production(self) -> bool:
        return self.SCM_ENV == "production"
