"""Pairs → clusters: connected components, then each cluster trimmed around its centroid.

Components alone chain: A ~ B ~ C puts A and C together however far apart they are. Trimming
drops, repeatedly, every member whose cosine to the cluster's mean falls below `cohesion`, so a
cluster keeps only what it is about and a chained stranger falls out. On a large corpus chains
can join thousands of documents through common words; trimming such a component would keep one
core and lose every other issue inside it, so a component above `MAX_COMPONENT` documents is
split again with a pair threshold `STEP` higher, until it is small enough.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from jiesu.intel.hotspots.pairs import FloatArray, IntArray

MAX_COMPONENT = 2000
STEP = 0.1


def components(size: int, first: IntArray, second: IntArray) -> list[list[int]]:
    """Groups of indices linked by the pairs, singletons left out, largest first."""
    if size == 0 or not len(first):
        return []
    graph = sp.coo_matrix((np.ones(len(first), dtype=np.int8), (first, second)), shape=(size, size))
    _, labels = connected_components(graph, directed=False)
    linked = np.flatnonzero(np.bincount(labels)[labels] > 1)  # most documents are singletons
    order = linked[np.argsort(labels[linked], kind="stable")]
    groups = np.split(order, np.flatnonzero(np.diff(labels[order])) + 1)
    found = [g.tolist() for g in groups]
    return sorted(found, key=len, reverse=True)


def trim(matrix: sp.csr_matrix, members: list[int], *, cohesion: float, min_size: int) -> list[int]:
    """`members` without those far from their centroid (recomputed until stable); empty when fewer
    than `min_size` remain."""
    found = trim_all(matrix, [members], cohesion=cohesion, min_size=min_size)
    return found[0] if found else []


def trim_all(matrix: sp.csr_matrix, groups: list[list[int]], *, cohesion: float, min_size: int) -> list[list[int]]:
    """`trim` of every group at once, groups left empty dropped: a corpus of a million tickets
    has a hundred thousand small groups, too many for a Python loop over sparse slices."""
    members = np.concatenate([np.asarray(g, dtype=np.int64) for g in groups]) if groups else np.zeros(0, np.int64)
    owner = np.repeat(np.arange(len(groups), dtype=np.int64), [len(g) for g in groups])
    done: list[tuple[int, IntArray]] = []
    while len(members):
        sizes = np.bincount(owner, minlength=len(groups))
        alive = sizes[owner] >= min_size
        members, owner = members[alive], owner[alive]
        if not len(members):
            break
        similarity = _centroid_similarity(matrix, members, owner, len(groups))
        close = similarity >= cohesion
        settled = np.bincount(owner, weights=~close, minlength=len(groups)) == 0
        finished = settled[owner]
        done += _split_by(members[finished], owner[finished])
        keep = close & ~finished
        members, owner = members[keep], owner[keep]
    done.sort()
    return [sorted(m.tolist()) for _, m in done]


def _split_by(members: IntArray, owner: IntArray) -> list[tuple[int, IntArray]]:
    order = np.argsort(owner, kind="stable")
    members, owner = members[order], owner[order]
    cuts = np.flatnonzero(np.diff(owner)) + 1
    return list(zip(owner[np.r_[0, cuts]].tolist(), np.split(members, cuts), strict=True)) if len(owner) else []


def _centroid_similarity(matrix: sp.csr_matrix, members: IntArray, owner: IntArray, groups: int) -> FloatArray:
    """Cosine of each member to its group's mean row (0 when the mean is zero)."""
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
) -> list[list[int]]:
    """`components`, with those above `max_component` re-split at a higher threshold (all of them
    at once: the links of different components never meet)."""
    found: list[list[int]] = []
    oversized = np.zeros(size, dtype=bool)
    for group in components(size, first, second):
        if len(group) <= max_component or threshold + STEP >= 1.0:
            found.append(group)
        else:
            oversized[group] = True
    if oversized.any():
        keep = oversized[first] & (scores >= threshold + STEP)
        found += split_components(
            size, first[keep], second[keep], scores[keep], threshold=threshold + STEP, max_component=max_component
        )
    return found


def clusters(
    matrix: sp.csr_matrix,
    first: IntArray,
    second: IntArray,
    scores: FloatArray,
    *,
    threshold: float,
    cohesion: float,
    min_size: int,
) -> list[list[int]]:
    groups = split_components(matrix.shape[0], first, second, scores, threshold=threshold)
    return trim_all(matrix, [g for g in groups if len(g) >= min_size], cohesion=cohesion, min_size=min_size)
