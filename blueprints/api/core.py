"""API plumbing: token authentication, role checks, JSON bodies and JSON errors."""
from __future__ import annotations

from datetime import date
from functools import wraps
from typing import Any, Callable

from flask import g, jsonify, request
from werkzeug.exceptions import HTTPException

from blueprints.input_guard import BadInput, page_number
from scm.extensions import db
from scm.models import utcnow
from scm.services.kernel import accounts
from scm.services.kernel.actors import Actor
from scm.services.kernel.errors import DomainError, ValidationFailed

# The carrier webhook authenticates by its HMAC signature instead (blueprints/api/logistics.py).
PUBLIC_ENDPOINTS = {"api.openapi", "api.logistics_webhook"}


def authenticate() -> Any:
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    user = None
    if scheme.lower() == "bearer" and token.strip():
        user = accounts.authenticate_token(db.session, token.strip(), now=utcnow())
    if user is None:
        db.session.rollback()
        response = jsonify(error="unauthorized", message="send a valid API token: Authorization: Bearer <token>")
        response.headers["WWW-Authenticate"] = 'Bearer realm="scm"'
        return response, 401
    if db.session.dirty:
        db.session.commit()  # last_used_at, at most once a minute
    g.api_user = user
    return None


def api_roles(*roles: str) -> Callable:
    """Only tokens of these roles; others get a JSON 403."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if g.api_user.role not in roles:
                return jsonify(error="forbidden", message=f"the {g.api_user.role} role cannot do this"), 403
            return view(*args, **kwargs)

        wrapped.allowed_roles = roles  # type: ignore[attr-defined]
        return wrapped

    return decorator


def api_actor() -> Actor:
    return Actor.for_user(g.api_user, "api")


def json_body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ValidationFailed({"body": ["send a JSON object with Content-Type: application/json"]})
    return body


def domain_error(error: DomainError) -> Any:
    db.session.rollback()
    return jsonify(error.to_dict()), error.http_status


def http_error(error: HTTPException) -> Any:
    db.session.rollback()
    name = (error.name or "error").lower().replace(" ", "_")
    extra = {"field_errors": error.field_errors} if isinstance(error, BadInput) else {}
    return jsonify(error=name, message=error.description, **extra), error.code


def optional_date(value: Any, key: str) -> date | None:
    """A JSON field holding YYYY-MM-DD, or blank/absent for None; a 422 naming `key` otherwise."""
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValidationFailed({key: ["a date (YYYY-MM-DD)"]}) from None


def page_args(default: int = 50, maximum: int = 500) -> tuple[int, int]:
    try:
        page = page_number(int(request.args.get("page", 1)))
        per_page = min(maximum, max(1, int(request.args.get("per_page", default))))
    except ValueError:
        raise ValidationFailed({"page": ["page and per_page must be whole numbers"]}) from None
    return page, per_page
