"""Text preparation for the classifier: normalisation and jieba word segmentation.

jieba keeps one process-wide dictionary; we use our own `Tokenizer` so that other apps' jieba
settings (user dictionaries) cannot change what a trained model sees. Its prefix-dictionary cache
is written under the var directory (or the system temp directory outside Django), never beside
the code, and its chatty start-up log is silenced.
"""

from __future__ import annotations

import logging
import re
import tempfile
import threading
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import jieba

jieba.setLogLevel(logging.WARNING)

_lock = threading.Lock()
_tokenizer: Any = None
# Whitespace and punctuation carry no topic; everything else (CJK, letters, digits) is kept.
_SEPARATORS = re.compile(r"[\W_]+")


def _cache_dir() -> Path:
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    try:
        base = Path(settings.VAR_DIR) / "cache"
    except (ImproperlyConfigured, AttributeError):  # outside Django (a bare script)
        base = Path(tempfile.gettempdir()) / "jiesu-cache"
    try:
        base.mkdir(parents=True, exist_ok=True)
    except OSError:
        base = Path(tempfile.gettempdir())
    return base


def tokenizer() -> Any:
    """The shared jieba tokenizer, initialised on first use (about 0.6 s, then cached on disk)."""
    global _tokenizer  # lazily built: importing the app must stay cheap
    with _lock:
        if _tokenizer is None:
            built = jieba.Tokenizer()
            built.tmp_dir = str(_cache_dir())
            built.initialize()
            _tokenizer = built
    return _tokenizer


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
