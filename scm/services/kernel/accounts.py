"""People: passwords (Argon2id), per-account login back-off, server-side sessions and API tokens."""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from decimal import Decimal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from scm.models import ApiToken, Supplier, User, UserSession
from scm.models.users import ROLES
from scm.services.kernel import audit
from scm.services.kernel.actors import Actor
from scm.services.kernel.errors import Conflict, DomainError, NotFound, ValidationFailed

_hasher = PasswordHasher()  # argon2-cffi's defaults are Argon2id with RFC 9106 low-memory parameters
MIN_PASSWORD_LENGTH = 10
FREE_ATTEMPTS = 5
MAX_LOCK = timedelta(minutes=15)
TOKEN_TOUCH_INTERVAL = timedelta(minutes=1)
USER_FIELDS = ("email", "name", "role", "supplier_id", "active", "approval_limit")


class LoginRefused(DomainError):
    code = "login_refused"
    http_status = 401


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _sha256(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def check_password_policy(password: str) -> None:
    """At least 10 characters, not all the same character (long passphrases beat symbol rules)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed({"password": [f"use at least {MIN_PASSWORD_LENGTH} characters"]})
    if len(set(password)) < 4:
        raise ValidationFailed({"password": ["use a less repetitive password"]})


def _clean_user_fields(session: Session, data: dict, user: User | None) -> dict:
    errors: dict[str, list[str]] = {}
    email = str(data.get("email", user.email if user else "")).strip().lower()
    if "@" not in email or len(email) > 254 or " " in email:
        errors["email"] = ["enter a valid email address"]
    elif session.scalar(select(User.id).where(User.email == email, User.id != (user.id if user else -1))):
        errors["email"] = [f"{email} is already used by another account"]
    name = str(data.get("name", user.name if user else "")).strip()
    if not name:
        errors["name"] = ["required"]
    role = data.get("role", user.role if user else "")
    if role not in ROLES:
        errors["role"] = [f"must be one of: {', '.join(ROLES)}"]
    supplier_id = data.get("supplier_id", user.supplier_id if user else None) or None
    if role == "supplier" and not (supplier_id and session.get(Supplier, supplier_id)):
        errors["supplier_id"] = ["a supplier user must be linked to a supplier"]
    if role != "supplier":
        supplier_id = None
    limit = data.get("approval_limit", user.approval_limit if user else Decimal("0"))
    try:
        limit = Decimal(str(limit or 0))
        if limit < 0:
            raise ValueError
    except Exception:
        errors["approval_limit"] = ["must be a number ≥ 0"]
    if errors:
        raise ValidationFailed(errors)
    return {"email": email, "name": name[:120], "role": role, "supplier_id": supplier_id,
            "active": bool(data.get("active", user.active if user else True)), "approval_limit": limit}


def create_user(session: Session, data: dict, *, password: str, actor: Actor) -> User:
    """Create an account. Supplier users must name their supplier; staff never do."""
    fields = _clean_user_fields(session, data, None)
    check_password_policy(password)
    user = User(password_hash=hash_password(password), **fields)
    session.add(user)
    session.flush()
    audit.record(session, actor, "user.create", "user", user.id, after=audit.snapshot(user, USER_FIELDS))
    return user


def update_user(session: Session, user: User, data: dict, *, actor: Actor, now: datetime) -> User:
    """Change role, link, limit or active flag; deactivating ends every session of the account."""
    before = audit.snapshot(user, USER_FIELDS)
    for key, value in _clean_user_fields(session, data, user).items():
        setattr(user, key, value)
    if user.id == actor.user_id and (user.role != "admin" or not user.active):
        raise ValidationFailed({"role": ["you cannot remove your own admin access"]})
    if not user.active or before["role"] != user.role:
        end_all_sessions(session, user, now)
    session.flush()
    old, new = audit.changed_fields(before, audit.snapshot(user, USER_FIELDS))
    if new:
        audit.record(session, actor, "user.update", "user", user.id, before=old, after=new)
    return user


def set_password(session: Session, user: User, new_password: str, *, actor: Actor, now: datetime) -> None:
    """Set a new password and end every session of the account (old cookies stop working)."""
    check_password_policy(new_password)
    user.password_hash = hash_password(new_password)
    user.password_changed_at = now
    user.failed_logins = 0
    user.locked_until = None
    end_all_sessions(session, user, now)
    audit.record(session, actor, "user.password", "user", user.id, after={"password": "changed"})


def change_own_password(session: Session, user: User, current: str, new_password: str, *,
                        actor: Actor, now: datetime) -> None:
    if not _verify(user, current):
        raise ValidationFailed({"current_password": ["the current password is not right"]})
    try:
        check_password_policy(new_password)
    except ValidationFailed as weak:
        raise ValidationFailed({"new_password": weak.field_errors["password"]}) from None
    set_password(session, user, new_password, actor=actor, now=now)


def _verify(user: User, password: str) -> bool:
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def authenticate(session: Session, email: str, password: str, *, now: datetime) -> User:
    """Check a login. After 5 failures the account backs off exponentially (30 s doubling, 15 min max).

    The failure count is flushed even though the login fails: the caller commits it.
    """
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        _hasher.hash(password)  # spend the same time as a real check, so emails cannot be probed
        raise LoginRefused("wrong email or password")
    if user.locked_until and user.locked_until > now:
        wait = int((user.locked_until - now).total_seconds()) + 1
        raise LoginRefused(f"too many failed attempts; try again in {wait} seconds", retry_after=wait)
    if not _verify(user, password) or not user.active:
        user.failed_logins += 1
        if user.failed_logins >= FREE_ATTEMPTS:
            delay = timedelta(seconds=30 * 2 ** (user.failed_logins - FREE_ATTEMPTS))
            user.locked_until = now + min(delay, MAX_LOCK)
        session.flush()
        raise LoginRefused("wrong email or password")
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.failed_logins, user.locked_until, user.last_login_at = 0, None, now
    return user


def start_session(session: Session, user: User, *, user_agent: str = "") -> str:
    """Open a login session and return the clear token for the cookie (only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    session.add(UserSession(user_id=user.id, token_hash=_sha256(token), user_agent=user_agent[:200]))
    session.flush()
    return token


def load_session_user(session: Session, token: str) -> User | None:
    """The active user of a live session token, or None (revoked, unknown, deactivated)."""
    row = session.scalar(select(UserSession).where(UserSession.token_hash == _sha256(token),
                                                   UserSession.revoked_at.is_(None)))
    return row.user if row and row.user.active else None


def end_session(session: Session, token: str, *, now: datetime) -> None:
    session.execute(update(UserSession).where(UserSession.token_hash == _sha256(token))
                    .values(revoked_at=now).execution_options(synchronize_session=False))


def end_all_sessions(session: Session, user: User, now: datetime) -> None:
    session.execute(update(UserSession).where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
                    .values(revoked_at=now).execution_options(synchronize_session=False))


def create_api_token(session: Session, user: User, name: str, *, actor: Actor) -> tuple[ApiToken, str]:
    """Issue an API token for `user`; the clear value is returned once and never stored."""
    name = name.strip()
    if not name:
        raise ValidationFailed({"name": ["give the token a name, e.g. the system that will use it"]})
    clear = "scm_" + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name[:80], prefix=clear[:12], token_hash=_sha256(clear))
    session.add(token)
    session.flush()
    audit.record(session, actor, "token.create", "api_token", token.id, after={"name": token.name,
                                                                                "user": user.email})
    return token, clear


def revoke_api_token(session: Session, token_id: int, *, owner: User, actor: Actor, now: datetime) -> None:
    """Revoke one of `owner`'s tokens (admins may revoke anyone's)."""
    token = session.get(ApiToken, token_id)
    if token is None or (token.user_id != owner.id and owner.role != "admin"):
        raise NotFound("no such token")
    if token.revoked_at:
        raise Conflict("the token is already revoked")
    token.revoked_at = now
    audit.record(session, actor, "token.revoke", "api_token", token.id, after={"name": token.name})


def authenticate_token(session: Session, clear: str, *, now: datetime) -> User | None:
    """The active user behind a bearer token, or None. Touches last_used_at at most once a minute."""
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == _sha256(clear),
                                                  ApiToken.revoked_at.is_(None)))
    if token is None or not token.user.active:
        return None
    if token.last_used_at is None or now - token.last_used_at > TOKEN_TOUCH_INTERVAL:
        token.last_used_at = now
    return token.user


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"user {user_id} does not exist")
    return user
