"""The reach report's charts, drawn on the server as SVG a coordinator can put in a report:
bars per province and a line over the years, each with took part, delivered and completed.

Accessible: `role="img"` with an `aria-label` (the chart's title, also its `<title>`) and a
`<desc>` with every number (`aria-describedby`; the page shows them in a table as well); colours
pass 3:1 against white and each bar and point carries its number, so colour is never the only cue.
"""

from __future__ import annotations

from flask_babel import gettext as _
from markupsafe import Markup, escape

from trajectories.reach.queries import Count

#: (attribute, colour) of the three series, in the order of the legend.
SERIES = (("took_part", "#01689b"), ("delivered", "#a90061"), ("completed", "#2f6f0b"))
WIDTH = 680


def series_labels() -> dict[str, str]:
    return {"took_part": _("deelgenomen"), "delivered": _("ingeleverd"),
            "completed": _("afgerond")}


def _describe(counts: list[Count]) -> str:
    names = series_labels()
    return "; ".join(f"{c.label}: " + ", ".join(f"{getattr(c, a)} {names[a]}" for a, _c in SERIES)
                     for c in counts)


def _legend(y: int) -> list[str]:
    names, x, parts = series_labels(), 160, []
    for attribute, colour in SERIES:
        parts.append(f'<rect x="{x}" y="{y}" width="14" height="14" fill="{colour}"/>'
                     f'<text x="{x + 20}" y="{y + 12}">{escape(names[attribute])}</text>')
        x += 150
    return parts


def _svg(chart_id: str, title: str, counts: list[Count], height: int, body: list[str]) -> Markup:
    description = _describe(counts) or _("Geen gegevens.")
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="reach-chart" id="{chart_id}" '
        f'role="img" viewBox="0 0 {WIDTH} {height}" width="100%" '
        f'aria-label="{escape(title)}" aria-describedby="{chart_id}-desc" '
        f'font-family="sans-serif" font-size="12" fill="#1a1a1a">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>'
        + "".join(body) + "</svg>")


def province_bars(counts: list[Count], title: str, chart_id: str = "chart-provinces") -> Markup:
    """Three horizontal bars per province, the number at the end of each."""
    top, row, bar = 34, 46, 12
    height = top + row * len(counts) + 10
    largest = max((c.took_part for c in counts), default=0) or 1
    scale = (WIDTH - 160 - 60) / largest
    body = _legend(6)
    for n, count in enumerate(counts):
        y = top + n * row
        body.append(f'<text x="150" y="{y + 22}" text-anchor="end">{escape(count.label)}</text>')
        for k, (attribute, colour) in enumerate(SERIES):
            value = getattr(count, attribute)
            by = y + k * (bar + 1)
            body.append(f'<rect x="160" y="{by}" width="{max(value * scale, 1):.1f}" '
                        f'height="{bar}" fill="{colour}"/>'
                        f'<text x="{160 + value * scale + 4:.1f}" y="{by + 10}" '
                        f'font-size="10">{value}</text>')
    return _svg(chart_id, title, counts, height, body)


def year_lines(counts: list[Count], title: str, chart_id: str = "chart-years") -> Markup:
    """A line per series over the years, each point with its number."""
    height, left, right, top, bottom = 300, 60, 30, 40, 40
    largest = max((c.took_part for c in counts), default=0) or 1
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    step = plot_w / max(len(counts) - 1, 1)

    def x(n: int) -> float:
        return left + (n * step if len(counts) > 1 else plot_w / 2)

    def y(value: int) -> float:  # headroom above the largest value for its number
        return top + plot_h - value / (largest * 1.1) * plot_h

    body = _legend(6)
    body.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{WIDTH - right}" '
                f'y2="{top + plot_h}" stroke="#1a1a1a"/>')
    body.append(f'<text x="{left - 8}" y="{top + plot_h + 4}" text-anchor="end">0</text>'
                f'<text x="{left - 8}" y="{y(largest) + 4:.1f}" text-anchor="end">{largest}</text>')
    for n, count in enumerate(counts):
        body.append(f'<text x="{x(n):.1f}" y="{height - 14}" text-anchor="middle">'
                    f'{escape(count.label)}</text>')
    for k, (attribute, colour) in enumerate(SERIES):
        points = [(x(n), y(getattr(c, attribute)), getattr(c, attribute))
                  for n, c in enumerate(counts)]
        if len(points) > 1:
            path = " ".join(f"{px:.1f},{py:.1f}" for px, py, _v in points)
            body.append(f'<polyline points="{path}" fill="none" stroke="{colour}" '
                        f'stroke-width="2"/>')
        # Took part's number above its point, delivered's below, completed's above (it is
        # the lowest line): close lines keep their numbers apart.
        offset = 16 if k == 1 else -8
        for px, py, value in points:
            body.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="4" fill="{colour}"/>'
                        f'<text x="{px:.1f}" y="{py + offset:.1f}" font-size="11" '
                        f'text-anchor="middle" fill="{colour}">{value}</text>')
    return _svg(chart_id, title, counts, height, body)
