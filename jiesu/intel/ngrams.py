"""TF-IDF over character 1–3-grams and dictionary words, computed with numpy array operations.

jieba and scikit-learn's character analyzer walk each text in Python (≈ 3 ms and 1 ms for a
400-character appeal), far from the 2,000 texts/s the issue asks for. Here all texts of a batch
become one array of code points and every n-gram of every text is an integer key computed at once:

- characters 1–3: the code points themselves packed into one integer (21 bits each; code points are
  never 0, so a 1-gram < 2²¹ ≤ a 2-gram < 2⁴² ≤ a 3-gram: the three ranges never collide);
- words: every 2–4-character substring that is a word of jieba's dictionary (what jieba's
  "full mode" yields), as a 64-bit polynomial hash. The dictionary is read only while fitting:
  the fitted vocabulary is a subset of it.

Both blocks are weighted like scikit-learn's `TfidfVectorizer(sublinear_tf=True, min_df=2)`
(smooth idf, 1 + ln tf, each block L2-normalised) and put side by side. Text is NFKC-normalised,
lower-cased and stripped of whitespace and punctuation first, so raw and pre-segmented text give
the same features.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin

from jiesu.intel import text

Keys = npt.NDArray[np.uint64]
_SEPARATORS = re.compile(r"[\W_]+")
_BITS = np.uint64(21)
_PRIME = np.uint64(0x100000001B3)  # FNV-1a's 64-bit prime: spreads code points over all 64 bits
CHUNK = 5_000  # texts per batch: bounds memory on large training sets
TABLE_SIZE = 0x30000  # the BMP and the CJK extension planes


def clean(value: str) -> str:
    return _SEPARATORS.sub("", text.normalize(value))


def prepare() -> None:
    """Build the code-point table now (≈ 0.2 s): before forking, so that workers share it rather
    than each building its own."""
    _character_map()


@functools.cache
def _character_map() -> npt.NDArray[np.uint32]:
    """Code point → its NFKC, lower-case form when that is one letter or digit, else 0 (dropped):
    `clean` for a whole batch at once, by indexing. Code points beyond the table are dropped."""
    mapped = np.zeros(TABLE_SIZE, dtype=np.uint32)
    for point in range(1, TABLE_SIZE):
        form = clean(chr(point))
        if len(form) == 1:
            mapped[point] = ord(form)
    return mapped


def _codes(texts: Sequence[str]) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    """Code points of all cleaned texts separated by 0, the text index of each position, and
    where the separators are."""
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    raw = np.frombuffer(("\x00".join(texts) + "\x00").encode("utf-32-le"), dtype=np.uint32)
    mapped = _character_map()[np.minimum(raw, TABLE_SIZE - 1)]
    mapped[raw >= TABLE_SIZE] = 0
    separator = np.zeros(len(raw), dtype=bool)
    separator[np.cumsum(lengths + 1) - 1] = True
    keep = (mapped != 0) | separator
    owner = np.repeat(np.arange(len(texts), dtype=np.int64), lengths + 1)
    return mapped[keep].astype(np.uint64), owner[keep], separator[keep]


def _windows(
    codes: npt.NDArray[np.uint64], separator: npt.NDArray[np.bool_], n: int
) -> tuple[list[npt.NDArray[np.uint64]], npt.NDArray[np.bool_]]:
    """The n shifted views of `codes` and where an n-gram starting there stays inside one text."""
    length = len(codes) - n + 1
    inside = ~separator[:length]
    for k in range(1, n):
        inside &= ~separator[k : k + length]
    return [codes[k : k + length] for k in range(n)], inside


def char_keys(codes: Any, owner: Any, separator: Any, top: int = 3) -> tuple[Keys, npt.NDArray[np.int64]]:
    keys, owners = [], []
    for n in range(1, top + 1):
        views, inside = _windows(codes, separator, n)
        key = views[0].copy()
        for view in views[1:]:
            key = (key << _BITS) | view
        keys.append(key[inside])
        owners.append(owner[: len(inside)][inside])
    return np.concatenate(keys), np.concatenate(owners)


def word_hashes(codes: Any, owner: Any, separator: Any, low: int = 2, high: int = 4) -> tuple[Keys, Any]:
    keys, owners = [], []
    for n in range(low, high + 1):
        views, inside = _windows(codes, separator, n)
        key = np.full(len(inside), np.uint64(n))
        for view in views:
            key = key * _PRIME ^ view
        keys.append(key[inside])
        owners.append(owner[: len(inside)][inside])
    return np.concatenate(keys), np.concatenate(owners)


def sorted_unique(values: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """`np.unique(values)` by sorting: numpy 2.4's `np.unique` without flags takes a hash-based
    path that is ~50× slower than a sort on millions of 64-bit integers (measured: 9.2 s against
    0.18 s for 7 million), and it was most of a training run's feature time."""
    ordered = np.sort(values)
    if len(ordered) == 0:
        return ordered
    first = np.empty(len(ordered), dtype=bool)
    first[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    return ordered[first]


@functools.cache
def dictionary_hashes(low: int = 2, high: int = 4) -> Keys:
    """Hashes of jieba's dictionary words of `low`–`high` characters (entries with a frequency;
    the others are jieba's prefixes)."""
    entries = [w for w, f in text.tokenizer().FREQ.items() if f and low <= len(w) <= high and clean(w) == w]
    codes, owner, separator = _codes(entries)
    keys, _ = word_hashes(codes, owner, separator, low, high)
    return sorted_unique(keys)


@functools.cache
def _dictionary_table(low: int, high: int) -> tuple[Keys, npt.NDArray[np.int32]]:
    """The dictionary's hashes as a `table_build` table: membership of a batch's substrings is a
    hash probe each, not the sort of both arrays `np.isin` does."""
    return table_build(dictionary_hashes(low, high))


def _document_frequency(keys: Keys, owners: Any) -> tuple[Keys, npt.NDArray[np.int64]]:
    """Distinct keys and in how many texts each occurs."""
    distinct, inverse = np.unique(keys, return_inverse=True)
    pairs = sorted_unique(owners * len(distinct) + inverse.ravel())
    return distinct, np.bincount(pairs % len(distinct), minlength=len(distinct)).astype(np.int64)


def _merge(a: tuple[Keys, Any], b: tuple[Keys, Any]) -> tuple[Keys, Any]:
    distinct, inverse = np.unique(np.concatenate([a[0], b[0]]), return_inverse=True)
    return distinct, np.bincount(inverse.ravel(), weights=np.concatenate([a[1], b[1]])).astype(np.int64)


_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
MAX_PROBES = 256


def table_build(vocabulary: Keys) -> tuple[Keys, npt.NDArray[np.int32]]:
    """An open-addressing hash table (linear probing, load ≤ 1/4) of the vocabulary: slot keys
    (0 = empty; no key is 0) and the column of each. Lookups by sorted search were the slowest
    step of `transform`: a random binary search per n-gram."""
    bits = max(int(np.ceil(np.log2(max(len(vocabulary), 1) * 4))), 4)
    keys = np.zeros(1 << bits, dtype=np.uint64)
    columns = np.full(1 << bits, -1, dtype=np.int32)
    pending = np.arange(len(vocabulary))
    home = _slot(vocabulary, bits)
    for probe in range(MAX_PROBES):
        if not len(pending):
            break
        slot = (home[pending] + np.uint64(probe)) & np.uint64((1 << bits) - 1)
        free = keys[slot] == 0
        chosen = pending[free]
        taken, first = np.unique(slot[free], return_index=True)  # one key per free slot per round
        keys[taken] = vocabulary[chosen[first]]
        columns[taken] = chosen[first]
        placed = np.zeros(len(vocabulary), dtype=bool)
        placed[chosen[first]] = True
        pending = pending[~placed[pending]]
    return keys, columns


def _slot(keys: Keys, bits: int) -> Keys:
    return (keys * _GOLDEN) >> np.uint64(64 - bits)


def table_find(table: tuple[Keys, npt.NDArray[np.int32]], keys: Keys) -> npt.NDArray[np.int32]:
    """The column of each key, -1 for a key not in the table."""
    slots, columns = table
    bits = len(slots).bit_length() - 1
    home = _slot(keys, bits)
    stored = slots[home]
    found = np.where(stored == keys, columns[home], -1)
    pending = np.flatnonzero((found < 0) & (stored != 0))  # the first probe settles most keys
    for probe in range(1, MAX_PROBES):
        if not len(pending):
            break
        slot = (home[pending] + np.uint64(probe)) & np.uint64((1 << bits) - 1)
        stored = slots[slot]
        hit = stored == keys[pending]
        found[pending[hit]] = columns[slot[hit]]
        pending = pending[~hit & (stored != 0)]
    return found


def _tfidf(keys: Keys, owners: Any, rows: int, table: Any, idf: Any) -> sp.csr_matrix:
    """Rows of 1 + ln(count) × idf over the vocabulary in `table`, L2-normalised."""
    if len(idf) == 0:
        return sp.csr_matrix((rows, 0), dtype=np.float64)
    position = table_find(table, keys)
    hit = position >= 0
    matrix = sp.csr_matrix((np.ones(int(hit.sum())), (owners[hit], position[hit])), shape=(rows, len(idf)))
    matrix.sum_duplicates()
    matrix.data = (1.0 + np.log(matrix.data)) * idf[matrix.indices]
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags(1.0 / norms) @ matrix)


class NgramFeatures(BaseEstimator, TransformerMixin):
    """Character 1–3-gram and dictionary-word TF-IDF blocks, side by side (module docstring)."""

    def __init__(self, min_df: int = 2, words: bool = True, longest_word: int = 4) -> None:
        self.min_df = min_df
        self.words = words
        self.longest_word = longest_word

    def _blocks(self, texts: Sequence[str]) -> list[tuple[Keys, Any]]:
        codes, owner, separator = _codes(texts)
        blocks = [char_keys(codes, owner, separator)]
        if self.words:
            blocks.append(word_hashes(codes, owner, separator, 2, self.longest_word))
        return blocks

    def fit(self, texts: Sequence[str], y: Any = None) -> NgramFeatures:
        texts = list(texts)
        totals: list[tuple[Keys, Any]] = []
        for start in range(0, len(texts), CHUNK):
            blocks = self._blocks(texts[start : start + CHUNK])
            if self.words:  # only substrings that are dictionary words
                keys, owners = blocks[1]
                known = table_find(_dictionary_table(2, self.longest_word), keys) >= 0
                blocks[1] = (keys[known], owners[known])
            counted = [_document_frequency(*block) for block in blocks]
            totals = counted if not totals else [_merge(a, b) for a, b in zip(totals, counted, strict=True)]
        self.vocabularies_: list[Keys] = []
        self.idf_: list[npt.NDArray[np.float64]] = []
        self.tables_: list[tuple[Keys, npt.NDArray[np.int32]]] = []
        for keys, df in totals:
            keep = df >= self.min_df
            self.vocabularies_.append(keys[keep])
            self.tables_.append(table_build(keys[keep]))
            self.idf_.append(np.log((1 + len(texts)) / (1 + df[keep])) + 1.0)
        return self

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        texts = list(texts)
        if len(texts) > CHUNK:  # a batch's n-gram keys take ≈ 40 bytes per character
            return sp.csr_matrix(sp.vstack([self.transform(texts[i : i + CHUNK]) for i in range(0, len(texts), CHUNK)]))
        blocks = self._blocks(texts)
        parts = [
            _tfidf(keys, owners, len(texts), table, idf)
            for (keys, owners), table, idf in zip(blocks, self.tables_, self.idf_, strict=True)
        ]
        return sp.csr_matrix(sp.hstack(parts, format="csr"))


_LETTERS = (ord("a"), ord("z"))


def hashed_ngrams(
    texts: Sequence[str], sizes: Sequence[int] = (2, 3), bits: int = 24
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Every character n-gram of the cleaned texts (n in `sizes`), hashed to one of 2**`bits`
    buckets, and the index of the text each comes from: features without a vocabulary, for corpora
    seen once (hotspots). N-grams holding a Latin letter are left out: in appeals those are the
    anonymised region codes ("A市", "A2区") far more often than words."""
    if not texts:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    codes, owner, separator = _codes(texts)
    letter = (codes >= _LETTERS[0]) & (codes <= _LETTERS[1])
    shift = np.uint64(64 - bits)
    buckets, owners = [], []
    for n in sizes:
        views, inside = _windows(codes, separator | letter, n)
        key = views[0].copy()
        for view in views[1:]:
            key = (key << _BITS) | view
        buckets.append(((key[inside] * _GOLDEN) >> shift).astype(np.int64))
        owners.append(owner[: len(inside)][inside])
    return np.concatenate(buckets), np.concatenate(owners)
