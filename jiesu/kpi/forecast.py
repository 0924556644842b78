"""The forecast of a period's end value from the tickets still open (docs/kpi.md, 期末预测).

For each indicator, the tickets placed in the window whose outcome is still open:
- on-time indicators: not yet done and not yet due (at the cut, the end of `today` or now if
  earlier); an open ticket already past its deadline stays a failure;
- the three rates (response, resolution, satisfaction): no callback yet; each is expected to join
  the denominator;
- completion and callback rates: not yet closed / not yet called back.
Each open ticket counts at the group's own rate over the previous three periods (pooled), or at
its current rate when it has no history; indicators decided at intake (direct answers, repeat
appeals, returns) keep their current value; the volume is extrapolated linearly over the days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from jiesu.kpi.adjustments import adjustment_points_by_group
from jiesu.kpi.choices import Grouping
from jiesu.kpi.errors import BadWindow, UnknownScheme
from jiesu.kpi.evaluation import group_rates, has_adjustment_item, json_number, scheme_rules, window_of_days
from jiesu.kpi.indicators import INDICATORS, Window
from jiesu.kpi.models import AssessmentScheme
from jiesu.kpi.scoring import payment_share, scheme_score
from jiesu.kpi.selectors import GroupTally, grouped_counts, kpi_tally, scheme_in_force
from jiesu.kpi.windows import period_of, period_previous, periods_recent
from jiesu.tickets.choices import FINAL_STATUSES
from jiesu.tickets.models import Ticket

HISTORY_PERIODS = 3
METHOD = (
    "期末预测：期间内仍未办结的工单按本组前三个考核期的合并比率计入（无历史数据时按本期当前比率）；"
    "已超过时限仍未完成的工单按超时计；尚未回访的工单预计按历史比率计入三率；"
    "直接办复率、重复诉求率、退单率取当前值；受理量按已过天数线性外推。"
)


@dataclass(frozen=True)
class Pending:
    """`outcome`: the fact still empty on an open ticket; `joins`: the ticket is not yet in the
    denominator (it will be); `due`: the deadline after which an open ticket is a failure."""

    outcome: str
    joins: bool = False
    due: str | None = None


def _on_time(due: str, done: str) -> Pending:
    return Pending(done, due=due)


PENDING: dict[str, Pending] = {
    "response_rate": Pending("callback_valid", joins=True),
    "resolution_rate": Pending("callback_valid", joins=True),
    "satisfaction_rate": Pending("callback_valid", joins=True),
    "on_time_acknowledge_rate": _on_time("acknowledge_due_at", "acknowledged_at"),
    "on_time_dispatch_rate": _on_time("dispatch_due_at", "dispatched_at"),
    "on_time_dispatch_normal_rate": _on_time("dispatch_due_at", "dispatched_at"),
    "on_time_dispatch_complex_rate": _on_time("dispatch_due_at", "dispatched_at"),
    "on_time_reply_rate": _on_time("reply_due_at", "replied_at"),
    "on_time_completion_rate": _on_time("reply_due_at", "closed_at"),
    "completion_rate": Pending("closed_at"),
    "callback_rate": Pending("callback_valid"),
}


def pending_condition(code: str, window: Window, cut: datetime) -> Q:
    """The tickets behind the `open` count of one indicator (a drill-down of the forecast). A merged
    ticket or one returned to the city platform is never closed nor called back: not open."""
    ind, rule = INDICATORS[code], PENDING[code]
    base = ind.window_condition(window) & ind.scope_condition() if rule.joins else ind.denominator_condition(window)
    condition = base & Q(**{f"{rule.outcome}__isnull": True}) & ~Q(status__in=sorted(FINAL_STATUSES))
    if rule.due is not None:
        condition &= Q(**{f"{rule.due}__gte": cut})
    return condition


def forecast_cut(today: date) -> datetime:
    """Now, but within `today`: a past day is looked at from its end, a future one from its start."""
    tz = timezone.get_default_timezone()
    start = datetime.combine(today, time.min, tzinfo=tz)
    return min(max(timezone.now(), start), start + timedelta(days=1))


def _open_counts(window: Window, cut: datetime, by: str, where: Q | None) -> dict[str, dict[str, int]]:
    aggregates = {f"{code}__open": Count("pk", filter=pending_condition(code, window, cut)) for code in PENDING}
    in_window = reduce(or_, dict.fromkeys(INDICATORS[code].window_condition(window) for code in PENDING))
    tickets = Ticket.objects.filter(in_window).order_by()
    if where is not None:
        tickets = tickets.filter(where)
    return {
        key: {code: int(row[f"{code}__open"]) for code in PENDING}
        for key, _, row in grouped_counts(tickets=tickets, by=by, aggregates=aggregates)
    }


def _history(scheme_code: str, start: date, end: date, by: str, where: Q | None) -> dict[str, GroupTally]:
    try:
        periods = periods_recent(
            scheme_code, last=period_previous(scheme_code, period_of(start, end)), count=HISTORY_PERIODS
        )
    except UnknownScheme:
        return {}
    window = window_of_days(periods[0].start, periods[-1].end)
    return {g.key: g for g in kpi_tally(window=window, by=by, where=where, codes=list(PENDING))}


def _projected(
    code: str, figures: tuple[Decimal, int, Decimal | None], open_count: int, rate: Decimal | None
) -> Decimal | None:
    numerator, denominator, current = figures
    if rate is None or open_count == 0:
        return current
    if PENDING[code].joins:
        denominator += open_count
    # Decided-open tickets sit in the denominator as failures until done: their share moves over.
    return (numerator + rate * open_count) / Decimal(denominator) if denominator else current


def _volume(current: Decimal | None, start: date, end: date, today: date) -> Decimal | None:
    days = (end - start).days + 1
    elapsed = min(max((today - start).days + 1, 1), days)
    if current is None or elapsed >= days:
        return current
    return (current * days / elapsed).quantize(Decimal(1))


@dataclass(frozen=True)
class _Context:
    scheme: AssessmentScheme
    start: date
    end: date
    today: date
    adjustments: dict[str, Decimal] | None


def _group_forecast(
    ctx: _Context, group: GroupTally, opened: dict[str, int], history: GroupTally | None
) -> dict[str, Any]:
    figures = group_rates(group, ctx.scheme)
    past = group_rates(history, ctx.scheme) if history is not None else {}
    indicators: dict[str, Any] = {}
    now_rates: dict[str, Decimal | None] = {}
    end_rates: dict[str, Decimal | None] = {}
    for code, (numerator, denominator, value) in figures.items():
        now_rates[code] = value
        if code in PENDING:
            rate = past[code][2] if code in past and past[code][2] is not None else value
            end_rates[code] = _projected(code, (numerator, denominator, value), opened.get(code, 0), rate)
        elif code == "volume":
            end_rates[code] = _volume(value, ctx.start, ctx.end, ctx.today)
        else:
            end_rates[code] = value
        open_count = opened.get(code, 0) if code in PENDING else None
        indicators[code] = {"current": json_number(value), "forecast": json_number(end_rates[code]), "open": open_count}
    rules = scheme_rules(ctx.scheme)
    adjustment = (ctx.adjustments or {}).get(group.key, Decimal(0))
    places = ctx.scheme.score_decimal_places
    score_now = scheme_score(rules, now_rates, places, adjustment)
    score_end = scheme_score(rules, end_rates, places, adjustment)
    return {
        "key": group.key,
        "name": group.name,
        "indicators": indicators,
        "score": {"current": json_number(score_now), "forecast": json_number(score_end)},
        "payment": {
            "current": json_number(payment_share(score_now, ctx.scheme.payment_rule)),
            "forecast": json_number(payment_share(score_end, ctx.scheme.payment_rule)),
        },
    }


def _groups(ctx: _Context, by: str, where: Q | None) -> list[dict[str, Any]]:
    window = window_of_days(ctx.start, ctx.end)
    cut = forecast_cut(ctx.today)
    current = kpi_tally(window=window, by=by, where=where)
    opened = _open_counts(window, cut, by, where)
    history = _history(ctx.scheme.code, ctx.start, ctx.end, by, where)
    return [_group_forecast(ctx, g, opened.get(g.key, {}), history.get(g.key)) for g in current]


def forecast_document(
    *, scheme_code: str, start: date, end: date, today: date, by: str = Grouping.ALL, where: Q | None = None
) -> dict[str, Any]:
    if start > end:
        raise BadWindow(start=str(start), end=str(end))
    scheme = scheme_in_force(code=scheme_code, on=start)
    rules = scheme_rules(scheme)

    def context(grouping: str) -> _Context:
        adjustments = None
        if has_adjustment_item(rules):
            adjustments = adjustment_points_by_group(
                scheme_code=scheme.code, start=start, end=end, by=grouping, narrowed=where is not None
            )
        return _Context(scheme, start, end, today, adjustments)

    whole = _groups(context(Grouping.ALL), Grouping.ALL, where)
    [overall] = whole  # by=all is always one group, even without tickets
    return {
        "scheme": scheme.code,
        "version": scheme.version,
        "from": start.isoformat(),
        "to": end.isoformat(),
        "today": today.isoformat(),
        "method": METHOD,
        "indicators": overall["indicators"],
        "score": overall["score"],
        "payment": overall["payment"],
        "groups": whole if by == Grouping.ALL else _groups(context(by), by, where),
    }
