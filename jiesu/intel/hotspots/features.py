"""Documents → L2-normalised TF-IDF rows over jieba words.

The title is counted twice: it states the problem and the place in a few words, while a body
wanders (greetings, history, demands). Bodies are cut to their first `BODY_CHARS` characters,
which keeps segmentation time bounded for long letters without losing what they are about.
Words found in fewer than `min_df` documents cannot link two documents and words found in more
than `max_df` of them (投诉, 小区, 问题 …) link everything; both are pruned, which also keeps the
pairwise products sparse.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from jiesu.intel.hotspots.documents import Document
from jiesu.intel.text import words

BODY_CHARS = 400
TITLE_WEIGHT = 2
# Lone letters and letter-digit codes ("A市" → a, "A2区" → a2: the anonymised region names of the
# shared data) carry no topic; numbers do ("58车贷", "3号线") and are kept.
_NOISE = re.compile(r"^[a-z]\d?$")


@dataclass
class Features:
    matrix: sp.csr_matrix
    vocabulary: list[str]


def document_words(document: Document) -> list[str]:
    title = [w for w in words(document.title) if not _NOISE.match(w)]
    body = [w for w in words(document.body[:BODY_CHARS]) if not _NOISE.match(w)]
    return title * TITLE_WEIGHT + body


def vectorize(token_lists: Sequence[list[str]], *, min_df: int, max_df: float) -> Features:
    """TF-IDF rows (sublinear tf, L2-normalised); an all-zero row for a document whose words were
    all pruned. Fewer than `min_df` documents give an empty vocabulary, not an error."""
    if not token_lists:
        return Features(sp.csr_matrix((0, 0)), [])
    vectorizer = TfidfVectorizer(analyzer=_identity, min_df=min_df, max_df=max_df, sublinear_tf=True, dtype=np.float32)
    try:
        matrix = vectorizer.fit_transform(token_lists)
    except ValueError:  # scikit-learn's "no terms remain after pruning"
        return Features(sp.csr_matrix((len(token_lists), 0), dtype="float32"), [])
    return Features(sp.csr_matrix(matrix), list(vectorizer.get_feature_names_out()))


def _identity(tokens: list[str]) -> list[str]:
    return tokens
