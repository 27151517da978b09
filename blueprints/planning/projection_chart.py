"""Projected stock chart as inline SVG, drawn on the server (classes only, no style attributes: CSP).

Draws what `replenishment_projection.Projection` holds, nothing recomputed: the end-of-day projected
stock of each day, the open orders and transfers at their expected day (markers, with a title naming
them), the safety stock, reorder point and order-up-to lines, and the stock-out day.
"""
from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape

WIDTH, HEIGHT = 960, 320
LEFT, RIGHT, TOP, BOTTOM = 56, 120, 16, 36


def _scale(low: float, high: float) -> tuple[float, float]:
    span = max(high - low, 1.0)
    return low - span * 0.05, high + span * 0.08


def projection_chart(projection: Any, *, title: str) -> Markup:
    """The chart of one pair's projection (see the module docstring)."""
    days, a = projection.days, projection.arithmetic
    if not days:
        return Markup("")
    levels = [("safety", "safety stock", a["safety_stock"]), ("rop", "reorder point", a["reorder_point"]),
              ("upto", "order-up-to", a["order_up_to"])]
    values = [d.projected for d in days] + [v for _c, _l, v in levels] + [0.0]
    low, high = _scale(min(values), max(values))
    step = (WIDTH - LEFT - RIGHT) / len(days)

    def x(i: float) -> float:
        return LEFT + step * (i + 0.5)

    def y(v: float) -> float:
        return TOP + (HEIGHT - TOP - BOTTOM) * (high - v) / (high - low)

    parts = [f'<svg class="chart chart-projection" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
             f'aria-label="{escape(title)}" preserveAspectRatio="none" xmlns="http://www.w3.org/2000/svg">'
             f'<title>{escape(title)}</title>']
    for k in range(5):
        value = low + (high - low) * k / 4
        parts.append(f'<line class="chart-grid" x1="{LEFT}" y1="{y(value):.1f}" x2="{WIDTH - RIGHT}" '
                     f'y2="{y(value):.1f}"/><text class="chart-label" x="{LEFT - 6}" y="{y(value) + 4:.1f}" '
                     f'text-anchor="end">{value:,.0f}</text>')
    parts.append(f'<line class="chart-zero" x1="{LEFT}" y1="{y(0):.1f}" x2="{WIDTH - RIGHT}" y2="{y(0):.1f}"/>')
    for cls, label, value in levels:
        parts.append(f'<line class="chart-level chart-level-{cls}" data-level="{cls}" data-value="{value}" '
                     f'x1="{LEFT}" y1="{y(value):.1f}" x2="{WIDTH - RIGHT}" y2="{y(value):.1f}"/>'
                     f'<text class="chart-label chart-level-label" x="{WIDTH - RIGHT + 4}" y="{y(value) + 4:.1f}">'
                     f'{escape(label)} {value:,.0f}</text>')
    points = " ".join(f"{x(i):.1f},{y(d.projected):.1f}" for i, d in enumerate(days))
    parts.append(f'<polyline class="chart-projected" data-days="{len(days)}" points="{points}"/>')
    parts += _receipts(projection, x, y)
    parts += _stockout(projection, x)
    every = 7
    parts += [f'<text class="chart-label" x="{x(i) - step / 2:.1f}" y="{HEIGHT - 12}">{d.day.isoformat()}</text>'
              for i, d in enumerate(days) if i % every == 0]
    parts.append("</svg>")
    return Markup("".join(parts))


def _receipts(projection: Any, x, y) -> list[str]:  # type: ignore[no-untyped-def]
    """A marker on each day something is expected, titled with the orders and transfers due that day."""
    a = projection.arithmetic
    due: dict[str, list[str]] = {}
    for o in a.get("on_order_lines", []):
        due.setdefault(o["due"], []).append(f"{o['number']} ({o['status'].replace('_', ' ')}): {o['qty']}")
    for t in a.get("in_transit_lines", []):
        due.setdefault(t["due"], []).append(f"transfer {t['transfer_id']}: {t['qty']}")
    out = []
    for i, d in enumerate(projection.days):
        if d.receipts <= 0:
            continue
        names = "; ".join(due.get(d.day.isoformat(), [])) or "receipt"
        out.append(f'<circle class="chart-receipt" data-date="{d.day.isoformat()}" data-qty="{d.receipts}" '
                   f'cx="{x(i):.1f}" cy="{y(d.projected):.1f}" r="6"><title>{escape(d.day.isoformat())}: '
                   f'{escape(names)}</title></circle>')
    return out


def _stockout(projection: Any, x) -> list[str]:  # type: ignore[no-untyped-def]
    day = projection.figures.stockout_on
    if day is None:
        return []
    i = (day - projection.as_of).days
    return [f'<line class="chart-stockout" data-date="{day.isoformat()}" x1="{x(i):.1f}" y1="{TOP}" x2="{x(i):.1f}" '
            f'y2="{HEIGHT - BOTTOM}"/><text class="chart-label chart-stockout-label" x="{x(i) + 4:.1f}" '
            f'y="{TOP + 12}">stock-out {day.isoformat()}</text>']
