"""Candidate pairs: documents whose TF-IDF cosine reaches a threshold and that may be about the
same place.

X·Xᵀ is computed a block of rows at a time so that memory stays bounded by the block, not by n²;
with the document-frequency pruning of `features` each block's product is sparse. The place test
runs inside the loop, on the block's surviving pairs, because on a large corpus most pairs above
the threshold share only a common problem ("噪音扰民") at two different places.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from jiesu.intel.hotspots import parallel, places

CHUNK_ROWS = 2000
FILTER_PAIRS = 1_000_000

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float32]


def key_matrix(place_keys: Sequence[frozenset[str]]) -> sp.csr_matrix:
    """Documents × place keys, 1 where a document has the key (`places.place_keys`)."""
    index: dict[str, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    for row, keys in enumerate(place_keys):
        for key in keys:
            rows.append(row)
            cols.append(index.setdefault(key, len(index)))
    data = np.ones(len(rows), dtype=np.float32)
    return sp.csr_matrix((data, (rows, cols)), shape=(len(place_keys), max(len(index), 1)))


def place_key_matrix(distinct: Sequence[frozenset[str]], ids: IntArray) -> sp.csr_matrix:
    """The `key_matrix` of the documents' resolved place keys (`places.resolve_keys`); document k
    names the places `distinct[ids[k]]`. Keys are computed once per distinct set of places: a
    million tickets name a few hundred thousand."""
    weights = np.bincount(ids, minlength=len(distinct)).tolist()
    resolved = places.resolve_keys([places.place_keys(p) for p in distinct], weights=weights)
    return sp.csr_matrix(key_matrix(resolved)[ids])


def similar_pairs(
    matrix: sp.csr_matrix,
    *,
    threshold: float,
    places: sp.csr_matrix | None = None,
    same_place: float | None = None,
    chunk: int = CHUNK_ROWS,
) -> tuple[IntArray, IntArray, FloatArray]:
    """Index pairs (i < j) with cosine ≥ threshold, and their cosines; rows of `matrix` must be
    L2-normalised.

    With `places` (a `key_matrix`), a pair is kept only when one of the two names no place or
    both share a key: two complexes with the same complaint (油烟扰民 at 魅力之城 and at 润芳园)
    are two hotspots for two different street offices, however alike their words. Two documents
    sharing a key need only `same_place` (default: `threshold`): letters about one complex share
    its name and a few problem words, not the rest of their long bodies."""
    rows: list[IntArray] = []
    cols: list[IntArray] = []
    values: list[FloatArray] = []
    transposed = matrix.T.tocsc()
    low = min(threshold, same_place) if places is not None and same_place is not None else threshold
    for start in range(0, matrix.shape[0], chunk):
        block = sp.coo_matrix(matrix[start : start + chunk] @ transposed)
        i = block.row.astype(np.int64) + start
        j = block.col.astype(np.int64)
        keep = (block.data >= low) & (j > i)
        i, j, v = i[keep], j[keep], block.data[keep].astype(np.float32)
        if places is not None and len(i):
            shared, unplaced = place_test(i, j, places)
            keep = shared | (unplaced & (v >= threshold))
            i, j, v = i[keep], j[keep], v[keep]
        rows.append(i)
        cols.append(j)
        values.append(v)
    if not rows:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    return np.concatenate(rows), np.concatenate(cols), np.concatenate(values)


def place_test(
    first: IntArray, second: IntArray, places: sp.csr_matrix
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """The two halves of the place test of `similar_pairs`, for pairs found another way: which
    pairs share a key (kept at the `same_place` cosine), and which of the others have a document
    naming no place (kept at the `threshold`); a pair that is neither is dropped whatever its
    cosine, so the test runs before any cosine is computed.

    Most documents have one key: their pairs compare two key numbers, and only pairs with a
    document of several keys compare rows of `places`."""
    keys = np.diff(places.indptr)
    single = np.full(places.shape[0], -1, dtype=np.int64)
    single[keys == 1] = places.indices[places.indptr[:-1][keys == 1]]
    shared = np.zeros(len(first), dtype=bool)
    unplaced = np.zeros(len(first), dtype=bool)
    for low in range(0, len(first), FILTER_PAIRS):  # bounded temporaries (`detect`)
        i, j = first[low : low + FILTER_PAIRS], second[low : low + FILTER_PAIRS]
        one, other = single[i], single[j]
        here = (one == other) & (one >= 0)
        several = np.flatnonzero(((keys[i] > 1) & (keys[j] > 0)) | ((keys[j] > 1) & (keys[i] > 0)))
        rows = places[i[several]].multiply(places[j[several]])
        here[several] = np.asarray(rows.sum(axis=1)).ravel() > 0
        shared[low : low + FILTER_PAIRS] = here
        unplaced[low : low + FILTER_PAIRS] = ~here & ((keys[i] == 0) | (keys[j] == 0))
    return shared, unplaced


def pair_cosines(
    matrix: sp.csr_matrix, first: IntArray, second: IntArray, *, chunk: int = 200_000, workers: int = 1
) -> FloatArray:
    """Cosine of each pair of L2-normalised rows."""
    bounds = [(low, low + chunk) for low in range(0, len(first), chunk)]
    found = parallel.chunk_map(_chunk_cosines, (matrix, first, second), bounds, workers=workers)
    return np.concatenate(found).astype(np.float32) if found else np.zeros(0, dtype=np.float32)


def _chunk_cosines(state: tuple[sp.csr_matrix, IntArray, IntArray], bounds: tuple[int, int]) -> FloatArray:
    matrix, first, second = state
    low, high = bounds
    return np.asarray(matrix[first[low:high]].multiply(matrix[second[low:high]]).sum(axis=1)).ravel()
