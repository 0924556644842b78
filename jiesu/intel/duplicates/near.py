"""Near-duplicate texts across requesters: candidates from the keyword index, verified by MinHash
and the exact Jaccard similarity of character 3-gram shingles.

Candidates are never a scan of every ticket in the window. The ticket's key words (the words that
say what it is about, jiesu.tickets.selectors_similar.key_words) must occur in a candidate:
- PostgreSQL: two of the top key words, through the stored bigram column `text_bigrams` and its
  GIN index (jiesu.tickets.selectors_search.BigramCondition);
- SQLite: any key word, by LIKE within the window (tests and small centers).
The same district is asked first, then the others, at most CANDIDATE_CAP rows in all, newest first.
MinHash (128 permutations) discards the clearly different ones cheaply; the exact Jaccard
similarity of the rest decides against the threshold and is the link's score.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from itertools import combinations
from typing import Any

from django.db import OperationalError, connection, transaction
from django.db.models import Q, QuerySet

from jiesu.intel.duplicates.minhash import MinHasher, estimate, jaccard, shingle_text, shingles
from jiesu.intel.duplicates.selectors import earlier
from jiesu.tickets.models import Ticket
from jiesu.tickets.selectors_search import BigramCondition
from jiesu.tickets.selectors_similar import key_words

CANDIDATE_CAP = 200
# Screening runs right after a ticket is created, in the creating request: a rare key-word pair
# that matches very many rows must not hold it up. Past this budget the candidates found so far
# (possibly none) are used; the batch screen (`jiesu intel screen`) can look again later.
CANDIDATE_BUDGET_MS = 700
MINHASH_MARGIN = 0.1  # MinHash's error at 128 permutations is about ±0.04: keep borderline ones
MIN_SHINGLES = 8  # shorter texts (一句话) say too little to call two tickets duplicates

_HASHER = MinHasher()
log = logging.getLogger(__name__)


class _KeyWordsMatch(BigramCondition):
    """`text_bigrams @@ (q(a) && q(b)) || …`: the text holds every bigram of two key words."""

    def __init__(self, pairs: list[tuple[str, ...]]) -> None:
        super().__init__()
        self.pairs = pairs

    def condition_sql(self, column: str) -> tuple[str, list[Any]]:
        groups = [" && ".join(["jiesu_bigram_query(%s)"] * len(pair)) for pair in self.pairs]
        return f"{column} @@ ({' || '.join(f'({g})' for g in groups)})", [w for p in self.pairs for w in p]


def _matching(qs: QuerySet[Ticket], keys: list[str]) -> QuerySet[Ticket]:
    if connection.vendor == "postgresql":
        return qs.filter(_KeyWordsMatch(list(combinations(keys, min(2, len(keys))))))
    any_word = Q()
    for word in keys:
        any_word |= Q(title__contains=word) | Q(content__contains=word)
    return qs.filter(any_word)


def candidates(ticket: Ticket, days: int) -> list[tuple[int, str, str]]:
    """(pk, title, content) of earlier tickets sharing the key words: same district first."""
    keys = key_words(ticket.title, ticket.content)
    if not keys:
        return []
    base = _matching(earlier(ticket, days), keys)
    fields = ("pk", "title", "content")
    rows: list[tuple[int, str, str]] = []
    if ticket.district_id is not None:
        rows = _bounded(base.filter(district_id=ticket.district_id).values_list(*fields)[:CANDIDATE_CAP])
        base = base.exclude(district_id=ticket.district_id)
    if len(rows) < CANDIDATE_CAP:
        rows += _bounded(base.values_list(*fields)[: CANDIDATE_CAP - len(rows)])
    return rows


def _bounded(query: Any) -> list[tuple[int, str, str]]:
    """The rows of `query`, or none when PostgreSQL needs longer than the budget."""
    if connection.vendor != "postgresql":
        return list(query)
    try:
        with transaction.atomic():  # a savepoint: a cancelled query (and SET LOCAL) is undone alone
            with connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL statement_timeout = {int(CANDIDATE_BUDGET_MS)}")
            rows = list(query)
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL statement_timeout = DEFAULT")
            return rows
    except OperationalError as error:
        if getattr(error.__cause__, "sqlstate", None) != "57014":  # query_canceled
            raise
        log.warning("near-duplicate candidates over %d ms budget; skipped", CANDIDATE_BUDGET_MS)
        return []


@dataclass(frozen=True)
class NearDuplicate:
    pk: int
    score: float  # exact Jaccard similarity of the shingle sets


def near_duplicates(ticket: Ticket, *, days: int, threshold: float, cap: int) -> list[NearDuplicate]:
    """Earlier tickets whose text is at least `threshold` alike, most alike first."""
    own = shingles(shingle_text(ticket.title, ticket.content))
    if len(own) < MIN_SHINGLES:
        return []
    own_signature = _HASHER.signature(own)
    found: list[NearDuplicate] = []
    for pk, title, content in candidates(ticket, days):
        theirs = shingles(shingle_text(title, content))
        # Jaccard ≤ smaller / larger: sets of very different sizes are settled without hashing.
        if len(theirs) < MIN_SHINGLES or min(len(own), len(theirs)) < threshold * max(len(own), len(theirs)):
            continue
        if estimate(own_signature, _HASHER.signature(theirs)) < threshold - MINHASH_MARGIN:
            continue
        score = jaccard(own, theirs)
        if score >= threshold:
            found.append(NearDuplicate(pk, round(score, 4)))
    found.sort(key=lambda d: -d.score)
    return found[:cap]
