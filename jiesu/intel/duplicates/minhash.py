"""MinHash over character shingles: an estimate of the Jaccard similarity of two texts' shingle
sets from fixed-size signatures (Broder 1997).

Each shingle is hashed once to 32 bits (BLAKE2b, stable across processes, unlike `hash()`), then
permuted by `num_perm` universal hashes h(x) = (a·x + b) mod p with p = 2^61 − 1. With a, b and x
below 2^32 every intermediate value stays below 2^64, so numpy's uint64 arithmetic is exact. The
share of equal minima of two signatures estimates their Jaccard similarity with a standard error
of about sqrt(J(1 − J) / num_perm).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

import numpy as np
import numpy.typing as npt

from jiesu.intel.text import normalize

SHINGLE_SIZE = 3
NUM_PERM = 128
_PRIME = np.uint64((1 << 61) - 1)
_MASK32 = np.uint64(0xFFFFFFFF)
# Punctuation and whitespace vary between two accounts of the same text.
_SEPARATORS = re.compile(r"[\W_]+")

Signature = npt.NDArray[np.uint64]


def shingle_text(title: str, content: str) -> str:
    """The comparable form of a ticket's text: normalised title and content, no punctuation."""
    return _SEPARATORS.sub("", normalize(f"{title}\n{content}"))


def shingles(text: str, size: int = SHINGLE_SIZE) -> set[str]:
    """The character `size`-grams of `text` (the whole text when shorter)."""
    if len(text) <= size:
        return {text} if text else set()
    return {text[i : i + size] for i in range(len(text) - size + 1)}


def jaccard(a: set[str], b: set[str]) -> float:
    """Exact Jaccard similarity |a ∩ b| / |a ∪ b| (0 for two empty sets)."""
    union = len(a | b)
    return len(a & b) / union if union else 0.0


def _hash32(shingle: str) -> int:
    return int.from_bytes(hashlib.blake2b(shingle.encode(), digest_size=4).digest(), "little")


class MinHasher:
    """Signatures of `num_perm` minima; two signatures compare only if made by the same seed."""

    def __init__(self, num_perm: int = NUM_PERM, seed: int = 12345) -> None:
        rng = np.random.default_rng(seed)
        self.num_perm = num_perm
        self._a = rng.integers(1, 1 << 32, size=num_perm, dtype=np.uint64)
        self._b = rng.integers(0, 1 << 32, size=num_perm, dtype=np.uint64)

    def signature(self, items: Iterable[str]) -> Signature:
        hashed = np.fromiter((_hash32(s) for s in items), dtype=np.uint64)
        if hashed.size == 0:
            return np.full(self.num_perm, _MASK32, dtype=np.uint64)
        permuted = (np.outer(self._a, hashed) + self._b[:, None]) % _PRIME & _MASK32
        result: Signature = permuted.min(axis=1)
        return result


def estimate(a: Signature, b: Signature) -> float:
    """The MinHash estimate of the Jaccard similarity of the two signed sets."""
    if a.shape != b.shape:
        raise ValueError("signatures of different lengths")
    return float(np.count_nonzero(a == b)) / a.size
