"""The policies export lists every active item × warehouse with the values in force (defaults marked);
importing it back unchanged stores nothing, an edited cell stores only that override."""
from __future__ import annotations

import io
from decimal import Decimal

from openpyxl import load_workbook
from sqlalchemy import func, select

from scm.models import AuditEntry, ReplenishmentPolicy
from scm.services.planning import policies as replenishment_policy
from scm.services.kernel.actors import Actor
from tests import factories as f


def sheet_rows(data: bytes) -> list[dict]:
    sheet = load_workbook(io.BytesIO(data)).active
    headers = [c.value for c in sheet[1]]
    return [dict(zip(headers, (c.value for c in row))) for row in sheet.iter_rows(min_row=2) if row[0].value]


def import_and_apply(client, data: bytes) -> str:  # type: ignore[no-untyped-def]
    preview = client.post("/spreadsheets/replenishment_policies/import",
                          data={"file": (io.BytesIO(data), "policies.xlsx")}, content_type="multipart/form-data")
    assert preview.status_code == 200, preview.get_data(as_text=True)[:2000]
    batch_id = int(preview.get_data(as_text=True).split("/spreadsheets/imports/")[1].split("/apply")[0])
    response = client.post(f"/spreadsheets/imports/{batch_id}/apply", follow_redirects=True)
    return response.get_data(as_text=True)


def test_export_lists_effective_values_and_an_unchanged_import_stores_nothing(client, session):  # type: ignore[no-untyped-def]
    main, west = f.warehouse(session, "MAIN"), f.warehouse(session, "WEST")
    f.warehouse(session, "OLD", active=False)
    bolt, nut = f.item(session, "BOLT", abc_class="A"), f.item(session, "NUT", abc_class="C")
    buyer = f.user(session, "buyer")
    replenishment_policy.set_policy(session, bolt.id, west.id, {"review_period_days": "14", "auto_order": "yes"},
                                    actor=Actor.for_user(buyer, "web"))
    session.commit()
    f.login(client, session, buyer)
    exported = client.get("/spreadsheets/replenishment_policies/export.xlsx")
    rows = sheet_rows(exported.data)
    pick = {(r["SKU"], r["Warehouse"]): r for r in rows}
    assert sorted(pick) == [("BOLT", "MAIN"), ("BOLT", "WEST"), ("NUT", "MAIN"), ("NUT", "WEST")]
    default = pick[("NUT", "MAIN")]
    assert (Decimal(str(default["Service level %"])), default["Review period (days)"],
            default["Minimum days of cover"], default["Using defaults"]) == (Decimal(90), 7, 3, "all")
    stored = pick[("BOLT", "WEST")]
    assert (Decimal(str(stored["Service level %"])), stored["Review period (days)"]) == (Decimal(98), 14)
    assert stored["Using defaults"] == "service level, minimum cover"

    audits = session.scalar(select(func.count()).select_from(AuditEntry))
    before = [(p.item_id, p.warehouse_id, p.service_level, p.review_period_days, p.min_cover_days, p.auto_order)
              for p in session.scalars(select(ReplenishmentPolicy))]
    assert "0 policies saved, 4 unchanged" in import_and_apply(client, exported.data)
    session.expire_all()
    assert [(p.item_id, p.warehouse_id, p.service_level, p.review_period_days, p.min_cover_days, p.auto_order)
            for p in session.scalars(select(ReplenishmentPolicy))] == before
    assert session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "replenishment_policy.update")) == 1 and audits > 0

    book = load_workbook(io.BytesIO(exported.data))
    sheet = book.active
    headers = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if (row[0].value, row[1].value) == ("NUT", "MAIN"):
            row[headers.index("Service level %")].value = 93
    out = io.BytesIO()
    book.save(out)
    assert "1 policy saved, 3 unchanged" in import_and_apply(client, out.getvalue())
    session.expire_all()
    new = session.scalar(select(ReplenishmentPolicy).where(ReplenishmentPolicy.item_id == nut.id))
    assert (new.warehouse_id, new.service_level, new.review_period_days, new.min_cover_days, new.auto_order) == (
        main.id, Decimal(93), None, None, False)
