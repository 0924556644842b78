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
    if size == 0:
        return []
    graph = sp.coo_matrix((np.ones(len(first), dtype=np.int8), (first, second)), shape=(size, size))
    _, labels = connected_components(graph, directed=False)
    order = np.argsort(labels, kind="stable")
    groups = np.split(order, np.flatnonzero(np.diff(labels[order])) + 1)
    found = [g.tolist() for g in groups if len(g) > 1]
    return sorted(found, key=len, reverse=True)


def trim(matrix: sp.csr_matrix, members: list[int], *, cohesion: float, min_size: int) -> list[int]:
    """`members` without those far from their centroid (recomputed until stable); empty when fewer
    than `min_size` remain."""
    kept = list(members)
    while len(kept) >= min_size:
        rows = matrix[kept]
        centroid = np.asarray(rows.mean(axis=0)).ravel()
        norm = float(np.linalg.norm(centroid))
        if norm == 0.0:
            return []
        similarity = np.asarray(rows @ (centroid / norm)).ravel()
        close = [m for m, s in zip(kept, similarity.tolist(), strict=True) if s >= cohesion]
        if len(close) == len(kept):
            return kept
        kept = close
    return []


def split_components(
    size: int,
    first: IntArray,
    second: IntArray,
    scores: FloatArray,
    *,
    threshold: float,
    max_component: int = MAX_COMPONENT,
) -> list[list[int]]:
    """`components`, with those above `max_component` re-split at a higher threshold."""
    found: list[list[int]] = []
    for group in components(size, first, second):
        if len(group) <= max_component or threshold + STEP >= 1.0:
            found.append(group)
            continue
        inside = np.zeros(size, dtype=bool)
        inside[group] = True
        keep = inside[first] & inside[second] & (scores >= threshold + STEP)
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
    found = []
    for group in split_components(matrix.shape[0], first, second, scores, threshold=threshold):
        if len(group) >= min_size:
            kept = trim(matrix, group, cohesion=cohesion, min_size=min_size)
            if kept:
                found.append(sorted(kept))
    return found
