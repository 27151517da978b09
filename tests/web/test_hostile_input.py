"""No input, however hostile, produces a 5xx: every route of the URL map, every query parameter the
views read, every form and JSON body (2³¹ is what an INTEGER id column of PostgreSQL refuses).

Each endpoint is called by a role allowed to use it (so the request reaches the view, not the
403), at the sample URL of the access matrix (so ids exist and the view does real work), with:
path ids of 2⁶³ and more, each query parameter any view reads (found in the source) set to a
hostile value, NUL bytes in forms and JSON bodies, and JSON nested 5,000 levels deep. The answer
must be below 500; the values a database cannot hold must be a 404 or a 422 that says what was wrong.
A hypothesis test then mixes random parameters and values on random routes (more under `make fuzz`).
"""
from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import factories as f
from tests import logistics_factories as lf
from tests.web.test_access_matrix import ANON, POLICY, Samples, _is_api

BLUEPRINTS = Path(__file__).resolve().parents[2] / "blueprints"
BIG_NUMBERS = [str(2**31), str(2**63), str(2**64), "9" * 40, f"-{2**63}"]
HOSTILE_TEXT = ["\x00", "a\x00b", "'; DROP TABLE items; --", "<script>alert(1)</script>", "%", "é" * 500,
                "1e400", "NaN", "-1", "0", "9999-99-99", " "]
HOSTILE = BIG_NUMBERS + HOSTILE_TEXT


def _query_names() -> list[str]:
    """Every query parameter name a view reads (`args.get("name"...)`, `args["name"]`, `getlist`)."""
    pattern = re.compile(r"""args(?:\.get|\.getlist)?[(\[]\s*["']([a-z_]+)["']""")
    names = {m for path in BLUEPRINTS.rglob("*.py") for m in pattern.findall(path.read_text())}
    return sorted(names | {"page", "per_page"})


QUERY_NAMES = _query_names()


def _role(endpoint: str) -> str:
    allowed = POLICY[endpoint].allowed - {ANON}
    return "admin" if "admin" in allowed else (sorted(allowed)[0] if allowed else ANON)


@pytest.fixture
def caller(client, session, login_as):  # type: ignore[no-untyped-def]
    """caller(endpoint) -> (sample URL, headers, is_api), logged in (HTML) or with a token (API) of an
    allowed role. One set of sample objects and one token per role serve the whole test."""
    samples = Samples(session)
    tokens: dict[str, dict[str, str]] = {}
    logged_in: list[str] = []

    def setup(endpoint: str) -> tuple[str, dict[str, str], bool]:
        api, role = _is_api(endpoint), _role(endpoint)
        headers: dict[str, str] = {}
        if api and role != ANON:
            if role not in tokens:
                tokens[role] = {"Authorization": f"Bearer {f.api_token(session, f.user(session, role))}"}
            headers = tokens[role]
        elif not api and logged_in[-1:] != [role]:
            client.post("/logout")
            if role != ANON:
                login_as(role)
            logged_in.append(role)
        return POLICY[endpoint].url(samples), headers, api

    return setup


def _send(client, method: str, url: str, headers: dict, api: bool, value: str):  # type: ignore[no-untyped-def]
    if method == "GET":
        return client.get(url, headers=headers)
    if api:
        return client.open(url, method=method, headers={**headers, "Content-Type": "application/json"},
                           data=json.dumps({name: value for name in ("sku", "name", "quantity", "reason", "q")}))
    return client.open(url, method=method, headers=headers, data={name: value for name in ("sku", "name", "q")})


def _assert_not_5xx(response, where: str) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code < 500, f"{where}: {response.status_code} {response.get_data(as_text=True)[:300]}"


ENDPOINTS = sorted(e for e in POLICY if e != "auth.logout")


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_huge_ids_in_the_path_are_not_found(client, caller, endpoint):
    url, headers, api = caller(endpoint)
    path = urlsplit(url).path
    if not re.search(r"/\d+(/|$)", path):
        pytest.skip("no id in the path")
    for big in BIG_NUMBERS[:4]:
        hostile = re.sub(r"/\d+(?=/|$)", f"/{big}", path)
        for method in POLICY[endpoint].methods:
            response = _send(client, method, hostile, headers, api, "x")
            _assert_not_5xx(response, f"{method} {hostile}")
            assert response.status_code in (302, 400, 401, 403, 404, 405, 422), f"{method} {hostile}"


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_every_query_parameter_takes_hostile_values(client, caller, endpoint):
    """Every parameter name any view reads, all at once, set to each hostile value in turn."""
    url, headers, api = caller(endpoint)
    base = url + ("&" if "?" in url else "?")
    for value in HOSTILE:
        query = urlencode({name: value for name in QUERY_NAMES})
        for method in POLICY[endpoint].methods:
            response = _send(client, method, base + query, headers, api, value)
            _assert_not_5xx(response, f"{method} {url} ?…={value[:20]!r}")


@pytest.mark.fuzz
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_each_query_parameter_alone_takes_hostile_values(client, caller, endpoint):
    """`make fuzz`: the same, one parameter at a time (a view may stop at the first bad one)."""
    url, headers, api = caller(endpoint)
    base = url + ("&" if "?" in url else "?")
    for value in HOSTILE:
        for name in QUERY_NAMES:
            for method in POLICY[endpoint].methods:
                response = _send(client, method, base + urlencode({name: value}), headers, api, value)
                _assert_not_5xx(response, f"{method} {url} {name}={value[:20]!r}")


@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if set(POLICY[e].methods) - {"GET"}])
def test_nul_bytes_in_bodies_are_refused_with_the_field_named(client, caller, endpoint):
    url, headers, api = caller(endpoint)
    for method in set(POLICY[endpoint].methods) - {"GET"}:
        response = _send(client, method, url, headers, api, "bolt\x00")
        _assert_not_5xx(response, f"{method} {url}")
        if response.status_code == 422 and api:
            assert "NUL" in response.json["message"]


def test_a_nul_byte_names_its_field(client, login_as):
    login_as("admin")
    response = client.get("/items?q=bolt%00")
    assert response.status_code == 422
    assert "q: must not contain the NUL character" in response.get_data(as_text=True)
    response = client.get("/spreadsheets/it%00ems/export.xlsx")  # a text part of the path
    assert response.status_code == 422 and "entity: must not contain" in response.get_data(as_text=True)


def test_huge_numbers_name_their_parameter(client, login_as):
    login_as("admin")
    response = client.get(f"/purchasing/orders?supplier={2**63}")
    assert response.status_code == 422 and "supplier: must be a whole number of at most 2147483647" in response.get_data(as_text=True)
    response = client.get("/items?page=100000000")
    assert response.status_code == 422 and "page: must be at most 1,000,000" in response.get_data(as_text=True)


def test_api_json_nested_deep_or_holding_nul_is_a_422(client, session):
    token = f.api_token(session, f.user(session, "admin"))
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    deep = "[" * 5000 + "]" * 5000
    response = client.post("/api/v1/items", data=deep, headers=headers)
    assert response.status_code == 422 and "nested more than" in response.json["message"]
    response = client.post("/api/v1/items", data=json.dumps({"sku": "A\x00", "name": "x"}), headers=headers)
    assert response.status_code == 422
    assert response.json["field_errors"] == {"sku": ["must not contain the NUL character (\\u0000)"]}


def test_a_signed_webhook_nested_5000_deep_is_a_422(app, client, session):
    from scm.services.logistics import webhooks
    app.config["SCM_WEBHOOK_SECRET_FASTX"] = lf.SECRET
    lf.carrier(session)
    body = ('{"tracking_number": "T", "status": "in_transit", "occurred_at": "2026-03-11T07:00:00Z", "x": '
            + "[" * 5000 + "]" * 5000 + "}").encode()
    stamp = int(time.time())
    headers = {"webhook-id": "m1", "webhook-timestamp": str(stamp), "Content-Type": "application/json",
               "webhook-signature": webhooks.sign(lf.SECRET, "m1", stamp, body)}
    response = client.post("/api/v1/logistics/webhooks/fastx", data=body, headers=headers)
    assert response.status_code == 422 and "nested more than" in response.json["message"]


# Only reads: examples share one database, and a write from one would change the samples of the next.
GET_ENDPOINTS = [e for e in ENDPOINTS if "GET" in POLICY[e].methods]
FUZZ_EXAMPLES = int(os.environ.get("SCM_FUZZ_EXAMPLES", "150"))


@settings(max_examples=FUZZ_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(endpoint=st.sampled_from(GET_ENDPOINTS),
       params=st.dictionaries(st.sampled_from(QUERY_NAMES), st.sampled_from(HOSTILE) | st.text(max_size=30),
                              max_size=4))
def test_random_hostile_queries_never_give_a_5xx(client, caller, endpoint, params):
    url, headers, api = caller(endpoint)
    target = url + ("&" if "?" in url else "?") + urlencode(params)
    _assert_not_5xx(client.get(target, headers=headers), f"GET {target}")
