"""Knowledge-base search: the entry point for pages, the API, the CLI and ticket suggestions.

Terms come from `segment`, statistics from `stats`, ranking (BM25 in SQL, identical on SQLite
and PostgreSQL) from `rank`, highlighting from `highlight` and near-miss suggestions from
`suggest`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial

from jiesu.knowledge.choices import EntryStatus
from jiesu.knowledge.models import KnowledgeEntry
from jiesu.knowledge.search import rank
from jiesu.knowledge.search.highlight import highlight, marker, snippet
from jiesu.knowledge.search.index import entry_body_text
from jiesu.knowledge.search.segment import is_cjk, pieces, query_terms
from jiesu.knowledge.search.stats import corpus_stats, document_frequencies, frequencies_among
from jiesu.knowledge.search.suggest import near_misses
from jiesu.orgs.models import User
from jiesu.tickets.models import Category

FEW_HITS = 3  # below this, suggestions are offered even when every word is known


@dataclass
class SearchHit:
    entry: KnowledgeEntry
    score: float
    title_html: str
    snippet_html: str


@dataclass
class SearchPage:
    hits: list[SearchHit]
    total: int
    suggestions: list[str]
    terms: list[str]


def _resolve(words: list[str]) -> tuple[list[str], dict[str, int]]:
    """The search terms (a long CJK word the index lacks becomes its 2-character pieces) and
    their document frequencies."""
    long_words = [w for w in words if len(w) > 2 and is_cjk(w)]
    counts = document_frequencies(sorted(set(words) | {p for w in long_words for p in pieces(w)}))
    terms: list[str] = []
    for word in words:
        if word in long_words and not counts.get(word):
            terms += [piece for piece in pieces(word) if counts.get(piece)]
        else:
            terms.append(word)
    return list(dict.fromkeys(terms)), counts


def knowledge_search(
    text: str,
    *,
    viewer: User | None,
    libraries: Sequence[str] = (),
    category: Category | None = None,
    valid_on: date | None = None,
    statuses: Sequence[str] = (EntryStatus.PUBLISHED,),
    limit: int = 20,
    offset: int = 0,
) -> SearchPage:
    """Entries matching `text`, best first. Any signed-in (active) user may search; `viewer`
    None is the system itself. Which statuses a caller may ask for is the caller's decision."""
    words = query_terms(text)
    if (viewer is not None and not viewer.is_active) or not words or not statuses:
        return SearchPage(hits=[], total=0, suggestions=[], terms=words)
    terms, counts = _resolve(words)
    the_plan = rank.plan(terms, counts, *corpus_stats())
    rows: list[tuple[int, float, int]] = []
    total = 0
    if the_plan is not None:
        where, where_params = rank.filters(libraries, category, valid_on, statuses)
        rows, total = rank.page(the_plan, where, where_params, max(0, limit), max(0, offset))
    entries = KnowledgeEntry.objects.select_related("unit", "category").in_bulk([pk for pk, _, _ in rows])
    found = marker(terms)
    hits = [
        SearchHit(
            entry=entries[pk],
            score=score,
            title_html=highlight(entries[pk].title, found),
            snippet_html=snippet(entry_body_text(entries[pk]), found),
        )
        for pk, score, _ in rows
        if pk in entries
    ]
    wanted = words if total < FEW_HITS else [w for w in words if not counts.get(w)]
    suggestions = near_misses(wanted, partial(frequencies_among, statuses=statuses)) if wanted else []
    return SearchPage(hits=hits, total=total, suggestions=suggestions, terms=terms)
