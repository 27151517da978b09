"""Every import path runs the hostile-file corpus (tests/services/spreadsheet_corpus.py).

For every importer entity (`scm.services.importers.IMPORTERS`, export-only ones included: they read
the file before refusing it) and every upload route (the spreadsheets page, the purchase-order line
import, the supplier document and certificate uploads, the portal's certificate upload), each broken
or hostile file must be refused: a 4xx answer (never a 5xx) with a message that names the problem,
and no change in the database. A rejected upload on the spreadsheets page is kept as an import batch
with status "rejected" (the import history shows it); nothing else may change.

Cases that need a non-default reader limit (`kwargs`) cannot be sent through a route; the route
tests send a CSV one row over the default row limit instead (the "too many rows" case for real).
"""
from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from lxml import html
from sqlalchemy import func, select

from scm.models import Base, ImportBatch
from scm.services import importers
from scm.services.kernel.errors import ImportRejected
from scm.sheets.guard import ReadLimits
from tests import factories as f
from tests.services.spreadsheet_corpus import Case, corpus, grid_xlsx

CASES = [case for case in corpus() if not case.kwargs]
DOCUMENT_SIGNATURES = (b"%PDF-", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")  # real documents, rightly accepted


def too_many_rows(headers: list[str]) -> Case:
    """A CSV one data row over the default limit, with the target's own header row."""
    width = len(headers)
    row = ",".join(["1"] * width)
    body = "\r\n".join([",".join(headers)] + [row] * (ReadLimits().max_rows + 1)) + "\r\n"
    return Case("too many rows (default limit)", "big.csv", body.encode(), "too many rows")


def cases_for(headers: list[str]) -> list[Case]:
    """The corpus for a target whose header row is `headers`: the one case that is only hostile with
    the right headers (a header row and no data) is rebuilt with them; the big CSV is added."""
    out = [Case(c.name, c.filename, grid_xlsx([headers]), c.expect) if c.name == "header but no data rows" else c
           for c in CASES]
    return out + [too_many_rows(headers)]


def counts(session) -> dict[str, int]:  # type: ignore[no-untyped-def]
    session.expire_all()
    return {table.name: session.scalar(select(func.count()).select_from(table)) for table in Base.metadata.sorted_tables}


def assert_unchanged(session, before: dict[str, int], where: str) -> None:  # type: ignore[no-untyped-def]
    after = counts(session)
    changed = {name: (before[name], after[name]) for name in before
               if before[name] != after[name] and name != "import_batches"}
    assert not changed, f"{where}: the database changed: {changed}"
    kept = session.scalars(select(ImportBatch).order_by(ImportBatch.id).offset(before["import_batches"])).all()
    assert all(b.status == "rejected" and b.applied_at is None for b in kept), where


# ---------------------------------------------------------------- every importer entity (service level)

@pytest.mark.parametrize("entity", sorted(importers.IMPORTERS))
def test_every_importer_refuses_every_hostile_file(session, entity):
    spec = importers.IMPORTERS[entity].spec
    before = counts(session)
    for case in cases_for(spec.headers()):
        where = f"{entity}: {case.name}"
        try:
            result = importers.parse(session, entity, case.data, case.filename)
        except ImportRejected as rejected:
            assert case.outcome == "rejected" or "column" in rejected.message.lower(), where
            if case.outcome == "rejected":
                assert case.expect.lower() in rejected.message.lower(), f"{where}: {rejected.message}"
            continue
        assert case.outcome == "errors", f"{where}: a file-level problem was not refused"
        assert result.errors and not result.rows, where
        assert all(e.message for e in result.errors), where
    session.rollback()
    assert_unchanged(session, before, entity)


# ---------------------------------------------------------------- every upload route (what a person sees)

@dataclass(frozen=True)
class Upload:
    name: str
    role: str
    url: Callable[[dict], str]
    field: str
    form: Callable[[dict], dict]
    documents: bool = False  # takes PDF, PNG, JPEG by content, not spreadsheets

    def send(self, client, world: dict, case: Case):  # type: ignore[no-untyped-def]
        data: dict[str, Any] = dict(self.form(world))
        data[self.field] = (io.BytesIO(case.data), case.filename)
        return client.post(self.url(world), data=data, content_type="multipart/form-data")


TODAY = date.today()
CERT = {"cert_type": "ISO 9001", "number": "C-1", "issued_on": (TODAY - timedelta(days=30)).isoformat(),
        "expires_on": (TODAY + timedelta(days=300)).isoformat()}


def _routes() -> list[Upload]:
    routes = [Upload(f"spreadsheets: {entity}", found.import_roles[0], lambda w, e=entity: f"/spreadsheets/{e}/import",
                     "file", lambda w: {})
              for entity, found in sorted(importers.IMPORTERS.items()) if found.import_roles]
    return routes + [
        Upload("purchase-order line import", "buyer", lambda w: f"/purchasing/orders/{w['draft']}/lines/import",
               "file", lambda w: {}),
        Upload("supplier document", "buyer", lambda w: f"/suppliers/{w['supplier']}/documents", "document-file",
               lambda w: {"document-title": "Terms", "document-kind": "contract"}, documents=True),
        Upload("supplier certificate", "buyer", lambda w: f"/suppliers/{w['supplier']}/certifications/new", "file",
               lambda w: CERT, documents=True),
        Upload("portal certificate", "supplier", lambda w: "/portal/certificates", "file", lambda w: CERT,
               documents=True),
    ]


ROUTES = _routes()


@pytest.fixture
def world(session):  # type: ignore[no-untyped-def]
    supplier = f.supplier(session, "HOSTILE")
    item = f.item(session, "HOSTILE-1")
    f.catalog(session, supplier, item)
    draft = f.purchase_order(session, supplier, f.warehouse(session, "WH-HOSTILE"), [(item, 5)])
    session.commit()
    return {"supplier": supplier.id, "draft": draft.id}


def _text(response) -> str:  # type: ignore[no-untyped-def]
    return " ".join(html.fromstring(response.data).text_content().split()) if response.data else ""


@pytest.mark.parametrize("route", ROUTES, ids=[r.name for r in ROUTES])
def test_every_upload_route_answers_4xx_with_the_reason_and_changes_nothing(client, session, world, route):
    user = f.user(session, route.role, **({"supplier_id": world["supplier"]} if route.role == "supplier" else {}))
    f.login(client, session, user)
    headers = (importers.IMPORTERS[route.name.split(": ")[1]].spec.headers() if route.name.startswith("spreadsheets")
               else ["SKU", "Quantity", "Promised date", "Unit price"])
    before = counts(session)
    for case in cases_for(headers):
        if route.documents and case.data.startswith(DOCUMENT_SIGNATURES):
            continue  # a real PDF is a valid document, whatever its name
        where = f"{route.name}: {case.name}"
        response = route.send(client, world, case)
        assert 400 <= response.status_code < 500, f"{where}: {response.status_code}"
        text = _text(response).lower()
        if route.documents:
            assert any(m in text for m in ("only pdf, png or jpeg", "the file is empty", "larger than")), where
        elif case.outcome == "rejected":
            assert case.expect.lower() in text, f"{where}: the page does not say {case.expect!r}"
        else:
            assert "row" in text and "column" in text, f"{where}: no row/column report"
    assert_unchanged(session, before, route.name)
