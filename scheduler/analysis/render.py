"""The whole picture in words: Markdown and HTML, both from the same sections of tables.

Each section is a title, a sentence for when it is empty, a table of plain strings and notes
below it; Markdown and HTML differ only in how they write a section. User strings (names, venues,
messages) are escaped for each format.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from string import Template

from scheduler.analysis.picture import SessionLine, WholePicture
from scheduler.analysis.savings import KpiRow, number
from scheduler.validate.violation import RULE_TITLES


@dataclass(frozen=True)
class Section:
    """A titled table; ``empty`` is said instead when it has no rows; ``notes`` follow it."""

    title: str
    empty: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    notes: tuple[str, ...] = ()


def _number(value: float | None) -> str:
    return "-" if value is None else number(value)


def _figure_rows(rows: Sequence[KpiRow]) -> tuple[tuple[str, ...], ...]:
    return tuple((f.heading, _number(f.before), _number(f.after), f.change) for f in rows)


def _names(items: Sequence[str]) -> str:
    return ", ".join(items) or "-"


def sections(picture: WholePicture) -> tuple[Section, ...]:
    """The report's sections, in reading order."""
    p = picture
    return (
        Section(
            "Who",
            "Nobody.",
            ("client", "household", "needs", "people met today", "people met in the new pattern"),
            tuple(
                (
                    c.name,
                    c.household,
                    _names(c.needs),
                    f"{len(c.people_today)}: {_names(c.people_today)}",
                    "-" if c.people_new is None else f"{len(c.people_new)}: {_names(c.people_new)}",
                )
                for c in p.clients
            ),
        ),
        Section(
            "Every service around them",
            "No appointments.",
            ("client", "service", "agency", "practitioners", "venues", "sessions a week", "hours a week"),
            tuple(
                (
                    s.client,
                    s.service or s.title,
                    s.agency or "-",
                    _names(s.practitioners),
                    _names(s.venues),
                    _number(s.sessions_per_week),
                    _number(round(s.hours_per_week, 2)),
                )
                for s in p.services
            ),
        ),
        Section(
            "What the new pattern saves",
            "No figures.",
            ("figure", "today", "new pattern", "change"),
            _figure_rows(p.figures),
            (_period(picture),),
        ),
        Section(
            "Where the new pattern costs more, and why",
            "Nothing costs more than today: every figure is the same or better.",
            ("figure", "today", "new pattern", "change"),
            () if p.costs is None else _figure_rows(p.costs.figures),
            () if p.costs is None else p.costs.reasons,
        ),
        _sessions_section("Today's bookings", p.today),
        _sessions_section("The new pattern", p.pattern or ()),
        Section(
            "Who comes along in the new pattern",
            "Nobody comes along to someone else's session.",
            ("companion",),
            tuple((text,) for text in p.companions),
        ),
        Section(
            "Dis-integration in today's bookings",
            "Today's bookings keep every rule.",
            ("kind", "rule", "where", "what"),
            tuple((f.kind, f"{f.rule} ({RULE_TITLES[f.rule]})", f.where, f.message) for f in p.findings),
        ),
        Section(
            "For agencies: overloaded practitioners",
            "No practitioner is booked beyond their limits or availability.",
            ("practitioner", "agency", "why"),
            tuple((o.name, o.agency or "-", "; ".join(o.reasons)) for o in p.overloads),
        ),
        Section(
            "For agencies: possible duplication (a joint or harmonised programme?)",
            "No service is given twice.",
            ("client", "service", "appointments", "agencies", "by"),
            tuple(
                (d.client, d.service, _names(d.appointments), _names(d.agencies), _names(d.providers))
                for d in p.duplications
            ),
        ),
        Section(
            "For agencies: needs with no appointment (gaps)",
            "Every recorded need has an appointment.",
            ("client", "need"),
            tuple((g.client, g.need) for g in p.gaps),
        ),
        Section(
            "Suggested connecting conversations",
            "None suggested.",
            ("between", "and", "why"),
            tuple((c.first, c.second, "; ".join(c.reasons)) for c in p.conversations),
        ),
    )


def _period(picture: WholePicture) -> str:
    weeks = "the week" if picture.weeks == 1 else f"the whole {picture.weeks}-week pattern"
    return (
        f"Figures are for {weeks}, summed over the clients; practitioners' travel is that of "
        "everyone who serves them. A carer's time away from home runs from leaving home to "
        "coming back, waiting included."
    )


def _sessions_section(title: str, lines: Sequence[SessionLine]) -> Section:
    return Section(
        title,
        "None.",
        ("when", "client", "appointment", "venue", "with"),
        tuple((s.when, s.client, s.title, s.venue, _names(s.people)) for s in lines),
    )


def _shown(picture: WholePicture) -> tuple[Section, ...]:
    """The sections worth showing: without a new pattern, neither it nor the savings."""
    hidden = (
        set()
        if picture.pattern is not None
        else {"The new pattern", "What the new pattern saves", "Where the new pattern costs more, and why"}
    )
    return tuple(s for s in sections(picture) if s.title not in hidden)


def _md_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def to_markdown(picture: WholePicture) -> str:
    """The whole picture as a Markdown document."""
    lines = [f"# The whole picture: {_md_cell(picture.title)}", ""]
    for section in _shown(picture):
        lines += [f"## {section.title}", ""]
        if not section.rows:
            lines += [section.empty, ""]
            continue
        lines.append("| " + " | ".join(section.header) + " |")
        lines.append("|" + "---|" * len(section.header))
        lines += ["| " + " | ".join(_md_cell(cell) for cell in row) + " |" for row in section.rows]
        lines.append("")
        if section.notes:
            lines += [f"- {_md_cell(note)}" for note in section.notes] + [""]
    return "\n".join(lines)


_PAGE = Template(
    """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>The whole picture: $title</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem; color: #222; }
table { border-collapse: collapse; margin-bottom: 1.5rem; }
th, td { border: 1px solid #ccc; padding: 0.3rem 0.6rem; text-align: left; vertical-align: top; }
th { background: #f0f3f7; }
</style>
</head>
<body>
<h1>The whole picture: $title</h1>
$sections
</body>
</html>
"""
)


def _html_section(section: Section) -> str:
    head = f"<h2>{html.escape(section.title)}</h2>"
    if not section.rows:
        return f"{head}\n<p>{html.escape(section.empty)}</p>"
    header = "".join(f"<th>{html.escape(h)}</th>" for h in section.header)
    body = "\n".join(
        "<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in row) + "</tr>" for row in section.rows
    )
    notes = "".join(f"<li>{html.escape(note)}</li>" for note in section.notes)
    table = f"<table>\n<thead><tr>{header}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>"
    return f"{head}\n{table}" + (f"\n<ul>{notes}</ul>" if notes else "")


def to_html(picture: WholePicture) -> str:
    """The whole picture as a standalone HTML page."""
    return _PAGE.substitute(
        title=html.escape(picture.title),
        sections="\n".join(_html_section(s) for s in _shown(picture)),
    )
