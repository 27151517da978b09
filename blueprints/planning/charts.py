"""Forecast chart as inline SVG, drawn on the server: no chart library, no CDN, nothing for CSP to refuse.

Only presentation attributes and classes are used (no style attributes), so it passes the CSP.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from markupsafe import Markup, escape

WIDTH, HEIGHT = 960, 320
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 36


@dataclass(frozen=True)
class ChartData:
    history_starts: tuple[str, ...]
    history: tuple[float, ...]
    missing: tuple[bool, ...]
    forecast_starts: tuple[str, ...]
    mean: tuple[float | None, ...]
    lo80: tuple[float | None, ...]
    hi80: tuple[float | None, ...]
    lo95: tuple[float | None, ...]
    hi95: tuple[float | None, ...]
    promotions: tuple[tuple[date, date], ...] = ()


def _num(value: float | None) -> float:
    return 0.0 if value is None else float(value)


def forecast_chart(data: ChartData, *, title: str) -> Markup:
    """History (bars of the last 2 years), forecast line, 80% and 95% bands, promotion shading."""
    history = list(zip(data.history_starts, data.history, data.missing))[-104:]
    starts = [s for s, _v, _m in history] + list(data.forecast_starts)
    if not starts:
        return Markup("")
    top = max([_num(v) for _s, v, _m in history] + [_num(v) for v in data.hi95] + [1.0]) * 1.08
    step = (WIDTH - LEFT - RIGHT) / len(starts)

    def x(i: float) -> float:
        return LEFT + step * i

    def y(v: float | None) -> float:
        return TOP + (HEIGHT - TOP - BOTTOM) * (1 - _num(v) / top)

    parts = [f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}" '
             f'preserveAspectRatio="none" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>']
    parts += _grid(top, y)
    parts += _promotions(data.promotions, starts, x, step)
    for i, (_start, value, missing) in enumerate(history):
        cls = "chart-bar chart-bar-missing" if missing else "chart-bar"
        parts.append(f'<rect class="{cls}" x="{x(i) + step * 0.1:.1f}" y="{y(value):.1f}" '
                     f'width="{step * 0.8:.1f}" height="{max(0.0, y(0) - y(value)):.1f}"/>')
    offset = len(history)
    for lo, hi, cls in ((data.lo95, data.hi95, "chart-band95"), (data.lo80, data.hi80, "chart-band80")):
        upper = [f"{x(offset + i + 0.5):.1f},{y(v):.1f}" for i, v in enumerate(hi)]
        lower = [f"{x(offset + i + 0.5):.1f},{y(v):.1f}" for i, v in reversed(list(enumerate(lo)))]
        parts.append(f'<polygon class="{cls}" points="{" ".join(upper + lower)}"/>')
    line = " ".join(f"{x(offset + i + 0.5):.1f},{y(v):.1f}" for i, v in enumerate(data.mean))
    parts.append(f'<polyline class="chart-forecast" points="{line}"/>')
    parts.append(f'<line class="chart-now" x1="{x(offset):.1f}" y1="{TOP}" x2="{x(offset):.1f}" '
                 f'y2="{HEIGHT - BOTTOM}"/>')
    parts += _x_labels(starts, x, step)
    parts.append("</svg>")
    return Markup("".join(parts))


def _grid(top: float, y) -> list[str]:  # type: ignore[no-untyped-def]
    out = []
    for k in range(5):
        value = top * k / 4
        out.append(f'<line class="chart-grid" x1="{LEFT}" y1="{y(value):.1f}" x2="{WIDTH - RIGHT}" y2="{y(value):.1f}"/>')
        out.append(f'<text class="chart-label" x="{LEFT - 6}" y="{y(value) + 4:.1f}" text-anchor="end">'
                   f'{value:,.0f}</text>')
    return out


def _promotions(promotions, starts: list[str], x, step: float) -> list[str]:  # type: ignore[no-untyped-def]
    out = []
    days = [date.fromisoformat(s) for s in starts]
    for begin, end in promotions:
        covered = [i for i, d in enumerate(days) if begin <= d <= end or (i + 1 < len(days) and d < begin < days[i + 1])]
        if covered:
            out.append(f'<rect class="chart-promo" x="{x(covered[0]):.1f}" y="{TOP}" '
                       f'width="{step * len(covered):.1f}" height="{HEIGHT - TOP - BOTTOM}"/>')
    return out


def _x_labels(starts: list[str], x, step: float) -> list[str]:  # type: ignore[no-untyped-def]
    every = max(1, len(starts) // 8)
    return [f'<text class="chart-label" x="{x(i):.1f}" y="{HEIGHT - 12}">{escape(s)}</text>'
            for i, s in enumerate(starts) if i % every == 0]


def policy_chart(rows: list[tuple[str, float, float, str]], *, title: str) -> Markup:
    """Bars of average inventory per (label, inventory, fill rate, css class) row, label above each bar
    so the chart stays legible on a phone."""
    if not rows:
        return Markup("")
    width, row_h, bar_h = 320, 40, 14
    height = len(rows) * row_h + 4
    top = max(max(v for _l, v, _f, _c in rows), 1e-9)
    span = width - 8
    parts = [f'<svg class="chart chart-compare" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>']
    for i, (label, value, fill, cls) in enumerate(rows):
        y = i * row_h + 14
        parts.append(f'<text class="chart-label" x="0" y="{y}">{escape(label)}: {value:,.0f} units, '
                     f'fill rate {fill:.1%}</text>')
        parts.append(f'<rect class="{escape(cls)}" x="0" y="{y + 5}" width="{max(1.0, span * value / top):.1f}" '
                     f'height="{bar_h}"/>')
    parts.append("</svg>")
    return Markup("".join(parts))
