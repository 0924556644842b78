"""Closed tickets about the same matter as one ticket, with the reply that closed them: what the
agent or the unit can learn from (or reuse) when answering a new appeal.

A ticket's key words are its jieba words of two characters or more that say what the appeal is
about (words rare in jieba's dictionary weigh more, title words more than content words).
Candidates are closed tickets in the viewer's scope, received within two years, holding at least
two of the top key words (or the only one); at most CANDIDATE_CAP of them, newest first, are
ranked in Python: key-word coverage and rapidfuzz likeness of the title and opening of the content
(as selectors_related compares possible duplicates), a bonus for the same category, a mild decay
with age.

The candidate set is always bounded before any row is read in full:
- The recent slice: the newest RECENT_SCAN closed tickets (their boundary comes from an index-only
  walk of (status, -received_at)). Walked newest first and tested row by row, it stops at the
  LIMIT for a common matter and never reads more than RECENT_SCAN rows for a rare one.
- PostgreSQL tests the slice on the stored bigram column `text_bigrams` (migration 0006): every
  bigram of two key words, all pairs in one tsquery. When the slice holds fewer than ENOUGH matches
  the matter is rare, and the column's GIN index finds older ones (the top key word with any other,
  at most OLDER_CAP rows, bitmap scans only so the table is never read whole). The text is matched
  before the viewer's scope, which is then applied to the ids found (the scope's joins, evaluated
  per row of the slice, cost more than the whole lookup).
- SQLite has no such index: the recent slice only, tested with LIKE on any key word (the Python
  ranking then asks for two). Tests and small centers run here; the million-ticket target is
  PostgreSQL's (bench/bench_similar_tickets.py).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import combinations
from typing import Any

from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.db.models.functions import Left
from rapidfuzz import fuzz

from jiesu.core.chinese import tokenizer
from jiesu.orgs.models import User
from jiesu.orgs.permissions import user_scope
from jiesu.tickets.choices import EventKind, TicketStatus
from jiesu.tickets.models import Ticket, TicketEvent
from jiesu.tickets.selectors import tickets_visible_to
from jiesu.tickets.selectors_related import TEXT_PREFIX, _text_of
from jiesu.tickets.selectors_search import BigramCondition

KEY_WORDS = 4
CANDIDATE_CAP = 200
RECENT_SCAN = 5_000  # newest closed tickets tested without the index (days of a big center)
RECENT_MATCHES = 600  # matched in the slice before the viewer's scope is applied
OLDER_CAP = 1_000  # rows read through the index beyond the recent slice
ENOUGH = 20  # fewer matches in the recent slice: the matter is rare, look further back by index
WINDOW = timedelta(days=730)
MIN_SCORE = 0.35
MIN_COVERAGE = 0.5  # of the key words' weight: two minor words in common are not the same matter
CATEGORY_BONUS = 0.1
AGE_DECAY = 0.2  # a two-year-old reply ranks 20 % lower than today's of the same likeness
TITLE_WEIGHT = 2.0

# Words every appeal uses (or any place and time): they say nothing about the matter.
_STOP_TEXT = """
市民 来电 反映 来电人 诉求 诉求人 希望 要求 请求 尽快 处理 解决 问题 情况 有关 有关部门 相关 部门 工单 流水号
表示 目前 现在 已经 没有 一直 多次 这个 那个 我们 他们 自己 因为 所以 但是 如果 可以 进行 给予 答复 核实
协调 反馈 联系 咨询 投诉 举报 建议 北京 北京市 小区 附近 周边 居民 门口 影响 严重 晚上 造成 导致 存在 休息 生活 正常
"""
_STOP_WORDS = frozenset(_STOP_TEXT.split())


@dataclass
class SimilarTicket:
    ticket: Ticket
    score: float  # 0..1.1: key-word coverage and text likeness, plus the category bonus
    reply_text: str  # the lead unit's reply, or the closing note when no reply was recorded


_SEPARATORS = re.compile(r"[\W_]+")
# Times, counts and house numbers (十一点, 3号楼, 两个月) vary between accounts of one matter.
_NUMBERS = re.compile(r"[零一二三四五六七八九十百千万两几半\d]+[点时分号楼层岁年月日天周个次户元米]*")


def _words(text: str) -> list[str]:
    return [w for w in tokenizer().lcut(text) if not _SEPARATORS.fullmatch(w)]


def key_words(title: str, content: str, limit: int = KEY_WORDS) -> list[str]:
    """The words that best say what a ticket is about, best first (see the module docstring)."""
    weights: dict[str, float] = {}
    for text, factor in ((title, TITLE_WEIGHT), (content[: TEXT_PREFIX * 2], 1.0)):
        for word in _words(_normal(text)):
            if len(word) < 2 or word in _STOP_WORDS or word.isascii() or _NUMBERS.fullmatch(word):
                continue
            weights[word] = weights.get(word, 0.0) + factor * _rarity(word)
    return sorted(weights, key=lambda w: (-weights[w], w))[:limit]


def _rarity(word: str) -> float:
    """Inverse frequency in jieba's dictionary: 噪音 says more than 小区."""
    dictionary = tokenizer()
    return math.log(dictionary.total / (dictionary.FREQ.get(word, 0) + 1))


class _BigramsMatch(BigramCondition):
    """`text_bigrams @@ (q(a) && q(b)) || (q(a) && q(c)) …`: the ticket's text holds every bigram
    of at least two of the words."""

    def __init__(self, pairs: list[tuple[str, ...]], *, indexed: bool) -> None:
        super().__init__()
        self.pairs = pairs
        self.indexed = indexed

    def condition_sql(self, column: str) -> tuple[str, list[Any]]:
        groups = [" && ".join(["jiesu_bigram_query(%s)"] * len(pair)) for pair in self.pairs]
        query = " || ".join(f"({group})" for group in groups)
        if not self.indexed:
            # Not the indexed expression: the planner walks the recent slice and tests the stored
            # column row by row, instead of reading the long posting lists of common bigrams.
            column = f"coalesce({column}, ''::tsvector)"
        return f"{column} @@ ({query})", [word for pair in self.pairs for word in pair]


def _needed(keys: list[str]) -> int:
    return min(2, len(keys))


def _base(ticket: Ticket, tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    qs = tickets.filter(status=TicketStatus.CLOSED, received_at__gte=ticket.received_at - WINDOW)
    if ticket.pk is not None:  # an unsaved ticket (a draft being typed) has neither
        qs = qs.exclude(pk=ticket.pk).exclude(merged_into_id=ticket.pk)
    # No tie-break on the id: the walk of (status, -received_at) then stops at the LIMIT instead
    # of sorting every match; ties are ranked by score anyway.
    return qs.order_by("-received_at")


def _recent_boundary() -> datetime | None:
    """When the RECENT_SCAN-th newest closed ticket was received (None: there are fewer). An
    index-only walk of (status, -received_at); scope is left out, it only makes the slice smaller."""
    closed = Ticket.objects.filter(status=TicketStatus.CLOSED).order_by("-received_at")
    return closed.values_list("received_at", flat=True)[RECENT_SCAN - 1 : RECENT_SCAN].first()


def _in_slice(qs: QuerySet[Ticket], boundary: datetime | None) -> QuerySet[Ticket]:
    return qs if boundary is None else qs.filter(received_at__gte=boundary)


def _rows(qs: QuerySet[Ticket], cap: int) -> list[tuple[Any, ...]]:
    fields = ("pk", "title", "opening", "category_id", "received_at")
    return list(qs.annotate(opening=Left("content", TEXT_PREFIX)).values_list(*fields)[:cap])


def _candidates(ticket: Ticket, viewer: User | None, keys: list[str]) -> list[tuple[Any, ...]]:
    """(pk, title, opening, category_id, received_at) of at most CANDIDATE_CAP closed tickets,
    newest first: the recent slice first, then (PostgreSQL) older ones through the index."""
    boundary = _recent_boundary()
    visible = tickets_visible_to(viewer=viewer)
    if connection.vendor != "postgresql":
        any_word = Q()
        for word in keys:
            any_word |= Q(title__contains=word) | Q(content__contains=word)
        return _rows(_in_slice(_base(ticket, visible), boundary).filter(any_word), CANDIDATE_CAP)
    pairs = list(combinations(keys, _needed(keys)))
    # The text is matched before the scope, which is then applied to the few rows found: tested
    # row by row under the scope's joins, the slice cost tens of milliseconds more.
    everything = user_scope(viewer).everything
    unscoped = _base(ticket, Ticket.objects.all())
    recent = _in_slice(unscoped, boundary).filter(_BigramsMatch(pairs, indexed=False))
    ids = list(recent.values_list("pk", flat=True)[: CANDIDATE_CAP if everything else RECENT_MATCHES])
    if boundary is not None and len(ids) < ENOUGH:
        ids += _older(unscoped.filter(received_at__lt=boundary), [(keys[0], other) for other in keys[1:]] or pairs)
    return _rows(_base(ticket, visible).filter(pk__in=ids), CANDIDATE_CAP)


def _older(qs: QuerySet[Ticket], pairs: list[tuple[str, ...]]) -> list[int]:
    """A matter rare in the recent slice, looked up through the index at any age in the window:
    the top key word with any other. With one word in every alternative GIN can skip through the
    long posting lists of the others instead of reading them whole. The index yields rows in
    table order, unsorted: at most OLDER_CAP of them are read, then the newest kept, so a matter
    common in the past but not lately (heating in summer) costs no more than a rare one. (A
    matter common lately but rare in the viewer's scope is not looked for further back.)"""
    found = qs.filter(_BigramsMatch(pairs, indexed=True)).order_by().values_list("pk", "received_at")
    with _bitmap_scans_only():
        rows = sorted(found[:OLDER_CAP], key=lambda row: row[1], reverse=True)
    return [pk for pk, _ in rows[:RECENT_MATCHES]]


@contextmanager
def _bitmap_scans_only() -> Iterator[None]:
    """Under a LIMIT without ORDER BY, PostgreSQL may bet on reading the table (or a date index)
    until enough rows match, which for a rare matter means all of it. Bitmap scans only leave it
    the GIN index. The setting must never outlive this query on the (reused) connection:
    - it is transaction-local (set_config(…, true), i.e. SET LOCAL) inside our own atomic block;
    - on success the previous values are put back at once, because releasing a savepoint (our
      block nested in a caller's transaction) would keep a SET LOCAL until the outer commit;
    - on error nothing is put back by hand: the transaction is aborted and would refuse the
      statement (hiding the real error), and the rollback of our block, to its savepoint or of
      the whole transaction, undoes the setting anyway."""
    settings = ("enable_seqscan", "enable_indexscan")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(f"current_setting('{name}')" for name in settings))
        before = cursor.fetchone() or ("on", "on")
        for name in settings:
            cursor.execute("SELECT set_config(%s, 'off', true)", [name])
        yield
        for name, value in zip(settings, before, strict=True):
            cursor.execute("SELECT set_config(%s, %s, true)", [name, value])


def _score(keys: dict[str, float], own: str, theirs: str, same_category: bool, age: timedelta) -> float:
    covered = [w for w in keys if w in theirs]
    coverage = sum(keys[w] for w in covered) / sum(keys.values())
    if len(covered) < _needed(list(keys)) or coverage < MIN_COVERAGE:
        return 0.0
    likeness = fuzz.ratio(own, theirs) / 100
    score = 0.6 * coverage + 0.4 * likeness + (CATEGORY_BONUS if same_category else 0.0)
    return score * (1 - AGE_DECAY * min(age / WINDOW, 1.0))


def _ranked(ticket: Ticket, rows: list[tuple[Any, ...]], keys: list[str]) -> list[tuple[int, float]]:
    weights = {w: 1.0 / (rank + 1) ** 0.5 for rank, w in enumerate(keys)}
    own = _text_of(ticket.title, ticket.content)
    scored: list[tuple[int, float]] = []
    for pk, title, opening, category_id, received_at in rows:
        same = category_id is not None and category_id == ticket.category_id
        score = _score(weights, own, _text_of(title, opening), same, _age(ticket.received_at, received_at))
        if score >= MIN_SCORE:
            scored.append((pk, round(score, 4)))
    scored.sort(key=lambda item: -item[1])
    return scored


def _age(now: datetime, then: datetime) -> timedelta:
    return max(now - then, timedelta(0))


def _closing_notes(pks: list[int]) -> dict[int, str]:
    """The note of the event that closed each ticket, for tickets closed without a reply text."""
    if not pks:
        return {}
    events = (
        TicketEvent.objects.filter(ticket_id__in=pks, kind__in=[EventKind.CLOSED, EventKind.SELF_HANDLED])
        .exclude(reason="")
        .order_by("ticket_id", "occurred_at", "id")
        .values_list("ticket_id", "reason")
    )
    return dict(events)  # the latest closing wins


def tickets_similar_closed(*, ticket: Ticket, viewer: User | None, limit: int = 5) -> list[SimilarTicket]:
    """Closed tickets about the same matter as `ticket` that the viewer may read, best first."""
    keys = key_words(ticket.title, ticket.content)
    if not keys or limit <= 0:
        return []
    ranked = _ranked(ticket, _candidates(ticket, viewer, keys), keys)[:limit]
    rows = Ticket.objects.select_related("category", "lead_unit").in_bulk([pk for pk, _ in ranked])
    notes = _closing_notes([pk for pk in rows if not rows[pk].reply_text])
    return [
        SimilarTicket(ticket=rows[pk], score=score, reply_text=rows[pk].reply_text or notes.get(pk, ""))
        for pk, score in ranked
        if pk in rows
    ]


def _normal(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").lower()
