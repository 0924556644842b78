"""Documents → L2-normalised TF-IDF rows over hashed character bigrams and trigrams.

Segmenting a million tickets with jieba takes tens of minutes; character n-grams of a whole batch
are computed with numpy array operations (`jiesu.intel.ngrams.hashed_ngrams`) and need no
vocabulary: each n-gram is hashed to one of 2**`BITS` columns. A place name cut badly by a
segmenter ("伊景园滨河苑") is still shared whole by the n-grams of two documents naming it.

The title is counted twice: it states the problem and the place in a few words, while a body
wanders (greetings, history, demands). Bodies are cut to their first `BODY_CHARS` characters.
N-grams found in fewer than `min_df` documents cannot link two documents and those found in more
than `max_df` of them (投诉, 小区, 问题 …) link everything; both are pruned, which also keeps the
pairwise products sparse. Words are needed only for the labels of the hotspots returned
(`label_rows`): jieba runs on those few documents, and a word's document frequency is estimated
from the n-gram counts (`word_df`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from jiesu.intel.hotspots import parallel
from jiesu.intel.hotspots.documents import Document
from jiesu.intel.ngrams import hashed_ngrams
from jiesu.intel.text import words

BODY_CHARS = 400
TITLE_WEIGHT = 2
BITS = 24  # 16.7 M columns: distinct n-grams of a million tickets rarely share one
SIZES = (2, 3)
CHUNK_DOCUMENTS = 50_000  # bounds the n-gram arrays (≈ 60 bytes per character)
LABEL_DOCUMENTS = 40  # documents of a hotspot segmented for its label
# Lone letters and letter-digit codes ("A市" → a, "A2区" → a2: the anonymised region names of the
# shared data) carry no topic; numbers do ("58车贷", "3号线") and are kept.
_NOISE = re.compile(r"^[a-z]\d?$")


@dataclass
class Features:
    matrix: sp.csr_matrix  # documents × 2**BITS, rows L2-normalised (all zero when all pruned)
    df: npt.NDArray[np.intp]  # documents per column, before pruning
    documents: int
    max_count: int


Texts = Sequence[tuple[str, str]]  # (title, body) of each document


def texts_of(documents: Sequence[Document]) -> list[tuple[str, str]]:
    return [(d.title, d.body) for d in documents]


def vectorize(texts: Texts, *, min_df: int, max_count: int) -> Features:
    """TF-IDF rows (sublinear tf, smooth idf) of the documents' n-grams."""
    chunks = [counts(texts[i : i + CHUNK_DOCUMENTS]) for i in range(0, len(texts), CHUNK_DOCUMENTS)]
    return tfidf(chunks, min_df=min_df, max_count=max_count)


def tfidf(chunks: Sequence[sp.csr_matrix], *, min_df: int, max_count: int, workers: int = 1) -> Features:
    """`vectorize` of the documents whose `counts` are the chunks, one after another; the rows of
    each chunk are weighted on one of `workers` processes, straight into the arrays of the result
    (`parallel.shared_array`): a million tickets' rows take 210 MB, which pickling them back and
    stacking them copied three times."""
    rows = sum(c.shape[0] for c in chunks)
    df = np.zeros(1 << BITS, dtype=np.intp)
    for chunk in chunks:  # not one array of all the corpus's indices (`detect`: bounded temporaries)
        np.add.at(df, chunk.indices, 1)
    seen = np.flatnonzero((df >= min_df) & (df <= max_count))
    idf = np.zeros(1 << BITS, dtype=np.float32)  # 0 for a pruned column
    idf[seen] = np.log((1 + rows) / (1 + df[seen])) + 1.0
    # a count's weight 1 + ln(tf) is at least 1: an entry is dropped exactly when its column is pruned
    kept = np.cumsum([0] + [np.count_nonzero(idf[c.indices]) for c in chunks])
    first_row = np.cumsum([0] + [c.shape[0] for c in chunks])
    out = (
        parallel.shared_array(int(kept[-1]), np.float32),
        parallel.shared_array(int(kept[-1]), np.int32),
        parallel.shared_array(rows + 1, np.int64),
    )
    state = (chunks, idf, kept, first_row, out)
    parallel.chunk_map(_weigh, state, list(range(len(chunks))), workers=workers)
    return Features(sp.csr_matrix(out, shape=(rows, 1 << BITS)), df, rows, max_count)


def _weigh(state: tuple[Any, ...], index: int) -> None:
    """A chunk's counts as L2-normalised TF-IDF rows, pruned columns dropped, written at its place
    in the result's arrays (`tfidf`)."""
    chunks, idf, kept, first_row, (data, indices, indptr) = state
    counted = chunks[index]
    weights = np.log(counted.data)
    weights += 1.0
    weights *= idf[counted.indices]
    weighted = sp.csr_matrix((weights, counted.indices.copy(), counted.indptr.copy()), shape=counted.shape)
    weighted.eliminate_zeros()  # the pruned columns, in one pass
    lengths = np.diff(weighted.indptr)
    nonempty = lengths > 0
    squares = np.zeros(counted.shape[0])
    if weighted.nnz:
        squares[nonempty] = np.add.reduceat(weighted.data.astype(np.float64) ** 2, weighted.indptr[:-1][nonempty])
    norms = np.sqrt(squares)
    norms[norms == 0] = 1.0
    weighted.data /= np.repeat(norms, lengths).astype(np.float32)
    low, high = kept[index], kept[index + 1]
    data[low:high] = weighted.data
    indices[low:high] = weighted.indices
    indptr[first_row[index] + 1 : first_row[index + 1] + 1] = weighted.indptr[1:] + low


def without_places(documents: Sequence[Document], place_sets: Sequence[frozenset[str]]) -> list[tuple[str, str]]:
    """The documents with their own place phrases blanked out, longest first.

    A place name is the rarest, heaviest thing a ticket says: the tickets of one complex about its
    lifts, its fees and its fumes look closer to one another than to the same complaint elsewhere.
    Vectorised again without their places (and so without the n-grams that straddle a place's
    edge, "瑞路附"), what remains says what the problem is."""
    found = []
    for document, each in zip(documents, place_sets, strict=True):
        title, body = document.title, document.body[:BODY_CHARS]
        for phrase in _longest_first(each):
            title, body = title.replace(phrase, "，"), body.replace(phrase, "，")
        found.append((title, body))
    return found


@functools.lru_cache(maxsize=100_000)
def _longest_first(phrases: frozenset[str]) -> tuple[str, ...]:
    # ties in text order, not in the set's (hash-seeded) order: blanking one of two overlapping
    # phrases of a length first changes what remains, and so the hotspots, from run to run
    return tuple(sorted(phrases, key=lambda p: (-len(p), p)))


def counts(documents: Texts) -> sp.csr_matrix:
    """N-gram counts of a batch, one row per document, a title's n-grams counted `TITLE_WEIGHT`
    times."""
    texts = [t for title, body in documents for t in (title, body[:BODY_CHARS])]
    buckets, owners = hashed_ngrams(texts, SIZES, BITS)
    data = np.where(owners % 2 == 0, np.float32(TITLE_WEIGHT), np.float32(1.0))
    matrix = sp.csr_matrix((data, (owners // 2, buckets)), shape=(len(documents), 1 << BITS))
    matrix.sum_duplicates()
    return matrix


def document_words(document: Document) -> list[str]:
    title = [w for w in words(document.title) if not _NOISE.match(w)]
    body = [w for w in words(document.body[:BODY_CHARS]) if not _NOISE.match(w)]
    return title * TITLE_WEIGHT + body


def word_df(features: Features, words_: Sequence[str]) -> npt.NDArray[np.int64]:
    """At most how many documents hold each word: the fewest holding one of its n-grams (a
    one-character word has none: 0)."""
    buckets, owners = hashed_ngrams(list(words_), SIZES, BITS)
    fewest = np.full(len(words_), np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(fewest, owners, features.df[buckets])
    fewest[fewest == np.iinfo(np.int64).max] = 0
    return fewest


def label_centroid(features: Features, documents: Sequence[Document]) -> tuple[npt.NDArray[np.float64], list[str]]:
    """The mean TF-IDF row of the documents over their jieba words (pruned like the n-grams), and
    the words: what `labels.problem_words` reads. At most `LABEL_DOCUMENTS` documents, spread over
    the hotspot, are segmented."""
    step = max(len(documents) // LABEL_DOCUMENTS, 1)
    sample = list(documents)[::step][:LABEL_DOCUMENTS]
    vocabulary: dict[str, int] = {}
    rows = []
    for document in sample:
        counts: dict[int, int] = {}
        for word in document_words(document):
            column = vocabulary.setdefault(word, len(vocabulary))
            counts[column] = counts.get(column, 0) + 1
        rows.append(counts)
    words_ = list(vocabulary)
    df = word_df(features, words_).astype(np.float64)
    idf = np.log((1 + features.documents) / (1 + df)) + 1.0
    idf[(df < 2) | (df > features.max_count)] = 0.0
    centroid = np.zeros(len(words_))
    for counts in rows:
        columns = np.fromiter(counts, dtype=np.int64, count=len(counts))
        weights = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))) * idf[columns]
        norm = float(np.linalg.norm(weights))
        if norm > 0:
            centroid[columns] += weights / norm
    return centroid / max(len(rows), 1), words_
