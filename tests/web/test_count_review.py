"""A cycle count names its warehouse, shows its differences before it posts, and asks again for large ones.

The defect: a count posted −97 % differences into the default warehouse with nobody seeing them. Pages
are read as a person reads them (lxml), numbers parsed robustly so a formatting change keeps them passing.
"""
from __future__ import annotations

import re
from decimal import Decimal

import lxml.html
import pytest
from sqlalchemy import func, select

from scm.models import StockCount, StockMove
from scm.services.stock import ledger as stock_ledger
from scm.services.stock.counts import LargeCountVariance, VarianceLimits
from tests import factories as f

D = Decimal


def doc(response):  # type: ignore[no-untyped-def]
    return lxml.html.fromstring(response.get_data(as_text=True))


def number(text: str) -> Decimal | None:
    """A number as shown: thousands separators, non-breaking spaces, currency codes, % and signs handled."""
    cleaned = re.sub(r"[^\d.,+\-−]", "", text.replace("\u2212", "-").replace("−", "-")).replace(",", "")
    return D(cleaned) if re.search(r"\d", cleaned) else None


def table(response, table_id: str) -> dict[str, dict[str, str]]:  # type: ignore[no-untyped-def]
    """{SKU: {column header: cell text}} of the table with this id."""
    page = doc(response)
    headers = [th.text_content().strip() for th in page.xpath(f"//table[@id='{table_id}']/thead/tr/th")]
    rows = {}
    for tr in page.xpath(f"//table[@id='{table_id}']/tbody/tr"):
        cells = [td.text_content().strip() for td in tr.xpath("./td")]
        sku = tr.xpath("./td[1]//code")  # the SKU, without a badge beside it
        rows[sku[0].text_content().strip() if sku else cells[0]] = dict(zip(headers, cells))
    return rows


def flashes(response) -> list[str]:  # type: ignore[no-untyped-def]
    """Each flashed message as read, without the screen-reader prefix ("Done:")."""
    out = []
    for el in doc(response).xpath("//p[contains(@class,'flash-text')]"):
        for prefix in el.xpath(".//*[contains(@class,'sr-only')]"):
            prefix.drop_tree()
        out.append(" ".join(el.text_content().split()))
    return out


def hidden(response) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    """The form the page would post back (every input with a name, as the browser sends it)."""
    out: dict[str, list[str]] = {}
    for el in doc(response).xpath("//form[@id='count-confirm']//input[@name]"):
        if el.get("type") in ("checkbox", "radio") and el.get("checked") is None:
            continue
        out.setdefault(el.get("name"), []).append(el.get("value") or "")
    return out


def nothing_counted(session) -> bool:  # type: ignore[no-untyped-def]
    session.expire_all()
    return session.scalar(select(func.count()).select_from(StockCount)) == 0 and \
        session.scalar(select(func.count()).select_from(StockMove).where(StockMove.kind == "count")) == 0


@pytest.fixture
def shelf(session):  # type: ignore[no-untyped-def]
    """BOLT-M8 (2.50 each) 10 on hand and NUT-M8 4 on hand in WH-EAST; WH-WEST is empty."""
    bolt, nut = f.item(session, "BOLT-M8", unit_cost=D("2.50")), f.item(session, "NUT-M8", unit_cost=D("0.10"))
    east, west = f.warehouse(session, "WH-EAST", name="East"), f.warehouse(session, "WH-WEST", name="West")
    f.stock(session, bolt, east, 10)
    f.stock(session, nut, east, 4)
    return bolt, nut, east, west


def _count(warehouse_id, *lines: tuple[str, str], **extra: str) -> dict[str, object]:  # type: ignore[no-untyped-def]
    data: dict[str, object] = {"warehouse_id": warehouse_id, **extra}
    for index, (sku, qty) in enumerate(lines):
        data[f"lines-{index}-sku"], data[f"lines-{index}-quantity"] = sku, qty
    return data


def test_the_count_form_has_no_default_warehouse(client, session, login_as, shelf):
    login_as("warehouse")
    page = doc(client.get("/stock/count"))
    select_el = page.xpath("//select[@name='warehouse_id']")[0]
    assert select_el.get("data-remember") is None  # no warehouse brought back from the last posting
    chosen = select_el.xpath("./option[@selected]")
    assert [o.get("value") for o in chosen] in ([], [""]) and select_el.xpath("./option")[0].get("value") == ""
    response = client.post("/stock/count", data=_count("", ("BOLT-M8", "8")))
    assert response.status_code == 422
    assert [li.text_content() for li in doc(response).xpath("//*[@id='warehouse_id-error']/li")] == [
        "choose the warehouse you counted"]
    assert nothing_counted(session)


def test_a_count_shows_its_differences_then_posts_them_and_names_warehouse_and_document(
        client, session, login_as, shelf):
    bolt, nut, east, _west = shelf
    login_as("warehouse")
    review = client.post("/stock/count", data=_count(east.id, ("BOLT-M8", "8"), ("NUT-M8", "4")))
    assert review.status_code == 200
    assert nothing_counted(session)
    rows = table(review, "count-review")
    assert {sku: (number(r["On hand"]), number(r["Counted"]), number(r["Difference"]), number(r["Value"]),
                  number(r["Share"])) for sku, r in rows.items()} == {
        "BOLT-M8": (D(10), D(8), D(-2), D("-5.00"), D("-20.0")),   # −2 × 2.50; −2 / 10
        "NUT-M8": (D(4), D(4), D(0), D("0.00"), D("0.0"))}
    assert "WH-EAST" in doc(review).xpath("//h1")[0].text_content()
    assert not doc(review).xpath("//table[@id='count-large']")
    posted = client.post("/stock/count", data={k: v if len(v) > 1 else v[0] for k, v in hidden(review).items()})
    assert posted.status_code == 302
    count = session.scalar(select(StockCount))
    assert posted.headers["Location"].endswith(f"/stock/counts/{count.id}")
    detail = client.get(posted.headers["Location"])
    assert f"Count CNT-{count.id:06d} posted in WH-EAST: 1 difference" in flashes(detail)
    assert {sku: number(r["Difference"]) for sku, r in table(detail, "count-lines").items()} == {
        "BOLT-M8": D(-2), "NUT-M8": D(0)}
    moves = session.scalars(select(StockMove).where(StockMove.kind == "count")).all()
    assert [(m.item_id, m.qty_delta, m.balance_after) for m in moves] == [(bolt.id, D(-2), D(8))]
    assert stock_ledger.ledger_check(session) == []


def test_a_large_variance_is_confirmed_a_second_time_with_the_large_lines_listed(client, session, login_as, shelf):
    bolt, nut, east, _west = shelf
    f.stock(session, bolt, east, 90)   # 100 on hand
    login_as("warehouse")
    review = client.post("/stock/count", data=_count(east.id, ("BOLT-M8", "3"), ("NUT-M8", "4")))
    assert review.status_code == 200
    assert number(table(review, "count-review")["BOLT-M8"]["Share"]) == D("-97.0")
    first = client.post("/stock/count", data={k: v[0] for k, v in hidden(review).items()})
    assert first.status_code == 200 and nothing_counted(session)  # asked again, nothing posted
    large = table(first, "count-large")
    assert list(large) == ["BOLT-M8"]
    assert (number(large["BOLT-M8"]["On hand"]), number(large["BOLT-M8"]["Counted"]),
            number(large["BOLT-M8"]["Difference"]), number(large["BOLT-M8"]["Value"]),
            number(large["BOLT-M8"]["Share"])) == (D(100), D(3), D(-97), D("-242.50"), D("-97.0"))
    posted = client.post("/stock/count", data={k: v[0] for k, v in hidden(first).items()})
    assert posted.status_code == 302
    count = session.scalar(select(StockCount))
    assert f"Count CNT-{count.id:06d} posted in WH-EAST: 1 difference" in flashes(client.get(posted.headers["Location"]))
    assert stock_ledger.ledger_check(session) == []


def test_a_large_value_alone_is_a_large_variance(client, session, login_as):
    pump = f.item(session, "PUMP-1", unit_cost=D("50"))
    east = f.warehouse(session, "WH-EAST")
    f.stock(session, pump, east, 100)
    login_as("warehouse")
    review = client.post("/stock/count", data=_count(east.id, ("PUMP-1", "70")))   # −30 %, but −1,500.00
    assert number(table(review, "count-review")["PUMP-1"]["Value"]) == D("-1500.00")
    again = client.post("/stock/count", data={k: v[0] for k, v in hidden(review).items()})
    assert list(table(again, "count-large")) == ["PUMP-1"] and nothing_counted(session)


def test_the_limits_are_settings(make_app, session):
    app = make_app(SCM_COUNT_VARIANCE_SHARE="10", SCM_COUNT_VARIANCE_VALUE="5")
    limits = VarianceLimits.from_config(app.config)
    assert (limits.share_pct, limits.value) == (D(10), D(5))
    defaults = VarianceLimits.from_config({})
    assert (defaults.share_pct, defaults.value) == (D(50), D(1000))
    with pytest.raises(ValueError, match="SCM_COUNT_VARIANCE_SHARE"):
        VarianceLimits.from_config({"SCM_COUNT_VARIANCE_SHARE": "lots"})
    with pytest.raises(ValueError, match="SCM_COUNT_VARIANCE_VALUE"):
        make_app(SCM_COUNT_VARIANCE_VALUE="-5")   # a typo stops the start, not a count


def test_a_stale_review_still_posts_against_on_hand_at_posting_and_says_so(client, session, login_as, shelf):
    bolt, _nut, east, _west = shelf
    login_as("warehouse")
    review = client.post("/stock/count", data=_count(east.id, ("BOLT-M8", "8")))
    assert number(table(review, "count-review")["BOLT-M8"]["On hand"]) == D(10)
    f.stock(session, bolt, east, 5)   # someone receives 5 between the review and the confirmation
    session.commit()
    posted = client.post("/stock/count", data={k: v[0] for k, v in hidden(review).items()})
    assert posted.status_code == 302
    detail = client.get(posted.headers["Location"])
    shown = flashes(detail)
    assert any("on hand changed since your review" in m for m in shown), shown
    line = table(detail, "count-lines")["BOLT-M8"]
    assert (number(line["System"]), number(line["Counted"]), number(line["Difference"])) == (D(15), D(8), D(-7))
    assert stock_ledger.ledger_check(session) == []


def test_a_line_that_became_large_after_the_review_is_asked_again(client, session, login_as, shelf):
    bolt, _nut, east, _west = shelf
    login_as("warehouse")
    review = client.post("/stock/count", data=_count(east.id, ("BOLT-M8", "8")))   # −20 %: not large
    f.stock(session, bolt, east, 90)   # now 100 on hand: −92 %
    session.commit()
    again = client.post("/stock/count", data={k: v[0] for k, v in hidden(review).items()})
    assert again.status_code == 200 and nothing_counted(session)
    assert number(table(again, "count-large")["BOLT-M8"]["On hand"]) == D(100)


def test_the_ledger_refuses_large_lines_without_their_confirmation(session, shelf):
    bolt, _nut, east, _west = shelf
    limits = VarianceLimits()
    with pytest.raises(LargeCountVariance) as asked:
        stock_ledger.post_count(session, warehouse_id=east.id, counts=[(bolt.id, D(1))], actor=f.actor(),
                                limits=limits)
    token = asked.value.details["confirm_token"]
    assert [line["sku"] for line in asked.value.details["lines"]] == ["BOLT-M8"]
    with pytest.raises(LargeCountVariance):
        stock_ledger.post_count(session, warehouse_id=east.id, counts=[(bolt.id, D(2))], actor=f.actor(),
                                limits=limits, confirmed_large=token)   # another figure: not what was confirmed
    count = stock_ledger.post_count(session, warehouse_id=east.id, counts=[(bolt.id, D(1))], actor=f.actor(),
                                    limits=limits, confirmed_large=token)
    assert count.differences_posted == 1 and count.number == f"CNT-{count.id:06d}"


def test_a_lower_share_setting_makes_a_20_pct_difference_large(make_app, session, shelf):
    _bolt, _nut, east, _west = shelf
    strict = make_app(SCM_COUNT_VARIANCE_SHARE="10").test_client()
    f.login(strict, session, f.user(session, "warehouse"))
    review = strict.post("/stock/count", data=_count(east.id, ("BOLT-M8", "8")))   # −20 %, −5.00
    assert list(table(review, "count-large")) == ["BOLT-M8"]
