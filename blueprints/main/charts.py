"""Small horizontal bar charts as inline SVG for the dashboard: drawn on the server, no chart library,
no CDN, only presentation attributes and classes (nothing for the CSP to refuse)."""
from __future__ import annotations

from decimal import Decimal
from typing import Sequence

from markupsafe import Markup, escape

WIDTH, ROW, LABEL, PAD = 420, 30, 100, 8


def bar_chart(rows: Sequence[tuple[str, Decimal | float | int | None]], *, title: str,
              maximum: float | None = None, fmt: str = "{:,.0f}", css: str = "") -> Markup:
    """One bar per (label, value), scaled to `maximum` (default: the largest value)."""
    if not rows:
        return Markup("")
    values = [float(v or 0) for _l, v in rows]
    top = maximum or max(values + [1.0])
    height = ROW * len(rows) + PAD
    span = WIDTH - LABEL - 96
    parts = [f'<svg class="mini-chart {escape(css)}" viewBox="0 0 {WIDTH} {height}" role="img" '
             f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>']
    for i, ((label, raw), value) in enumerate(zip(rows, values)):
        y = PAD / 2 + i * ROW
        width = max(0.0, span * value / top) if top else 0.0
        parts.append(f'<text class="mini-chart-label" x="{LABEL - 8}" y="{y + ROW / 2 + 4:.1f}" '
                     f'text-anchor="end">{escape(label)}</text>')
        parts.append(f'<rect class="mini-chart-track" x="{LABEL}" y="{y + 5:.1f}" width="{span}" height="{ROW - 10}" rx="3"/>')
        parts.append(f'<rect class="mini-chart-bar" x="{LABEL}" y="{y + 5:.1f}" width="{width:.1f}" '
                     f'height="{ROW - 10}" rx="3"/>')
        text = "—" if raw is None else fmt.format(value)
        parts.append(f'<text class="mini-chart-value" x="{LABEL + span + 8}" y="{y + ROW / 2 + 4:.1f}">'
                     f'{escape(text)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
