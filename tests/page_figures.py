"""Reading the figures a user sees: pages parsed with lxml, numbers parsed robustly.

Numbers on pages are formatted for people (thousands separators, non-breaking spaces, units or currency
codes, a Unicode minus); `number` strips all of that, and `shows` compares a value from the API, the
export or a hand computation with what a page displays, rounded to the places the page shows, so the
tests keep passing when the display formatting changes.
"""
from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import lxml.html

_NOT_NUMBER = re.compile(r"[^0-9.\-]")


def parse(html: str) -> Any:
    return lxml.html.fromstring(html)


def text(node: Any) -> str:
    return " ".join(node.text_content().split())


def number(shown: str) -> Decimal:
    """'1,234.50 EUR', '1 234.5', '−12' -> Decimal (raises on a cell with no number)."""
    cleaned = _NOT_NUMBER.sub("", shown.replace("\u2212", "-").replace("\u2013", "-"))
    if cleaned in ("", "-", "."):
        raise ValueError(f"no number in {shown!r}")
    return Decimal(cleaned)


def places(shown: str) -> int:
    exponent = number(shown).as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def shows(shown: str, value: Any) -> bool:
    """True when `value` rounded to the decimals `shown` displays equals the displayed number."""
    step = Decimal(1).scaleb(-places(shown))
    return Decimal(str(value)).quantize(step, rounding=ROUND_HALF_UP) == number(shown).quantize(step)


def figures(node: Any) -> dict[str, str]:
    """{name: displayed text} of every element marked data-figure under `node` (an input: its value)."""
    return {el.get("data-figure"): el.get("value", "") if el.tag == "input" else text(el)
            for el in node.xpath(".//*[@data-figure]")}


def table_rows(page: bytes | str) -> dict[str, dict[str, str]]:
    """Rows of a list page's first table keyed by the text of their first cell, as {header: cell text}."""
    doc = lxml.html.fromstring(page)
    table = doc.xpath("//table")[0]
    heads = [th.text_content().strip() for th in table.xpath(".//thead//th")]
    rows = {}
    for tr in table.xpath(".//tbody/tr"):
        cells = [" ".join(td.text_content().split()) for td in tr.xpath("./td")]
        rows[cells[0]] = dict(zip(heads, cells))
    return rows


def order_page_figures(page: bytes | str) -> tuple[Decimal, Decimal, list[tuple[Decimal, Decimal]]]:
    """(total, open quantity, [(line amount, line open)]) from an order page's lines table."""
    doc = lxml.html.fromstring(page)
    table = doc.xpath("//table[contains(@class, 'po-lines')]")[0]
    heads = [th.text_content().strip() for th in table.xpath(".//thead//th")]
    lines = []
    for tr in table.xpath(".//tbody/tr"):
        cells = dict(zip(heads, [td.text_content().strip() for td in tr.xpath("./td")]))
        lines.append((number(cells["Amount"]), number(cells["Open"]) if "Open" in cells else Decimal(0)))
    total = number(table.xpath(".//*[@data-figure='total']")[0].text_content())
    opened = table.xpath(".//*[@data-figure='open-qty']")
    return total, (number(opened[0].text_content()) if opened else Decimal(0)), lines
