"""Small SVG bar charts drawn on the server: no chart library, nothing fetched from elsewhere."""

from django.utils.html import escape

PALETTE = ["#3949ab", "#2e7d32", "#8d6e63", "#c62828", "#f9a825", "#00838f", "#6a1b9a", "#546e7a"]


def bars(items: list[tuple[str, float]], *, width: int = 640, bar_height: int = 18, label_width: int = 140) -> str:
    """Horizontal bars, one per (label, value)."""
    top = max([v for _l, v in items] + [1])
    height = len(items) * (bar_height + 6) + 6
    rows = []
    for i, (label, value) in enumerate(items):
        y = 6 + i * (bar_height + 6)
        w = (width - label_width - 60) * value / top
        rows.append(
            f'<text x="{label_width - 6}" y="{y + bar_height - 5}" text-anchor="end" font-size="12">{escape(label)}</text>'
            f'<rect x="{label_width}" y="{y}" width="{w:.1f}" height="{bar_height}" fill="{PALETTE[0]}"><title>{escape(label)}: {value:g}</title></rect>'
            f'<text x="{label_width + w + 4:.1f}" y="{y + bar_height - 5}" font-size="12">{value:g}</text>'
        )
    return f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" role="img">{"".join(rows)}</svg>'


def stacked(
    categories: list[str],
    series: list[tuple[str, list[float]]],
    *,
    width: int = 640,
    bar_height: int = 18,
    label_width: int = 100,
) -> str:
    """Horizontal stacked bars: one bar per category, one colour per series, with a legend."""
    totals = [sum(values[i] for _n, values in series) for i in range(len(categories))]
    top = max(totals + [1])
    legend_height = 22
    height = legend_height + len(categories) * (bar_height + 6) + 6
    parts = []
    x = 0
    for k, (name, _values) in enumerate(series):
        parts.append(
            f'<rect x="{x}" y="4" width="12" height="12" fill="{PALETTE[k % len(PALETTE)]}"/><text x="{x + 16}" y="14" font-size="12">{escape(name)}</text>'
        )
        x += 16 + 14 * len(name) + 12
    for i, category in enumerate(categories):
        y = legend_height + 6 + i * (bar_height + 6)
        parts.append(
            f'<text x="{label_width - 6}" y="{y + bar_height - 5}" text-anchor="end" font-size="12">{escape(category)}</text>'
        )
        offset: float = label_width
        for k, (name, values) in enumerate(series):
            w = (width - label_width - 50) * values[i] / top
            if w:
                parts.append(
                    f'<rect x="{offset:.1f}" y="{y}" width="{w:.1f}" height="{bar_height}" fill="{PALETTE[k % len(PALETTE)]}"><title>{escape(category)} {escape(name)}: {values[i]:g}</title></rect>'
                )
            offset += w
        parts.append(f'<text x="{offset + 4:.1f}" y="{y + bar_height - 5}" font-size="12">{totals[i]:g}</text>')
    return f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" role="img">{"".join(parts)}</svg>'
