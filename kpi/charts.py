"""Charts as inline SVG, drawn on the server from the same numbers as the tables beside them.

The Content-Security-Policy allows no inline style or script, so the markup carries only
geometry and CSS classes; static/css/kpi.css colours it. Series differ by colour, line
pattern and marker shape together, so no chart relies on colour alone, and every chart
is followed by a table with its numbers.
"""

import math
from dataclasses import dataclass

from markupsafe import Markup, escape

from kpi.formatting import format_number

WIDTH = 640
HEIGHT = 260
LEFT = 56
RIGHT = 112
TOP = 16
BOTTOM = 44
MAX_X_LABELS = 13
PLOT_WIDTH = WIDTH - LEFT - RIGHT
PLOT_HEIGHT = HEIGHT - TOP - BOTTOM


@dataclass(frozen=True)
class Series:
    """A named row of values, None where there is no value; style is 1, 2 or 3."""

    label: str
    values: list
    style: int = 1


@dataclass(frozen=True)
class ReferenceLine:
    value: float
    label: str


def nice_maximum(value):
    """Return a round axis maximum at or above value: 1, 2, 2.5, 5 or 10 times 10^k."""
    if value <= 0:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def _x(index, count):
    return LEFT + (index + 0.5) * PLOT_WIDTH / count


def _y(value, y_max):
    return TOP + PLOT_HEIGHT * (1 - min(value, y_max) / y_max)


def _number(value):
    return f"{value:.1f}"


def _open(chart_id, title, description):
    return [
        f'<svg class="kpi-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" focusable="false" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]


def axis_ticks(y_max):
    """Return the y-axis tick values from 0 to y_max, a result of nice_maximum.

    A maximum of 2 times a power of ten gets 4 steps (0.5 apart), every other one 5.
    """
    leading = y_max / 10 ** math.floor(math.log10(y_max))
    steps = 4 if leading == 2 else 5
    return [y_max * step / steps for step in range(steps + 1)]


def _y_axis(y_max, unit, lang):
    parts = []
    ticks = axis_ticks(y_max)
    # Enough decimals to tell the ticks apart: 0 for steps of 1 or more, 1 for 0.5.
    decimals = max(0, -math.floor(math.log10(ticks[1])))
    for value in ticks:
        y = _y(value, y_max)
        parts.append(f'<line class="kpi-grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" '
                     f'y1="{_number(y)}" y2="{_number(y)}"/>')
        label = format_number(value, decimals, lang) + unit
        parts.append(f'<text class="kpi-axis" x="{LEFT - 8}" y="{_number(y + 4)}" '
                     f'text-anchor="end">{escape(label)}</text>')
    return parts


def _x_axis(x_labels, axis_title):
    count = len(x_labels)
    every = max(1, math.ceil(count / MAX_X_LABELS))
    parts = [f'<line class="kpi-axis-line" x1="{LEFT}" x2="{WIDTH - RIGHT}" '
             f'y1="{TOP + PLOT_HEIGHT}" y2="{TOP + PLOT_HEIGHT}"/>']
    for index, label in enumerate(x_labels):
        if index % every:
            continue
        parts.append(f'<text class="kpi-axis" x="{_number(_x(index, count))}" '
                     f'y="{TOP + PLOT_HEIGHT + 18}" text-anchor="middle">{escape(label)}</text>')
    if axis_title:
        parts.append(f'<text class="kpi-axis kpi-axis-title" x="{LEFT + PLOT_WIDTH / 2:.1f}" '
                     f'y="{HEIGHT - 6}" text-anchor="middle">{escape(axis_title)}</text>')
    return parts


def marker(style, x, y):
    """Return the SVG marker of a series style: circle, square or triangle."""
    if style == 2:
        return (f'<rect class="kpi-marker kpi-series-2" x="{_number(x - 4)}" y="{_number(y - 4)}" '
                f'width="8" height="8"/>')
    if style == 3:
        points = f"{_number(x)},{_number(y - 5)} {_number(x + 5)},{_number(y + 4)} " \
                 f"{_number(x - 5)},{_number(y + 4)}"
        return f'<polygon class="kpi-marker kpi-series-3" points="{points}"/>'
    return f'<circle class="kpi-marker kpi-series-1" cx="{_number(x)}" cy="{_number(y)}" r="4"/>'


def _line(series, count, y_max):
    parts, segment = [], []
    points = []
    for index, value in enumerate(series.values):
        if value is None:
            if segment:
                points.append(segment)
            segment = []
            continue
        segment.append((_x(index, count), _y(value, y_max)))
    if segment:
        points.append(segment)
    for run in points:
        if len(run) > 1:
            path = " ".join(f"{_number(x)},{_number(y)}" for x, y in run)
            parts.append(f'<polyline class="kpi-line kpi-series-{series.style}" points="{path}"/>')
        parts.extend(marker(series.style, x, y) for x, y in run)
    return parts


def _reference(line, y_max):
    y = _y(line.value, y_max)
    return [
        f'<line class="kpi-reference" x1="{LEFT}" x2="{WIDTH - RIGHT}" '
        f'y1="{_number(y)}" y2="{_number(y)}"/>',
        f'<text class="kpi-reference-label" x="{WIDTH - RIGHT + 6}" y="{_number(y + 4)}">'
        f'{escape(line.label)}</text>',
    ]


def line_chart(chart_id, title, x_labels, series, *, unit="", y_max=None,
               reference_lines=(), axis_title="", lang="da", description=""):
    """Return an SVG line chart of series over x_labels, with optional reference lines."""
    values = [value for item in series for value in item.values if value is not None]
    values += [line.value for line in reference_lines]
    y_max = y_max or nice_maximum(max(values, default=0))
    parts = _open(chart_id, title, description)
    parts += _y_axis(y_max, unit, lang)
    parts += _x_axis(x_labels, axis_title)
    for line in reference_lines:
        parts += _reference(line, y_max)
    for item in series:
        parts += _line(item, len(x_labels), y_max)
    parts.append("</svg>")
    return Markup("\n".join(parts))


def bar_chart(chart_id, title, x_labels, series, *, unit="", axis_title="", lang="da",
              description=""):
    """Return an SVG chart of grouped bars: one bar per series at each x label."""
    values = [value or 0 for item in series for value in item.values]
    y_max = nice_maximum(max(values, default=0))
    count = len(x_labels)
    band = PLOT_WIDTH / max(count, 1)
    bar_width = band * 0.8 / max(len(series), 1)
    parts = _open(chart_id, title, description)
    parts += _y_axis(y_max, unit, lang)
    parts += _x_axis(x_labels, axis_title)
    for position, item in enumerate(series):
        for index, value in enumerate(item.values):
            if not value:
                continue
            x = LEFT + index * band + band * 0.1 + position * bar_width
            y = _y(value, y_max)
            parts.append(f'<rect class="kpi-bar kpi-series-{item.style}" x="{_number(x)}" '
                         f'y="{_number(y)}" width="{_number(bar_width)}" '
                         f'height="{_number(TOP + PLOT_HEIGHT - y)}"/>')
    parts.append("</svg>")
    return Markup("\n".join(parts))


def legend_swatch(style, bar=False):
    """Return a small SVG sample of a series' line and marker (or bar) for a legend."""
    if bar:
        body = f'<rect class="kpi-bar kpi-series-{style}" x="4" y="2" width="16" height="12"/>'
    else:
        body = (f'<line class="kpi-line kpi-series-{style}" x1="0" x2="24" y1="8" y2="8"/>'
                + marker(style, 12, 8))
    return Markup(f'<svg class="kpi-swatch" viewBox="0 0 24 16" width="24" height="16" '
                  f'aria-hidden="true" focusable="false">{body}</svg>')
