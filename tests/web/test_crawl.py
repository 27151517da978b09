"""A crawl of every page, as every role, on the demo data (`flask scm seed-demo`, a small assortment):
every GET route renders without a server error, as well-formed HTML (html5lib reports no parse
error), with a title under 100 characters, and with no number showing more decimals than its kind
allows (money: its currency's, a unit price below one up to four; days: two, as the plan's arithmetic shows
them; shares: two; any other number: three). Values shown
as recorded (the audit log's changes, coordinates) are marked `data-exact` and not checked.
The phone-width half of the crawl is in tests/e2e/test_phone_crawl.py (it needs Chromium).
"""
from __future__ import annotations

import re

import html5lib
import lxml.html
import pytest
from babel.numbers import get_currency_precision
from flask import Flask


from scm.extensions import db
from tests.demo_crawl import crawl_urls, demo_app_data

ROLES = ("admin", "buyer", "warehouse", "viewer", "supplier")
MAX_TITLE = 100
SKIPPED_TAGS = {"script", "style", "textarea", "code", "pre", "option", "select"}
NUMBER = re.compile(r"(?<![\w.,/:-])(\d{1,3}(?:,\d{3})+|\d+)\.(\d+)(?![\d.,/:-])\s?(?:\u00a0)?"
                    r"([A-Z]{3}\b|days?\b|%)?")


def badly_formatted_numbers(html: bytes) -> list[str]:
    """Numbers in the visible text with more decimals than their kind allows."""
    tree = lxml.html.fromstring(html.decode("utf-8"))
    bad = []
    for element in tree.iter():
        if not isinstance(element.tag, str) or element.tag in SKIPPED_TAGS:
            continue
        if any(a.tag in SKIPPED_TAGS or a.get("data-exact") is not None for a in element.iterancestors()) or \
                element.get("data-exact") is not None:
            continue
        for chunk in (element.text, *(child.tail for child in element)):
            for match in NUMBER.finditer(chunk or ""):
                decimals, kind = len(match.group(2)), match.group(3) or ""
                price = element.get("data-kind") == "price" or any(
                    a.get("data-kind") == "price" for a in element.iterancestors())
                if kind.startswith("day"):
                    allowed = 2
                elif kind == "%":
                    allowed = 2
                elif len(kind) == 3 and kind.isupper():
                    try:
                        allowed = 4 if price else get_currency_precision(kind)
                    except Exception:  # noqa: BLE001  (three capitals that are not a currency)
                        allowed = 3
                else:
                    allowed = 4 if price else 3
                if decimals > allowed:
                    bad.append(match.group(0).strip())
    return bad


def test_the_number_check_sees_what_a_person_would_call_wrong():
    page = ("<html><head><title>x</title></head><body><p>34.8448 USD, 195.275\u00a0USD, 5.333333 days, "
            "97.456 %, 526.429 left, 1.2345 left</p><p>2,808.18 USD 12 JPY 1.5 days 0.125 kg "
            "FAS-0001 2026-12-04 10:30 <span data-kind='price'>0.6561 USD</span></p><code>1.23456</code>"
            "</body></html>").encode()
    assert badly_formatted_numbers(page) == ["34.8448 USD", "195.275\u00a0USD", "5.333333 days", "97.456 %",
                                             "1.2345"]


@pytest.fixture
def demo(app: Flask):  # type: ignore[no-untyped-def]
    return demo_app_data(app)


def test_every_page_as_every_role_renders_well_formed_with_a_short_title(app, demo, make_app):
    problems: list[str] = []
    pages = 0
    for role in ROLES:
        client = app.test_client()
        response = client.post("/login", data={"email": f"{role}@demo.local", "password": demo.password})
        assert response.status_code == 302, f"{role} cannot log in"
        for url in crawl_urls(db.session, role):
            response = client.get(url)
            where = f"{role} GET {url}"
            if response.status_code >= 500:
                problems.append(f"{where}: {response.status_code}")
                continue
            if response.status_code != 200 or response.mimetype != "text/html":
                continue
            pages += 1
            parser = html5lib.HTMLParser(strict=False)
            parser.parse(response.data)
            if parser.errors:
                problems.append(f"{where}: HTML parse errors {parser.errors[:3]}")
            title = lxml.html.fromstring(response.data).findtext(".//title") or ""
            if not title.strip() or len(title) > MAX_TITLE:
                problems.append(f"{where}: title of {len(title)} characters {title[:60]!r}")
            bad = badly_formatted_numbers(response.data)
            if bad:
                problems.append(f"{where}: numbers with too many decimals {bad[:5]}")
    assert pages > 150, f"only {pages} pages rendered: the crawl did not reach the pages"
    assert not problems, "\n".join(problems)
