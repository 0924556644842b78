"""Candidate pairs of a large corpus: compared inside small blocks instead of all against all.

With a million documents X·Xᵀ is out of reach, and with the place-heavy texts of tickets it is
also mostly wasted: a document has dozens of neighbours above the threshold at its own place.
Connected components need only enough links to hold a hotspot together, so each document is
compared with a bounded number of others:

1. its `keys` heaviest n-grams held by at most `max_block` documents (a place name, a rare
   problem word) each name a block of documents;
2. inside a block documents are ordered by their heaviest common n-gram (the problem: 噪音,
   车位), so that documents about the same thing sit side by side;
3. each document is compared with the next `reach` documents of the block in that order (the
   sorted-neighbourhood method): a run of alike documents is chained from one to the next, and a
   stranger in the run is stepped over.

The cost is bounded by documents × keys × reach comparisons, whatever the corpus.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from jiesu.intel.hotspots.pairs import FloatArray, IntArray, pair_cosines
from jiesu.intel.ngrams import sorted_unique

ROWS = 200_000  # documents per pass when choosing keys: bounds the temporary arrays


def block_keys(
    matrix: sp.csr_matrix, df: npt.NDArray[np.intp], *, keys: int, max_block: int, min_block: int
) -> IntArray:
    """(document, block column, order column) rows: each document's `keys` heaviest columns held
    by at most `max_block` documents, with the document's heaviest column held by more (-1 when
    none), by which a block is ordered."""
    found: list[IntArray] = []
    for start in range(0, matrix.shape[0], ROWS):
        rows = sp.csr_matrix(matrix[start : start + ROWS])
        held = df[rows.indices]
        rare = held <= max_block
        topic = _heaviest(rows, np.where(rare, -1.0, rows.data))
        weight = np.where(rare & (held >= min_block), rows.data, -1.0).astype(np.float32)
        for _ in range(keys):
            top = _heaviest(rows, weight)
            has = np.flatnonzero(top >= 0)
            chosen = rows.indices[top[has]].astype(np.int64)
            order = np.where(topic[has] >= 0, rows.indices[np.maximum(topic[has], 0)], -1).astype(np.int64)
            found.append(np.stack([has + start, chosen, order], axis=1))
            weight[top[has]] = -1.0
    return np.concatenate(found) if found else np.zeros((0, 3), dtype=np.int64)


def _heaviest(rows: sp.csr_matrix, weight: npt.NDArray[np.floating]) -> IntArray:
    """Position in `rows.data` of each row's largest positive weight (the first on a tie), -1 when
    the row has none."""
    counts = np.diff(rows.indptr)
    nonempty = np.flatnonzero(counts > 0)
    best = np.full(rows.shape[0], -1.0)
    best[nonempty] = np.maximum.reduceat(weight, rows.indptr[nonempty])
    owner = np.repeat(np.arange(rows.shape[0]), counts)
    hits = np.flatnonzero((weight == best[owner]) & (weight > 0))
    first = hits[np.unique(owner[hits], return_index=True)[1]]
    position = np.full(rows.shape[0], -1, dtype=np.int64)
    position[owner[first]] = first
    return position


def neighbour_pairs(
    matrix: sp.csr_matrix, entries: IntArray, *, reach: int, threshold: float, workers: int = 1
) -> tuple[IntArray, IntArray, FloatArray]:
    """Pairs (i < j) with cosine ≥ threshold among documents at most `reach` places apart in a
    block's order (the module docstring), each pair once.

    A document's blocks are its place's n-grams, which hold much the same documents in much the
    same order: the candidate pairs of all blocks are made unique before any cosine is computed."""
    order = np.lexsort((entries[:, 0], entries[:, 2], entries[:, 1]))
    documents, block = entries[order, 0], entries[order, 1]
    size = np.int64(matrix.shape[0])
    keys = []
    for distance in range(1, reach + 1):
        same = np.flatnonzero(block[:-distance] == block[distance:])
        i, j = documents[same], documents[same + distance]
        keys.append(np.minimum(i, j) * size + np.maximum(i, j))
    candidates = sorted_unique(np.concatenate(keys)) if keys else np.zeros(0, dtype=np.int64)
    first, second = candidates // size, candidates % size
    distinct = first != second
    first, second = first[distinct], second[distinct]
    scores = pair_cosines(matrix, first, second, workers=workers)
    keep = scores >= threshold
    return first[keep], second[keep], scores[keep]
