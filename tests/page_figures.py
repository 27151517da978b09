"""Reading the figures a person reads off a rendered page (lxml), robust to number formatting:
thousands separators, spaces, NBSP and currency codes are stripped before comparing as Decimal."""
from __future__ import annotations

import re
from decimal import Decimal

from lxml import html


def number(text: str) -> Decimal:
    """A number as a person reads it: '2,808.18 USD' -> Decimal('2808.18'); '1 234,5' is not supported."""
    cleaned = re.sub(r"[^0-9.\-]", "", text.replace("\u2212", "-"))
    assert cleaned, f"no number in {text!r}"
    return Decimal(cleaned)


def table_rows(page: bytes | str) -> dict[str, dict[str, str]]:
    """Rows of a list page's first table keyed by the text of their first cell, as {header: cell text}."""
    doc = html.fromstring(page)
    table = doc.xpath("//table")[0]
    heads = [th.text_content().strip() for th in table.xpath(".//thead//th")]
    rows = {}
    for tr in table.xpath(".//tbody/tr"):
        cells = [" ".join(td.text_content().split()) for td in tr.xpath("./td")]
        rows[cells[0]] = dict(zip(heads, cells))
    return rows


def order_page_figures(page: bytes | str) -> tuple[Decimal, Decimal, list[tuple[Decimal, Decimal]]]:
    """(total, open quantity, [(line amount, line open)]) from an order page's lines table."""
    doc = html.fromstring(page)
    table = doc.xpath("//table[contains(@class, 'po-lines')]")[0]
    heads = [th.text_content().strip() for th in table.xpath(".//thead//th")]
    lines = []
    for tr in table.xpath(".//tbody/tr"):
        cells = dict(zip(heads, [td.text_content().strip() for td in tr.xpath("./td")]))
        lines.append((number(cells["Amount"]), number(cells["Open"]) if "Open" in cells else Decimal(0)))
    total = number(table.xpath(".//*[@data-figure='total']")[0].text_content())
    opened = table.xpath(".//*[@data-figure='open-qty']")
    return total, (number(opened[0].text_content()) if opened else Decimal(0)), lines
