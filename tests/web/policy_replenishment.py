"""Access-matrix rows of replenishment (alerts, suggestions, policies; HTML and API).

Merged into tests/web/test_access_matrix.py's POLICY (same Rule format). Staff read alerts,
suggestions and policies; admin and buyer acknowledge, run the plan, approve and edit policies;
supplier users get 403 everywhere.
"""
from __future__ import annotations

from tests.web.test_access_matrix import CATALOG_WRITERS, STAFF, Rule, Samples, _u


def warning_id(s: Samples) -> int:
    def make() -> int:
        from datetime import date

        from scm.models import StockWarning
        row = StockWarning(item_id=s.item_id, warehouse_id=s.warehouse_id, severity="warning", status="open",
                           qty_short=0, reason="matrix", open_orders=[], raised_on=date(2026, 3, 2),
                           last_seen_on=date(2026, 3, 2))
        s.session.add(row)
        s.session.flush()
        return row.id
    return s._once("stock_warning", make)


def _pair(prefix: str) -> Rule:
    return Rule(lambda s: f"{prefix}/{s.item_id}/{s.warehouse_id}", STAFF, missing=_u(f"{prefix}/999999/999999"))


API = "/api/v1/replenishment"
POLICY: dict[str, Rule] = {
    "replenishment.warnings": Rule(_u("/replenishment/warnings"), STAFF),
    "replenishment.acknowledge": Rule(lambda s: f"/replenishment/warnings/{warning_id(s)}/acknowledge", CATALOG_WRITERS,
                                      ("POST",), missing=_u("/replenishment/warnings/999999/acknowledge")),
    "replenishment.run_plan": Rule(_u("/replenishment/run"), CATALOG_WRITERS, ("POST",)),
    "replenishment.suggestions": Rule(_u("/replenishment/suggestions"), STAFF),
    "replenishment.update_suggestions": Rule(_u("/replenishment/suggestions"), CATALOG_WRITERS, ("POST",)),
    "replenishment.policies": Rule(_u("/replenishment/policies"), STAFF),
    "replenishment.edit_policy": Rule(lambda s: f"/replenishment/policies/{s.item_id}/{s.warehouse_id}",
                                      CATALOG_WRITERS, ("GET", "POST"),
                                      missing=_u("/replenishment/policies/999999/999999")),
    "api.list_stock_warnings": Rule(_u(f"{API}/warnings"), STAFF),
    "api.list_suggestions": Rule(_u(f"{API}/suggestions"), STAFF),
    "api.get_projection": Rule(lambda s: (s.forecast_key and f"{API}/projection?sku=MATRIX-1&warehouse=WH-MATRIX"),
                               STAFF, missing=_u(f"{API}/projection?sku=NOPE&warehouse=WH-MATRIX")),
    "api.approve_suggestions": Rule(_u(f"{API}/suggestions/approve"), CATALOG_WRITERS, ("POST",)),
    "api.get_replenishment_policy": _pair(f"{API}/policies"),
    "api.put_replenishment_policy": Rule(lambda s: f"{API}/policies/{s.item_id}/{s.warehouse_id}", CATALOG_WRITERS,
                                         ("PUT",), missing=_u(f"{API}/policies/999999/999999")),
}
