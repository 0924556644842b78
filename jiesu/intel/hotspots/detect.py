"""The hotspot pipeline: window → n-gram TF-IDF → similar pairs → clusters → ranked hotspots.

The defaults were chosen by measurement on the 4,326 real messages of tipdm2020 (docs/intel.md).

Stages keep their temporary arrays bounded (a chunk of documents, pairs or group members at a
time) rather than corpus-wide: memory a process touches for the first time is dear, ≈ 4 ms per MB
on the virtual machines measured (the host backs each page then), and a million tickets'
corpus-wide temporaries run to gigabytes.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from operator import attrgetter

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from jiesu.intel import ngrams
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
from jiesu.intel.hotspots.pairs import IntArray
from jiesu.intel.hotspots.ranking import Hotspot
from jiesu.intel.hotspots.timing import StageTimes
from jiesu.intel.ngrams import sorted_unique
from jiesu.intel.text import tokenizer


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
    reach: int = 6  # neighbours in a block's order each document is compared with (`blocking`)


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
    times: StageTimes | None = None,
) -> list[Hotspot]:
    """The `limit` best hotspots (all by default) of the documents in [start, end), best first.

    Documents of the baseline window (the same length just before `start`) are clustered with
    them so that each hotspot's growth counts its earlier documents; other documents are ignored.
    `workers` > 1 computes the stages of a large corpus on that many processes (`parallel`);
    `times`, when given, receives each stage's wall time."""
    settings = settings or HotspotSettings()
    times = times if times is not None else StageTimes()
    if not documents:
        return []
    window = window_of(documents, start, end)
    corpus = [d for d in documents if window.baseline_start <= d.time < window.end]
    if not corpus:
        return []
    with parallel.frozen():  # the documents: collections during detection need not walk them
        facts = _facts(corpus, window, settings, workers, times)
        with times.stage("blocks"):
            entries = _blocks(facts.features, settings, workers)
        # labels segment words with jieba, whose dictionary takes a second to load: a process
        # forked now loads it while the parent finds the candidate pairs on one core, and labels
        # what is returned
        with parallel.Ahead(_names, (corpus, facts), prepare=tokenizer, enabled=workers > 1) as labelling:
            groups = _clusters(facts, entries, settings, workers, times)
            with times.stage("ranking"):
                chosen = _ranked(corpus, groups, window, facts, settings, limit)
            with times.stage("labels"):
                labelling.ask([group for _, group in chosen])
                names = labelling.result()
    for (hotspot, _), (place, problem, label) in zip(chosen, names, strict=True):
        hotspot.place, hotspot.problem, hotspot.label = place, problem, label
    return [hotspot for hotspot, _ in chosen]


@dataclass(frozen=True)
class _Facts:
    """What detection reads of the documents, as arrays: features, places, requesters, support."""

    features: Features
    unplaced: sp.csr_matrix  # the same rows without the documents' places (`features.without_places`)
    places: list[frozenset[str]]  # distinct sets of places
    place_of: IntArray  # each document's set, an index into `places`
    who: IntArray  # each document's requester key, hashed
    support: IntArray
    inside: npt.NDArray[np.bool_]  # in the window (not the baseline)


def _facts(
    corpus: Sequence[Document], window: Window, settings: HotspotSettings, workers: int, times: StageTimes
) -> _Facts:
    """The documents' facts, computed a chunk of documents at a time (on `workers` processes)."""
    bounds = [(low, min(low + CHUNK_DOCUMENTS, len(corpus))) for low in range(0, len(corpus), CHUNK_DOCUMENTS)]
    with times.stage("facts"):
        ngrams.prepare()
        chunks = parallel.chunk_map(_chunk_facts, (corpus, window.start), bounds, workers=workers)
        index: dict[frozenset[str], int] = {}
        place_of = np.concatenate(
            [np.array([index.setdefault(p, len(index)) for p in c.places], dtype=np.int64)[c.place_of] for c in chunks]
        )
        who = np.concatenate([c.who for c in chunks])
        support = np.concatenate([c.support for c in chunks])
        inside = np.concatenate([c.inside for c in chunks])
        counted, unplaced = [c.counts for c in chunks], [c.unplaced for c in chunks]
        del chunks  # the counts are dropped once weighted: a million tickets' take a gigabyte
    pruning = {"min_df": settings.min_df, "max_count": max(int(settings.max_df * len(corpus)), MAX_DF_FLOOR)}
    with times.stage("tfidf"):
        features = tfidf(counted, **pruning, workers=workers)
        del counted
        unplaced_features = tfidf(unplaced, **pruning, workers=workers)
    return _Facts(
        features=features,
        unplaced=unplaced_features.matrix,
        places=list(index),
        place_of=place_of,
        who=who,
        support=support,
        inside=inside,
    )


@dataclass(frozen=True)
class _Chunk:
    places: list[frozenset[str]]
    place_of: IntArray
    counts: sp.csr_matrix
    unplaced: sp.csr_matrix
    who: IntArray
    support: IntArray
    inside: npt.NDArray[np.bool_]


def _chunk_facts(state: tuple[Sequence[Document], datetime], bounds: tuple[int, int]) -> _Chunk:
    corpus, start = state
    chunk = corpus[bounds[0] : bounds[1]]
    place_sets = places.corpus_places(chunk)
    index: dict[frozenset[str], int] = {}
    place_of = np.fromiter((index.setdefault(p, len(index)) for p in place_sets), dtype=np.int64, count=len(chunk))
    return _Chunk(
        places=list(index),
        place_of=place_of,
        counts=counts(texts_of(chunk)),
        unplaced=counts(without_places(chunk, place_sets)),
        # str hashes agree between forked workers and their parent (one hash seed)
        who=np.fromiter(map(hash, map(ranking.who, chunk)), dtype=np.int64, count=len(chunk)),
        support=np.fromiter(map(attrgetter("support"), chunk), dtype=np.int64, count=len(chunk)),
        inside=np.fromiter((d.time >= start for d in chunk), dtype=bool, count=len(chunk)),
    )


def _clusters(
    facts: _Facts, entries: IntArray | None, settings: HotspotSettings, workers: int, times: StageTimes
) -> list[list[int]]:
    """Pairs → clusters. A pair of one place below the threshold, and a member of a cluster, must
    also be alike without the place's n-grams (`unplaced`): at one complex, its fumes and its
    cracked floors are two issues, though the complex's name makes them look alike."""
    features, unplaced = facts.features, facts.unplaced
    # the place keys are read in Python (0.9 s at a million tickets): a process forked now reads
    # them while the parent finds the candidate pairs, which need none
    with parallel.Ahead(_place_keys, facts, enabled=workers > 1) as keying:
        keying.ask()
        first, second, scores = _pairs(features, entries, keying.result, settings, workers, times)
    with times.stage("unplaced"):
        problem = pairs.pair_cosines(unplaced, first, second, workers=workers)
    keep = (problem >= settings.problem_share * scores) & (
        (scores >= settings.threshold) | (problem >= settings.problem)
    )
    first, second, scores = first[keep], second[keep], scores[keep]
    with times.stage("components"):
        groups = clustering.clusters(
            features.matrix,
            first,
            second,
            scores,
            threshold=settings.threshold,
            cohesion=settings.cohesion,
            min_size=settings.min_size,
            workers=workers,
        )
    with times.stage("trimming"):
        trimmed = clustering.trim_groups(
            unplaced, groups, cohesion=settings.problem_cohesion, min_size=settings.min_size, workers=workers
        )
        return trimmed.lists()


def _place_keys(facts: _Facts, _: None) -> sp.csr_matrix:
    return pairs.place_key_matrix(facts.places, facts.place_of)


def _blocks(features: Features, settings: HotspotSettings, workers: int) -> IntArray | None:
    """The blocks of a large corpus (`blocking.block_keys`), None for a small one."""
    if features.matrix.shape[0] <= settings.exact_limit:
        return None
    return blocking.block_keys(
        features.matrix,
        features.df,
        keys=settings.block_keys,
        max_block=settings.max_block,
        min_block=settings.min_block,
        workers=workers,
    )


def _pairs(
    features: Features,
    entries: IntArray | None,
    keys: Callable[[], sp.csr_matrix],
    settings: HotspotSettings,
    workers: int,
    times: StageTimes,
) -> tuple[pairs.IntArray, pairs.IntArray, pairs.FloatArray]:
    """Every pair above the threshold for a small corpus; on a large one X·Xᵀ is out of reach
    (a million rows), so pairs are sought only inside blocks of documents sharing a rare, heavy
    n-gram (`entries`, `_blocks`): a hotspot's documents share its place and problem words, and
    one link each suffices. `keys()` gives the place keys (`pairs.place_key_matrix`), asked for
    when needed."""
    matrix = features.matrix
    if entries is None:
        with times.stage("pairs"):
            return pairs.similar_pairs(
                matrix, threshold=settings.threshold, places=keys(), same_place=settings.same_place
            )
    with times.stage("candidates"):
        first, second = blocking.candidate_pairs(entries, matrix.shape[0], reach=settings.reach)
    with times.stage("pairs"):
        return blocking.alike_pairs(
            matrix,
            first,
            second,
            threshold=settings.threshold,
            places=keys(),
            same_place=settings.same_place,
            workers=workers,
        )


def _ranked(
    corpus: Sequence[Document],
    groups: list[list[int]],
    window: Window,
    facts: _Facts,
    settings: HotspotSettings,
    limit: int | None,
) -> list[tuple[Hotspot, list[int]]]:
    """The `limit` best hotspots of the groups (all by default), with their groups, best first.

    A million tickets make a hundred thousand groups and a hotspot's figures are counted in Python;
    the size, requester and support of every group are counted with arrays first, which bounds its
    score from above (all its requesters for those of its busiest stretch), and hotspots are built
    in the order of that bound only until no later one can enter the `limit` best."""
    has_history = not facts.inside.all()
    members = np.concatenate([np.asarray(g, dtype=np.int64) for g in groups]) if groups else np.zeros(0, np.int64)
    owner = np.repeat(np.arange(len(groups)), [len(g) for g in groups])
    inside, support = facts.inside[members], facts.support[members].astype(np.float64)
    people, who = np.unique(facts.who[members], return_inverse=True)
    size = np.bincount(owner[inside], minlength=len(groups))
    baseline = np.bincount(owner, minlength=len(groups)) - size
    distinct = sorted_unique(owner[inside] * max(len(people), 1) + who.ravel()[inside])
    requesters = np.bincount(distinct // max(len(people), 1), minlength=len(groups))
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


def _names(state: tuple[Sequence[Document], _Facts], groups: list[list[int]]) -> list[tuple[str, list[str], str]]:
    """Place, problem words and label of each group, from the whole group, baseline included: the
    same issue, more evidence. Only for the hotspots returned: a centroid is not free."""
    corpus, facts = state
    found = []
    for group in groups:
        documents = [corpus[i] for i in group]
        centroid, vocabulary = label_centroid(facts.features, documents)
        place = places.place_name(facts.places[facts.place_of[i]] for i in group)
        problem = labels.problem_words(centroid, vocabulary, place=place, titles=[d.title for d in documents])
        found.append((place, problem, labels.label_text(place, problem)))
    return found
