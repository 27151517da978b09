"""Carriers as data: add and edit the carriers that shipments, ETAs, delays and tracking links use.

A carrier has a code (the webhook path and the import column use it), a name, a tracking URL template
with exactly one `{tracking}` placeholder (http or https), expected transit days per service (a small
table; the service "standard" is the fallback for unknown services), the hours without a tracking
event after which an open shipment counts as delayed, and an active flag (inactive carriers stay on
old shipments but are not offered for new ones). Every change is audited. Services flush; the caller
commits.
"""
from __future__ import annotations

import re
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scm.models import Carrier
from scm.services.kernel import audit
from scm.services.kernel.actors import Actor
from scm.services.kernel.errors import NotFound, ValidationFailed

CARRIER_FIELDS = ("code", "name", "tracking_url_template", "transit_days", "event_interval_hours", "active")
CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{0,19}$")
SERVICE_RE = re.compile(r"^[a-z0-9][a-z0-9_ -]{0,39}$")
PLACEHOLDER = "{tracking}"
MAX_TRANSIT_DAYS = 365
MAX_INTERVAL_HOURS = 24 * 30
MAX_SERVICES = 20


def get_carrier(session: Session, carrier_id: int) -> Carrier:
    carrier = session.get(Carrier, carrier_id)
    if carrier is None:
        raise NotFound(f"carrier {carrier_id} does not exist")
    return carrier


def _template(raw: Any, errors: dict[str, list[str]]) -> str:
    template = str(raw or "").strip()
    if not template:
        return ""
    if len(template) > 300:
        errors["tracking_url_template"] = ["at most 300 characters"]
    elif not template.lower().startswith(("https://", "http://")):
        errors["tracking_url_template"] = ["must start with https:// (or http://)"]
    elif template.count(PLACEHOLDER) != 1:
        errors["tracking_url_template"] = [f"must contain the placeholder {PLACEHOLDER} exactly once"]
    elif re.search(r"\s", template) or re.search(r"\{(?!tracking\})|(?<!\{tracking)\}", template):
        errors["tracking_url_template"] = [f"no spaces and no braces other than {PLACEHOLDER}"]
    return template


def parse_transit_days(raw: Any, errors: dict[str, list[str]]) -> dict[str, int]:
    """{service: days} from a dict or a list of (service, days) pairs; blank service rows are skipped."""
    pairs = list(raw.items()) if isinstance(raw, dict) else list(raw or [])
    out: dict[str, int] = {}
    problems: list[str] = []
    for pair in pairs:
        try:
            service, days = pair
        except (TypeError, ValueError):
            problems.append("each row is a service and its days")
            continue
        service = str(service or "").strip().lower()
        if not service and days in (None, ""):
            continue
        if not SERVICE_RE.match(service):
            problems.append(f"service {service!r}: lower-case letters, digits, '-', '_' (at most 40)")
        elif service in out:
            problems.append(f"service {service!r} is listed twice")
        elif isinstance(days, bool) or not re.fullmatch(r"\d{1,3}", str(days).strip()):
            problems.append(f"{service}: days must be a whole number from 0 to {MAX_TRANSIT_DAYS}")
        elif int(str(days).strip()) > MAX_TRANSIT_DAYS:
            problems.append(f"{service}: at most {MAX_TRANSIT_DAYS} days")
        else:
            out[service] = int(str(days).strip())
    if len(out) > MAX_SERVICES:
        problems.append(f"at most {MAX_SERVICES} services")
    if problems:
        errors["transit_days"] = problems
    return out


def _interval(raw: Any, errors: dict[str, list[str]]) -> int:
    text = str(raw if raw is not None else "").strip()
    if isinstance(raw, bool) or not re.fullmatch(r"\d{1,4}", text) or not 1 <= int(text) <= MAX_INTERVAL_HOURS:
        errors["event_interval_hours"] = [f"whole hours from 1 to {MAX_INTERVAL_HOURS}"]
        return 48
    return int(text)


def clean_carrier(session: Session, data: dict[str, Any], *, current: Carrier | None = None) -> dict[str, Any]:
    """Validated carrier fields; a missing key keeps the current value (PUT of part of a carrier)."""
    merged = {**({k: getattr(current, k) for k in CARRIER_FIELDS} if current is not None else
                 {"tracking_url_template": "", "transit_days": {}, "event_interval_hours": 48, "active": True}),
              **{k: v for k, v in data.items() if k in CARRIER_FIELDS}}
    errors: dict[str, list[str]] = {}
    code = str(merged.get("code") or "").strip().upper()
    if not CODE_RE.match(code):
        errors["code"] = ["1–20 characters: letters, digits, '-', '_' (it is used in the webhook URL)"]
    else:
        clash = session.scalar(select(Carrier.id).where(func.upper(Carrier.code) == code))
        if clash is not None and (current is None or clash != current.id):
            errors["code"] = [f"carrier {code} already exists"]
    name = str(merged.get("name") or "").strip()
    if not name or len(name) > 120:
        errors["name"] = ["required, at most 120 characters"]
    out = {"code": code, "name": name, "tracking_url_template": _template(merged.get("tracking_url_template"), errors),
           "transit_days": parse_transit_days(merged.get("transit_days"), errors),
           "event_interval_hours": _interval(merged.get("event_interval_hours"), errors)}
    active = merged.get("active", True)
    if not isinstance(active, bool):
        errors["active"] = ["true or false"]
    out["active"] = bool(active)
    if errors:
        raise ValidationFailed(errors)
    return out


def create_carrier(session: Session, data: dict[str, Any], *, actor: Actor) -> Carrier:
    fields = clean_carrier(session, data)
    carrier = Carrier(**fields)
    session.add(carrier)
    session.flush()
    audit.record(session, actor, "carrier.create", "carrier", carrier.id, after=audit.snapshot(carrier, CARRIER_FIELDS))
    return carrier


def update_carrier(session: Session, carrier_id: int, data: dict[str, Any], *, actor: Actor) -> Carrier:
    carrier = get_carrier(session, carrier_id)
    fields = clean_carrier(session, data, current=carrier)
    return audit.apply_changes(session, actor, carrier, fields, fields=CARRIER_FIELDS, action="carrier.update",
                               entity_type="carrier")


def carrier_json(carrier: Carrier) -> dict[str, Any]:
    return {"id": carrier.id, "code": carrier.code, "name": carrier.name,
            "tracking_url_template": carrier.tracking_url_template, "transit_days": dict(carrier.transit_days or {}),
            "event_interval_hours": carrier.event_interval_hours, "active": carrier.active}
