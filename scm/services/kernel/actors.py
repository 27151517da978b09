"""Who is acting: a person on the web, a person through an API token, a job or the CLI."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    """The author of a change, recorded on stock moves and in the audit log."""

    user_id: int | None
    label: str
    via: str  # web | api | job | cli | import
    role: str = "admin"
    supplier_id: int | None = None

    @classmethod
    def system(cls, label: str, via: str = "job") -> "Actor":
        return cls(user_id=None, label=label, via=via, role="admin")

    @classmethod
    def for_user(cls, user: object, via: str) -> "Actor":
        return cls(user_id=user.id, label=user.email, via=via, role=user.role,  # type: ignore[attr-defined]
                   supplier_id=user.supplier_id)  # type: ignore[attr-defined]
