"""Candidate pairs of a large corpus: compared inside small blocks instead of all against all.

With a million documents X·Xᵀ is out of reach, and with the place-heavy texts of tickets it is
also mostly wasted: a document has dozens of neighbours above the threshold at its own place.
Connected components need only enough links to hold a hotspot together, so each document is
compared with a bounded number of others:

1. its `keys` heaviest n-grams held by at most `max_block` documents (a place name, a rare
   problem word) each name a block of documents;
2. inside a block documents are ordered by their heaviest common n-gram (the problem: 噪音,
   车位), so that documents about the same thing sit side by side;
3. a block of up to `window` documents is compared all against all; a longer one in windows of
   `window` documents, a second time shifted by half a window, so that a run of alike documents
   stays chained across window edges.

The cost is bounded by documents × keys × 2 × window comparisons, whatever the corpus.
"""

from __future__ import annotations

import itertools

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from jiesu.intel.hotspots.pairs import FloatArray, IntArray

ROWS = 200_000  # documents per pass when choosing keys: bounds the temporary arrays
RUN_ROWS = 4000  # rows per sparse product


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


def windows(entries: IntArray, *, window: int) -> IntArray:
    """(document, group) rows: the blocks of `block_keys` cut into the comparison groups of the
    module docstring; groups of one document are dropped."""
    order = np.lexsort((entries[:, 0], entries[:, 2], entries[:, 1]))
    documents, block = entries[order, 0], entries[order, 1]
    starts = np.flatnonzero(np.r_[True, block[1:] != block[:-1]])
    sizes = np.diff(np.r_[starts, len(block)])
    block_id = np.repeat(np.arange(len(starts)), sizes)
    position = np.arange(len(block)) - np.repeat(starts, sizes)
    long = np.repeat(sizes > window, sizes)
    half = window // 2
    # group ids: (block, window index) for the plain cut, and a second, shifted cut of long blocks
    plain = block_id * (len(block) // window + 2) + position // window
    shifted = plain.max(initial=0) + 1 + block_id[long] * (len(block) // window + 2) + (position[long] + half) // window
    pairs = np.concatenate([np.stack([documents, plain], axis=1), np.stack([documents[long], shifted], axis=1)])
    group = pairs[:, 1]
    _, inverse, counts = np.unique(group, return_inverse=True, return_counts=True)
    return pairs[counts[inverse.ravel()] > 1]


def blocked_pairs(
    matrix: sp.csr_matrix, groups: IntArray, *, threshold: float, chunk: int = RUN_ROWS
) -> tuple[IntArray, IntArray, FloatArray]:
    """Pairs (i < j) with cosine ≥ threshold inside each group of `windows`, each pair once.
    Groups are packed into runs of about `chunk` rows; inside a run every column is made
    group-specific, so one product gives each group's pairs and never a pair across groups."""
    order = np.argsort(groups[:, 1], kind="stable")
    documents, ids = groups[order, 0], groups[order, 1]
    found = [_run_pairs(matrix, documents[low:high], ids[low:high], threshold) for low, high in _runs(ids, chunk)]
    if not found:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    first = np.concatenate([f[0] for f in found])
    second = np.concatenate([f[1] for f in found])
    scores = np.concatenate([f[2] for f in found])
    _, unique = np.unique(first * matrix.shape[0] + second, return_index=True)
    return first[unique], second[unique], scores[unique]


def _runs(ids: IntArray, chunk: int) -> list[tuple[int, int]]:
    """(low, high) entry ranges of whole groups, about `chunk` entries each."""
    if not len(ids):
        return []
    group_starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
    cuts = np.unique(group_starts[np.searchsorted(group_starts, np.arange(0, len(ids), chunk))])
    bounds = [*cuts.tolist(), len(ids)]
    return list(itertools.pairwise(bounds))


def _run_pairs(
    matrix: sp.csr_matrix, documents: IntArray, ids: IntArray, threshold: float
) -> tuple[IntArray, IntArray, FloatArray]:
    rows = sp.csr_matrix(matrix[documents])
    _, group = np.unique(ids, return_inverse=True)
    local = np.repeat(group.ravel().astype(np.int64), np.diff(rows.indptr)) * np.int64(matrix.shape[1]) + rows.indices
    distinct, columns = np.unique(local, return_inverse=True)
    run = sp.csr_matrix((rows.data, columns.ravel(), rows.indptr), shape=(len(documents), len(distinct)))
    product = sp.coo_matrix(run @ run.T)
    keep = (product.data >= threshold) & (product.row < product.col)
    i, j = documents[product.row[keep]], documents[product.col[keep]]
    return np.minimum(i, j), np.maximum(i, j), product.data[keep].astype(np.float32)
