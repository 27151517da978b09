"""The OpenAPI document and the routes agree, both ways; the document is public and well formed."""
from __future__ import annotations

import re
from typing import Any, Iterator

import pytest
from flask import Flask

PREFIX = "/api/v1"
IGNORED_METHODS = {"HEAD", "OPTIONS"}
HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def openapi_path(rule: str) -> str:
    """'/api/v1/items/<int:item_id>' -> '/items/{item_id}' (paths are relative to servers[0].url)."""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule[len(PREFIX):])


def api_operations(app: Flask) -> set[tuple[str, str]]:
    return {(openapi_path(rule.rule), method.lower())
            for rule in app.url_map.iter_rules()
            if rule.rule.startswith(PREFIX + "/") and rule.endpoint != "api.openapi"
            for method in rule.methods - IGNORED_METHODS}


@pytest.fixture
def document(client) -> dict[str, Any]:
    response = client.get(f"{PREFIX}/openapi.json")  # no token: the document is public
    assert response.status_code == 200
    assert response.is_json
    return response.json


def documented_operations(document: dict[str, Any]) -> set[tuple[str, str]]:
    return {(path, method) for path, ops in document["paths"].items() for method in ops if method in HTTP_METHODS}


def test_openapi_path_conversion():
    assert openapi_path("/api/v1/items/<int:item_id>") == "/items/{item_id}"
    assert openapi_path("/api/v1/a/<x>/b/<path:rest>") == "/a/{x}/b/{rest}"


def test_document_is_public_and_looks_like_openapi_3_1(document):
    assert document["openapi"].startswith("3.1.")
    assert document["info"]["title"] and document["info"]["version"]
    assert isinstance(document["paths"], dict) and document["paths"]
    assert document["servers"][0]["url"] == PREFIX
    assert "schemas" in document["components"]
    assert document["components"]["securitySchemes"]["bearer"] == {"type": "http", "scheme": "bearer"}
    for path, ops in document["paths"].items():
        assert path.startswith("/"), path
        for method, op in ops.items():
            assert method in HTTP_METHODS, (path, method)
            assert op["responses"], (path, method)
            for code in op["responses"]:
                assert re.fullmatch(r"[1-5]\d\d", code), (path, method, code)


def test_every_api_route_is_documented_with_its_method(app, document):
    missing = api_operations(app) - documented_operations(document)
    assert not missing, f"routes missing from openapi.json: {sorted(missing)}"


def test_every_documented_operation_exists(app, document):
    extra = documented_operations(document) - api_operations(app)
    assert not extra, f"openapi.json documents operations that do not exist: {sorted(extra)}"


def test_path_parameters_are_declared(document):
    for path, ops in document["paths"].items():
        names = set(re.findall(r"{([^}]+)}", path))
        for method, op in ops.items():
            declared = {p["name"] for p in op.get("parameters", []) if p["in"] == "path"}
            assert declared == names, (path, method, declared, names)
            assert all(p["required"] for p in op.get("parameters", []) if p["in"] == "path")


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def test_every_ref_resolves(document):
    refs = set(_refs(document))
    assert refs, "expected the document to use $ref for shared schemas"
    for ref in refs:
        assert ref.startswith("#/"), ref
        node: Any = document
        for part in ref[2:].split("/"):
            assert isinstance(node, dict) and part in node, f"unresolved $ref {ref}"
            node = node[part]


def test_documented_error_shape_matches_a_real_error(client, document):
    error_schema = document["components"]["schemas"]["Error"]
    real = client.get(f"{PREFIX}/items").json  # 401 without a token
    assert set(error_schema["required"]) <= set(real)
    assert set(real) <= set(error_schema["properties"])
