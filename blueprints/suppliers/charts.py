"""Server-side SVG geometry for the scorecard trend (no JavaScript, no inline styles: CSP).

The template draws what `trend` returns with <polyline>, <circle> and <text>; colours come from classes
in app.css. A period without activity breaks the line and is marked "no activity" on the axis.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Sequence

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 44, 16, 16, 44
SERIES = (("overall", "Overall", "series-overall"), ("on_time", "On-time", "series-on-time"),
          ("quality", "Quality", "series-quality"))


@dataclass(frozen=True)
class Series:
    key: str
    label: str
    css: str
    segments: list[str] = field(default_factory=list)       # "x,y x,y ..." per unbroken run
    dots: list[tuple[float, float, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    series: list[Series]
    x_labels: list[tuple[float, str]]
    y_ticks: list[tuple[float, int]]
    thresholds: list[tuple[float, str, str]]
    idle: list[tuple[float, str]]

    @property
    def empty(self) -> bool:
        return not any(s.dots for s in self.series)


def _y(value: Decimal | float) -> float:
    return round(TOP + (HEIGHT - TOP - BOTTOM) * (1 - float(value) / 100), 1)


def trend(snapshots: Sequence[Any], labels: Sequence[str], thresholds: dict[str, int]) -> Chart:
    """Overall, on-time and quality scores (0-100) per period, oldest left."""
    count = max(1, len(snapshots))
    step = (WIDTH - LEFT - RIGHT) / max(1, count - 1)
    xs = [round(LEFT + step * i, 1) if count > 1 else (WIDTH - LEFT - RIGHT) / 2 + LEFT for i in range(count)]
    series = []
    for key, label, css in SERIES:
        segments, run, dots = [], [], []
        for x, snapshot, name in zip(xs, snapshots, labels):
            value = getattr(snapshot, key)
            if value is None:
                if run:
                    segments.append(" ".join(run))
                run = []
                continue
            run.append(f"{x},{_y(value)}")
            dots.append((x, _y(value), f"{label} {name}: {value}"))
        if run:
            segments.append(" ".join(run))
        series.append(Series(key, label, css, segments, dots))
    ticks = [s.period_start.strftime("%b %y" if i == 0 or s.period_start.month == 1 else "%b")
             for i, s in enumerate(snapshots)]
    return Chart(WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM, series,
                 x_labels=list(zip(xs, ticks)), y_ticks=[(_y(v), v) for v in (0, 25, 50, 75, 100)],
                 thresholds=[(_y(thresholds[k]), f"{name} {thresholds[k]}", f"threshold-{name}") for k, name in
                             (("preferred_min", "preferred"), ("approved_min", "approved"), ("watch_min", "watch"))],
                 idle=[(x, name) for x, s, name in zip(xs, snapshots, labels) if s.overall is None])
