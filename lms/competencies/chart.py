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
