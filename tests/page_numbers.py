"""Reading numbers from rendered pages robustly, whatever the display formatting (thousands separators,
non-breaking spaces, currency codes or symbols, a trailing unit such as "d", "%" or "×")."""
from __future__ import annotations

import re
from decimal import Decimal

_NUMBER = re.compile(r"[-−]?\d[\d,\u00a0\u202f' ]*(?:\.\d+)?")


def number(text: str | None) -> Decimal | None:
    """The first number in `text` as a Decimal (None when there is none)."""
    if not text:
        return None
    match = _NUMBER.search(text)
    if match is None:
        return None
    raw = re.sub(r"[,\u00a0\u202f' ]", "", match.group(0)).replace("−", "-")
    return Decimal(raw)


def money(text: str | None) -> Decimal | None:
    """A money amount rounded to cents (the display may show more or fewer decimals)."""
    value = number(text)
    return None if value is None else value.quantize(Decimal("0.01"))
