"""The 2025 and 2026 holiday tables of docs/domain-rules.md §10, typed in from the document.

Independent of chinesecalendar and of the seed migration, so tests can compare both with it.
"""

from __future__ import annotations

from datetime import date, timedelta

from jiesu.sla.calendar import WorkCalendar


def _span(first: str, last: str | None = None) -> list[date]:
    start = date.fromisoformat(first)
    end = date.fromisoformat(last) if last else start
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


# Holiday -> (days off, make-up workdays), as in the notices.
TABLES: dict[int, dict[str, tuple[list[date], list[date]]]] = {
    2025: {
        "元旦": (_span("2025-01-01"), []),
        "春节": (_span("2025-01-28", "2025-02-04"), [date(2025, 1, 26), date(2025, 2, 8)]),
        "清明": (_span("2025-04-04", "2025-04-06"), []),
        "劳动节": (_span("2025-05-01", "2025-05-05"), [date(2025, 4, 27)]),
        "端午": (_span("2025-05-31", "2025-06-02"), []),
        "国庆 + 中秋": (_span("2025-10-01", "2025-10-08"), [date(2025, 9, 28), date(2025, 10, 11)]),
    },
    2026: {
        "元旦": (_span("2026-01-01", "2026-01-03"), [date(2026, 1, 4)]),
        "春节": (_span("2026-02-15", "2026-02-23"), [date(2026, 2, 14), date(2026, 2, 28)]),
        "清明": (_span("2026-04-04", "2026-04-06"), []),
        "劳动节": (_span("2026-05-01", "2026-05-05"), [date(2026, 5, 9)]),
        "端午": (_span("2026-06-19", "2026-06-21"), []),
        "中秋": (_span("2026-09-25", "2026-09-27"), []),
        "国庆": (_span("2026-10-01", "2026-10-07"), [date(2026, 9, 20), date(2026, 10, 10)]),
    },
}

WORKDAYS_PER_MONTH = {
    2025: [19, 19, 21, 22, 19, 20, 23, 21, 23, 18, 20, 23],
    2026: [21, 16, 22, 21, 19, 21, 23, 21, 22, 18, 21, 23],
}

# (start, n, n-th working day strictly after start)
WORKDAY_VECTORS = [
    ("2025-01-24", 3, "2025-02-05"),
    ("2025-09-30", 1, "2025-10-09"),
    ("2025-09-30", 5, "2025-10-14"),
    ("2025-12-31", 1, "2026-01-04"),
    ("2026-02-13", 1, "2026-02-14"),
    ("2026-02-13", 15, "2026-03-12"),
    ("2026-04-30", 5, "2026-05-11"),
    ("2026-09-29", 5, "2026-10-12"),
    ("2026-09-30", 7, "2026-10-15"),
]


def off_days(year: int) -> set[date]:
    return {day for off, _ in TABLES[year].values() for day in off}


def make_up_days(year: int) -> set[date]:
    return {day for _, work in TABLES[year].values() for day in work}


def doc_calendar() -> WorkCalendar:
    """A WorkCalendar of 2025–2026 built only from the document's tables."""
    return WorkCalendar(
        holidays=frozenset(off_days(2025) | off_days(2026)),
        make_up_workdays=frozenset(make_up_days(2025) | make_up_days(2026)),
        covered_years=frozenset({2025, 2026}),
    )
