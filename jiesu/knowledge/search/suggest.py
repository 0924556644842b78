"""Near-miss suggestions ("did you mean"): index terms that differ from a query word by about one
character (低报 → 低保, 养老金 ↔ 养老). Character-level only, no pinyin.

The index vocabulary is cached per process and reloaded when the index changes. The change
check is `stats.index_stamp` (highest posting id and entry id, two index look-ups) rather than
a count of the postings table, which PostgreSQL can only answer with a full scan of millions of
rows. The vocabulary may keep a term whose postings were since deleted; live document
frequencies filter those out.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from jiesu.knowledge.models import IndexTerm
from jiesu.knowledge.search.segment import is_cjk
from jiesu.knowledge.search.stats import index_stamp

MAX_SUGGESTIONS = 5
MIN_SIMILARITY = 0.5  # one character in two: 低报 → 低保; 养老金 → 养老 scores 0.67
_CANDIDATES = 30


class _Vocabulary:
    """CJK index terms by character. Postings only get higher ids, so after a change only the
    terms of postings above the last id seen are read; the whole table (seconds at millions of
    postings) is read once per process, or again if the ids went down (a rebuilt database)."""

    def __init__(self) -> None:
        self.stamp: tuple[Any, ...] = ()
        self.terms: set[str] = set()
        self.by_char: defaultdict[str, list[str]] = defaultdict(list)
        self.lock = threading.Lock()

    def current(self) -> dict[str, list[str]]:
        stamp = index_stamp()  # (database alias, highest posting id, highest entry id)
        with self.lock:
            if stamp != self.stamp:
                rows = IndexTerm.objects.all()
                if self.stamp[:1] == stamp[:1] and (self.stamp[1] or 0) <= (stamp[1] or 0):
                    rows = rows.filter(id__gt=self.stamp[1] or 0)
                else:
                    self.terms, self.by_char = set(), defaultdict(list)
                for term in rows.values_list("term", flat=True).distinct().iterator(chunk_size=5000):
                    if term not in self.terms and is_cjk(term):
                        self.terms.add(term)
                        for char in set(term):
                            self.by_char[char].append(term)
                self.stamp = stamp
            return self.by_char


_vocabulary = _Vocabulary()


def _near(word: str, by_char: dict[str, list[str]]) -> list[tuple[str, float]]:
    pool = {
        term for char in set(word) for term in by_char.get(char, ()) if abs(len(term) - len(word)) <= 1 and term != word
    }
    found = process.extract(
        word,
        sorted(pool),
        scorer=Levenshtein.normalized_similarity,
        score_cutoff=MIN_SIMILARITY,
        limit=_CANDIDATES,
    )
    return [(term, float(score)) for term, score, _ in found]


def near_misses(words: Sequence[str], frequencies: Callable[[Sequence[str]], dict[str, int]]) -> list[str]:
    """Up to five index terms close to `words` (CJK words only), closest first and, among equally
    close ones, those in more entries first. `frequencies` gives live document frequencies, so
    a term whose entries were deleted since the vocabulary was loaded is never offered."""
    wanted = [word for word in words if is_cjk(word)]
    if not wanted:
        return []
    by_char = _vocabulary.current()
    scored = [(term, score, rank) for rank, word in enumerate(wanted) for term, score in _near(word, by_char)]
    counts = frequencies(sorted({term for term, _, _ in scored}))
    ordered = sorted(
        (item for item in scored if counts.get(item[0], 0) > 0 and item[0] not in wanted),
        key=lambda item: (-item[1], -counts[item[0]], item[2], item[0]),
    )
    return list(dict.fromkeys(term for term, _, _ in ordered))[:MAX_SUGGESTIONS]
