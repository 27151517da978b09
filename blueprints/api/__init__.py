"""JSON API under /api/v1: bearer tokens, JSON errors, OpenAPI document."""
from blueprints.api.core import bp
from blueprints.api import logistics, masterdata, openapi, planning, purchasing, replenishment, stock, suppliers, units  # noqa: F401,E402  (routes register on bp)

__all__ = ["bp"]
