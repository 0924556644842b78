"""Reads of the KPI engine: indicator counts per group in one aggregate query, the tickets behind
every number (drill-down), and the scheme version in force."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import reduce
from operator import or_
from typing import Any, cast

from django.db.models import Count, Model, Q, QuerySet

from jiesu.kpi.choices import Grouping
from jiesu.kpi.errors import UnknownGrouping, UnknownScheme
from jiesu.kpi.indicators import INDICATORS, Indicator, Window, indicator_get
from jiesu.kpi.models import AssessmentScheme
from jiesu.tickets.choices import Kind
from jiesu.tickets.models import Ticket

# The Ticket field each grouping splits on, and the related fields that label a group.
GROUP_FIELDS: dict[str, tuple[str, str, str]] = {
    Grouping.UNIT: ("lead_unit", "lead_unit__code", "lead_unit__name"),
    Grouping.DISTRICT: ("district", "district__code", "district__name"),
    Grouping.TOWNSHIP: ("township", "township__code", "township__name"),
    Grouping.CATEGORY: ("category", "category__code", "category__name"),
    # 受理坐席: the agent who registered the ticket; keyed by the username, which never changes.
    Grouping.AGENT: ("created_by", "created_by__username", "created_by__display_name"),
}
NO_GROUP_KEY = "none"
NO_GROUP_NAME = "未指定"


@dataclass(frozen=True)
class Tally:
    numerator_counts: list[int]
    denominator: int


@dataclass(frozen=True)
class GroupTally:
    key: str
    name: str
    tallies: dict[str, Tally]


def scheme_in_force(*, code: str, on: date) -> AssessmentScheme:
    """The version of scheme `code` in force on `on`, with its items."""
    scheme = (
        AssessmentScheme.objects.filter(code=code, effective_from__lte=on)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gt=on))
        .prefetch_related("items")
        .order_by("-effective_from")
        .first()
    )
    if scheme is None:
        raise UnknownScheme(f"考核方案“{code}”不存在或在 {on} 未生效", scheme=code, on=str(on))
    return scheme


def schemes_list() -> QuerySet[AssessmentScheme]:
    return AssessmentScheme.objects.prefetch_related("items").order_by("code", "-effective_from")


def _aggregates(indicators: Iterable[Indicator], window: Window) -> dict[str, Count]:
    aggregates: dict[str, Count] = {}
    for ind in indicators:
        aggregates[f"{ind.code}__den"] = Count("pk", filter=ind.denominator_condition(window))
        for i, term in enumerate(ind.numerator):
            aggregates[f"{ind.code}__n{i}"] = Count("pk", filter=ind.term_condition(term, window))
    return aggregates


def _tallies(row: dict[str, Any], indicators: Iterable[Indicator]) -> dict[str, Tally]:
    return {
        ind.code: Tally(
            numerator_counts=[int(row[f"{ind.code}__n{i}"]) for i in range(len(ind.numerator))],
            denominator=int(row[f"{ind.code}__den"]),
        )
        for ind in indicators
    }


def kpi_tally(
    *, window: Window, by: str = Grouping.ALL, codes: Iterable[str] | None = None, where: Q | None = None
) -> list[GroupTally]:
    """Numerator and denominator counts of every indicator per group: one counting query per call.
    `where` narrows the tickets counted. (JIT is off for every PostgreSQL connection, see
    settings.DATABASES.)"""
    return _tally(window=window, by=by, codes=codes, where=where)


def _tally(*, window: Window, by: str, codes: Iterable[str] | None, where: Q | None = None) -> list[GroupTally]:
    """Numerator and denominator counts of every indicator per group.

    Only tickets placed in the window by at least one indicator's timestamp are read."""
    indicators = [indicator_get(c) for c in codes] if codes is not None else list(INDICATORS.values())
    # Indicators share placing timestamps: each distinct condition once in the WHERE clause.
    in_window = reduce(or_, dict.fromkeys(ind.window_condition(window) for ind in indicators))
    tickets = Ticket.objects.filter(in_window).order_by()
    if where is not None:
        tickets = tickets.filter(where)
    return [
        GroupTally(key, name, _tallies(row, indicators))
        for key, name, row in grouped_counts(tickets=tickets, by=by, aggregates=_aggregates(indicators, window))
    ]


def grouped_counts(
    *, tickets: QuerySet[Ticket], by: str, aggregates: Mapping[str, Count]
) -> list[tuple[str, str, dict[str, Any]]]:
    """(key, name, row of aggregates) per group of `tickets`: one counting query, plus one small
    query for the groups' labels."""
    if by not in Grouping.values:
        raise UnknownGrouping(by=by)
    if by == Grouping.ALL:
        return [("all", "全部", tickets.aggregate(**aggregates))]
    if by == Grouping.KIND:
        rows = tickets.values("kind").annotate(**aggregates).order_by("kind")
        labels = dict(Kind.choices)
        return [(r["kind"], str(labels.get(r["kind"], r["kind"])), r) for r in rows]
    fk = GROUP_FIELDS[by][0]
    # Grouped by the key alone, then labelled by a second small query: grouping by the joined
    # code and name as well made PostgreSQL expect ~1,000 times more groups than there are and
    # sort a million rows on disk instead of hashing them (bench/bench_kpi.py).
    grouped = list(tickets.values(fk).annotate(**aggregates).order_by(fk))
    label_of = _labels(by, [r[fk] for r in grouped if r[fk] is not None])
    result = []
    for r in grouped:
        code, name = label_of.get(r[fk], ("", ""))
        result.append((_group_key(r[fk], code), name or NO_GROUP_NAME, r))
    return result


def _labels(by: str, ids: list[int]) -> dict[int, tuple[str, str]]:
    """(code, name) of the grouped units, categories or agents, by primary key."""
    fk, code_field, name_field = GROUP_FIELDS[by]
    code_attr, name_attr = code_field.split("__", 1)[1], name_field.split("__", 1)[1]
    related = cast("type[Model]", Ticket._meta.get_field(fk).related_model)
    found = related._default_manager.filter(pk__in=ids).values_list("pk", code_attr, name_attr)
    # An agent without a display name is shown by the username.
    return {pk: (code, name or code) for pk, code, name in found}


def _group_key(pk: int | None, code: str | None) -> str:
    if pk is None:
        return NO_GROUP_KEY
    return code or str(pk)


def _group_condition(by: str, key: str) -> Q:
    if by == Grouping.ALL:
        return Q()
    if by == Grouping.KIND:
        return Q(kind=key)
    fk, code_field, _ = GROUP_FIELDS[by]
    if key == NO_GROUP_KEY:
        return Q(**{f"{fk}__isnull": True})
    by_code = Q(**{code_field: key})
    if not key.isdigit():
        return by_code
    # A group without a code is keyed by its primary key (see _group_key).
    return by_code | Q(**{f"{fk}_id": int(key), code_field: ""})


def indicator_denominator_tickets(
    *, code: str, window: Window, by: str = Grouping.ALL, key: str = "all"
) -> QuerySet[Ticket]:
    """The tickets behind one indicator's denominator for one group and window."""
    ind = indicator_get(code)
    return Ticket.objects.filter(ind.denominator_condition(window) & _group_condition(by, key))


def indicator_numerator_terms(
    *, code: str, window: Window, by: str = Grouping.ALL, key: str = "all"
) -> list[tuple[bool, QuerySet[Ticket]]]:
    """The tickets behind each term of the numerator, with whether the term is scaled by the
    scheme's 'fairly satisfied' coefficient: numerator = Σ count × (coefficient if scaled else 1)."""
    ind = indicator_get(code)
    group = _group_condition(by, key)
    return [(term.scaled, Ticket.objects.filter(ind.term_condition(term, window) & group)) for term in ind.numerator]


def indicator_numerator_tickets(
    *, code: str, window: Window, by: str = Grouping.ALL, key: str = "all"
) -> QuerySet[Ticket]:
    """Every ticket counted in one indicator's numerator (any term) for one group and window."""
    ind = indicator_get(code)
    group = _group_condition(by, key)
    terms = reduce(or_, (ind.term_condition(term, window) for term in ind.numerator))
    return Ticket.objects.filter(terms & group)


def numerator_value(ind: Indicator, tally: Tally, coefficient: Decimal) -> Decimal:
    return ind.numerator_from(tally.numerator_counts, coefficient)
