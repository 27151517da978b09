"""Spreadsheet import and export of business data: preview first, then apply all-or-nothing.

The flow (ARCHITECTURE principle 10): `preview` parses and validates every row (file checks, cell
types, then database lookups such as unknown SKUs), stores the upload as an ImportBatch and reports
every error with row and column; `apply` re-reads the stored file and applies it in the caller's
single transaction. A file applied before is recognised by its fingerprint.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from scm.models import ImportBatch, utcnow
from scm.services.kernel import audit
from scm.services.kernel.actors import Actor
from scm.services.kernel.errors import Conflict, ImportRejected, NotFound
from scm.services.logistics import sheets as logistics_sheets
from scm.services.planning import demand_sheets
from scm.services.planning import sheets as planning_sheets
from scm.services.purchasing import sheets as purchasing_sheets
from scm.services.stock import sheets as stock_sheets
from scm.services.suppliers import sheets as supplier_sheets
from scm.sheets import ParseResult, SpreadsheetRejected, export_rows, read_rows
from scm.sheets.importer import Importer

# Every entity of the Spreadsheets page, area by area: each area lists its own once, here they are joined.
IMPORTERS: dict[str, Importer] = {
    **stock_sheets.IMPORTERS, **demand_sheets.IMPORTERS, **supplier_sheets.IMPORTERS, **purchasing_sheets.IMPORTERS,
    **logistics_sheets.IMPORTERS, **planning_sheets.IMPORTERS,
}



def importer(entity: str) -> Importer:
    if entity not in IMPORTERS:
        raise NotFound(f"nothing to import or export called {entity!r}")
    return IMPORTERS[entity]


def parse(session: Session, entity: str, data: bytes, filename: str) -> ParseResult:
    """Read and validate a file completely: file checks, cells, then database lookups.

    Raises ImportRejected for a file that cannot be read at all; otherwise every problem is in
    `result.errors` with its row and column (and `rows` is then empty).
    """
    spec_importer = importer(entity)
    try:
        result = read_rows(spec_importer.spec, data, filename)
    except SpreadsheetRejected as rejected:
        raise ImportRejected(rejected.message, report=rejected.report) from None
    if result.errors:
        return result
    lookup_errors = spec_importer.check(session, result)
    if lookup_errors:
        result.errors, result.error_count, result.rows = lookup_errors, len(lookup_errors), []
    return result


def preview(session: Session, entity: str, data: bytes, filename: str, *, actor: Actor) -> tuple[ImportBatch, ParseResult]:
    """Validate an upload and keep it as a batch awaiting confirmation (nothing is applied)."""
    result = parse(session, entity, data, filename)
    repeat = session.scalar(select(ImportBatch.id).where(
        ImportBatch.entity == entity, ImportBatch.fingerprint == result.fingerprint,
        ImportBatch.status == "applied"))
    summary = f"this exact file was already imported (batch {repeat})" if repeat else ""
    batch = ImportBatch(entity=entity, filename=filename[:255], fingerprint=result.fingerprint,
                        status="rejected" if result.errors else "previewed", row_count=result.row_count,
                        error_count=result.error_count or len(result.errors), summary=summary,
                        content=data, created_by=actor.user_id)
    session.add(batch)
    session.flush()
    return batch, result


def apply(session: Session, batch_id: int, *, actor: Actor, options: dict[str, Any] | None = None) -> ImportBatch:
    """Apply a previewed batch in the caller's transaction: every row or none.

    `options` reach importers that have a review (stock counts): the app `config` and the `confirm`
    fields of the confirmation page. Without them the defaults apply and nothing is confirmed.
    """
    batch = session.get(ImportBatch, batch_id, with_for_update=True)
    if batch is None or batch.created_by != actor.user_id:
        raise NotFound("no such import")
    if batch.status != "previewed":
        raise Conflict(f"this import is {batch.status}; upload the file again")
    result = parse(session, batch.entity, batch.content or b"", batch.filename)
    if result.errors:  # the database changed since the preview (e.g. an item was renamed)
        raise ImportRejected(f"{len(result.errors)} row(s) no longer valid; upload the file again",
                             report=[e.as_dict() for e in result.errors[:50]])
    found = importer(batch.entity)
    batch.summary = (found.apply(session, result, actor, options or {}) if found.review  # type: ignore[call-arg]
                     else found.apply(session, result, actor))
    batch.status, batch.applied_at, batch.content = "applied", utcnow(), None
    audit.record(session, actor, "import.apply", "import_batch", batch.id,
                 after={"entity": batch.entity, "file": batch.filename, "rows": batch.row_count,
                        "summary": batch.summary})
    return batch


def export(session: Session, entity: str) -> bytes:
    spec_importer = importer(entity)
    return export_rows(spec_importer.spec, spec_importer.export(session))


