"""Pairs → clusters: connected components, then each cluster trimmed around its centroid.

Components alone chain: A ~ B ~ C puts A and C together however far apart they are. Trimming
drops, repeatedly, every member whose cosine to the cluster's mean falls below `cohesion`, so a
cluster keeps only what it is about and a chained stranger falls out. On a large corpus chains
can join thousands of documents through common words; trimming such a component would keep one
core and lose every other issue inside it, so a component above `MAX_COMPONENT` documents is
split again with a pair threshold `STEP` higher, until it is small enough.

A million tickets make a hundred thousand groups, too many for Python lists of lists: groups are
kept as two arrays, `Groups` (members, and the group of each), and made lists once, at the end.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from jiesu.intel.hotspots import parallel
from jiesu.intel.hotspots.pairs import FloatArray, IntArray

MAX_COMPONENT = 2000
SIMILARITY_MEMBERS = 100_000
STEP = 0.1


@dataclass(frozen=True)
class Groups:
    """Group k is `members[owner == k]`; owners ascend and each group's members ascend."""

    members: IntArray
    owner: IntArray
    count: int

    @staticmethod
    def of(groups: list[list[int]]) -> Groups:
        members = np.concatenate([np.asarray(g, dtype=np.int64) for g in groups]) if groups else np.zeros(0, np.int64)
        owner = np.repeat(np.arange(len(groups), dtype=np.int64), [len(g) for g in groups])
        return Groups.sorted(members, owner, len(groups))

    @staticmethod
    def sorted(members: IntArray, owner: IntArray, count: int) -> Groups:
        order = np.lexsort((members, owner))
        return Groups(members[order], owner[order], count)

    def sizes(self) -> IntArray:
        return np.bincount(self.owner, minlength=self.count)

    def renumbered(self) -> Groups:
        """Empty groups dropped, the others numbered largest first (then by their first member)."""
        sizes = self.sizes()
        live = np.flatnonzero(sizes)
        first = np.full(self.count, np.iinfo(np.int64).max)
        np.minimum.at(first, self.owner, self.members)
        rank = np.empty(self.count, dtype=np.int64)
        rank[live[np.lexsort((first[live], -sizes[live]))]] = np.arange(len(live))
        return Groups.sorted(self.members, rank[self.owner], len(live))

    def lists(self) -> list[list[int]]:
        flat = self.members.tolist()
        bounds = np.r_[0, np.cumsum(self.sizes())].tolist()
        return [flat[low:high] for low, high in itertools.pairwise(bounds)]


def components(size: int, first: IntArray, second: IntArray) -> Groups:
    """Groups of indices linked by the pairs, singletons left out, largest first."""
    if size == 0 or not len(first):
        return Groups(np.zeros(0, np.int64), np.zeros(0, np.int64), 0)
    graph = sp.coo_matrix((np.ones(len(first), dtype=np.int8), (first, second)), shape=(size, size))
    count, labels = connected_components(graph, directed=False)
    linked = np.flatnonzero(np.bincount(labels, minlength=count)[labels] > 1)  # most documents are singletons
    return Groups(linked, labels[linked].astype(np.int64), count).renumbered()


def trim_groups(matrix: sp.csr_matrix, groups: Groups, *, cohesion: float, min_size: int, workers: int = 1) -> Groups:
    """Each group without the members far from its centroid (recomputed until stable), all groups
    at once; groups left with fewer than `min_size` members are dropped, the others keep their order.
    The cosines of each round are computed on `workers` processes."""
    members, owner = groups.members, groups.owner
    done_members: list[IntArray] = []
    done_owner: list[IntArray] = []
    while len(members):
        sizes = np.bincount(owner, minlength=groups.count)
        alive = sizes[owner] >= min_size
        members, owner = members[alive], owner[alive]
        if not len(members):
            break
        similarity = _centroid_similarity(matrix, members, owner, workers=workers)
        close = similarity >= cohesion
        settled = np.bincount(owner, weights=~close, minlength=groups.count) == 0
        finished = settled[owner]
        done_members.append(members[finished])
        done_owner.append(owner[finished])
        keep = close & ~finished
        members, owner = members[keep], owner[keep]
    if not done_members:
        return Groups(np.zeros(0, np.int64), np.zeros(0, np.int64), 0)
    members, owner = np.concatenate(done_members), np.concatenate(done_owner)
    live = np.flatnonzero(np.bincount(owner, minlength=groups.count))
    number = np.zeros(groups.count, dtype=np.int64)
    number[live] = np.arange(len(live))
    return Groups.sorted(members, number[owner], len(live))


def _centroid_similarity(matrix: sp.csr_matrix, members: IntArray, owner: IntArray, *, workers: int) -> FloatArray:
    """Cosine of each member to its group's mean row (0 when the mean is zero), computed for
    `SIMILARITY_MEMBERS` members at a time, whole groups: a million members' temporary arrays
    would take gigabytes (`detect`: bounded temporaries)."""
    order = np.argsort(owner, kind="stable")
    members, owner = members[order], owner[order]
    bounds = []
    low = 0
    while low < len(members):
        high = min(low + SIMILARITY_MEMBERS, len(members))
        high = int(np.searchsorted(owner, owner[high - 1], side="right"))  # the last group begun, whole
        bounds.append((low, high))
        low = high
    found = parallel.chunk_map(_chunk_similarity, (matrix, members, owner), bounds, workers=workers)
    unsorted = np.empty(len(members), dtype=np.float32)
    unsorted[order] = np.concatenate(found) if found else np.zeros(0, dtype=np.float32)
    return unsorted


def _chunk_similarity(state: tuple[sp.csr_matrix, IntArray, IntArray], bounds: tuple[int, int]) -> FloatArray:
    matrix, members, owner = state
    low, high = bounds
    members, owner = members[low:high], owner[low:high] - owner[low]
    groups = int(owner[-1]) + 1
    rows = sp.csr_matrix(matrix[members])
    indicator = sp.csr_matrix(
        (np.ones(len(members), dtype=np.float32), (owner, np.arange(len(members)))), shape=(groups, len(members))
    )
    sums = sp.csr_matrix(indicator @ rows)
    sums.sort_indices()
    width = np.int64(matrix.shape[1])
    sum_keys = np.repeat(np.arange(groups, dtype=np.int64), np.diff(sums.indptr)) * width + sums.indices
    norms = np.sqrt(
        np.bincount(
            np.repeat(np.arange(groups), np.diff(sums.indptr)),
            weights=sums.data.astype(np.float64) ** 2,
            minlength=groups,
        )
    )
    row_owner = np.repeat(owner, np.diff(rows.indptr))
    keys = row_owner * width + rows.indices
    at = np.minimum(np.searchsorted(sum_keys, keys), max(len(sum_keys) - 1, 0))
    values = np.where(sum_keys[at] == keys, sums.data[at], 0.0) if len(sum_keys) else np.zeros(len(keys))
    dots = np.bincount(
        np.repeat(np.arange(len(members)), np.diff(rows.indptr)), weights=rows.data * values, minlength=len(members)
    )
    scale = norms[owner]
    return np.where(scale > 0, dots / np.where(scale > 0, scale, 1.0), 0.0).astype(np.float32)


def split_components(
    size: int,
    first: IntArray,
    second: IntArray,
    scores: FloatArray,
    *,
    threshold: float,
    max_component: int = MAX_COMPONENT,
) -> Groups:
    """`components`, with those above `max_component` re-split at a higher threshold (all of them
    at once: the links of different components never meet)."""
    found = components(size, first, second)
    sizes = found.sizes()
    if threshold + STEP >= 1.0 or not (sizes > max_component).any():
        return found
    large = sizes[found.owner] > max_component
    oversized = np.zeros(size, dtype=bool)
    oversized[found.members[large]] = True
    keep = oversized[first] & (scores >= threshold + STEP)
    again = split_components(
        size, first[keep], second[keep], scores[keep], threshold=threshold + STEP, max_component=max_component
    )
    members = np.concatenate([found.members[~large], again.members])
    owner = np.concatenate([found.owner[~large], again.owner + found.count])
    return Groups(members, owner, found.count + again.count).renumbered()


def clusters(
    matrix: sp.csr_matrix,
    first: IntArray,
    second: IntArray,
    scores: FloatArray,
    *,
    threshold: float,
    cohesion: float,
    min_size: int,
    workers: int = 1,
) -> Groups:
    groups = split_components(matrix.shape[0], first, second, scores, threshold=threshold)
    big = groups.sizes()[groups.owner] >= min_size
    large = Groups(groups.members[big], groups.owner[big], groups.count)
    return trim_groups(matrix, large, cohesion=cohesion, min_size=min_size, workers=workers)
