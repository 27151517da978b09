"""Access-matrix rows of the supplier area (suppliers, catalog, sourcing, scorecards; HTML and API).

Merged into tests/web/test_access_matrix.py's POLICY (same Rule format). Staff read, admin and buyer
write, weights are for admins; supplier users get 403 on every one of these routes.
"""
from __future__ import annotations

from tests.web.test_access_matrix import ADMIN, CATALOG_WRITERS, STAFF, Rule, Samples, _u

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def supplier_id(s: Samples) -> int:
    from tests import factories as f
    return s._once("supplier", lambda: f.supplier(s.session, "MATRIX-SUP").id)


def contact_id(s: Samples) -> int:
    from scm.services.suppliers import profiles as suppliers
    from tests import factories as f
    return s._once("contact", lambda: suppliers.add_contact(s.session, supplier_id(s), {"name": "Pat"},
                                                              actor=f.actor()).id)


def address_id(s: Samples) -> int:
    from scm.services.suppliers import profiles as suppliers
    from tests import factories as f
    return s._once("address", lambda: suppliers.add_address(
        s.session, supplier_id(s), {"line1": "1 Main St", "city": "Springfield", "country": "US"}, actor=f.actor()).id)


def certification_id(s: Samples) -> int:
    from datetime import date
    from scm.services.suppliers import certifications
    from tests import factories as f
    return s._once("certification", lambda: certifications.add_certification(
        s.session, supplier_id(s), {"cert_type": "ISO 9001", "issued_on": date(2026, 1, 1),
                                    "expires_on": date(2027, 1, 1)}, file=PDF, filename="iso.pdf", actor=f.actor()).id)


def document_id(s: Samples) -> int:
    from scm.services.suppliers import certifications
    from tests import factories as f
    return s._once("document", lambda: certifications.store_document(
        s.session, supplier_id(s), data=PDF, filename="contract.pdf", kind="contract", actor=f.actor()).id)


def entry_id(s: Samples) -> int:
    from scm.services.suppliers import catalog as supplier_catalog
    from tests import factories as f
    return s._once("entry", lambda: supplier_catalog.create_entry(s.session, {
        "supplier_id": supplier_id(s), "item_id": s.item_id, "role": "primary", "capacity_per_week": "100",
        "price_breaks": [{"min_qty": "1", "unit_price": "2.50"}]}, actor=f.actor()).id)


def requirement_id(s: Samples) -> int:
    from scm.services.suppliers import certifications
    from tests import factories as f
    return s._once("requirement", lambda: certifications.add_requirement(s.session, s.item_id, "ISO 9001",
                                                                          actor=f.actor()).id)


def override_id(s: Samples) -> int:
    from datetime import date
    from scm.services.suppliers import standing as supplier_standing
    from scm.services.kernel.actors import Actor
    return s._once("override", lambda: supplier_standing.grant_override(
        s.session, supplier_id(s), {"reason": "matrix override"}, actor=Actor.system("matrix"),
        as_of=date(2026, 1, 1)).id)


def review_id(s: Samples) -> int:
    from datetime import date
    from scm.models import SourcingReview

    def make() -> int:
        review = SourcingReview(supplier_id=supplier_id(s), period_start=date(2026, 1, 1), status="open", note="")
        s.session.add(review)
        s.session.flush()
        return review.id
    return s._once("review", make)


SUP = "/suppliers/999999"
POLICY: dict[str, Rule] = {
    # -- suppliers (HTML)
    "suppliers.index": Rule(_u("/suppliers"), STAFF),
    "suppliers.new": Rule(_u("/suppliers/new"), CATALOG_WRITERS, ("GET", "POST")),
    "suppliers.detail": Rule(lambda s: f"/suppliers/{supplier_id(s)}", STAFF, missing=_u(SUP)),
    "suppliers.edit": Rule(lambda s: f"/suppliers/{supplier_id(s)}/edit", CATALOG_WRITERS, ("GET", "POST"),
                           missing=_u(f"{SUP}/edit")),
    "suppliers.add_contact": Rule(lambda s: f"/suppliers/{supplier_id(s)}/contacts", CATALOG_WRITERS, ("POST",),
                                  missing=_u(f"{SUP}/contacts")),
    "suppliers.remove_contact": Rule(lambda s: f"/suppliers/{supplier_id(s)}/contacts/{contact_id(s)}/delete",
                                     CATALOG_WRITERS, ("POST",),
                                     missing=lambda s: f"/suppliers/{supplier_id(s)}/contacts/999999/delete"),
    "suppliers.add_address": Rule(lambda s: f"/suppliers/{supplier_id(s)}/addresses", CATALOG_WRITERS, ("POST",),
                                  missing=_u(f"{SUP}/addresses")),
    "suppliers.remove_address": Rule(lambda s: f"/suppliers/{supplier_id(s)}/addresses/{address_id(s)}/delete",
                                     CATALOG_WRITERS, ("POST",),
                                     missing=lambda s: f"/suppliers/{supplier_id(s)}/addresses/999999/delete"),
    "suppliers.upload_document": Rule(lambda s: f"/suppliers/{supplier_id(s)}/documents", CATALOG_WRITERS,
                                      ("POST",), missing=_u(f"{SUP}/documents")),
    "suppliers.download_document": Rule(lambda s: f"/suppliers/{supplier_id(s)}/documents/{document_id(s)}", STAFF,
                                        missing=lambda s: f"/suppliers/{supplier_id(s)}/documents/999999"),
    "suppliers.certification_new": Rule(lambda s: f"/suppliers/{supplier_id(s)}/certifications/new",
                                        CATALOG_WRITERS, ("GET", "POST"), missing=_u(f"{SUP}/certifications/new")),
    "suppliers.remove_certification": Rule(
        lambda s: f"/suppliers/{supplier_id(s)}/certifications/{certification_id(s)}/delete", CATALOG_WRITERS,
        ("POST",), missing=lambda s: f"/suppliers/{supplier_id(s)}/certifications/999999/delete"),
    "suppliers.grant_override": Rule(lambda s: f"/suppliers/{supplier_id(s)}/order-overrides", ADMIN, ("POST",),
                                     missing=_u(f"{SUP}/order-overrides")),
    "suppliers.revoke_override": Rule(
        lambda s: f"/suppliers/{supplier_id(s)}/order-overrides/{override_id(s)}/revoke", ADMIN, ("POST",),
        missing=lambda s: f"/suppliers/{supplier_id(s)}/order-overrides/999999/revoke"),
    "suppliers.close_review": Rule(lambda s: f"/sourcing/reviews/{review_id(s)}/close", CATALOG_WRITERS, ("POST",),
                                   missing=_u("/sourcing/reviews/999999/close")),
    # -- catalog and sourcing (HTML)
    "suppliers.catalog_new": Rule(_u("/catalog/new"), CATALOG_WRITERS, ("GET", "POST")),
    "suppliers.catalog_edit": Rule(lambda s: f"/catalog/{entry_id(s)}/edit", CATALOG_WRITERS, ("GET", "POST"),
                                   missing=_u("/catalog/999999/edit")),
    "suppliers.sourcing": Rule(_u("/sourcing"), STAFF),
    "suppliers.requirements": Rule(_u("/sourcing/requirements"), STAFF),
    "suppliers.add_requirement": Rule(_u("/sourcing/requirements"), CATALOG_WRITERS, ("POST",)),
    "suppliers.remove_requirement": Rule(lambda s: f"/sourcing/requirements/{requirement_id(s)}/delete",
                                         CATALOG_WRITERS, ("POST",), missing=_u("/sourcing/requirements/999999/delete")),
    # -- scorecards (HTML)
    "suppliers.scorecards_ranking": Rule(_u("/scorecards"), STAFF),
    "suppliers.scorecard": Rule(lambda s: f"/scorecards/{supplier_id(s)}", STAFF, missing=_u("/scorecards/999999")),
    "suppliers.scorecard_settings": Rule(_u("/scorecards/settings"), ADMIN, ("GET", "POST")),
    "suppliers.refresh_scorecards": Rule(_u("/scorecards/refresh"), CATALOG_WRITERS, ("POST",)),
    # -- API
    "api.list_suppliers": Rule(_u("/api/v1/suppliers"), STAFF),
    "api.get_supplier": Rule(lambda s: f"/api/v1/suppliers/{supplier_id(s)}", STAFF,
                             missing=_u("/api/v1/suppliers/999999")),
    "api.create_supplier": Rule(_u("/api/v1/suppliers"), CATALOG_WRITERS, ("POST",)),
    "api.update_supplier": Rule(lambda s: f"/api/v1/suppliers/{supplier_id(s)}", CATALOG_WRITERS, ("PATCH",),
                                missing=_u("/api/v1/suppliers/999999")),
    "api.list_catalog": Rule(_u("/api/v1/catalog"), STAFF),
    "api.create_catalog_entry": Rule(_u("/api/v1/catalog"), CATALOG_WRITERS, ("POST",)),
    "api.update_catalog_entry": Rule(lambda s: f"/api/v1/catalog/{entry_id(s)}", CATALOG_WRITERS, ("PATCH",),
                                     missing=_u("/api/v1/catalog/999999")),
    "api.list_scorecards": Rule(_u("/api/v1/scorecards"), STAFF),
    "api.supplier_scorecards": Rule(lambda s: f"/api/v1/scorecards/{supplier_id(s)}", STAFF,
                                    missing=_u("/api/v1/scorecards/999999")),
    "api.sourcing_violations": Rule(_u("/api/v1/sourcing/violations"), STAFF),
    "api.sourcing_choose": Rule(_u("/api/v1/sourcing/choose"), STAFF, ("POST",)),
}
