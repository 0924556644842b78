"""MinHash: signatures estimate the exact Jaccard similarity of shingle sets."""

from __future__ import annotations

import random

import numpy as np
import pytest

from jiesu.intel.duplicates.minhash import MinHasher, estimate, jaccard, shingle_text, shingles
from jiesu.intel.tests.duplicates_support import HEATING, HEATING_RETOLD, NOISE


def test_shingles_are_character_trigrams_of_the_normalised_text() -> None:
    assert shingles("暖气不热") == {"暖气不", "气不热"}
    assert shingles("暖气") == {"暖气"}
    assert shingles("") == set()
    assert shingle_text("ＡＢ，暖气", "不 热！") == "ab暖气不热"


def test_identical_sets_estimate_one_and_disjoint_sets_zero() -> None:
    hasher = MinHasher()
    a = shingles(shingle_text("", HEATING))
    assert estimate(hasher.signature(a), hasher.signature(set(a))) == 1.0
    assert estimate(hasher.signature({"甲乙丙"}), hasher.signature({"丁戊己"})) < 0.05


@pytest.mark.parametrize("keep", [0.2, 0.5, 0.8, 0.95])
def test_the_estimate_is_close_to_the_exact_jaccard(keep: float) -> None:
    rng = random.Random(7)
    base = {f"s{i}" for i in range(400)}
    a = {s for s in base if rng.random() < 0.9}
    b = {s for s in a if rng.random() < keep} | {f"t{i}" for i in range(int(40 * (1 - keep)))}
    hasher = MinHasher(num_perm=256)
    exact = jaccard(a, b)
    assert abs(estimate(hasher.signature(a), hasher.signature(b)) - exact) < 0.08


def test_a_retold_account_is_near_and_another_matter_is_far() -> None:
    hasher = MinHasher()
    own, retold, other = (shingles(shingle_text("暖气不热", t)) for t in (HEATING, HEATING_RETOLD, NOISE))
    assert jaccard(own, retold) >= 0.7
    assert jaccard(own, other) < 0.1
    assert estimate(hasher.signature(own), hasher.signature(retold)) >= 0.6
    assert estimate(hasher.signature(own), hasher.signature(other)) < 0.15


def test_signatures_are_stable_across_hashers_of_one_seed() -> None:
    items = shingles(HEATING)
    assert np.array_equal(MinHasher().signature(items), MinHasher().signature(items))
    with pytest.raises(ValueError, match="different lengths"):
        estimate(MinHasher(64).signature(items), MinHasher(128).signature(items))
