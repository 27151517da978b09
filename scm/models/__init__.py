"""Typed SQLAlchemy 2 models, one module per area. Importing this package registers them all."""
from scm.models import append_only
from scm.models.audit import AuditEntry, ImportBatch, JobRun
from scm.models.base import Base, utcnow
from scm.models.dashboard import DashboardSnapshot
from scm.models.forecasts import Forecast, ForecastRun, Promotion
from scm.models.items import Item, UnitOfMeasure, Warehouse
from scm.models.logistics import Carrier, Shipment, ShipmentEvent, ShipmentLine, UnmatchedTrackingEvent
from scm.models.mail import OutgoingMail
from scm.models.purchasing import PoSequence, PurchaseOrder, PurchaseOrderEvent, PurchaseOrderLine, Receipt, ReceiptLine
from scm.models.replenishment import PlanLock, PlanRun, ReplenishmentPolicy, StockWarning, Suggestion
from scm.models.scorecards import DeliveryFact, InspectionFact, PoFact, ScorecardSettings, ScorecardSnapshot
from scm.models.shipping_notices import ShippingNotice, ShippingNoticeLine
from scm.models.simulations import SimulationRun
from scm.models.stock import (
    DemandRecord,
    IdempotencyKey,
    Reservation,
    StockBalance,
    StockCount,
    StockCountLine,
    StockMove,
    Transfer,
    TransferLine,
)
from scm.models.supplier_catalog import CatalogEntry, PriceBreak
from scm.models.supplier_trust import OrderBlockOverride, SourcingReview
from scm.models.suppliers import (
    Certification,
    ItemCertRequirement,
    Supplier,
    SupplierAddress,
    SupplierContact,
    SupplierDocument,
)
from scm.models.users import ApiToken, User, UserSession

for _table in append_only.APPEND_ONLY_TABLES:
    append_only.attach(Base.metadata.tables[_table])

__all__ = [
    "ApiToken", "AuditEntry", "Base", "Carrier", "DashboardSnapshot", "Shipment", "ShipmentEvent", "ShipmentLine",
    "UnmatchedTrackingEvent", "DemandRecord", "Forecast", "ForecastRun", "Promotion", "IdempotencyKey", "ImportBatch", "Item", "JobRun", "OutgoingMail",
    "Reservation", "StockBalance", "StockCount", "StockCountLine", "StockMove", "Supplier", "Transfer",
    "CatalogEntry", "Certification", "DeliveryFact", "InspectionFact", "ItemCertRequirement", "PoFact",
    "PoSequence", "PriceBreak", "PurchaseOrder", "PurchaseOrderEvent", "PurchaseOrderLine", "Receipt",
    "ReceiptLine", "PlanLock", "PlanRun", "ReplenishmentPolicy", "StockWarning", "Suggestion", "ScorecardSettings", "ShippingNotice", "SimulationRun", "ShippingNoticeLine", "ScorecardSnapshot", "SupplierAddress", "SupplierContact", "SupplierDocument",
    "TransferLine", "OrderBlockOverride", "SourcingReview", "UnitOfMeasure", "User", "UserSession", "Warehouse", "utcnow",
]
