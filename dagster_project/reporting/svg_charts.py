"""Charts as inline SVG: the monthly pack opens offline, with no script and no remote file.

Each chart is one ``<svg>`` element with a ``data-chart`` name (tests look for every chart
of the pack by it), a ``<title>`` for screen readers, and its figures written as text
beside the marks, so the chart can be read without guessing lengths. Only the standard
library: drawing bars, boxes and lines needs no plotting package.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

Number = int | float | Decimal

_FONT = "font-family='system-ui, sans-serif' font-size='11'"
_PALETTE = ("#2f6db5", "#e08a1e", "#3a9a5b", "#b5443a", "#7b5ea7", "#5a6675")


def _num(value: Number | None) -> float:
    return float(value) if value is not None else 0.0


def _label(text: str) -> str:
    return html.escape(text, quote=True)


def _open(name: str, title: str, width: int, height: int) -> str:
    return (
        f'<svg class="chart" data-chart="{_label(name)}" '
        f'role="img" width="{width}" height="{height}" viewBox="0 0 {width} {height}">'
        f"<title>{_label(title)}</title>"
    )


def bar_chart(
    name: str, title: str, bars: Sequence[tuple[str, Number | None]], value_format: str = "{:,.0f}"
) -> str:
    """Horizontal bars, one per ``(label, value)``, the value written at the bar's end."""
    width, left, row = 640, 190, 22
    height = max(1, len(bars)) * row + 10
    top = max((_num(v) for _, v in bars), default=0.0) or 1.0
    parts = [_open(name, title, width, height)]
    for i, (label, value) in enumerate(bars):
        y = 5 + i * row
        length = max(0.0, _num(value)) / top * (width - left - 90)
        shown = "–" if value is None else value_format.format(_num(value)).replace(",", " ")
        parts.append(
            f"<text x='{left - 6}' y='{y + 14}' text-anchor='end' {_FONT}>{_label(label)}</text>"
            f"<rect class='bar' x='{left}' y='{y + 3}' width='{length:.1f}' height='{row - 6}' "
            f"fill='{_PALETTE[0]}'/>"
            f"<text x='{left + length + 4:.1f}' y='{y + 14}' {_FONT}>{_label(shown)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


@dataclass(frozen=True)
class Box:
    label: str
    q1: Number | None
    median: Number | None
    q3: Number | None
    points: Sequence[Number] = ()  # individual values, drawn as dots (unlabelled)
    marker: Number | None = None  # a reference value, drawn as a diamond


def box_chart(
    name: str, title: str, boxes: Sequence[Box], reference_line: Number | None = None
) -> str:
    """One horizontal box (first quartile to third, median bar) per row, with the row's
    individual values as dots and an optional vertical reference line (e.g. 100 %)."""
    width, left, row = 640, 190, 30
    height = max(1, len(boxes)) * row + 24
    values = [
        _num(v) for b in boxes for v in (b.q1, b.median, b.q3, b.marker, *b.points) if v is not None
    ]
    if reference_line is not None:
        values.append(_num(reference_line))
    low, high = min(values, default=0.0), max(values, default=1.0)
    low = min(low, 0.0)
    span = (high - low) or 1.0

    def x(value: Number) -> float:
        return left + (_num(value) - low) / span * (width - left - 20)

    parts = [_open(name, title, width, height)]
    for i, b in enumerate(boxes):
        y = 4 + i * row
        parts.append(
            f"<text x='{left - 6}' y='{y + 17}' text-anchor='end' {_FONT}>{_label(b.label)}</text>"
        )
        if b.q1 is not None and b.q3 is not None and b.median is not None:
            parts.append(
                f"<rect class='box' x='{x(b.q1):.1f}' y='{y + 6}' "
                f"width='{max(1.0, x(b.q3) - x(b.q1)):.1f}' height='16' fill='#cfdff2' "
                f"stroke='{_PALETTE[0]}'/>"
                f"<line class='median' x1='{x(b.median):.1f}' x2='{x(b.median):.1f}' "
                f"y1='{y + 4}' y2='{y + 24}' stroke='#1d2733' stroke-width='2'/>"
            )
        for point in b.points:
            parts.append(
                f"<circle class='point' cx='{x(point):.1f}' cy='{y + 14}' r='2.5' "
                f"fill='{_PALETTE[1]}' fill-opacity='0.8'/>"
            )
        if b.marker is not None:
            mx = x(b.marker)
            parts.append(
                f"<path class='marker' d='M{mx:.1f} {y + 8} l5 6 l-5 6 l-5 -6 z' "
                f"fill='{_PALETTE[3]}'/>"
            )
    if reference_line is not None:
        rx = x(reference_line)
        parts.append(
            f"<line class='reference' x1='{rx:.1f}' x2='{rx:.1f}' y1='0' y2='{height - 18}' "
            "stroke='#a4000f' stroke-dasharray='4 3'/>"
        )
    parts.append(
        f"<text x='{left}' y='{height - 4}' {_FONT}>{low:,.2f}</text>"
        f"<text x='{width - 20}' y='{height - 4}' text-anchor='end' {_FONT}>{high:,.2f}</text>"
        "</svg>"
    )
    return "".join(parts)


def line_chart(
    name: str, title: str, periods: Sequence[str], series: dict[str, Sequence[Number | None]]
) -> str:
    """One line per series over the periods (a gap where a value is missing), with a legend
    and the last value of each series written at its end."""
    width, height, left, bottom = 640, 220, 70, 30
    values = [_num(v) for s in series.values() for v in s if v is not None]
    low, high = min([*values, 0.0]), max(values, default=1.0) or 1.0
    span = (high - low) or 1.0
    step = (width - left - 120) / max(1, len(periods) - 1)

    def point(i: int, v: Number) -> tuple[float, float]:
        return left + i * step, 10 + (1 - (_num(v) - low) / span) * (height - bottom - 20)

    parts = [_open(name, title, width, height)]
    parts.append(
        f"<line x1='{left}' x2='{left}' y1='10' y2='{height - bottom}' stroke='#8995a3'/>"
        f"<text x='{left - 4}' y='14' text-anchor='end' {_FONT}>{high:,.0f}</text>"
        f"<text x='{left - 4}' y='{height - bottom}' text-anchor='end' {_FONT}>{low:,.0f}</text>"
    )
    for i, period in enumerate(periods):
        if i == 0 or i == len(periods) - 1 or len(periods) <= 6:
            px, _ = point(i, low)
            parts.append(
                f"<text x='{px:.1f}' y='{height - 10}' text-anchor='middle' {_FONT}>"
                f"{_label(period)}</text>"
            )
    for n, (name_, values_) in enumerate(series.items()):
        colour = _PALETTE[n % len(_PALETTE)]
        segments, current = [], []
        for i, v in enumerate(values_):
            if v is None:
                if current:
                    segments.append(current)
                current = []
            else:
                current.append(point(i, v))
        if current:
            segments.append(current)
        for segment in segments:
            coords = " ".join(f"{px:.1f},{py:.1f}" for px, py in segment)
            parts.append(
                f"<polyline class='series' points='{coords}' fill='none' stroke='{colour}' "
                "stroke-width='2'/>"
            )
            for px, py in segment:
                parts.append(f"<circle cx='{px:.1f}' cy='{py:.1f}' r='2.5' fill='{colour}'/>")
        parts.append(
            f"<rect x='{width - 110}' y='{12 + n * 16}' width='10' height='10' fill='{colour}'/>"
            f"<text x='{width - 96}' y='{21 + n * 16}' {_FONT}>{_label(name_)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
