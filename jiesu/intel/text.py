"""Text preparation for the classifier: normalisation and jieba word segmentation.

The jieba tokenizer itself (our own instance, its cache and quiet log) lives in
`jiesu.core.chinese`, shared with the knowledge-base search.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from jiesu.core.chinese import tokenizer

__all__ = ["joined", "normalize", "segment", "segment_all", "tokenizer", "words"]

# Whitespace and punctuation carry no topic; everything else (CJK, letters, digits) is kept.
_SEPARATORS = re.compile(r"[\W_]+")


def normalize(text: str) -> str:
    """NFKC (full-width letters and digits to half-width), lower case, surrounding space removed."""
    return unicodedata.normalize("NFKC", text or "").lower().strip()


def words(text: str) -> list[str]:
    """jieba words of `text` without punctuation and whitespace."""
    cut = tokenizer().lcut(normalize(text))
    return [w for w in cut if not _SEPARATORS.fullmatch(w)]


def segment(text: str) -> str:
    """`text` as space-separated words: the form both feature extractors read."""
    return " ".join(words(text))


def segment_all(texts: Iterable[str]) -> list[str]:
    return [segment(t) for t in texts]


def joined(segmented: str) -> str:
    """Undo a segmentation (spaces between words): for corpora delivered pre-segmented."""
    return segmented.replace(" ", "")
