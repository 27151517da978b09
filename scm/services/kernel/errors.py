"""Domain errors. Services raise these; blueprints turn them into form errors or JSON responses."""
from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from scm.formatting import quantity


class DomainError(Exception):
    """Base of every business-rule refusal. `code` is the stable machine-readable name."""

    code = "domain_error"
    http_status = 422

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def to_dict(self) -> dict[str, Any]:
        return {"error": self.code, "message": self.message, **_jsonable(self.details)}


class NotFound(DomainError):
    code = "not_found"
    http_status = 404


class PermissionDenied(DomainError):
    code = "forbidden"
    http_status = 403


class InvalidTransition(DomainError):
    code = "invalid_transition"
    http_status = 409


class Conflict(DomainError):
    code = "conflict"
    http_status = 409


class InsufficientStock(DomainError):
    """Posting would take on hand below what is reserved (or below zero)."""

    code = "insufficient_stock"
    http_status = 409

    def __init__(self, *, sku: str, warehouse: str, on_hand: Decimal, reserved: Decimal,
                 requested: Decimal) -> None:
        available = on_hand - reserved
        message = f"only {quantity(on_hand)} on hand in {warehouse}"
        message += f", {quantity(reserved)} reserved" if reserved else ""
        message += f" (asked for {quantity(requested)} of {sku}, {quantity(max(available, Decimal(0)))} available)"
        super().__init__(message, sku=sku, warehouse=warehouse, on_hand=on_hand, reserved=reserved,
                         requested=requested, short_by=requested - max(available, Decimal(0)))


class ValidationFailed(DomainError):
    """Input failed business validation; `field_errors` maps field name to a list of messages."""

    code = "validation_failed"
    http_status = 422

    def __init__(self, field_errors: dict[str, list[str]] | str, message: str = "",
                 labels: dict[str, str] | None = None) -> None:
        """`labels` names fields for the message where the key alone cannot (a line keyed by its id)."""
        if isinstance(field_errors, str):
            field_errors = {"": [field_errors]}
        self.field_errors = field_errors
        named = labels or {}

        def labelled(field: str, msg: str) -> str:
            label = named[field] if field in named else field_label(field)
            return f"{label}: {msg}" if field and label else msg

        text = message or "; ".join(labelled(field, msg) for field, msgs in field_errors.items() for msg in msgs)
        super().__init__(text, field_errors=field_errors)


class ImportRejected(DomainError):
    """A spreadsheet could not be imported; `report` holds every error with row and column."""

    code = "import_rejected"
    http_status = 422

    def __init__(self, message: str, report: Any = None) -> None:
        super().__init__(message)
        self.report = report


_INDEXED = re.compile(r"([a-z_]+)\[(\d+)\]")


def line_labels(lines: Any, unknown: Any = ()) -> dict[str, str]:
    """Labels for field errors keyed by document line id (`lines[<id>]`): "line 2", the line's place
    on the document as its page numbers it, not its database id. An `unknown` id gets no label: its
    message says which id is not on the document."""
    labels = {f"lines[{line_id}]": "" for line_id in unknown}
    labels.update({f"lines[{line.id}]": f"line {number}" for number, line in enumerate(lines, start=1)})
    return labels


def field_label(key: str) -> str:
    """A field key as a person reads it in a message: `lines[7]` -> "line 8" (a list position counts
    from 1; lines keyed by id pass `line_labels` instead), `suggestion[12]` -> "suggestion 12" (an
    id), `to_warehouse_id` -> "to warehouse".
    `field_errors` keep the keys for programs; only the message text is translated."""
    def indexed(match: re.Match[str]) -> str:
        name, number = match.group(1), int(match.group(2))
        if name.endswith("s"):
            return f"{name[:-1].replace('_', ' ')} {number + 1}"
        return f"{name.replace('_', ' ')} {number}"

    text = _INDEXED.sub(indexed, key)
    parts = [re.sub(r"_id$", "", part).replace("_", " ") for part in text.split(".")]
    return ", ".join(part for part in parts if part)


def _fmt(value: Decimal) -> str:
    return f"{value.normalize():f}" if value == value.to_integral_value() else f"{value:f}".rstrip("0")


def _jsonable(details: dict[str, Any]) -> dict[str, Any]:
    return {key: (_fmt(v) if isinstance(v, Decimal) else v) for key, v in details.items()}
