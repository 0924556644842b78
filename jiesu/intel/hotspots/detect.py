"""The hotspot pipeline: window → words → TF-IDF → similar pairs → clusters → ranked hotspots.

The defaults were chosen by measurement on the 4,326 real messages of tipdm2020 (docs/intel.md).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import scipy.sparse as sp

from jiesu.intel.hotspots import clustering, labels, pairs, places, ranking
from jiesu.intel.hotspots.documents import Document
from jiesu.intel.hotspots.features import Features, document_words, vectorize
from jiesu.intel.hotspots.ranking import Hotspot


@dataclass(frozen=True)
class HotspotSettings:
    threshold: float = 0.3  # cosine for a candidate pair
    cohesion: float = 0.35  # cosine to the cluster centroid for a member to stay
    min_df: int = 2
    max_df: float = 0.2  # share of documents; at least MAX_DF_FLOOR documents
    min_size: int = 3  # documents in the window
    min_requesters: int = 2


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
    segmenter: Callable[[Document], list[str]] = document_words,
    limit: int | None = None,
) -> list[Hotspot]:
    """The `limit` best hotspots (all by default) of the documents in [start, end), best first.

    Documents of the baseline window (the same length just before `start`) are clustered with
    them so that each hotspot's growth counts its earlier documents; other documents are ignored.
    `segmenter` turns a document into words (a caller holding segmented texts passes a lookup:
    segmentation is the slowest stage)."""
    settings = settings or HotspotSettings()
    if not documents:
        return []
    window = window_of(documents, start, end)
    corpus = [d for d in documents if window.baseline_start <= d.time < window.end]
    if not corpus:
        return []
    features = _features(corpus, settings, segmenter)
    place_sets = [places.document_places(d.title, d.body) for d in corpus]
    keys = pairs.key_matrix([places.place_keys(p) for p in place_sets])
    first, second, scores = pairs.similar_pairs(features.matrix, threshold=settings.threshold, places=keys)
    groups = clustering.clusters(
        features.matrix,
        first,
        second,
        scores,
        threshold=settings.threshold,
        cohesion=settings.cohesion,
        min_size=settings.min_size,
    )
    has_history = any(d.time < window.start for d in corpus)
    found: list[tuple[Hotspot, list[int]]] = []
    for group in groups:
        inside = [corpus[i] for i in group if corpus[i].time >= window.start]
        if len(inside) >= settings.min_size and ranking.requester_count(inside) >= settings.min_requesters:
            found.append((_hotspot(inside, baseline=len(group) - len(inside), has_history=has_history), group))
    found.sort(key=lambda pair: (-pair[0].score, -pair[0].size, pair[0].first))
    chosen = found[:limit] if limit is not None else found
    for hotspot, group in chosen:  # labels only for what is returned: the centroid is not free
        _name(hotspot, [corpus[i] for i in group], features.matrix[group], features.vocabulary, place_sets, group)
    return [hotspot for hotspot, _ in chosen]


def _features(
    corpus: Sequence[Document], settings: HotspotSettings, segmenter: Callable[[Document], list[str]]
) -> Features:
    max_count = max(int(settings.max_df * len(corpus)), MAX_DF_FLOOR)
    return vectorize([segmenter(d) for d in corpus], min_df=settings.min_df, max_df=max_count)


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
    rows: sp.csr_matrix,
    vocabulary: list[str],
    place_sets: Sequence[frozenset[str]],
    group: list[int],
) -> None:
    """Label from the whole cluster, baseline included: the same issue, more evidence."""
    centroid = np.asarray(rows.mean(axis=0)).ravel()
    hotspot.place = places.place_name(place_sets[i] for i in group)
    titles = [d.title for d in documents]
    hotspot.problem = labels.problem_words(centroid, vocabulary, place=hotspot.place, titles=titles)
    hotspot.label = labels.label_text(hotspot.place, hotspot.problem)
