"""What the app knows of one spreadsheet entity: its column spec and the callables that check rows
against the database, apply them, export every row, and (optionally) say what would change or what a
person must review. Pure: the callables take the caller's session, which this module never touches."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from scm.sheets.spec import CellError, EntitySpec, ParseResult

Session = Any  # the callables receive a database session and the acting user; the framework has neither
Actor = Any


@dataclass(frozen=True)
class Importer:
    spec: EntitySpec
    check: Callable[[Session, ParseResult], list[CellError]]  # database-level checks, with locations
    apply: Callable[[Session, ParseResult, Actor], str]       # returns a one-line summary
    export: Callable[[Session], Iterable[dict[str, Any]]]
    import_roles: tuple[str, ...]
    label: str
    diff: Callable[[Session, ParseResult], list[dict[str, Any]]] | None = None  # changes shown in the preview
    # Importers whose preview is a review a person confirms (stock counts): `review` gives what the
    # preview shows, and `apply` then takes a 4th argument, the confirmation options (see apply()).
    review: Callable[[Session, ParseResult, Any], list[Any]] | None = None
