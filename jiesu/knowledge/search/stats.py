"""Index statistics that ranking needs on every search, cached per process: the number of
entries, their average indexed length and the document frequency of each term seen.

Counting them afresh costs tens of milliseconds at 50,000 entries (a scan of the entries and of
every posting of a frequent term such as 申请), more than the rest of a search. The cache is
dropped when the index changes: at once in this process (`invalidate`, called by the indexer),
and in other processes when the highest posting id or entry id moves, which two index look-ups
tell. On PostgreSQL ids are never reused, so any reindex or new entry is seen; a deletion alone
is seen at the next change.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.db.models import Count

from jiesu.knowledge.models import IndexTerm, KnowledgeEntry

_MAX_TERMS = 100_000  # frequencies kept before the cache starts over


class _Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.stamp: tuple[Any, ...] | None = None
        self.corpus: tuple[int, float] | None = None
        self.frequencies: dict[str, int] = {}


_stats = _Stats()


def invalidate() -> None:
    with _stats.lock:
        _stats.stamp, _stats.corpus, _stats.frequencies = None, None, {}


def index_stamp() -> tuple[Any, ...]:
    """What changes whenever postings are written: (highest posting id, highest entry id)."""
    postings, entries = IndexTerm._meta.db_table, KnowledgeEntry._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT (SELECT MAX(id) FROM {postings}), (SELECT MAX(id) FROM {entries})")  # noqa: S608
        row = cursor.fetchone()
    return (connection.alias, *row)


def _fresh() -> None:
    stamp = index_stamp()
    with _stats.lock:
        if stamp != _stats.stamp:
            _stats.stamp, _stats.corpus, _stats.frequencies = stamp, None, {}


def corpus_stats() -> tuple[int, float]:
    """(number of entries of any status, their average indexed length)."""
    _fresh()
    if _stats.corpus is None:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*), AVG(indexed_length) FROM {KnowledgeEntry._meta.db_table}")  # noqa: S608
            count, average = cursor.fetchone()
        _stats.corpus = (int(count or 0), float(average or 0) or 1.0)
    return _stats.corpus


def document_frequencies(terms: Sequence[str]) -> dict[str, int]:
    """In how many entries (any status) each term occurs; 0 for unknown terms."""
    _fresh()
    known = _stats.frequencies
    missing = sorted({t for t in terms if t not in known})
    if missing:
        marks = ", ".join(["%s"] * len(missing))
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT term, COUNT(DISTINCT entry_id) FROM {IndexTerm._meta.db_table}"  # noqa: S608
                f" WHERE term IN ({marks}) GROUP BY term",
                missing,
            )
            found = {term: int(count) for term, count in cursor.fetchall()}
        if len(known) > _MAX_TERMS:
            known.clear()
        known.update({term: found.get(term, 0) for term in missing})
    return {term: known.get(term, 0) for term in terms}


def frequencies_among(terms: Sequence[str], statuses: Sequence[str]) -> dict[str, int]:
    """In how many entries of `statuses` each term occurs (uncached: only suggestions ask, for a
    handful of terms). Suggestions use it so a reader is never offered a word that only stands
    in someone's draft."""
    if not terms:
        return {}
    rows = (
        IndexTerm.objects.filter(term__in=list(terms), entry__status__in=list(statuses))
        .values("term")
        .annotate(n=Count("entry", distinct=True))
    )
    found = {row["term"]: int(row["n"]) for row in rows}
    return {term: found.get(term, 0) for term in terms}
