"""Every operation of the published OpenAPI document, called with values generated from its schema
(valid and invalid: huge numbers, odd strings, missing and extra fields) by schemathesis, never
answers with a server error. Under `make fuzz` each operation gets many more examples."""
from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from blueprints.api.openapi import build_document
from tests import factories as f

EXAMPLES = int(os.environ.get("SCM_FUZZ_EXAMPLES", "10"))
SCHEMA = schemathesis.openapi.from_dict(build_document())
OPERATIONS = {op.label: op for op in (result.ok() for result in SCHEMA.get_all_operations())}


def _request(case: Any) -> dict[str, Any]:
    """The generated case as arguments of the Flask test client."""
    kwargs: dict[str, Any] = {"method": case.method, "query_string": case.query or {}}
    body = getattr(case, "body", None)
    if body is not None and type(body).__name__ != "NotSet":
        kwargs["json"] = body
    return kwargs


@pytest.mark.parametrize("label", sorted(OPERATIONS))
def test_no_operation_answers_with_a_server_error(client, session, label):  # type: ignore[no-untyped-def]
    f.item(session, "FUZZ-1")
    f.warehouse(session, "WH-FUZZ")
    headers = {"Authorization": f"Bearer {f.api_token(session, f.user(session, 'admin'))}"}

    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True,
              database=None)
    @given(case=OPERATIONS[label].as_strategy())
    def call(case: Any) -> None:
        response = client.open("/api/v1" + case.formatted_path, headers={**(case.headers or {}), **headers},
                               **_request(case))
        assert response.status_code < 500, (
            f"{case.method} {case.formatted_path} {case.query} {getattr(case, 'body', '')!r:.200}: "
            f"{response.status_code} {response.get_data(as_text=True)[:300]}")

    call()
