"""An SVG bar chart of the nine SKM elements, one bar per period, for the impact PDF.

Drawn by hand as inline SVG (WeasyPrint renders it as vectors): no plotting library, and the
numbers on the bars are formatted the Indonesian way. Values are element scores on the IKM
scale (NRR x 25, 25–100); dashed lines mark the category floors B (76.61) and A (88.31) so a
reader sees which elements sit in which band.
"""

from __future__ import annotations

from html import escape

from lms.shared.indonesian import format_decimal_id

COLORS = ("#9aa5b1", "#1f5fa8", "#2e8b57", "#c07a12", "#7a3ea1")
"""Bar colours per period in order (before in grey, after in blue, then others)."""

_WIDTH, _HEIGHT = 660, 260
_LEFT, _RIGHT, _TOP, _BOTTOM = 30, 44, 14, 34
_FLOORS = ((76.61, "B 76,61"), (88.31, "A 88,31"))


def element_chart(
    periods: list[str], values: list[dict[str, float]], highlight: tuple[str, ...] = ("U6", "U7")
) -> str:
    """Return an ``<svg>`` with grouped bars: elements U1–U9 on the x axis, one bar per period.

    Args:
        periods: Period names, in the order of ``values`` (escaped here).
        values: Per period, element code -> score on the 0–100 scale.
        highlight: Elements whose labels are drawn in bold (what training aims at).
    """
    codes = [f"U{i}" for i in range(1, 10)]
    plot_w = _WIDTH - _LEFT - _RIGHT
    plot_h = _HEIGHT - _TOP - _BOTTOM
    group_w = plot_w / len(codes)
    count = max(len(periods), 1)
    bar_w = min(22.0, (group_w - 10) / count)

    def y(value: float) -> float:
        return _TOP + plot_h * (1 - max(0.0, min(value, 100.0)) / 100)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_WIDTH}" height="{_HEIGHT}" '
        f'viewBox="0 0 {_WIDTH} {_HEIGHT}" font-family="DejaVu Sans, sans-serif" font-size="9">'
    ]
    for tick in (0, 25, 50, 75, 100):
        parts.append(
            f'<line x1="{_LEFT}" y1="{y(tick):.1f}" x2="{_WIDTH - _RIGHT}" y2="{y(tick):.1f}" '
            'stroke="#ddd" stroke-width="0.6"/>'
            f'<text x="{_LEFT - 4}" y="{y(tick) + 3:.1f}" text-anchor="end" fill="#555">'
            f"{tick}</text>"
        )
    for value, label in _FLOORS:
        parts.append(
            f'<line x1="{_LEFT}" y1="{y(value):.1f}" x2="{_WIDTH - _RIGHT}" y2="{y(value):.1f}" '
            'stroke="#b33" stroke-width="0.7" stroke-dasharray="4 3"/>'
            f'<text x="{_WIDTH - _RIGHT + 3}" y="{y(value) + 3:.1f}" text-anchor="start" '
            f'fill="#b33" font-size="7.5">{label}</text>'
        )
    for index, code in enumerate(codes):
        group_x = _LEFT + index * group_w + (group_w - bar_w * count) / 2
        for p, period_values in enumerate(values):
            value = period_values.get(code, 0.0)
            x = group_x + p * bar_w
            top = y(value)
            parts.append(
                f'<rect x="{x:.1f}" y="{top:.1f}" width="{bar_w - 1.5:.1f}" '
                f'height="{_TOP + plot_h - top:.1f}" fill="{COLORS[p % len(COLORS)]}"/>'
                f'<text x="{x + (bar_w - 1.5) / 2:.1f}" y="{top - 2:.1f}" text-anchor="middle" '
                f'font-size="6.5" fill="#222">{format_decimal_id(value, 1)}</text>'
            )
        weight = ' font-weight="bold"' if code in highlight else ""
        parts.append(
            f'<text x="{_LEFT + (index + 0.5) * group_w:.1f}" y="{_HEIGHT - _BOTTOM + 13}" '
            f'text-anchor="middle"{weight}>{code}</text>'
        )
    legend_x = _LEFT
    for p, period in enumerate(periods):
        parts.append(
            f'<rect x="{legend_x}" y="{_HEIGHT - 12}" width="9" height="9" '
            f'fill="{COLORS[p % len(COLORS)]}"/>'
            f'<text x="{legend_x + 13}" y="{_HEIGHT - 4}">{escape(period)}</text>'
        )
        legend_x += 24 + 6 * len(period)
    parts.append("</svg>")
    return "".join(parts)


_BAR_W, _BAR_LABEL, _BAR_VALUE, _BAR_H, _BAR_GAP = 340, 30, 36, 15, 10


def element_bars(periods: list[str], values: list[dict[str, float]], *, title: str) -> str:
    """Return an ``<svg>`` for a phone's width (the page's chart): one row per element U1–U9,
    a horizontal bar per period, its value at the end, and the B and A floors as dashed lines.

    It carries ``role="img"`` and ``title`` as its name; the page prints the same figures in a
    table beside it.

    Args:
        periods: Period names, in the order of ``values`` (escaped here).
        values: Per period, element code -> score on the 0–100 scale.
        title: What the chart shows, for screen readers.
    """
    codes = [f"U{i}" for i in range(1, 10)]
    count = max(len(periods), 1)
    legend_h = 20 * ((len(periods) + 1) // 2) + 6
    group_h = count * _BAR_H + _BAR_GAP
    height = legend_h + len(codes) * group_h + 34
    plot = _BAR_W - _BAR_LABEL - _BAR_VALUE

    def x(value: float) -> float:
        return _BAR_LABEL + plot * max(0.0, min(value, 100.0)) / 100

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_BAR_W} {height}" role="img" '
        f'aria-labelledby="grafik-judul" class="chart" font-family="sans-serif" font-size="13">'
        f'<title id="grafik-judul">{escape(title)}</title>'
    ]
    for p, period in enumerate(periods):
        lx = (p % 2) * (_BAR_W / 2)
        ly = (p // 2) * 20
        parts.append(
            f'<rect x="{lx:.1f}" y="{ly + 2}" width="13" height="13" '
            f'fill="{COLORS[p % len(COLORS)]}"/>'
            f'<text x="{lx + 18:.1f}" y="{ly + 13}" fill="#1f2933">{escape(period)}</text>'
        )
    top = legend_h
    bottom = legend_h + len(codes) * group_h
    # The floors first, so bars and their values are drawn over the dashed lines.
    for step, (value, label) in enumerate(_FLOORS):
        parts.append(
            f'<line x1="{x(value):.1f}" y1="{top - 2}" x2="{x(value):.1f}" '
            f'y2="{bottom + 3 + 14 * step}" stroke="#b33" stroke-width="1" '
            'stroke-dasharray="4 3"/>'
            f'<text x="{x(value) - 3:.1f}" y="{bottom + 14 + 14 * step}" text-anchor="end" '
            f'fill="#9b1c1c" font-size="11">{label}</text>'
        )
    for index, code in enumerate(codes):
        gy = top + index * group_h
        weight = ' font-weight="bold"' if code in ("U6", "U7") else ""
        parts.append(
            f'<text x="0" y="{gy + count * _BAR_H / 2 + 5:.1f}" fill="#1f2933"{weight}>'
            f"{code}</text>"
        )
        for p, period_values in enumerate(values):
            value = period_values.get(code, 0.0)
            by = gy + p * _BAR_H
            parts.append(
                f'<rect x="{_BAR_LABEL}" y="{by:.1f}" width="{x(value) - _BAR_LABEL:.1f}" '
                f'height="{_BAR_H - 2}" fill="{COLORS[p % len(COLORS)]}"/>'
                f'<text x="{x(value) + 3:.1f}" y="{by + _BAR_H - 4:.1f}" font-size="11" '
                'fill="#1f2933" stroke="#fff" stroke-width="3" paint-order="stroke">'
                f"{format_decimal_id(value, 1)}</text>"
            )
    parts.append("</svg>")
    return "".join(parts)
