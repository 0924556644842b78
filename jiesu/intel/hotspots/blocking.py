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

from jiesu.intel.hotspots import parallel
from jiesu.intel.hotspots.pairs import FloatArray, IntArray, pair_cosines, place_test

ROWS = 100_000  # documents per chunk when choosing keys: bounds the temporary arrays


def block_keys(
    matrix: sp.csr_matrix,
    df: npt.NDArray[np.intp],
    *,
    keys: int,
    max_block: int,
    min_block: int,
    workers: int = 1,
) -> IntArray:
    """(document, block column, order column) rows: each document's `keys` heaviest columns held
    by at most `max_block` documents, with the document's heaviest column held by more (-1 when
    none), by which a block is ordered. `ROWS` documents at a time, on `workers` processes."""
    bounds = [(low, min(low + ROWS, matrix.shape[0])) for low in range(0, matrix.shape[0], ROWS)]
    found = parallel.chunk_map(_chunk_keys, (matrix, df, keys, max_block, min_block), bounds, workers=workers)
    return np.concatenate(found) if found else np.zeros((0, 3), dtype=np.int64)


def _chunk_keys(state: tuple[sp.csr_matrix, npt.NDArray[np.intp], int, int, int], bounds: tuple[int, int]) -> IntArray:
    matrix, df, keys, max_block, min_block = state
    start, end = bounds
    rows = sp.csr_matrix(matrix[start:end])
    held = df[rows.indices]
    rare = held <= max_block
    topic = _heaviest(rows, np.where(rare, -1.0, rows.data))
    weight = np.where(rare & (held >= min_block), rows.data, -1.0).astype(np.float32)
    found = []
    for _ in range(keys):
        top = _heaviest(rows, weight)
        has = np.flatnonzero(top >= 0)
        chosen = rows.indices[top[has]].astype(np.int64)
        order = np.where(topic[has] >= 0, rows.indices[np.maximum(topic[has], 0)], -1).astype(np.int64)
        found.append(np.stack([has + start, chosen, order], axis=1))
        weight[top[has]] = -1.0
    return np.concatenate(found)


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


def candidate_pairs(entries: IntArray, size: int, *, reach: int) -> tuple[IntArray, IntArray]:
    """The unique pairs (i < j, sorted) of documents at most `reach` places apart in a block's order.

    A document's blocks are its place's n-grams, which hold much the same documents in much the
    same order: the candidate pairs of all blocks are made unique, and put to the place test
    (`alike_pairs`), before any cosine is computed."""
    documents, block = _block_order(entries, size)
    return _candidates(documents, block, reach, size)


def alike_pairs(
    matrix: sp.csr_matrix,
    first: IntArray,
    second: IntArray,
    *,
    threshold: float,
    places: sp.csr_matrix | None = None,
    same_place: float | None = None,
    workers: int = 1,
) -> tuple[IntArray, IntArray, FloatArray]:
    """The candidate pairs with cosine ≥ threshold; with `places`, only those passing the place
    test of `similar_pairs`, which runs first: it drops about half of them at a million tickets
    (two places sharing a rare n-gram, "辉昌小区" and "辉昌花园"), and a cosine costs more."""
    if places is None:
        scores = pair_cosines(matrix, first, second, workers=workers)
        keep = scores >= threshold
        return first[keep], second[keep], scores[keep]
    shared, unplaced = place_test(first, second, places)
    tested = shared | unplaced
    first, second, shared = first[tested], second[tested], shared[tested]
    scores = pair_cosines(matrix, first, second, workers=workers)
    low = min(threshold, same_place) if same_place is not None else threshold
    keep = scores >= np.where(shared, np.float32(low), np.float32(threshold))
    return first[keep], second[keep], scores[keep]


def _block_order(entries: IntArray, size: int) -> tuple[IntArray, IntArray]:
    """The entries' documents and a number for their block (equal for equal blocks), ordered by
    block, order column and document.

    One sort of packed integers (block, order column and document ranked and side by side in 64
    bits) instead of a three-key `np.lexsort`: the 3.8 million entries of a million tickets take
    0.4–1.2 s instead of 1.9–2.2 s."""
    block_rank, blocks = _ranks(entries[:, 1])
    order_rank, orders = _ranks(entries[:, 2] + 1)  # -1: no order column
    document_bits, order_bits = int(size).bit_length(), orders.bit_length()
    if document_bits + order_bits + blocks.bit_length() > 63:
        order = np.lexsort((entries[:, 0], order_rank, block_rank))
        return entries[order, 0], block_rank[order]
    packed = (block_rank << (order_bits + document_bits)) | (order_rank << document_bits) | entries[:, 0]
    packed.sort()
    return packed & ((1 << document_bits) - 1), packed >> (order_bits + document_bits)


def _ranks(values: IntArray) -> tuple[IntArray, int]:
    """Each value's rank among the distinct values (in ascending order), and how many there are;
    values are non-negative column numbers (at most 2**BITS), ranked through a table."""
    if not len(values):
        return values.copy(), 0
    present = np.zeros(int(values.max()) + 1, dtype=bool)
    present[values] = True
    rank = np.cumsum(present, dtype=np.int32)
    return rank[values].astype(np.int64) - 1, int(rank[-1])


def _candidates(documents: IntArray, block: IntArray, reach: int, size: int) -> tuple[IntArray, IntArray]:
    """The unique pairs (i < j) of documents at most `reach` apart in the same block, as sorted
    arrays of first and second documents.

    The pair keys (i × size + j) of all distances are written into one array and sorted in place:
    22 million keys at a million tickets, where a list of arrays, their concatenation and a
    sorted copy touched three times that memory (`detect`: memory touched first is dear). A
    document is in a block once (its columns are distinct), so i ≠ j."""
    count = sum(int(np.count_nonzero(block[:-d] == block[d:])) for d in range(1, reach + 1) if d < len(block))
    keys = np.empty(count, dtype=np.int64)
    written = 0
    for distance in range(1, reach + 1):
        if distance >= len(block):
            break
        same = np.flatnonzero(block[:-distance] == block[distance:])
        i, j = documents[same], documents[same + distance]
        out = keys[written : written + len(same)]
        np.minimum(i, j, out=out)
        out *= size
        out += np.maximum(i, j)
        written += len(same)
    keys.sort()
    if len(keys):
        distinct = np.empty(len(keys), dtype=bool)
        distinct[0] = True
        np.not_equal(keys[1:], keys[:-1], out=distinct[1:])
        keys = keys[distinct]
    first = np.empty_like(keys)
    np.divmod(keys, size, out=(first, keys))  # the second documents overwrite their keys
    return first, keys
