"""What the logistics pages share (the route modules import from here, never from each other)."""
from __future__ import annotations

EVENT_WRITERS = ("admin", "buyer", "warehouse")
