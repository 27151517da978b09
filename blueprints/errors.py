"""HTML error pages (the API blueprint answers JSON itself)."""
from __future__ import annotations

from typing import Any

from flask import Flask, jsonify, render_template, request
from sqlalchemy.exc import DataError
from werkzeug.exceptions import UnprocessableEntity

from scm.extensions import db
from scm.services.kernel.errors import DomainError

MESSAGES = {400: "The request could not be understood.", 403: "You do not have access to this page.",
            404: "There is nothing here.", 405: "That method is not allowed here.",
            413: "The file is too large.", 422: "The request could not be processed.",
            429: "Too many attempts. Wait a little and try again.", 500: "Something went wrong on our side."}


def register_error_handlers(app: Flask) -> None:
    def handler(code: int) -> Any:
        def render(error: Exception) -> Any:
            db.session.rollback()
            message = getattr(error, "description", None) if code in (400, 413, 422) else None
            if request.path.startswith("/api/"):
                names = {401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
                         422: "validation_failed",
                         413: "too_large", 429: "rate_limited", 500: "server_error"}
                extra = {"field_errors": error.field_errors} if hasattr(error, "field_errors") else {}
                return jsonify(error=names.get(code, "bad_request"), message=message or MESSAGES[code],
                               **extra), code
            return render_template("errors/error.html", code=code,
                                   message=message or MESSAGES[code]), code
        return render

    for code in MESSAGES:
        app.register_error_handler(code, handler(code))

    @app.errorhandler(DataError)
    def out_of_range(error: DataError) -> Any:
        """The last line of defence: a value the database cannot store (an id beyond an INTEGER, a text
        longer than its column) that no validation caught is the client's mistake, a 422, not a 500."""
        reason = str(getattr(error, "orig", "") or "").splitlines()[0] if getattr(error, "orig", None) else ""
        return handler(422)(UnprocessableEntity(
            "a value does not fit the field it is for (a number too large or a text too long)"
            + (f": {reason}" if reason else "")))

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError) -> Any:
        """A business refusal no view caught (the API blueprint has its own JSON handler): its message
        and status, never a 500."""
        db.session.rollback()
        return render_template("errors/error.html", code=error.http_status, message=error.message), \
            error.http_status
