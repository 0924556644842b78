"""The hotspot pipeline: window → n-gram TF-IDF → similar pairs → clusters → ranked hotspots.

The defaults were chosen by measurement on the 4,326 real messages of tipdm2020 (docs/intel.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import scipy.sparse as sp

from jiesu.intel.hotspots import blocking, clustering, labels, pairs, places, ranking
from jiesu.intel.hotspots.documents import Document
from jiesu.intel.hotspots.features import Features, label_centroid, vectorize, without_places
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
    window: int = 32  # documents compared all against all inside a block (`blocking`)


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
) -> list[Hotspot]:
    """The `limit` best hotspots (all by default) of the documents in [start, end), best first.

    Documents of the baseline window (the same length just before `start`) are clustered with
    them so that each hotspot's growth counts its earlier documents; other documents are ignored."""
    settings = settings or HotspotSettings()
    if not documents:
        return []
    window = window_of(documents, start, end)
    corpus = [d for d in documents if window.baseline_start <= d.time < window.end]
    if not corpus:
        return []
    max_count = max(int(settings.max_df * len(corpus)), MAX_DF_FLOOR)
    features = vectorize(corpus, min_df=settings.min_df, max_count=max_count)
    place_sets = [places.document_places(d.title, d.body) for d in corpus]
    groups = _clusters(corpus, features, place_sets, settings)
    has_history = any(d.time < window.start for d in corpus)
    found: list[tuple[Hotspot, list[int]]] = []
    for group in groups:
        inside = [corpus[i] for i in group if corpus[i].time >= window.start]
        if len(inside) >= settings.min_size and ranking.requester_count(inside) >= settings.min_requesters:
            found.append((_hotspot(inside, baseline=len(group) - len(inside), has_history=has_history), group))
    found.sort(key=lambda pair: (-pair[0].score, -pair[0].size, pair[0].first))
    chosen = found[:limit] if limit is not None else found
    for hotspot, group in chosen:  # labels only for what is returned: the centroid is not free
        _name(hotspot, [corpus[i] for i in group], features, place_sets, group)
    return [hotspot for hotspot, _ in chosen]


def _clusters(
    corpus: Sequence[Document], features: Features, place_sets: Sequence[frozenset[str]], settings: HotspotSettings
) -> list[list[int]]:
    """Pairs → clusters. A pair of one place below the threshold, and a member of a cluster, must
    also be alike without the place's n-grams (`features.without_places`): at one complex, its
    fumes and its cracked floors are two issues, though the complex's name makes them look alike."""
    keys = pairs.key_matrix(places.resolve_keys([places.place_keys(p) for p in place_sets]))
    first, second, scores = _pairs(features, keys, settings)
    unplaced = vectorize(
        without_places(corpus, place_sets), min_df=settings.min_df, max_count=features.max_count
    ).matrix
    problem = pairs.pair_cosines(unplaced, first, second)
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
    return clustering.trim_all(unplaced, groups, cohesion=settings.problem_cohesion, min_size=settings.min_size)


def _pairs(
    features: Features, keys: sp.csr_matrix, settings: HotspotSettings
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
    groups = blocking.windows(entries, window=settings.window)
    low = min(settings.threshold, settings.same_place)
    first, second, scores = blocking.blocked_pairs(matrix, groups, threshold=low)
    keep = pairs.place_filter(first, second, scores, keys, threshold=settings.threshold)
    return first[keep], second[keep], scores[keep]


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
