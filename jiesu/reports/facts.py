"""Everything a report pack shows, computed from the stored ticket facts with aggregate queries.

What places a ticket in the report's period (a window of whole days in Beijing time,
`ReportPeriod.window`, [start, end + 1 day)):

- volumes (`received`, the previous and year-ago volumes, `repeat`, `by_channel`, `by_kind`,
  `top_categories`, `top_districts`, `top_townships`, `daily`, and a unit's `received`): the
  moment the appeal was received, `received_at`;
- `closed` (办结量): `closed_at` in the window;
- `overdue`: the reply deadline `reply_due_at` fell in the window, before now, and the reply was
  not given by it (no reply yet, or replied after the deadline); tickets returned to the city
  platform or merged without a reply are not counted. A finished period therefore always
  re-computes to the same number;
- `returned` (退单): tickets with a return request (申请退单) made in the window;
- rates (`rates`, a unit's `on_time_rate`): `jiesu.kpi.evaluation.kpi_evaluate` for the same
  days, the single source of truth; each indicator places tickets by its own timestamp
  (jiesu/kpi/indicators.py: received_at for the three rates).

A special report's topic (a keyword in the title or content) and area (a unit's subtree) narrow
every number, rates included.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from jiesu.core.errors import DomainError, ValidationFailed
from jiesu.kpi.choices import Grouping
from jiesu.kpi.evaluation import kpi_evaluate
from jiesu.kpi.indicators import INDICATORS, Window
from jiesu.kpi.models import AssessmentScheme
from jiesu.kpi.selectors import scheme_in_force
from jiesu.orgs.models import Unit
from jiesu.reports import tallies
from jiesu.reports.choices import ReportFamily
from jiesu.reports.notable import NotableTicket, in_window, notable_tickets
from jiesu.reports.periods import ReportPeriod
from jiesu.tickets.choices import Channel, Kind
from jiesu.tickets.selectors_search import text_condition

DEFAULT_SCHEME = "beijing-3rates"
__all__ = ["Count", "NotableTicket", "RateLine", "ReportFacts", "UnitLine", "report_facts"]

THREE_RATES = ("response_rate", "resolution_rate", "satisfaction_rate")
ON_TIME_RATE = "on_time_completion_rate"
TOP = 10


@dataclass(frozen=True)
class Count:
    """One line of a breakdown: `share` is the fraction (0–1) of the period's received tickets."""

    name: str
    value: int
    share: float
    code: str = ""


@dataclass(frozen=True)
class RateLine:
    """One indicator of the scheme as `kpi_evaluate` gives it: `value` and `target` are fractions
    (0.985 = 98.5 %), None when not applicable / no target; `direction` at_least or at_most."""

    code: str
    name: str
    numerator: float
    denominator: int | None
    value: float | None
    target: float | None
    direction: str
    met: bool | None


@dataclass(frozen=True)
class UnitLine:
    """A lead unit (主办单位): received, closed and overdue in the period, and its on-time
    completion rate (按期办结率, a fraction) from the KPI engine."""

    name: str
    received: int
    closed: int
    overdue: int
    on_time_rate: float | None
    code: str = ""


@dataclass(frozen=True)
class ReportFacts:
    """The numbers of one report; changes are percentages with one decimal (5.2 = +5.2 %), None
    when the base period had no tickets."""

    period: ReportPeriod
    family: str
    topic: str
    district: str
    scheme_code: str
    scheme_name: str
    received: int
    received_previous: int
    received_year_ago: int
    change_previous_pct: float | None
    change_year_ago_pct: float | None
    closed: int
    overdue: int
    returned: int
    repeat: int
    by_channel: list[Count]
    by_kind: list[Count]
    top_categories: list[Count]
    top_districts: list[Count]
    top_townships: list[Count]
    by_unit: list[UnitLine]
    daily: dict[date, int]
    rates: list[RateLine]
    notable: list[NotableTicket]
    score: float | None = None
    computed_at: datetime = field(default_factory=timezone.now)

    @property
    def is_empty(self) -> bool:
        return self.received == 0

    def rate(self, code: str) -> RateLine | None:
        return next((r for r in self.rates if r.code == code), None)


class FamilyUnavailable(DomainError):
    code = "family_unavailable"
    default_message = "公共咨询线尚未启用，暂无法生成该系列报告"


def family_check(family: str) -> str:
    """The family, if reports can be made for it (the public line has no data yet)."""
    if family == ReportFamily.PUBLIC_LINE or family == "public-line":
        raise FamilyUnavailable(family=family)
    if family != ReportFamily.HOTLINE:
        raise ValidationFailed(f"报告系列“{family}”无效，应为12345热线或公共咨询线", family=family)
    return family


def report_scheme_code() -> str:
    return str(getattr(settings, "JIESU_REPORT_SCHEME", DEFAULT_SCHEME))


def report_facts(
    *,
    period: ReportPeriod,
    family: str = ReportFamily.HOTLINE,
    topic: str = "",
    district: Unit | None = None,
    scheme_code: str | None = None,
) -> ReportFacts:
    """The facts of `period` for `family`, narrowed to `topic` and `district` (special reports)."""
    family_check(family)
    topic = topic.strip()
    scheme = scheme_in_force(code=scheme_code or report_scheme_code(), on=period.start)
    where = ticket_filter(topic=topic, district=district)
    window = period.window
    received = tallies.received_in(window, where)
    previous = tallies.count_in("received_at", period.previous().window, where)
    year_ago = tallies.count_in("received_at", period.year_ago().window, where)
    units = _unit_tallies(window, where)
    districts, townships = tallies.areas_in(window, where)
    area_labels = tallies.unit_labels([*districts, *townships])
    categories = tallies.top_categories_in(window, where, TOP)
    rates, score = _rates(period, scheme, where)
    return ReportFacts(
        period=period,
        family=family,
        topic=topic,
        district=district.name if district is not None else "",
        scheme_code=scheme.code,
        scheme_name=scheme.name,
        received=received.total,
        received_previous=previous,
        received_year_ago=year_ago,
        change_previous_pct=change_pct(received.total, previous),
        change_year_ago_pct=change_pct(received.total, year_ago),
        closed=sum(units["closed"].values()),
        overdue=sum(units["overdue"].values()),
        returned=tallies.returned_in(window, where),
        repeat=received.repeat,
        by_channel=_choices(received.by_channel, dict(Channel.choices), received.total),
        by_kind=_choices(received.by_kind, dict(Kind.choices), received.total),
        top_categories=_labelled(categories, tallies.category_labels(categories), received.total),
        top_districts=_labelled(districts, area_labels, received.total),
        top_townships=_labelled(townships, area_labels, received.total)[:TOP],
        by_unit=_by_unit(period, scheme, where, units),
        daily=tallies.daily_in(period.start, period.days, window, where),
        rates=rates,
        notable=notable_tickets(window=window, where=where, now=timezone.now()),
        score=score,
    )


def ticket_filter(*, topic: str = "", district: Unit | None = None) -> Q | None:
    """The condition narrowing a special report's tickets, None for all tickets."""
    condition = Q()
    if topic:
        condition &= text_condition(topic)
    if district is not None:
        ids = list(Unit.objects.filter(path__startswith=district.path).values_list("pk", flat=True))
        ids = ids or [district.pk]
        condition &= Q(district_id__in=ids) | Q(township_id__in=ids) | Q(community_id__in=ids)
    return condition if condition else None


def change_pct(value: int, base: int) -> float | None:
    """(value − base) ÷ base in percent, one decimal rounded half up; None when base is 0."""
    if base == 0:
        return None
    pct = (Decimal(value - base) * 100 / Decimal(base)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return float(pct)


def _counts(rows: list[tuple[str, str, int]], total: int) -> list[Count]:
    """(code, name, value) rows → Count lines, largest first, ties by name."""
    ordered = sorted(rows, key=lambda r: (-r[2], r[1]))
    return [Count(name, value, value / total if total else 0.0, code) for code, name, value in ordered]


def _choices(values: dict[str, int], labels: dict[str, str], total: int) -> list[Count]:
    return _counts([(k, str(labels.get(k, k)), n) for k, n in values.items()], total)


def _labelled(values: dict[int | None, int], labels: tallies.Labels, total: int) -> list[Count]:
    return _counts([(*tallies.label_of(pk, labels), n) for pk, n in values.items()], total)


def _unit_tallies(window: Window, where: Q | None) -> dict[str, dict[int | None, int]]:
    """Received, closed and overdue per lead unit: three grouped queries, one per timestamp, whose
    sums are also the period's closed and overdue totals."""
    return {
        "received": tallies.per_lead_unit(in_window("received_at", window), where),
        "closed": tallies.per_lead_unit(in_window("closed_at", window), where),
        "overdue": tallies.per_lead_unit(tallies.overdue_condition(window), where),
    }


def _by_unit(
    period: ReportPeriod, scheme: AssessmentScheme, where: Q | None, units: dict[str, dict[int | None, int]]
) -> list[UnitLine]:
    """Lead units with any ticket received, closed or overdue; on-time rate from the KPI engine."""
    ids = {pk for counts in units.values() for pk in counts if pk is not None}
    labels = tallies.unit_labels(ids)
    document = kpi_evaluate(
        scheme_code=scheme.code, start=period.start, end=period.end, by=Grouping.UNIT, where=where, codes=[ON_TIME_RATE]
    )
    # The engine keys a unit's group by its code, or by its primary key when it has none.
    on_time = {g["key"]: _float(g["indicators"][ON_TIME_RATE]["value"]) for g in document["groups"]}
    lines = []
    for pk in ids:
        code, name = tallies.label_of(pk, labels)
        received, closed, overdue = (units[k].get(pk, 0) for k in ("received", "closed", "overdue"))
        lines.append(UnitLine(name, received, closed, overdue, on_time.get(code or str(pk)), code))
    return sorted(lines, key=lambda u: (-u.received, -u.closed, u.name))


def _float(value: int | float | None) -> float | None:
    return None if value is None else float(value)


def scheme_codes(scheme: AssessmentScheme) -> list[str]:
    """The three rates, then the scheme's other indicators, in the scheme's order."""
    codes = list(THREE_RATES)
    codes += [i.indicator_code for i in scheme.items.all() if i.indicator_code and i.indicator_code not in codes]
    return codes


def _rates(period: ReportPeriod, scheme: AssessmentScheme, where: Q | None) -> tuple[list[RateLine], float | None]:
    """Exactly as kpi_evaluate gives them; counting only the indicators shown (every indicator of
    the scheme among them, so the score and targets are the full evaluation's)."""
    codes = scheme_codes(scheme)
    document = kpi_evaluate(scheme_code=scheme.code, start=period.start, end=period.end, where=where, codes=codes)
    [group] = document["groups"]
    targets = {t["indicator"]: t for t in group["targets"]}
    lines = []
    for code in codes:
        figures, target = group["indicators"][code], targets.get(code, {})
        lines.append(
            RateLine(
                code=code,
                name=INDICATORS[code].name,
                numerator=float(figures["numerator"]),
                denominator=figures["denominator"],
                value=_float(figures["value"]),
                target=_float(target.get("threshold")),
                direction=str(target.get("direction", "")),
                met=target.get("met"),
            )
        )
    return lines, _float(group["score"])
