"""Who may call what: every rule in app.url_map has a row in POLICY, and every row is enforced.

A new route without a row here fails `test_every_route_has_a_policy_row`: decide who may use it, then
add the row. Allowed roles must get through (no 401/403, no bounce to /login, no 404/405 from a wrong
sample); everyone else gets 403 when logged in, a redirect to /login when anonymous on HTML, and a
JSON 401 when anonymous on the API. HTML routes are called with a logged-in session of the role, API
routes with a bearer token of the role.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Callable
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from scm.models import Item, StockMove, User, Warehouse
from scm.services import importers
from scm.services.kernel import accounts
from scm.services.stock import ledger as stock_ledger
from scm.services.kernel.actors import Actor
from tests import factories as f

ANON = "anonymous"
ROLES = (ANON, "admin", "buyer", "warehouse", "viewer", "supplier")
EVERYONE = frozenset(ROLES)
LOGGED_IN = EVERYONE - {ANON}
STAFF = frozenset({"admin", "buyer", "warehouse", "viewer"})
CATALOG_WRITERS = frozenset({"admin", "buyer"})
STOCK_WRITERS = frozenset({"admin", "warehouse"})
ADMIN = frozenset({"admin"})
SUPPLIER = frozenset({"supplier"})
IGNORED_METHODS = {"HEAD", "OPTIONS"}
UNCHECKED_ENDPOINTS = {"static"}




class Samples:
    """Objects the URLs point at, created on first use only (most rows need one or none).

    `me` is the acting user (None when anonymous), for rows whose object must be the caller's own
    (e.g. an import batch only its creator may apply).
    """

    def __init__(self, session, me: User | None = None) -> None:  # type: ignore[no-untyped-def]
        self.session = session
        self.me = me
        self._made: dict[str, int] = {}

    def _once(self, name: str, make: Callable[[], int]) -> int:
        if name not in self._made:
            self._made[name] = make()
        return self._made[name]

    @property
    def item_id(self) -> int:
        return self._once("item", lambda: f.item(self.session, "MATRIX-1").id)

    @property
    def warehouse_id(self) -> int:
        return self._once("warehouse", lambda: f.warehouse(self.session, "WH-MATRIX").id)

    @property
    def other_warehouse_id(self) -> int:
        return self._once("other_warehouse", lambda: f.warehouse(self.session, "WH-OTHER").id)

    def _stocked(self) -> None:
        def make() -> int:
            move = stock_ledger.receive(self.session, item_id=self.item_id, warehouse_id=self.warehouse_id,
                                        qty=Decimal(10), actor=f.actor())
            return move.id
        self._once("move", make)

    @property
    def move_id(self) -> int:
        self._stocked()
        return self._made["move"]

    @property
    def reservation_id(self) -> int:
        self._stocked()
        return self._once("reservation", lambda: stock_ledger.reserve(
            self.session, item_id=self.item_id, warehouse_id=self.warehouse_id, qty=Decimal(2),
            reference="SO-MATRIX", actor=f.actor()).id)

    @property
    def transfer_id(self) -> int:
        self._stocked()
        return self._once("transfer", lambda: stock_ledger.post_transfer(
            self.session, from_warehouse_id=self.warehouse_id, to_warehouse_id=self.other_warehouse_id,
            lines=[(self.item_id, Decimal(1))], actor=f.actor()).id)

    @property
    def count_id(self) -> int:
        self._stocked()
        return self._once("count", lambda: stock_ledger.post_count(
            self.session, warehouse_id=self.warehouse_id, counts=[(self.item_id, Decimal(12))],
            actor=f.actor()).id)

    @property
    def user_id(self) -> int:
        return self._once("user", lambda: f.user(self.session, "buyer").id)

    @property
    def import_batch_id(self) -> int:
        """An items import previewed by the acting user (only its creator may apply it or see its errors)."""
        def make() -> int:
            owner = self.me or f.user(self.session, "admin")
            f.item(self.session, "MATRIX-IMPORT")
            data = importers.export(self.session, "items")
            return importers.preview(self.session, "items", data, "matrix.xlsx",
                                     actor=Actor.for_user(owner, "web"))[0].id
        return self._once("import_batch", make)

    @property
    def forecast_key(self) -> tuple[int, int]:
        self._once("forecast", lambda: f.forecast(self.session, self.session.get(Item, self.item_id),
                                                  self.session.get(Warehouse, self.warehouse_id)).id)
        return self.item_id, self.warehouse_id

    @property
    def token_id(self) -> int:
        return self._once("token", lambda: accounts.create_api_token(
            self.session, self.session.get(User, self.user_id), "matrix", actor=f.actor())[0].id)


def _logout_done(response) -> bool:  # type: ignore[no-untyped-def]
    """Logout legitimately ends on /login, but without the ?next= of a refused page."""
    location = urlsplit(response.headers.get("Location", ""))
    return response.status_code == 302 and location.path == "/login" and "next" not in parse_qs(location.query)


@dataclass(frozen=True)
class Rule:
    url: Callable[[Samples], str]
    allowed: frozenset[str]
    methods: tuple[str, ...] = ("GET",)
    ok: Callable[[Any], bool] | None = None  # a custom "got through" check
    missing: Callable[[Samples], str] | None = None  # the URL with an id that does not exist


def _u(path: str) -> Callable[[Samples], str]:
    return lambda _s: path


POLICY: dict[str, Rule] = {
    # -- auth
    "auth.login": Rule(_u("/login"), EVERYONE, ("GET", "POST")),
    "auth.logout": Rule(_u("/logout"), LOGGED_IN, ("POST",), ok=_logout_done),
    "auth.account": Rule(_u("/account"), LOGGED_IN, ("GET", "POST")),
    "auth.create_token": Rule(_u("/account/tokens"), LOGGED_IN, ("POST",)),
    "auth.revoke_token": Rule(lambda s: f"/account/tokens/{s.token_id}/revoke", LOGGED_IN, ("POST",)),
    # -- main
    "main.index": Rule(_u("/"), LOGGED_IN),
    "main.dashboard": Rule(_u("/dashboard"), STAFF),
    "main.healthz": Rule(_u("/healthz"), EVERYONE),
    # -- item master and warehouses
    "masterdata.items": Rule(_u("/items"), STAFF),
    "masterdata.item_detail": Rule(lambda s: f"/items/{s.item_id}", STAFF, missing=_u("/items/999999")),
    "masterdata.item_new": Rule(_u("/items/new"), CATALOG_WRITERS, ("GET", "POST")),
    "masterdata.item_edit": Rule(lambda s: f"/items/{s.item_id}/edit", CATALOG_WRITERS, ("GET", "POST"),
                                 missing=_u("/items/999999/edit")),
    "masterdata.warehouses": Rule(_u("/warehouses"), STAFF),
    "masterdata.warehouse_new": Rule(_u("/warehouses/new"), ADMIN, ("GET", "POST")),
    "masterdata.warehouse_edit": Rule(lambda s: f"/warehouses/{s.warehouse_id}/edit", ADMIN, ("GET", "POST"),
                                      missing=_u("/warehouses/999999/edit")),
    # -- stock
    "stock.balances": Rule(_u("/stock/"), STAFF),
    "stock.item_ledger": Rule(lambda s: f"/stock/items/{s.item_id}/ledger", STAFF,
                              missing=_u("/stock/items/999999/ledger")),
    "stock.receive": Rule(_u("/stock/receive"), STOCK_WRITERS, ("GET", "POST")),
    "stock.issue": Rule(_u("/stock/issue"), STOCK_WRITERS, ("GET", "POST")),
    "stock.adjust": Rule(_u("/stock/adjust"), STOCK_WRITERS, ("GET", "POST")),
    "stock.transfer": Rule(_u("/stock/transfer"), STOCK_WRITERS, ("GET", "POST")),
    "stock.count": Rule(_u("/stock/count"), STOCK_WRITERS, ("GET", "POST")),
    "stock.reverse": Rule(lambda s: f"/stock/moves/{s.move_id}/reverse", STOCK_WRITERS, ("POST",)),
    "stock.reservations": Rule(_u("/stock/reservations"), STAFF),
    "stock.reserve": Rule(_u("/stock/reservations"), STOCK_WRITERS, ("POST",)),
    "stock.release": Rule(lambda s: f"/stock/reservations/{s.reservation_id}/release", STOCK_WRITERS, ("POST",)),
    "stock.transfer_detail": Rule(lambda s: f"/stock/transfers/{s.transfer_id}", STAFF,
                                  missing=_u("/stock/transfers/999999")),
    "stock.count_detail": Rule(lambda s: f"/stock/counts/{s.count_id}", STAFF, missing=_u("/stock/counts/999999")),
    # -- spreadsheets
    "spreadsheets.index": Rule(_u("/spreadsheets/"), STAFF),
    "spreadsheets.template": Rule(_u("/spreadsheets/items/template.xlsx"), STAFF,
                                  missing=_u("/spreadsheets/nothing/template.xlsx")),
    "spreadsheets.export": Rule(_u("/spreadsheets/items/export.xlsx"), STAFF,
                                missing=_u("/spreadsheets/nothing/export.xlsx")),
    "spreadsheets.upload": Rule(_u("/spreadsheets/items/import"), CATALOG_WRITERS, ("GET", "POST"),
                                missing=_u("/spreadsheets/nothing/import")),
    "spreadsheets.apply": Rule(lambda s: f"/spreadsheets/imports/{s.import_batch_id}/apply", CATALOG_WRITERS,
                               ("POST",), missing=_u("/spreadsheets/imports/999999/apply")),
    "spreadsheets.errors": Rule(lambda s: f"/spreadsheets/imports/{s.import_batch_id}/errors.xlsx",
                                CATALOG_WRITERS, missing=_u("/spreadsheets/imports/999999/errors.xlsx")),
    # -- planning
    "planning.index": Rule(_u("/planning/"), STAFF),
    "planning.forecast": Rule(lambda s: "/planning/forecast/{}/{}".format(*s.forecast_key), STAFF,
                              missing=_u("/planning/forecast/999999/999999")),
    "planning.promotions": Rule(_u("/planning/promotions"), STAFF),
    "planning.promotion_create": Rule(_u("/planning/promotions"), CATALOG_WRITERS, ("POST",)),
    # -- admin
    "admin.users": Rule(_u("/admin/users"), ADMIN),
    "admin.user_new": Rule(_u("/admin/users/new"), ADMIN, ("GET", "POST")),
    "admin.user_edit": Rule(lambda s: f"/admin/users/{s.user_id}", ADMIN, ("GET", "POST"),
                            missing=_u("/admin/users/999999")),
    "admin.audit_log": Rule(_u("/admin/audit"), ADMIN),
    "admin.units": Rule(_u("/admin/units"), ADMIN),
    "admin.unit_create": Rule(_u("/admin/units"), ADMIN, ("POST",)),
    "admin.unit_edit": Rule(_u("/admin/units/ea/edit"), ADMIN, ("GET", "POST"), missing=_u("/admin/units/nope/edit")),
    # -- supplier portal
    "portal.home": Rule(_u("/portal/"), SUPPLIER),
    # -- API (bearer tokens)
    "api.openapi": Rule(_u("/api/v1/openapi.json"), EVERYONE),
    "api.list_items": Rule(_u("/api/v1/items"), STAFF),
    "api.get_item": Rule(lambda s: f"/api/v1/items/{s.item_id}", STAFF, missing=_u("/api/v1/items/999999")),
    "api.create_item": Rule(_u("/api/v1/items"), CATALOG_WRITERS, ("POST",)),
    "api.update_item": Rule(lambda s: f"/api/v1/items/{s.item_id}", CATALOG_WRITERS, ("PATCH",),
                            missing=_u("/api/v1/items/999999")),
    "api.list_warehouses": Rule(_u("/api/v1/warehouses"), STAFF),
    "api.get_warehouse": Rule(lambda s: f"/api/v1/warehouses/{s.warehouse_id}", STAFF,
                              missing=_u("/api/v1/warehouses/999999")),
    "api.create_warehouse": Rule(_u("/api/v1/warehouses"), ADMIN, ("POST",)),
    "api.update_warehouse": Rule(lambda s: f"/api/v1/warehouses/{s.warehouse_id}", ADMIN, ("PATCH",),
                                 missing=_u("/api/v1/warehouses/999999")),
    "api.list_units": Rule(_u("/api/v1/units"), STAFF),
    "api.create_unit": Rule(_u("/api/v1/units"), ADMIN, ("POST",)),
    "api.update_unit": Rule(_u("/api/v1/units/ea"), ADMIN, ("PATCH",), missing=_u("/api/v1/units/nope")),
    "api.balances": Rule(_u("/api/v1/stock/balances"), STAFF),
    "api.stock_value": Rule(_u("/api/v1/stock/value"), STAFF),
    "api.list_moves": Rule(_u("/api/v1/stock/moves"), STAFF),
    "api.post_demand": Rule(_u("/api/v1/demand"), CATALOG_WRITERS, ("POST",)),
    "api.get_forecast": Rule(lambda s: (s.forecast_key and "/api/v1/forecasts?sku=MATRIX-1&warehouse=WH-MATRIX"),
                             STAFF, missing=_u("/api/v1/forecasts?sku=NOPE&warehouse=WH-MATRIX")),
    "api.post_move": Rule(_u("/api/v1/stock/moves"), STOCK_WRITERS, ("POST",)),
}

from tests.web import policy_suppliers  # noqa: E402  (its rows use Rule and Samples from above)

POLICY.update(policy_suppliers.POLICY)
from tests.web.policy_portal import POLICY as _PORTAL; POLICY.update(_PORTAL)  # noqa: E402,E702
from tests.web.policy_purchasing import POLICY as _PURCHASING; POLICY.update(_PURCHASING)  # noqa: E402,E702
from tests.web.policy_purchasing_api import POLICY as _PURCHASING_API; POLICY.update(_PURCHASING_API)  # noqa: E402,E702
from tests.web.policy_logistics import POLICY as _LOGISTICS; POLICY.update(_LOGISTICS)  # noqa: E402,E702
from tests.web.policy_dashboard import POLICY as _DASHBOARD; POLICY.update(_DASHBOARD)  # noqa: E402,E702
from tests.web.policy_replenishment import POLICY as _REPLENISHMENT; POLICY.update(_REPLENISHMENT)  # noqa: E402,E702


def _is_api(endpoint: str) -> bool:
    return endpoint.startswith("api.")


def _call(client: FlaskClient, method: str, url: str, headers: dict[str, str], api: bool):  # type: ignore
    if method == "GET":
        return client.get(url, headers=headers)
    if api:
        return client.open(url, method=method, json={}, headers=headers)
    return client.open(url, method=method, data={}, headers=headers)


def _bounced_to_login(response) -> bool:  # type: ignore[no-untyped-def]
    return response.status_code in (301, 302, 303, 307, 308) and \
        urlsplit(response.headers.get("Location", "")).path == "/login"


@pytest.fixture
def as_role(client, session, login_as):  # type: ignore[no-untyped-def]
    """as_role(role, api) -> (user or None, request headers).

    Logs the client in for HTML routes, or makes a bearer token of the role for API routes.
    """

    def setup(role: str, api: bool) -> tuple[User | None, dict[str, str]]:
        if role == ANON:
            return None, {}
        if api:
            user = f.user(session, role)
            return user, {"Authorization": f"Bearer {f.api_token(session, user)}"}
        return login_as(role), {}

    return setup


CASES = [pytest.param(endpoint, role, id=f"{endpoint}-{role}") for endpoint in POLICY for role in ROLES]


@pytest.mark.parametrize("endpoint, role", CASES)
def test_access(client, session, as_role, endpoint, role):
    rule = POLICY[endpoint]
    api = _is_api(endpoint)
    me, headers = as_role(role, api)
    url = rule.url(Samples(session, me))
    for method in rule.methods:
        response = _call(client, method, url, headers, api)
        where = f"{method} {url} as {role}: {response.status_code} {response.headers.get('Location', '')}"
        if role in rule.allowed:
            if rule.ok is not None:
                assert rule.ok(response), where
            else:
                assert response.status_code not in (401, 403, 404, 405), where
                assert not _bounced_to_login(response), where
        elif role == ANON and api:
            assert response.status_code == 401, where
            assert response.is_json and response.json["error"] == "unauthorized", where
        elif role == ANON:
            assert _bounced_to_login(response), where
        else:
            assert response.status_code == 403, where
            if api:
                assert response.is_json and response.json["error"] == "forbidden", where


MISSING_CASES = [pytest.param(endpoint, id=endpoint) for endpoint, rule in POLICY.items() if rule.missing]


@pytest.mark.parametrize("endpoint", MISSING_CASES)
def test_a_missing_object_is_404_for_those_allowed(client, session, as_role, endpoint):
    rule = POLICY[endpoint]
    api = _is_api(endpoint)
    role = "admin" if "admin" in rule.allowed else sorted(rule.allowed - {ANON})[0]
    me, headers = as_role(role, api)
    url = rule.missing(Samples(session, me))  # type: ignore[misc]
    for method in rule.methods:
        response = _call(client, method, url, headers, api)
        assert response.status_code == 404, f"{method} {url} as {role}: {response.status_code}"
        if api:
            assert response.is_json and response.json["error"] == "not_found"


def _routes(app: Flask) -> dict[str, set[str]]:
    routes: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint not in UNCHECKED_ENDPOINTS:
            routes.setdefault(rule.endpoint, set()).update(rule.methods - IGNORED_METHODS)
    return routes


def test_every_route_has_a_policy_row(app):
    missing = sorted(set(_routes(app)) - set(POLICY))
    assert not missing, ("routes without a row in tests/web/test_access_matrix.py POLICY "
                         f"(decide who may call them, then add the rows): {missing}")


def test_policy_has_no_stale_rows(app):
    stale = sorted(set(POLICY) - set(_routes(app)))
    assert not stale, f"POLICY rows for endpoints that no longer exist: {stale}"


def test_policy_rows_cover_every_method(app):
    routes = _routes(app)
    wrong = {endpoint: (sorted(POLICY[endpoint].methods), sorted(methods))
             for endpoint, methods in routes.items()
             if endpoint in POLICY and set(POLICY[endpoint].methods) != methods}
    assert not wrong, f"POLICY methods differ from the routes' methods (policy, routes): {wrong}"


def test_policy_urls_route_to_their_endpoint(app, session):
    samples = Samples(session)
    adapter = app.url_map.bind("localhost")
    for endpoint, rule in POLICY.items():
        for method in rule.methods:
            matched, _args = adapter.match(urlsplit(rule.url(samples)).path, method=method)
            assert matched == endpoint, (endpoint, method, matched)


def test_reversal_sample_is_a_real_move(session):
    """Guard for the samples: the reverse row must point at a posted move."""
    samples = Samples(session)
    assert session.scalar(select(StockMove.kind).where(StockMove.id == samples.move_id)) == "receipt"
