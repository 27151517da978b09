"""People, their roles, login sessions and API tokens."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scm.models.base import Base, Money, UTCDateTime, utcnow

ROLES = ("admin", "buyer", "warehouse", "supplier", "viewer")
STAFF_ROLES = ("admin", "buyer", "warehouse", "viewer")


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role IN ('admin','buyer','warehouse','supplier','viewer')", name="role"),
        # A supplier user always belongs to exactly one supplier; staff never do.
        CheckConstraint(
            "(role = 'supplier' AND supplier_id IS NOT NULL) OR (role <> 'supplier' AND supplier_id IS NULL)",
            name="supplier_link",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    supplier_id: Mapped[int | None] = mapped_column(ForeignKey("suppliers.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    approval_limit: Mapped[Decimal] = mapped_column(Money(), default=Decimal("0"))
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    supplier = relationship("Supplier", lazy="joined")

    # Flask-Login protocol. get_id returns the server-side session token, not the user id, so that
    # the cookie names one revocable session (see UserSession).
    session_token = None  # set by the login loader; not a column
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str | None:
        return self.session_token

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


class UserSession(Base):
    """A server-side login session; the cookie holds only a random token whose hash is stored here.

    Ending a session (logout, password change, deactivation) sets `revoked_at`, so a cookie captured
    before the logout is refused after it.
    """

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    user_agent: Mapped[str] = mapped_column(String(200), default="")

    user: Mapped[User] = relationship(lazy="joined")


class ApiToken(Base):
    """A per-user API token, stored as a SHA-256 hash; the clear token is shown once at creation."""

    __tablename__ = "api_tokens"
    __table_args__ = (Index("ix_api_tokens_user_active", "user_id", "revoked_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    name: Mapped[str] = mapped_column(String(80))
    prefix: Mapped[str] = mapped_column(String(12))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(lazy="joined")
