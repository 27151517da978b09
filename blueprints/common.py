"""Shared view helpers: role checks, the current actor, pagination, domain errors to form errors."""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import wraps
from typing import Any, Callable, Sequence, TypeVar

from flask import abort, flash, request
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import Select, func, select

from blueprints.input_guard import page_number
from scm.extensions import db, login_manager
from scm.services.kernel.actors import Actor
from scm.services.kernel.errors import DomainError, ValidationFailed
from scm.services.kernel.transaction import run_in_transaction

F = TypeVar("F", bound=Callable[..., Any])
STAFF = ("admin", "buyer", "warehouse", "viewer")
STOCK_WRITERS = ("admin", "warehouse")
CATALOG_WRITERS = ("admin", "buyer")
ADMIN = ("admin",)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def roles_required(*roles: str) -> Callable[[F], F]:
    """Log in first, then only these roles; anyone else gets 403."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        wrapped.allowed_roles = roles  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorator


def web_actor() -> Actor:
    return Actor.for_user(current_user, "web")


def commit(work: Callable[[], Any]) -> Any:
    """One user action, one transaction: run the service call and commit (retrying deadlocks)."""
    return run_in_transaction(db.session, work)


def show_domain_error(error: DomainError, form: FlaskForm | None = None) -> None:
    """Attach a domain error to the form's fields when it names them, else flash it."""
    if isinstance(error, ValidationFailed) and form is not None:
        placed = False
        for field_name, messages in error.field_errors.items():
            field = getattr(form, field_name, None)
            if field is not None and hasattr(field, "errors"):
                field.errors = list(field.errors) + list(messages)
                placed = True
        if placed:
            return
    flash(error.message, "error")


@dataclass
class Page:
    rows: Sequence[Any]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def paginate(stmt: Select, *, scalars: bool = False, per_page: int = 50, count: Select | None = None) -> Page:
    """One page of `stmt` and the total count: two queries, whatever the page size.

    `count` is a cheaper statement giving the same number, when the list's joins don't change it.
    """
    page = page_number(request.args.get("page", 1, type=int) or 1)
    per_page = min(200, max(1, request.args.get("per_page", per_page, type=int) or per_page))
    count = count if count is not None else select(func.count()).select_from(stmt.order_by(None).subquery())
    total = db.session.scalar(count) or 0
    result = db.session.execute(stmt.limit(per_page).offset((page - 1) * per_page))
    rows = list(result.scalars() if scalars else result)
    return Page(rows=rows, page=page, per_page=per_page, total=total)


def sort_args(default: str) -> tuple[str, bool]:
    """The ?sort= column and direction (a leading '-' means descending)."""
    raw = request.args.get("sort", default) or default
    return raw.lstrip("-"), raw.startswith("-")
