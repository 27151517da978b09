"""Numbers as a person reads them: the one module pages, e-mails, PDFs and the display columns of
exports format with (pure: values and a locale in, text out; Babel does the locale rules).

- Money has the decimals of its currency (ISO 4217 minor units: 2 for USD, 0 for JPY, 3 for BHD),
  rounded half up, grouped, followed by the currency code: "2,808.18 USD". A *unit* price below one
  major unit keeps up to 4 decimals when it needs them (screws at 0.0125 USD), every amount and
  total never does.
- Quantities have the decimals their unit of measure allows (0 for each, 3 for kilograms), rounded
  half up, trailing zeros dropped: "12.5 kg", "526 ea".
- Plain text (e-mails) passes `sep=" "`; pages keep the non-breaking space so "12 kg" never wraps.
- Durations in days have at most one decimal ("5.3 days"); shares at most one ("97.4 %").

Exact values stay exact where a machine reads them (API JSON, the data columns of exports).
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from babel.numbers import format_decimal, get_currency_precision

DEFAULT_LOCALE = "en_US"
#: Decimals shown for a quantity whose unit is not known (the ledger stores 3).
DEFAULT_QTY_DECIMALS = 3
DASH = "—"
NBSP = "\u00a0"


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _round(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _pattern(places: int, *, fixed: bool) -> str:
    if places <= 0:
        return "#,##0"
    return "#,##0." + ("0" if fixed else "#") * places


def currency_decimals(currency: str | None) -> int:
    """Minor-unit digits of an ISO 4217 currency (2 when unknown or not given)."""
    return get_currency_precision(currency) if currency else 2


def number(value: Any, places: int, *, fixed: bool = False, locale: str = DEFAULT_LOCALE) -> str:
    """A number rounded half up to `places`, grouped by the locale; trailing zeros dropped unless `fixed`."""
    amount = _decimal(value)
    if amount is None:
        return DASH
    return format_decimal(_round(amount, places), format=_pattern(places, fixed=fixed), locale=locale,
                          decimal_quantization=False)


def money(value: Any, currency: str | None = None, *, code: bool = True, locale: str = DEFAULT_LOCALE,
          sep: str = NBSP) -> str:
    """An amount in the currency's decimals, with the currency code after it: "2,808.18 USD"."""
    amount = _decimal(value)
    if amount is None:
        return DASH
    text = number(amount, currency_decimals(currency), fixed=True, locale=locale)
    return f"{text}{sep}{currency}" if code and currency else text


def unit_price(value: Any, currency: str | None = None, *, code: bool = True,
               locale: str = DEFAULT_LOCALE, sep: str = NBSP) -> str:
    """A price per unit: like `money`, but a price below one major unit keeps up to 4 decimals."""
    amount = _decimal(value)
    if amount is None:
        return DASH
    places = currency_decimals(currency)
    if abs(amount) < 1 and _round(amount, places) != amount:
        text = format_decimal(_round(amount, 4), format="#,##0." + "0" * places + "#" * (4 - places),
                              locale=locale, decimal_quantization=False)
    else:
        text = number(amount, places, fixed=True, locale=locale)
    return f"{text}{sep}{currency}" if code and currency else text


def quantity(value: Any, decimals: int | None = None, unit: str | None = None, *,
             locale: str = DEFAULT_LOCALE, sep: str = NBSP) -> str:
    """A quantity in its unit's decimals (trailing zeros dropped), with the unit after it when given."""
    places = DEFAULT_QTY_DECIMALS if decimals is None else decimals
    text = number(value, places, locale=locale)
    return f"{text}{sep}{unit}" if unit and text != DASH else text


def signed_quantity(value: Any, decimals: int | None = None, *, locale: str = DEFAULT_LOCALE) -> str:
    """A change in stock with its sign: "+5", "-3"."""
    amount = _decimal(value)
    if amount is None:
        return DASH
    text = quantity(abs(amount), decimals, locale=locale)
    return text if amount == 0 else ("+" if amount > 0 else "-") + text


def days(value: Any, *, locale: str = DEFAULT_LOCALE) -> str:
    """A duration in days, at most one decimal: "5.3 days", "1 day"."""
    amount = _decimal(value)
    if amount is None:
        return DASH
    text = number(amount, 1, locale=locale)
    return f"{text} day" if _round(amount, 1) == 1 else f"{text} days"


def percent(value: Any, places: int = 1, *, locale: str = DEFAULT_LOCALE) -> str:
    """A percentage given in percent (97.36 -> "97.4 %")."""
    text = number(value, places, locale=locale)
    return text if text == DASH else f"{text}{NBSP}%"
