"""The hotspot pipeline: window → n-gram TF-IDF → similar pairs → clusters → ranked hotspots.

The defaults were chosen by measurement on the 4,326 real messages of tipdm2020 (docs/intel.md).
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import scipy.sparse as sp

from jiesu.intel.hotspots import blocking, clustering, labels, pairs, parallel, places, ranking
from jiesu.intel.hotspots.documents import Document
from jiesu.intel.hotspots.features import (
    CHUNK_DOCUMENTS,
    Features,
    counts,
    label_centroid,
    texts_of,
    tfidf,
    without_places,
)
from jiesu.intel.hotspots.ranking import Hotspot


@dataclass(frozen=True)
class HotspotSettings:
    threshold: float = 0.2  # cosine for a candidate pair
    same_place: float = 0.1  # cosine for a pair of documents sharing a place key (`pairs`) …
    problem: float = 0.03  # … and, below `threshold`, cosine without their place n-grams
    problem_share: float = 0.2  # of a pair's cosine that must remain without place n-grams
    problem_cohesion: float = 0.17  # cosine to the centroid without place n-grams, for a member to stay
    cohesion: float = 0.3  # cosine to the cluster centroid for a member to stay
    min_df: int = 2
    max_df: float = 0.2  # share of documents; at least MAX_DF_FLOOR documents
    min_size: int = 3  # documents in the window
    min_requesters: int = 2
    exact_limit: int = 50_000  # documents up to which every pair is compared (beyond: `blocking`)
    block_keys: int = 4
    min_block: int = 30  # a block of fewer documents than a hotspot needs links little
    max_block: int = 2000
    reach: int = 8  # neighbours in a block's order each document is compared with (`blocking`)


MAX_DF_FLOOR = 10  # a share of a small corpus is a handful of documents: a hotspot would prune its own words


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime  # exclusive

    @property
    def baseline_start(self) -> datetime:
        return self.start - (self.end - self.start)


def window_of(documents: Sequence[Document], start: datetime | None, end: datetime | None) -> Window:
    """The given bounds; a missing one is taken from the documents' earliest / latest time (there
    must be documents then)."""
    low = start or min(d.time for d in documents)
    high = end or (max(d.time for d in documents) + timedelta(seconds=1))
    return Window(low, high)


def hotspots_detect(
    documents: Sequence[Document],
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    settings: HotspotSettings | None = None,
    limit: int | None = None,
    workers: int = 1,
) -> list[Hotspot]:
    """The `limit` best hotspots (all by default) of the documents in [start, end), best first.

    Documents of the baseline window (the same length just before `start`) are clustered with
    them so that each hotspot's growth counts its earlier documents; other documents are ignored.
    `workers` > 1 computes the stages of a large corpus on that many processes (`parallel`)."""
    settings = settings or HotspotSettings()
    if not documents:
        return []
    window = window_of(documents, start, end)
    corpus = [d for d in documents if window.baseline_start <= d.time < window.end]
    if not corpus:
        return []
    features, unplaced, place_sets = _features(corpus, settings, workers)
    groups = _clusters(features, unplaced, place_sets, settings, workers)
    chosen = _ranked(corpus, groups, window, settings, limit)
    for hotspot, group in chosen:  # labels only for what is returned: the centroid is not free
        _name(hotspot, [corpus[i] for i in group], features, place_sets, group)
    return [hotspot for hotspot, _ in chosen]


def _features(
    corpus: Sequence[Document], settings: HotspotSettings, workers: int
) -> tuple[Features, sp.csr_matrix, list[frozenset[str]]]:
    """TF-IDF rows of the documents, the same without their places (`features.without_places`),
    and their places, computed a chunk of documents at a time."""
    bounds = [(low, min(low + CHUNK_DOCUMENTS, len(corpus))) for low in range(0, len(corpus), CHUNK_DOCUMENTS)]
    parts = parallel.chunk_map(_chunk_features, corpus, bounds, workers=workers)
    place_sets = [each for part in parts for each in part[0]]
    max_count = max(int(settings.max_df * len(corpus)), MAX_DF_FLOOR)
    features = tfidf([part[1] for part in parts], min_df=settings.min_df, max_count=max_count)
    unplaced = tfidf([part[2] for part in parts], min_df=settings.min_df, max_count=max_count).matrix
    return features, unplaced, place_sets


def _chunk_features(
    corpus: Sequence[Document], bounds: tuple[int, int]
) -> tuple[list[frozenset[str]], sp.csr_matrix, sp.csr_matrix]:
    chunk = corpus[bounds[0] : bounds[1]]
    place_sets = places.corpus_places(chunk)
    return place_sets, counts(texts_of(chunk)), counts(without_places(chunk, place_sets))


def _clusters(
    features: Features,
    unplaced: sp.csr_matrix,
    place_sets: Sequence[frozenset[str]],
    settings: HotspotSettings,
    workers: int,
) -> list[list[int]]:
    """Pairs → clusters. A pair of one place below the threshold, and a member of a cluster, must
    also be alike without the place's n-grams (`unplaced`): at one complex, its fumes and its
    cracked floors are two issues, though the complex's name makes them look alike."""
    keys = pairs.place_key_matrix(place_sets)
    first, second, scores = _pairs(features, keys, settings, workers)
    problem = pairs.pair_cosines(unplaced, first, second, workers=workers)
    keep = (problem >= settings.problem_share * scores) & (
        (scores >= settings.threshold) | (problem >= settings.problem)
    )
    first, second, scores = first[keep], second[keep], scores[keep]
    groups = clustering.clusters(
        features.matrix,
        first,
        second,
        scores,
        threshold=settings.threshold,
        cohesion=settings.cohesion,
        min_size=settings.min_size,
    )
    trimmed = clustering.trim_groups(unplaced, groups, cohesion=settings.problem_cohesion, min_size=settings.min_size)
    return trimmed.lists()


def _pairs(
    features: Features, keys: sp.csr_matrix, settings: HotspotSettings, workers: int
) -> tuple[pairs.IntArray, pairs.IntArray, pairs.FloatArray]:
    """Every pair above the threshold for a small corpus; on a large one X·Xᵀ is out of reach
    (a million rows), so pairs are sought only inside blocks of documents sharing a rare, heavy
    n-gram: a hotspot's documents share its place and problem words, and one link each suffices."""
    matrix = features.matrix
    if matrix.shape[0] <= settings.exact_limit:
        return pairs.similar_pairs(matrix, threshold=settings.threshold, places=keys, same_place=settings.same_place)
    entries = blocking.block_keys(
        matrix, features.df, keys=settings.block_keys, max_block=settings.max_block, min_block=settings.min_block
    )
    low = min(settings.threshold, settings.same_place)
    first, second, scores = blocking.neighbour_pairs(
        matrix, entries, reach=settings.reach, threshold=low, workers=workers
    )
    keep = pairs.place_filter(first, second, scores, keys, threshold=settings.threshold)
    return first[keep], second[keep], scores[keep]


def _ranked(
    corpus: Sequence[Document], groups: list[list[int]], window: Window, settings: HotspotSettings, limit: int | None
) -> list[tuple[Hotspot, list[int]]]:
    """The `limit` best hotspots of the groups (all by default), with their groups, best first.

    A million tickets make a hundred thousand groups and a hotspot's figures are counted in Python;
    the size, requester and support of every group are counted with arrays first, which bounds its
    score from above (all its requesters for those of its busiest stretch), and hotspots are built
    in the order of that bound only until no later one can enter the `limit` best."""
    has_history = any(d.time < window.start for d in corpus)
    members = np.concatenate([np.asarray(g, dtype=np.int64) for g in groups]) if groups else np.zeros(0, np.int64)
    owner = np.repeat(np.arange(len(groups)), [len(g) for g in groups])
    people: dict[str, int] = {}
    documents = [corpus[i] for i in members]
    inside = np.fromiter((d.time >= window.start for d in documents), dtype=bool, count=len(documents))
    who = np.fromiter((people.setdefault(ranking.who(d), len(people)) for d in documents), np.int64, len(documents))
    support = np.fromiter((d.support for d in documents), dtype=np.float64, count=len(documents))
    size = np.bincount(owner[inside], minlength=len(groups))
    baseline = np.bincount(owner, minlength=len(groups)) - size
    pairs_ = np.unique(owner[inside] * max(len(people), 1) + who[inside])
    requesters = np.bincount(pairs_ // max(len(people), 1), minlength=len(groups))
    rising = np.maximum((size - baseline) / np.maximum(baseline, 1), 0.0) if has_history else np.zeros(len(groups))
    bound = (
        requesters
        + ranking.SUPPORT_WEIGHT * np.log1p(np.bincount(owner[inside], weights=support[inside], minlength=len(groups)))
        + ranking.GROWTH_WEIGHT * np.log1p(rising)
    )
    eligible = np.flatnonzero((size >= settings.min_size) & (requesters >= settings.min_requesters))
    found: list[tuple[Hotspot, list[int]]] = []
    negated: list[float] = []  # scores of `found`, negated and sorted: the best first
    for index in eligible[np.argsort(-bound[eligible], kind="stable")].tolist():
        if limit is not None and len(negated) >= limit and bound[index] < -negated[limit - 1] - 1e-9:
            break
        group = groups[index]
        inside_group = [corpus[i] for i in group if corpus[i].time >= window.start]
        hotspot = _hotspot(inside_group, baseline=len(group) - len(inside_group), has_history=has_history)
        found.append((hotspot, group))
        bisect.insort(negated, -hotspot.score)
    found.sort(key=lambda pair: (-pair[0].score, -pair[0].size, pair[0].first))
    return found[:limit] if limit is not None else found


def _hotspot(inside: list[Document], *, baseline: int, has_history: bool) -> Hotspot:
    members = sorted(inside, key=lambda d: (d.time, d.id))
    size = len(members)
    hotspot = Hotspot(
        label="",
        place="",
        problem=[],
        size=size,
        first=members[0].time,
        last=members[-1].time,
        ids=[d.id for d in members],
        requesters=ranking.requester_count(members),
        peak_requesters=ranking.peak_requesters(members),
        support=sum(d.support for d in members),
        baseline=baseline,
        growth=ranking.growth(size, baseline, has_history=has_history),
        active_days=len({d.time.date() for d in members}),
    )
    hotspot.score = ranking.score(hotspot)
    return hotspot


def _name(
    hotspot: Hotspot,
    documents: list[Document],
    features: Features,
    place_sets: Sequence[frozenset[str]],
    group: list[int],
) -> None:
    """Label from the whole cluster, baseline included: the same issue, more evidence."""
    centroid, vocabulary = label_centroid(features, documents)
    hotspot.place = places.place_name(place_sets[i] for i in group)
    titles = [d.title for d in documents]
    hotspot.problem = labels.problem_words(centroid, vocabulary, place=hotspot.place, titles=titles)
    hotspot.label = labels.label_text(hotspot.place, hotspot.problem)
