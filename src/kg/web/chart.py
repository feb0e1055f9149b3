"""Small SVG bar charts of a statistics data set (RDF Data Cube), drawn by the service for the data set's page: the
counts per offence category and year (Table 1), and the stated changes (Table 1's last column, the diagrams' %).

Only the geometry is computed here; `linked-data/chart.html` writes the SVG, so every text from the data is
escaped by Jinja. No script, no inline style: the colours are classes of kg.css."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

WIDTH, LABEL, BAR, GAP, TOP = 800, 300, 16, 12, 16
PLOT = WIDTH - LABEL - 80  # room on the right for the printed values
LONGEST = 44  # characters of a category's name; the full name is the text's tooltip


@dataclass
class Shape:
    kind: str  # rect or text
    x: float
    y: float
    width: float = 0
    height: float = 0
    text: str = ""
    css: str = ""
    anchor: str = "start"
    title: str = ""


@dataclass
class Chart:
    title: str
    height: float
    shapes: list[Shape] = field(default_factory=list)
    legend: list[tuple[str, str]] = field(default_factory=list)  # (css class, text)
    width: int = WIDTH


def charts(observations, words: dict[str, str] | None = None) -> list[Chart]:
    """The counts chart and the changes chart, each when the data set has such observations."""
    words = words or {}
    made = []
    counts = [o for o in observations if o.measure == "offenceCount" and o.value is not None]
    if counts:
        made.append(_counts(counts, words.get("counts", "Offences per year")))
    changes = [o for o in observations if o.measure in ("relativeChangePercent", "changeFactor", "statedTrend")]
    if changes:
        made.append(_changes(changes, words.get("changes", "Stated change")))
    return made


def _categories(observations) -> dict[str, list]:
    grouped: dict[str, list] = defaultdict(list)
    for observation in observations:
        grouped[observation.label].append(observation)
    return grouped


def _counts(observations, title: str) -> Chart:
    periods = sorted({o.period for o in observations})
    top = max(o.value for o in observations) or 1
    chart = Chart(title, 0, legend=[(f"series-{i % 4}", p) for i, p in enumerate(periods)])
    y = TOP
    for label, group in _categories(observations).items():
        chart.shapes.append(Shape("text", LABEL - 8, y + BAR * len(periods) / 2 + 4, text=_short(label), anchor="end",
                                  css="category", title=label))
        for i, period in enumerate(periods):
            found = next((o for o in group if o.period == period), None)
            if found is not None:
                width = max(1.0, PLOT * found.value / top)
                tip = f"{label}, {period}: {found.printed or f'{found.value:g}'}"
                chart.shapes.append(Shape("rect", LABEL, y, width, BAR - 2, css=f"bar series-{i % 4}", title=tip))
                chart.shapes.append(Shape("text", LABEL + width + 4, y + BAR - 5, text=found.printed or f"{found.value:g}",
                                          css="value"))
            y += BAR
        y += GAP
    chart.height = y + 4
    return chart


def _changes(observations, title: str) -> Chart:
    percents = [abs(o.value) for o in observations if o.measure == "relativeChangePercent" and o.value is not None]
    top = max(percents, default=1) or 1
    room = 145  # for the printed value beside a bar
    falls = any(o.value is not None and o.value < 0 for o in observations)
    half = (WIDTH - LABEL - 2 * room) / 2 if falls else WIDTH - LABEL - room - 8
    zero = LABEL + room + half if falls else LABEL + 8
    periods = {o.period for o in observations}
    chart = Chart(title + (f" ({periods.pop()})" if len(periods) == 1 else ""), 0)
    y = TOP
    for o in observations:
        period = f" ({o.period})" if o.period and periods else ""
        chart.shapes.append(Shape("text", LABEL - 8, y + BAR - 4, text=_short(o.label + period), anchor="end",
                                  css="category", title=o.label + period))
        if o.measure == "relativeChangePercent" and o.value is not None:
            width = max(1.0, half * abs(o.value) / top)
            x = zero if o.value >= 0 else zero - width
            css = "bar rise" if o.value >= 0 else "bar fall"
            chart.shapes.append(Shape("rect", x, y, width, BAR - 2, css=css, title=f"{o.label}: {o.printed}"))
            text_x, anchor = (x + width + 4, "start") if o.value >= 0 else (x - 4, "end")
            chart.shapes.append(Shape("text", text_x, y + BAR - 5, text=o.printed or f"{o.value:+g} %", anchor=anchor,
                                      css="value"))
        else:  # a factor (×6) or a trend stated in words: written at the axis, no bar
            chart.shapes.append(Shape("text", zero + 4, y + BAR - 5, text=o.printed or o.measure, css="value"))
        y += BAR + GAP / 2
    chart.shapes.append(Shape("rect", zero, TOP - 6, 1, y - TOP + 6, css="axis"))
    chart.height = y + 4
    return chart


def _short(text: str) -> str:
    return text if len(text) <= LONGEST else text[:LONGEST - 1].rstrip() + "…"
