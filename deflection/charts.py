"""The funnel chart as plain SVG geometry computed on the server (no script, no external library)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.formats import date_format

from deflection.selectors import FunnelRow

SERIES = ("sessions", "with_suggestions", "deflected", "escalated")
COLORS = {"sessions": "#8a8f98", "with_suggestions": "#1f5fbf", "deflected": "#1e8a4c", "escalated": "#c2410c"}


@dataclass(frozen=True)
class Line:
    name: str
    color: str
    points: str  # "x,y x,y ..." for <polyline points>


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: int
    bottom: int
    top: int
    right: int
    lines: list[Line]
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    maximum: int


def funnel_chart(rows: list[FunnelRow], *, width: int = 720, height: int = 240) -> Chart:
    """Lines for sessions, sessions with suggestions, deflected and escalated over the periods of ``rows``."""
    left, right, top, bottom = 44, 12, 12, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    maximum = max([1, *(getattr(row, name) for row in rows for name in SERIES)])
    step = plot_w / max(len(rows) - 1, 1)

    def x(index: int) -> float:
        return round(left + index * step, 1)

    def y(value: int) -> float:
        return round(top + plot_h - plot_h * value / maximum, 1)

    lines = [
        Line(name, COLORS[name], " ".join(f"{x(i)},{y(getattr(row, name))}" for i, row in enumerate(rows)))
        for name in SERIES
    ]
    y_ticks = [Tick(y(value), str(value)) for value in sorted({0, maximum // 2, maximum})]
    every = max(1, len(rows) // 6)
    x_ticks = [
        Tick(x(i), date_format(row.period_start, "MONTH_DAY_FORMAT")) for i, row in enumerate(rows) if i % every == 0
    ]
    return Chart(width, height, left, height - bottom, top, width - right, lines, y_ticks, x_ticks, maximum)
