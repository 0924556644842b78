"""Building blocks of the ticket list search (selectors.tickets_search): ranges, tags, callback
outcomes, orderings and the keyword match of title and content."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import BooleanField, F, Func, OrderBy, Q, QuerySet
from django.db.models.sql.compiler import SQLCompiler
from django.utils import timezone

from jiesu.orgs.models import User
from jiesu.tickets.choices import Satisfaction
from jiesu.tickets.models import SavedSearch

# The ticket flags offered as one multi-select "标签"; a ticket matches if it has any chosen flag.
TAGS: dict[str, tuple[str, str]] = {
    "repeat": ("is_repeat", "重复诉求"),
    "sensitive": ("is_sensitive", "敏感"),
    "monthly_topic": ("is_monthly_topic", "每月一题"),
    "complex": ("is_complex", "复杂疑难"),
}

# Callback outcomes (回访结果) a list can be narrowed to.
CALLBACK_OUTCOMES: dict[str, tuple[Q, str]] = {
    "none": (Q(callback_at__isnull=True), "未回访"),
    "resolved": (Q(callback_resolved=True), "已解决"),
    "unresolved": (Q(callback_resolved=False), "未解决"),
    **{s.value: (Q(callback_satisfaction=s.value), str(s.label)) for s in Satisfaction},
}


def moment_range(field: str, start: date | None, end: date | None) -> Q:
    """`field` within [start, end]. A date covers its whole day (both ends inclusive); a datetime
    (what the API passes) is taken as is, `end` exclusive."""
    cond = Q()
    if start is not None:
        cond &= Q(**{f"{field}__gte": _moment(start, next_day=False)})
    if end is not None:
        cond &= Q(**{f"{field}__lt": _moment(end, next_day=True)})
    return cond


def _moment(value: date, *, next_day: bool) -> datetime:
    if isinstance(value, datetime):
        return timezone.make_aware(value) if timezone.is_naive(value) else value
    day = value + timedelta(days=1) if next_day else value
    return timezone.make_aware(datetime.combine(day, time.min))


def tags_condition(tags: tuple[str, ...]) -> Q:
    cond = Q()
    for tag in tags:
        if tag in TAGS:
            cond |= Q(**{TAGS[tag][0]: True})
    return cond


def callback_condition(outcome: str) -> Q:
    return CALLBACK_OUTCOMES[outcome][0] if outcome in CALLBACK_OUTCOMES else Q()


@dataclass(frozen=True)
class SortColumn:
    """A column the list can be sorted by; `then` orders rows equal on it (before the id)."""

    field: str
    nullable: bool = False
    then: str = ""


SORT_COLUMNS: dict[str, SortColumn] = {
    "received": SortColumn("received_at"),
    "deadline": SortColumn("reply_due_at", nullable=True),
    "closed": SortColumn("closed_at", nullable=True),
    "number": SortColumn("number"),
    "status": SortColumn("status", then="received_at"),
    "urgency": SortColumn("urgency", then="received_at"),
    "updated": SortColumn("updated_at"),
}


def _ordering(column: SortColumn, descending: bool) -> tuple[OrderBy, ...]:
    # NULLS LAST only where NULLs exist: on a NOT NULL column it would stop PostgreSQL from
    # walking the column's index and make it sort the whole table instead.
    nulls = {"nulls_last": True} if column.nullable else {}
    main = F(column.field).desc(**nulls) if descending else F(column.field).asc(**nulls)
    then = (F(column.then).desc(),) if column.then else ()
    tiebreak = F("id").desc() if descending else F("id").asc()
    return (main, *then, tiebreak)


ORDERINGS: dict[str, tuple[OrderBy, ...]] = {
    f"{sign}{key}": _ordering(column, descending=bool(sign))
    for key, column in SORT_COLUMNS.items()
    for sign in ("", "-")
}


class BigramCondition(Func):
    """A condition on the stored `text_bigrams` column (character bigrams of title and content,
    with its GIN index). PostgreSQL only: migration 0006 adds the column, unknown to the model,
    so it is reached beside the title, whose compiled name carries the table's alias."""

    output_field = BooleanField()
    conditional = True

    def __init__(self) -> None:
        super().__init__(F("title"))

    def condition_sql(self, column: str) -> tuple[str, list[Any]]:
        raise NotImplementedError

    def as_sql(
        self,
        compiler: SQLCompiler,
        connection: BaseDatabaseWrapper,
        function: str | None = None,
        template: str | None = None,
        arg_joiner: str | None = None,
        **extra_context: Any,
    ) -> tuple[str, list[Any]]:
        title, params = compiler.compile(self.get_source_expressions()[0])
        column = title.removesuffix(connection.ops.quote_name("title")) + connection.ops.quote_name("text_bigrams")
        sql, more = self.condition_sql(column)
        return sql, [*params, *more]


class _BigramsContain(BigramCondition):
    """`text_bigrams @@ jiesu_bigram_query(word)`: every two-character piece of the word occurs in
    the ticket's text."""

    def __init__(self, word: str) -> None:
        super().__init__()
        self.word = word

    def condition_sql(self, column: str) -> tuple[str, list[Any]]:
        return f"{column} @@ jiesu_bigram_query(%s)", [self.word]


def text_condition(word: str) -> Q:
    """Title or content contains `word` (case-insensitive), two-character Chinese words included.

    On PostgreSQL a word of two characters or more first goes through the bigram index (a
    necessary condition), then the plain substring test rechecks the rows it leaves; a single
    character has no bigram and is scanned for."""
    contains = Q(title__icontains=word) | Q(content__icontains=word)
    if connection.vendor != "postgresql" or len(word) < 2:
        return contains
    if len(word.upper()) == 2 and "\n" not in word:
        # A two-character word is its own only bigram: the index answers exactly, and skipping the
        # recheck lets a count stop at the index instead of reading every matching row.
        return Q(_BigramsContain(word))
    return Q(_BigramsContain(word)) & contains


def saved_searches_of(*, owner: User | None) -> QuerySet[SavedSearch]:
    """The owner's saved searches by name; nobody else's, ever."""
    if owner is None or owner.pk is None:
        return SavedSearch.objects.none()
    return SavedSearch.objects.filter(owner=owner).order_by("name", "id")
