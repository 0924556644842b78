"""Report periods: the window of days a report pack covers, its key, its Chinese label and the day
it is due (docs/reports.md).

Keys: daily 2026-10-14, weekly 2026-W42 (ISO week, Monday to Sunday, in the ISO week-numbering
year: 2026-W01 starts on 2025-12-29), monthly 2026-10, quarterly 2026-Q3, half-year 2026-H2,
annual 2026, special 2026-10-01_2026-10-09. Days are whole days in Beijing time, both ends
included.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from jiesu.core.errors import ValidationFailed
from jiesu.kpi.evaluation import window_of_days
from jiesu.kpi.indicators import Window
from jiesu.reports.choices import ReportKind

# The contract's limit: every report pack is handed over within 7 days after its period.
DUE_DAYS = 7
QUARTER_NAMES = ("一", "二", "三", "四")
PERIODIC_KINDS = tuple(k for k in ReportKind.values if k != ReportKind.SPECIAL)
EXAMPLES = {
    ReportKind.DAILY: "2026-10-14",
    ReportKind.WEEKLY: "2026-W42",
    ReportKind.MONTHLY: "2026-10",
    ReportKind.QUARTERLY: "2026-Q3",
    ReportKind.HALF_YEAR: "2026-H2",
    ReportKind.ANNUAL: "2026",
    ReportKind.SPECIAL: "2026-10-01_2026-10-09",
}
PATTERNS = {
    ReportKind.DAILY: re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"),
    ReportKind.WEEKLY: re.compile(r"(\d{4})-?[Ww](\d{1,2})"),
    ReportKind.MONTHLY: re.compile(r"(\d{4})-(\d{1,2})"),
    ReportKind.QUARTERLY: re.compile(r"(\d{4})-?[Qq]([1-4])"),
    ReportKind.HALF_YEAR: re.compile(r"(\d{4})-?[Hh]([12])"),
    ReportKind.ANNUAL: re.compile(r"(\d{4})"),
    ReportKind.SPECIAL: re.compile(r"(\d{4}-\d{1,2}-\d{1,2})_(\d{4}-\d{1,2}-\d{1,2})"),
}


@dataclass(frozen=True)
class ReportPeriod:
    """The days [start, end] (end included) a report of `kind` covers, named by `key`."""

    kind: str
    key: str
    start: date
    end: date

    @property
    def label(self) -> str:
        return _label(self)

    @property
    def due_on(self) -> date:
        """The last day the pack may be handed over: the 7th day after the period."""
        return self.end + timedelta(days=DUE_DAYS)

    @property
    def window(self) -> Window:
        return window_of_days(self.start, self.end)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> ReportPeriod:
        """The period just before, of the same kind; a special window gives the window of the same
        length ending the day before it starts."""
        if self.kind == ReportKind.SPECIAL:
            end = self.start - timedelta(days=1)
            return period_special(end - timedelta(days=self.days - 1), end)
        return period_containing(self.kind, self.start - timedelta(days=1))

    def year_ago(self) -> ReportPeriod:
        """The same period one year earlier: the same ISO week number (week 53 → 52 when the
        earlier year has no week 53); 29 February → 28 February."""
        if self.kind == ReportKind.WEEKLY:
            year, week, _ = self.start.isocalendar()
            week = min(week, _weeks_in(year - 1))
            return period_containing(self.kind, date.fromisocalendar(year - 1, week, 1))
        if self.kind == ReportKind.SPECIAL:
            return period_special(_year_before(self.start), _year_before(self.end))
        return period_containing(self.kind, _year_before(self.start))


def period_containing(kind: str, day: date) -> ReportPeriod:
    """The period of `kind` that contains `day` (not for special reports: they have no grid)."""
    kind = _kind(kind)
    if kind == ReportKind.DAILY:
        return ReportPeriod(kind, day.isoformat(), day, day)
    if kind == ReportKind.WEEKLY:
        year, week, weekday = day.isocalendar()
        start = day - timedelta(days=weekday - 1)
        return ReportPeriod(kind, f"{year}-W{week:02d}", start, start + timedelta(days=6))
    if kind == ReportKind.MONTHLY:
        return ReportPeriod(kind, f"{day.year}-{day.month:02d}", *_months(day.year, day.month, 1))
    if kind == ReportKind.QUARTERLY:
        quarter = (day.month - 1) // 3 + 1
        return ReportPeriod(kind, f"{day.year}-Q{quarter}", *_months(day.year, 3 * quarter - 2, 3))
    if kind == ReportKind.HALF_YEAR:
        half = 1 if day.month <= 6 else 2
        return ReportPeriod(kind, f"{day.year}-H{half}", *_months(day.year, 6 * half - 5, 6))
    if kind == ReportKind.ANNUAL:
        return ReportPeriod(kind, str(day.year), date(day.year, 1, 1), date(day.year, 12, 31))
    raise ValidationFailed("专报没有固定周期，请指定起止日期", kind=kind)


def period_special(start: date, end: date) -> ReportPeriod:
    """A special report's window [start, end], both days included."""
    if start > end:
        raise ValidationFailed(f"开始日期 {start} 晚于结束日期 {end}", start=str(start), end=str(end))
    return ReportPeriod(ReportKind.SPECIAL, f"{start.isoformat()}_{end.isoformat()}", start, end)


def period_parse(kind: str, text: str) -> ReportPeriod:
    """The period of `kind` named by `text` (see the module doc for the formats)."""
    kind = _kind(kind)
    text = (text or "").strip()
    found = PATTERNS[ReportKind(kind)].fullmatch(text)
    if found is None:
        raise _bad_period(kind, text)
    try:
        return _period_of(kind, found.groups())
    except ValueError:
        raise _bad_period(kind, text) from None


def _period_of(kind: str, parts: tuple[str | None, ...]) -> ReportPeriod:
    """Raises ValueError for a day, week or month that does not exist."""
    numbers = [int(p) for p in parts if p is not None and p.isdigit()]
    if kind == ReportKind.SPECIAL:
        start, end = (date.fromisoformat(_padded(str(p))) for p in parts)
        return period_special(start, end)
    year = numbers[0]
    if kind == ReportKind.DAILY:
        return period_containing(kind, date(year, numbers[1], numbers[2]))
    if kind == ReportKind.WEEKLY:
        return period_containing(kind, date.fromisocalendar(year, numbers[1], 1))
    if kind == ReportKind.MONTHLY:
        return period_containing(kind, date(year, numbers[1], 1))
    if kind == ReportKind.QUARTERLY:
        return period_containing(kind, date(year, 3 * numbers[1] - 2, 1))
    if kind == ReportKind.HALF_YEAR:
        return period_containing(kind, date(year, 6 * numbers[1] - 5, 1))
    return period_containing(kind, date(year, 1, 1))


def _kind(kind: str) -> str:
    # The command line writes half-year with a hyphen.
    normalized = (kind or "").strip().replace("-", "_")
    if normalized not in ReportKind.values:
        names = "、".join(str(label) for label in ReportKind.labels)
        raise ValidationFailed(f"报告类型“{kind}”无效，应为{names}之一", kind=kind)
    return normalized


def _bad_period(kind: str, text: str) -> ValidationFailed:
    label = ReportKind(kind).label
    return ValidationFailed(
        f"报告周期“{text}”无效：{label}的周期应写作 {EXAMPLES[ReportKind(kind)]} 这样的格式，且须是存在的日期",
        kind=kind,
        period=text,
    )


def _padded(text: str) -> str:
    year, month, day = text.split("-")
    return f"{year}-{int(month):02d}-{int(day):02d}"


def _months(year: int, first_month: int, count: int) -> tuple[date, date]:
    last_month = first_month + count - 1
    return date(year, first_month, 1), date(year, last_month, calendar.monthrange(year, last_month)[1])


def _weeks_in(year: int) -> int:
    return date(year, 12, 28).isocalendar()[1]


def _year_before(day: date) -> date:
    if day.month == 2 and day.day == 29:
        return date(day.year - 1, 2, 28)
    return day.replace(year=day.year - 1)


def _day_label(day: date, *, with_year: bool = True) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if with_year else f"{day.month}月{day.day}日"


def _span_label(start: date, end: date, year: int) -> str:
    """'10月12日至10月18日' within `year`; years written out when the span leaves it."""
    with_year = not (start.year == end.year == year)
    return f"{_day_label(start, with_year=with_year)}至{_day_label(end, with_year=with_year)}"


def _label(period: ReportPeriod) -> str:
    start, end = period.start, period.end
    if period.kind == ReportKind.DAILY:
        return _day_label(start)
    if period.kind == ReportKind.WEEKLY:
        year, week, _ = start.isocalendar()
        return f"{year}年第{week}周（{_span_label(start, end, year)}）"
    if period.kind == ReportKind.MONTHLY:
        return f"{start.year}年{start.month}月"
    if period.kind == ReportKind.QUARTERLY:
        return f"{start.year}年第{QUARTER_NAMES[(start.month - 1) // 3]}季度"
    if period.kind == ReportKind.HALF_YEAR:
        return f"{start.year}年{'上' if start.month == 1 else '下'}半年"
    if period.kind == ReportKind.ANNUAL:
        return f"{start.year}年度"
    if start == end:
        return _day_label(start)
    return f"{_day_label(start)}至{_day_label(end, with_year=start.year != end.year)}"
