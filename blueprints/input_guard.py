"""Hostile input stops at the door with a 404 or a 422 that says what was wrong, never a 500.

Three kinds of value are valid HTTP yet break a query further down: whole numbers beyond what an
id column holds (every id is an INTEGER: PostgreSQL refuses 2³¹ in a comparison with one, SQLite's
driver overflows at 2⁶³), the NUL character
(PostgreSQL refuses it in every text column) and JSON nested thousands of levels deep. Rather than
trusting every view to remember, the app installs these once (`install(app)` in the factory):

- the `int` URL converter stops at 2³¹ − 1, so a larger id simply matches no route: 404;
- `request.args.get(name, type=int)` refuses a number outside that range with a 422 naming it;
- any path part, query or form field holding NUL is a 422 naming the field;
- JSON bodies go through `scm.services.kernel.json_input.loads` (depth and NUL limits): a 422 naming `body`
  or the offending field.
"""
from __future__ import annotations

from typing import Any, Callable

from flask import Flask, Request, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import UnprocessableEntity
from werkzeug.routing import IntegerConverter

from scm.services.kernel import json_input
from scm.services.kernel.errors import ValidationFailed

#: The largest whole number an INTEGER column holds: every id, and every count a query string carries.
MAX_INT = 2**31 - 1
#: The deepest page a list serves (a page of 1,000,000 × 200 rows is still a sane OFFSET).
MAX_PAGE = 1_000_000


class BadInput(UnprocessableEntity):
    """A 422 that names the field; the API error handler adds `field_errors` from it."""

    def __init__(self, field_errors: dict[str, list[str]]) -> None:
        self.field_errors = field_errors
        super().__init__("; ".join(f"{field}: {message}" for field, messages in field_errors.items()
                                   for message in messages))


class BoundedIntConverter(IntegerConverter):
    """`<int:id>` that never matches a number an id column cannot hold."""

    def __init__(self, url_map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_INT)
        super().__init__(url_map, *args, **kwargs)


class BoundedArgs(ImmutableMultiDict):
    """Query and form values; `get(..., type=int)` refuses numbers an INTEGER column cannot hold."""

    def get(self, key: Any, default: Any = None, type: Callable | None = None) -> Any:  # noqa: A002
        value = super().get(key, default, type)
        if type is int and isinstance(value, int) and not -MAX_INT <= value <= MAX_INT:
            raise BadInput({str(key): [f"must be a whole number of at most {MAX_INT}"]})
        return value


class GuardedRequest(Request):
    parameter_storage_class = BoundedArgs


class GuardedJSONProvider(DefaultJSONProvider):
    """Flask's JSON, with incoming documents parsed under the depth and NUL limits."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            return json_input.loads(s)
        except ValidationFailed as error:
            # An HTTPException, not a ValueError: `get_json(silent=True)` must not swallow it.
            raise BadInput(error.field_errors) from None


def page_number(value: int) -> int:
    """A requested page number, at least 1; a 422 beyond MAX_PAGE."""
    if value > MAX_PAGE:
        raise BadInput({"page": [f"must be at most {MAX_PAGE:,}"]})
    return max(1, value)


def refuse_nul() -> None:
    """Before every request: no path part, query or form field may hold the NUL character."""
    for key, value in (request.view_args or {}).items():
        if isinstance(value, str) and "\x00" in value:
            raise BadInput({key: ["must not contain the NUL character (\\0)"]})
    for source in (request.args, request.form if request.method != "GET" else None):
        for key, values in (source.lists() if source is not None else ()):
            if "\x00" in key or any("\x00" in value for value in values):
                raise BadInput({key.replace("\x00", "\\0"): ["must not contain the NUL character (\\0)"]})


def install(app: Flask) -> None:
    """Wire the guards into the app; call before any blueprint registers its routes."""
    app.url_map.converters["int"] = BoundedIntConverter
    app.request_class = GuardedRequest
    app.json = GuardedJSONProvider(app)
    app.before_request(refuse_nul)
